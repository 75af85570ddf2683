"""The compare page: the comparison table and its notes, each cell's before and after
distributions (e2e and TTFT) with the verdict over each panel, the p50 changes against the
threshold, and what the two runs were."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmprof.bench.records import BenchResult
from llmprof.compare import MetricChange
from llmprof.render.compare import CompareOutput, verdict
from llmprof.render.html.bench import run_facts
from llmprof.render.html.charts import facet_of, nominal, quantitative, rank_of, rows_height
from llmprof.render.html.document import Block, Chart, Facts, Notes, Page, Section, Status, Table, finite
from llmprof.units import percent

RUNS = ["before", "after"]
VERDICTS = ["REGRESSION", "slower (significant)", "faster (significant)", "no significant change"]
VERDICT_COLOURS = ["#c62828", "#e08a00", "#1a7f37", "#9aa3b2"]


def compare_page(output: CompareOutput, warnings: Sequence[str] = ()) -> Page:
    c = output.comparison
    view = output.view()
    page = Page("compare", view.title, subtitle=_subtitle(c.before, c.after), status=_status(output))
    rows = [(cell.cell, m) for cell in c.cells for m in cell.metrics]
    top: list[Block] = [Table(view)]
    if not output.passed:
        top.append(Notes(c.failures(output.threshold_pct), "warning", "Why it failed"))
    if warnings:
        top.append(Notes(list(warnings), "warning", "Warnings"))
    if rows:
        results: list[Block] = [distributions(output), changes(output)]
    else:
        results = [Notes(["No cell has successful requests in both results: there is nothing to draw."], "warning")]
    page.sections = [
        Section("summary", "Summary", top),
        Section("cells", "Before and after, per cell", results),
        Section("runs", "The two runs", _runs(c.before, c.after)),
    ]
    return page


def _subtitle(before: BenchResult, after: BenchResult) -> str:
    return (
        f"Before: {before.info.model} at {before.info.endpoint}, started {before.info.started_at}. "
        f"After: {after.info.model} at {after.info.endpoint}, started {after.info.started_at}."
    )


def _status(output: CompareOutput) -> tuple[Status, str]:
    c = output.comparison
    if not output.passed:
        head = output.failure().splitlines()[0].rstrip(":")
        return "fail", f"FAILED: {head}"
    changed = sum(1 for cell in c.cells for m in cell.metrics if m.significant(c.alpha))
    if output.threshold_pct is None:
        return "info", f"{changed} significant change(s); no regression gate (--fail-on-regression not given)"
    return "pass", f"No significant p50 slowdown beyond {output.threshold_pct:g}%"


def _panel(cell: str, m: MetricChange, alpha: float, threshold: float | None) -> str:
    return f"{cell} {m.metric}: {verdict(m, alpha, threshold)}"


def _samples(result: BenchResult, cell: str, metric: str) -> list[float]:
    values = []
    for r in result.measured:
        if r.cell == cell and r.ok and r.e2e_s is not None:
            value = r.e2e_s if metric == "e2e" else r.ttft_s
            if value is not None:
                values.append(value)
    return values


def distributions(output: CompareOutput) -> Chart:
    c = output.comparison
    values: list[dict[str, Any]] = []
    panels = []
    for cell in c.cells:
        for m in cell.metrics:
            panel = _panel(cell.cell, m, c.alpha, output.threshold_pct)
            panels.append(panel)
            for run, result in (("before", c.before), ("after", c.after)):
                values += [
                    {"panel": panel, "run": run, "kind": "sample", "value": finite(v)}
                    for v in _samples(result, cell.cell, m.metric)
                ]
            for run, p50, p90 in (("before", m.before_p50, m.before_p90), ("after", m.after_p50, m.after_p90)):
                values += [
                    {"panel": panel, "run": run, "kind": "mark", "value": finite(v), "F": q / 100, "label": f"p{q}"}
                    for q, v in ((50, p50), (90, p90))
                ]
    color = nominal("run", "result", RUNS, scale={"domain": RUNS, "range": ["#7a8699", "#d1495b"]})
    spec = {
        "data": {"values": values},
        "transform": [rank_of("panel", panels)],
        "facet": facet_of("panel", "", panels, header={"labelOrient": "top", "title": None, "labelAnchor": "start"}),
        "columns": 2,
        "spec": {
            "width": 470,
            "height": 170,
            "layer": [
                {
                    "transform": [
                        {"filter": {"field": "kind", "equal": "sample"}},
                        {
                            "window": [{"op": "cume_dist", "as": "F"}],
                            "sort": [{"field": "value"}],
                            "groupby": ["panel", "run"],
                        },
                    ],
                    "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 1.6},
                    "encoding": {
                        "x": quantitative("value", "latency (s)", scale={"zero": False}),
                        "y": quantitative("F", "share at or below", axis={"format": "%"}, scale={"domain": [0, 1]}),
                        "color": color,
                        "tooltip": [
                            nominal("run", "result"),
                            quantitative("value", "latency (s)", format=".3f"),
                            quantitative("F", "share", format=".0%"),
                        ],
                    },
                },
                {
                    "transform": [{"filter": {"field": "kind", "equal": "mark"}}],
                    "mark": {"type": "point", "filled": True, "size": 55, "stroke": "white", "strokeWidth": 1},
                    "encoding": {
                        "x": {"field": "value", "type": "quantitative"},
                        "y": {"field": "F", "type": "quantitative"},
                        "color": color,
                        "tooltip": [
                            nominal("run", "result"),
                            nominal("label", "percentile"),
                            quantitative("value", "latency (s)", format=".3f"),
                        ],
                    },
                },
            ],
        },
        "resolve": {"scale": {"x": "independent"}},
    }
    caption = (
        "Empirical CDFs of each cell's successful requests, before (grey) and after (red), e2e and TTFT, with "
        "the verdict over each panel. Dots: p50 and p90. The verdict comes from a two-sided Mann-Whitney U test, "
        f"Holm-adjusted across every comparison, at α = {c.alpha:g}."
    )
    return Chart("compare-ecdf", "Distributions before and after", spec, caption)


def changes(output: CompareOutput) -> Chart:
    c = output.comparison
    values: list[dict[str, Any]] = []
    for cell in c.cells:
        for m in cell.metrics:
            values.append(
                {
                    "panel": f"{cell.cell} {m.metric}",
                    "change": finite(m.change_pct, 3),
                    "shown": percent(m.change_pct),
                    "verdict": verdict(m, c.alpha, output.threshold_pct),
                    "p": "-" if m.p_value is None else f"{m.p_value:.3g}",
                }
            )
    order = [v["panel"] for v in values]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": values},
            "mark": {"type": "bar", "height": {"band": 0.7}},
            "encoding": {
                "y": nominal("panel", "", order, axis={"title": None}),
                "x": quantitative("change", "p50 change (%)"),
                "color": nominal("verdict", "verdict", VERDICTS, scale={"domain": VERDICTS, "range": VERDICT_COLOURS}),
                "tooltip": [
                    nominal("panel", "cell"),
                    nominal("shown", "Δ p50"),
                    nominal("p", "p-value (Holm)"),
                    nominal("verdict", "verdict"),
                ],
            },
        },
        {
            "data": {"values": [{"x": 0}]},
            "mark": {"type": "rule", "color": "#666"},
            "encoding": {"x": {"field": "x", "type": "quantitative"}},
        },
    ]
    if output.threshold_pct is not None:
        layers.append(
            {
                "data": {"values": [{"x": output.threshold_pct, "label": f"threshold +{output.threshold_pct:g}%"}]},
                "mark": {"type": "rule", "color": "#c62828", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "x", "type": "quantitative"}, "tooltip": [nominal("label", "")]},
            }
        )
    spec = {"width": "container", "height": rows_height(len(order), 22), "layer": layers}
    gate = (
        f"Dashed red: the --fail-on-regression threshold (+{output.threshold_pct:g}%); a regression is a "
        "significant slowdown beyond it."
        if output.threshold_pct is not None
        else "No --fail-on-regression threshold was given."
    )
    return Chart(
        "compare-change",
        "Change in p50 per cell and metric",
        spec,
        f"After against before, as a share of before. {gate}",
    )


def _runs(before: BenchResult, after: BenchResult) -> list[Block]:
    blocks: list[Block] = []
    for label, result in (("Before", before), ("After", after)):
        facts = run_facts(result)
        blocks += [Notes([f"{label}: {result.info.model} at {result.info.endpoint}"]), Facts(facts.rows)]
    return blocks
