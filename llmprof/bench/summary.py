"""Request records -> per-cell percentiles and a fitted latency model. Pure functions.

Failed requests never enter a percentile: they are counted, by kind, beside them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from llmprof.bench.records import RequestRecord
from llmprof.stats import LatencyFit, fit_latency, percentile, percentiles

DEFAULT_PERCENTILES = (50.0, 75.0, 90.0)


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
    ttfb_p50_s: float | None = None
    ttfa_p50_s: float | None = None  # time to first answer token (after any reasoning)
    tpot_p50_s: float | None = None
    itl_p50_s: float | None = None
    tokens_per_s_p50: float | None = None
    output_tokens_mean: float | None = None
    reasoning_tokens_mean: float | None = None  # as the API reported them
    shortfall: int = 0  # successful requests that produced fewer tokens than asked
    local_counts: int = 0  # successes whose output count is local, not the API's
    retries: int = 0
    throttled_s: float = 0.0
    cost_per_request_usd: Decimal | None = None

    @property
    def failed(self) -> int:
        return self.requests - self.ok


@dataclass
class Summary:
    cells: list[CellSummary]
    fit: LatencyFit | None
    percentiles: tuple[float, ...]

    @property
    def failed(self) -> int:
        return sum(c.failed for c in self.cells)

    @property
    def errors(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for cell in self.cells:
            total.update(cell.errors)
        return total


def summarize(records: Sequence[RequestRecord], qs: Sequence[float] = DEFAULT_PERCENTILES) -> Summary:
    measured = [r for r in records if not r.warmup]
    order: dict[str, CellSummary] = {}
    for record in measured:
        if record.cell not in order:
            order[record.cell] = CellSummary(record.cell, record.input_target, record.output_target)
    cells = [_cell(summary, [r for r in measured if r.cell == summary.cell], qs) for summary in order.values()]
    ok = [r for r in measured if r.ok and r.e2e_s is not None]
    fit = fit_latency(
        [float(r.input_tokens_api if r.input_tokens_api is not None else r.input_target) for r in ok],
        [float(r.output_tokens or 0) for r in ok],
        [r.e2e_s for r in ok if r.e2e_s is not None],
    )
    return Summary(cells, fit, tuple(qs))


def _cell(summary: CellSummary, records: list[RequestRecord], qs: Sequence[float]) -> CellSummary:
    ok = [r for r in records if r.ok]
    summary.requests = len(records)
    summary.ok = len(ok)
    summary.errors = dict(Counter(r.error_kind or "unknown" for r in records if not r.ok))
    summary.retries = sum(max(0, r.attempts - 1) for r in records)
    summary.throttled_s = sum(r.throttled_s for r in records)
    summary.e2e_s = percentiles([r.e2e_s for r in ok if r.e2e_s is not None], qs)
    summary.ttft_s = percentiles([r.ttft_s for r in ok if r.ttft_s is not None], qs)
    summary.ttfb_p50_s = _p50([r.ttfb_s for r in ok])
    summary.ttfa_p50_s = _p50([r.ttfa_s for r in ok])
    summary.tpot_p50_s = _p50([r.tpot_s for r in ok])
    summary.itl_p50_s = _p50([gap for r in ok for gap in r.itl_s])
    summary.tokens_per_s_p50 = _p50([r.tokens_per_s for r in ok])
    outputs = [r.output_tokens for r in ok if r.output_tokens is not None]
    summary.output_tokens_mean = sum(outputs) / len(outputs) if outputs else None
    reasoning = [r.reasoning_tokens for r in ok if r.reasoning_tokens is not None]
    summary.reasoning_tokens_mean = sum(reasoning) / len(reasoning) if reasoning else None
    summary.shortfall = sum(1 for r in ok if r.output_tokens is not None and r.output_tokens < r.output_target)
    summary.local_counts = sum(1 for r in ok if r.tokens_source == "local")
    costs = [Decimal(r.cost_usd) for r in ok if r.cost_usd is not None]
    summary.cost_per_request_usd = sum(costs, Decimal(0)) / len(costs) if costs else None
    return summary


def _p50(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return percentile(present, 50) if present else None
