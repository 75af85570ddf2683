"""Wire formats of the providers bench talks to. A provider builds a request and reads the
response, streamed (SSE events) or whole; it never does I/O itself, so it is tested with bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from llmprof.bench.sse import Event
from llmprof.errors import UsageError


class MalformedEvent(Exception):
    """The endpoint sent something that is not the wire format it claims."""


@dataclass
class Update:
    """What one event (or a whole non-streamed body) tells us."""

    text: str = ""  # generated text (content, reasoning), for the local token count
    generated: bool = False  # carries generated content: the first one marks TTFT
    input_tokens: int | None = None  # usage, as the API reports it
    output_tokens: int | None = None
    done: bool = False  # the stream's own end marker
    error: str | None = None  # an error reported inside the stream


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
    default_url: str

    def request(self, ask: Ask) -> HttpRequest: ...

    def parse_event(self, event: Event) -> Update: ...

    def parse_body(self, body: Any) -> Update: ...


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MalformedEvent(f"invalid JSON in the response: {text[:80]!r}") from exc


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


PROVIDERS = ("openai", "anthropic", "gemini")


def get(name: str) -> Provider:
    if name == "openai":
        from llmprof.bench.providers.openai import OpenAI

        return OpenAI()
    if name == "anthropic":
        from llmprof.bench.providers.anthropic import Anthropic

        return Anthropic()
    if name == "gemini":
        from llmprof.bench.providers.gemini import Gemini

        return Gemini()
    raise UsageError(f"unknown provider {name!r}", f"use one of: {', '.join(PROVIDERS)}")
