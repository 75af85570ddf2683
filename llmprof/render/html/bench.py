"""The bench page: the latency table with every line under it, then the distributions per cell
(histograms, empirical CDFs with the table's percentiles and their confidence intervals marked,
TTFT and TPOT), the latency model against output and input length, the run over time, and what
was run. A sweep's page (:mod:`llmprof.render.html.sweep`) reuses the run parts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from llmprof.bench.records import BenchResult
from llmprof.bench.summary import CellSummary, Interval, Summary
from llmprof.render.bench import BenchOutput, _fit_words
from llmprof.render.html import charts, records
from llmprof.render.html.document import Block, Chart, Facts, Notes, Page, Section, Status, Table, finite
from llmprof.render.view import Column, View
from llmprof.stats import LatencyFit, percentile

#: Lines of the model drawn per chart, one per length of the other kind; more and the median's.
MAX_LINES = 4


def bench_page(output: BenchOutput, warnings: Sequence[str] = ()) -> Page:
    result, summary = output.result, output.summary
    view = output.view()
    order = [c.cell for c in summary.cells]
    rows = records.request_rows(result, summary.fit)
    warned = list(dict.fromkeys([*warnings, *summary.warnings]))
    page = Page("bench", view.title, subtitle=run_line(result), status=_status(output, warnings))
    page.datasets[records.DATASET] = rows
    top: list[Block] = [Table(view)]
    if warned:
        top.append(Notes(warned, "warning", "Warnings"))
    page.sections = [
        Section("summary", "Summary", top),
        Section("distributions", "Latency distributions per cell", distributions(summary, order)),
        Section("model", "Latency model", model(summary, rows, order)),
        Section("time", "Over time", timeline(result, rows, summary, order)),
        Section("run", "The run", [run_facts(result)]),
    ]
    return page


def run_line(result: BenchResult) -> str:
    info = result.info
    pricing = f"pricing table {info.pricing_version} ({info.pricing_date})" if info.pricing_version else "no pricing"
    return f"Started {info.started_at}; llmprof {info.llmprof_version}; {pricing}."


def _status(output: BenchOutput, failures: Sequence[str]) -> tuple[Status, str] | None:
    info, summary = output.result.info, output.summary
    if info.interrupted:
        return "warn", f"INTERRUPTED ({info.stop_reason or 'unfinished'}): the figures cover only what finished"
    if summary.objectives:
        breaches = summary.breaches
        if breaches:
            return "fail", f"{len(breaches)} SLO breach(es): " + "; ".join(
                f"{b.cell} {b.objective.label}" for b in breaches
            )
        return "pass", "Every SLO met in every cell"
    return None


def marks(cells: Sequence[CellSummary], kind: str) -> list[dict[str, Any]]:
    """The table's percentiles (and 95% intervals) for the CDF: e2e, ttft, or TPOT p50."""
    found = []
    for cell in cells:
        if kind == "tpot":
            values: dict[float, float] = {} if cell.tpot_p50_s is None else {50.0: cell.tpot_p50_s * 1000}
            cis: dict[float, Interval] = {}
        else:
            values, cis = (cell.e2e_s, cell.e2e_ci) if kind == "e2e" else (cell.ttft_s, cell.ttft_ci)
        for q, value in values.items():
            ci = cis.get(q)
            found.append(
                {
                    "cell": cell.cell,
                    "F": q / 100,
                    "value": finite(value),
                    "low": finite(ci[0]) if ci else None,
                    "high": finite(ci[1]) if ci else None,
                    "label": f"p{q:g}",
                }
            )
    return found


def _no_interval(cells: Sequence[CellSummary]) -> str:
    """Which dots have no whisker, and why (too few successes for a distribution-free interval)."""
    missing = [(cell, f"p{q:g}") for cell in cells for q in cell.e2e_s if cell.e2e_ci.get(q) is None]
    if not missing:
        return ""
    labels = list(dict.fromkeys(label for _, label in missing))
    counts = sorted({cell.ok for cell, _ in missing})
    n = f"n = {counts[0]}" if len(counts) == 1 else f"n = {counts[0]} to {counts[-1]}"
    return f" No whisker for {', '.join(labels)} where a cell has too few successes for one ({n})."


def distributions(summary: Summary, order: Sequence[str]) -> list[Block]:
    cells = summary.cells
    qs = ", ".join(f"p{q:g}" for q in summary.percentiles)
    common: dict[str, Any] = {"group": "cell", "group_title": "cell", "order": order, "tooltip": records.TOOLTIP}
    ok = [{"filter": {"field": "ok", "equal": True}}]
    blocks: list[Block] = [
        Chart(
            "e2e-ecdf",
            "e2e latency: empirical CDF per cell",
            charts.ecdf(
                records.DATASET,
                "e2e",
                "e2e latency (s)",
                marks=marks(cells, "e2e"),
                filters=ok,
                **common,
            ),
            f"Share of successful requests at or below each latency. Dots: the table's {qs} (dashed: their "
            "levels). Failed requests are left out, as in every percentile.",
        ),
        Chart(
            "e2e-percentiles",
            "e2e latency percentiles with their 95% confidence intervals",
            charts.intervals(
                marks(cells, "e2e"),
                "e2e latency (s)",
                group="cell",
                group_title="cell",
                order=order,
                labels=[f"p{q:g}" for q in summary.percentiles],
            ),
            "The table's percentiles per cell (dots) and their 95% confidence intervals (whiskers: distribution-free, "
            "from the order statistics). Cells whose whiskers overlap may not differ at that percentile."
            + _no_interval(cells),
        ),
        Chart(
            "e2e-histogram",
            "e2e latency: histogram per cell",
            charts.histogram(
                records.DATASET, "e2e", "e2e latency (s)", facet="cell", facet_title="cell", order=order, filters=ok
            ),
            "Successful requests per latency bin, one panel per cell, on a shared latency axis.",
        ),
        Chart(
            "ttft-ecdf",
            "Time to first token: empirical CDF per cell",
            charts.ecdf(
                records.DATASET,
                "ttft",
                "time to first token (s)",
                marks=marks(cells, "ttft"),
                filters=ok,
                **common,
            ),
            f"TTFT: to the first chunk with generated content. Dots: {qs} (their 95% confidence intervals in the "
            "tooltips).",
        ),
    ]
    tpot = [c.cell for c in cells if c.tpot_p50_s is not None]
    if tpot:
        blocks.append(
            Chart(
                "tpot-ecdf",
                "Time per output token: empirical CDF per cell",
                charts.ecdf(
                    records.DATASET,
                    "tpot_ms",
                    "time per output token (ms)",
                    marks=marks(cells, "tpot"),
                    filters=ok,
                    **{**common, "order": tpot},
                ),
                "TPOT = (e2e − TTFT) / (output tokens − 1): cells with one output token have none. Dots: the "
                "table's TPOT p50 (dashed: its level).",
            )
        )
    else:
        blocks.append(Notes(["No cell has more than one output token, so there is no time per output token."]))
    return blocks


def model(summary: Summary, rows: Sequence[dict[str, Any]], order: Sequence[str]) -> list[Block]:
    fit = summary.fit
    words = _fit_words(summary)
    blocks: list[Block] = [Notes([words])]
    if summary.fit_warnings:
        blocks.append(Notes(summary.fit_warnings, "warning", "The model's warnings"))
    if fit is None:
        return blocks
    blocks.append(Table(fits_view(summary)))
    band = residual_band(rows)
    common: dict[str, Any] = {"group": "cell", "group_title": "cell", "order": order, "tooltip": records.TOOLTIP}
    for axis, coefficient, chart_id in (
        ("out", fit.per_output_s, "latency-vs-output"),
        ("in", fit.per_input_s, "latency-vs-input"),
    ):
        name = "output" if axis == "out" else "input"
        lines = _lines(summary, fit, axis, band) if coefficient is not None else []
        if lines:
            levels = list(dict.fromkeys(line["at"] for line in lines))
            caption = (
                f"Every successful request. Dashed: the fitted model at {', '.join(levels)}; shaded: where the middle "
                f"90% of requests fell around it (the residuals' 5th to 95th percentile, {band[0] * 1000:+.0f} to "
                f"{band[1] * 1000:+.0f} ms). {words}"
            )
        else:
            caption = (
                f"Every successful request. {name.capitalize()} length did not vary, so the model draws no line here."
            )
        blocks.append(
            Chart(
                chart_id,
                f"Latency against {name} tokens",
                charts.fit_band(records.DATASET, axis, f"{name} tokens", lines, **common),
                caption,
            )
        )
    return blocks


def residual_band(rows: Sequence[dict[str, Any]]) -> tuple[float, float]:
    """Where the middle 90% of successful requests fell around the model (seconds)."""
    residuals = [row["residual"] for row in rows if row["residual"] is not None]
    return (percentile(residuals, 5), percentile(residuals, 95)) if residuals else (0.0, 0.0)


def _lines(summary: Summary, fit: LatencyFit, axis: str, band: tuple[float, float]) -> list[dict[str, Any]]:
    """The model as a line along ``axis`` for each length of the other kind the cells used, over
    the range of ``axis`` measured. Lines closer together than a quarter of the band are one line
    (the median length's): three copies of one band say nothing more."""
    cells = [c for c in summary.cells if c.ok]
    if not cells:
        return []
    xs = [c.output_tokens if axis == "out" else c.input_tokens for c in cells]
    others = sorted({c.input_tokens if axis == "out" else c.output_tokens for c in cells})
    slope = (fit.per_input_s if axis == "out" else fit.per_output_s) or 0.0
    spread = abs(slope) * (others[-1] - others[0])
    if len(others) > MAX_LINES or spread < 0.25 * (band[1] - band[0]):
        others = [others[len(others) // 2]]
    kind = "input" if axis == "out" else "output"
    rows = []
    for level in others:
        for x in (min(xs), max(xs)):
            tokens_in, tokens_out = (level, x) if axis == "out" else (x, level)
            fitted = records.predicted(fit, tokens_in, tokens_out)
            rows.append(
                {
                    "x": x,
                    "fit": finite(fitted),
                    "low": finite(fitted + band[0]),
                    "high": finite(fitted + band[1]),
                    "at": f"{kind} {level} token{'' if level == 1 else 's'}",
                }
            )
    return rows


def fits_view(summary: Summary) -> View:
    """Both fits side by side, with standard errors: the one the text shows and the other."""
    shown = "robust" if summary.fit is summary.robust and summary.fit is not summary.least_squares else "least squares"
    fits = [("least squares", summary.least_squares), ("robust (Huber)", summary.robust)]
    view = View(f"The fitted model (the figures above use the {shown} fit)", [Column("", "left")])
    view.columns += [Column(name) for name, fit in fits if fit is not None]
    present = [fit for _, fit in fits if fit is not None]

    def effect(value: float | None, se: float | None, scale: float) -> str:
        return "-" if value is None or se is None else f"{value * scale:+.2f} ± {se * scale:.2f} ms"

    view.rows = [
        ["fixed overhead", *[f"{f.fixed_s:.3f} ± {f.fixed_se:.3f} s" for f in present]],
        ["each output token", *[effect(f.per_output_s, f.per_output_se, 1e3) for f in present]],
        ["each 1K input tokens", *[effect(f.per_input_s, f.per_input_se, 1e6) for f in present]],
        ["R²", *[f"{f.r_squared:.3f}" for f in present]],
        ["requests", *[str(f.n) for f in present]],
    ]
    view.footer = [
        "± one standard error. e2e ≈ fixed + per output token × output tokens + per input token × input tokens."
    ]
    return view


def timeline(result: BenchResult, rows: list[dict[str, Any]], summary: Summary, order: Sequence[str]) -> list[Block]:
    blocks: list[Block] = [records.over_time(rows, group="cell", group_title="cell", order=order)]
    if summary.fit is not None:
        drifted = next((w for w in summary.fit_warnings if w.startswith("latency drifted")), None)
        blocks.append(records.drift(rows, summary.fit, order=order, warning=drifted))
    rate = result.info.settings.get("rate")
    if isinstance(rate, (int, float)) and rate and any(row["lag_ms"] is not None for row in rows):
        blocks.append(records.send_lag(rows, group="cell", group_title="cell", order=order))
    return blocks


def run_facts(result: BenchResult) -> Facts:
    info = result.info
    rows = [
        ("model", info.model),
        ("endpoint", endpoint(info.endpoint, info.endpoint_kind)),
        ("wire format", info.provider),
        ("started", info.started_at),
        ("finished", info.finished_at or "-"),
        ("measured for", "-" if info.duration_s is None else f"{info.duration_s:.1f} s"),
        ("llmprof", info.llmprof_version),
        ("pricing table", f"{info.pricing_version} ({info.pricing_date})" if info.pricing_version else "-"),
        ("priced as", info.price_as or ("free (the mock)" if result.is_free else "-")),
    ]
    if info.interrupted:
        rows.append(("stopped early", info.stop_reason or "yes"))
    if info.client:
        rows += [(f"client {k}", f"{v:g}") for k, v in sorted(info.client.items())]
    rows += [(f"setting: {k}", _value(v)) for k, v in sorted(info.settings.items())]
    return Facts(rows)


def endpoint(address: str, kind: str | None) -> str:
    """The endpoint with its kind, unless its name already says it ("mock (built in)")."""
    return address if not kind or kind in address else f"{address} ({kind})"


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
