"""``llmprof check`` gates a workload file: its tasks join the baseline, the project's budgets
apply to them, and the workload's own budgets (cost per task, day, month; job duration) too."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.e2e.conftest import Run

SUPPORT = """\
tasks:
  support:
    conversation:
      system_tokens: 15
      turns: 6
      user_tokens: 80
      reply_tokens: 150
    per_day: 1000
  nightly:
    job:
      prompts: [doc.txt]
      repeat: 1000
      output_tokens: 200
    per_day: 1
models: [gpt-4o-mini]
limits: {rpm: 500}
budgets: {max_cost_per_month: 40, max_job_duration: 3m}
"""


def _project(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("hello" + " hello" * 499)
    (tmp_path / "support.yaml").write_text(SUPPORT)
    (tmp_path / "llmprof.yaml").write_text(
        textwrap.dedent(
            """\
            workloads: [support.yaml]
            budgets:
              max_cost_increase_pct: 5
              max_cost_per_day: 2.00
            """
        )
    )


def test_a_workload_passes_its_baseline_then_fails_when_it_grows(run: Run, tmp_path: Path) -> None:
    _project(tmp_path)
    written = run("check", "--update-baseline")
    assert written.returncode == 0, written.stderr
    items = json.loads((tmp_path / "llmprof-baseline.json").read_text())["items"]
    assert [(i["set"], i["prompt"], i["kind"], i["requests"], i["cost_per_request_usd"]) for i in items] == [
        ("support", "nightly", "workload", 1000, "0.195"),  # 1,000 x (500 x $0.15 + 200 x $0.60) per 1M
        ("support", "support", "workload", 6, "0.0011709"),  # the minimal file's conversation, p90 = p50
    ]
    passed = run("check", "--format", "json")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    budgets = {(b["budget"], b["subject"]): (b["actual"], b["status"]) for b in json.loads(passed.stdout)["budgets"]}
    assert budgets[("max_cost_per_month", "support: support on gpt-4o-mini (p90)")] == ("35.127", "warn")
    assert budgets[("max_job_duration", "support: nightly on gpt-4o-mini (p90)")] == ("120", "pass")  # 1,000 / 500 RPM
    assert budgets[("max_cost_per_day", "support on gpt-4o-mini")] == ("1.3659", "pass")  # both tasks, a day

    (tmp_path / "support.yaml").write_text(
        SUPPORT.replace("turns: 6", "turns: 7").replace("repeat: 1000", "repeat: 2000")
    )
    failed = run("check")
    assert failed.returncode == 1
    assert (
        "│ changed │ support │ nightly │ gpt-4o-mini │    $0.195 │     $0.39 │     +$0.195 │ +100.0% │ 500,000 → 1,000,000 │ workload │"
        in failed.stdout
    )
    assert (
        "│ changed │ support │ support │ gpt-4o-mini │ $0.001171 │ $0.001491 │ +$0.0003201 │  +27.3% │       4,206 → 5,740 │ workload │"
        in failed.stdout
    )
    assert failed.stderr.splitlines()[1:] == [
        "  - max_cost_increase_pct (support: nightly on gpt-4o-mini): +100.0% over the limit +5%",
        "  - max_cost_increase_pct (support: support on gpt-4o-mini): +27.3% over the limit +5%",
        "  - max_cost_increase_pct (total): +37.7% over the limit +5%",
        "  - max_cost_per_month (support: support on gpt-4o-mini (p90)): $44.73 over the limit $40.00",
        "  - max_job_duration (support: nightly on gpt-4o-mini (p90)): 240.000 s over the limit 180 s",
        "  hint: an intended increase: run `llmprof check --update-baseline` and commit the new baseline; "
        "over a cost limit: trim the prompt or its output, pick a cheaper model, or raise the limit; "
        "over a job's time limit: raise its rate limits or concurrency, or the limit.",
    ]


def test_annotations_point_at_the_line_that_sets_each_limit(run: Run, tmp_path: Path) -> None:
    _project(tmp_path)
    assert run("check", "--update-baseline").returncode == 0
    (tmp_path / "support.yaml").write_text(
        SUPPORT.replace("turns: 6", "turns: 7").replace("repeat: 1000", "repeat: 2000")
    )
    failed = run("check", "--annotations")
    assert failed.returncode == 1
    errors = [line.split("::")[1] for line in failed.stderr.splitlines() if line.startswith("::error")]
    assert errors == [
        "error file=llmprof.yaml,line=3,title=llmprof max_cost_increase_pct",  # a task is no file of its own
        "error file=llmprof.yaml,line=3,title=llmprof max_cost_increase_pct",
        "error file=llmprof.yaml,line=3,title=llmprof max_cost_increase_pct",  # the total
        "error file=support.yaml,line=17,title=llmprof max_cost_per_month",  # the workload's own budgets
        "error file=support.yaml,line=17,title=llmprof max_job_duration",
    ]
