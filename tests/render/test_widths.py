"""Tables on 80-, 120- and 200-column terminals: snapshots (tests/render/snapshots/*.COLS.txt), and
the promise behind them checked on every one: no line wider than the terminal, every value shown
whole on one line, and every hidden column named under its table.

After an intended change: LLMPROF_UPDATE_SNAPSHOTS=1 pytest tests/render, then read the diff.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmprof import estimate
from llmprof.inputs import Source
from llmprof.pricing import PriceTable
from llmprof.render import console
from llmprof.render.estimate import EstimateOutput
from llmprof.render.fit import fit, width_of
from llmprof.render.output import Renderable
from llmprof.render.view import Column, View
from tests.render.test_snapshots import CASES, DAY, SNAPSHOTS

WIDTHS = (80, 120, 200)


def _folder(table: PriceTable, tmp_path: Path) -> Renderable:
    """Three prompts in a folder, three models, sent 10,000 times each."""
    folder = tmp_path / "prompts"
    folder.mkdir()
    texts = {"support.txt": "You are a helpful assistant. " * 40, "long.txt": "word " * 3000, "short.txt": "Hi"}
    for name, text in texts.items():
        (folder / name).write_text(text)
    settings = estimate.Settings(output_tokens=150, requests=10_000, as_of=DAY)
    sources = [Source(f"prompts/{name}", folder / name) for name in texts]
    return EstimateOutput(estimate.estimate_prompts(table, sources, ["mini", "old", "cachey"], settings))


SHOWN = {
    "estimate": CASES["estimate"],
    "estimate-folder": _folder,
    "bench": CASES["bench"],
    "check": CASES["check"],
    "compare": CASES["compare"],
}


def _views(view: View) -> Iterator[View]:
    yield view
    for extra in view.extra:
        yield from _views(extra)


def _render(view: View, width: int) -> str:
    out = io.StringIO()
    console.render(view, out, width=width)
    return out.getvalue()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", list(SHOWN))
def test_tables_fit_the_terminal(case: str, width: int, table: PriceTable, tmp_path: Path) -> None:
    view = SHOWN[case](table, tmp_path).view()  # type: ignore[no-untyped-call]
    text = _render(view, width)
    lines = text.splitlines()
    assert max(width_of(line) for line in lines) <= width
    for part in _views(view):
        layout = fit(part, width)
        shown = range(len(part.columns)) if layout.stacked else layout.shown
        for row in part.rows:
            for index in shown:
                column = part.columns[index]
                value = column.compact.get(row[index], row[index]) if layout.compact else row[index]
                if not value:
                    continue
                if layout.stacked and index:
                    value = f"{column.header}: {value}" if column.header else value
                assert any(value in line for line in lines), f"{value!r} is not whole on any line at {width} columns"
        if layout.hidden:
            names = ", ".join(part.columns[i].header for i in layout.hidden)
            assert f"Not shown, to fit {width} columns: {names} (--wide shows every column)." in text.replace("\n", " ")
    snapshot = SNAPSHOTS / f"{case}.{width}.txt"
    if os.environ.get("LLMPROF_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run with LLMPROF_UPDATE_SNAPSHOTS=1 and review it"
    assert text == snapshot.read_text(encoding="utf-8")


def test_at_80_columns_the_headline_columns_stay_and_the_rest_is_named(table: PriceTable, tmp_path: Path) -> None:
    text = _render(SHOWN["estimate"](table, tmp_path).view(), 80)  # type: ignore[no-untyped-call]
    header = "".join(line for line in text.splitlines() if line.startswith("┃"))
    for headline in ("Model", "Per request", "requests"):
        assert headline in header
    assert "Not shown, to fit 80 columns: Input, Output (--wide shows every column)." in text


def test_wide_shows_every_column_whatever_the_terminal(table: PriceTable, tmp_path: Path) -> None:
    view = SHOWN["bench"](table, tmp_path).view()  # type: ignore[no-untyped-call]
    out = io.StringIO()
    console.render(view, out, width=80, wide=True)
    assert "Not shown" not in out.getvalue()
    assert "input: 228 tokens, output: 26 tokens" in out.getvalue()
    assert all(c.header in out.getvalue() for c in view.columns)


def test_a_narrow_bench_names_cells_as_the_cells_flag_does(table: PriceTable, tmp_path: Path) -> None:
    text = _render(SHOWN["bench"](table, tmp_path).view(), 80)  # type: ignore[no-untyped-call]
    assert "│ 228x26 " in text and "input: 228" not in text


def test_rows_too_wide_for_any_table_become_blocks_of_whole_values() -> None:
    view = View(
        "Budgets",
        [Column("Budget", "left"), Column("Subject", "left"), Column("Limit"), Column("Result", "left")],
        [["max_cost_increase_pct", "support: prompts/support.txt on claude-haiku-4-5", "+5%", "FAIL"]],
    )
    text = _render(view, 60)
    assert text == (
        "Budgets\n"
        "max_cost_increase_pct\n"
        "  Subject: support: prompts/support.txt on claude-haiku-4-5\n"
        "  Limit: +5%   Result: FAIL\n"
        "Shown as one block per row to fit 60 columns; --wide shows\n"
        "the table.\n"
    )


def test_notes_wrap_between_words_only() -> None:
    view = View("T", [Column("A", "left")], [["x"]], footer=["Total per day: $15.54 → $16.36, +$0.8165 (+5.3%)."])
    assert _render(view, 24).splitlines()[-3:] == ["Total per day: $15.54 →", "$16.36, +$0.8165", "(+5.3%)."]


def test_a_word_longer_than_the_line_is_kept_whole() -> None:
    view = View("T", [Column("A", "left")], [["x"]], footer=["see https://example.test/a/very/long/address ok"])
    assert _render(view, 20).splitlines()[-3:] == ["see", "https://example.test/a/very/long/address", "ok"]


def test_fail_and_regression_are_red_and_warn_yellow_only_with_colour() -> None:
    view = View("Budgets", [Column("Result", "left")], [["FAIL"], ["WARN"], ["pass"]])
    view.tones = {(0, 0): "bad", (1, 0): "warn"}
    coloured, plain = io.StringIO(), io.StringIO()
    console.render(view, coloured, width=80, color=True)
    console.render(view, plain, width=80, color=False)
    assert "\x1b[1;31mFAIL  \x1b[0m" in coloured.getvalue() and "\x1b[1;33mWARN  \x1b[0m" in coloured.getvalue()
    assert "\x1b" not in plain.getvalue() and "│ FAIL   │" in plain.getvalue()


def test_no_color_keeps_the_words_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    view = View("Budgets", [Column("Result", "left")], [["FAIL"]], tones={(0, 0): "bad"})
    out = io.StringIO()
    console.render(view, out, width=80, color=True)
    assert "\x1b[31m" not in out.getvalue() and "\x1b[1;31m" not in out.getvalue() and "FAIL" in out.getvalue()
