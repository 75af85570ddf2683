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
#: Percentiles in :func:`intervals`: dark enough on white, none of them the cells' colours.
PERCENTILE_COLOURS = ["#1b9e77", "#7570b3", "#d95f02", "#e7298a", "#66a61e", "#a6761d", "#666666"]


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


def facet_of(field: str, title: str, order: Sequence[str], **extra: Any) -> dict[str, Any]:
    """A facet field in ``order``, which needs :func:`rank_of` among the transforms: Vega-Lite
    ignores a list as a wrapped facet's sort, so the panels are sorted by each value's rank."""
    return {"field": field, "type": "nominal", "title": title, "sort": {"field": RANK, "op": "min"}, **extra}


RANK = "llmprof_rank"


def rank_of(field: str, order: Sequence[str]) -> dict[str, Any]:
    """A transform giving each row its ``field`` value's place in ``order`` (as data, joined by
    lookup: values never become expressions)."""
    ranks = [{field: value, RANK: i} for i, value in enumerate(order)]
    return {"lookup": field, "from": {"data": {"values": ranks}, "key": field, "fields": [RANK]}}


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
) -> Spec:
    """The empirical CDF of ``field`` per ``group`` (a step line per group), and ``marks``: rows of
    ``{group, "F" (0..1), "value", "low", "high", "label"}`` drawn as a dot on the curve at each
    percentile (its confidence interval in the tooltip; :func:`intervals` draws them). Each
    percentile's level is a dashed rule labelled once at the left edge, where every curve is still
    low: labels beside the dots would overlap as soon as two cells' curves run close."""
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
        layers.append(
            {
                "data": {"values": values},
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 55,
                    "stroke": "white",
                    "strokeWidth": 1,
                    "opacity": 1,
                },
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "y": {"field": "F", "type": "quantitative"},
                    "color": color,
                    "tooltip": [
                        nominal(group, group_title),
                        nominal("label", "percentile"),
                        quantitative("value", axis),
                        quantitative("low", "95% CI from"),
                        quantitative("high", "95% CI to"),
                    ],
                },
            }
        )
        levels = list({mark["label"]: {"F": mark["F"], "label": mark["label"]} for mark in values}.values())
        layers[:0] = [
            {
                "data": {"values": levels},
                "mark": {"type": "rule", "color": "#aaa", "strokeDash": [4, 4]},
                "encoding": {"y": {"field": "F", "type": "quantitative"}},
            },
            {
                "data": {"values": levels},
                "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 4, "dy": -2, "color": "#555"},
                "encoding": {
                    "x": {"value": 0},
                    "y": {"field": "F", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
        ]
    return {"width": WIDE, "height": HEIGHT, "layer": layers}


def intervals(
    marks: Sequence[dict[str, Any]],
    axis: str,
    *,
    group: str,
    group_title: str,
    order: Sequence[str],
    labels: Sequence[str],
) -> Spec:
    """Each group's percentiles as dots with their 95% confidence intervals as whiskers, one row
    per group and one band per percentile within it (the ``marks`` rows of :func:`ecdf`)."""
    values = list(marks)
    colour = nominal("label", "percentile", labels, scale={"domain": list(labels), "range": PERCENTILE_COLOURS})
    offset = nominal("label", "percentile", labels)
    y = nominal(group, "", order, axis={"title": None})
    return {
        "width": WIDE,
        "height": rows_height(len(order), 16 * len(labels) + 8),
        "data": {"values": values},
        "layer": [
            {
                "transform": [valid("low")],
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "yOffset": offset,
                    "x": quantitative("low", axis),
                    "x2": {"field": "high"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 60},
                "encoding": {
                    "y": y,
                    "yOffset": offset,
                    "x": quantitative("value", axis, scale={"zero": False}),
                    "color": colour,
                    "tooltip": [
                        nominal(group, group_title),
                        nominal("label", "percentile"),
                        quantitative("value", axis, format=".3f"),
                        quantitative("low", "95% CI from", format=".3f"),
                        quantitative("high", "95% CI to", format=".3f"),
                    ],
                },
            },
        ],
    }


def histogram(
    dataset: str,
    field: str,
    axis: str,
    *,
    facet: str,
    facet_title: str,
    order: Sequence[str],
    filters: Sequence[dict[str, Any]] = (),
    color: dict[str, Any] | None = None,
) -> Spec:
    """A histogram of ``field`` per ``facet`` value, small multiples on a shared x axis, in rows
    of one, two or three (four cells make a square, not a row of three and one left over)."""
    columns = 1 if len(order) == 1 else 2 if len(order) in (2, 4) else 3
    width = {1: 940, 2: 470, 3: 300}[columns]
    encoding: dict[str, Any] = {
        "x": quantitative(field, axis, bin={"maxbins": 30}, axis={"labelOverlap": "parity", "labelFlush": True}),
        "y": {"aggregate": "count", "type": "quantitative", "title": "requests"},
        "color": color or nominal(facet, facet_title, order, legend=None),
        "detail": {"field": RANK, "type": "quantitative"},  # kept through the count, for the panels' order
        "tooltip": [
            quantitative(field, f"{axis} from", bin={"maxbins": 30}),
            {"aggregate": "count", "type": "quantitative", "title": "requests"},
        ],
    }
    return {
        "data": {"name": dataset},
        "transform": [*filters, valid(field), rank_of(facet, order)],
        "facet": facet_of(facet, facet_title, order, header={"labelOrient": "top", "title": None}),
        "columns": columns,
        "spec": {"width": width, "height": 130, "mark": {"type": "bar"}, "encoding": encoding},
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
