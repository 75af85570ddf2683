"""A per-user cache of data llmprof derives from its own files, so a cold start need not derive it
again. Never a source of truth: every entry can be rebuilt, and any problem means "rebuild".

* Where: ``$XDG_CACHE_HOME/llmprof`` (``~/.cache/llmprof`` when unset).
* Off: ``LLMPROF_NO_CACHE=1`` (then nothing is read or written).
* Names: each entry's name carries a hash of everything it derives from (the source bytes, the
  llmprof version, the code that derives it), so a changed input is a different entry: never stale.
* Writes are atomic (a temporary file in the same folder, fsync, rename). A read-only, missing or
  full cache folder is not an error: the caller derives the data and goes on.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ENV_OFF = "LLMPROF_NO_CACHE"


def directory() -> Path | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get(ENV_OFF, "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llmprof"


def read(name: str) -> bytes | None:
    """An entry's bytes, or None (absent, unreadable, or caching off)."""
    folder = directory()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except (OSError, ValueError):
        return None


def write(name: str, data: bytes) -> bool:
    """Store an entry atomically; False (silently) when it cannot be stored."""
    folder = directory()
    if folder is None:
        return False
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, folder / name)
    except BaseException as exc:  # never leave a temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            return False
        raise
    return True
