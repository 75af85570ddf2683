"""Files, directories, stdin and JSON/JSONL chat files -> prompt records.

A *source* is one file (or stdin); reading it yields one or more :class:`Prompt` records, one per
request: a text file is one prompt, a JSONL file one prompt per line. Chat JSON is recognised by
shape, in any of the forms people keep prompts in:

* a list of messages ``[{"role": "user", "content": "..."}]``;
* a request body ``{"model": "...", "messages": [...]}`` (``model`` optional);
* an OpenAI batch-input line ``{"custom_id": ..., "body": {"model": ..., "messages": [...]}}``;
* a plain prompt ``{"prompt": "..."}`` or a JSON string.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from llmprof.errors import InputError

STDIN = "-"
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Source:
    """Where prompts come from: a file, or stdin when ``path`` is None."""

    label: str
    path: Path | None


@dataclass(frozen=True)
class Prompt:
    """One request's prompt: plain text, or chat messages (counted with the API's framing)."""

    where: str
    text: str | None = None
    messages: list[Any] | None = None
    model: str | None = None


def collect_sources(
    paths: Iterable[str], glob: str | None = None, note: Callable[[str], None] = lambda _: None
) -> list[Source]:
    """Expand the user's paths into sources: directories recursively (hidden entries skipped),
    filtered by ``glob``; binary files found in directories are skipped with a note."""
    sources: list[Source] = []
    for raw in paths:
        if raw == STDIN:
            sources.append(Source("<stdin>", None))
            continue
        path = Path(raw)
        if path.is_dir():
            found, skipped = _walk(path, glob)
            if skipped:
                shown = ", ".join(skipped[:3]) + (" ..." if len(skipped) > 3 else "")
                note(f"skipped {len(skipped)} binary file(s) under {raw}: {shown}")
            if not found:
                pattern = f" matching {glob!r}" if glob else ""
                raise InputError(
                    f"{raw}: no prompt files{pattern} found in this directory",
                    "check the path, or widen --glob.",
                )
            sources.extend(found)
        elif path.exists():
            sources.append(Source(raw, path))
        else:
            raise InputError(f"{raw}: no such file or directory", "check the path.")
    return sources


def _walk(root: Path, glob: str | None) -> tuple[list[Source], list[str]]:
    found: list[Source] = []
    skipped: list[str] = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if glob and not _matches(relative, glob):
            continue
        label = str(path)
        if _is_binary(path):
            skipped.append(label)
        else:
            found.append(Source(label, path))
    return found, skipped


def _matches(relative: Path, glob: str) -> bool:
    posix = PurePosixPath(relative.as_posix())
    return posix.match(glob) or PurePosixPath(posix.name).match(glob)


def _is_binary(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return b"\x00" in handle.read(_SNIFF_BYTES)
    except OSError:
        return False  # reported properly when the file is read


def read_source(source: Source, encoding: str = "utf-8", stdin: BinaryIO | None = None) -> list[Prompt]:
    """Read one source into prompt records. Errors name the file (and line) and the fix."""
    data = _read_bytes(source, stdin)
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError(
            f"{source.label}: looks like a binary file (it contains NUL bytes)",
            "pass a text, JSON or JSONL prompt file.",
        )
    text = _decode(data, source.label, encoding)
    suffix = source.path.suffix.lower() if source.path else ""
    if suffix in _JSONL_SUFFIXES:
        return list(_jsonl_prompts(text, source.label))
    if suffix == ".json" or (source.path is None and text.lstrip()[:1] in ("[", "{")):
        prompts = _json_prompts(text, source.label)
        if prompts is not None:
            return prompts
        if source.path is None and "\n" in text.strip():
            lines = list(_jsonl_prompts(text, source.label, strict=False))
            if lines:
                return lines
    return [Prompt(where=source.label, text=text)]


def _read_bytes(source: Source, stdin: BinaryIO | None) -> bytes:
    if source.path is None:
        import sys

        return (stdin or sys.stdin.buffer).read()
    try:
        return source.path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(f"{source.label}: is a directory", "pass the directory itself, not a file in it.") from exc
    except PermissionError as exc:
        raise InputError(f"{source.label}: permission denied", "check the file's permissions.") from exc
    except OSError as exc:
        raise InputError(f"{source.label}: cannot read it ({exc.strerror or exc})") from exc


def _decode(data: bytes, label: str, encoding: str) -> str:
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except LookupError as exc:
        raise InputError(f"unknown text encoding {encoding!r}", "use e.g. --encoding latin-1") from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{label}:{line}: not valid {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            "pass --encoding with the file's real encoding, e.g. --encoding latin-1",
        ) from exc


def _json_prompts(text: str, label: str) -> list[Prompt] | None:
    """Chat prompts from a whole JSON document, or None when it is not chat-shaped."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return None
    if isinstance(document, list) and document and all(_is_request(item) for item in document):
        return [_prompt_from(item, f"{label}[{i}]") for i, item in enumerate(document)]
    if _is_messages(document) or _is_request(document):
        return [_prompt_from(document, label)]
    return None


def _jsonl_prompts(text: str, label: str, strict: bool = True) -> Iterator[Prompt]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{label}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            if not strict:
                return
            raise InputError(
                f"{where}: malformed JSON ({exc.msg} at column {exc.colno})",
                "each line of a JSONL file must be one JSON object.",
            ) from exc
        if not (isinstance(item, str) or _is_messages(item) or _is_request(item)):
            raise InputError(
                f"{where}: not a prompt record",
                'expected {"messages": [...]}, an OpenAI batch line {"body": {"messages": [...]}}, '
                '{"prompt": "..."} or a JSON string.',
            )
        yield _prompt_from(item, where)


def _is_messages(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(m, dict) and "role" in m for m in value)


def _is_request(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    body = value.get("body", value)
    return isinstance(body, dict) and (isinstance(body.get("messages"), list) or isinstance(body.get("prompt"), str))


def _prompt_from(item: Any, where: str) -> Prompt:
    if isinstance(item, str):
        return Prompt(where=where, text=item)
    if isinstance(item, list):
        return Prompt(where=where, messages=item)
    body = item.get("body", item)
    model = body.get("model")
    model = model if isinstance(model, str) and model else None
    if isinstance(body.get("messages"), list):
        return Prompt(where=where, messages=body["messages"], model=model)
    return Prompt(where=where, text=body["prompt"], model=model)
