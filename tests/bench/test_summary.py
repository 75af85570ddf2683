from __future__ import annotations

from decimal import Decimal

import pytest

from llmprof.bench.records import RequestRecord
from llmprof.bench.summary import summarize


def _ok(i: int, cell: str, e2e: float, ttft: float, out: int, cost: str | None = None) -> RequestRecord:
    n_in, n_out = (int(x) for x in cell.split("x"))
    return RequestRecord(
        id=i,
        cell=cell,
        input_target=n_in,
        output_target=n_out,
        ok=True,
        attempts=1,
        e2e_s=e2e,
        ttft_s=ttft,
        output_tokens=out,
        tokens_source="api",
        tpot_s=(e2e - ttft) / (out - 1) if out > 1 else None,
        tokens_per_s=out / e2e,
        cost_usd=cost,
        input_tokens_api=n_in,
    )


def _failed(i: int, cell: str, kind: str) -> RequestRecord:
    n_in, n_out = (int(x) for x in cell.split("x"))
    return RequestRecord(
        id=i, cell=cell, input_target=n_in, output_target=n_out, error_kind=kind, attempts=3, e2e_s=9.9
    )


def test_failures_never_enter_percentiles() -> None:
    records = [_ok(i, "51x1", 0.5 + i / 100, 0.5 + i / 100, 1) for i in range(10)]
    records += [_failed(10, "51x1", "http_429"), _failed(11, "51x1", "timeout"), _failed(12, "51x1", "http_429")]
    records.append(
        RequestRecord(id=13, cell="51x1", input_target=51, output_target=1, warmup=True, ok=True, e2e_s=50.0)
    )
    [cell] = summarize(records).cells
    assert (cell.requests, cell.ok, cell.failed) == (13, 10, 3)
    assert cell.errors == {"http_429": 2, "timeout": 1}
    assert cell.retries == 6
    assert cell.e2e_s == {50.0: pytest.approx(0.545), 75.0: pytest.approx(0.5675), 90.0: pytest.approx(0.581)}


def test_cells_keep_their_order_and_costs_average_exactly() -> None:
    records = [
        _ok(0, "228x26", 1.4, 0.5, 26, "0.0001"),
        _ok(1, "51x1", 0.6, 0.6, 1, "0.0002"),
        _ok(2, "228x26", 1.5, 0.5, 20, "0.0002"),
    ]
    summary = summarize(records, (50.0, 99.0))
    assert [c.cell for c in summary.cells] == ["228x26", "51x1"]
    long = summary.cells[0]
    assert long.cost_per_request_usd == Decimal("0.00015")
    assert long.shortfall == 1 and long.output_tokens_mean == 23
    assert long.tpot_p50_s == pytest.approx(((1.4 - 0.5) / 25 + (1.5 - 0.5) / 19) / 2)


def test_latency_model_from_the_records() -> None:
    records = []
    for i in range(20):
        records.append(_ok(i, "51x1", 0.55, 0.55, 1))
        records.append(_ok(100 + i, "228x26", 0.55 + 25 * 0.036, 0.55, 26))
        records.append(_ok(200 + i, "232x1", 0.55, 0.55, 1))
    fit = summarize(records).fit
    assert fit is not None and fit.n == 60
    assert fit.per_output_s == pytest.approx(0.036)
    assert fit.per_input_s == pytest.approx(0.0, abs=1e-9)
