"""A bench run's requests as chart rows, and the charts every bench page draws from them: latency
over time with failures and retries marked, the model's residuals over time (drift), and for open
loop, how late each request was sent against its schedule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmprof.bench.records import BenchResult, RequestRecord
from llmprof.render.html.charts import HEIGHT, WIDE, Spec, nominal, quantitative, valid
from llmprof.render.html.document import Chart, finite
from llmprof.stats import LatencyFit, mean, trend

DATASET = "requests"
TOOLTIP = [
    {"field": "id", "type": "quantitative", "title": "request"},
    nominal("cell", "cell"),
    quantitative("e2e", "e2e (s)", format=".3f"),
    quantitative("ttft", "TTFT (s)", format=".3f"),
    quantitative("in", "input tokens"),
    quantitative("out", "output tokens"),
    quantitative("attempts", "attempts"),
]


def tokens_in(record: RequestRecord) -> int:
    """Input length as the model was fitted on it: the API's count, else the target."""
    return record.input_tokens_api if record.input_tokens_api is not None else record.input_target


def predicted(fit: LatencyFit, tokens_in: float, tokens_out: float) -> float:
    return fit.fixed_s + (fit.per_input_s or 0.0) * tokens_in + (fit.per_output_s or 0.0) * tokens_out


def request_rows(result: BenchResult, fit: LatencyFit | None, steps: Sequence[float] = ()) -> list[dict[str, Any]]:
    """Every measured request (warmup left out, as in every figure), one row each."""
    rows = []
    for r in result.measured:
        lag = None if r.sent_s is None else (r.sent_s - r.scheduled_s) * 1000
        residual = (
            r.e2e_s - predicted(fit, tokens_in(r), r.output_tokens or 0)
            if fit is not None and r.ok and r.e2e_s is not None
            else None
        )
        rows.append(
            {
                "id": r.id,
                "cell": r.cell,
                "step": f"{steps[r.step]:.2f}/s" if r.step is not None and r.step < len(steps) else None,
                "t": finite(r.scheduled_s),
                "sent": finite(r.sent_s if r.sent_s is not None else r.scheduled_s),
                "lag_ms": finite(lag, 3),
                "ok": r.ok,
                "error": None if r.ok else (r.error_kind or "unknown"),
                "attempts": r.attempts,
                "retried": r.attempts > 1,
                "e2e": finite(r.e2e_s),
                "y_time": finite(r.e2e_s) if r.e2e_s is not None else 0.0,
                "ttft": finite(r.ttft_s),
                "tpot_ms": finite(None if r.tpot_s is None else r.tpot_s * 1000, 3),
                "in": tokens_in(r),
                "out": r.output_tokens,
                "residual": finite(residual),
            }
        )
    return rows


def _colour(group: str, title: str, order: Sequence[str]) -> dict[str, Any]:
    """Cells are categories; a sweep's steps are rates, coloured in order from low to high."""
    if group == "step":
        return {
            **nominal(group, title, order),
            "type": "ordinal",
            "scale": {"domain": list(order), "scheme": "viridis"},
        }
    return nominal(group, title, order)


def _time_axis(group: str) -> str:
    return (
        "scheduled send (s from the start of its step)"
        if group == "step"
        else "scheduled send (s from the start of the run)"
    )


def over_time(rows: Sequence[dict[str, Any]], *, group: str, group_title: str, order: Sequence[str]) -> Chart:
    failed = sum(1 for row in rows if not row["ok"])
    retried = sum(1 for row in rows if row["ok"] and row["retried"])
    layers: list[Spec] = [
        {
            "data": {"name": DATASET},
            "transform": [{"filter": {"field": "ok", "equal": True}}],
            "mark": {"type": "point", "filled": True, "size": 28, "opacity": 0.7},
            "encoding": {
                "x": quantitative("t", _time_axis(group)),
                "y": quantitative("e2e", "e2e latency (s)"),
                "color": _colour(group, group_title, order),
                "tooltip": TOOLTIP,
            },
        }
    ]
    if retried:
        layers.append(
            {
                "data": {"name": DATASET},
                "transform": [
                    {"filter": {"field": "ok", "equal": True}},
                    {"filter": {"field": "retried", "equal": True}},
                ],
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "size": 110,
                    "filled": False,
                    "color": "#9a6700",
                    "strokeWidth": 1.5,
                },
                "encoding": {
                    "x": {"field": "t", "type": "quantitative"},
                    "y": {"field": "e2e", "type": "quantitative"},
                    "tooltip": TOOLTIP,
                },
            }
        )
    if failed:
        layers.append(
            {
                "data": {"name": DATASET},
                "transform": [{"filter": {"field": "ok", "equal": False}}],
                "mark": {"type": "point", "shape": "cross", "size": 90, "filled": True, "color": "#c62828"},
                "encoding": {
                    "x": {"field": "t", "type": "quantitative"},
                    "y": {"field": "y_time", "type": "quantitative"},
                    "tooltip": [
                        {"field": "id", "type": "quantitative", "title": "request"},
                        nominal("cell", "cell"),
                        nominal("error", "failed"),
                        quantitative("attempts", "attempts"),
                    ],
                },
            }
        )
    marks = (
        [f"{failed} failed request(s) as red crosses (at the time they gave up, or at 0 with no response)"]
        if failed
        else []
    )
    marks += [f"{retried} request(s) that succeeded after a retry ringed in amber"] if retried else []
    caption = (
        "Every measured request by when it was due: a rising band is drift, a step is a change at the endpoint. "
        "Latency counts from the scheduled send. "
        + ("; ".join(marks) + "." if marks else "No request failed or was retried.")
    )
    return Chart("latency-over-time", "Latency over time", {"width": WIDE, "height": HEIGHT, "layer": layers}, caption)


def drift(rows: Sequence[dict[str, Any]], fit: LatencyFit, *, order: Sequence[str], warning: str | None) -> Chart:
    """Residuals (e2e minus what the model predicts for the request's lengths) against send time,
    with their trend: the same test the drift warning comes from."""
    points = [(row["sent"], row["residual"]) for row in rows if row["residual"] is not None and row["sent"] is not None]
    layers: list[Spec] = [
        {
            "data": {"name": DATASET},
            "transform": [valid("residual")],
            "mark": {"type": "point", "filled": True, "size": 24, "opacity": 0.6},
            "encoding": {
                "x": quantitative("sent", "sent (s from the start of the run)"),
                "y": quantitative("residual", "e2e minus the model's prediction (s)"),
                "color": nominal("cell", "cell", order),
                "tooltip": [*TOOLTIP, quantitative("residual", "residual (s)", format="+.3f")],
            },
        },
        {
            "mark": {"type": "rule", "color": "#999"},
            "data": {"values": [{"zero": 0}]},
            "encoding": {"y": {"field": "zero", "type": "quantitative"}},
        },
    ]
    found = trend([p[0] for p in points], [p[1] for p in points]) if len(points) >= 3 else None
    if found is not None:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        start = mean(ys) - found.slope * mean(xs)
        ends = [{"x": x, "y": finite(start + found.slope * x)} for x in (min(xs), max(xs))]
        layers.append(
            {
                "data": {"values": ends},
                "mark": {"type": "line", "color": "#c62828" if found.clear else "#666", "strokeWidth": 2},
                "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
            }
        )
        verdict = (
            f"Trend {found.slope * found.span * 1000:+.1f} ms over the {found.span:.0f} s run "
            f"({found.slope * 60000:+.1f} ± {found.se * 60000:.1f} ms per minute): "
            + ("clear of noise (more than three standard errors)." if found.clear else "within noise.")
        )
    else:
        verdict = "Too few requests for a trend."
    caption = "What the latency model leaves unexplained, by when each request was sent. " + verdict
    if warning:
        caption += f" Warning: {warning}."
    return Chart(
        "drift", "Drift: the model's residuals over time", {"width": WIDE, "height": 200, "layer": layers}, caption
    )


def send_lag(rows: Sequence[dict[str, Any]], *, group: str, group_title: str, order: Sequence[str]) -> Chart:
    lags = [row["lag_ms"] for row in rows if row["lag_ms"] is not None]
    worst = f" The latest send was {max(lags):.1f} ms behind its schedule." if lags else ""
    spec = {
        "width": WIDE,
        "height": 200,
        "data": {"name": DATASET},
        "transform": [valid("lag_ms")],
        "mark": {"type": "point", "filled": True, "size": 24, "opacity": 0.7},
        "encoding": {
            "x": quantitative("t", _time_axis(group)),
            "y": quantitative("lag_ms", "actual send minus scheduled (ms)"),
            "color": _colour(group, group_title, order),
            "tooltip": [*TOOLTIP, quantitative("lag_ms", "sent late by (ms)", format=".2f")],
        },
    }
    caption = (
        "Open loop: each request's actual first send against its schedule. Latency counts from the scheduled "
        "time, so a late send is in e2e, never hidden (no coordinated omission); a lag that keeps growing means "
        "the client fell behind." + worst
    )
    return Chart("send-lag", "Scheduled vs actual send", spec, caption)
