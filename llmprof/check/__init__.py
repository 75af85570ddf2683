"""``llmprof check``: today's cost (and latency) against a committed baseline and budgets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from llmprof.check.evaluate import CheckReport, diff, evaluate, evaluate_latency
from llmprof.check.items import Snapshot, load, save, snapshot
from llmprof.config import DEFAULT_BASELINE, Config
from llmprof.pricing import PriceTable


def baseline_path(config: Config, flag: Path | None) -> Path:
    return flag or config.baseline or config.root / DEFAULT_BASELINE


def update_baseline(config: Config, table: PriceTable, path: Path, today: dt.date) -> Snapshot:
    snap = snapshot(config, table, today)
    save(path, snap)
    return snap


def run(config: Config, table: PriceTable, path: Path, today: dt.date, bench_results: Path | None) -> CheckReport:
    before = load(path)
    after = snapshot(config, table, today)
    report = CheckReport(before, after, diff(before, after, table, today))
    evaluate(report, config.budgets)
    age = (today - table.date).days
    if age > config.budgets.max_pricing_age_days:
        report.warnings.append(
            f"the pricing table is {age} days old (limit {config.budgets.max_pricing_age_days}): "
            "upgrade llmprof or lay fresh rates over it with pricing: in llmprof.yaml"
        )
    for name in sorted({i.model for i in after.items}):
        warning = table.resolve(name).lifecycle(today)
        if warning:
            report.warnings.append(warning)
    approx = sorted({i.model for i in after.items if i.count == "approx"})
    if approx:
        report.warnings.append(
            f"token counts are approximate for {', '.join(approx)} (their tokenizers are not public)"
        )
    if bench_results is not None:
        from llmprof.bench import records

        evaluate_latency(report, records.load(bench_results), config.budgets)
    elif config.budgets.latency:
        report.warnings.append("latency budgets are set but no --bench-results file was given; they were not checked")
    return report
