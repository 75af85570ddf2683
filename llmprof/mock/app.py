"""The mock endpoint as a raw ASGI app: request handling, timing, queueing and faults.

Timing: the clock starts when the request arrives (its headers are parsed), as a real server's
would. Every event is sent at its scheduled time measured from that one start, woken by a
sub-millisecond timer (:mod:`llmprof.mock.timer`), so lateness never accumulates: with jitter 0 a
client on loopback sees TTFT and end-to-end times within about a millisecond of the model's.
Reading the body and counting prompt tokens happen after the clock has started, like a real
server's prefill, so they are kept cheap (encodings are loaded up front).

With ``max_concurrency`` a request that finds every slot busy waits (:mod:`llmprof.mock.slots`)
before anything is sent; its schedule then starts when it gets a slot, so the wait is part of its
time to first token. With ``prompt_cache`` the cached part of the prompt (:mod:`llmprof.mock.cache`)
costs no prefill time: ``prefill_ms_per_1k`` applies to the uncached tokens only.

Reasoning (``reasoning_tokens`` N): N reasoning tokens come first, one every inter-token interval
from the first token's time, then the answer. ``max_tokens`` still sets the length of the visible
answer alone, exactly as without reasoning, so a client that asks for M tokens always gets M
answer tokens (and a benchmark's output-length cells stay what they say); the N reasoning tokens
are extra, and reported as such. Real APIs differ here: OpenAI's ``max_completion_tokens``,
Anthropic's ``max_tokens`` and Gemini's ``maxOutputTokens`` cap reasoning and answer together
(DeepSeek's reasoner caps the answer alone, like the mock).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import time
from collections.abc import Iterable, Iterator

from llmprof.counting import count_request
from llmprof.errors import LlmprofError, UnknownModelError
from llmprof.mock import MockSettings, words
from llmprof.mock.cache import PromptCache
from llmprof.mock.checks import MAX_OUTPUT_TOKENS, check
from llmprof.mock.faults import DeliberateDrop, Faults, RateLimiter, for_request, request_rng
from llmprof.mock.formats import SSE_CONTENT_TYPE, BadRequest, Generation, Wire, load_body, wires
from llmprof.mock.http import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    Headers,
    Receive,
    Scope,
    Send,
    body,
    dump,
    lifespan,
    read_body,
    send_json,
    start,
    watch_disconnect,
)
from llmprof.mock.latency import LatencyModel
from llmprof.mock.routes import ROUTES, Route, family, route
from llmprof.mock.slots import QueueFull, Slots
from llmprof.mock.timer import Clock, RealClock
from llmprof.pricing import ModelPrice, load_table
from llmprof.requests import parse
from llmprof.tokens import ENCODINGS, STAND_IN, counter

__all__ = ["DEFAULT_MODEL", "ROUTES", "Clock", "MockApp", "create_app"]

DEFAULT_MODEL = "mock-model"
NATURAL_LENGTH = (20, 200)  # output tokens when the request sets no limit
QUEUE_RETRY_AFTER_S = 1  # what a request refused by a full queue is told to wait
WATCHED_WAIT_S = 0.05  # a longer wait also ends when the client leaves (a shorter one just runs out)


def create_app(settings: MockSettings, clock: Clock | None = None) -> MockApp:
    """The ASGI app for ``settings``. Loads the price table and both encodings now, so the first
    request is as fast as the rest; a bad setting raises UsageError here."""
    return MockApp(settings, clock or RealClock())


class MockApp:
    def __init__(self, settings: MockSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.latency: LatencyModel = check(settings)
        self.table = load_table()
        self.limiter = RateLimiter(settings.rate_limit_rpm) if settings.rate_limit_rpm else None
        self.slots = Slots(settings.max_concurrency, settings.max_queue) if settings.max_concurrency else None
        self.cache = PromptCache() if settings.prompt_cache else None
        self.models: dict[str, None] = {DEFAULT_MODEL: None}  # every name asked for, in order
        self.wires = wires()
        self._models: dict[str, ModelPrice] = {}
        self._numbers = itertools.count()
        for name in ENCODINGS:
            counter(name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        found = route(path, scope.get("query_string", b""), self.wires)
        if found is None:
            wire = self.wires[family(path)]
            await send_json(send, 404, wire.error(404, f"Invalid URL ({method} {path})"))
        elif method not in found.methods:
            allow = [(b"allow", ", ".join(found.methods).encode())]
            await send_json(send, 405, found.wire.error(405, f"Invalid method for URL ({method} {path})"), allow)
        elif found.refuse:
            await send_json(send, 400, found.wire.error(400, found.refuse))
        elif found.kind == "health":
            await send_json(send, 200, {"status": "ok"})
        elif found.kind == "models":
            data = [_model_object(name) for name in self.models]
            await send_json(send, 200, {"object": "list", "data": data})
        elif found.kind == "model":
            await send_json(send, 200, _model_object(found.model or DEFAULT_MODEL))
        elif found.kind == "count":
            await self._count(found, receive, send)
        else:
            await self._generate(found, receive, send)

    async def _read(self, wire: Wire, receive: Receive, send: Send) -> bytes | None:
        """The request body, or None once the request has been answered (or its client left)."""
        try:
            return await read_body(receive, self.settings.request_timeout_s)
        except BodyTooLarge:
            await send_json(send, 413, wire.error(400, f"the request body is larger than {MAX_BODY_BYTES} bytes"))
        except asyncio.TimeoutError:
            limit = self.settings.request_timeout_s
            await send_json(send, 408, wire.error(400, f"the request body did not arrive within {limit:g} s"))
        return None

    async def _count(self, found: Route, receive: Receive, send: Send) -> None:
        """A token-counting request: the prompt counted exactly as a generation request's is (and as
        ``llmprof estimate`` counts it). Free and immediate: no rate limit, queue or latency."""
        wire = found.wire
        raw = await self._read(wire, receive, send)
        if raw is None:
            return
        try:
            counting = wire.parse_count(load_body(raw), found.model)
            request = parse(counting.body, "request", counting.shape)
            tokens = count_request(request, self._model(counting.model or DEFAULT_MODEL)).total
        except BadRequest as exc:
            await send_json(send, 400, wire.error(400, exc.message, exc.param))
            return
        except LlmprofError as exc:
            await send_json(send, 400, wire.error(400, exc.message))
            return
        await send_json(send, 200, wire.counted(tokens))

    async def _generate(self, found: Route, receive: Receive, send: Send) -> None:
        arrived = self.clock.now()
        wire = found.wire
        raw = await self._read(wire, receive, send)
        if raw is None:
            return
        try:
            job = wire.parse(load_body(raw), found.model, found.stream)
            if job.max_tokens is not None and job.max_tokens > MAX_OUTPUT_TOKENS:
                raise BadRequest(f"max_tokens: at most {MAX_OUTPUT_TOKENS} (the mock's limit)", "max_tokens")
        except BadRequest as exc:
            await send_json(send, 400, wire.error(400, exc.message, exc.param))
            return
        self.models.setdefault(job.model, None)
        number = next(self._numbers)
        headers: Headers = [(b"x-request-id", f"req_mock_{self.settings.seed}_{number}".encode())]
        if self.limiter is not None:
            admission = self.limiter.admit(arrived)
            headers += wire.rate_limit_headers(admission)
            if not admission.allowed:
                headers.append((b"retry-after", str(admission.retry_after).encode()))
                await send_json(send, 429, wire.rate_limited(job, admission), headers)
                return
        faults = for_request(self.settings, number)
        if faults.error:
            await send_json(send, 500, wire.server_error(), headers)
            return

        seed = self.settings.seed
        text_rng = request_rng(seed, number, "text")
        try:
            model = self._model(job.model)
            request = parse(job.body, "request", wire.shape)
            job.prompt_tokens = count_request(request, model).total
        except LlmprofError as exc:
            await send_json(send, 400, wire.error(400, exc.message))
            return
        job.output_tokens = job.max_tokens or text_rng.randint(*NATURAL_LENGTH)
        job.reasoning_tokens = self.settings.reasoning_tokens
        job.id = wire.new_id(text_rng)
        job.created = int(time.time())
        gone = asyncio.Event()
        watcher = asyncio.ensure_future(watch_disconnect(receive, gone))
        try:
            begin = arrived
            if self.slots is not None:
                try:
                    waited = await self.slots.acquire(gone)
                except QueueFull:
                    await self._queue_full(wire, headers, send)
                    return
                if waited is None:
                    return  # the client left while queued
                if waited:
                    begin = self.clock.now()  # the schedule starts when the slot is ours
            try:
                if self.cache is not None:
                    job.report_cache = True
                    job.cached_tokens = self.cache.admit(job.model, model.tokenizer, request, job.prompt_tokens)
                thoughts = words.tokens(job.reasoning_tokens, request_rng(seed, number, "reasoning"))
                answer = words.tokens(job.output_tokens, text_rng)
                times = self.latency.schedule(
                    job.prompt_tokens - job.cached_tokens,
                    job.completion_tokens,
                    request_rng(seed, number, "latency"),
                )
                if job.stream:
                    events = _events(wire, job, thoughts, answer)
                    await _stream(wire, job, events, times, faults, begin, headers, gone, send, self.clock)
                else:
                    done_at = collections.deque(times, maxlen=1)[0]  # the last token's time: generation ends
                    text, reasoning = "".join(answer), "".join(thoughts)
                    await _whole(wire, job, text, reasoning, begin + done_at, faults, headers, gone, send, self.clock)
            finally:
                if self.slots is not None:
                    self.slots.release()
        finally:
            watcher.cancel()

    async def _queue_full(self, wire: Wire, headers: Headers, send: Send) -> None:
        assert self.slots is not None
        message = (
            f"The llmprof mock is at capacity: {self.slots.limit} generations in progress and "
            f"{self.slots.waiting} waiting (max_queue {self.slots.max_queue}). Retry after {QUEUE_RETRY_AFTER_S} s."
        )
        retry = [*headers, (b"retry-after", str(QUEUE_RETRY_AFTER_S).encode())]
        await send_json(send, 429, wire.error(429, message), retry)

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


def _events(wire: Wire, job: Generation, thoughts: Iterable[str], answer: Iterable[str]) -> Iterator[bytes]:
    """One event per generated token: the reasoning tokens, then the answer; the events that close
    the thinking and the message ride on the last token of each."""
    last_thought, last = job.reasoning_tokens - 1, job.output_tokens - 1
    for index, piece in enumerate(thoughts):
        event = wire.thought(job, index, piece)
        yield event + wire.thinking_done(job) if index == last_thought else event
    for index, piece in enumerate(answer):
        event = wire.token(job, index, piece)
        yield event + wire.closing(job) if index == last else event


async def _stream(
    wire: Wire,
    job: Generation,
    events: Iterable[bytes],
    times: Iterable[float],
    faults: Faults,
    begin: float,
    headers: Headers,
    gone: asyncio.Event,
    send: Send,
    clock: Clock,
) -> None:
    """Opening events at once, then one event per token at its time; faults strike halfway."""
    stream_headers = [(b"content-type", SSE_CONTENT_TYPE), (b"cache-control", b"no-cache"), *headers]
    await send({"type": "http.response.start", "status": 200, "headers": stream_headers})
    opening = wire.opening(job)
    if opening:
        await body(send, opening, more=True)
    midway, last = job.completion_tokens // 2, job.completion_tokens - 1
    delay = 0.0
    for index, (at, event) in enumerate(zip(times, events, strict=True)):
        if index == midway and faults.any_midway:
            delay += faults.stall_s
            if faults.drop or faults.malformed:
                if not await _wait(clock, begin + at + delay, gone):
                    return
                if faults.drop:
                    raise DeliberateDrop(f"llmprof mock: dropped {job.id} after {index} tokens")
                await body(send, wire.broken(), more=False)
                return
        if not await _wait(clock, begin + at + delay, gone):
            return  # nobody is listening: stop generating (and free the slot)
        await body(send, event, more=index != last)


async def _whole(
    wire: Wire,
    job: Generation,
    text: str,
    reasoning: str,
    done_at: float,
    faults: Faults,
    headers: Headers,
    gone: asyncio.Event,
    send: Send,
    clock: Clock,
) -> None:
    """The whole response once generation is over (TTFT + (n - 1) * ITL, plus any stall)."""
    await clock.until(done_at + faults.stall_s)
    raw = dump(wire.complete(job, text, reasoning))
    if faults.drop:  # headers promise a body that never comes
        await start(send, 200, len(raw), headers)
        raise DeliberateDrop(f"llmprof mock: dropped {job.id} before its body")
    if faults.malformed:
        raw = raw[: len(raw) // 2]
    await start(send, 200, len(raw), headers)
    await body(send, raw, more=False)


async def _wait(clock: Clock, deadline: float, gone: asyncio.Event) -> bool:
    """Wait until ``deadline``: True, or False if the client has left (a long wait ends as soon as
    it leaves, so a generation nobody reads gives its slot back at once)."""
    if deadline - clock.now() > WATCHED_WAIT_S and not gone.is_set():
        timer = asyncio.ensure_future(clock.until(deadline))
        leaving = asyncio.ensure_future(gone.wait())
        try:
            await asyncio.wait((timer, leaving), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            leaving.cancel()
    else:
        await clock.until(deadline)
    return not gone.is_set()


def _model_object(name: str) -> dict[str, object]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "llmprof-mock"}
