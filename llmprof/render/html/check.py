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
from llmprof.render.html.charts import nominal, quantitative
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
    cost: list[Block] = [per_item(report), projection(report)]
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
        "height": {"step": 14},
        "mark": {"type": "bar"},
        "encoding": {
            "y": nominal("item", "prompt set: prompt on model", order, axis={"labelLimit": 380}),
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


def projection(report: CheckReport) -> Chart:
    """Baseline total, the prompt effect, the price effect, and today's total, as a waterfall."""
    basis, axis = _basis(report)
    before, after = report.total("before"), report.total("after")
    prompt, price = report.prompt_effect, report.price_effect
    rest = after - before - prompt - price  # items new or removed: neither a prompt edit nor a price
    steps: list[tuple[str, Decimal, Decimal, str]] = [("baseline", Decimal(0), before, "total")]
    level = before
    for name, delta in (("prompt changes", prompt), ("price changes", price), ("new / removed", rest)):
        if delta or name != "new / removed":
            steps.append((name, level, level + delta, "increase" if delta > 0 else "decrease" if delta < 0 else "none"))
            level += delta
    steps.append(("now", Decimal(0), after, "total"))
    values = [
        {
            "step": name,
            "start": float(start),
            "end": float(end),
            "kind": kind,
            "shown": usd(end - start, signed=kind != "total"),
        }
        for name, start, end, kind in steps
    ]
    kinds = ["total", "increase", "decrease", "none"]
    spec = {
        "width": "container",
        "height": 220,
        "data": {"values": values},
        "encoding": {"x": nominal("step", "", [s[0] for s in steps], axis={"labelAngle": 0})},
        "layer": [
            {
                "mark": {"type": "bar", "width": {"band": 0.6}},
                "encoding": {
                    "y": quantitative("start", axis),
                    "y2": {"field": "end"},
                    "color": nominal(
                        "kind",
                        "",
                        kinds,
                        legend=None,
                        scale={"domain": kinds, "range": ["#2458b3", "#c62828", "#1a7f37", "#9aa3b2"]},
                    ),
                    "tooltip": [nominal("step", ""), nominal("shown", basis)],
                },
            },
            {
                "mark": {"type": "text", "dy": -8, "fontSize": 11},
                "encoding": {"y": {"field": "end", "type": "quantitative"}, "text": {"field": "shown"}},
            },
        ],
    }
    what = (
        "for the traffic each prompt set declares (requests_per_day)"
        if report.per_day
        else "for one request of each prompt"
    )
    caption = (
        f"Total cost {what}: the baseline, what the prompt edits changed (today's rates on the new token "
        "counts against the old), what the price table changed (the baseline's tokens at today's rates against "
        "the baseline's), and now. The two effects add up to the change."
    )
    return Chart("check-projection", f"Total {basis}: baseline to now", spec, caption)


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
        "height": {"step": 20},
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "bar", "height": {"band": 0.7}},
                "encoding": {
                    "y": nominal("budget", "budget: subject", order, axis={"labelLimit": 420}),
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
