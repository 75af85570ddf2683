"""The PR comment is the Markdown report: a failing check must carry its reasons and the fix in it,
not only on stderr (which never reaches the comment)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from llmprof.check.evaluate import CheckReport, diff, evaluate
from llmprof.check.items import Item, Snapshot
from llmprof.config import Budgets
from llmprof.pricing import PriceTable
from llmprof.render.check import CheckOutput
from llmprof.render.output import Format, emit

D = Decimal
DAY = dt.date(2026, 6, 1)


def _failing(table: PriceTable, fail_on_warn: bool = False, ignore: frozenset[str] = frozenset()) -> CheckOutput:
    def item(tokens: int, cost: str) -> Item:
        return Item("support", "prompts/a.txt", "mini", "exact", 1, tokens, 100, D(cost), requests_per_day=10_000)

    before = Snapshot("test-1", "2026-11-01", (), (item(1000, "0.00021"),))
    after = Snapshot("test-1", "2026-11-01", (), (item(1100, "0.000225"),))
    report = CheckReport(before, after, diff(before, after, table, DAY), ignore=ignore)
    evaluate(report, Budgets(max_cost_increase_pct=D(5), max_cost_per_day=D(2)))
    report.warn("count-approx", "token counts are approximate for cachey")
    return CheckOutput(report, fail_on_warn)


def _markdown(output: CheckOutput) -> str:
    out = io.StringIO()
    emit(output, Format.markdown, out)
    return out.getvalue()


def test_the_comment_names_every_failure_and_the_fix(table: PriceTable) -> None:
    comment = _markdown(_failing(table))
    assert comment.startswith("### llmprof check FAILED: 3 budgets exceeded\n")
    why = comment[comment.index("Why it failed:") :].split("\n  \n")[0].splitlines()
    assert why == [
        "Why it failed:  ",
        "- max_cost_per_day (support on mini): $2.25 over the limit $2.00  ",
        "- max_cost_increase_pct (support: prompts/a.txt on mini): +7.1% over the limit +5%  ",
        "- max_cost_increase_pct (total): +7.1% over the limit +5%  ",
    ]
    # a blank line ends the list, so the hint is its own paragraph, not part of the last item
    assert (
        "\n  \nHint: an intended increase: run `llmprof check --update-baseline` and commit the new baseline; "
        "over a cost limit: trim the prompt or its output, pick a cheaper model, or raise the limit.  \n"
    ) in comment
    assert "Warning [count-approx]: token counts are approximate for cachey  \n" in comment
    assert "| **max_cost_per_day** | **support on mini** | **$2.00** | **$2.25** | **FAIL** |" in comment


def test_warnings_treated_as_failures_are_listed_and_ignored_ones_are_said(table: PriceTable) -> None:
    comment = _markdown(_failing(table, fail_on_warn=True))
    assert "- warning treated as failure [count-approx]: token counts are approximate for cachey  " in comment
    assert "resolve the warnings, or name their codes in ignore_warnings" in comment
    quiet = _markdown(_failing(table, fail_on_warn=True, ignore=frozenset({"count-approx"})))
    assert "warning treated as failure" not in quiet and "Warning [count-approx]" not in quiet
    assert "Ignored warnings (ignore_warnings): count-approx; --format json lists them.  " in quiet


def test_a_passing_check_with_only_ignored_warnings_passes_fail_on_warn(table: PriceTable) -> None:
    def item(cost: str) -> Item:
        return Item("support", "prompts/a.txt", "cachey", "approx", 1, 1000, 100, D(cost))

    snap = Snapshot("test-1", "2026-11-01", (), (item("0.0045"),))
    report = CheckReport(snap, snap, diff(snap, snap, table, DAY), ignore=frozenset({"count-approx"}))
    report.warn("count-approx", "token counts are approximate for cachey")
    assert CheckOutput(report, fail_on_warn=True).passed
    assert CheckOutput(report, fail_on_warn=True).document()["warnings"] == [
        {"code": "count-approx", "message": "token counts are approximate for cachey", "ignored": True}
    ]
    report.warn("model-shutdown", "cachey shuts down soon")
    assert not CheckOutput(report, fail_on_warn=True).passed
