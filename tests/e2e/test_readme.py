"""README.md stays true: its deterministic examples are re-run and compared line for line, and
the example project's committed baseline still passes `llmprof check`.

After an intended change, LLMPROF_UPDATE_SNAPSHOTS=1 rewrites each example's output in README.md
from the run (review the diff)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import Run

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```console\n(.*?)```", README, flags=re.S)
# Examples whose output is deterministic (no timings, no "..." elisions): cost and pricing.
EXACT = [
    b
    for b in BLOCKS
    if b.startswith(("$ llmprof estimate", "$ llmprof pricing", "$ llmprof plan")) and "\n...\n" not in b
]
# Plan examples shortened with "..." lines: what they do show must be there, in order.
ELIDED = [b for b in BLOCKS if b.startswith("$ llmprof plan") and "\n...\n" in b]


def test_the_readme_has_exact_examples() -> None:
    assert len(EXACT) >= 4


@pytest.mark.parametrize("block", EXACT, ids=[b.splitlines()[0][2:60] for b in EXACT])
def test_readme_example_output_is_real(run: Run, block: str) -> None:
    command, *expected = block.rstrip("\n").splitlines()
    done = run(*shlex.split(command.removeprefix("$ llmprof ")), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    # as a terminal shows it: the result on stdout, then notes and warnings on stderr
    shown = (done.stdout + done.stderr).rstrip("\n")
    if os.environ.get("LLMPROF_UPDATE_SNAPSHOTS"):
        readme = ROOT / "README.md"
        readme.write_text(readme.read_text(encoding="utf-8").replace(block, f"{command}\n{shown}\n"), encoding="utf-8")
        return
    assert shown.splitlines() == expected


@pytest.mark.parametrize("block", ELIDED, ids=[b.splitlines()[0][2:60] for b in ELIDED])
def test_readme_shortened_plan_example_is_real(run: Run, block: str) -> None:
    command, *expected = block.rstrip("\n").splitlines()
    done = run(*shlex.split(command.removeprefix("$ llmprof ")), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    shown = (done.stdout + done.stderr).splitlines()
    position = 0
    for line in (line for line in expected if line != "..."):
        assert line in shown[position:], line
        position = shown.index(line, position) + 1


def test_example_project_passes_its_committed_baseline(run: Run) -> None:
    done = run("check", "--no-latency", cwd=ROOT / "examples")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("llmprof check passed\nNo cost changes against the baseline.\n")


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in README and "<!-- test-command -->" in ci


CHECK_BLOCK = next(b for b in BLOCKS if b.startswith("$ cd examples && llmprof check --no-latency\n"))
CHECK_DIFF = re.search(r"```diff\n(.*?)```", README, flags=re.S)


def test_the_readme_check_example_is_real(run: Run, tmp_path: Path) -> None:
    """The pull request the README shows (its diff, applied to the example project) fails exactly so."""
    assert CHECK_DIFF is not None
    context, *added = CHECK_DIFF[1].rstrip("\n").splitlines()
    project = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", project)
    prompt = project / "prompts" / "support.txt"
    text = prompt.read_text(encoding="utf-8")
    anchor = context[1:] + "\n"
    assert anchor in text and all(line.startswith("+") for line in added)
    prompt.write_text(text.replace(anchor, anchor + "".join(line[1:] + "\n" for line in added)), encoding="utf-8")
    command, *expected = CHECK_BLOCK.rstrip("\n").splitlines()
    done = run(*shlex.split(command.removeprefix("$ cd examples && llmprof ")), cwd=project)
    assert done.returncode == 1, done.stderr
    shown = (done.stdout + done.stderr).rstrip("\n")
    if os.environ.get("LLMPROF_UPDATE_SNAPSHOTS"):
        readme = ROOT / "README.md"
        updated = readme.read_text(encoding="utf-8").replace(CHECK_BLOCK, f"{command}\n{shown}\n")
        readme.write_text(updated, encoding="utf-8")
        return
    assert shown.splitlines() == expected
