"""The bench's design against drift, on virtual time: an endpoint whose latency rises with the
clock and not with length. Interleaved blocks attribute ~0 to input length and the fit reports the
drift; the sequential design blames length for it (the reason interleaving is the default)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from llmprof.bench.client import Target
from llmprof.bench.diagnose import client_stats, client_warnings
from llmprof.bench.plan import Cell, schedule
from llmprof.bench.providers import get
from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import Load, PlannedRequest, Runner
from llmprof.bench.summary import Summary, summarize
from llmprof.stats import clear_of_zero
from tests import virtual_time

CELLS = [Cell(100, 1), Cell(1000, 1), Cell(2000, 1)]
BASE_S, DRIFT_PER_S = 0.2, 0.004  # latency 200 ms, rising 4 ms per second of the run


def drifting(request: httpx.Request) -> Any:
    """A whole (non-streamed) answer after BASE_S + DRIFT_PER_S x now, whatever the length; the
    prompt says how long it is, and the usage reports it, as a real endpoint's would."""

    async def answer() -> httpx.Response:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(BASE_S + DRIFT_PER_S * loop.time())
        prompt_tokens = int(json.loads(request.content)["messages"][0]["content"])
        body = {
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "length"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1},
        }
        return httpx.Response(200, json=body)

    return answer()


def run(order: str, runs: int = 20) -> list[RequestRecord]:
    jobs = [
        PlannedRequest(i, cell, str(cell.input_tokens), cell.input_tokens, block=block)
        for i, (cell, block) in enumerate(schedule(CELLS, runs, order, seed=7))
    ]
    target = Target(get("openai"), "http://127.0.0.1:1/v1", "x", "m", None, stream=False)
    records: list[RequestRecord] = []

    async def main(clock: Callable[[], int]) -> list[RequestRecord]:
        runner = Runner(
            target, Load(concurrency=1), "o200k_base", lambda usage: None, records.append, clock=clock,
            transport=httpx.MockTransport(drifting),
        )  # fmt: skip
        await runner.run(jobs)
        return records

    return virtual_time.run(main)


def summary(order: str) -> Summary:
    return summarize(run(order), (50.0,), order=order, cell_order=[c.label for c in CELLS])


def test_interleaved_blocks_attribute_no_effect_to_length_and_report_the_drift() -> None:
    result = summary("interleaved")
    fit = result.fit
    assert fit is not None and fit.per_input_s is not None
    assert abs(fit.per_input_s * 1e6) < 1.0  # under 1 ms per 1K input tokens (truth: 0)
    [drift] = [w for w in result.warnings if w.startswith("latency drifted")]
    assert "the interleaved design spread it over every cell alike" in drift
    # 60 requests one at a time: the run is ~16 s long, so the drift is ~+60 ms
    assert "ms per minute" in drift and "+2" in drift.split("(")[1]  # +240 ms per minute


def test_the_sequential_design_blames_length_for_the_drift() -> None:
    result = summary("sequential")
    fit = result.fit
    assert fit is not None and fit.per_input_s is not None
    assert clear_of_zero(fit.per_input_s, fit.per_input_se)
    assert fit.per_input_s * 1e6 > 10  # tens of ms per 1K tokens, all of it drift
    assert any("cells ran one after another" in w for w in result.warnings)


def test_blocks_hold_every_cell_once_in_a_seeded_order() -> None:
    planned = schedule(CELLS, 4, "interleaved", seed=1)
    assert [b for _, b in planned] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    for block in range(4):
        assert sorted(c.label for c, b in planned if b == block) == sorted(c.label for c in CELLS)
    assert planned == schedule(CELLS, 4, "interleaved", seed=1)
    assert [c for c, _ in planned] != [c for c, _ in schedule(CELLS, 4, "interleaved", seed=2)]
    assert schedule(CELLS, 2, "sequential", seed=1) == [(c, None) for c in CELLS for _ in range(2)]


def test_records_carry_their_block() -> None:
    records = run("interleaved", runs=3)
    assert sorted(r.block or 0 for r in records) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert all(r.block is not None for r in records)


def test_too_few_samples_for_a_percentile_are_said() -> None:
    records = run("interleaved", runs=10)
    result = summarize(records, (50.0, 90.0), order="interleaved")
    [warning] = [w for w in result.warnings if w.startswith("p90")]
    assert warning.startswith("p90 from 10 sample(s) in 3 cell(s)") and "--runs 20" in warning
    assert not any(w.startswith("p50") for w in result.warnings)
    assert all(cell.e2e_ci[90.0] is None and cell.e2e_ci[50.0] is not None for cell in result.cells)


@pytest.mark.parametrize(
    ("lags_ms", "cpu_share", "expected"),
    [
        ([0.1] * 100, 0.2, None),
        ([0.1] * 90 + [40.0] * 10, 0.2, "its event loop woke 40 ms late (p99; max 40 ms)"),
        ([0.1] * 100, 0.97, "it used 97% of a CPU core"),
    ],
)
def test_a_busy_client_is_named(lags_ms: list[float], cpu_share: float, expected: str | None) -> None:
    stats = client_stats([lag / 1000 for lag in lags_ms], cpu_share * 10, 10.0)
    warnings = client_warnings(stats, [], open_loop=False)
    if expected is None:
        assert warnings == []
    else:
        [warning] = warnings
        assert warning.startswith("the client, not only the endpoint, limited this run: ") and expected in warning


def test_an_open_loop_client_that_fell_behind_says_so() -> None:
    def record(i: int, late_s: float) -> RequestRecord:
        return RequestRecord(id=i, cell="1x1", input_target=1, output_target=1, scheduled_s=i, sent_s=i + late_s)

    on_time = [record(i, 0.001) for i in range(50)]
    assert client_warnings({}, on_time, open_loop=True) == []
    behind = [record(i, 0.001 if i < 45 else 0.5) for i in range(50)]
    [warning] = client_warnings({}, behind, open_loop=True)
    assert warning.startswith("the client fell behind its schedule: requests went out up to 500 ms late (p99)")
