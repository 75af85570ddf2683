"""Sends the planned requests and times them: closed loop (N at a time) or open loop (a schedule).

Clocks are injected (``time.perf_counter_ns`` by default; tests run the runner on a virtual-time
event loop with a clock to match). In open loop, latency counts from each request's *scheduled*
send time, so a client or server that falls behind cannot hide the queueing it causes
(coordinated omission); each record also keeps when it was really sent, so a client that fell
behind is seen as such. Retries honour ``Retry-After`` with capped exponential backoff; the
time spent waiting is recorded apart, and the latency still counts from the first attempt.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import httpx

from llmprof.bench.client import Attempt, Clients, Target, attempt
from llmprof.bench.plan import Cell
from llmprof.bench.providers import Ask
from llmprof.bench.records import RequestRecord
from llmprof.errors import EndpointError
from llmprof.net import is_loopback
from llmprof.pricing import Usage
from llmprof.secrets import redact
from llmprof.tokens import count_text

RETRYABLE = {429, 500, 502, 503, 504, 529}
FATAL = {
    401: "the endpoint refused the API key",
    403: "the API key may not use this endpoint or model",
    404: "no such endpoint or model",
}
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 20.0
NS = 1_000_000_000
LAG_TICK_S = 0.01

PriceFn = Callable[[Usage], Decimal | None]


@dataclass(frozen=True, kw_only=True)
class Load:
    concurrency: int | None = 4  # in flight at once; None = no cap (open loop)
    rate: float | None = None  # requests/s for open loop; None = closed loop
    arrival: str = "poisson"  # or "constant"
    timeout_s: float = 60.0
    max_retries: int = 2
    seed: int | None = None
    ramp_up_s: float = 0.0  # closed loop: start the workers evenly over this many seconds
    max_in_flight: int | None = None  # what this client can hold open (its file-descriptor limit)
    phase_s: float = 0.0  # open loop: shifts the whole schedule (one worker's share of a common one)

    @property
    def in_flight_cap(self) -> int | None:
        caps = [c for c in (self.concurrency, self.max_in_flight) if c is not None]
        return min(caps) if caps else None


@dataclass(frozen=True)
class PlannedRequest:
    id: int
    cell: Cell
    prompt: str
    input_tokens_local: int
    warmup: bool = False
    block: int | None = None
    step: int | None = None  # the sweep step it belongs to


class Runner:
    def __init__(
        self,
        target: Target,
        load: Load,
        encoding: str,
        price: PriceFn,
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
        self.lags_s: list[float] = []  # how late the event loop woke, sampled every LAG_TICK_S
        self.cpu_s: float | None = None  # this process's CPU time over the measured requests

    async def run(
        self, jobs: Sequence[PlannedRequest], start: Callable[[], Awaitable[int]] | None = None
    ) -> list[RequestRecord]:
        """Warm up, then send the measured requests. ``start``, awaited after the warmup, gives the
        instant (the clock's time) the measured phase starts at, so that worker processes sharing
        one schedule share its origin."""
        # A proxy from the environment is for reaching the internet, never a server on this machine.
        trust_env = not is_loopback(self.target.url)
        async with Clients(self.load.timeout_s, self.transport, trust_env) as clients:
            self._clients = clients
            warmup = [j for j in jobs if j.warmup]
            measured = [j for j in jobs if not j.warmup]
            workers = self.load.in_flight_cap or 4
            self._t0 = self.clock()
            await self._closed(warmup, workers, ramp_up_s=0.0)
            start_ns = None if start is None else await start()
            if start_ns is not None and start_ns > self.clock():
                await asyncio.sleep((start_ns - self.clock()) / NS)
            self._t0 = self.clock() if start_ns is None else start_ns
            cpu = time.process_time()
            watch = asyncio.ensure_future(self._watch())
            try:
                if self.load.rate:
                    await self._open(measured)
                else:
                    await self._closed(measured, workers, self.load.ramp_up_s)
            finally:
                self.duration_s = (self.clock() - self._t0) / NS
                self.cpu_s = time.process_time() - cpu
                watch.cancel()
                await asyncio.gather(watch, return_exceptions=True)
        return self.records

    async def _watch(self) -> None:
        """The client's own lag: a timer that should fire every LAG_TICK_S, and how late it does.
        A loop busy parsing other streams wakes late, and every timestamp it takes is late too."""
        while True:
            before = self.clock()
            await asyncio.sleep(LAG_TICK_S)
            self.lags_s.append(max(0.0, (self.clock() - before) / NS - LAG_TICK_S))

    # -- scheduling -----------------------------------------------------------------------------
    async def _closed(self, jobs: Sequence[PlannedRequest], concurrency: int, ramp_up_s: float) -> None:
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

    async def _open(self, jobs: Sequence[PlannedRequest]) -> None:
        rate = self.load.rate or 1.0
        limit = self.load.in_flight_cap
        cap = asyncio.Semaphore(limit) if limit else None
        due = self._t0 + int(self.load.phase_s * NS)
        tasks: list[asyncio.Future[None]] = []

        async def one(job: PlannedRequest, when: int) -> None:
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
    async def _execute(self, job: PlannedRequest, due: int | None) -> RequestRecord:
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
            block=job.block,
            step=job.step,
            scheduled_s=round((start - self._t0) / NS, 6),
            input_tokens_local=job.input_tokens_local,
        )
        t = self.target
        ask = Ask(t.url, t.model, job.prompt, job.cell.output_tokens, t.stream, t.force_length, t.key)
        while True:
            record.attempts += 1
            result = await attempt(self._clients, t, ask, self.load.timeout_s, self.clock)
            if record.attempts == 1 and result.sent_ns is not None:
                record.sent_s = round((result.sent_ns - self._t0) / NS, 6)
                if due is None:
                    start = result.sent_ns
            retry = result.status in RETRYABLE or result.error_kind == "connect"
            if result.error_kind is None or not retry or record.attempts > self.load.max_retries:
                break
            wait = result.retry_after_s
            if wait is not None and wait > BACKOFF_CAP_S:  # a benchmark does not sit out a long ban
                result.error = f"{result.error} (Retry-After {wait:.0f} s is longer than bench waits: not retried)"
                break
            if wait is None:
                wait = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (record.attempts - 1))
                wait *= 0.5 + self._rng.random()  # full jitter, so retries do not stampede
            record.throttled_s = round(record.throttled_s + wait, 6)
            await asyncio.sleep(wait)
        self._fill(record, result, start, job)
        return record

    def _fill(self, record: RequestRecord, a: Attempt, start: int, job: PlannedRequest) -> None:
        record.status = a.status
        if a.error_kind is not None:
            record.error_kind, record.error = a.error_kind, redact(a.error or "")
            if a.status in FATAL and not self._succeeded:
                raise EndpointError(
                    f"{FATAL[a.status]} (HTTP {a.status} from {self.target.display}): {record.error}",
                    f"check {self.target.provider.key_env}, --endpoint and --model.",
                )
            if a.error_kind == "connect" and not self._succeeded:
                raise EndpointError(
                    f"cannot connect to {self.target.display}: {record.error}", "is the server running?"
                )
            return
        self._succeeded = True
        record.ok = True
        assert a.end_ns is not None
        record.e2e_s = (a.end_ns - start) / NS
        record.ttfb_s = (a.ttfb_ns - start) / NS if a.ttfb_ns is not None else None
        record.ttft_s = (a.first_ns - start) / NS if a.first_ns is not None else None
        record.ttfa_s = (a.answer_ns - start) / NS if a.answer_ns is not None else None
        record.itl_s = [g / NS for g in a.gaps_ns]
        usage = a.usage
        local = count_text(a.text, self.encoding) + count_text(a.reasoning_text, self.encoding)
        record.output_tokens_local = local
        record.output_tokens_api = usage.output_tokens
        record.input_tokens_api = usage.input_tokens
        record.cached_input_tokens = usage.cached_input_tokens
        record.cache_write_tokens = usage.cache_write_tokens
        record.finish_reason = a.finish
        record.reconnected = a.reconnected
        if a.timings is not None:
            record.server_prefill_s, record.server_decode_s = a.timings.prefill_s, a.timings.decode_s
        record.output_tokens, record.tokens_source = _output_count(a, job, local)
        if a.unfinished and record.output_tokens < job.cell.output_tokens:
            # llama-cpp-python cuts a stream when another request waits: [DONE] after a partial answer
            record.ok, record.error_kind = False, "incomplete"
            record.error = (
                f"the stream ended ([DONE]) without a finish_reason after {record.output_tokens} of "
                f"{job.cell.output_tokens} output tokens: the answer was likely cut short"
            )
            return
        if usage.reasoning_tokens is not None:
            record.reasoning_tokens, record.reasoning_source = usage.reasoning_tokens, "api"
        elif a.reasoning_text:  # Anthropic reports thinking only inside output_tokens: count its text
            reasoning = count_text(a.reasoning_text, self.encoding)
            record.reasoning_tokens, record.reasoning_source = min(reasoning, record.output_tokens), "local"
        if record.ttft_s is not None and record.output_tokens > 1:
            record.tpot_s = (record.e2e_s - record.ttft_s) / (record.output_tokens - 1)
        if record.e2e_s > 0:
            record.tokens_per_s = record.output_tokens / record.e2e_s
        record.cost_usd = record_cost(record, self.price)


def record_cost(record: RequestRecord, price: PriceFn) -> str | None:
    """What one request cost, from what the API reported (the local prompt count when it did not)."""
    prompt = record.input_tokens_api if record.input_tokens_api is not None else record.input_tokens_local or 0
    cached = min(record.cached_input_tokens or 0, prompt)
    written = min(record.cache_write_tokens or 0, prompt - cached)
    output = record.output_tokens or 0
    usage = Usage(
        input_tokens=prompt,
        cached_input_tokens=cached,
        cache_write_tokens=written,
        output_tokens=output,
        reasoning_tokens=min(record.reasoning_tokens or 0, output),
    )
    cost = price(usage)
    return None if cost is None else format(cost.normalize(), "f")


def _output_count(a: Attempt, job: PlannedRequest, local: int) -> tuple[int, str]:
    """Output tokens, from the best source there is: the API's usage; a server's own timings
    (llama.cpp); a stop at max_tokens (``length``: exactly the cell's output length); else a
    local count of the text with the stand-in encoding, which a foreign tokenizer can miss."""
    if a.usage.output_tokens is not None:
        return a.usage.output_tokens, "api"
    if a.timings is not None and a.timings.generated is not None:
        return a.timings.generated, "timings"
    if a.finish == "length":
        return job.cell.output_tokens, "length"
    return local, "local"


async def _all(awaitables: Sequence[Awaitable[None]]) -> None:
    """Run tasks together; on the first error or a cancel, cancel the rest and wait for them."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
