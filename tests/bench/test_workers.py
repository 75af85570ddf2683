"""Load generation over worker processes: the split (concurrency, a shared open-loop schedule,
the plan dealt in order), and a real run against the mock on loopback whose records merge into
one run: every request once, one clock origin, priced in the parent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from llmprof.bench.client import Target
from llmprof.bench.plan import Cell
from llmprof.bench.providers import get
from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import Load, PlannedRequest
from llmprof.bench.workers import ProcessRunner, auto_workers, deal, shares
from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess
from llmprof.pricing import Usage


def test_concurrency_is_divided_and_nothing_is_lost() -> None:
    assert [load.concurrency for load in shares(Load(concurrency=7), 3)] == [3, 2, 2]
    assert [load.seed for load in shares(Load(concurrency=4, seed=10), 2)] == [10, 11]


def test_a_constant_schedule_is_shared_out_exactly() -> None:
    rate, workers = 10.0, 3
    arrivals = []
    for load in shares(Load(concurrency=None, rate=rate, arrival="constant"), workers):
        assert load.rate == pytest.approx(rate / workers)
        gap = 1 / (load.rate or 1)
        arrivals += [load.phase_s + gap * k for k in range(1, 5)]  # as Runner._open places them
    assert sorted(round(a, 9) for a in arrivals) == [round(j / rate, 9) for j in range(1, 13)]


def test_poisson_streams_are_independent_at_a_share_of_the_rate() -> None:
    loads = shares(Load(concurrency=None, rate=9.0, arrival="poisson", seed=1), 3)
    assert [(load.rate, load.phase_s, load.seed) for load in loads] == [(3.0, 0.0, 1), (3.0, 0.0, 2), (3.0, 0.0, 3)]


def test_the_plan_is_dealt_in_order() -> None:
    jobs = [PlannedRequest(i, Cell(10, 1), "x", 10) for i in range(7)]
    assert [[j.id for j in share] for share in deal(jobs, 3)] == [[0, 3, 6], [1, 4], [2, 5]]


@pytest.mark.parametrize(
    ("in_flight", "cores", "workers"), [(4, 8, 1), (32, 8, 1), (33, 8, 2), (256, 8, 8), (256, 2, 2)]
)
def test_auto_picks_one_process_until_the_load_needs_more(in_flight: int, cores: int, workers: int) -> None:
    assert auto_workers(in_flight, cores) == workers


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with MockProcess(MockSettings(preset="instant", ttft_ms=20.0, itl_ms=2.0, jitter=0.0)) as server:
        yield server


def test_two_workers_make_one_run(mock: MockProcess) -> None:
    target = Target(get("openai"), mock.url, mock.url, "gpt-4o-mini", None)
    jobs = [PlannedRequest(i, Cell(20, 5), "hello there, how are you", 20, warmup=i < 2) for i in range(22)]
    seen: list[RequestRecord] = []
    runner = ProcessRunner(
        target,
        Load(concurrency=None, rate=50.0, arrival="constant"),
        "o200k_base",
        lambda usage: Decimal(usage.input_tokens + usage.output_tokens) / 10**6,
        seen.append,
        workers=2,
    )
    records = asyncio.run(runner.run(jobs))
    assert sorted(r.id for r in records) == list(range(22)) and seen == records
    assert all(r.ok for r in records)
    measured = sorted(r.scheduled_s for r in records if not r.warmup)
    # one schedule from one origin: every 20 ms, shared out between the two processes
    assert measured == pytest.approx([j / 50 for j in range(1, 21)], abs=1e-6)
    usage = Usage(input_tokens=records[0].input_tokens_api or 0, output_tokens=5)
    assert all(r.cost_usd == format((Decimal(usage.input_tokens + 5) / 10**6).normalize(), "f") for r in records)
    assert runner.cpu_s is not None and runner.lags_s and runner.duration_s is not None
