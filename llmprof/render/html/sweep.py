"""The sweep page (``bench --sweep``): the step table, offered rate against latency percentiles,
completed and good requests per second against the rate offered, and the run over time by step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmprof.bench.sweep import Step, best
from llmprof.render.html import records
from llmprof.render.html.bench import run_facts, run_line
from llmprof.render.html.charts import WIDE, nominal, quantitative
from llmprof.render.html.document import Block, Chart, Notes, Page, Section, Status, Table, finite
from llmprof.render.sweep import SweepOutput
from llmprof.stats import percentile

RESULT = ["pass", "FAIL"]


def sweep_page(output: SweepOutput, warnings: Sequence[str] = ()) -> Page:
    result, steps = output.result, sorted(output.steps, key=lambda s: s.rate)
    view = output.view()
    rates = list(result.info.steps or [])
    rows = records.request_rows(result, None, rates)
    found = best(steps)
    status: tuple[Status, str] = (
        ("pass", f"Highest rate sustained: {found.rate:.2f} requests/s")
        if found
        else ("fail", "No rate tried was sustained")
    )
    page = Page("sweep", view.title, subtitle=run_line(result), status=status)
    page.datasets[records.DATASET] = rows
    top: list[Block] = [Table(view)]
    if warnings:
        top.append(Notes(list(dict.fromkeys(warnings)), "warning", "Warnings"))
    order = [f"{rate:.2f}/s" for rate in sorted(rates)]
    page.sections = [
        Section("summary", "Summary", top),
        Section("rates", "Offered rate", [latency(steps), throughput(steps)]),
        Section("time", "Over time", _time(rows, order)),
        Section("run", "The run", [run_facts(result)]),
    ]
    return page


def _time(rows: list[dict[str, Any]], order: Sequence[str]) -> list[Block]:
    blocks: list[Block] = [records.over_time(rows, group="step", group_title="offered rate", order=order)]
    if any(row["lag_ms"] is not None for row in rows):
        blocks.append(records.send_lag(rows, group="step", group_title="offered rate", order=order))
    return blocks


def _percentiles(step: Step) -> list[tuple[str, float]]:
    ok = [r for r in step.records if r.ok]
    found = []
    for metric, values in (
        ("TTFT", [r.ttft_s for r in ok if r.ttft_s is not None]),
        ("e2e", [r.e2e_s for r in ok if r.e2e_s is not None]),
    ):
        for q in (50, 90):
            if values:
                found.append((f"{metric} p{q}", percentile(values, q)))
    return found


def latency(steps: Sequence[Step]) -> Chart:
    values = [
        {
            "rate": finite(step.rate, 4),
            "metric": metric,
            "value": finite(value),
            "result": "pass" if step.ok else "FAIL",
        }
        for step in steps
        for metric, value in _percentiles(step)
    ]
    metrics = ["TTFT p50", "TTFT p90", "e2e p50", "e2e p90"]
    spec = {
        "width": WIDE,
        "height": 260,
        "data": {"values": values},
        "encoding": {
            "x": quantitative("rate", "offered rate (requests/s)", scale={"type": "log"}),
            "y": quantitative("value", "latency (s)"),
            "color": nominal("metric", "percentile", metrics),
        },
        "layer": [
            {"mark": {"type": "line", "strokeWidth": 1.5}},
            {
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "shape": nominal("result", "step", RESULT, scale={"domain": RESULT, "range": ["circle", "cross"]}),
                    "tooltip": [
                        quantitative("rate", "offered/s", format=".2f"),
                        nominal("metric", "percentile"),
                        quantitative("value", "latency (s)", format=".3f"),
                        nominal("result", "step"),
                    ],
                },
            },
        ],
    }
    caption = (
        "Latency percentiles of each step's successful requests against the rate it offered (log scale), the "
        "table's TTFT and e2e p50/p90. Crosses: steps that failed (an SLO breach, failures, saturation or a "
        "client that could not keep up)."
    )
    return Chart("sweep-latency", "Offered rate against latency", spec, caption)


def throughput(steps: Sequence[Step]) -> Chart:
    objectives = bool(steps and steps[0].summary.objectives)
    values: list[dict[str, Any]] = []
    for step in steps:
        result = "pass" if step.ok else "FAIL"
        values.append(
            {"rate": finite(step.rate, 4), "series": "offered", "value": finite(step.rate, 4), "result": result}
        )
        if step.achieved is not None:
            values.append(
                {
                    "rate": finite(step.rate, 4),
                    "series": "completed",
                    "value": finite(step.achieved, 4),
                    "result": result,
                }
            )
            ok = sum(1 for r in step.records if r.ok and not r.warmup)
            if objectives and ok:
                good = step.achieved * (step.summary.good or 0) / ok
                values.append(
                    {
                        "rate": finite(step.rate, 4),
                        "series": "good (within every SLO)",
                        "value": finite(good, 4),
                        "result": result,
                    }
                )
    series = ["offered", "completed", *(["good (within every SLO)"] if objectives else [])]
    spec = {
        "width": WIDE,
        "height": 240,
        "data": {"values": values},
        "encoding": {
            "x": quantitative("rate", "offered rate (requests/s)", scale={"type": "log"}),
            "y": quantitative("value", "requests/s", scale={"type": "log"}),
            "color": nominal(
                "series", "", series, scale={"domain": series, "range": ["#9aa3b2", "#2458b3", "#1a7f37"]}
            ),
            "strokeDash": nominal("series", "", series, scale={"domain": series, "range": [[4, 3], [1, 0], [1, 0]]}),
        },
        "layer": [
            {"mark": {"type": "line", "strokeWidth": 1.5}},
            {
                "mark": {"type": "point", "filled": True, "size": 60},
                "encoding": {
                    "shape": nominal("result", "step", RESULT, scale={"domain": RESULT, "range": ["circle", "cross"]}),
                    "tooltip": [
                        quantitative("rate", "offered/s", format=".2f"),
                        nominal("series", "series"),
                        quantitative("value", "requests/s", format=".2f"),
                    ],
                },
            },
        ],
    }
    goodput = (
        " Goodput: the completed rate times the share of them that met every SLO."
        if objectives
        else " No SLO was set, so no goodput."
    )
    caption = (
        "Completions per second while each step ran, against the rate offered (dashed: completed = offered). "
        "A step that falls below the diagonal is not keeping up." + goodput
    )
    return Chart("sweep-throughput", "Offered rate against completed requests and goodput", spec, caption)
