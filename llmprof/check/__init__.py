"""``llmprof check``: today's cost (and latency) against a committed baseline and budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from llmprof.check.evaluate import BudgetResult, CheckReport, diff, evaluate, evaluate_latency
from llmprof.check.items import Snapshot, load, save, snapshot
from llmprof.check.workloads import plan_workloads, workload_budgets
from llmprof.config import DEFAULT_BASELINE, Config
from llmprof.pricing import PriceTable


def baseline_path(config: Config, flag: Path | None) -> Path:
    return flag or config.baseline or config.root / DEFAULT_BASELINE


def update_baseline(config: Config, table: PriceTable, path: Path, today: dt.date) -> Snapshot:
    snap = snapshot(config, table, today)
    save(path, snap)
    return snap


def check_project(
    config: Config,
    table: PriceTable,
    path: Path,
    today: dt.date,
    bench_results: Path | None = None,
    skip_latency: bool = False,
) -> CheckReport:
    """Today's figures against the baseline at ``path``, every budget evaluated (or failed)."""
    before = load(path)
    plans = plan_workloads(config, table, today) if config.workloads else []
    after = snapshot(config, table, today, plans)
    report = CheckReport(before, after, diff(before, after, table, today), ignore=frozenset(config.ignore_warnings))
    evaluate(report, config.budgets)
    report.budgets += workload_budgets(plans)
    stale = table.staleness(today, config.budgets.max_pricing_age_days)
    if stale:
        report.warn(
            "pricing-stale",
            f"{stale}: upgrade llmprof or lay fresh rates over it with pricing: in llmprof.yaml",
            "pricing" if config.pricing else "budgets.max_pricing_age_days",
        )
    for name in sorted({i.model for i in after.items}):
        warning = table.resolve(name).lifecycle(today)
        if warning:
            report.warn("model-shutdown", warning, _models_key(after, name))
    approx = sorted({(i.model, i.counting) for i in after.items if i.count == "approx"})
    if approx:
        named = ", ".join(f"{model} (counted with {how})" if how else model for model, how in approx)
        report.warn(
            "count-approx",
            f"token counts are approximate for {named}: see docs/tokenizers.md",
            _models_key(after, approx[0][0]),
        )
    if not config.budgets.latency:
        return report
    if bench_results is not None:
        from llmprof.bench.resultfile import load as load_result

        evaluate_latency(report, load_result(bench_results), config.budgets, str(bench_results))
    elif skip_latency:
        report.warn("latency-skipped", "latency budgets were not checked (--no-latency)", "budgets.latency")
    else:
        report.budgets.append(
            BudgetResult(
                "latency",
                "budgets.latency",
                Decimal(0),
                None,
                "s",
                "fail",
                "not evaluated: no --bench-results given (pass a bench result, or --no-latency to check cost only)",
            )
        )
    return report


def _models_key(snap: Snapshot, model: str) -> str:
    """The ``models`` key of the first prompt set that prices ``model``."""
    first = min(i.set for i in snap.items if i.model == model)
    return f"prompt_sets.{first}.models"
