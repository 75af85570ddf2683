"""A bench run's requests: warmups and measured jobs in the design's order, a sweep's steps, and
the pricer each finished request is priced with."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from llmprof import dates
from llmprof.bench.plan import Cell, PromptFactory, schedule
from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import PlannedRequest, Runner
from llmprof.bench.settings import BenchSettings
from llmprof.bench.summary import summarize
from llmprof.bench.sweep import STEP_S, Driver, Step, judge
from llmprof.bench.workers import ProcessRunner
from llmprof.pricing import ModelPrice, Usage, price_request
from llmprof.talk import Talk
from llmprof.tokens import count_messages


def plan_jobs(
    settings: BenchSettings, factory: PromptFactory, encoding: str, measured: bool = True
) -> list[PlannedRequest]:
    """Warmups (cycling through the cells), then every measured request in the design's order."""
    ids = itertools.count()
    jobs: list[PlannedRequest] = []
    cycle = itertools.cycle(settings.cells)
    for _ in range(settings.warmup or (1 if settings.sweep else 0)):  # a sweep's start rate needs one
        jobs.append(_job(next(ids), next(cycle), factory, encoding, warmup=True))
    if measured:
        for cell, block in schedule(settings.cells, settings.runs, settings.order, settings.seed):
            jobs.append(_job(next(ids), cell, factory, encoding, block=block))
    return jobs


def sweep_driver(
    settings: BenchSettings,
    runner_at: Callable[[float | None], Runner | ProcessRunner],
    factory: PromptFactory,
    encoding: str,
    warmup: list[PlannedRequest],
    talk: Talk,
) -> Driver:
    """Steps of ``runs`` requests per cell each, ids continuing after the warmup's."""
    ids = itertools.count(len(warmup))

    def plan(step: int, rate: float) -> list[PlannedRequest]:
        # at least --runs per cell, and enough to offer the rate for STEP_S seconds
        runs = max(settings.runs, math.ceil(rate * STEP_S / len(settings.cells)))
        order = schedule(settings.cells, runs, settings.order, settings.seed + step)
        return [replace(_job(next(ids), cell, factory, encoding, block=block), step=step) for cell, block in order]

    def judge_step(index: int, rate: float, records: list[RequestRecord]) -> Step:
        summary = summarize(records, settings.percentiles, objectives=settings.slo, order=settings.order)
        return judge(index, rate, records, summary, settings.max_error_rate)

    def on_step(step: Step) -> None:
        verdict = "passed" if step.ok else "failed: " + "; ".join(step.problems)
        achieved = f" ({step.achieved:.2f} completed/s)" if step.achieved else ""
        talk.note(f"sweep step {step.index + 1}: {step.rate:.2f} requests/s offered{achieved}: {verdict}")

    return Driver(runner_at, plan, warmup, judge_step, settings.rate, on_step)


def _job(
    job_id: int, cell: Cell, factory: PromptFactory, encoding: str, warmup: bool = False, block: int | None = None
) -> PlannedRequest:
    prompt = factory.make(cell.input_tokens)
    local = count_messages([{"role": "user", "content": prompt}], encoding)
    return PlannedRequest(job_id, cell, prompt, local, warmup, block)


def pricer(model: ModelPrice | None) -> Callable[[Usage], Decimal | None]:
    today = dates.today()

    def price(usage: Usage) -> Decimal | None:
        return None if model is None else price_request(model, usage, today).total

    return price
