"""Which model is cheapest for the whole workload among those that meet its limits: every call
fits the context window and the maximum output, and (with ``max_p90_latency``) every call's
p90 latency is known and within it. Quality is the user's call: the models are listed, ranked by
cost, and the cheapest one that meets the limits is pointed at, never chosen. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from llmprof.plan.levers import Explored
from llmprof.plan.workload import QS, Q, Task, seconds_text
from llmprof.pricing import ModelPrice


def scale(task: Task) -> int:
    """How many times a task's cost counts in the workload's total: per day, in all, or once."""
    return task.per_day or task.total or 1


@dataclass
class Choice:
    model: str
    cost: dict[Q, Decimal] = field(default_factory=dict)  # the workload at its traffic (a day, when given so)
    lower_bound: bool = False
    p90_latency_s: Decimal | None = None  # the slowest call at p90
    problems: list[str] = field(default_factory=list)  # why it does not meet the limits
    unpriced: str | None = None
    cheapest: bool = False

    @property
    def meets(self) -> bool:
        return self.unpriced is None and not self.problems


def choose(results: Sequence[Explored], models: Sequence[ModelPrice], max_p90_latency: Decimal | None) -> list[Choice]:
    choices = []
    for model in models:
        rows = [r for r in results if r.inputs.model.name == model.name]
        choice = Choice(model.name)
        choices.append(choice)
        missing = [r.unpriced for r in rows if r.unpriced]
        if missing:
            choice.unpriced = missing[0]
            continue
        choice.cost = {q: sum((r.plain[q].cost * scale(r.inputs.task) for r in rows), Decimal(0)) for q in QS}
        choice.lower_bound = any(r.inputs.lower_bound for r in rows)
        for row in rows:
            worst = row.plain["p90"]
            if model.context_window and worst.max_prompt + worst.max_output > model.context_window:
                choice.problems.append(
                    f"{row.inputs.task.name}: a {worst.max_prompt:,}-token prompt + {worst.max_output:,} output exceed "
                    f"its {model.context_window:,}-token context window"
                )
            if model.max_output and worst.max_output > model.max_output:
                choice.problems.append(
                    f"{row.inputs.task.name}: {worst.max_output:,} output tokens exceed its maximum "
                    f"of {model.max_output:,}"
                )
        latencies = [r.plain["p90"].slowest_s for r in rows]
        known = [x for x in latencies if x is not None]
        choice.p90_latency_s = max(known) if known and len(known) == len(latencies) else None
        if max_p90_latency is not None:
            if choice.p90_latency_s is None:
                choice.problems.append("p90 latency unknown: give it a --profile (a bench result) or a latency")
            elif choice.p90_latency_s > max_p90_latency:
                choice.problems.append(
                    f"p90 latency {seconds_text(choice.p90_latency_s)} is over {seconds_text(max_p90_latency)}"
                )
    meeting = [c for c in choices if c.meets]
    if len(meeting) >= 1 and len(choices) > 1:
        best = min(meeting, key=lambda c: c.cost["p50"])
        best.cheapest = not best.lower_bound  # a floor cannot be shown to be the cheapest
    return sorted(choices, key=lambda c: (c.unpriced is not None, c.cost.get("p50", Decimal(0))))
