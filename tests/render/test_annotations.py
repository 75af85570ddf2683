"""GitHub annotations from a check: where each one points, and the runner's escaping rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from llmprof import config
from llmprof.check.evaluate import CheckReport, diff, evaluate
from llmprof.check.items import Item, Snapshot
from llmprof.pricing import PriceTable
from llmprof.render.annotations import Annotation, check_annotations, error_annotation, escape_data, escape_property
from llmprof.render.check import CheckOutput

D = Decimal
DAY = dt.date(2026, 6, 1)
CONFIG = """\
prompt_sets:
  support:
    paths: ["prompts/*.txt"]
    models: [mini]
    output_tokens: 100
    requests_per_day: 10000
ignore_warnings: [model-shutdown]
budgets:
  max_cost_increase_pct: 5
  max_cost_per_day: 2.5
"""


def test_escaping_follows_the_runner() -> None:
    assert escape_data("50% off\r\nnext: a, b") == "50%25 off%0D%0Anext: a, b"
    assert escape_property("dir,x/a:b%.txt") == "dir%2Cx/a%3Ab%25.txt"
    note = Annotation("warning", "line 1\nline 2", "a,b:c.txt", 3, "llmprof x")
    assert note.command() == "::warning file=a%2Cb%3Ac.txt,line=3,title=llmprof x::line 1%0Aline 2"
    assert Annotation("error", "no file").command() == "::error::no file"


def _output(table: PriceTable, tmp_path: Path, fail_on_warn: bool = False) -> tuple[CheckOutput, config.Config]:
    (tmp_path / "llmprof.yaml").write_text(CONFIG)
    project = config.load(cwd=tmp_path)

    def item(prompt: str, tokens: int, cost: str) -> Item:
        return Item("support", prompt, "mini", "exact", 1, tokens, 100, D(cost), requests_per_day=10_000)

    before = Snapshot("test-1", "2026-11-01", (), (item("prompts/a.txt", 1000, "0.00021"),))
    after = Snapshot("test-1", "2026-11-01", (), (item("prompts/a.txt", 1100, "0.000225"),))
    report = CheckReport(before, after, diff(before, after, table, DAY), ignore=frozenset(project.ignore_warnings))
    evaluate(report, project.budgets)
    report.warn("model-shutdown", "mini shuts down on 2026-07-01, in 30 days", "prompt_sets.support.models")
    report.warn("count-approx", "token counts are approximate for mini", "prompt_sets.support.models")
    return CheckOutput(report, fail_on_warn), project


def test_a_prompt_budget_points_at_the_prompt_others_at_the_config_line(table: PriceTable, tmp_path: Path) -> None:
    output, project = _output(table, tmp_path)
    lines = [a.command() for a in check_annotations(output, project, tmp_path)]
    assert lines == [
        "::error file=prompts/a.txt,line=1,title=llmprof max_cost_increase_pct::"
        "max_cost_increase_pct (support: prompts/a.txt on mini): +7.1%25 over the limit +5%25 (limit: llmprof.yaml:9)",
        "::error file=llmprof.yaml,line=9,title=llmprof max_cost_increase_pct::"
        "max_cost_increase_pct (total): +7.1%25 over the limit +5%25",
        "::warning file=llmprof.yaml,line=10,title=llmprof max_cost_per_day::"
        "max_cost_per_day (support on mini): $2.25 is near the limit $2.50 (at least warn_at_pct 80%25 of it)",
        # model-shutdown is in ignore_warnings: no annotation (the JSON lists it, as ignored)
        "::warning file=llmprof.yaml,line=4,title=llmprof count-approx::token counts are approximate for mini",
    ]
    assert [w["ignored"] for w in output.document()["warnings"]] == [True, False]


def test_with_fail_on_warn_warnings_are_errors(table: PriceTable, tmp_path: Path) -> None:
    output, project = _output(table, tmp_path, fail_on_warn=True)
    levels = [a.level for a in check_annotations(output, project, tmp_path)]
    assert levels == ["error"] * 4
    assert "resolve the warnings, or name their codes in ignore_warnings" in output.hint()


def test_paths_are_relative_to_the_workspace(table: PriceTable, tmp_path: Path) -> None:
    repo = tmp_path
    (repo / "sub").mkdir()
    output, project = _output(table, repo / "sub")
    files = {a.file for a in check_annotations(output, project, repo)}
    assert files == {"sub/llmprof.yaml", "sub/prompts/a.txt"}


def test_past_ten_of_a_level_the_rest_are_counted(table: PriceTable, tmp_path: Path) -> None:
    output, project = _output(table, tmp_path)
    for n in range(12):
        output.report.warn("count-approx", f"approx {n}", "prompt_sets.support.models")
    warnings = [a for a in check_annotations(output, project, tmp_path) if a.level == "warning"]
    assert len(warnings) == 10
    assert warnings[-1].command() == "::warning title=llmprof::and 5 more: see the job summary or the log"


def test_an_error_that_stopped_the_check_points_at_its_line(tmp_path: Path) -> None:
    message = f"{tmp_path / 'llmprof.yaml'}:7: budgets.max_cost_per_day: expected a number, got 'ten'"
    assert error_annotation(message, tmp_path).command() == (
        "::error file=llmprof.yaml,line=7,title=llmprof check could not run::"
        "budgets.max_cost_per_day: expected a number, got 'ten'"
    )
    assert error_annotation("no baseline at x.json", tmp_path).command() == (
        "::error title=llmprof check could not run::no baseline at x.json"
    )
