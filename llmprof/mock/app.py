"""The mock endpoint as a raw ASGI app: routing, request handling, timing and faults.

Timing: the clock starts when the request arrives (its headers are parsed), as a real server's
would. Every event is sent at its scheduled time measured from that one start, woken by a
sub-millisecond timer (:mod:`llmprof.mock.timer`), so lateness never accumulates: with jitter 0 a
client on loopback sees TTFT and end-to-end times within about a millisecond of the model's.
Reading the body and counting prompt tokens happen after the clock has started, like a real
server's prefill, so they are kept cheap (encodings are loaded up front).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs

from llmprof.counting import count_request
from llmprof.errors import LlmprofError, UnknownModelError
from llmprof.mock import MockSettings, words
from llmprof.mock.faults import DeliberateDrop, Faults, RateLimiter, for_request, request_rng
from llmprof.mock.formats import (
    SSE_CONTENT_TYPE,
    BadRequest,
    Generation,
    Headers,
    Json,
    Wire,
    load_body,
    wires,
)
from llmprof.mock.latency import LatencyModel, latency_model_for
from llmprof.mock.timer import Waker
from llmprof.pricing import ModelPrice, load_table
from llmprof.requests import parse
from llmprof.tokens import ENCODINGS, STAND_IN, counter

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_MODEL = "mock-model"
MAX_OUTPUT_TOKENS = 1_000_000  # a larger max_tokens is refused (400), as a real API would
MAX_BODY_BYTES = 32 * 1024 * 1024  # a larger request body is refused (413)
NATURAL_LENGTH = (20, 200)  # output tokens when the request sets no limit
JSON_CONTENT_TYPE = b"application/json"

_GEMINI = re.compile(r"^/v1(?:beta)?/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$")
_MODEL = re.compile(r"^/v1/models/(?P<model>[^/:]+)$")

#: For the startup banner: what the mock answers.
ROUTES = (
    "POST /v1/chat/completions",
    "GET /v1/models",
    "POST /v1/messages",
    "POST /v1beta/models/{model}:generateContent",
    "POST /v1beta/models/{model}:streamGenerateContent?alt=sse",
)


@dataclass(frozen=True)
class Route:
    wire: Wire
    methods: tuple[str, ...]
    kind: Literal["generate", "models", "model"]
    model: str | None = None  # from the path (Gemini; GET /v1/models/{model})
    stream: bool = False  # from the path (Gemini)
    refuse: str | None = None  # a 400 message for a request this route cannot serve


def create_app(settings: MockSettings, clock: Clock | None = None) -> MockApp:
    """The ASGI app for ``settings``. Loads the price table and both encodings now, so the first
    request is as fast as the rest; an unknown preset raises UsageError here."""
    return MockApp(settings, clock or RealClock())


class MockApp:
    def __init__(self, settings: MockSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.latency: LatencyModel = latency_model_for(settings)
        self.table = load_table()
        self.limiter = RateLimiter(settings.rate_limit_rpm) if settings.rate_limit_rpm else None
        self.models: dict[str, None] = {DEFAULT_MODEL: None}  # every name asked for, in order
        self.wires = wires()
        self._models: dict[str, ModelPrice] = {}
        self._numbers = itertools.count()
        for name in ENCODINGS:
            counter(name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        route = self._route(path, scope.get("query_string", b""))
        if route is None:
            wire = self.wires[_family(path)]
            await _json(send, 404, wire.error(404, f"Invalid URL ({method} {path})"))
        elif method not in route.methods:
            allow = [(b"allow", ", ".join(route.methods).encode())]
            await _json(send, 405, route.wire.error(405, f"Invalid method for URL ({method} {path})"), allow)
        elif route.refuse:
            await _json(send, 400, route.wire.error(400, route.refuse))
        elif route.kind == "models":
            data = [_model_object(name) for name in self.models]
            await _json(send, 200, {"object": "list", "data": data})
        elif route.kind == "model":
            await _json(send, 200, _model_object(route.model or DEFAULT_MODEL))
        else:
            await self._generate(route, receive, send)

    def _route(self, path: str, query: bytes) -> Route | None:
        if path == "/v1/chat/completions":
            return Route(self.wires["openai"], ("POST",), "generate")
        if path == "/v1/messages":
            return Route(self.wires["anthropic"], ("POST",), "generate")
        if path == "/v1/models":
            return Route(self.wires["openai"], ("GET",), "models")
        if match := _GEMINI.match(path):
            stream = match["method"] == "streamGenerateContent"
            refuse = None
            if stream and parse_qs(query.decode("latin-1")).get("alt") != ["sse"]:
                refuse = "the llmprof mock streams Gemini responses as server-sent events only: add ?alt=sse"
            return Route(self.wires["gemini"], ("POST",), "generate", match["model"], stream, refuse)
        if match := _MODEL.match(path):
            return Route(self.wires["openai"], ("GET",), "model", match["model"])
        return None

    async def _generate(self, route: Route, receive: Receive, send: Send) -> None:
        start = self.clock.now()
        wire = route.wire
        try:
            raw = await _read_body(receive, self.settings.request_timeout_s)
        except _BodyTooLarge:
            await _json(send, 413, wire.error(400, f"the request body is larger than {MAX_BODY_BYTES} bytes"))
            return
        except asyncio.TimeoutError:
            limit = self.settings.request_timeout_s
            await _json(send, 408, wire.error(400, f"the request body did not arrive within {limit:g} s"))
            return
        if raw is None:
            return  # the client left before sending its whole request
        try:
            job = wire.parse(load_body(raw), route.model, route.stream)
            if job.max_tokens is not None and job.max_tokens > MAX_OUTPUT_TOKENS:
                raise BadRequest(f"max_tokens: at most {MAX_OUTPUT_TOKENS} (the mock's limit)", "max_tokens")
        except BadRequest as exc:
            await _json(send, 400, wire.error(400, exc.message, exc.param))
            return
        self.models.setdefault(job.model, None)
        number = next(self._numbers)
        headers: Headers = [(b"x-request-id", f"req_mock_{self.settings.seed}_{number}".encode())]
        if self.limiter is not None:
            admission = self.limiter.admit(start)
            headers += wire.rate_limit_headers(admission)
            if not admission.allowed:
                headers.append((b"retry-after", str(admission.retry_after).encode()))
                await _json(send, 429, wire.rate_limited(job, admission), headers)
                return
        faults = for_request(self.settings, number)
        if faults.error:
            await _json(send, 500, wire.server_error(), headers)
            return

        seed = self.settings.seed
        text_rng = request_rng(seed, number, "text")
        try:
            job.prompt_tokens = count_request(parse(job.body, "request", wire.shape), self._model(job.model)).total
        except LlmprofError as exc:
            await _json(send, 400, wire.error(400, exc.message))
            return
        job.output_tokens = job.max_tokens or text_rng.randint(*NATURAL_LENGTH)
        job.id = wire.new_id(text_rng)
        job.created = int(time.time())
        pieces = words.tokens(job.output_tokens, text_rng)
        times = self.latency.schedule(job.prompt_tokens, job.output_tokens, request_rng(seed, number, "latency"))
        if job.stream:
            await _stream(wire, job, pieces, times, faults, start, headers, receive, send, self.clock)
        else:
            text = "".join(pieces)
            done_at = collections.deque(times, maxlen=1)[0]  # the last token's time: generation ends
            await _whole(wire, job, text, done_at, faults, start, headers, send, self.clock)

    def _model(self, name: str) -> ModelPrice:
        """The model the price table knows by that name, else a stand-in counted with o200k_base."""
        model = self._models.get(name)
        if model is None:
            try:
                model = self.table.resolve(name)
            except UnknownModelError:
                model = ModelPrice(name=name, provider="openai", tokenizer=STAND_IN, periods=())
            self._models[name] = model
        return model


async def _stream(
    wire: Wire,
    job: Generation,
    pieces: Iterable[str],
    times: Iterable[float],
    faults: Faults,
    start: float,
    headers: Headers,
    receive: Receive,
    send: Send,
    clock: Clock,
) -> None:
    """Opening events at once, then one event per token at its time; faults strike halfway."""
    stream_headers = [(b"content-type", SSE_CONTENT_TYPE), (b"cache-control", b"no-cache"), *headers]
    await send({"type": "http.response.start", "status": 200, "headers": stream_headers})
    opening = wire.opening(job)
    if opening:
        await _body(send, opening, more=True)
    gone = asyncio.Event()
    watcher = asyncio.ensure_future(_watch_disconnect(receive, gone))
    try:
        midway, last = job.output_tokens // 2, job.output_tokens - 1
        delay = 0.0
        for index, (at, piece) in enumerate(zip(times, pieces, strict=True)):
            if index == midway and faults.any_midway:
                delay += faults.stall_s
                if faults.drop or faults.malformed:
                    await clock.until(start + at + delay)
                    if faults.drop:
                        raise DeliberateDrop(f"llmprof mock: dropped {job.id} after {index} tokens")
                    await _body(send, wire.broken(), more=False)
                    return
            await clock.until(start + at + delay)
            if gone.is_set():
                return  # nobody is listening: stop generating
            event = wire.token(job, index, piece)
            if index == last:
                await _body(send, event + wire.closing(job), more=False)
            else:
                await _body(send, event, more=True)
    finally:
        watcher.cancel()


async def _whole(
    wire: Wire,
    job: Generation,
    text: str,
    done_at: float,
    faults: Faults,
    start: float,
    headers: Headers,
    send: Send,
    clock: Clock,
) -> None:
    """The whole response once generation is over (TTFT + (n - 1) * ITL, plus any stall)."""
    await clock.until(start + done_at + faults.stall_s)
    body = _dump(wire.complete(job, text))
    if faults.drop:  # headers promise a body that never comes
        await _start(send, 200, len(body), headers)
        raise DeliberateDrop(f"llmprof mock: dropped {job.id} before its body")
    if faults.malformed:
        body = body[: len(body) // 2]
    await _start(send, 200, len(body), headers)
    await _body(send, body, more=False)


class Clock(Protocol):
    """The mock's time: ``now()`` in seconds, and waiting ``until`` a moment. Real by default;
    tests pass a virtual one to check every event's time exactly."""

    def now(self) -> float: ...

    async def until(self, deadline: float) -> None: ...


class RealClock:
    """``time.perf_counter`` with sub-millisecond wake-ups (see :mod:`llmprof.mock.timer`)."""

    def __init__(self) -> None:
        self._waker = Waker()

    def now(self) -> float:
        return time.perf_counter()

    async def until(self, deadline: float) -> None:
        await self._waker.until(deadline)


class _BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive, timeout_s: float) -> bytes | None:
    """The request body; None if the client left. A client that stalls for ``timeout_s`` mid-body
    raises TimeoutError; one that sends too much raises _BodyTooLarge."""
    chunks = []
    size = 0
    while True:
        message = await asyncio.wait_for(receive(), timeout_s)
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _watch_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()


async def _lifespan(receive: Receive, send: Send) -> None:
    """For servers run with lifespan on: nothing to set up, so say so at once."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _family(path: str) -> str:
    """Which provider's error shape an unknown path gets."""
    if path.startswith("/v1beta") or ":generateContent" in path or ":streamGenerateContent" in path:
        return "gemini"
    if path.startswith("/v1/messages"):
        return "anthropic"
    return "openai"


def _model_object(name: str) -> Json:
    return {"id": name, "object": "model", "created": 0, "owned_by": "llmprof-mock"}


def _dump(data: Json) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


async def _start(send: Send, status: int, length: int, headers: Headers) -> None:
    all_headers = [(b"content-type", JSON_CONTENT_TYPE), (b"content-length", str(length).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})


async def _body(send: Send, body: bytes, more: bool) -> None:
    await send({"type": "http.response.body", "body": body, "more_body": more})


async def _json(send: Send, status: int, data: Json, headers: Headers | None = None) -> None:
    body = _dump(data)
    await _start(send, status, len(body), headers or [])
    await _body(send, body, more=False)
