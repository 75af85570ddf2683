"""Workload files (``llmprof plan``) under ``llmprof check``: listed in llmprof.yaml as
``workloads: [plan.yaml]``, each task on each model becomes a baseline item (its "request" is one
task, its traffic ``per_day``), so the project's budgets and the baseline's cost-increase checks
apply to it, and the workload's own budgets (cost per task, day and month, job duration) are
evaluated beside them.

The figure gated is the one the workload's ``budgets`` name: p90 unless ``percentile: p50``,
plain unless ``levers: [...]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from llmprof.check.evaluate import BudgetResult
from llmprof.check.items import Item
from llmprof.config import Config, Location
from llmprof.errors import PricingError
from llmprof.pricing import PriceTable

if TYPE_CHECKING:  # imported where used: llmprof.plan imports llmprof.check.evaluate
    from llmprof.plan.run import Plan


def plan_workloads(config: Config, table: PriceTable, today: dt.date) -> list[Plan]:
    """Every workload of the config, planned with today's table (a list of ``Plan``)."""
    from llmprof.plan.parse import load
    from llmprof.plan.run import plan

    plans: list[Plan] = []
    for path in config.workloads:
        result = plan(load(path), table, today)
        missing = result.unpriced()
        if missing:
            raise PricingError(f"{path}: {missing}", "drop those models or levers, or add the rate with pricing:.")
        plans.append(result)
    return plans


def workload_items(plans: list[Plan]) -> list[Item]:
    from llmprof.plan.budgets import figure_for

    items: list[Item] = []
    for result in plans:
        workload = result.workload
        budgets = workload.budgets
        digest = _digest(result)
        for explored in result.results:
            inputs = explored.inputs
            figure = figure_for(explored, budgets)
            items.append(
                Item(
                    set=workload.name,
                    prompt=inputs.task.name,
                    model=inputs.model.name,
                    count=inputs.count,
                    requests=figure.requests,
                    input_tokens=figure.input_tokens,
                    output_tokens=figure.output_tokens,
                    cost_per_request=figure.cost,
                    requests_per_day=inputs.task.per_day,
                    cached_input_tokens=figure.cached_tokens,
                    batch="batch" in budgets.levers,
                    reasoning_tokens=figure.reasoning_tokens,
                    lower_bound=tuple(inputs.lower_bound),
                    prompt_sha256=digest,
                    counting=inputs.counting,
                    basis=figure.basis,
                    kind="workload",
                )
            )
    return items


def workload_budgets(plans: list[Plan]) -> list[BudgetResult]:
    found: list[BudgetResult] = []
    for result in plans:
        found += [
            replace(b, subject=f"{result.workload.name}: {b.subject}", location=_where(result, b.budget))
            for b in result.budgets
        ]
    return found


def _where(result: Plan, budget: str) -> Location | None:
    """The workload file's line that sets ``budget`` (its ``budgets:`` line for an unmet one)."""
    source = result.workload.source
    if source is None:
        return None
    lines = result.workload.budgets.lines
    return Location(Path(source), lines.get(budget, lines.get("", 0)))


def _digest(result: Plan) -> str:
    """The workload file and every file its chat tasks read: an edit to any shows as a workload change."""
    from llmprof.plan.workload import Chat

    paths = [Path(result.workload.source)] if result.workload.source else []
    for task in result.workload.tasks:
        spec = task.spec
        if isinstance(spec, Chat):
            texts = [t for t in (spec.system, spec.user, spec.tool_result) if t is not None]
            paths += [path for text in texts for path in text.files]
            paths += [spec.tools] if spec.tools else []
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()
