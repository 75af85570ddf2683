"""Vega-Lite specs for the charts several pages draw: distributions as histograms and empirical
CDFs (with percentiles and their confidence intervals marked), and scatter plots with a fitted
line and its band. Specs name fields fixed here; data values (model names, cells) never become
field names or expressions, so whatever a result file holds stays data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Spec = dict[str, Any]
WIDE = "container"  # the figure's width: charts follow the page
HEIGHT = 240


def rows_height(rows: int, per_row: int) -> int:
    """The height of a chart of horizontal bars: a fixed band per row, the width following the page
    (Vega-Lite's {"step": N} heights would not combine with a container width)."""
    return max(40, rows * per_row)


def quantitative(field: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "type": "quantitative", "title": title, **extra}


def nominal(field: str, title: str, order: Sequence[str] | None = None, **extra: Any) -> dict[str, Any]:
    encoding: dict[str, Any] = {"field": field, "type": "nominal", "title": title, **extra}
    if order is not None:
        encoding["sort"] = list(order)
        encoding.setdefault("scale", {})["domain"] = list(order)
    return encoding


def valid(field: str) -> dict[str, Any]:
    """A transform keeping rows whose ``field`` is a number."""
    return {"filter": {"field": field, "valid": True}}


def ecdf(
    dataset: str,
    field: str,
    axis: str,
    *,
    group: str,
    group_title: str,
    order: Sequence[str],
    marks: Sequence[dict[str, Any]] = (),
    filters: Sequence[dict[str, Any]] = (),
    tooltip: Sequence[dict[str, Any]] = (),
    label_marks: bool = True,
) -> Spec:
    """The empirical CDF of ``field`` per ``group`` (a step line per group), and ``marks``: rows of
    ``{group, "F" (0..1), "value", "low", "high", "label"}`` drawn as a point at the percentile and
    a horizontal bar over its confidence interval (where there is one)."""
    color = nominal(group, group_title, order)
    layers: list[Spec] = [
        {
            "data": {"name": dataset},
            "transform": [
                *filters,
                valid(field),
                {"window": [{"op": "cume_dist", "as": "F"}], "sort": [{"field": field}], "groupby": [group]},
            ],
            "mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 1.6},
            "encoding": {
                "x": quantitative(field, axis, scale={"zero": False}),
                "y": quantitative("F", "share of requests at or below", axis={"format": "%"}, scale={"domain": [0, 1]}),
                "color": color,
                "tooltip": [*tooltip, quantitative(field, axis), quantitative("F", "share", format=".0%")],
            },
        }
    ]
    if marks:
        values = list(marks)
        mark_tooltip = [nominal(group, group_title), nominal("label", "percentile"), quantitative("value", axis)]
        mark_tooltip += [quantitative("low", "95% CI from"), quantitative("high", "95% CI to")]
        if any(mark.get("low") is not None for mark in values):
            layers.append(
                {
                    "data": {"values": values},
                    "transform": [valid("low")],
                    "mark": {"type": "rule", "strokeWidth": 3, "opacity": 0.45},
                    "encoding": {
                        "x": {"field": "low", "type": "quantitative"},
                        "x2": {"field": "high"},
                        "y": {"field": "F", "type": "quantitative"},
                        "color": color,
                    },
                }
            )
        layers.append(
            {
                "data": {"values": values},
                "mark": {"type": "point", "filled": True, "size": 55, "stroke": "white", "strokeWidth": 1},
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "y": {"field": "F", "type": "quantitative"},
                    "color": color,
                    "tooltip": mark_tooltip,
                },
            }
        )
        if label_marks:
            layers.append(
                {
                    "data": {"values": values},
                    "mark": {"type": "text", "align": "left", "dx": 6, "dy": -7, "fontSize": 10},
                    "encoding": {
                        "x": {"field": "value", "type": "quantitative"},
                        "y": {"field": "F", "type": "quantitative"},
                        "text": {"field": "label"},
                        "color": color,
                    },
                }
            )
    return {"width": WIDE, "height": HEIGHT, "layer": layers}


def histogram(
    dataset: str,
    field: str,
    axis: str,
    *,
    facet: str,
    facet_title: str,
    order: Sequence[str],
    filters: Sequence[dict[str, Any]] = (),
    columns: int = 3,
    color: dict[str, Any] | None = None,
) -> Spec:
    """A histogram of ``field`` per ``facet`` value, small multiples on a shared x axis."""
    encoding: dict[str, Any] = {
        "x": quantitative(field, axis, bin={"maxbins": 30}),
        "y": {"aggregate": "count", "type": "quantitative", "title": "requests"},
        "color": color or nominal(facet, facet_title, order, legend=None),
        "tooltip": [
            quantitative(field, f"{axis} from", bin={"maxbins": 30}),
            {"aggregate": "count", "type": "quantitative", "title": "requests"},
        ],
    }
    return {
        "data": {"name": dataset},
        "transform": [*filters, valid(field)],
        "facet": nominal(facet, facet_title, order, header={"labelOrient": "top", "title": None}),
        "columns": columns,
        "spec": {"width": 300 if columns >= 3 else 470, "height": 130, "mark": {"type": "bar"}, "encoding": encoding},
        "resolve": {"scale": {"y": "independent"}},
    }


def fit_band(
    dataset: str,
    x: str,
    x_title: str,
    lines: Sequence[dict[str, Any]],
    *,
    group: str,
    group_title: str,
    order: Sequence[str],
    tooltip: Sequence[dict[str, Any]],
) -> Spec:
    """Every successful request as a point (x against e2e), and the model's ``lines``: rows of
    ``{"x", "fit", "low", "high", "at"}``, two per line (its ends), ``at`` naming the line."""
    layers: list[Spec] = []
    if lines:
        values = list(lines)
        layers.append(
            {
                "data": {"values": values},
                "mark": {"type": "area", "opacity": 0.14, "color": "#4c5566"},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "detail": {"field": "at"},
                },
            }
        )
        layers.append(
            {
                "data": {"values": values},
                "mark": {"type": "line", "color": "#333", "strokeWidth": 1.5, "strokeDash": [5, 3]},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "fit", "type": "quantitative"},
                    "detail": {"field": "at"},
                    "tooltip": [nominal("at", "model line"), quantitative("fit", "model e2e (s)", format=".3f")],
                },
            }
        )
    layers.append(
        {
            "data": {"name": dataset},
            "transform": [{"filter": {"field": "ok", "equal": True}}, valid("e2e"), valid(x)],
            "mark": {"type": "point", "filled": True, "size": 26, "opacity": 0.6},
            "encoding": {
                "x": quantitative(x, x_title),
                "y": quantitative("e2e", "e2e latency (s)"),
                "color": nominal(group, group_title, order),
                "tooltip": list(tooltip),
            },
        }
    )
    return {"width": WIDE, "height": 280, "layer": layers}
