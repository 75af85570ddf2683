"""``bench --workers N``: load generation split over worker processes, records merged.

One event loop reads every stream's chunks in turn; when the CPU is shared (a local server on the
same laptop) it falls behind, reads chunks in bursts and takes every timestamp late. Worker
processes each run their own loop over a share of the requests, so no single loop is starved.

The split keeps the run one run: the measured phase starts at one instant of the system-wide
monotonic clock (``time.monotonic_ns``: CLOCK_MONOTONIC, shared by every process on the machine),
so ``scheduled_s`` and ``sent_s`` of every record count from the same origin; a closed loop's
concurrency is divided among the workers; an open loop's schedule is shared out (each worker
takes every N-th arrival of a constant schedule, or an independent Poisson stream at R/N, whose
union is a Poisson stream at R). Request ids come from one plan, so they stay unique. Records
are priced in the parent (prices are not sent to workers) and reach the run log as they finish.

Workers ignore SIGINT (Ctrl-C reaches the whole process group) and stop when the parent says so:
the parent keeps whatever they finished, exactly as a single-process run does.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import multiprocessing
import queue
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

from llmprof.bench.client import Target
from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import NS, Load, PlannedRequest, PriceFn, Runner, record_cost
from llmprof.errors import EndpointError, LlmprofError

#: Once every worker is warmed up, the measured phase starts this much later (time to hear "go").
START_DELAY_S = 0.05
#: How often a worker looks for the parent's stop (and, more often, its start).
POLL_S = 0.05
#: Requests in flight per worker before another worker is worth its start-up (auto mode).
PER_WORKER = 32


def auto_workers(in_flight: int | None, cores: int | None) -> int:
    """One process up to PER_WORKER requests in flight, then one more per PER_WORKER, up to the
    cores there are (a worker needs a core to be any use)."""
    if not in_flight or in_flight <= PER_WORKER:
        return 1
    return max(1, min(cores or 1, -(-in_flight // PER_WORKER)))


def shares(load: Load, workers: int) -> list[Load]:
    """Each worker's load: concurrency divided; an open-loop rate divided, with each worker's
    arrivals placed so that together they are the one schedule."""
    loads = []
    for i in range(workers):
        concurrency = None
        if load.concurrency is not None:
            concurrency = load.concurrency // workers + (1 if i < load.concurrency % workers else 0)
        rate = phase = None
        if load.rate:
            rate = load.rate / workers
            # constant arrivals: worker i takes arrivals i+1, i+1+N, ... of the common schedule
            phase = (i + 1) / load.rate - workers / load.rate if load.arrival == "constant" else 0.0
        loads.append(
            dataclasses.replace(
                load,
                concurrency=max(1, concurrency) if concurrency is not None else None,
                rate=rate,
                phase_s=phase or 0.0,
                seed=None if load.seed is None else load.seed + i,
                max_in_flight=None if load.max_in_flight is None else max(1, load.max_in_flight // workers),
            )
        )
    return loads


def deal(jobs: Sequence[PlannedRequest], workers: int) -> list[list[PlannedRequest]]:
    """Round-robin, so each worker's share keeps the plan's order (and its interleaving)."""
    return [list(jobs[i::workers]) for i in range(workers)]


class ProcessRunner:
    """The :class:`~llmprof.bench.runner.Runner` interface, over ``workers`` processes."""

    def __init__(
        self,
        target: Target,
        load: Load,
        encoding: str,
        price: PriceFn,
        on_record: Callable[[RequestRecord], None],
        workers: int,
    ) -> None:
        self.target = target
        self.load = load
        self.encoding = encoding
        self.price = price
        self.on_record = on_record
        self.workers = workers
        self.records: list[RequestRecord] = []
        self.lags_s: list[float] = []
        self.cpu_s: float | None = None
        self.duration_s: float | None = None

    async def run(self, jobs: Sequence[PlannedRequest]) -> list[RequestRecord]:
        context = multiprocessing.get_context("spawn")  # no inherited event loop, threads or locks
        results: Any = context.Queue()
        # Plain shared values, polled: an Event's condition variable deadlocks its setter when a
        # process that waited on it has exited.
        stop = context.Value("b", 0, lock=False)
        start = context.Value("q", 0, lock=False)  # the measured phase's start (monotonic ns), once all are warm
        processes = [
            context.Process(
                target=_work,
                args=(index, self.target, load, self.encoding, share, start, results, stop),
                name=f"llmprof-bench-{index}",
                daemon=True,
            )
            for index, (load, share) in enumerate(
                zip(shares(self.load, self.workers), deal(jobs, self.workers), strict=True)
            )
        ]
        for process in processes:
            process.start()
        finished, ready, failure = 0, 0, None
        try:
            while finished < len(processes):
                message = await asyncio.get_running_loop().run_in_executor(None, _next, results)
                if message is None:
                    if not any(p.is_alive() for p in processes) and results.empty():
                        raise LlmprofError("a bench worker process died without reporting its results")
                    continue
                kind, payload = message
                if kind == "record":
                    self._add(payload)
                elif kind == "ready":
                    ready += 1
                    if ready == len(processes):
                        start.value = time.monotonic_ns() + int(START_DELAY_S * NS)
                elif kind == "done":
                    finished += 1
                    self._merge(payload)
                elif kind == "error":
                    finished += 1
                    failure = failure or payload
                    stop.value = 1
        finally:
            stop.value = 1
            await asyncio.get_running_loop().run_in_executor(None, _drain_and_join, processes, results, self._add)
            ends = [r.scheduled_s + (r.e2e_s or 0.0) for r in self.records if not r.warmup]
            if ends and self.duration_s is None:
                self.duration_s = max(ends)
        if failure is not None:
            message, hint = failure
            raise EndpointError(message, hint)
        return self.records

    def _add(self, record: RequestRecord) -> None:
        record.cost_usd = record_cost(record, self.price) if record.ok else None
        self.records.append(record)
        self.on_record(record)

    def _merge(self, stats: dict[str, Any]) -> None:
        self.lags_s.extend(stats["lags_s"])
        self.cpu_s = (self.cpu_s or 0.0) + stats["cpu_s"]
        self.duration_s = max(self.duration_s or 0.0, stats["duration_s"] or 0.0)


def _next(results: Any) -> tuple[str, Any] | None:
    try:
        message: tuple[str, Any] = results.get(timeout=0.2)
    except queue.Empty:
        return None
    return message


def _drain_and_join(processes: list[Any], results: Any, add: Callable[[RequestRecord], None]) -> None:
    """After a stop: every record the workers still send, then their end (terminated if stuck)."""
    deadline = time.monotonic() + 10.0
    while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            kind, payload = results.get(timeout=0.1)
            if kind == "record":
                add(payload)
    with contextlib.suppress(queue.Empty):
        while True:
            kind, payload = results.get_nowait()
            if kind == "record":
                add(payload)
    for process in processes:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)


def _work(
    index: int,
    target: Target,
    load: Load,
    encoding: str,
    jobs: list[PlannedRequest],
    start: Any,
    results: Any,
    stop: Any,
) -> None:
    """One worker process: its share of the requests on its own event loop. After its warmup it
    says it is ready and waits for the common start the parent sets once all workers are."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    runner = Runner(
        target, load, encoding, lambda usage: None, lambda r: results.put(("record", r)), clock=time.monotonic_ns
    )

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None

        async def watch() -> None:
            while not stop.value:
                await asyncio.sleep(POLL_S)
            task.cancel()

        async def begin() -> int:
            results.put(("ready", index))
            while not start.value and not stop.value:
                await asyncio.sleep(POLL_S / 10)
            if stop.value:  # stopped during the warmup: send nothing more
                raise asyncio.CancelledError
            return int(start.value)

        watcher = asyncio.ensure_future(watch())
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await runner.run(jobs, begin)
        finally:
            watcher.cancel()

    try:
        asyncio.run(main())
    except LlmprofError as exc:
        results.put(("error", (exc.message, exc.hint)))
        return
    results.put(("done", {"lags_s": runner.lags_s, "cpu_s": runner.cpu_s or 0.0, "duration_s": runner.duration_s}))
