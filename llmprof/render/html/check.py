"""The check page: the cost diff and budgets as ``llmprof check`` prints them, then the cost per
prompt and model before and after, the projection per day (or per request) with the change split
into prompt and price effects, and each budget's use of its limit."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from llmprof.check.evaluate import CheckReport
from llmprof.check.items import Item
from llmprof.render.check import CheckOutput, shown
from llmprof.render.html.charts import nominal, quantitative, rows_height
from llmprof.render.html.document import Block, Chart, Facts, Notes, Page, Section, Status, Table
from llmprof.units import usd

WHEN = ["baseline", "now"]
WHEN_COLOURS = ["#9aa3b2", "#2458b3"]
STATUS = ["pass", "warn", "fail"]
STATUS_COLOURS = ["#1a7f37", "#d4a72c", "#c62828"]


def check_page(output: CheckOutput, warnings: Sequence[str] = ()) -> Page:
    report = output.report
    view = output.view()
    status: tuple[Status, str] = ("pass", "Every budget met") if output.passed else ("fail", view.title)
    subtitle = (
        f"Baseline priced with pricing table {report.before.pricing_version} ({report.before.pricing_date}); "
        f"now with {report.after.pricing_version} ({report.after.pricing_date})."
    )
    page = Page("check", view.title, subtitle=subtitle, status=status)
    top: list[Block] = [Table(view)]
    if warnings:
        top.append(Notes(list(warnings), "warning", "Warnings"))
    cost: list[Block] = [per_item(report), change(report), breakdown(report)]
    page.sections = [Section("summary", "Summary", top), Section("cost", "Cost", cost)]
    used = budget_use(report)
    if used is not None:
        page.sections.append(Section("budgets", "Budgets", [used]))
    page.sections.append(Section("pricing", "Prices", [_pricing(report)]))
    return page


def _basis(report: CheckReport) -> tuple[str, str]:
    return ("per day", "cost per day (USD)") if report.per_day else ("per request", "cost per request (USD)")


def _amount(item: Item, per_day: bool) -> Decimal:
    return item.cost_per_day if per_day and item.cost_per_day is not None else item.cost_per_request


def per_item(report: CheckReport) -> Chart:
    basis, axis = _basis(report)
    values: list[dict[str, Any]] = []
    for change in report.changes:
        label = f"{change.item.set}: {change.item.prompt} on {change.item.model}"
        for when, item in (("baseline", change.before), ("now", change.after)):
            if item is not None:
                amount = _amount(item, report.per_day)
                floor = "≥" if item.lower_bound else ""
                values.append(
                    {
                        "item": label,
                        "model": item.model,
                        "when": when,
                        "cost": float(amount),
                        "shown": floor + usd(amount),
                        "tokens": item.input_tokens,
                        "status": change.status,
                    }
                )
    order = list(dict.fromkeys(v["item"] for v in values))
    spec = {
        "width": "container",
        "data": {"values": values},
        "height": rows_height(len(order), 30),
        "mark": {"type": "bar"},
        "encoding": {
            "y": nominal("item", "", order, axis={"labelLimit": 380, "title": None}),
            "yOffset": nominal("when", "", WHEN),
            "x": quantitative("cost", axis),
            "color": nominal("when", "", WHEN, scale={"domain": WHEN, "range": WHEN_COLOURS}),
            "tooltip": [
                nominal("item", "prompt"),
                nominal("when", ""),
                nominal("shown", basis),
                quantitative("tokens", "input tokens per request"),
                nominal("status", "change"),
            ],
        },
    }
    caption = (
        f"Each prompt on each model, {basis} at the baseline and now, biggest movers first (as in the table). "
        "The tooltips give the exact figures; ≥ marks a lower bound."
    )
    return Chart("check-cost", f"Cost per prompt and model ({basis})", spec, caption)


def breakdown(report: CheckReport) -> Chart:
    """Today's cost of each model, stacked by prompt: where the money goes."""
    basis, axis = _basis(report)
    values: list[dict[str, Any]] = [
        {
            "model": item.model,
            "prompt": f"{item.set}: {item.prompt}",
            "cost": float(_amount(item, report.per_day)),
            "shown": ("≥" if item.lower_bound else "") + usd(_amount(item, report.per_day)),
        }
        for item in report.after.items
    ]
    models: list[str] = sorted(
        {v["model"] for v in values}, key=lambda m: -sum(v["cost"] for v in values if v["model"] == m)
    )
    spec = {
        "width": "container",
        "height": rows_height(len(models), 26),
        "data": {"values": values},
        "mark": {"type": "bar", "height": {"band": 0.7}},
        "encoding": {
            "y": nominal("model", "", models, axis={"title": None, "labelLimit": 300}),
            "x": quantitative("cost", axis, stack="zero"),
            "color": nominal("prompt", "prompt set: prompt", legend={"labelLimit": 320}),
            "tooltip": [nominal("model", "model"), nominal("prompt", "prompt"), nominal("shown", basis)],
        },
    }
    total = report.total("after")
    what = "the traffic each prompt set declares (requests_per_day)" if report.per_day else "one request of each prompt"
    caption = f"Cost now {basis} for {what}, by model and prompt: {usd(total)} in all."
    return Chart("check-breakdown", f"Cost {basis} by model and prompt, now", spec, caption)


def change(report: CheckReport) -> Chart | Notes:
    """Each prompt's change in cost, split into what the prompt did and what the prices did."""
    basis, axis = _basis(report)
    values: list[dict[str, Any]] = []
    for c in report.changes:
        if c.status in ("unchanged",):
            continue
        weight = Decimal(c.item.requests_per_day or 1) if report.per_day else Decimal(1)
        label = f"{c.item.set}: {c.item.prompt} on {c.item.model}"
        parts = [("prompt", c.prompt_effect * weight), ("prices", c.price_effect * weight)]
        if c.status in ("new", "removed"):
            parts = [(c.status, c.delta * weight)]
        values += [
            {"item": label, "effect": effect, "usd": float(amount), "shown": usd(amount, signed=True), "cause": c.cause}
            for effect, amount in parts
            if amount
        ]
    before, after = report.total("before"), report.total("after")
    total = (
        f"Total {basis}: {usd(before)} → {usd(after)}, {usd(after - before, signed=True)}: prompts "
        f"{usd(report.prompt_effect, signed=True)}, prices {usd(report.price_effect, signed=True)}."
    )
    if not values:
        return Notes([f"No cost changed against the baseline. {total}"])
    effects = ["prompt", "prices", "new", "removed"]
    order = list(dict.fromkeys(v["item"] for v in values))
    spec = {
        "width": "container",
        "height": rows_height(len(order), 22),
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "bar", "height": {"band": 0.7}},
                "encoding": {
                    "y": nominal("item", "", order, axis={"title": None, "labelLimit": 380}),
                    "x": quantitative("usd", f"change in {axis}", stack="zero"),
                    "color": nominal(
                        "effect",
                        "moved by",
                        effects,
                        scale={"domain": effects, "range": ["#d1495b", "#2458b3", "#e08a00", "#9aa3b2"]},
                    ),
                    "tooltip": [
                        nominal("item", "prompt"),
                        nominal("effect", "moved by"),
                        nominal("shown", "change"),
                        nominal("cause", "cause"),
                    ],
                },
            },
            {
                "data": {"values": [{"x": 0}]},
                "mark": {"type": "rule", "color": "#666"},
                "encoding": {"x": {"field": "x", "type": "quantitative"}},
            },
        ],
    }
    caption = (
        f"{total} A prompt's effect: today's rates on its new token count against its old one; the prices' effect: "
        "the baseline's tokens at today's rates against the baseline's. The two add up to each change."
    )
    return Chart("check-change", f"What changed the cost ({basis})", spec, caption)


def budget_use(report: CheckReport) -> Chart | None:
    values: list[dict[str, Any]] = []
    unmeasured = 0
    for b in report.budgets:
        if b.actual is None or not b.limit:
            unmeasured += 1
            continue
        values.append(
            {
                "budget": f"{b.budget}: {b.subject}",
                "use": float(b.actual / b.limit * 100),
                "status": b.status,
                "shown": f"{shown(b.unit, b.actual)} of {shown(b.unit, b.limit, True)}",
            }
        )
    if not values:
        return None
    order = [v["budget"] for v in sorted(values, key=lambda v: -float(v["use"]))]
    spec = {
        "width": "container",
        "height": rows_height(len(order), 20),
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "bar", "height": {"band": 0.7}},
                "encoding": {
                    "y": nominal("budget", "", order, axis={"labelLimit": 420, "title": None}),
                    "x": quantitative("use", "share of the limit (%)"),
                    "color": nominal("status", "result", STATUS, scale={"domain": STATUS, "range": STATUS_COLOURS}),
                    "tooltip": [nominal("budget", "budget"), nominal("shown", "actual"), nominal("status", "result")],
                },
            },
            {
                "data": {"values": [{"x": 100}]},
                "mark": {"type": "rule", "color": "#c62828", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "x", "type": "quantitative"}},
            },
        ],
    }
    caption = (
        "Each budget's actual value as a share of its limit (dashed: the limit). For an increase budget, the "
        "increase as a share of the increase allowed."
    )
    if unmeasured:
        caption += (
            f" {unmeasured} budget(s) with no value to draw (not measured, or a limit of 0) are in the table above."
        )
    return Chart("check-budgets", "Budgets: how much of each limit is used", spec, caption)


def _pricing(report: CheckReport) -> Facts:
    rows = [
        ("baseline prices", f"pricing table {report.before.pricing_version} ({report.before.pricing_date})"),
        ("prices now", f"pricing table {report.after.pricing_version} ({report.after.pricing_date})"),
    ]
    rows += [(f"table file {name}", f"sha256 {digest}") for name, digest in report.after.pricing_files]
    rows += [(status, str(n)) for status, n in report.counts().items()]
    return Facts(rows)
