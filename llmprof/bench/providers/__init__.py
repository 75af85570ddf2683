"""Wire formats of the providers bench talks to, and the one registry of their names.

A provider builds a request and reads the response, streamed (SSE events) or whole; it never does
I/O itself, so it is tested with bytes. Whatever an endpoint sends, a provider either understands
it or raises :class:`MalformedEvent`: a payload of an unexpected shape (a list where an object
belongs, a usage count that is text or negative) is a ``malformed`` request, never a crash.
Usage is normalised here, once, to llmprof's convention: input counts every prompt token (cache
reads and writes included), output every generated token (reasoning included).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from llmprof.apis import APIS, check_api
from llmprof.bench.sse import Event


class MalformedEvent(Exception):
    """The endpoint sent something that is not the wire format it claims."""


@dataclass
class UsageReport:
    """Token counts as the API reported them (None: not reported), in llmprof's convention."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None

    def update(self, other: UsageReport) -> None:
        for name in ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens"):
            value = getattr(other, name)
            if value is not None:
                setattr(self, name, value)


@dataclass
class ServerTimings:
    """What a server says its own work took (llama.cpp's ``timings``): prefill and decode."""

    prefill_s: float | None = None
    decode_s: float | None = None
    generated: int | None = None  # tokens decoded (llama.cpp predicted_n)


@dataclass
class Update:
    """What one event (or a whole non-streamed body) tells us."""

    text: str = ""  # generated answer text, for the local token count
    reasoning_text: str = ""  # generated reasoning ("thinking") text
    generated: bool = False  # carries generated content of any kind: the first one marks TTFT
    answer: bool = False  # carries answer content (not reasoning): the first marks time to first answer
    usage: UsageReport | None = None
    done: bool = False  # the stream's own end marker
    error: str | None = None  # an error reported inside the stream
    finish: str | None = None  # why generation stopped, normalised: "length", "stop", or the API's word
    timings: ServerTimings | None = None


@dataclass(frozen=True)
class Ask:
    """One request to build: where to, for which model, what to ask and how."""

    url: str  # the endpoint's base URL
    model: str
    prompt: str
    max_tokens: int
    stream: bool = True
    force_length: bool = False  # ask self-hosted servers to generate exactly max_tokens
    key: str | None = None


@dataclass(frozen=True)
class HttpRequest:
    url: str
    headers: dict[str, str]
    body: dict[str, Any]


class Provider(Protocol):
    name: str
    key_env: str

    def request(self, ask: Ask) -> HttpRequest: ...

    def parse_event(self, event: Event) -> Update: ...

    def parse_body(self, body: Any) -> Update: ...


def get(name: str) -> Provider:
    """The wire format of the API named ``name`` (see :data:`llmprof.apis.APIS`)."""
    api = APIS[check_api(name)]
    provider: Provider = getattr(importlib.import_module(api.module), api.cls)()
    return provider


# -- reading payloads defensively --------------------------------------------------------------------


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MalformedEvent(f"invalid JSON in the response: {text[:80]!r}") from exc


def as_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedEvent(f"{what} is {_kind(value)}, not an object")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedEvent(f"{what} is {_kind(value)}, not a list")
    return value


def optional_object(parent: dict[str, Any], key: str, what: str) -> dict[str, Any]:
    value = parent.get(key)
    return {} if value is None else as_object(value, what)


def text_field(parent: dict[str, Any], key: str, what: str) -> str:
    """A string field that may be absent or null ("" then)."""
    value = parent.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedEvent(f"{what} is {_kind(value)}, not text")
    return value


def count(parent: dict[str, Any], key: str, what: str) -> int | None:
    """A token count: a whole number >= 0, or absent."""
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedEvent(f"{what} is {_kind(value)}, not a token count")
    return value


def seconds(parent: dict[str, Any], key: str, what: str, scale: float = 1.0) -> float | None:
    """A duration field (absent: None), times ``scale`` to make it seconds."""
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or value == float("inf"):
        raise MalformedEvent(f"{what} is {_kind(value)}, not a duration")
    return float(value) * scale


def total(*parts: int | None) -> int | None:
    """The sum of the parts that were reported (None when none was)."""
    present = [p for p in parts if p is not None]
    return sum(present) if present else None


def _kind(value: Any) -> str:
    shown = json.dumps(value)[:40] if not isinstance(value, str) else repr(value[:40])
    return f"{type(value).__name__} {shown}"


def error_text(body: Any) -> str:
    """The message of an error body in any provider's shape, or a short raw excerpt."""
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            message = error.get("message") or error.get("type") or error.get("status")
            if message:
                return str(message)[:300]
        elif isinstance(error, str):
            return error[:300]
    return json.dumps(body)[:300] if not isinstance(body, str) else body[:300]


def join(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path
