"""Every result in every output format, from fixed inputs, compared byte for byte with a committed
snapshot (tests/render/snapshots/). A change to what people or machines see shows up as a diff in
review. After an intended change: LLMPROF_UPDATE_SNAPSHOTS=1 pytest tests/render, then read the diff.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof import estimate
from llmprof.bench.records import BenchResult, RequestRecord, RunInfo
from llmprof.bench.summary import summarize
from llmprof.check.evaluate import CheckReport, diff, evaluate, evaluate_latency
from llmprof.check.items import Item, Snapshot
from llmprof.compare import compare
from llmprof.config import Budgets
from llmprof.inputs import Source
from llmprof.pricing import PriceTable
from llmprof.render.bench import BenchOutput
from llmprof.render.check import CheckOutput
from llmprof.render.compare import CompareOutput
from llmprof.render.estimate import EstimateOutput
from llmprof.render.output import Format, Renderable, emit
from llmprof.render.pricing import PricingList, PricingShow

SNAPSHOTS = Path(__file__).parent / "snapshots"
DAY = dt.date(2026, 6, 1)
D = Decimal


def _estimate(table: PriceTable, tmp_path: Path) -> Renderable:
    (tmp_path / "prompt.txt").write_text("You are a helpful assistant. " * 40)
    settings = estimate.Settings(output_tokens=150, requests=1000, as_of=DAY)
    sources = [Source("prompt.txt", tmp_path / "prompt.txt")]
    return EstimateOutput(estimate.estimate_prompts(table, sources, ["mini", "old", "cachey"], settings))


def _records(scale: float = 1.0, failed: int = 0) -> list[RequestRecord]:
    records: list[RequestRecord] = []
    for cell, (i, o, base) in {"51x1": (51, 1, 0.55), "228x26": (228, 26, 1.40)}.items():
        for n in range(10):
            e2e = round((base + 0.01 * n) * scale, 6)
            ok = n >= failed
            records.append(
                RequestRecord(
                    id=len(records), cell=cell, input_target=i, output_target=o, ok=ok, attempts=1,
                    e2e_s=e2e if ok else None, ttft_s=round(0.5 * scale + 0.001 * n, 6) if ok else None,
                    ttfb_s=0.01 if ok else None, itl_s=[0.035] * (o - 1) if ok else [],
                    output_tokens=o if ok else None, tokens_source="api" if ok else None,
                    tpot_s=round((e2e - 0.5 * scale) / (o - 1), 6) if ok and o > 1 else None,
                    error_kind=None if ok else "http_500", status=200 if ok else 500,
                    cost_usd="0.0000625" if ok else None,
                )
            )  # fmt: skip
    return records


def _bench(scale: float = 1.0, failed: int = 0) -> BenchResult:
    settings = {"runs": 10, "warmup": 2, "concurrency": 4, "stream": True, "percentiles": [50, 75, 90]}
    info = RunInfo(
        "0.2.0", "test-1", "2026-11-01", "mock (built in)", "openai", "gpt-3.5-turbo", "mini", settings,
        "2026-11-21T10:00:00+00:00", endpoint_kind="mock", finished_at="2026-11-21T10:00:05+00:00", duration_s=5.0,
    )  # fmt: skip
    return BenchResult(info, _records(scale, failed))


def _bench_output() -> Renderable:
    result = _bench(failed=2)
    return BenchOutput(result, summarize(result.records, (50.0, 75.0, 90.0)))


def _check(table: PriceTable) -> Renderable:
    def item(prompt: str, tokens: int, cost: str) -> Item:
        return Item("support", prompt, "mini", "exact", 1, tokens, 100, D(cost), requests_per_day=10_000)

    before = Snapshot("test-1", "2026-11-01", (), (item("a.txt", 1000, "0.00021"), item("b.txt", 500, "0.000135")))
    after = Snapshot("test-1", "2026-11-01", (), (item("a.txt", 1100, "0.000225"), item("b.txt", 500, "0.000135")))
    report = CheckReport(before, after, diff(before, after, table, DAY))
    budgets = Budgets(max_cost_increase_pct=D(5), max_cost_per_day=D(3), latency={"p90_e2e_s": D("1.5")})
    evaluate(report, budgets)
    evaluate_latency(report, _bench(), budgets, "bench.json")
    report.warn("count-approx", "token counts are approximate for cachey (their tokenizers are not public)")
    return CheckOutput(report)


def _plan(table: PriceTable, tmp_path: Path) -> Renderable:
    from llmprof.plan.run import plan
    from llmprof.plan.workload import Budgets as PlanBudgets
    from llmprof.plan.workload import Chat, Dist, Job, Levers, Limits, ModelSpec, Seconds, Task, Text, Workload
    from llmprof.render.plan import PlanOutput

    (tmp_path / "doc.txt").write_text("hello" + " hello" * 499)
    chat = Chat(
        system=Text(Dist.of(1200)), turns=4, user=Text(Dist(100, 250)), reply=Dist(200, 400),
        think_time=Seconds(D(30), D(60)),
    )  # fmt: skip
    job = Job(prompts=(str(tmp_path / "doc.txt"),), repeat=1000, system=Text(Dist.of(1500)), output=Dist(150, 300))
    workload = Workload(
        name="snapshot",
        source=None,
        tasks=(
            Task(name="chat", kind="conversation", spec=chat, per_day=500),
            Task(name="digest", kind="job", spec=job, total=3),
        ),
        models=(ModelSpec(name="mini", latency=Seconds(D("0.8"), D("1.5"))), ModelSpec(name="cachey")),
        limits=Limits(rpm=200, tpm=150_000, concurrency=8),
        levers=Levers(max_tokens=300, keep_last_turns=2),
        max_p90_latency=D(2),
        budgets=PlanBudgets(max_cost_per_day=D(1), max_job_duration=D(600)),
    )
    return PlanOutput(plan(workload, table, DAY), per_turn=True)


def _compare() -> Renderable:
    return CompareOutput(compare(_bench(), _bench(scale=1.3)), 10.0)


CASES = {
    "estimate": _estimate,
    "bench": lambda table, tmp: _bench_output(),
    "check": lambda table, tmp: _check(table),
    "compare": lambda table, tmp: _compare(),
    "plan": _plan,
    "pricing-list": lambda table, tmp: PricingList(table, table.on(DAY), DAY),
    "pricing-show": lambda table, tmp: PricingShow(table, table.resolve("cachey"), DAY),
}
EXTENSIONS = {Format.table: "txt", Format.json: "json", Format.csv: "csv", Format.markdown: "md"}


@pytest.mark.parametrize("fmt", list(EXTENSIONS), ids=[f.value for f in EXTENSIONS])
@pytest.mark.parametrize("case", list(CASES))
def test_output_matches_its_snapshot(case: str, fmt: Format, table: PriceTable, tmp_path: Path) -> None:
    out = io.StringIO()
    emit(CASES[case](table, tmp_path), fmt, out)  # type: ignore[no-untyped-call]
    text = out.getvalue().replace("0.2.0", "VERSION").replace(_version(), "VERSION").replace(str(tmp_path), "<tmp>")
    snapshot = SNAPSHOTS / f"{case}.{EXTENSIONS[fmt]}"
    if os.environ.get("LLMPROF_UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run with LLMPROF_UPDATE_SNAPSHOTS=1 and review it"
    assert text == snapshot.read_text(encoding="utf-8")


def _version() -> str:
    from llmprof import __version__

    return __version__
