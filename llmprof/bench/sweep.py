"""``bench --sweep``: the highest request rate the endpoint sustains within the SLOs.

Each step is an open-loop run at one offered rate (latency counts from each request's scheduled
send, so queueing is never hidden: no coordinated omission). The rate doubles from a start until
a step fails, then the search bisects (geometrically) between the last rate that passed and the
first that failed, until they are within ``resolution`` of each other. A step fails when a cell
breaches an SLO, when too many requests fail, or when the endpoint is saturated: a queue that only
grows, seen as latency rising steadily with each request's send time within the step (by more
than ``SATURATED`` of the step's median latency from its first request to its last).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmprof.bench.records import BenchResult, RequestRecord
from llmprof.bench.runner import PlannedRequest, Runner

if TYPE_CHECKING:
    from llmprof.bench.workers import ProcessRunner
from llmprof.bench.summary import Summary, summarize
from llmprof.stats import percentile, trend

GROWTH = 2.0
STEP_S = 10.0  # each step offers its rate for at least this long, so a queue has time to show
#: The client sending under this share of the offered rate did not test that rate.
CLIENT_BEHIND = 0.9
RESOLUTION = 0.1  # stop when the failing rate is within 10% of the passing one
MAX_STEPS = 12
#: Latency rising by more than this share of the median over one step: a queue is building.
SATURATED = 0.5


class Search:
    """Which rate to try next, from the verdicts so far (pure: no I/O, no clock)."""

    def __init__(self, start: float, resolution: float = RESOLUTION, max_steps: int = MAX_STEPS) -> None:
        self.start = start
        self.resolution = resolution
        self.max_steps = max_steps
        self.passed: float | None = None  # the highest rate that passed
        self.failed: float | None = None  # the lowest rate that failed
        self.steps = 0

    def next(self) -> float | None:
        if self.steps >= self.max_steps:
            return None
        if self.steps == 0:
            return self.start
        if self.failed is None:
            assert self.passed is not None
            return self.passed * GROWTH
        if self.passed is None:
            return self.failed / GROWTH
        if self.failed <= self.passed * (1 + self.resolution):
            return None
        return math.sqrt(self.passed * self.failed)

    def record(self, rate: float, ok: bool) -> None:
        self.steps += 1
        if ok:
            self.passed = rate if self.passed is None else max(self.passed, rate)
        else:
            self.failed = rate if self.failed is None else min(self.failed, rate)


@dataclass
class Step:
    index: int
    rate: float  # offered, requests/s
    records: list[RequestRecord]
    summary: Summary
    achieved: float | None  # completions per second while the step ran
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def achieved_rate(records: Sequence[RequestRecord]) -> float | None:
    """Successful requests per second over the step, from its start to the last completion."""
    ends = [r.scheduled_s + r.e2e_s for r in records if not r.warmup and r.ok and r.e2e_s is not None]
    return len(ends) / max(ends) if ends and max(ends) > 0 else None


def send_rate(records: Sequence[RequestRecord]) -> float | None:
    """Requests per second the client really sent, first send to last."""
    sent = sorted(r.sent_s for r in records if not r.warmup and r.sent_s is not None)
    if len(sent) < 2 or sent[-1] <= sent[0]:
        return None
    return (len(sent) - 1) / (sent[-1] - sent[0])


def queue_growth(records: Sequence[RequestRecord]) -> float | None:
    """How much latency rose from the step's first request to its last, as a share of its median
    latency, when the rise is clear of noise (None when it is not)."""
    ok = [r for r in records if not r.warmup and r.ok and r.e2e_s is not None]
    rise = trend([r.scheduled_s for r in ok], [r.e2e_s or 0.0 for r in ok])
    if rise is None or not rise.clear or rise.slope <= 0:
        return None
    return rise.slope * rise.span / percentile([r.e2e_s or 0.0 for r in ok], 50)


def judge(
    index: int,
    rate: float,
    records: list[RequestRecord],
    summary: Summary,
    max_error_rate: float,
) -> Step:
    achieved = achieved_rate(records)
    problems = [f"cell {b.cell}: {b.objective.label} not met" for b in summary.breaches]
    measured = summary.measured
    if measured == 0:
        problems.append("no request finished")
    elif summary.failed / measured > max_error_rate:
        problems.append(f"{summary.failed} of {measured} requests failed")
    sent = send_rate(records)
    if sent is not None and sent < CLIENT_BEHIND * rate:
        problems.append(f"the client sent only {sent:.2f} requests/s: this rate was not tested (client-limited)")
    growth = queue_growth(records)
    if growth is not None and growth > SATURATED:
        problems.append(f"saturated: latency rose {growth:.0%} over the step (a growing queue)")
    return Step(index, rate, records, summary, achieved, problems)


def start_rate(warmup: Sequence[RequestRecord]) -> float:
    """One stream's throughput from the warmup (1 / its median latency): a rate any endpoint
    that answers at all can take, so the first step passes unless the SLOs are out of reach."""
    latencies = [r.e2e_s for r in warmup if r.ok and r.e2e_s]
    return 1 / percentile(latencies, 50) if latencies else 1.0


def steps_of(result: BenchResult, qs: Sequence[float]) -> list[Step]:
    """A saved sweep, step by step, judged again from its records and settings."""
    from llmprof.bench import slo

    settings = result.info.settings
    recorded = settings.get("slo")
    objectives = slo.parse_slo(",".join(recorded)) if isinstance(recorded, list) and recorded else ()
    max_error_rate = settings.get("max_error_rate")
    limit = float(max_error_rate) if isinstance(max_error_rate, (int, float)) else 0.5
    steps = []
    for index, rate in enumerate(result.info.steps or []):
        records = [r for r in result.records if r.step == index]
        summary = summarize(records, qs, objectives=objectives, order=str(settings.get("order") or "interleaved"))
        steps.append(judge(index, rate, records, summary, limit))
    return steps


def best(steps: Sequence[Step]) -> Step | None:
    passed = [s for s in steps if s.ok]
    return max(passed, key=lambda s: s.rate) if passed else None


class Driver:
    """Runs the sweep's steps one after another on one endpoint: a closed-loop warmup (whose
    latency sets the start rate unless one is given), then open-loop steps as :class:`Search`
    picks their rates. Looks like a :class:`~llmprof.bench.runner.Runner` to the session."""

    def __init__(
        self,
        make_runner: Callable[[float | None], Runner | ProcessRunner],
        plan: Callable[[int, float], list[PlannedRequest]],
        warmup: list[PlannedRequest],
        judge_step: Callable[[int, float, list[RequestRecord]], Step],
        start: float | None,
        on_step: Callable[[Step], None],
    ) -> None:
        self._make_runner = make_runner
        self._plan = plan
        self._warmup = warmup
        self._judge = judge_step
        self._start = start
        self._on_step = on_step
        self.records: list[RequestRecord] = []
        self.rates: list[float] = []
        self.steps: list[Step] = []
        self.lags_s: list[float] = []
        self.cpu_s: float | None = None
        self.duration_s: float | None = None

    async def run(self) -> None:
        warm = self._make_runner(None)
        await self._run(warm, self._warmup)
        search = Search(self._start or start_rate(warm.records))
        while (rate := search.next()) is not None:
            index = len(self.rates)
            self.rates.append(rate)
            runner = self._make_runner(rate)
            await self._run(runner, self._plan(index, rate))
            step = self._judge(index, rate, runner.records)
            self.steps.append(step)
            search.record(rate, step.ok)
            self._on_step(step)

    async def _run(self, runner: Runner | ProcessRunner, jobs: list[PlannedRequest]) -> None:
        try:
            await runner.run(jobs)
        finally:
            self.records.extend(runner.records)
            self.lags_s.extend(runner.lags_s)
            if runner.cpu_s is not None:
                self.cpu_s = (self.cpu_s or 0.0) + runner.cpu_s
            if runner.duration_s is not None:
                self.duration_s = (self.duration_s or 0.0) + runner.duration_s
