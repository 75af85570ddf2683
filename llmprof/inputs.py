"""Files, directories, stdin and JSON/JSONL request files -> requests.

A *source* is one file (or stdin); reading it yields one or more requests
(:class:`~llmprof.requests.Request`): a text file is one prompt, a JSON file one request body (or
a list of them), a JSONL file one request per line (OpenAI batch lines included).

How a source is read (``--format-in``, default ``auto``) is decided the same way for files and
stdin: a known extension decides (``.json``, ``.jsonl``/``.ndjson``; ``.txt``, ``.md`` ... are
text); otherwise the content does: something that starts like JSON must be valid JSON or JSONL,
and if it is neither, that is an error with the line, never a silent fall back to text (pass
``--format-in text`` to count such a file as text). Text is decoded with its byte-order mark when
it has one (UTF-8, UTF-16, UTF-32), else with ``--encoding``.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from llmprof.errors import InputError
from llmprof.requests import Request, parse, text_request

STDIN = "-"
FormatIn = Literal["auto", "text", "json", "jsonl"]
FORMATS_IN = ("auto", "text", "json", "jsonl")
_JSONL = {".jsonl", ".ndjson"}
_JSON = {".json"}
_TEXT = {".txt", ".text", ".md", ".markdown", ".rst", ".prompt", ".tmpl", ".j2", ".jinja"}
_SNIFF_BYTES = 8192
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Source:
    """Where prompts come from: a file, or stdin when ``path`` is None."""

    label: str
    path: Path | None


def collect_sources(
    paths: Iterable[str],
    glob: str | None = None,
    note: Callable[[str], None] = lambda _: None,
    encoding: str = "utf-8",
) -> list[Source]:
    """Expand the user's paths into sources: directories recursively (hidden entries skipped),
    filtered by ``glob``; binary files and unreadable folders are skipped with a note, and a file
    named twice is counted once, with a note."""
    sources: list[Source] = []
    seen: dict[Path | None, str] = {}
    matcher = glob_matcher(glob) if glob else None
    for raw in paths:
        if raw == STDIN:
            found = [Source("<stdin>", None)]
        else:
            path = Path(raw)
            if path.is_dir():
                found = _walk(path, raw, matcher, glob, note, _wide(encoding))
            elif path.exists():
                found = [Source(raw, path)]
            else:
                raise InputError(f"{raw}: no such file or directory", "check the path.")
        for source in found:
            key = source.path.resolve() if source.path else None
            if key in seen:
                note(f"{source.label} is named more than once (also as {seen[key]}): counted once")
                continue
            seen[key] = source.label
            sources.append(source)
    return sources


def _wide(encoding: str) -> bool:
    """UTF-16 and UTF-32 text is full of NUL bytes: with such an --encoding, NUL is not binary."""
    return encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32", "utf16", "utf32"))


def _walk(
    root: Path,
    raw: str,
    matcher: Callable[[str], bool] | None,
    glob: str | None,
    note: Callable[[str], None],
    wide: bool,
) -> list[Source]:
    found: list[Source] = []
    skipped: list[str] = []
    unreadable: list[str] = []

    def failed(error: OSError) -> None:
        unreadable.append(f"{error.filename} ({error.strerror or error})")

    for folder, dirs, files in os.walk(root, onerror=failed):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if matcher and not matcher(relative):
                continue
            if not wide and _is_binary(path):
                skipped.append(str(path))
            else:
                found.append(Source(str(path), path))
    if skipped:
        shown = ", ".join(skipped[:3]) + (" ..." if len(skipped) > 3 else "")
        note(f"skipped {len(skipped)} binary file(s) under {raw}: {shown}")
    if unreadable:
        shown = ", ".join(unreadable[:3]) + (" ..." if len(unreadable) > 3 else "")
        note(f"skipped {len(unreadable)} folder(s) under {raw} that cannot be read: {shown}")
    if not found:
        pattern = f" matching {glob!r}" if glob else ""
        raise InputError(f"{raw}: no prompt files{pattern} found in this directory", "check the path, or widen --glob.")
    return found


def glob_matcher(pattern: str) -> Callable[[str], bool]:
    """A test for a path relative to the folder searched. ``**`` spans any number of folders,
    none included (``**/*.txt`` matches ``a.txt`` too); a pattern without ``/`` matches the
    file name at any depth."""
    regex = re.compile(_glob_regex(pattern))
    if "/" not in pattern:
        return lambda relative: regex.fullmatch(relative.rsplit("/", 1)[-1]) is not None
    return lambda relative: regex.fullmatch(relative) is not None


def _glob_regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def _is_binary(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False  # reported properly when the file is read
    return not _bom(head) and b"\x00" in head


def _bom(data: bytes) -> str | None:
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return codec
    return None


def read_source(
    source: Source,
    encoding: str = "utf-8",
    stdin: BinaryIO | None = None,
    format_in: FormatIn = "auto",
    shape: str = "auto",
) -> list[Request]:
    """Read one source into requests. Errors name the file (and line) and the fix."""
    text = _decode(_read_bytes(source, stdin), source.label, encoding)
    base = source.path.parent if source.path else Path.cwd()  # where image paths are resolved from
    kind: str = format_in
    if kind == "auto":
        suffix = source.path.suffix.lower() if source.path else ""
        kind = "jsonl" if suffix in _JSONL else "json" if suffix in _JSON else "text" if suffix in _TEXT else "sniff"
    if kind == "text":
        return [text_request(text, source.label)]
    if kind == "json":
        return _json_prompts(text, source.label, shape, base)
    if kind == "jsonl":
        return list(_jsonl_prompts(text, source.label, shape, base))
    if text.lstrip()[:1] not in ("[", "{"):
        return [text_request(text, source.label)]
    return _sniffed(text, source.label, shape, base)


def _sniffed(text: str, label: str, shape: str, base: Path | None) -> list[Request]:
    """Content that starts like JSON: a JSON document, or JSONL, or an error saying which line
    is neither (it is never quietly counted as text, nor truncated to its first line)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as whole:
        if sum(1 for line in text.splitlines() if line.strip()) > 1:  # several lines: JSONL, every one
            try:
                return list(_jsonl_prompts(text, label, shape, base))
            except InputError as line_error:
                raise InputError(
                    f"{line_error.message} (it starts like JSON, so it is read as JSON or JSONL)",
                    "fix that line, or pass --format-in text to count the whole file as text.",
                ) from whole
        raise InputError(
            f"{label}:{whole.lineno}: not valid JSON ({whole.msg}; it starts like JSON)",
            "fix the JSON, or pass --format-in text to count it as text.",
        ) from whole
    except RecursionError as exc:
        raise InputError(
            f"{label}: JSON nested too deeply to read", "pass --format-in text to count it as text."
        ) from exc
    return _requests_in(document, label, shape, base)


def _read_bytes(source: Source, stdin: BinaryIO | None) -> bytes:
    if source.path is None:
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
    """Text from bytes: a byte-order mark decides; else ``encoding`` (UTF-8 by default)."""
    codec = _bom(data)
    if codec is None:
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except LookupError as exc:
        raise InputError(f"unknown text encoding {encoding!r}", "use e.g. --encoding latin-1") from exc
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:_SNIFF_BYTES]:
            raise _binary(label) from exc
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{label}:{line}: not valid {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            "pass --encoding with the file's real encoding, e.g. --encoding latin-1",
        ) from exc
    if "\x00" in text[:_SNIFF_BYTES]:
        raise _binary(label)
    return text


def _binary(label: str) -> InputError:
    return InputError(
        f"{label}: looks like a binary file (it contains NUL bytes)",
        "pass a text, JSON or JSONL prompt file (or --encoding utf-16 for UTF-16 text without a byte-order mark).",
    )


def _json_prompts(text: str, label: str, shape: str, base: Path | None) -> list[Request]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label}:{exc.lineno}: not valid JSON ({exc.msg})",
            "fix the JSON, or pass --format-in text to count the file as text.",
        ) from exc
    except RecursionError as exc:
        raise InputError(f"{label}: JSON nested too deeply to read") from exc
    return _requests_in(document, label, shape, base)


def _requests_in(document: Any, label: str, shape: str, base: Path | None) -> list[Request]:
    """A document holds one request, or a list of them (a list of messages is one request)."""
    items = document if isinstance(document, list) and document else []
    if items and all(isinstance(i, dict) for i in items) and not all("role" in i for i in items):
        return [parse(item, f"{label}[{i}]", shape, base) for i, item in enumerate(items)]
    return [parse(document, label, shape, base)]


def _jsonl_prompts(text: str, label: str, shape: str, base: Path | None) -> Iterator[Request]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{label}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{where}: malformed JSON ({exc.msg} at column {exc.colno})",
                "each line of a JSONL file must be one JSON object.",
            ) from exc
        except RecursionError as exc:
            raise InputError(f"{where}: JSON nested too deeply to read") from exc
        yield parse(item, where, shape, base)
