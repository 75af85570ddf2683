"""The HTML report, read as a document: every chart each page promises is there with data, the
same figures as the text output, hostile names stay text, nothing would load from a network, the
file is written atomically, and the vendored chart runtime is exactly what its pins say.

The browser test (test_html_browser.py) then checks that the charts really draw."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from llmprof.errors import LlmprofError, UsageError, WriteError
from llmprof.pricing import PriceTable
from llmprof.render import html
from llmprof.render.html import assets
from llmprof.render.html.document import script_json
from llmprof.render.output import Format, emit, write_output
from tests.render import html_cases
from tests.render.html_cases import EXPECTED, HOSTILE, HOSTILE_URL

VENDOR = Path(html.__file__).parent / "vendor"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    table = html_cases.table_in(tmp_path_factory.mktemp("table"))
    return {name: html.render(result) for name, result in html_cases.cases(table).items()}


class Document(HTMLParser):
    """What a browser would see: elements with attributes, scripts' text, and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is None:
            self.text.append(data)
        elif self._in[0] == "script":
            self.scripts.append((self._in[1], data))
        else:
            self.styles.append(data)


def parse(page: str) -> Document:
    document = Document()
    document.feed(page)
    document.close()
    return document


def payload(page: str) -> dict[str, Any]:
    [data] = [text for attrs, text in parse(page).scripts if attrs.get("id") == "llmprof-data"]
    loaded: dict[str, Any] = json.loads(data)
    return loaded


def chart_rows(data: dict[str, Any], chart: str) -> list[dict[str, Any]]:
    """Every data row a chart draws from: its inline values and the page data sets it names."""
    spec = data["charts"][chart]
    rows: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("data"), dict):
                rows.extend(node["data"].get("values", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    for name in spec["usermeta"]["datasets"]:
        rows.extend(data["datasets"][name])
    return rows


# -- structure ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(EXPECTED))
def test_every_chart_the_page_promises_is_there_with_data(pages: dict[str, str], case: str) -> None:
    page = pages[case]
    document = parse(page)
    figures = [attrs["id"] for tag, attrs in document.elements if tag == "figure"]
    containers = [attrs["data-chart"] for tag, attrs in document.elements if "data-chart" in attrs]
    data = payload(page)
    assert figures == [f"chart-{name}" for name in EXPECTED[case]]
    assert containers == EXPECTED[case] == list(data["charts"])
    for chart in EXPECTED[case]:
        assert chart_rows(data, chart), f"{case}: chart {chart} has no data"


def test_the_bench_page_draws_every_request_and_the_tables_percentiles(table: PriceTable) -> None:
    output = html_cases.bench()
    data = payload(html.render(output))
    rows = data["datasets"]["requests"]
    assert [row["id"] for row in rows] == [r.id for r in output.result.measured]
    assert sum(1 for row in rows if not row["ok"]) == output.summary.failed > 0
    assert sum(1 for row in rows if row["retried"]) > 0
    marks = [row for row in chart_rows(data, "e2e-ecdf") if "label" in row and "cell" in row]
    assert len(marks) == len(output.summary.cells) * 3  # three percentiles in every cell
    cell = output.summary.cells[0]
    mark = next(m for m in marks if m["cell"] == cell.cell and m["label"] == "p90")
    assert mark["value"] == round(cell.e2e_s[90.0], 6)
    ci = cell.e2e_ci[50.0]
    assert ci is not None
    p50 = next(m for m in marks if m["cell"] == cell.cell and m["label"] == "p50")
    assert (p50["low"], p50["high"]) == (round(ci[0], 6), round(ci[1], 6))


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = spec["layer"]
    return layers


def test_the_cdf_marks_each_percentile_level_once_not_beside_every_dot() -> None:
    output = html_cases.bench()
    spec = payload(html.render(output))["charts"]["e2e-ecdf"]
    kinds = [layer["mark"]["type"] for layer in _layers(spec)]
    assert kinds == ["rule", "text", "line", "point"]  # the levels under the curves, the dots on top
    levels = [{"F": 0.5, "label": "p50"}, {"F": 0.75, "label": "p75"}, {"F": 0.9, "label": "p90"}]
    rule, text = _layers(spec)[:2]
    assert rule["data"]["values"] == text["data"]["values"] == levels
    assert text["encoding"]["x"] == {"value": 0}  # at the left edge, where every curve is still low
    dots = _layers(spec)[3]["data"]["values"]
    assert [(d["cell"], d["label"]) for d in dots] == [
        (cell, q) for cell in html_cases.CELLS for q in ("p50", "p75", "p90")
    ]


def test_the_intervals_chart_draws_the_tables_intervals_and_says_which_are_missing() -> None:
    output = html_cases.bench()
    summary = output.summary
    page = html.render(output)
    spec = payload(page)["charts"]["e2e-percentiles"]
    rows = spec["data"]["values"]
    expected: list[tuple[str, str, float, float | None, float | None]] = []
    for cell in summary.cells:
        for q in (50.0, 75.0, 90.0):
            ci = cell.e2e_ci.get(q)
            low, high = (round(ci[0], 6), round(ci[1], 6)) if ci else (None, None)
            expected.append((cell.cell, f"p{q:g}", round(cell.e2e_s[q], 6), low, high))
    assert [(r["cell"], r["label"], r["value"], r["low"], r["high"]) for r in rows] == expected
    with_ci = [row for row in expected if row[3] is not None]
    whiskers, dots = _layers(spec)
    assert whiskers["transform"] == [{"filter": {"field": "low", "valid": True}}]
    assert whiskers["encoding"]["y"]["sort"] == dots["encoding"]["y"]["sort"] == list(html_cases.CELLS)
    # 11 or 12 successes a cell: enough for a distribution-free p50 interval, not for p75 or p90
    assert [row[1] for row in with_ci] == ["p50"] * 4
    caption = "No whisker for p75, p90 where a cell has too few successes for one (n = 11 to 12)."
    assert caption in " ".join(" ".join(parse(page).text).split())


def test_the_histograms_panels_follow_the_tables_order_not_the_records() -> None:
    from llmprof.render.html.charts import RANK

    output = html_cases.bench()
    assert output.result.measured[0].cell != output.summary.cells[0].cell  # records start elsewhere
    spec = payload(html.render(output))["charts"]["e2e-histogram"]
    lookup = spec["transform"][-1]
    assert lookup["lookup"] == "cell"
    assert lookup["from"]["data"]["values"] == [{"cell": cell, RANK: i} for i, cell in enumerate(html_cases.CELLS)]
    assert spec["facet"]["sort"] == {"field": RANK, "op": "min"}
    assert spec["spec"]["encoding"]["detail"] == {"field": RANK, "type": "quantitative"}  # survives the count
    assert spec["columns"] == 2  # four cells make a square


def test_the_run_names_the_endpoint_kind_once() -> None:
    from llmprof.render.html.bench import endpoint

    assert endpoint("mock (built in)", "mock") == "mock (built in)"
    assert endpoint("https://api.example.test/v1", "remote") == "https://api.example.test/v1 (remote)"
    assert endpoint("http://127.0.0.1:8080/v1", None) == "http://127.0.0.1:8080/v1"


def test_the_model_lines_follow_the_fit(table: PriceTable) -> None:
    output = html_cases.bench()
    fit = output.summary.fit
    assert fit is not None and fit.per_output_s is not None
    lines = [row for row in chart_rows(payload(html.render(output)), "latency-vs-output") if "fit" in row]
    assert lines and {row["at"] for row in lines} <= {"input 100 tokens", "input 1000 tokens"}
    first, last = lines[0], lines[1]
    assert (first["x"], last["x"]) == (1, 20)
    assert last["fit"] - first["fit"] == pytest.approx(fit.per_output_s * 19, abs=1e-5)
    assert all(row["low"] <= row["fit"] <= row["high"] for row in lines)
    band, line, _ = _layers(payload(html.render(output))["charts"]["latency-vs-input"])
    assert band["data"] == line["data"]  # the band and the dashed line: the same rows
    assert [row["at"] for row in line["data"]["values"]] == ["output 1 token"] * 2 + ["output 20 tokens"] * 2


@pytest.mark.parametrize("case", ["bench", "sweep", "compare", "check"])
def test_the_page_says_everything_the_text_output_says(table: PriceTable, case: str) -> None:
    result = html_cases.cases(table)[case]
    text = " ".join(" ".join(parse(html.render(result)).text).split())
    view = result.view()
    for part in [view, *view.extra]:
        for row in part.rows:
            for cell in row:
                assert cell in text, f"{case}: table cell {cell!r} is missing"
        for line in part.footer:
            assert " ".join(line.split()) in text, f"{case}: note {line!r} is missing"


def test_a_bench_in_closed_loop_has_no_send_lag_chart(pages: dict[str, str]) -> None:
    assert "send-lag" not in payload(pages["bench"])["charts"]
    assert "send-lag" in payload(pages["bench-open-loop"])["charts"]


def test_a_result_without_a_page_of_its_own_gets_its_tables(table: PriceTable) -> None:
    from llmprof.render.pricing import PricingList

    result = PricingList(table, table.on(html_cases.DAY), html_cases.DAY)
    page = html.render(result)
    document = parse(page)
    assert result.view().title in document.text
    assert not [a for t, a in document.elements if t == "figure"]
    assert not document.scripts  # no chart, so no runtime, and a policy that allows no script at all
    assert "script-src &#x27;none&#x27;" in page


# -- escaping -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["hostile-bench", "hostile-compare", "hostile-check"])
def test_hostile_names_stay_text(pages: dict[str, str], case: str) -> None:
    page = pages[case]
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
    document = parse(page)
    # five scripts, all ours: the data, three pinned bundles and the boot script; none with a src
    assert len(document.scripts) == 5 and all("src" not in attrs for attrs, _ in document.scripts)
    assert [t for t, _ in document.elements].count("script") == 5
    assert not [t for t, _ in document.elements if t in ("img", "svg", "iframe", "object", "embed")]
    shown = "".join(document.text)
    assert HOSTILE in shown  # shown to the reader as the text it is
    if case == "hostile-check":  # the charts get the prompt's name back as data, intact
        assert any(HOSTILE in row["item"] for row in chart_rows(payload(page), "check-cost"))
    else:
        assert HOSTILE_URL in shown


def test_script_json_cannot_close_its_element() -> None:
    value = {"name": "</script><!-- & \u2028 \u2029 -->"}
    encoded = script_json(value)
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded and "\u2028" not in encoded
    assert json.loads(encoded) == value
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


# -- offline --------------------------------------------------------------------------------------

LOADING_ATTRIBUTES = ("src", "href", "srcset", "action", "formaction", "poster", "data", "xlink:href", "background")


@pytest.mark.parametrize("case", list(EXPECTED))
def test_nothing_in_the_page_would_load_from_a_network(pages: dict[str, str], case: str) -> None:
    page = pages[case]
    document = parse(page)
    for tag, attrs in document.elements:
        assert tag not in ("link", "img", "iframe", "object", "embed", "base", "source", "audio", "video")
        for name in LOADING_ATTRIBUTES:
            value = attrs.get(name)
            assert value is None or value.startswith("#"), f"<{tag} {name}={value!r}>"
    for style in document.styles:
        assert "url(" not in style and "@import" not in style
    [policy] = [a["content"] for t, a in document.elements if t == "meta" and a.get("http-equiv")]
    assert policy is not None
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy and "unsafe-eval" not in policy
    # Beyond the pinned bundles (whose URL strings are inert: the W3C namespaces, a link in an
    # error message), an address appears only where the result itself holds one, as text.
    rest = page
    for bundle in assets.scripts():
        rest = rest.replace(bundle, "")
    addresses = re.findall(r"https?://[^\s\"'<>\\&]*", rest)
    allowed = "https://api.example.test/v1/" if case.startswith("hostile") and case != "hostile-check" else None
    assert all(address == allowed for address in addresses), addresses


def test_the_policy_names_each_script_by_its_hash(pages: dict[str, str]) -> None:
    import base64

    page = pages["bench"]
    document = parse(page)
    [policy] = [a["content"] for t, a in document.elements if t == "meta" and a.get("http-equiv")]
    assert policy is not None
    for attrs, text in document.scripts:
        digest = "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
        assert (digest in policy) == (attrs.get("type") != "application/json")


# -- the vendored runtime -------------------------------------------------------------------------


@pytest.mark.parametrize("bundle", assets.BUNDLES, ids=[b.file for b in assets.BUNDLES])
def test_vendored_bundles_match_their_pins_and_the_readme(bundle: assets.Bundle) -> None:
    data = (VENDOR / bundle.file).read_bytes()
    assert hashlib.sha256(data).hexdigest() == bundle.sha256
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert f"| `{bundle.file}` | {bundle.package} | {bundle.version} | {bundle.licence}" in readme
    assert bundle.sha256 in readme
    assert f'"{bundle.version}"' in data.decode("utf-8")  # the bundle says its own version


def test_a_tampered_bundle_is_refused_with_the_fix() -> None:
    bundle = assets.BUNDLES[0]
    with pytest.raises(LlmprofError) as caught:
        assets.verified(bundle, (VENDOR / bundle.file).read_bytes() + b"\n// extra")
    assert caught.value.exit_code == 2
    assert "is not vega 6.4.0" in caught.value.message and caught.value.hint is not None
    assert "reinstall" in caught.value.hint


def test_every_licence_ships_and_is_in_the_page(pages: dict[str, str]) -> None:
    text = " ".join(parse(pages["bench"]).text)
    for name in assets.LICENCES:
        first = (VENDOR / name).read_text(encoding="utf-8").splitlines()[0]
        assert first in text


# -- writing --------------------------------------------------------------------------------------


def test_the_report_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("the old report")
    output = html_cases.bench()

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("llmprof.files.os.fsync", disk_full)
    with pytest.raises(WriteError) as caught:
        html.write(output, target)
    assert "cannot write the HTML report" in caught.value.message
    assert target.read_text() == "the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left behind
    monkeypatch.undo()
    html.write(output, target)
    assert target.read_text(encoding="utf-8") == html.render(output)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_output_writes_any_format_to_a_file(tmp_path: Path) -> None:
    output = html_cases.bench()
    write_output(output, Format.html, tmp_path / "r.html")
    write_output(output, Format.markdown, tmp_path / "r.md")
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    buffer = io.StringIO()
    emit(output, Format.markdown, buffer)
    assert (tmp_path / "r.md").read_text(encoding="utf-8") == buffer.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_html_to_a_terminal_is_refused_with_a_hint() -> None:
    with pytest.raises(UsageError) as caught:
        emit(html_cases.bench(), Format.html, Terminal())
    assert caught.value.hint is not None and "-o report.html" in caught.value.hint


def test_registered_secrets_are_redacted_from_the_page_but_not_from_the_runtime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from llmprof.secrets import Redactor

    redactor = Redactor()
    redactor.add("gpt-3.5-turbo")
    redactor.add("e")  # short secrets are hidden wherever they occur: the pinned scripts must not be touched
    monkeypatch.setattr("llmprof.secrets.REDACTOR", redactor)
    page = html.render(html_cases.bench())
    assert "gpt-3.5-turbo" not in page
    for bundle in assets.scripts():
        assert bundle in page


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from llmprof.cli import app

    code = app.run(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_broken_install_is_exit_2_with_the_fix_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], table: PriceTable
) -> None:
    from llmprof.bench.resultfile import write_document

    result = html_cases.bench_result()
    write_document(tmp_path / "run.json", result, html_cases.bench().summary)
    monkeypatch.setattr(assets, "_read", lambda name: b"not the bundle")
    assets.scripts.cache_clear()
    try:
        code, _, err = _cli(
            ["report", str(tmp_path / "run.json"), "--format", "html", "-o", str(tmp_path / "r.html")], capsys
        )
    finally:
        assets.scripts.cache_clear()
    assert code == 2
    assert "error: the HTML report's chart runtime vega.min.js is not vega 6.4.0" in err
    assert "reinstall llmprof-cli" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_the_intervals_caption_is_silent_when_every_dot_has_its_whisker() -> None:
    from llmprof.bench.summary import CellSummary
    from llmprof.render.html.bench import _no_interval

    full = CellSummary("a", 1, 1, ok=40, e2e_s={50.0: 1.0, 90.0: 2.0}, e2e_ci={50.0: (0.9, 1.1), 90.0: (1.8, 2.4)})
    short = CellSummary("b", 1, 1, ok=20, e2e_s={50.0: 1.0, 90.0: 2.0}, e2e_ci={50.0: (0.9, 1.1), 90.0: None})
    assert _no_interval([full]) == ""
    assert _no_interval([full, short]) == " No whisker for p90 where a cell has too few successes for one (n = 20)."
