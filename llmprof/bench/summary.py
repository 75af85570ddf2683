"""Request records -> per-cell percentiles (with confidence intervals), SLOs and goodput, and a
fitted latency model that says what it cannot support. Pure functions.

Failed requests never enter a percentile: they are counted, by kind, beside them. The model is
fitted twice, by least squares and by a robust (Huber) fit, and checked before it is believed:
its residuals against time (drift), against cells (a straight line that misses), and the two fits
against each other (outliers). Each problem becomes a warning with a hint, never a verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from llmprof.bench import slo
from llmprof.bench.records import BenchResult, RequestRecord
from llmprof.stats import LatencyFit, enough_for, fit_latency, percentile, percentiles, quantile_ci, trend

DEFAULT_PERCENTILES = (50.0, 75.0, 90.0)
#: Interval is a 95% distribution-free confidence interval (see :func:`llmprof.stats.quantile_ci`).
Interval = tuple[float, float] | None


@dataclass
class CellSummary:
    cell: str
    input_tokens: int
    output_tokens: int
    requests: int = 0
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    e2e_s: dict[float, float] = field(default_factory=dict)
    ttft_s: dict[float, float] = field(default_factory=dict)
    e2e_ci: dict[float, Interval] = field(default_factory=dict)
    ttft_ci: dict[float, Interval] = field(default_factory=dict)
    ttfb_p50_s: float | None = None
    ttfa_p50_s: float | None = None  # time to first answer token (after any reasoning)
    tpot_p50_s: float | None = None
    itl_p50_s: float | None = None
    tokens_per_s_p50: float | None = None
    output_tokens_mean: float | None = None
    reasoning_tokens_mean: float | None = None  # as the API reported them
    cached_input_tokens_mean: float | None = None  # cache reads, as the API reported them
    shortfall: int = 0  # successful requests that produced fewer tokens than asked
    local_counts: int = 0  # successes whose output count is local, not the API's
    retries: int = 0
    throttled_s: float = 0.0
    cost_per_request_usd: Decimal | None = None
    good: int | None = None  # requests meeting every SLO (None: no SLO)
    slo: list[slo.SloResult] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.requests - self.ok


@dataclass
class Summary:
    cells: list[CellSummary]
    fit: LatencyFit | None  # the model shown: least squares, or the robust fit when they disagree
    percentiles: tuple[float, ...]
    least_squares: LatencyFit | None = None
    robust: LatencyFit | None = None
    sample_warnings: list[str] = field(default_factory=list)  # percentiles from too few samples
    fit_warnings: list[str] = field(default_factory=list)  # the model: drift, misses, outliers, poor fit
    objectives: tuple[slo.Objective, ...] = ()
    duration_s: float | None = None

    @property
    def failed(self) -> int:
        return sum(c.failed for c in self.cells)

    @property
    def errors(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for cell in self.cells:
            total.update(cell.errors)
        return total

    @property
    def warnings(self) -> list[str]:
        return self.sample_warnings + self.fit_warnings

    @property
    def breaches(self) -> list[slo.SloResult]:
        return [r for c in self.cells for r in c.slo if not r.passed]

    @property
    def good(self) -> int | None:
        return None if not self.objectives else sum(c.good or 0 for c in self.cells)

    @property
    def measured(self) -> int:
        return sum(c.requests for c in self.cells)


def summarize_result(result: BenchResult, qs: Sequence[float] = DEFAULT_PERCENTILES) -> Summary:
    """A saved or finished run, summarised with the settings it recorded (SLOs, design, cells)."""
    settings = result.info.settings
    recorded = settings.get("slo")
    objectives = slo.parse_slo(",".join(recorded)) if isinstance(recorded, list) and recorded else ()
    cells = settings.get("cells")
    return summarize(
        result.records,
        qs,
        objectives=objectives,
        order=str(settings.get("order") or "sequential"),
        duration_s=result.info.duration_s,
        cell_order=[str(c) for c in cells] if isinstance(cells, list) else None,
    )


def summarize(
    records: Sequence[RequestRecord],
    qs: Sequence[float] = DEFAULT_PERCENTILES,
    *,
    objectives: Sequence[slo.Objective] = (),
    order: str = "interleaved",
    duration_s: float | None = None,
    cell_order: Sequence[str] | None = None,
) -> Summary:
    measured = [r for r in records if not r.warmup]
    by_cell: dict[str, list[RequestRecord]] = {}
    for label in cell_order or ():
        by_cell[label] = []
    for record in measured:
        by_cell.setdefault(record.cell, []).append(record)
    cells = [
        _cell(CellSummary(label, rs[0].input_target, rs[0].output_target), rs, qs, objectives)
        for label, rs in by_cell.items()
        if rs
    ]
    ok = [r for r in measured if r.ok and r.e2e_s is not None]
    inputs = [float(r.input_tokens_api if r.input_tokens_api is not None else r.input_target) for r in ok]
    outputs = [float(r.output_tokens or 0) for r in ok]
    e2e = [r.e2e_s for r in ok if r.e2e_s is not None]
    ols = fit_latency(inputs, outputs, e2e)
    robust = fit_latency(inputs, outputs, e2e, robust=True)
    summary = Summary(cells, ols, tuple(qs), ols, robust, objectives=tuple(objectives), duration_s=duration_s)
    summary.sample_warnings = _sample_warnings(cells, qs)
    if ols is not None and robust is not None:
        summary.fit = _choose(ols, robust, summary.fit_warnings)
        summary.fit_warnings += _residual_warnings(summary.fit, ok, cells, order)
    return summary


def _cell(
    summary: CellSummary, records: list[RequestRecord], qs: Sequence[float], objectives: Sequence[slo.Objective]
) -> CellSummary:
    ok = [r for r in records if r.ok]
    summary.requests = len(records)
    summary.ok = len(ok)
    summary.errors = dict(Counter(r.error_kind or "unknown" for r in records if not r.ok))
    summary.retries = sum(max(0, r.attempts - 1) for r in records)
    summary.throttled_s = sum(r.throttled_s for r in records)
    e2e = [r.e2e_s for r in ok if r.e2e_s is not None]
    ttft = [r.ttft_s for r in ok if r.ttft_s is not None]
    summary.e2e_s, summary.ttft_s = percentiles(e2e, qs), percentiles(ttft, qs)
    summary.e2e_ci = {q: quantile_ci(e2e, q) for q in qs} if e2e else {}
    summary.ttft_ci = {q: quantile_ci(ttft, q) for q in qs} if ttft else {}
    summary.ttfb_p50_s = _p50([r.ttfb_s for r in ok])
    summary.ttfa_p50_s = _p50([r.ttfa_s for r in ok])
    summary.tpot_p50_s = _p50([r.tpot_s for r in ok])
    summary.itl_p50_s = _p50([gap for r in ok for gap in r.itl_s])
    summary.tokens_per_s_p50 = _p50([r.tokens_per_s for r in ok])
    summary.output_tokens_mean = _mean([r.output_tokens for r in ok])
    summary.reasoning_tokens_mean = _mean([r.reasoning_tokens for r in ok])
    summary.cached_input_tokens_mean = _mean([r.cached_input_tokens for r in ok])
    summary.shortfall = sum(1 for r in ok if r.output_tokens is not None and r.output_tokens < r.output_target)
    summary.local_counts = sum(1 for r in ok if r.tokens_source == "local")
    costs = [Decimal(r.cost_usd) for r in ok if r.cost_usd is not None]
    summary.cost_per_request_usd = sum(costs, Decimal(0)) / len(costs) if costs else None
    if objectives:
        summary.slo = slo.evaluate(summary.cell, records, objectives)
        summary.good = sum(1 for r in records if slo.good(r, objectives))
    return summary


def _sample_warnings(cells: Sequence[CellSummary], qs: Sequence[float]) -> list[str]:
    warnings = []
    for q in qs:
        short = [c for c in cells if c.ok and not enough_for(q, c.ok)]
        if short:
            fewest = min(c.ok for c in short)
            need = _needed(q)
            warnings.append(
                f"p{q:g} from {fewest} sample(s) in {len(short)} cell(s) rests on the slowest one or two requests: "
                f"run at least {need} per cell (--runs {need}) to trust it"
            )
    return warnings


def _needed(q: float) -> int:
    n = 1
    while not enough_for(q, n):
        n += 1
    return n


def _choose(ols: LatencyFit, robust: LatencyFit, warnings: list[str]) -> LatencyFit:
    """Least squares unless a robust fit disagrees with it: then the outliers are pulling the
    line, and the robust figures are the ones to show (and the disagreement is said)."""
    differ = []
    for name, a, b, se, scale, unit in (
        ("each output token", ols.per_output_s, robust.per_output_s, ols.per_output_se, 1e3, "ms"),
        ("each 1K input tokens", ols.per_input_s, robust.per_input_s, ols.per_input_se, 1e6, "ms"),
    ):
        if a is None or b is None or se is None:
            continue
        if abs(a - b) > 2 * se and abs(a - b) > 0.1 * max(abs(a), abs(b)):
            differ.append(f"{name} {a * scale:.1f} vs {b * scale:.1f} {unit}")
    if not differ:
        return ols
    warnings.append(
        "least squares and a robust (Huber) fit disagree (" + "; ".join(differ) + "): slow outliers pull the "
        "least-squares line, so the robust figures are shown; look at the errors and the p90 column"
    )
    return robust


def _residual_warnings(
    fit: LatencyFit, ok: Sequence[RequestRecord], cells: Sequence[CellSummary], order: str
) -> list[str]:
    warnings = []
    residuals = {r.id: (r.e2e_s or 0.0) - _predicted(fit, r) for r in ok}
    times = [(r.sent_s if r.sent_s is not None else r.scheduled_s) for r in ok]
    drift = trend(times, [residuals[r.id] for r in ok])
    typical = percentile([r.e2e_s for r in ok if r.e2e_s is not None], 50) if ok else 0.0
    if drift is not None and drift.clear and abs(drift.slope * drift.span) > max(0.1 * typical, 0.005):
        change = drift.slope * drift.span * 1000
        design = (
            "the interleaved design spread it over every cell alike, so the length effects stand"
            if order == "interleaved"
            else "cells ran one after another, so length effects may be drift (use --order interleaved)"
        )
        warnings.append(
            f"latency drifted by {change:+.0f} ms over the {drift.span:.0f} s run ({drift.slope * 60000:+.1f} ms "
            f"per minute), apart from input and output length: {design}"
        )
    elif order == "sequential" and len(cells) > 1:
        warnings.append(
            "cells ran one after another (--order sequential): a drift during the run cannot be told "
            "apart from input or output length"
        )
    missed = []
    for cell in cells:
        values = [residuals[r.id] for r in ok if r.cell == cell.cell]
        if len(values) < 3:
            continue
        centre = sum(values) / len(values)
        spread = (sum((v - centre) ** 2 for v in values) / (len(values) - 1)) ** 0.5
        median = cell.e2e_s.get(50.0) or percentile([r.e2e_s or 0.0 for r in ok if r.cell == cell.cell], 50)
        if abs(centre) > 3 * spread / len(values) ** 0.5 and abs(centre) > 0.1 * median:
            missed.append(f"{cell.cell} by {centre * 1000:+.0f} ms")
    if missed:
        warnings.append(
            "the straight-line model misses cell(s) " + ", ".join(missed) + ": latency is not linear in "
            "length here, so read the per-cell percentiles, not the model"
        )
    if fit.r_squared < 0.5 and len(cells) > 1:
        warnings.append(
            f"the model explains little of the variation (R² = {fit.r_squared:.2f}): noise or effects it "
            "does not model dominate, so its coefficients are not conclusions"
        )
    return warnings


def _predicted(fit: LatencyFit, record: RequestRecord) -> float:
    tokens_in = record.input_tokens_api if record.input_tokens_api is not None else record.input_target
    return fit.fixed_s + (fit.per_input_s or 0.0) * tokens_in + (fit.per_output_s or 0.0) * (record.output_tokens or 0)


def _p50(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return percentile(present, 50) if present else None


def _mean(values: Sequence[int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
