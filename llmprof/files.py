"""Every file llmprof reads or writes goes through here, so each failure reads the same way and
no write can leave a file half-written.

Reads translate OSError, decoding and JSON errors into an :class:`LlmprofError` that names the file
and the fix. Writes are atomic: the text goes to a temporary file in the same directory, is
flushed to disk, and only then renamed over the target, so a full disk, a crash or Ctrl-C leaves
either the old file or the new one, never a truncated mix. Output paths are checked before the
work that fills them starts, so a bad ``--out`` fails in a second, not after a long run.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from llmprof.errors import LlmprofError, WriteError


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


def parse_json(text: str, where: str, error: type[LlmprofError], hint: str | None = None) -> Any:
    """JSON text -> data, refusing what would mislead or crash later: nesting too deep for the
    parser (RecursionError) and the non-standard NaN / Infinity literals."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise error(f"{where}:{exc.lineno}: not valid JSON ({exc.msg})", hint) from exc
    except RecursionError as exc:
        raise error(f"{where}: JSON nested too deeply to read", hint) from exc
    except ValueError as exc:  # NaN, Infinity
        raise error(f"{where}: {exc}", hint) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(path: Path, error: type[LlmprofError], missing: str = "check the path.") -> Any:
    return parse_json(read_text(path, error, missing), str(path), error, missing)


def expect_document(
    document: Any, path: Path, kind: str, version: int, error: type[LlmprofError], what: str, hint: str
) -> dict[str, Any]:
    """A JSON document llmprof wrote: of the right ``kind`` and a schema version this code reads."""
    if not isinstance(document, dict) or document.get("kind") != kind:
        raise error(f"{path}: not an llmprof {what}", hint)
    found = document.get("schema_version")
    if found != version:
        newer = isinstance(found, int) and not isinstance(found, bool) and found > version
        raise error(
            f"{path}: {what} schema {found!r}, but this llmprof reads schema {version}",
            "upgrade llmprof to read it." if newer else hint,
        )
    return document


# -- writing -----------------------------------------------------------------------------------------


def check_writable(path: Path, what: str) -> None:
    """Fail now, before any work, if ``path`` cannot be written later: a directory, a parent that is
    a file, or a folder we may not write in. Missing parent folders are fine (they are created)."""
    if path.is_dir():
        raise WriteError(f"{path}: is a directory; {what} needs a file name", f"e.g. {path / ('result' + _ext(what))}")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise WriteError(f"{path}: cannot write {what} there: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise WriteError(f"{path}: cannot write {what} there: no permission to write in {parent}")
    if path.exists() and not os.access(path, os.W_OK):
        raise WriteError(f"{path}: cannot write {what} there: the file is read-only")


def _ext(what: str) -> str:
    what = what.lower()
    return ".xml" if "junit" in what else ".html" if "html" in what else ".json"


def write_atomic(path: Path, text: str, what: str = "the file") -> None:
    """Replace ``path`` with ``text`` (UTF-8) all at once: a failure at any point leaves the old
    file (or no file) in place, never a truncated one, and no temporary file behind."""
    data = text.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode_for(path)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _write_error(path, what, exc) from exc
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise _write_error(path, what, exc) from exc
        raise
    _sync_directory(path.parent)


def append_text(path: Path, text: str, what: str) -> None:
    """Append ``text`` in one write (for files others own, such as ``$GITHUB_STEP_SUMMARY``)."""
    try:
        with path.open("a", encoding="utf-8") as file:
            file.write(text)
    except OSError as exc:
        raise _write_error(path, what, exc) from exc


def create_unique(directory: Path, stem: str, suffix: str) -> tuple[Path, IO[str]]:
    """A new file ``stem{suffix}`` (or ``stem-2{suffix}``, ...) in ``directory``, opened exclusively,
    so two runs started in the same second never share (and overwrite) one file."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(directory, "the run log", exc) from exc
    for attempt in range(1, 10_000):
        path = directory / (f"{stem}{suffix}" if attempt == 1 else f"{stem}-{attempt}{suffix}")
        try:
            return path, path.open("x", encoding="utf-8")
        except FileExistsError:
            continue
        except OSError as exc:
            raise _write_error(path, "the run log", exc) from exc
    raise WriteError(f"{directory}: no free name for {stem}{suffix}", "clear out old runs in that folder.")


def open_new(path: Path, what: str) -> IO[str]:
    """Open ``path`` for writing from scratch (for a log that grows line by line)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise _write_error(path, what, exc) from exc


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_error(path: Path, what: str, exc: OSError) -> WriteError:
    import errno

    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "free some disk space and run it again; the previous file, if any, is unchanged.",
        errno.EDQUOT: "free some disk space and run it again; the previous file, if any, is unchanged.",
        errno.EACCES: "check the folder's permissions, or write somewhere else.",
        errno.EROFS: "that file system is read-only: write somewhere else.",
        errno.EISDIR: "give a file name, not a directory.",
    }.get(exc.errno or 0, "check the path.")
    return WriteError(f"{path}: cannot write {what} ({reason})", hint)
