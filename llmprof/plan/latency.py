"""How long one request takes, at p50 and p90: given, or from a bench result. Pure.

From a bench result: when its fitted latency model finds a clear effect of output length
(more than two standard errors from zero, and positive), a request's latency is
``fixed + per_output x output (+ per_input x input, when that is clear too)`` plus the p50 or
p90 of the measured requests' residuals around that line, so the fit's scatter is kept. When no
length effect is clear, the measured e2e p50 and p90 are used for every request. Seconds are
Decimals, so a job's duration is an exact sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from llmprof.plan.workload import Q, Seconds
from llmprof.stats import clear_of_zero, fit_latency, percentile

ZERO = Decimal(0)


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.9f}").normalize()


@dataclass(frozen=True)
class LatencyModel:
    source: str  # "given", "run.json"
    offset: Seconds  # added at each percentile (the whole latency when nothing depends on length)
    fixed: Decimal = ZERO
    per_input: Decimal = ZERO  # seconds per input token
    per_output: Decimal = ZERO  # seconds per output token

    def seconds(self, input_tokens: int, output_tokens: int, q: Q) -> Decimal:
        value = self.fixed + self.per_input * input_tokens + self.per_output * output_tokens + self.offset.at(q)
        return max(ZERO, value)

    @property
    def by_length(self) -> bool:
        return bool(self.per_input or self.per_output)

    def describe(self) -> str:
        if not self.by_length:
            if self.offset.p50 == self.offset.p90:
                return f"{_s(self.offset.p50)} per request ({self.source})"
            return f"{_s(self.offset.p50)} (p50) / {_s(self.offset.p90)} (p90) per request ({self.source})"
        parts = [f"{_s(self.fixed + self.offset.p50)} (p50) / {_s(self.fixed + self.offset.p90)} (p90) fixed"]
        if self.per_output:
            parts.append(f"+ {_ms(self.per_output)} per output token")
        if self.per_input:
            parts.append(f"+ {_ms(self.per_input * 1000)} per 1K input tokens")
        return " ".join(parts) + f" (fitted on {self.source})"


def _s(value: Decimal) -> str:
    return f"{round(value, 3).normalize():f} s"


def _ms(value: Decimal) -> str:
    return f"{round(value * 1000, 2).normalize():f} ms"


def given(p50: Decimal, p90: Decimal) -> LatencyModel:
    return LatencyModel("given", Seconds(p50, p90))


def measured(
    inputs: Sequence[float], outputs: Sequence[float], e2e: Sequence[float], source: str
) -> tuple[LatencyModel, str | None]:
    """A latency model from a bench's successful requests, and a note on how it was made."""
    fit = fit_latency(inputs, outputs, e2e)
    per_output = per_input = 0.0
    if fit is not None and clear_of_zero(fit.per_output_s, fit.per_output_se) and (fit.per_output_s or 0) > 0:
        per_output = fit.per_output_s or 0.0
        if clear_of_zero(fit.per_input_s, fit.per_input_se) and (fit.per_input_s or 0) > 0:
            per_input = fit.per_input_s or 0.0
    if not per_output:
        note = f"{source}: latency does not depend measurably on length there; its e2e p50 and p90 are used"
        return LatencyModel(source, Seconds(_dec(percentile(e2e, 50)), _dec(percentile(e2e, 90)))), note
    assert fit is not None
    residuals = [
        y - (fit.fixed_s + per_input * i + per_output * o) for i, o, y in zip(inputs, outputs, e2e, strict=True)
    ]
    model = LatencyModel(
        source,
        Seconds(_dec(percentile(residuals, 50)), _dec(percentile(residuals, 90))),
        fixed=_dec(fit.fixed_s),
        per_input=_dec(per_input),
        per_output=_dec(per_output),
    )
    return model, None
