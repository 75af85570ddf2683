"""Every HTML report opened in a real browser (headless Chromium), with the network switched off:
each chart draws as SVG with its marks, nothing is fetched, nothing is logged to the console
(errors, warnings, security-policy refusals), no hostile name runs, and a screenshot is kept.

Needs Chromium (Debian: ``apt-get install chromium``; ``.ci/run`` installs it). Without it these
tests skip, unless LLMPROF_REQUIRE_BROWSER=1 (as in CI) makes that a failure. Screenshots go to
the test's tmp dir, and also to $LLMPROF_SCREENSHOTS when set. Deselect with ``-m "not browser"``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from llmprof.render import html
from llmprof.render.bench import BenchOutput
from llmprof.render.output import Renderable
from tests.render import html_cases
from tests.render.cdp import Browser, find_chromium
from tests.render.html_cases import EXPECTED, HOSTILE

pytestmark = pytest.mark.browser

#: Per chart: its container's state, its SVG's size, its data marks by kind (vega's SVG
#: renderer puts each mark set in a <g class="mark-KIND role-mark ...">), and the titles of its
#: panels (a facet's cells), in the order they are drawn.
SURVEY = """
Array.from(document.querySelectorAll("[data-chart]")).map(function (node) {
  var svg = node.querySelector("svg");
  var kinds = {};
  node.querySelectorAll("g.role-mark").forEach(function (group) {
    var kind = (group.getAttribute("class").match(/mark-(\\w+)/) || [])[1] || "?";
    kinds[kind] = (kinds[kind] || 0) + group.children.length;
  });
  var panels = Array.prototype.map.call(
    node.querySelectorAll("g.role-scope g.role-title-text text"), function (t) { return t.textContent; });
  return {
    id: node.getAttribute("data-chart"),
    panels: panels,
    rendered: node.getAttribute("data-rendered"),
    width: svg ? svg.getBoundingClientRect().width : 0,
    height: svg ? svg.getBoundingClientRect().height : 0,
    marks: kinds
  };
})
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        message = "no Chromium (apt-get install chromium, or set LLMPROF_CHROMIUM)"
        if os.environ.get("LLMPROF_REQUIRE_BROWSER") == "1":
            pytest.fail(message + ", and LLMPROF_REQUIRE_BROWSER=1 requires the browser tests")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Renderable]:
    return html_cases.cases(html_cases.table_in(tmp_path_factory.mktemp("table")))


def _keep(shot: Path) -> None:
    folder = os.environ.get("LLMPROF_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(folder) / shot.name)


def _ok_requests(result: Renderable) -> int:
    records = getattr(result, "result", None)
    return sum(1 for r in records.measured if r.ok) if records is not None else 0


#: Every page kind, and hostile names in a bench and a check (compare's are covered by the
#: structure tests: the browser adds about seven seconds a page).
CASES = [case for case in EXPECTED if case != "hostile-compare"]


@pytest.mark.parametrize("case", CASES)
def test_the_report_draws_offline_in_a_real_browser(
    chromium: str, results: dict[str, Renderable], case: str, tmp_path: Path
) -> None:
    result = results[case]
    page = tmp_path / f"report-{case}.html"
    html.write(result, page)
    with Browser(chromium, tmp_path / "profile") as browser:
        browser.open_offline(page.as_uri())
        drawn = browser.wait_until("document.documentElement.getAttribute('data-charts')")
        failed = browser.evaluate("document.documentElement.getAttribute('data-chart-errors')")
        charts: list[dict[str, Any]] = browser.evaluate(SURVEY)
        title = browser.evaluate("document.title")
        heading = browser.evaluate("document.querySelector('h1').textContent")
        shot = tmp_path / f"llmprof-html-{case}.png"
        browser.screenshot(shot)
        _keep(shot)
        errors, requests, dialogs = browser.errors(), browser.requests(), browser.dialogs()

    assert (drawn, failed) == (str(len(EXPECTED[case])), "0")
    assert [c["id"] for c in charts] == EXPECTED[case]
    for chart in charts:
        assert chart["rendered"] == "yes", chart
        assert chart["width"] > 300 and chart["height"] > 40, chart
        assert sum(chart["marks"].values()) > 0, chart
    assert errors == []
    assert requests == [page.as_uri()]  # the page itself, and nothing else: not even an attempt
    assert dialogs == []  # no name in the result ran as script
    assert title == heading == result.view().title
    if case.startswith("hostile") and case != "hostile-check":
        assert HOSTILE in title
    by_id = {c["id"]: c for c in charts}
    for scatter in ("latency-vs-output", "latency-over-time"):
        if scatter in by_id:  # every successful request is a point
            assert by_id[scatter]["marks"].get("symbol", 0) >= _ok_requests(result), by_id[scatter]
    if isinstance(result, BenchOutput):  # a curve per cell, a dot per percentile, each level labelled once
        cells = [c.cell for c in result.summary.cells]
        assert by_id["e2e-ecdf"]["marks"] == {"rule": 3, "text": 3, "line": len(cells), "symbol": 3 * len(cells)}
        intervals = sum(1 for c in result.summary.cells for q in c.e2e_s if c.e2e_ci.get(q))
        assert by_id["e2e-percentiles"]["marks"] == {"rule": intervals, "symbol": 3 * len(cells)}
        assert by_id["e2e-histogram"]["panels"] == cells  # the table's order, not the records'
    if "compare-ecdf" in by_id:
        panels = [p.split(":")[0] for p in by_id["compare-ecdf"]["panels"]]
        assert panels == [f"{cell} {metric}" for cell in html_cases.CELLS for metric in ("e2e", "ttft")]
    assert shot.stat().st_size > 10_000
