"""Two bench results, cell by cell: did latency really change, or is it noise?

Each cell's e2e and TTFT samples (successful requests only) are compared with a two-sided
Mann-Whitney U test: it assumes no distribution shape, is robust to the long right tails that
latency has, and works with the ~20 runs a bench takes. A change counts as a regression only
when it is both larger than the threshold and significant at ``alpha``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    p_value: float | None
    n_before: int
    n_after: int

    @property
    def change_pct(self) -> float:
        return (self.after_p50 - self.before_p50) / self.before_p50 * 100 if self.before_p50 else 0.0

    def significant(self, alpha: float) -> bool:
        return self.p_value is not None and self.p_value < alpha


@dataclass(frozen=True)
class CellComparison:
    cell: str
    metrics: tuple[MetricChange, ...]

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


def compare(before: BenchResult, after: BenchResult, alpha: float = ALPHA) -> Comparison:
    cells_before = _cells(before)
    cells_after = _cells(after)
    shared = [c for c in cells_before if c in cells_after]
    rows = []
    for cell in shared:
        metrics = []
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
    return Comparison(
        before,
        after,
        tuple(rows),
        tuple(c for c in cells_before if c not in cells_after),
        tuple(c for c in cells_after if c not in cells_before),
        alpha,
    )


def _cells(result: BenchResult) -> dict[str, dict[str, list[float]]]:
    cells: dict[str, dict[str, list[float]]] = {}
    for record in result.measured:
        samples = cells.setdefault(record.cell, {"e2e": [], "ttft": []})
        if record.ok and record.e2e_s is not None:
            samples["e2e"].append(record.e2e_s)
            if record.ttft_s is not None:
                samples["ttft"].append(record.ttft_s)
    return cells
