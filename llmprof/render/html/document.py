"""An HTML report as one self-contained file: a :class:`Page` of sections (tables, notes, facts,
charts) turned into a document that needs no network, ever.

Safety is structural, not a matter of care at each call: every text goes through :func:`text`
(HTML-escaped), every chart spec and data set through :func:`script_json` (escaped so no string
can close the ``<script>`` element it sits in), and the page's Content-Security-Policy allows only
the scripts this module wrote (by hash) and no connection of any kind, so even a string that got
through could neither run nor fetch anything. Charts are Vega-Lite specs, drawn in the browser by
the vendored runtime (:mod:`llmprof.render.html.assets`), as SVG.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from llmprof import __version__
from llmprof.render.html import assets
from llmprof.render.view import View


@dataclass
class Chart:
    id: str  # stable, from code (never from data): the figure is "chart-<id>"
    title: str
    spec: dict[str, Any]  # Vega-Lite; data inline or {"name": <a page data set>}
    caption: str = ""


@dataclass
class Table:
    view: View


@dataclass
class Notes:
    lines: Sequence[str]
    kind: Literal["note", "warning"] = "note"
    title: str | None = None


@dataclass
class Facts:
    rows: Sequence[tuple[str, str]]


Block = Chart | Table | Notes | Facts


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    intro: str = ""


Status = Literal["pass", "warn", "fail", "info"]


@dataclass
class Page:
    kind: str  # "bench", "compare", ...: the body's data-report attribute
    title: str
    sections: list[Section] = field(default_factory=list)
    subtitle: str = ""
    status: tuple[Status, str] | None = None
    #: data shared by several charts (e.g. every request), referenced as {"data": {"name": ...}}
    datasets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def charts(self) -> Iterator[Chart]:
        for section in self.sections:
            yield from (b for b in section.blocks if isinstance(b, Chart))


def text(value: object) -> str:
    """Anything as HTML text (quotes escaped too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survives as
    itself (so ``</script>`` and ``<!--`` cannot appear), nor the two line separators JavaScript
    once treated as line ends. NaN and infinities are refused, not written as invalid JSON."""
    encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        encoded = encoded.replace(raw, escaped)
    return encoded


def finite(value: float | None, digits: int = 6) -> float | None:
    """A number fit for a chart: rounded (smaller files), and None for what JSON cannot hold."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def datasets_used(spec: Any) -> set[str]:
    """The page data sets a spec refers to by name, at any depth (layers, facets)."""
    found: set[str] = set()
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            found.add(data["name"])
        for value in spec.values():
            found |= datasets_used(value)
    elif isinstance(spec, list):
        for value in spec:
            found |= datasets_used(value)
    return found


def payload(page: Page) -> dict[str, Any]:
    """What the page's script reads: each chart's spec and the shared data sets it needs."""
    charts = {}
    for chart in page.charts():
        names = sorted(datasets_used(chart.spec))
        missing = [name for name in names if name not in page.datasets]
        if missing:
            raise ValueError(f"chart {chart.id} uses unknown data set(s) {missing}")
        charts[chart.id] = {**chart.spec, "usermeta": {"datasets": names}}
    return {"charts": charts, "datasets": page.datasets, "config": CHART_CONFIG}


CHART_CONFIG: dict[str, Any] = {
    "font": "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
    "view": {"stroke": "#ddd"},
    # labelSeparation: labels closer than this are thinned out (Vega-Lite's default, 0, lets them touch)
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "gridColor": "#eee",
        "labelSeparation": 6,
    },
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal", "labelLimit": 260},
    "header": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 400},
    "title": {"fontSize": 13, "fontWeight": "normal", "anchor": "start"},
    "range": {"category": {"scheme": "tableau10"}},
}

#: Draws every chart, then marks <html data-charts="N"> (N drawn) or data-chart-errors.
BOOT = """\
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("llmprof-data").textContent);
  var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
  var failed = 0;
  var options = {
    mode: "vega-lite", renderer: "svg", ast: true, config: data.config,
    actions: {export: true, source: false, compiled: false, editor: false}
  };
  var drawing = nodes.map(function (node) {
    var id = node.getAttribute("data-chart");
    var spec = data.charts[id];
    spec.datasets = {};
    spec.usermeta.datasets.forEach(function (name) { spec.datasets[name] = data.datasets[name]; });
    return vegaEmbed(node, spec, options).then(function () {
      node.setAttribute("data-rendered", "yes");
    }, function (error) {
      failed += 1;
      node.setAttribute("data-rendered", "error");
      node.textContent = "This chart could not be drawn (" + error + "); the tables hold every figure.";
      console.error("llmprof: chart " + id + " could not be drawn: " + error);
    });
  });
  Promise.all(drawing).then(function () {
    document.documentElement.setAttribute("data-charts", String(nodes.length - failed));
    document.documentElement.setAttribute("data-chart-errors", String(failed));
  });
})();
"""


def _sha(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def to_html(page: Page, clean: Callable[[str], str] = str) -> str:
    """The whole document: markup first (readable without scripts), then data, runtime and boot.
    ``clean`` (the secrets redactor) passes over everything but the scripts, which are fixed code
    (pinned by hash, here and in the page's policy) that no result's text ever reaches."""
    scripts = (*assets.scripts(), BOOT) if any(page.charts()) else ()
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src " + (" ".join(_sha(s) for s in scripts) if scripts else "'none'"),
            "style-src 'unsafe-inline'",  # the runtime styles its tooltip and menus inline
            "img-src data: blob:",  # "save as PNG/SVG" makes data: and blob: URLs
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        ]
    )
    markup = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{text(policy)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f'<meta name="generator" content="llmprof {text(__version__)}">',
        f"<title>{text(page.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        f'<body data-report="{text(page.kind)}">',
        _header(page),
        "<main>",
        *(_section(s) for s in page.sections),
        "</main>",
        _footer(bool(scripts)),
    ]
    if scripts:
        markup.append(f'<script type="application/json" id="llmprof-data">{script_json(payload(page))}</script>')
    parts = [clean("\n".join(markup)), *(f"<script>{s}</script>" for s in scripts), "</body>\n</html>\n"]
    return "\n".join(parts)


def _header(page: Page) -> str:
    lines = ["<header>", f"<h1>{text(page.title)}</h1>"]
    if page.subtitle:
        lines.append(f'<p class="subtitle">{text(page.subtitle)}</p>')
    if page.status:
        kind, words = page.status
        lines.append(f'<p class="status status-{kind}" role="status">{text(words)}</p>')
    if len(page.sections) > 1:
        links = "".join(f'<li><a href="#{text(s.id)}">{text(s.title)}</a></li>' for s in page.sections)
        lines.append(f'<nav aria-label="Contents"><ul>{links}</ul></nav>')
    if any(page.charts()):
        lines.append(
            '<noscript><p class="status status-warn">The charts need JavaScript (it is inlined: nothing is '
            "fetched); every figure is also in the tables.</p></noscript>"
        )
    lines.append("</header>")
    return "\n".join(lines)


def _section(section: Section) -> str:
    lines = [f'<section id="{text(section.id)}">', f"<h2>{text(section.title)}</h2>"]
    if section.intro:
        lines.append(f"<p>{text(section.intro)}</p>")
    lines += [_block(block) for block in section.blocks]
    lines.append("</section>")
    return "\n".join(lines)


def _block(block: Block) -> str:
    if isinstance(block, Table):
        return view_html(block.view)
    if isinstance(block, Notes):
        title = f"<h3>{text(block.title)}</h3>" if block.title else ""
        items = "".join(f"<li>{text(line)}</li>" for line in block.lines)
        return f'<div class="notes notes-{block.kind}">{title}<ul>{items}</ul></div>'
    if isinstance(block, Facts):
        rows = "".join(f"<dt>{text(k)}</dt><dd>{text(v)}</dd>" for k, v in block.rows)
        return f'<dl class="facts">{rows}</dl>'
    caption = f"<p>{text(block.caption)}</p>" if block.caption else ""
    return (
        f'<figure class="chart" id="chart-{text(block.id)}">'
        f"<figcaption><h3>{text(block.title)}</h3>{caption}</figcaption>"
        f'<div class="vis" data-chart="{text(block.id)}" role="img" aria-label="{text(block.title)}"></div>'
        "</figure>"
    )


def view_html(view: View, depth: int = 0) -> str:
    """A :class:`View` as the text outputs show it: title, table (or what it says when empty), the
    lines under it, and any further tables."""
    lines = ['<div class="view">']
    if view.rows:
        lines.append('<div class="scroll"><table>')
        lines.append(f"<caption>{text(view.title)}</caption>")
        heads = "".join(f'<th scope="col" class="{c.align}">{text(c.header)}</th>' for c in view.columns)
        lines.append(f"<thead><tr>{heads}</tr></thead><tbody>")
        for index, row in enumerate(view.rows):
            classes = [name for name, on in (("group", index in view.sections), ("bold", index in view.bold)) if on]
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells = "".join(
                f'<td class="{column.align}">{text(value)}</td>'
                for column, value in zip(view.columns, row, strict=False)
            )
            lines.append(f"<tr{attr}>{cells}</tr>")
        lines.append("</tbody></table></div>")
    else:
        lines.append(f'<p class="caption">{text(view.title)}</p><p class="empty">{text(view.empty)}</p>')
    if view.footer:
        lines.append('<div class="footer">' + "".join(f"<p>{text(line)}</p>" for line in view.footer) + "</div>")
    lines += [view_html(extra, depth + 1) for extra in view.extra]
    lines.append("</div>")
    return "\n".join(lines)


def _footer(charts: bool) -> str:
    made = f"Written by llmprof {text(__version__)}. Opens offline: nothing in this file is fetched."
    if not charts:
        return f"<footer><p>{made}</p></footer>"
    return (
        f"<footer><p>{made} Charts drawn by {text(assets.credits())}, inlined.</p>"
        f"<details><summary>Third-party licences</summary><pre>{text(assets.licences())}</pre></details></footer>"
    )


CSS = """
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --pass: #1a7f37;
  --warn: #9a6700; --fail: #c62828; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; color: var(--ink); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 0 0 2px; }
.subtitle { color: var(--muted); margin: 0 0 10px; overflow-wrap: anywhere; }
.status { display: inline-block; margin: 6px 0; padding: 4px 10px; border-radius: 4px; font-weight: 600; }
.status-pass { background: #e6f4ea; color: var(--pass); }
.status-warn { background: #fff4d6; color: var(--warn); }
.status-fail { background: #fdecea; color: var(--fail); }
.status-info { background: #eef2f8; color: var(--muted); }
nav ul { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px 18px; }
nav a { color: #2458b3; text-decoration: none; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; overflow-wrap: anywhere; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; vertical-align: top; }
th { background: #f5f7fa; font-weight: 600; border-top: 1px solid var(--line); }
td.left, th.left { text-align: left; overflow-wrap: anywhere; }
td.right, th.right { text-align: right; white-space: nowrap; }
tr.group td { border-top: 2px solid #b9c0cc; }
tr.bold td { font-weight: 700; }
.view { margin-bottom: 18px; }
.caption { font-weight: 600; margin: 4px 0; }
.empty { color: var(--muted); }
div.footer { margin: 6px 0 0; color: #374151; }
div.footer p { margin: 3px 0; overflow-wrap: anywhere; }
.notes li { margin: 2px 0; overflow-wrap: anywhere; }
.notes { border-left: 4px solid var(--line); padding: 4px 12px; margin: 10px 0; background: #fafbfc; }
.notes ul { margin: 4px 0; padding-left: 18px; }
.notes-warning { border-color: #d4a72c; background: #fffbea; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
figure.chart { margin: 18px 0 26px; page-break-inside: avoid; break-inside: avoid; }
figcaption p { margin: 0 0 6px; color: var(--muted); max-width: 900px; }
.vis { width: 100%; min-height: 60px; }
.vis .vega-embed { width: 100%; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
footer pre { white-space: pre-wrap; font-size: 11px; }
@media print { nav, .vega-actions { display: none; } body { max-width: none; } }
"""
