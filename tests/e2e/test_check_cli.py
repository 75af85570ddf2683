"""`llmprof check` on a temporary project, the way a team's CI runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Run
from tests.test_config import MINIMAL

CONFIG = MINIMAL  # the minimal llmprof.yaml from the issue, exactly as written there


def _words(n: int) -> str:
    return "hello" + " hello" * (n - 1)  # exactly n tokens in o200k_base


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "answer.txt").write_text(_words(5000))
    (tmp_path / "prompts" / "greet.txt").write_text(_words(300))
    (tmp_path / "llmprof.yaml").write_text(CONFIG)
    return tmp_path


def test_baseline_then_grow_shrink_and_reprice(run: Run, project: Path) -> None:
    saved = run("check", "--update-baseline", cwd=project)
    assert saved.returncode == 0, saved.stderr
    baseline = project / "llmprof-baseline.json"
    first = baseline.read_bytes()
    assert run("check", "--update-baseline", cwd=project).returncode == 0
    assert baseline.read_bytes() == first  # deterministic: diffs cleanly in git
    items = json.loads(first)["items"]
    assert [(i["prompt"], i["model"]) for i in items] == [
        ("prompts/answer.txt", "claude-haiku-4-5"),
        ("prompts/answer.txt", "gpt-4o-mini"),
        ("prompts/greet.txt", "claude-haiku-4-5"),
        ("prompts/greet.txt", "gpt-4o-mini"),
    ]

    clean = run("check", cwd=project)
    assert clean.returncode == 0, clean.stderr
    assert "llmprof check passed" in clean.stdout
    assert "0 changed, 0 new, 0 removed, 4 unchanged (prompt × model)." in clean.stdout

    # Grow one prompt by 10%: exit 1, that prompt named, its delta shown.
    (project / "prompts" / "answer.txt").write_text(_words(5500))
    grown = run("check", "--format", "json", cwd=project)
    assert grown.returncode == 1
    doc = json.loads(grown.stdout)
    assert not doc["passed"]
    changed = [c for c in doc["changes"] if c["status"] == "changed"]
    assert {(c["prompt"], c["model"]) for c in changed} == {
        ("prompts/answer.txt", "gpt-4o-mini"),
        ("prompts/answer.txt", "claude-haiku-4-5"),
    }
    mini = next(c for c in changed if c["model"] == "gpt-4o-mini")
    # 500 more input tokens at $0.15 / 1M = $0.000075 more per request
    assert (mini["before_usd"], mini["after_usd"], mini["delta_usd"]) == ("0.00087", "0.000945", "0.000075")
    assert (mini["input_tokens_before"], mini["input_tokens_after"], mini["cause"]) == (5000, 5500, "prompt")
    assert grown.stderr.startswith("error: check failed (3 reasons):\n  - ")
    assert (
        "max_cost_increase_pct (support: prompts/answer.txt on gpt-4o-mini): +8.6% over the limit +5%" in grown.stderr
    )
    table = run("check", cwd=project)
    assert "│ changed │ support │ prompts/answer.txt │ gpt-4o-mini" in table.stdout
    assert "+$0.000075" in table.stdout and "+8.6%" in table.stdout

    # Shrink it below the baseline: exit 0.
    (project / "prompts" / "answer.txt").write_text(_words(4000))
    assert run("check", cwd=project).returncode == 0

    # Same prompts, new prices: the delta is the prices', not the prompts'.
    (project / "prompts" / "answer.txt").write_text(_words(5000))
    (project / "prices.yaml").write_text(
        "schema_version: 1\nversion: next\nmodels:\n  gpt-4o-mini:\n    prices:\n"
        "      - {since: 2026-01-01, input: 0.30, output: 0.60}\n"
    )
    repriced = run("check", "--pricing", "prices.yaml", "--format", "json", cwd=project)
    doc = json.loads(repriced.stdout)
    assert doc["pricing"]["current"]["version"].endswith("+next")
    assert doc["totals"]["prompt_effect_usd"] == "0"
    assert float(doc["totals"]["price_effect_usd"]) > 0
    assert {c["cause"] for c in doc["changes"] if c["status"] == "changed"} == {"price"}
    text = run("check", "--pricing", "prices.yaml", cwd=project).stdout
    assert "Prices changed: baseline table" in text and "prompts $0.00, prices +$" in text


def test_ci_outputs_markdown_step_summary_and_junit(run: Run, project: Path) -> None:
    assert run("check", "--update-baseline", cwd=project).returncode == 0
    (project / "prompts" / "answer.txt").write_text(_words(5500))
    summary = project / "summary.md"
    summary.write_text("# earlier step\n")
    done = run(
        "check", "--format", "markdown", "--junit", "junit.xml", cwd=project, env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert done.returncode == 1
    assert done.stdout.startswith("### llmprof check FAILED: 3 budgets exceeded\n")
    assert "| changed | support | prompts/answer.txt | gpt-4o-mini |" in done.stdout
    assert summary.read_text().startswith("# earlier step\n### llmprof check FAILED")
    junit = (project / "junit.xml").read_text()
    # one test case per budget and subject: 3 breached (two prompts and the total), none passing
    assert '<testsuite name="llmprof check" tests="3" failures="3">' in junit
    assert 'name="max_cost_increase_pct: support: prompts/answer.txt on gpt-4o-mini"' in junit
    assert 'name="max_cost_increase_pct: total"' in junit
    # the PR comment (stdout) and the job summary carry the reasons and the fix, not only stderr
    for shown in (done.stdout, summary.read_text()):
        assert "Why it failed:  \n- max_cost_increase_pct (support: prompts/answer.txt on claude-haiku-4-5)" in shown
        assert "- max_cost_increase_pct (support: prompts/answer.txt on gpt-4o-mini): +8.6% over the limit +5%" in shown
        assert "Hint: an intended increase: run `llmprof check --update-baseline` and commit" in shown


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            CONFIG.replace("output_tokens", "output_tokenz"),
            "llmprof.yaml:5: prompt_sets.support.output_tokenz: unknown key",
        ),
        (
            CONFIG.replace("10000", "lots"),
            "llmprof.yaml:6: prompt_sets.support.requests_per_day: expected a whole number, got 'lots'",
        ),
        (
            CONFIG.replace("gpt-4o-mini,", "gpt-4o-mimi,"),
            "llmprof.yaml:4: prompt_sets.support.models: unknown model 'gpt-4o-mimi'",
        ),
        (
            CONFIG.replace("prompts/*.txt", "nope/*.txt"),
            "llmprof.yaml:3: prompt_sets.support.paths: nothing matches 'nope/*.txt'",
        ),
    ],
)
def test_bad_config_exits_2_naming_file_and_key(run: Run, project: Path, config: str, expected: str) -> None:
    (project / "llmprof.yaml").write_text(config)
    done = run("check", "--update-baseline", cwd=project)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {project / expected}")
    assert "Traceback" not in done.stderr


def test_missing_baseline_exits_2_with_the_fix(run: Run, project: Path) -> None:
    done = run("check", cwd=project)
    assert done.returncode == 2
    assert "error: no baseline at" in done.stderr
    assert "llmprof check --update-baseline" in done.stderr


def test_fail_on_warn(run: Run, project: Path) -> None:
    assert run("check", "--update-baseline", cwd=project).returncode == 0
    # claude-haiku-4-5 counts are approximate: a warning, which fails only with --fail-on-warn
    assert run("check", cwd=project).returncode == 0
    done = run("check", "--fail-on-warn", cwd=project)
    assert done.returncode == 1
    assert "warning treated as failure [count-approx]: token counts are approximate for claude-haiku-4-5" in done.stderr


def test_a_reasoning_model_needs_its_reasoning_before_a_budget_passes(run: Run, project: Path) -> None:
    (project / "llmprof.yaml").write_text(
        "prompt_sets:\n  support:\n    paths: [prompts/greet.txt]\n    models: [o3]\n    output_tokens: 200\n"
        "budgets:\n  max_cost_per_request: 0.01\n"
    )
    assert run("check", "--update-baseline", cwd=project).returncode == 0
    unknown = run("check", cwd=project)
    assert unknown.returncode == 1
    assert (
        "max_cost_per_request (support: prompts/greet.txt on o3): not evaluated: the cost is at least $0.0022, "
        "a lower bound (hidden reasoning tokens (none allowed for)); set reasoning_tokens on the prompt set"
    ) in unknown.stderr

    # 300 greet tokens x $2 / 1M + (200 visible + 1,000 reasoning) x $8 / 1M = $0.0006 + $0.0096
    config = (
        (project / "llmprof.yaml")
        .read_text()
        .replace("output_tokens: 200", "output_tokens: 200\n    reasoning_tokens: 1000")
    )
    (project / "llmprof.yaml").write_text(config)
    assert run("check", "--update-baseline", cwd=project).returncode == 0
    [item] = json.loads((project / "llmprof-baseline.json").read_text())["items"]
    assert (item["output_tokens"], item["reasoning_tokens"], item["lower_bound"]) == (1200, 1000, [])
    assert item["cost_per_request_usd"] == "0.0102"
    over = run("check", cwd=project)
    assert over.returncode == 1
    assert "max_cost_per_request (support: prompts/greet.txt on o3): $0.0102 over the limit $0.01" in over.stderr


def test_a_check_that_cannot_run_says_so_in_the_summary_and_an_annotation(run: Run, project: Path) -> None:
    (project / "llmprof.yaml").write_text(CONFIG.replace("output_tokens", "output_tokenz"))
    summary = project / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(project), "GITHUB_STEP_SUMMARY": str(summary)}
    done = run("check", cwd=project, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith(
        "::error file=llmprof.yaml,line=5,title=llmprof check could not run::"
        "prompt_sets.support.output_tokenz: unknown key\n"
    )
    assert summary.read_text().startswith(
        f"### llmprof check could not run\n\n```\nerror: {project / 'llmprof.yaml'}:5: prompt_sets.support.output_tokenz"
    )


def test_ignored_warnings_let_fail_on_warn_pass_and_are_still_listed(run: Run, project: Path) -> None:
    assert run("check", "--update-baseline", cwd=project).returncode == 0
    strict = run("check", "--fail-on-warn", "--format", "json", cwd=project)
    assert strict.returncode == 1  # claude-haiku-4-5's counts are approximate: a warning, for good
    assert "warning treated as failure [count-approx]" in strict.stderr
    (project / "llmprof.yaml").write_text(CONFIG + "ignore_warnings: [count-approx, model-shutdown]\n")
    relaxed = run("check", "--fail-on-warn", "--format", "json", cwd=project)
    assert relaxed.returncode == 0, relaxed.stderr
    warnings = json.loads(relaxed.stdout)["warnings"]
    assert {(w["code"], w["ignored"]) for w in warnings} >= {("count-approx", True)}
    (project / "llmprof.yaml").write_text(CONFIG + "ignore_warnings: [count-aprox]\n")
    typo = run("check", cwd=project)
    assert typo.returncode == 2
    assert "ignore_warnings: unknown warning code 'count-aprox'" in typo.stderr
    assert "hint: did you mean 'count-approx'? known codes: pricing-stale, model-shutdown" in typo.stderr
