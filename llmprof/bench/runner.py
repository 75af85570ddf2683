"""Sends the planned requests and times them: closed loop (N at a time) or open loop (a schedule).

Clocks are ``time.perf_counter_ns``. In open loop, latency counts from each request's *scheduled*
send time, so a client or server that falls behind cannot hide the queueing it causes
(coordinated omission). Retries honour ``Retry-After`` with capped exponential backoff; the time
spent waiting is recorded apart, and the latency still counts from the first attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import httpx

from llmprof.bench.plan import Cell
from llmprof.bench.providers import Ask, MalformedEvent, Provider, Update, error_text, load_json
from llmprof.bench.records import RequestRecord
from llmprof.bench.sse import SSEParser
from llmprof.errors import EndpointError
from llmprof.net import is_loopback
from llmprof.tokens import count_text

RETRYABLE = {429, 500, 502, 503, 504, 529}
FATAL = {
    401: "the endpoint refused the API key",
    403: "the API key may not use this endpoint or model",
    404: "no such endpoint or model",
}
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 20.0
NS = 1e9


@dataclass(frozen=True)
class Target:
    provider: Provider
    url: str  # base URL
    model: str
    key: str | None
    stream: bool = True
    force_length: bool = False


@dataclass(frozen=True)
class Load:
    concurrency: int | None = 4  # in flight at once; None = no cap (open loop)
    rate: float | None = None  # requests/s for open loop; None = closed loop
    arrival: str = "poisson"  # or "constant"
    timeout_s: float = 60.0
    max_retries: int = 2
    seed: int | None = None
    ramp_up_s: float = 0.0  # closed loop: start the workers evenly over this many seconds


@dataclass(frozen=True)
class Job:
    id: int
    cell: Cell
    prompt: str
    input_tokens_local: int
    warmup: bool = False


@dataclass
class _Attempt:
    status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    retry_after_s: float | None = None
    sent_ns: int | None = None  # when the request's first byte went to the socket
    ttfb_ns: int | None = None
    first_ns: int | None = None
    end_ns: int | None = None
    gaps_ns: list[int] | None = None
    text: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None


class Runner:
    def __init__(
        self,
        target: Target,
        load: Load,
        encoding: str,
        price: Callable[[int, int], Decimal | None],
        on_record: Callable[[RequestRecord], None],
        clock: Callable[[], int] = time.perf_counter_ns,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.target = target
        self.load = load
        self.encoding = encoding
        self.price = price
        self.on_record = on_record
        self.clock = clock
        self.transport = transport
        self.records: list[RequestRecord] = []
        self._rng = random.Random(load.seed)
        self._t0 = clock()
        self._succeeded = False
        self.duration_s: float | None = None  # of the measured (non-warmup) requests

    async def run(self, jobs: list[Job]) -> list[RequestRecord]:
        timeout = httpx.Timeout(self.load.timeout_s, connect=min(self.load.timeout_s, 10.0))
        # A proxy from the environment is for reaching the internet, never a server on this machine.
        trust_env = not is_loopback(self.target.url)
        async with _Clients(timeout, self.transport, trust_env) as clients:
            self._clients = clients
            warmup = [j for j in jobs if j.warmup]
            measured = [j for j in jobs if not j.warmup]
            self._t0 = self.clock()
            await self._closed(warmup, self.load.concurrency or 4, ramp_up_s=0.0)
            self._t0 = self.clock()
            try:
                if self.load.rate:
                    await self._open(measured)
                else:
                    await self._closed(measured, self.load.concurrency or 4, self.load.ramp_up_s)
            finally:
                self.duration_s = (self.clock() - self._t0) / NS
        return self.records

    # -- scheduling -----------------------------------------------------------------------------
    async def _closed(self, jobs: list[Job], concurrency: int, ramp_up_s: float) -> None:
        """C workers, each sending its next request as soon as the last one ends. A ramp-up
        staggers their first sends, so they do not all start (and, on a steady endpoint, all
        keep arriving) in lockstep bursts."""
        queue = deque(jobs)
        workers = min(concurrency, len(jobs))

        async def worker(index: int) -> None:
            if ramp_up_s > 0:
                await asyncio.sleep(ramp_up_s * index / workers)
            while queue:
                self._finish(await self._execute(queue.popleft(), None))

        await _all([worker(i) for i in range(workers)])

    async def _open(self, jobs: list[Job]) -> None:
        rate = self.load.rate or 1.0
        cap = asyncio.Semaphore(self.load.concurrency) if self.load.concurrency else None
        due = self._t0
        tasks: list[asyncio.Future[None]] = []

        async def one(job: Job, when: int) -> None:
            if cap is None:
                self._finish(await self._execute(job, when))
                return
            async with cap:
                self._finish(await self._execute(job, when))

        for job in jobs:
            gap = self._rng.expovariate(rate) if self.load.arrival == "poisson" else 1 / rate
            due += int(gap * NS)
            delay = (due - self.clock()) / NS
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(job, due)))
        await _all(tasks)

    def _finish(self, record: RequestRecord) -> None:
        self.records.append(record)
        self.on_record(record)

    # -- one request ----------------------------------------------------------------------------
    async def _execute(self, job: Job, due: int | None) -> RequestRecord:
        """One request, retries included. Latency counts from the scheduled time (open loop) or
        from when the first attempt's request started onto the wire (closed loop): building it
        is the client's work, not the endpoint's."""
        start = due if due is not None else self.clock()
        record = RequestRecord(
            id=job.id,
            cell=job.cell.label,
            input_target=job.cell.input_tokens,
            output_target=job.cell.output_tokens,
            warmup=job.warmup,
            scheduled_s=round((start - self._t0) / NS, 6),
            input_tokens_local=job.input_tokens_local,
        )
        while True:
            record.attempts += 1
            attempt = await self._attempt(job)
            if due is None and record.attempts == 1 and attempt.sent_ns is not None:
                start = attempt.sent_ns
            retry = attempt.status in RETRYABLE or attempt.error_kind == "connect"
            if attempt.error_kind is None or not retry or record.attempts > self.load.max_retries:
                break
            wait = attempt.retry_after_s
            if wait is not None and wait > BACKOFF_CAP_S:  # a benchmark does not sit out a long ban
                attempt.error = f"{attempt.error} (Retry-After {wait:.0f} s is longer than bench waits: not retried)"
                break
            if wait is None:
                wait = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (record.attempts - 1))
                wait *= 0.5 + self._rng.random()  # full jitter, so retries do not stampede
            record.throttled_s = round(record.throttled_s + wait, 6)
            await asyncio.sleep(wait)
        self._fill(record, attempt, start, job)
        return record

    def _fill(self, record: RequestRecord, a: _Attempt, start: int, job: Job) -> None:
        record.status = a.status
        if a.error_kind is not None:
            record.error_kind, record.error = a.error_kind, self._redact(a.error)
            if a.status in FATAL and not self._succeeded:
                raise EndpointError(
                    f"{FATAL[a.status]} (HTTP {a.status} from {self.target.url}): {record.error}",
                    f"check {self.target.provider.key_env}, --endpoint and --model.",
                )
            if a.error_kind == "connect" and not self._succeeded:
                raise EndpointError(f"cannot connect to {self.target.url}: {record.error}", "is the server running?")
            return
        self._succeeded = True
        record.ok = True
        assert a.end_ns is not None
        record.e2e_s = (a.end_ns - start) / NS
        record.ttfb_s = (a.ttfb_ns - start) / NS if a.ttfb_ns is not None else None
        record.ttft_s = (a.first_ns - start) / NS if a.first_ns is not None else None
        record.itl_s = [g / NS for g in a.gaps_ns or []]
        local = count_text(a.text, self.encoding)
        record.output_tokens_local = local
        record.output_tokens_api = a.output_tokens
        record.input_tokens_api = a.input_tokens
        record.output_tokens = a.output_tokens if a.output_tokens is not None else local
        record.tokens_source = "api" if a.output_tokens is not None else "local"
        if record.ttft_s is not None and record.output_tokens > 1:
            record.tpot_s = (record.e2e_s - record.ttft_s) / (record.output_tokens - 1)
        if record.e2e_s > 0:
            record.tokens_per_s = record.output_tokens / record.e2e_s
        cost = self.price(
            a.input_tokens if a.input_tokens is not None else job.input_tokens_local, record.output_tokens
        )
        record.cost_usd = None if cost is None else format(cost.normalize(), "f")

    async def _attempt(self, job: Job) -> _Attempt:
        t = self.target
        request = t.provider.request(
            Ask(t.url, t.model, job.prompt, job.cell.output_tokens, t.stream, t.force_length, t.key)
        )
        result = _Attempt()
        try:
            async with _deadline(self.load.timeout_s):
                await self._send(request.url, request.headers, request.body, result)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            result.error_kind, result.error = "connect", str(exc) or type(exc).__name__
        except (asyncio.TimeoutError, httpx.TimeoutException):
            result.error_kind = "timeout"
            result.error = f"no complete response within {self.load.timeout_s:g} s"
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            result.error_kind = "dropped"
            result.error = f"connection closed mid-response ({type(exc).__name__})"
        except MalformedEvent as exc:
            result.error_kind, result.error = "malformed", str(exc)
        except httpx.HTTPError as exc:
            result.error_kind, result.error = "http", f"{type(exc).__name__}: {exc}"
        return result

    async def _send(self, url: str, headers: dict[str, str], body: object, out: _Attempt) -> None:
        with self._clients.lend() as client:
            await self._exchange(client, url, headers, body, out)

    async def _exchange(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], body: object, out: _Attempt
    ) -> None:
        provider = self.target.provider
        clock = self.clock

        async def trace(event: str, info: object) -> None:
            if event == "http11.send_request_headers.started" and out.sent_ns is None:
                out.sent_ns = clock()

        async with client.stream("POST", url, json=body, headers=headers, extensions={"trace": trace}) as response:
            out.ttfb_ns = clock()
            out.status = response.status_code
            if response.status_code != 200:
                raw = await response.aread()
                out.error_kind = f"http_{response.status_code}"
                out.error = _error_message(raw)
                out.retry_after_s = _retry_after(response.headers.get("retry-after"))
                return
            if not self.target.stream:
                payload = await response.aread()
                out.end_ns = clock()
                self._apply(provider.parse_body(load_json(payload.decode("utf-8", "replace"))), out, None)
                if out.error_kind is None and not out.text and not out.output_tokens:
                    out.error_kind, out.error = "empty", "the response carried no generated content"
                return
            parser = SSEParser()
            gaps: list[int] = []
            out.gaps_ns = gaps
            done = False
            last = 0
            async for chunk in response.aiter_bytes():
                now = clock()
                for event in parser.feed(chunk):
                    update = provider.parse_event(event)
                    if update.generated:
                        if out.first_ns is None:
                            out.first_ns = now
                        else:
                            gaps.append(now - last)
                        last = now
                    done |= self._apply(update, out, now)
                    if out.error_kind:
                        return
            out.end_ns = clock()
            for event in parser.close():
                done |= self._apply(provider.parse_event(event), out, out.end_ns)
            if not done:
                out.error_kind, out.error = "incomplete", "the stream ended without its end marker"
            elif out.first_ns is None:
                out.error_kind, out.error = "empty", "the stream carried no generated content"

    def _redact(self, text: str | None) -> str | None:
        """Servers sometimes echo the key they were sent; it never reaches a record or a screen."""
        key = self.target.key
        return text.replace(key, "***") if text and key else text

    @staticmethod
    def _apply(update: Update, out: _Attempt, now: int | None) -> bool:
        if update.error:
            out.error_kind, out.error = "stream_error", update.error
        out.text += update.text
        if update.input_tokens is not None:
            out.input_tokens = update.input_tokens
        if update.output_tokens is not None:
            out.output_tokens = update.output_tokens
        return update.done


if sys.version_info >= (3, 11):
    _deadline = asyncio.timeout
else:  # pragma: no cover - Python 3.10

    @contextlib.asynccontextmanager
    async def _deadline(seconds: float) -> AsyncIterator[None]:
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


class _Clients:
    """A free list of one-connection clients, one per request in flight.

    httpx's shared pool scans every connection for every request, so its cost grows with the
    square of the concurrency (at 64 in flight it ate more CPU than the streams themselves);
    lending each request a client of its own keeps the per-request cost flat.
    """

    def __init__(self, timeout: httpx.Timeout, transport: httpx.AsyncBaseTransport | None, trust_env: bool) -> None:
        self._timeout = timeout
        self._transport = transport
        self._trust_env = trust_env
        # One TLS context for all: building one per client loads the CA bundle (~25 ms) each time.
        self._tls = httpx.create_ssl_context()
        self._free: list[httpx.AsyncClient] = []
        self._all: list[httpx.AsyncClient] = []

    @contextlib.contextmanager
    def lend(self) -> Iterator[httpx.AsyncClient]:
        if self._free:
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
        try:
            yield client
        finally:
            self._free.append(client)

    async def __aenter__(self) -> _Clients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(client.aclose() for client in self._all), return_exceptions=True)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_message(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    try:
        return error_text(load_json(text))
    except MalformedEvent:
        return text[:300] or "(empty body)"


async def _all(awaitables: Sequence[Awaitable[None]]) -> None:
    """Run tasks together; on the first error or a cancel, cancel the rest and wait for them."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
