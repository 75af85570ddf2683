"""SLOs: parsing, per-cell evaluation (no data never passes) and goodput, exactly. The CLI's exit
code and goodput against the mock: tests/e2e/test_bench_cli.py."""

from __future__ import annotations

import pytest

from llmprof.bench.records import RequestRecord
from llmprof.bench.slo import Objective, evaluate, good, parse_slo
from llmprof.bench.summary import summarize
from llmprof.errors import UsageError


def test_objectives_parse_in_seconds_or_milliseconds() -> None:
    assert parse_slo("ttft_p90<0.5, e2e_p50<=2s,itl_p50<30ms") == (
        Objective("ttft", 90.0, 0.5),
        Objective("e2e", 50.0, 2.0, inclusive=True),
        Objective("itl", 50.0, 0.03),
    )
    assert [o.label for o in parse_slo("ttfa_p99.9<1.5")] == ["ttfa_p99.9<1.5"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ttft<0.5", "'ttft<0.5' is not an objective"),
        ("latency_p50<1", "'latency_p50<1' is not an objective"),
        ("ttft_p100<1", "the percentile must be between 0 and 100"),
        ("ttft_p90<0", "the limit must be above 0"),
        ("ttft_p90<1,ttft_p90<2", "bounds the same percentile twice"),
        (" , ", "no objectives"),
    ],
)
def test_bad_objectives_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        parse_slo(text)
    assert "--slo 'ttft_p90<0.5,e2e_p50<2'" in (caught.value.hint or "")


def record(i: int, ok: bool = True, ttft: float = 0.1, e2e: float = 0.5, cell: str = "10x5") -> RequestRecord:
    return RequestRecord(
        id=i, cell=cell, input_target=10, output_target=5, ok=ok, e2e_s=e2e if ok else None,
        ttft_s=ttft if ok else None, itl_s=[0.01, 0.02, 0.03] if ok else [], error_kind=None if ok else "timeout",
    )  # fmt: skip


def test_a_cell_meets_or_breaches_at_its_percentile() -> None:
    records = [record(i, e2e=0.1 * (i + 1)) for i in range(10)]  # 0.1 .. 1.0 s
    objective = parse_slo("e2e_p50<0.6")[0]
    [result] = evaluate("10x5", records, [objective])
    assert result.actual == pytest.approx(0.55) and result.passed
    [strict] = evaluate("10x5", records, parse_slo("e2e_p50<0.55"))
    assert not strict.passed
    [inclusive] = evaluate("10x5", records, parse_slo("e2e_p50<=0.55"))
    assert inclusive.passed


def test_no_data_never_meets_an_objective() -> None:
    [result] = evaluate("10x5", [record(0, ok=False), record(1, ok=False)], parse_slo("ttft_p50<10"))
    assert (result.actual, result.passed) == (None, False)


def test_goodput_counts_requests_that_succeeded_within_every_limit() -> None:
    objectives = parse_slo("ttft_p90<0.2,itl_p50<0.05")
    assert good(record(0), objectives)
    assert not good(record(1, ttft=0.3), objectives)
    assert not good(record(2, ok=False), objectives)
    records = [record(0), record(1, ttft=0.3), record(2, ok=False), record(3)]
    summary = summarize(records, (50.0,), objectives=objectives, duration_s=2.0)
    assert (summary.good, summary.measured) == (2, 4)
    assert summary.cells[0].good == 2
