"""Service-level objectives: ``--slo 'ttft_p90<0.5,e2e_p50<2'``, and the goodput they define.

An objective bounds one latency metric at one percentile, per cell: ``ttft_p90<0.5`` says 90% of a
cell's requests get their first token within half a second. A cell breaches it when the
percentile reaches the limit, or when it has no successful request to measure (no data never
passes). The same limits, read per request, define goodput: the share (and rate) of requests that
succeeded *and* met every limit, as DistServe and GuideLLM use the word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from llmprof.bench.records import RequestRecord
from llmprof.errors import UsageError
from llmprof.stats import percentile

#: metric name -> what it measures (per request, seconds)
METRICS = {
    "ttft": "time to first token",
    "ttfa": "time to first answer token (after any reasoning)",
    "e2e": "end-to-end latency",
    "tpot": "time per output token after the first",
    "itl": "the request's median gap between chunks",
}
_TERM = re.compile(r"^\s*(ttft|ttfa|e2e|tpot|itl)_p(\d+(?:\.\d+)?)\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
HINT = "write e.g. --slo 'ttft_p90<0.5,e2e_p50<2' (seconds; or 500ms), metrics: " + ", ".join(METRICS)


@dataclass(frozen=True)
class Objective:
    metric: str
    q: float  # percentile, 0 < q < 100
    limit_s: float
    inclusive: bool = False  # "<=": the limit itself meets it

    @property
    def label(self) -> str:
        return f"{self.metric}_p{self.q:g}{'<=' if self.inclusive else '<'}{self.limit_s:g}"

    def meets(self, value: float) -> bool:
        return value <= self.limit_s if self.inclusive else value < self.limit_s

    def value(self, record: RequestRecord) -> float | None:
        """This request's own value of the metric (None: not measured, e.g. no stream)."""
        if self.metric == "itl":
            return percentile(record.itl_s, 50) if record.itl_s else None
        value: float | None = getattr(record, f"{self.metric}_s")
        return value


def parse_slo(text: str) -> tuple[Objective, ...]:
    objectives = []
    for term in filter(None, (t.strip() for t in text.split(","))):
        match = _TERM.match(term)
        if match is None:
            raise UsageError(f"{term!r} is not an objective", HINT)
        metric, q, op, limit, unit = match.groups()
        if not 0 < float(q) < 100:
            raise UsageError(f"{term!r}: the percentile must be between 0 and 100", HINT)
        seconds = float(limit) / (1000 if unit == "ms" else 1)
        if seconds <= 0:
            raise UsageError(f"{term!r}: the limit must be above 0", HINT)
        objectives.append(Objective(metric, float(q), seconds, op == "<="))
    if not objectives:
        raise UsageError(f"no objectives in {text!r}", HINT)
    if len({(o.metric, o.q) for o in objectives}) != len(objectives):
        raise UsageError(f"{text!r} bounds the same percentile twice", HINT)
    return tuple(objectives)


@dataclass(frozen=True)
class SloResult:
    cell: str
    objective: Objective
    actual: float | None  # None: no successful request measured it
    passed: bool


def evaluate(cell: str, records: Sequence[RequestRecord], objectives: Sequence[Objective]) -> list[SloResult]:
    """Each objective on one cell's measured requests."""
    results = []
    for objective in objectives:
        values = [v for r in records if r.ok for v in [objective.value(r)] if v is not None]
        actual = percentile(values, objective.q) if values else None
        results.append(SloResult(cell, objective, actual, actual is not None and objective.meets(actual)))
    return results


def good(record: RequestRecord, objectives: Sequence[Objective]) -> bool:
    """Succeeded and met every objective's limit (a metric it did not measure does not meet it)."""
    if not record.ok:
        return False
    for objective in objectives:
        value = objective.value(record)
        if value is None or not objective.meets(value):
            return False
    return True
