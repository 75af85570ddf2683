"""Reading the files llmprof is given, with every failure turned into an error that names the
file and the fix (one place, so a missing baseline reads like a missing suite or result)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmprof.errors import LlmprofError


def read_bytes(path: Path, error: type[LlmprofError], missing: str = "check the path.") -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise error(f"{path}: no such file", missing) from exc
    except IsADirectoryError as exc:
        raise error(f"{path}: is a directory, not a file", missing) from exc
    except OSError as exc:
        raise error(f"{path}: cannot read it ({exc.strerror or exc})", "check the file's permissions.") from exc


def read_text(path: Path, error: type[LlmprofError], missing: str = "check the path.") -> str:
    raw = read_bytes(path, error, missing)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})", missing) from exc


def read_json(path: Path, error: type[LlmprofError], missing: str = "check the path.") -> Any:
    text = read_text(path, error, missing)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})", missing) from exc


def expect_document(
    document: Any, path: Path, kind: str, version: int, error: type[LlmprofError], what: str, hint: str
) -> dict[str, Any]:
    """A JSON document llmprof wrote: of the right ``kind`` and a schema version this code reads."""
    if not isinstance(document, dict) or document.get("kind") != kind:
        raise error(f"{path}: not an llmprof {what}", hint)
    if document.get("schema_version") != version:
        raise error(f"{path}: {what} schema {document.get('schema_version')}, not {version}", hint)
    return document
