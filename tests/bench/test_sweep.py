"""The sweep on virtual time against an endpoint of known capacity: K requests served at once,
each in S seconds, the rest queued in order. Capacity K / S; the sweep must find it within one
step. And the search's choices, step by step."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from llmprof.bench.client import Target
from llmprof.bench.plan import Cell
from llmprof.bench.providers import get
from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import Load, PlannedRequest, Runner
from llmprof.bench.slo import parse_slo
from llmprof.bench.summary import summarize
from llmprof.bench.sweep import STEP_S, Driver, Search, Step, best, judge
from tests import virtual_time

CELL = Cell(20, 1)


def server(capacity: int, service_s: float) -> Callable[[httpx.Request], Any]:
    slots = asyncio.Semaphore(capacity)  # FIFO: asyncio wakes waiters in the order they came

    async def answer(request: httpx.Request) -> httpx.Response:
        async with slots:
            await asyncio.sleep(service_s)
        body = {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "length"}],
            "usage": {"prompt_tokens": 20, "completion_tokens": 1},
        }
        return httpx.Response(200, json=body)

    return answer


def sweep(capacity: int, service_s: float, slo: str) -> list[Step]:
    objectives = parse_slo(slo)
    target = Target(get("openai"), "http://127.0.0.1:1/v1", "x", "m", None, stream=False)
    ids = iter(range(1_000_000))

    async def main(clock: Callable[[], int]) -> list[Step]:
        transport = httpx.MockTransport(server(capacity, service_s))

        def runner(rate: float | None) -> Runner:
            load = Load(concurrency=None if rate else 1, rate=rate, arrival="constant")
            return Runner(target, load, "o200k_base", lambda u: None, lambda r: None, clock=clock, transport=transport)

        def plan(step: int, rate: float) -> list[PlannedRequest]:
            n = max(20, int(rate * STEP_S))
            return [PlannedRequest(next(ids), CELL, "x", 20, step=step) for _ in range(n)]

        def judge_step(index: int, rate: float, records: list[RequestRecord]) -> Step:
            return judge(index, rate, records, summarize(records, (50.0, 90.0), objectives=objectives), 0.0)

        warmup = [PlannedRequest(next(ids), CELL, "x", 20, warmup=True)]
        driver = Driver(runner, plan, warmup, judge_step, None, lambda step: None)
        await driver.run()
        return driver.steps

    return virtual_time.run(main)


def test_the_sweep_finds_a_known_capacity_within_one_step() -> None:
    steps = sweep(capacity=4, service_s=0.5, slo="e2e_p90<1.0")  # capacity 8 requests/s
    found = best(steps)
    assert found is not None
    failed_above = min(s.rate for s in steps if not s.ok and s.rate > found.rate)
    assert found.rate <= 8.0 < failed_above <= found.rate * 1.1
    # the start is one stream's throughput (1 / 0.5 s), doubled until it fails, then bisected
    assert [round(s.rate, 2) for s in steps[:4]] == [2.0, 4.0, 8.0, 16.0]
    assert [s.ok for s in steps[:4]] == [True, True, True, False]
    assert all(abs(r.e2e_s - 0.5) < 1e-6 for s in steps if s.rate <= 8.0 for r in s.records if r.e2e_s)


def test_without_an_slo_saturation_fails_a_step() -> None:
    steps = sweep(capacity=2, service_s=0.25, slo="e2e_p50<100")  # capacity 8/s; the SLO never binds
    over = [s for s in steps if s.rate > 8.5]
    assert over and all(not s.ok and any(p.startswith("saturated: latency rose") for p in s.problems) for s in over)
    found = best(steps)
    assert found is not None and found.rate <= 8.0


@pytest.mark.parametrize(
    ("verdicts", "rates"),
    [
        ([True, True, False, False, False], [1.0, 2.0, 4.0, 2.83, 2.38]),  # doubles, then bisects
        ([False, False, True], [4.0, 2.0, 1.0]),  # the start fails: halves until one passes
        ([True, True, False, True, False, True], [1.0, 2.0, 4.0, 2.83, 3.36, 3.08]),
    ],
)
def test_the_search_doubles_then_bisects(verdicts: list[bool], rates: list[float]) -> None:
    search = Search(rates[0])
    tried = []
    for ok in verdicts:
        rate = search.next()
        assert rate is not None
        tried.append(round(rate, 2))
        search.record(rate, ok)
    assert tried == rates


def test_the_search_stops_at_its_resolution_or_its_step_limit() -> None:
    search = Search(10.0, resolution=0.1)
    for ok in (True, False, False, False, False):
        rate = search.next()
        assert rate is not None
        search.record(rate, ok)
    assert search.next() is None and search.failed is not None and search.passed == 10.0
    assert search.failed <= 11.0
    capped = Search(1.0, max_steps=3)
    for _ in range(3):
        rate = capped.next()
        assert rate is not None
        capped.record(rate, True)
    assert capped.next() is None


def test_the_sweep_finds_the_capacity_of_the_mock_limited_to_k_requests() -> None:
    """The same against llmprof's own mock (its ASGI app, on virtual time): 4 generations at once,
    each 0.5 s to its one token, the rest queued first come, first served: 8 requests/s."""
    from llmprof.mock import MockSettings
    from llmprof.mock.app import create_app
    from tests.mock.test_app_clock import LoopClock

    settings = MockSettings(preset="instant", ttft_ms=500.0, itl_ms=0.0, prefill_ms_per_1k=0.0, jitter=0.0,
                            max_concurrency=4)  # fmt: skip
    objectives = parse_slo("e2e_p90<1.0")
    target = Target(get("openai"), "http://mock/v1", "x", "gpt-4o-mini", None, stream=False)
    ids = iter(range(1_000_000))

    async def main(clock: Callable[[], int]) -> list[Step]:
        transport = httpx.ASGITransport(app=create_app(settings, LoopClock()))  # type: ignore[arg-type]

        def runner(rate: float | None) -> Runner:
            load = Load(concurrency=None if rate else 1, rate=rate, arrival="constant")
            return Runner(target, load, "o200k_base", lambda u: None, lambda r: None, clock=clock, transport=transport)

        def plan(step: int, rate: float) -> list[PlannedRequest]:
            return [PlannedRequest(next(ids), CELL, "hello", 20, step=step) for _ in range(max(20, int(rate * STEP_S)))]

        def judge_step(index: int, rate: float, records: list[RequestRecord]) -> Step:
            return judge(index, rate, records, summarize(records, (50.0, 90.0), objectives=objectives), 0.0)

        driver = Driver(runner, plan, [PlannedRequest(next(ids), CELL, "hello", 20, warmup=True)], judge_step, None,
                        lambda step: None)  # fmt: skip
        await driver.run()
        return driver.steps

    steps = virtual_time.run(main)
    found = best(steps)
    assert found is not None
    failed_above = min(s.rate for s in steps if not s.ok and s.rate > found.rate)
    assert found.rate <= 8.0 < failed_above <= found.rate * 1.1
