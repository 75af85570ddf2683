"""``llmprof compare`` as a table and as JSON (schema ``llmprof.compare`` version 1)::

{"schema_version": 1, "kind": "llmprof.compare", "test": "mann-whitney-u", "alpha": 0.05,
 "threshold_pct": 10 | null, "regressions": n, "only_before": [...], "only_after": [...],
 "cells": [{"cell", "metric": "e2e" | "ttft", "before_p50_s", "after_p50_s", "before_p90_s",
            "after_p90_s", "change_pct", "p_value" (Holm-adjusted), "raw_p_value", "significant",
                "verdict", "n_before", "n_after"}]}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmprof.compare import Comparison, MetricChange
from llmprof.render.view import Column, View
from llmprof.units import percent


def verdict(m: MetricChange, alpha: float, threshold: float | None) -> str:
    if not m.significant(alpha):
        return "no significant change"
    direction = "slower" if m.after_p50 > m.before_p50 else "faster"
    if direction == "slower" and threshold is not None and m.change_pct > threshold:
        return "REGRESSION"
    return f"{direction} (significant)"


@dataclass
class CompareOutput:
    comparison: Comparison
    threshold_pct: float | None = None

    def _rows(self) -> list[tuple[str, MetricChange]]:
        return [(c.cell, m) for c in self.comparison.cells for m in c.metrics]

    @property
    def passed(self) -> bool:
        return not self.comparison.failures(self.threshold_pct)

    def failure(self) -> str:
        """Why the comparison fails as a gate, one reason per line (for stderr)."""
        reasons = self.comparison.failures(self.threshold_pct)
        regressed = len(self.comparison.regressions(self.threshold_pct)) if self.threshold_pct is not None else 0
        head = (
            f"latency regressed in {regressed} place(s)"
            if regressed and regressed == len(reasons)
            else f"compare failed ({len(reasons)} reason{'s' if len(reasons) != 1 else ''})"
        )
        return head + ":" + "".join(f"\n  - {reason}" for reason in reasons)

    def records(self) -> list[dict[str, Any]]:
        alpha = self.comparison.alpha
        return [
            {
                "cell": cell,
                "metric": m.metric,
                "before_p50_s": m.before_p50,
                "after_p50_s": m.after_p50,
                "before_p90_s": m.before_p90,
                "after_p90_s": m.after_p90,
                "change_pct": m.change_pct,
                "p_value": m.p_value,
                "raw_p_value": m.raw_p_value,
                "significant": m.significant(alpha),
                "verdict": verdict(m, alpha, self.threshold_pct),
                "n_before": m.n_before,
                "n_after": m.n_after,
            }
            for cell, m in self._rows()
        ]

    def document(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "schema_version": 1,
            "kind": "llmprof.compare",
            "test": "mann-whitney-u",
            "alpha": c.alpha,
            "threshold_pct": self.threshold_pct,
            "regressions": len(c.regressions(self.threshold_pct)) if self.threshold_pct is not None else None,
            "passed": self.passed,
            "problems": c.unusable(),
            "only_before": list(c.only_before),
            "only_after": list(c.only_after),
            "cells": self.records(),
        }

    def view(self) -> View:
        c = self.comparison
        view = View(
            f"Latency: {c.before.info.model} ({c.before.info.started_at}) → "
            f"{c.after.info.model} ({c.after.info.started_at})",
            [
                Column("Cell", "left"),
                Column("Metric", "left"),
                Column("p50 before → after (s)", priority=1),
                Column("Δ p50"),
                Column("p90 before → after (s)", priority=2),
                Column("p-value", priority=1),
                Column("Verdict", "left"),
            ],
        )
        for row in c.cells:
            if row.no_data:
                view.tones[(len(view.rows), 6)] = "bad"
                view.rows.append([row.cell, "e2e", "-", "-", "-", "-", "NO DATA"])
        for cell, m in self._rows():
            said = verdict(m, c.alpha, self.threshold_pct)
            if said == "REGRESSION":
                view.tones[(len(view.rows), 6)] = "bad"
            view.rows.append(
                [
                    cell,
                    m.metric,
                    f"{m.before_p50:.3f} → {m.after_p50:.3f}",
                    percent(m.change_pct),
                    f"{m.before_p90:.3f} → {m.after_p90:.3f}",
                    "-" if m.p_value is None else f"{m.p_value:.3g}",
                    said,
                ]
            )
        view.footer = [
            "Two-sided Mann-Whitney U test on each cell's successful requests; p-values Holm-adjusted "
            f"across all {sum(len(row.metrics) for row in c.cells)} comparisons; significant when p < {c.alpha:g}.",
        ]
        if self.threshold_pct is not None:
            view.footer.append(
                f"A regression is a p50 slowdown above {self.threshold_pct:g}% that is also significant."
            )
        if c.only_before:
            view.footer.append(f"Only in the first result: {', '.join(c.only_before)}.")
        if c.only_after:
            view.footer.append(f"Only in the second result: {', '.join(c.only_after)}.")
        view.footer.extend(f"Cannot compare: {reason}." for reason in c.unusable())
        return view
