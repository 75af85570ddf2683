"""Results to draw HTML reports of, built from fixed records (no clock, no network): a bench with
four crossed cells, failures and retries (open loop or not), a sweep, a comparison, a check, and a
bench and a check whose names are hostile markup. Shared by the structure tests and the browser
test; ``expected_charts`` says which charts each page must have."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

from llmprof.bench.records import BenchResult, RequestRecord, RunInfo
from llmprof.bench.summary import summarize_result
from llmprof.bench.sweep import steps_of
from llmprof.check.evaluate import CheckReport, diff, evaluate
from llmprof.check.items import Item, Snapshot
from llmprof.compare import compare
from llmprof.config import Budgets
from llmprof.pricing import PriceTable, load_table
from llmprof.render.bench import BenchOutput
from llmprof.render.check import CheckOutput
from llmprof.render.compare import CompareOutput
from llmprof.render.output import Renderable
from llmprof.render.sweep import SweepOutput
from tests.conftest import BASE_TABLE

HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
HOSTILE_URL = "https://api.example.test/v1/<svg onload=alert(3)>"
CELLS = {"100x1": (100, 1), "100x20": (100, 20), "1000x1": (1000, 1), "1000x20": (1000, 20)}
DAY = dt.date(2026, 6, 1)


def _noise(n: int) -> float:
    """A fixed, repeatable spread around 1 (no random module: the same numbers every run)."""
    return 1 + 0.08 * math.sin(n * 2.39996) + 0.03 * math.cos(n * 0.7)


def _records(scale: float, open_loop: bool, faults: bool, runs: int = 12) -> list[RequestRecord]:
    records: list[RequestRecord] = []
    names = list(CELLS)
    for run in range(runs):
        # interleaved blocks, each in another order: the first request is not the first cell, so
        # a chart that followed the records' order rather than the table's would show it
        shift = (run + 1) % len(names)
        for cell in names[shift:] + names[:shift]:
            tokens_in, tokens_out = CELLS[cell]
            i = len(records)
            e2e = round((0.30 + 0.00005 * tokens_in + 0.03 * (tokens_out - 1)) * scale * _noise(i), 6)
            ttft = round((0.30 + 0.00005 * tokens_in) * scale * _noise(i + 7), 6)
            failed = faults and i % 17 == 5
            retried = faults and i % 13 == 3
            scheduled = round(i * 0.25, 6)
            records.append(
                RequestRecord(
                    id=i, cell=cell, input_target=tokens_in, output_target=tokens_out, ok=not failed,
                    scheduled_s=scheduled, sent_s=round(scheduled + 0.001 * (i % 5), 6) if open_loop else scheduled,
                    attempts=2 if retried else 1, throttled_s=0.5 if retried else 0.0,
                    status=500 if failed else 200, error_kind="http_500" if failed else None,
                    e2e_s=None if failed else e2e, ttft_s=None if failed else ttft,
                    tpot_s=None if failed or tokens_out == 1 else round((e2e - ttft) / (tokens_out - 1), 6),
                    output_tokens=None if failed else tokens_out, input_tokens_api=None if failed else tokens_in,
                    tokens_source=None if failed else "api", cost_usd=None if failed else "0.0001",
                )
            )  # fmt: skip
    return records


def bench_result(
    scale: float = 1.0,
    *,
    model: str = "gpt-3.5-turbo",
    endpoint: str = "mock (built in)",
    open_loop: bool = False,
    faults: bool = True,
) -> BenchResult:
    settings: dict[str, object] = {
        "runs": 12,
        "warmup": 0,
        "concurrency": 4,
        "stream": True,
        "percentiles": [50, 75, 90],
        "cells": list(CELLS),
        "order": "interleaved",
    }
    if open_loop:
        settings.update(rate=4.0, arrival="poisson")
    info = RunInfo(
        "0.2.0", "test-1", "2026-11-01", endpoint, "openai", model, None, settings, "2026-11-21T10:00:00+00:00",
        endpoint_kind="mock", finished_at="2026-11-21T10:00:15+00:00", duration_s=12.5,
    )  # fmt: skip
    return BenchResult(info, _records(scale, open_loop, faults))


def bench(open_loop: bool = False, **names: str) -> BenchOutput:
    result = bench_result(open_loop=open_loop, **names)  # type: ignore[arg-type]
    return BenchOutput(result, summarize_result(result, (50.0, 75.0, 90.0)))


def sweep() -> SweepOutput:
    records: list[RequestRecord] = []
    rates = [2.0, 4.0, 8.0, 5.66]
    for step, rate in enumerate(rates):
        for n in range(16):
            i = len(records)
            queue = 0.02 * n * max(0.0, rate - 5)  # past 5 requests/s a queue builds
            e2e = round((0.3 + queue) * _noise(i), 6)
            scheduled = round(n / rate, 6)
            records.append(
                RequestRecord(
                    id=i, cell="100x1", input_target=100, output_target=1, step=step, ok=True, attempts=1,
                    scheduled_s=scheduled, sent_s=scheduled + 0.001, e2e_s=e2e, ttft_s=e2e, output_tokens=1,
                    tokens_source="api",
                )
            )  # fmt: skip
    settings = {"runs": 16, "cells": ["100x1"], "slo": ["e2e_p90<0.5"], "max_error_rate": 0.05, "order": "interleaved"}
    info = RunInfo(
        "0.2.0", "test-1", "2026-11-01", "mock (built in)", "openai", "gpt-3.5-turbo", None, settings,
        "2026-11-21T10:00:00+00:00", endpoint_kind="mock", steps=rates,
    )  # fmt: skip
    result = BenchResult(info, records)
    summary = summarize_result(result, (50.0, 90.0))
    return SweepOutput(result, summary, steps_of(result, (50.0, 90.0)))


def comparison(**names: str) -> CompareOutput:
    return CompareOutput(compare(bench_result(**names), bench_result(1.25, **names)), 10.0)  # type: ignore[arg-type]


def check(table: PriceTable, prompt: str = "prompts/a.txt", model: str = "mini") -> CheckOutput:
    def item(path: str, tokens: int, cost: str, name: str = model) -> Item:
        return Item("support", path, name, "exact", 1, tokens, 100, Decimal(cost), requests_per_day=10_000)

    before = Snapshot(
        "test-1",
        "2026-11-01",
        (),
        (item(prompt, 1000, "0.00021"), item("b.txt", 500, "0.000135"), item("c.txt", 80, "0.0001", "old")),
    )
    after = Snapshot(
        "test-1",
        "2026-11-01",
        (),
        (item(prompt, 1100, "0.000225"), item("b.txt", 500, "0.000135"), item("d.txt", 90, "0.00011", "old")),
    )
    report = CheckReport(before, after, diff(before, after, table, DAY))
    evaluate(report, Budgets(max_cost_increase_pct=Decimal(5), max_cost_per_day=Decimal(3)))
    report.warn("count-approx", f"token counts are approximate for {model}")
    return CheckOutput(report)


BENCH_CHARTS = [
    "e2e-ecdf",
    "e2e-percentiles",
    "e2e-histogram",
    "ttft-ecdf",
    "tpot-ecdf",
    "latency-vs-output",
    "latency-vs-input",
    "latency-over-time",
    "drift",
]
EXPECTED = {
    "bench": BENCH_CHARTS,
    "bench-open-loop": [*BENCH_CHARTS, "send-lag"],
    "sweep": ["sweep-latency", "sweep-throughput", "latency-over-time", "send-lag"],
    "compare": ["compare-ecdf", "compare-change"],
    "check": ["check-cost", "check-change", "check-breakdown", "check-budgets"],
    "hostile-bench": BENCH_CHARTS,
    "hostile-compare": ["compare-ecdf", "compare-change"],
    "hostile-check": ["check-cost", "check-change", "check-breakdown", "check-budgets"],
}


def table_in(folder: Path) -> PriceTable:
    """The tests' small price table (tests/conftest.py), for fixtures wider than one test."""
    path = folder / "base.yaml"
    path.write_text(BASE_TABLE, encoding="utf-8")
    return load_table(base=path)


def cases(table: PriceTable) -> dict[str, Renderable]:
    return {
        "bench": bench(),
        "bench-open-loop": bench(open_loop=True),
        "sweep": sweep(),
        "compare": comparison(),
        "check": check(table),
        "hostile-bench": bench(model=HOSTILE, endpoint=HOSTILE_URL),
        "hostile-compare": comparison(model=HOSTILE, endpoint=HOSTILE_URL),
        "hostile-check": check(table, prompt=f"prompts/{HOSTILE}.txt"),
    }
