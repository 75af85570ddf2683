"""One HTTP exchange with an endpoint, timed: what the scheduler in :mod:`runner` sends.

Timestamps come from the injected clock (``time.perf_counter_ns`` by default), taken as bytes
arrive. Every way an exchange can go wrong becomes an error kind on the :class:`Attempt`
(``connect``, ``timeout``, ``dropped``, ``malformed``, ``http_<status>``, ``too_large``, ...),
never an exception: a misbehaving server is measured, not crashed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

import httpx

from llmprof.bench.providers import (
    Ask,
    HttpRequest,
    MalformedEvent,
    Provider,
    ServerTimings,
    Update,
    UsageReport,
    error_text,
    load_json,
)
from llmprof.bench.sse import LineTooLong, SSEParser

#: A whole (non-streamed) response larger than this is refused: no chat completion is 64 MiB.
MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Target:
    provider: Provider
    url: str  # base URL (may hold credentials: never shown; see ``display``)
    display: str  # the URL as shown and recorded
    model: str
    key: str | None
    stream: bool = True
    force_length: bool = False


@dataclass
class Attempt:
    status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    retry_after_s: float | None = None
    sent_ns: int | None = None  # when the request's first byte went to the socket
    ttfb_ns: int | None = None
    first_ns: int | None = None  # first generated content of any kind
    answer_ns: int | None = None  # first answer content
    end_ns: int | None = None
    last_ns: int = 0  # the latest content chunk, for the next gap
    gaps_ns: list[int] = field(default_factory=list)
    text: str = ""
    reasoning_text: str = ""
    usage: UsageReport = field(default_factory=UsageReport)
    done: bool = False
    finish: str | None = None  # why generation stopped ("length", "stop", ...), as the API said
    timings: ServerTimings | None = None
    events: int = 0  # SSE events received
    reconnected: bool = False  # resent on a fresh connection after a stale one got no response
    unfinished: bool = False  # an OpenAI stream ended ([DONE]) without a finish_reason


async def attempt(
    clients: Clients, target: Target, ask: Ask, timeout_s: float, clock: Callable[[], int] = time.perf_counter_ns
) -> Attempt:
    """Send one request and time it; failures are classified, never raised.

    A kept-alive connection the server has just closed (llama.cpp's server closes it after every
    stream) fails the next request before any byte of a response: that request is resent once on
    a fresh connection, as HTTP clients do, and counts as sent when it really went out."""
    request = target.provider.request(ask)
    result = Attempt()
    for fresh in (False, True):
        stale = False
        try:
            async with deadline(timeout_s):
                with clients.lend(fresh) as (client, reused):
                    try:
                        await _exchange(client, target, request, result, clock)
                    except (httpx.RemoteProtocolError, httpx.ReadError):
                        stale = reused and result.ttfb_ns is None and not fresh
                        if not stale:
                            raise
                        clients.discard(client)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            result.error_kind, result.error = "connect", str(exc) or type(exc).__name__
        except (asyncio.TimeoutError, httpx.TimeoutException):
            result.error_kind, result.error = "timeout", f"no complete response within {timeout_s:g} s"
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            where = "mid-response" if result.ttfb_ns is not None else "before any response"
            result.error_kind, result.error = "dropped", f"connection closed {where} ({type(exc).__name__})"
        except (MalformedEvent, LineTooLong) as exc:
            result.error_kind, result.error = "malformed", str(exc)
        except _TooLarge as exc:
            result.error_kind, result.error = "too_large", str(exc)
        except httpx.HTTPError as exc:
            result.error_kind, result.error = "http", f"{type(exc).__name__}: {exc}"
        if not stale:
            return result
        result = Attempt(reconnected=True)
    return result


class _TooLarge(Exception):
    pass


async def _exchange(
    client: httpx.AsyncClient, target: Target, request: HttpRequest, out: Attempt, clock: Callable[[], int]
) -> None:
    provider = target.provider

    async def trace(event: str, info: object) -> None:
        if event == "http11.send_request_headers.started" and out.sent_ns is None:
            out.sent_ns = clock()

    begun = clock()  # when the trace hook is not called (other transports), this stands in
    async with client.stream(
        "POST", request.url, json=request.body, headers=request.headers, extensions={"trace": trace}
    ) as response:
        out.ttfb_ns = clock()
        if out.sent_ns is None:
            out.sent_ns = begun
        out.status = response.status_code
        if response.status_code != 200:
            raw = await _read(response, 64 * 1024, truncate=True)
            out.error_kind = f"http_{response.status_code}"
            out.error = _error_message(raw)
            out.retry_after_s = retry_after(response.headers.get("retry-after"))
            return
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "text/html":
            raise MalformedEvent(
                "the endpoint answered with an HTML page, not the API's response: is the URL the API's base URL?"
            )
        if not target.stream or content_type == "application/json":  # a server that does not stream
            payload = await _read(response, MAX_BODY_BYTES)
            out.end_ns = clock()
            _apply(provider.parse_body(load_json(payload.decode("utf-8", "replace"))), out, None)
            nothing = not (out.text or out.reasoning_text or out.usage.output_tokens)
            if out.error_kind is None and nothing and out.finish is None:  # a finish reason explains it
                out.error_kind, out.error = "empty", "the response carried no generated content"
            return
        parser = SSEParser()
        async for chunk in response.aiter_bytes():
            now = clock()
            for event in parser.feed(chunk):
                out.events += 1
                _apply(provider.parse_event(event), out, now)
                if out.error_kind:
                    return
        out.end_ns = clock()
        for event in parser.close():
            out.events += 1
            _apply(provider.parse_event(event), out, out.end_ns)
        if out.events == 0:
            out.error_kind, out.error = (
                "empty",
                (
                    "the endpoint answered 200 with an empty event stream: it likely refused the request "
                    "(e.g. a prompt longer than its context) without saying so"
                ),
            )
        elif not out.done:
            out.error_kind, out.error = "incomplete", "the stream ended without its end marker"
        elif out.first_ns is None and out.finish is None:  # with a finish reason: an answer of no tokens
            out.error_kind, out.error = "empty", "the stream carried no generated content"
        elif out.finish is None and provider.name == "openai":
            out.unfinished = True  # cut short or not: the runner knows how long the answer was asked to be


def _apply(update: Update, out: Attempt, now: int | None) -> None:
    if update.error:
        out.error_kind, out.error = "stream_error", update.error
    if update.generated and now is not None:
        if out.first_ns is None:
            out.first_ns = now
        else:
            out.gaps_ns.append(now - out.last_ns)
        out.last_ns = now
    if update.answer and now is not None and out.answer_ns is None:
        out.answer_ns = now
    if update.generated and now is None:  # a whole response: content arrived with its last byte
        out.first_ns = out.first_ns or out.end_ns
        if update.answer:
            out.answer_ns = out.answer_ns or out.end_ns
    out.text += update.text
    out.reasoning_text += update.reasoning_text
    out.finish = update.finish or out.finish
    if update.timings is not None:
        out.timings = update.timings
    if update.usage is not None:
        out.usage.update(update.usage)
    out.done |= update.done


async def _read(response: httpx.Response, limit: int, truncate: bool = False) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            if truncate:
                break
            raise _TooLarge(f"the response passed {limit // (1024 * 1024)} MiB")
    return b"".join(chunks)[:limit] if truncate else b"".join(chunks)


if sys.version_info >= (3, 11):
    deadline = asyncio.timeout
else:  # pragma: no cover - Python 3.10

    @contextlib.asynccontextmanager
    async def deadline(seconds: float) -> AsyncIterator[None]:
        """asyncio.timeout for 3.10: cancel the block after ``seconds``, raise TimeoutError."""
        task = asyncio.current_task()
        assert task is not None
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            task.cancel()

        handle = asyncio.get_running_loop().call_later(seconds, expire)
        try:
            yield
        except asyncio.CancelledError:
            if expired:
                raise asyncio.TimeoutError from None
            raise
        finally:
            handle.cancel()


class Clients:
    """A free list of one-connection clients, one per request in flight.

    httpx's shared pool scans every connection for every request, so its cost grows with the
    square of the concurrency (at 64 in flight it ate more CPU than the streams themselves);
    lending each request a client of its own keeps the per-request cost flat.
    """

    def __init__(
        self, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None, trust_env: bool = True
    ) -> None:
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
        self._transport = transport
        self._trust_env = trust_env
        # One TLS context for all: building one per client loads the CA bundle (~25 ms) each time.
        self._tls = httpx.create_ssl_context()
        self._free: list[httpx.AsyncClient] = []
        self._all: list[httpx.AsyncClient] = []
        self._used: set[httpx.AsyncClient] = set()
        self._discarded: set[httpx.AsyncClient] = set()

    @contextlib.contextmanager
    def lend(self, fresh: bool = False) -> Iterator[tuple[httpx.AsyncClient, bool]]:
        """A client for one request, and whether it has served one before (its connection may be
        a kept-alive one the server has since closed). ``fresh``: never a used one."""
        if self._free and not fresh:
            client = self._free.pop()
        else:
            limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
            client = httpx.AsyncClient(
                limits=limits,
                timeout=self._timeout,
                transport=self._transport,
                verify=self._tls,
                trust_env=self._trust_env,
            )
            self._all.append(client)
        reused = client in self._used
        try:
            yield client, reused
        finally:
            self._used.add(client)
            if client not in self._discarded:
                self._free.append(client)

    def discard(self, client: httpx.AsyncClient) -> None:
        """Never lend this client again (its connection is dead); it is closed at the end."""
        self._discarded.add(client)

    async def __aenter__(self) -> Clients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(client.aclose() for client in self._all), return_exceptions=True)


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        return max(0.0, when.timestamp() - time.time())
    except (OverflowError, ValueError, OSError):
        return None


def _error_message(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    try:
        return error_text(load_json(text))
    except MalformedEvent:
        return text[:300] or "(empty body)"
