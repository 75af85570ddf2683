"""Secrets stay secret: API keys come from environment variables, and no form of them is ever
printed, logged or written.

Keys are read in one place (:func:`read_key`): surrounding whitespace, a common leftover of
``.env`` files and pasted CI secrets, is stripped (and said); control characters and non-ASCII
keys are refused, because HTTP headers cannot carry them and the client library would echo them
in its error. Every secret llmprof learns (keys, passwords and query values in endpoint URLs) is
registered with one process-wide :class:`Redactor`, and every channel out of the process passes
its text through :func:`redact`: stderr, stdout, result files and tracebacks.

The redactor hides any run of 8 or more characters of a secret (case-insensitive), in each form
a secret takes in text: as is, escaped (``\\n``, ``\\u00e9``), URL-encoded and base64-encoded at
any alignment (so also inside a ``Basic`` auth header). Secrets shorter than 8 characters are
hidden where they occur whole.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from llmprof.errors import UsageError

MASK = "***"
WINDOW = 8  # the shortest slice of a secret that is hidden on its own


class Redactor:
    def __init__(self) -> None:
        self._grams: set[str] = set()  # every WINDOW-long slice of every form, lower-cased
        self._short: set[str] = set()  # secrets too short to slice
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._grams or self._short)

    def add(self, secret: str) -> None:
        if not secret:
            return
        with self._lock:
            for form in _forms(secret):
                if len(form) >= WINDOW:
                    lowered = form.lower()
                    self._grams.update(lowered[i : i + WINDOW] for i in range(len(lowered) - WINDOW + 1))
                elif form.strip():
                    self._short.add(form)

    def redact(self, text: str) -> str:
        if not self or not text:
            return text
        lowered = text.lower()
        covered = bytearray(len(text))
        grams = self._grams
        if grams:
            for i in range(len(text) - WINDOW + 1):
                if lowered[i : i + WINDOW] in grams:
                    covered[i : i + WINDOW] = b"\x01" * WINDOW
        for short in self._short:
            start = text.find(short)
            while start != -1:
                covered[start : start + len(short)] = b"\x01" * len(short)
                start = text.find(short, start + 1)
        if not any(covered):
            return text
        out: list[str] = []
        i = 0
        while i < len(text):
            if covered[i]:
                while i < len(text) and covered[i]:
                    i += 1
                out.append(MASK)
            else:
                j = covered.find(b"\x01", i)
                j = len(text) if j == -1 else j
                out.append(text[i:j])
                i = j
        return "".join(out)


def _forms(secret: str) -> set[str]:
    """The secret as it can appear in text."""
    forms = {secret, secret.strip()}
    for value in list(forms):
        forms.add(value.encode("unicode_escape").decode("ascii"))  # repr-style escapes
        forms.add(json.dumps(value)[1:-1])  # JSON escapes
        forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
        forms.add(quote(value, safe=""))
        forms.add(quote_plus(value))
        forms.update(_base64_cores(value.encode("utf-8")))
    return forms


def _base64_cores(data: bytes) -> set[str]:
    """The part of base64(anything + data + anything) that depends only on ``data``, for each of
    the three alignments ``data`` can start at, in the standard and URL-safe alphabets."""
    cores = set()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + data).decode("ascii").rstrip("=")
        start = 4 if pad else 0  # the first group mixes in the bytes before the secret
        end = len(encoded) - (0 if (pad + len(data)) % 3 == 0 else 4)  # the last one the bytes after
        core = encoded[start:end]
        if core:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


REDACTOR = Redactor()


def redact(text: str) -> str:
    """``text`` with every registered secret hidden (a no-op while none is registered)."""
    return REDACTOR.redact(text)


def register(secret: str) -> None:
    REDACTOR.add(secret)


def read_key(env_name: str) -> tuple[str | None, str | None]:
    """The key in ``$env_name`` (registered for redaction) and a note to say aloud, if any.

    Whitespace around the key is stripped; an empty value counts as unset; a key with control
    characters inside it, or non-ASCII characters, is a usage error naming the variable only."""
    raw = os.environ.get(env_name)
    if raw is None:
        return None, None
    register(raw)
    key = raw.strip()
    if not key:
        return None, f"{env_name} is set but empty, so no key is sent"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in key):
        raise UsageError(
            f"{env_name} contains a control character inside the key",
            f"set {env_name} to the key alone (check the file or secret it comes from).",
        )
    if not key.isascii():
        raise UsageError(
            f"{env_name} contains non-ASCII characters, which an HTTP header cannot carry",
            f"check {env_name}: API keys are plain ASCII (a pasted key may have picked up a typographic character).",
        )
    note = None
    if key != raw:
        note = f"stripped whitespace around the key in {env_name} (e.g. a trailing newline from a .env file)"
    return key, note


def register_url(url: str) -> None:
    """Register the secrets a URL can carry: its password and every query value."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return
    if password:
        register(password)
    for _, value in parse_qsl(parts.query, keep_blank_values=False):
        register(value)
