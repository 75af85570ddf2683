"""The three wire formats the mock speaks: OpenAI chat completions, Anthropic Messages, Gemini.

One module per provider, as in ``llmprof.bench.providers``. A wire reads a request body into a
provider-neutral :class:`Generation` and renders the job back as that provider's bytes: streamed events,
a whole response, or an error body. It also reads a token-counting request (:class:`Counting`) and
renders its answer. Timing, faults and HTTP live in ``app.py``; nothing here sleeps or sends, so
every byte can be tested directly.

Reasoning: a job with ``reasoning_tokens`` > 0 streams that many reasoning tokens (``thought``
events) before its answer, in the provider's own shape, and reports them in usage as output.
Prompt cache: ``cached_tokens`` of the prompt were served from the mock's prompt cache; each wire
reports them where its provider does.
"""

from __future__ import annotations

import abc
import base64
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from llmprof.mock.faults import Admission

Json = dict[str, Any]
Headers = list[tuple[bytes, bytes]]

SSE_CONTENT_TYPE = b"text/event-stream; charset=utf-8"

_COMPACT = json.JSONEncoder(separators=(",", ":"))  # one encoder: json.dumps builds one per call
_MARK = "\x00"  # stands for a token's text in a template; never in generated text


class BadRequest(Exception):
    """The request cannot be served: answered 400 in the provider's error shape."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass
class Generation:
    """One generation request, whichever format it came in."""

    model: str
    body: Json  # the request as sent: its prompt tokens are counted as ``llmprof estimate`` counts them
    max_tokens: int | None  # when given, the output is exactly this many tokens
    stream: bool
    include_usage: bool = False
    id: str = ""
    created: int = 0
    prompt_tokens: int = 0
    output_tokens: int = 0  # the visible answer
    reasoning_tokens: int = 0  # generated before the answer; billed as output
    cached_tokens: int = 0  # of prompt_tokens, served from the prompt cache
    report_cache: bool = False  # the prompt cache is on: usage carries its fields even when 0
    token_template: Template | None = None  # the per-token event, rendered once per stream
    thought_template: Template | None = None  # the per-reasoning-token event

    @property
    def completion_tokens(self) -> int:
        """Every generated token: reasoning and answer."""
        return self.reasoning_tokens + self.output_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Counting:
    """A token-counting request: its prompt is counted as a generation request's would be."""

    model: str | None  # None: the request names none (the app counts it as its default model)
    body: Json  # in the shape below, as llmprof.requests reads it
    shape: str


class Template:
    """An event rendered once with a marker where a token's text goes, then filled per token.

    A stream sends one event per token, so this is the mock's hot path: filling a template costs
    a fraction of encoding the whole event again, which keeps many concurrent streams on time.
    """

    def __init__(self, render: Callable[[str], bytes]) -> None:
        self.head, self.tail = render(_MARK).split(_COMPACT.encode(_MARK).encode())

    def fill(self, text: str) -> bytes:
        return self.head + _COMPACT.encode(text).encode() + self.tail


class Wire(abc.ABC):
    """One provider's shapes. Error bodies are keyed by HTTP status (400, 404, 405, 429, 500)."""

    name: ClassVar[str]
    shape: ClassVar[str]  # the request shape, as llmprof.requests reads it
    error_types: ClassVar[dict[int, str]]

    @abc.abstractmethod
    def parse(self, body: Json, path_model: str | None, path_stream: bool) -> Generation:
        """The job a request body asks for, or :class:`BadRequest`."""

    @abc.abstractmethod
    def new_id(self, rng: random.Random) -> str: ...

    @abc.abstractmethod
    def error(self, status: int, message: str, param: str | None = None) -> Json: ...

    @abc.abstractmethod
    def rate_limited(self, job: Generation, admission: Admission) -> Json: ...

    def server_error(self) -> Json:
        return self.error(500, "The server had an error while processing your request (llmprof mock fault).")

    def rate_limit_headers(self, admission: Admission) -> Headers:
        return []

    def opening(self, job: Generation) -> bytes:
        """Events sent the moment the request arrives, before the first token."""
        return b""

    @abc.abstractmethod
    def token(self, job: Generation, index: int, text: str) -> bytes:
        """The event carrying answer token ``index``."""

    @abc.abstractmethod
    def thought(self, job: Generation, index: int, text: str) -> bytes:
        """The event carrying reasoning token ``index`` (all come before the answer)."""

    def thinking_done(self, job: Generation) -> bytes:
        """Events sent right after the last reasoning token."""
        return b""

    def closing(self, job: Generation) -> bytes:
        """Events sent right after the last token."""
        return b""

    @abc.abstractmethod
    def broken(self) -> bytes:
        """One event that is not valid JSON (the malformed-stream fault)."""

    @abc.abstractmethod
    def complete(self, job: Generation, text: str, reasoning: str) -> Json:
        """The whole, non-streamed response (``reasoning`` is "" when the job has none)."""

    @abc.abstractmethod
    def parse_count(self, body: Json, path_model: str | None) -> Counting:
        """A token-counting request, or :class:`BadRequest`."""

    @abc.abstractmethod
    def counted(self, tokens: int) -> Json:
        """The answer to a token-counting request."""


def load_body(raw: bytes) -> Json:
    """The request body as a JSON object, or :class:`BadRequest`."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"could not parse the JSON body of the request: {exc}") from exc
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def int_field(body: Json, key: str, where: str = "") -> int | None:
    """An optional positive integer field."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{where}{key}: expected an integer, got {json.dumps(value)[:40]}", key)
    if value < 1:
        raise BadRequest(f"{where}{key}: must be at least 1, got {value}", key)
    return value


def model_field(body: Json) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("model: a model name (string) is required", "model")
    return model


def list_field(body: Json, key: str) -> list[Json]:
    """A required non-empty list of objects."""
    items = body.get(key)
    if not isinstance(items, list) or not items:
        raise BadRequest(f"{key}: a non-empty list is required", key)
    if not all(isinstance(item, dict) for item in items):
        raise BadRequest(f"{key}: every item must be an object", key)
    return items


def sse(data: Json, event: str | None = None, end: bytes = b"\n\n") -> bytes:
    """One server-sent event: optional ``event:`` line, one compact-JSON ``data:`` line."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {_COMPACT.encode(data)}".encode() + end


def signature(job_id: str) -> str:
    """An opaque, stable stand-in for a provider's signature over reasoning (base64, like theirs)."""
    return base64.b64encode(hashlib.sha256(f"llmprof-mock/{job_id}".encode()).digest()).decode()


def hex_id(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def duration(seconds: float) -> str:
    """OpenAI's reset-header format: ``120ms``, ``4s``, ``1.5s``, ``7m12s``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest}s"


def wires() -> dict[str, Wire]:
    """One instance of each format, by name."""
    from llmprof.mock.formats.anthropic import AnthropicWire
    from llmprof.mock.formats.gemini import GeminiWire
    from llmprof.mock.formats.openai import OpenAIWire

    return {w.name: w for w in (OpenAIWire(), AnthropicWire(), GeminiWire())}
