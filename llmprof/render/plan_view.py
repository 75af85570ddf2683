"""The plan as people read it: the cost table with one footer (prices, assumptions, where each
number came from), then the what-ifs ranked, durations, model selection, budgets and, with
``--per-turn``, each conversation call by call. Costs read ``p50 / p90`` (one figure when they
agree); ``≥`` marks a lower bound, as in ``estimate``."""

from __future__ import annotations

from llmprof.plan.run import Plan
from llmprof.plan.workload import MONTH_DAYS
from llmprof.render.plan_cells import duration_cell, pair, token_pair
from llmprof.render.plan_notes import budgets_view, footer, levers_view, selection_view, timing_view, turns_views
from llmprof.render.view import Column, View
from llmprof.units import tokens


def main_view(plan: Plan, per_turn: bool) -> View:
    tasks = plan.workload.tasks
    daily = any(t.per_day for t in tasks)
    totals = any(t.total for t in tasks)
    jobs = any(t.kind == "job" for t in tasks)
    columns = [
        Column("Task", "left"),
        Column("Model", "left"),
        Column("Calls", priority=4),
        Column("Tokens in", priority=2),
        Column("Count", "left", priority=3),
        Column("Tokens out", priority=2),
        Column("Per task"),
        *([Column("Per day"), Column(f"Per month ({MONTH_DAYS} d)", priority=1)] if daily else []),
        *([Column("Total")] if totals else []),
        *([Column("Duration")] if jobs else []),
    ]
    view = View(f"Workload plan: {plan.workload.name} (p50 / p90)", columns)
    for index, result in enumerate(plan.results):
        task, inputs = result.inputs.task, result.inputs
        if index and plan.results[index - 1].inputs.task is not task:
            view.sections.add(index)
        if result.unpriced:
            blanks = len(columns) - 7
            view.rows.append([task.name, inputs.model.name, "-", "-", inputs.label, "-", "not priced", *["-"] * blanks])
            continue
        a, b = result.plain["p50"], result.plain["p90"]
        floor = bool(inputs.lower_bound)
        cells = [
            task.name,
            inputs.model.name,
            tokens(a.requests),
            token_pair(a.input_tokens, b.input_tokens),
            inputs.label,
            token_pair(a.output_tokens, b.output_tokens),
            pair(a.cost, b.cost, floor),
        ]
        if daily:
            day = task.per_day or 0
            cells += (
                [
                    pair(a.cost * day, b.cost * day, floor),
                    pair(a.cost * day * MONTH_DAYS, b.cost * day * MONTH_DAYS, floor),
                ]
                if day
                else ["-", "-"]
            )
        if totals:
            cells.append(pair(a.cost * task.total, b.cost * task.total, floor) if task.total else "-")
        if jobs:
            cells.append(duration_cell(result))
        view.rows.append(cells)
    view.footer = footer(plan)
    view.extra = [v for v in (levers_view(plan), timing_view(plan), selection_view(plan), budgets_view(plan)) if v]
    if per_turn:
        view.extra += turns_views(plan)
    return view
