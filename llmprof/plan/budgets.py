"""A workload's budgets (cost per task, day and month, job duration) against its figures, at
the budget's percentile (p90 unless told) and with the levers it names. A cost that is only a
floor fails when over the limit and is *not evaluated* (which fails too) when under it: what it
leaves out could take it over. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from llmprof.check.evaluate import BudgetResult, Status, Unit
from llmprof.errors import PricingError
from llmprof.plan.figures import Figure, evaluate
from llmprof.plan.levers import Explored
from llmprof.plan.workload import MONTH_DAYS, Budgets
from llmprof.units import usd

WARN_AT = Decimal("0.8")


def figure_for(result: Explored, budgets: Budgets) -> Figure:
    """The figure a budget gates: plain, or with the levers it names (those that apply)."""
    q = budgets.percentile
    if not budgets.levers:
        return result.plain[q]
    variant, policy = result.combined(budgets.levers)
    return evaluate(result.inputs, variant, q, policy)


def evaluate_budgets(results: Sequence[Explored], budgets: Budgets) -> list[BudgetResult]:
    out: list[BudgetResult] = []
    for result in results:
        task, model = result.inputs.task, result.inputs.model
        subject = f"{task.name} on {model.name} ({budgets.percentile}{_with(budgets)})"
        if result.unpriced:
            for name, limit in _limits(budgets):
                out.append(
                    BudgetResult(name, subject, limit, None, _unit(name), "fail", f"not priced: {result.unpriced}")
                )
            continue
        try:
            figure = figure_for(result, budgets)
        except PricingError as exc:
            for name, limit in _limits(budgets):
                note = f"not priced: {exc.message}"
                out.append(BudgetResult(name, subject, limit, None, _unit(name), "fail", note))
            continue
        floor = tuple(result.inputs.lower_bound)
        costs = {"max_cost_per_task": figure.cost}
        if task.per_day:
            costs["max_cost_per_day"] = figure.cost * task.per_day
            costs["max_cost_per_month"] = figure.cost * task.per_day * MONTH_DAYS
        for name, limit in _limits(budgets):
            if name == "max_job_duration":
                if figure.timing is None:
                    continue  # conversations have no job duration
                seconds = figure.timing.seconds
                if seconds is None:
                    out.append(
                        BudgetResult(
                            name, subject, limit, None, "s", "fail", "not evaluated: " + figure.timing.verdict()
                        )
                    )
                else:
                    out.append(BudgetResult(name, subject, limit, seconds, "s", _status(seconds, limit)))
                continue
            if name not in costs:
                continue  # a budget a day or a month is for the tasks that run daily
            out.append(_cost(name, subject, costs[name], limit, floor))
    return out + _unmet(results, budgets)


def _unmet(results: Sequence[Explored], budgets: Budgets) -> list[BudgetResult]:
    """A budget a day or a month with no task that runs daily cannot pass unseen."""
    if any(r.inputs.task.per_day for r in results):
        return []
    return [
        BudgetResult(name, "all tasks", limit, None, "usd", "fail", "not evaluated: no task has a per_day")
        for name, limit in _limits(budgets)
        if name in ("max_cost_per_day", "max_cost_per_month")
    ]


def _with(budgets: Budgets) -> str:
    return f", with {', '.join(budgets.levers)}" if budgets.levers else ""


def _limits(budgets: Budgets) -> list[tuple[str, Decimal]]:
    pairs = [
        ("max_cost_per_task", budgets.max_cost_per_task),
        ("max_cost_per_day", budgets.max_cost_per_day),
        ("max_cost_per_month", budgets.max_cost_per_month),
        ("max_job_duration", budgets.max_job_duration),
    ]
    return [(name, limit) for name, limit in pairs if limit is not None]


def _unit(name: str) -> Unit:
    return "s" if name == "max_job_duration" else "usd"


def _status(actual: Decimal, limit: Decimal) -> Status:
    if actual > limit:
        return "fail"
    return "warn" if limit > 0 and actual >= limit * WARN_AT else "pass"


def _cost(name: str, subject: str, actual: Decimal, limit: Decimal, floor: tuple[str, ...]) -> BudgetResult:
    if not floor:
        return BudgetResult(name, subject, limit, actual, "usd", _status(actual, limit))
    why = "; ".join(floor)
    if actual > limit:
        return BudgetResult(name, subject, limit, actual, "usd", "fail", f"at least that: a lower bound ({why})")
    return BudgetResult(
        name, subject, limit, None, "usd", "fail",
        f"not evaluated: the cost is at least {usd(actual)}, a lower bound ({why}); give reasoning_tokens",
    )  # fmt: skip
