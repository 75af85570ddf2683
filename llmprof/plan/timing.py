"""How long a job takes, and which limit decides it. Pure.

Each constraint gives a lower bound on the wall-clock time of ``n`` requests:

* **latency**: one request at a time (concurrency 1), so the sum of their latencies; with no
  concurrency limit, the slowest single request (everything in flight at once);
* **concurrency**: ``C`` in flight, so the sum of latencies over ``C``;
* **RPM**: ``n`` requests at ``rpm`` a minute take ``n / rpm`` minutes;
* **TPM**: input plus output tokens at ``tpm`` a minute.

The job takes at least the largest bound: that constraint *binds*. 429 pressure compares the
rate the client would send at (``C`` in flight, each taking the mean latency) with the limits:
above them, unpaced requests are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from llmprof.plan.workload import Limits, long_seconds, seconds_text

MINUTE = Decimal(60)
#: Batch APIs promise results within 24 hours: OpenAI (completion_window "24h"), Anthropic
#: Message Batches ("within 24 hours", most sooner), Gemini Batch Mode (24-hour target).
BATCH_WINDOW_S = Decimal(86_400)


@dataclass(frozen=True)
class Bound:
    name: str  # latency, concurrency, rpm, tpm
    seconds: Decimal
    detail: str


@dataclass
class Timing:
    requests: int
    tokens: int
    bounds: list[Bound] = field(default_factory=list)
    pressure: list[str] = field(default_factory=list)

    @property
    def binding(self) -> Bound | None:
        return max(self.bounds, key=lambda b: b.seconds) if self.bounds else None

    @property
    def seconds(self) -> Decimal | None:
        bound = self.binding
        return bound.seconds if bound else None

    def verdict(self) -> str:
        bound = self.binding
        if bound is None:
            return "unknown: give a latency (--latency or a --profile) or a rate limit (--rpm, --tpm)"
        label = bound.name.upper() if bound.name in ("rpm", "tpm") else bound.name
        return f"{label} binds: {bound.detail}"


def _ratio(value: Decimal) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def job_timing(requests: int, tokens: int, work_s: Decimal | None, slowest_s: Decimal | None, limits: Limits) -> Timing:
    """Bounds for ``requests`` sends carrying ``tokens`` (input + output) whose latencies sum
    to ``work_s``, the slowest being ``slowest_s`` (None: latency unknown)."""
    timing = Timing(requests, tokens)
    n = f"{requests:,} requests"
    c = limits.concurrency
    if work_s is not None and requests:
        mean = work_s / requests
        if c is None:
            timing.bounds.append(
                Bound("latency", slowest_s or mean, "no concurrency limit, so the slowest single request decides")
            )
        elif c == 1:
            detail = f"{n} × {seconds_text(mean)} one at a time (concurrency 1) = {long_seconds(work_s)}"
            timing.bounds.append(Bound("latency", work_s, detail))
        else:
            detail = f"{n} × {seconds_text(mean)} with {c} in flight = {long_seconds(work_s / c)}"
            timing.bounds.append(Bound("concurrency", work_s / c, detail))
    if limits.rpm:
        seconds = Decimal(requests) * MINUTE / limits.rpm
        detail = f"{n} at {limits.rpm:,} a minute take at least {long_seconds(seconds)}"
        timing.bounds.append(Bound("rpm", seconds, detail))
    if limits.tpm:
        seconds = Decimal(tokens) * MINUTE / limits.tpm
        detail = f"{tokens:,} tokens (in + out) at {limits.tpm:,} a minute take at least {long_seconds(seconds)}"
        timing.bounds.append(Bound("tpm", seconds, detail))
    timing.pressure = _pressure(requests, tokens, work_s, limits)
    return timing


def _pressure(requests: int, tokens: int, work_s: Decimal | None, limits: Limits) -> list[str]:
    if not (limits.rpm or limits.tpm) or not requests:
        return []
    if work_s is None:
        return ["no latency known: send at most the limits' rate, or expect 429s"]
    if not work_s:
        return ["a latency of 0 s: requests go out as fast as they are sent; pace them to the limits"]
    if limits.concurrency is None:
        return ["no concurrency limit: sent all at once, requests beyond the limits get 429; pace them"]
    rpm = Decimal(limits.concurrency) * MINUTE * requests / work_s  # C in flight, each the mean latency
    lines = []
    for name, demand, limit, unit in (
        ("RPM", rpm, limits.rpm, "requests"),
        ("TPM", rpm * tokens / requests, limits.tpm, "tokens"),
    ):
        if not limit:
            continue
        ratio = demand / limit
        if ratio > 1:
            refused = (1 - 1 / ratio) * 100
            lines.append(
                f"{name}: concurrency {limits.concurrency} would send {demand:,.0f} {unit}/min, "
                f"{_ratio(ratio)}× the {limit:,} limit: pace to {limit:,}/min, or about {refused:.0f}% of "
                "attempts get 429"
            )
        else:
            lines.append(
                f"{name}: at most {demand:,.0f} {unit}/min, {ratio * 100:.0f}% of the {limit:,} limit: no 429 pressure"
            )
    return lines


def daily_load(requests_per_day: int, tokens_per_day: int, limits: Limits) -> list[str]:
    """Average use of the rate limits by a day's traffic (peaks are not modelled)."""
    lines = []
    per_minute = Decimal(requests_per_day) / 1440
    if limits.rpm:
        lines.append(
            f"RPM: {requests_per_day:,} requests a day average {per_minute:,.1f}/min, "
            f"{per_minute / limits.rpm * 100:.1f}% of the {limits.rpm:,} limit (peaks not modelled)"
        )
    if limits.tpm:
        tokens = Decimal(tokens_per_day) / 1440
        lines.append(
            f"TPM: {tokens_per_day:,} tokens a day average {tokens:,.0f}/min, "
            f"{tokens / limits.tpm * 100:.1f}% of the {limits.tpm:,} limit (peaks not modelled)"
        )
    return lines
