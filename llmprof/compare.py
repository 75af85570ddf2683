"""Two bench results, cell by cell: did latency really change, or is it noise?

Each cell's e2e and TTFT samples (successful requests only) are compared with a two-sided
Mann-Whitney U test: it assumes no distribution shape, is robust to the long right tails that
latency has, and works with the ~20 runs a bench takes. Testing several cells and metrics at once
would multiply false alarms, so the p-values are adjusted with Holm's step-down method: the
chance that noise flags *any* of them stays at ``alpha``. A change counts as a regression only
when it is both larger than the threshold and significant after that adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from llmprof.bench.records import BenchResult
from llmprof.stats import mann_whitney, percentile

ALPHA = 0.05


@dataclass(frozen=True)
class MetricChange:
    metric: str  # "e2e" or "ttft"
    before_p50: float
    after_p50: float
    before_p90: float
    after_p90: float
    p_value: float | None  # Holm-adjusted across every metric of the comparison
    n_before: int
    n_after: int
    raw_p_value: float | None = None  # the test's own p-value, before adjustment

    @property
    def change_pct(self) -> float:
        return (self.after_p50 - self.before_p50) / self.before_p50 * 100 if self.before_p50 else 0.0

    def significant(self, alpha: float) -> bool:
        return self.p_value is not None and self.p_value < alpha


@dataclass(frozen=True)
class CellComparison:
    cell: str
    metrics: tuple[MetricChange, ...]
    no_data: str | None = None  # why this cell could not be compared

    def regression(self, threshold_pct: float, alpha: float) -> list[MetricChange]:
        return [m for m in self.metrics if m.change_pct > threshold_pct and m.significant(alpha)]


@dataclass(frozen=True)
class Comparison:
    before: BenchResult
    after: BenchResult
    cells: tuple[CellComparison, ...]
    only_before: tuple[str, ...]
    only_after: tuple[str, ...]
    alpha: float = ALPHA

    def regressions(self, threshold_pct: float) -> list[tuple[str, MetricChange]]:
        return [(c.cell, m) for c in self.cells for m in c.regression(threshold_pct, self.alpha)]

    def unusable(self) -> list[str]:
        """Why this comparison cannot clear anything: cells without data, unfinished runs."""
        reasons = [f"cell {c.cell}: {c.no_data}" for c in self.cells if c.no_data]
        for label, result, only in (("first", self.before, self.only_before), ("second", self.after, self.only_after)):
            ok = {r.cell for r in result.measured if r.ok}
            reasons += [f"cell {cell}: no successful request in the {label} result" for cell in only if cell not in ok]
        for label, result in (("the first", self.before), ("the second", self.after)):
            if result.info.interrupted:
                reasons.append(f"{label} result is from an interrupted run ({result.info.stop_reason or 'unfinished'})")
        if not self.cells:
            reasons.append("the two results share no cells")
        return reasons

    def failures(self, threshold_pct: float | None) -> list[str]:
        """Every reason a gate on this comparison fails: no data anywhere is never a pass."""
        reasons = self.unusable()
        if threshold_pct is not None:
            reasons += [
                f"{cell} {m.metric} p50 {m.change_pct:+.1f}% (p={m.p_value:.2g}) beyond {threshold_pct:g}%"
                for cell, m in self.regressions(threshold_pct)
            ]
        return reasons


def compare(before: BenchResult, after: BenchResult, alpha: float = ALPHA) -> Comparison:
    cells_before = _cells(before)
    cells_after = _cells(after)
    shared = [c for c in cells_before if c in cells_after]
    rows = []
    for cell in shared:
        metrics = []
        old_e2e, new_e2e = cells_before[cell]["e2e"], cells_after[cell]["e2e"]
        if len(old_e2e) < 2 or len(new_e2e) < 2:
            which = "first" if len(old_e2e) < 2 else "second"
            count = len(old_e2e) if which == "first" else len(new_e2e)
            rows.append(CellComparison(cell, (), f"{count} successful request(s) in the {which} result; 2 needed"))
            continue
        for metric in ("e2e", "ttft"):
            old, new = cells_before[cell][metric], cells_after[cell][metric]
            if len(old) < 2 or len(new) < 2:
                continue
            test = mann_whitney(old, new)
            metrics.append(
                MetricChange(
                    metric,
                    percentile(old, 50),
                    percentile(new, 50),
                    percentile(old, 90),
                    percentile(new, 90),
                    test.p_value if test else None,
                    len(old),
                    len(new),
                )
            )
        rows.append(CellComparison(cell, tuple(metrics)))
    rows = _holm(rows)
    return Comparison(
        before,
        after,
        tuple(rows),
        tuple(c for c in cells_before if c not in cells_after),
        tuple(c for c in cells_after if c not in cells_before),
        alpha,
    )


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def _holm(rows: list[CellComparison]) -> list[CellComparison]:
    tested = [m for row in rows for m in row.metrics if m.p_value is not None]
    adjusted = iter(holm([m.p_value for m in tested if m.p_value is not None]))
    out = []
    for row in rows:
        metrics = tuple(
            replace(m, p_value=next(adjusted), raw_p_value=m.p_value) if m.p_value is not None else m
            for m in row.metrics
        )
        out.append(CellComparison(row.cell, metrics, row.no_data))
    return out


def _cells(result: BenchResult) -> dict[str, dict[str, list[float]]]:
    """Samples per cell, in the order the run listed its cells (not the order they finished)."""
    listed = result.info.settings.get("cells")
    cells: dict[str, dict[str, list[float]]] = {
        str(label): {"e2e": [], "ttft": []} for label in (listed if isinstance(listed, list) else [])
    }
    seen = set()
    for record in result.measured:
        seen.add(record.cell)
        samples = cells.setdefault(record.cell, {"e2e": [], "ttft": []})
        if record.ok and record.e2e_s is not None:
            samples["e2e"].append(record.e2e_s)
            if record.ttft_s is not None:
                samples["ttft"].append(record.ttft_s)
    return {label: samples for label, samples in cells.items() if label in seen}
