"""`llmprof init` in a fresh repository: from nothing to a gated pull request in one command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Run


def _words(n: int) -> str:
    return "hello" + " hello" * (n - 1)  # exactly n tokens in o200k_base


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "prompts" / "support").mkdir(parents=True)
    (tmp_path / "prompts" / "support" / "answer.txt").write_text(_words(400))
    (tmp_path / "prompts" / "greet.txt").write_text(_words(50))
    (tmp_path / "prompts" / "summarise.md").write_text(_words(120))
    return tmp_path


def test_init_then_check_passes_and_a_grown_prompt_fails_with_an_annotation(run: Run, repo: Path) -> None:
    done = run("init", input="", cwd=repo)  # stdin is not a terminal: it must not wait for it
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0].startswith("wrote llmprof.yaml: prompt set 'prompts' with 3 prompts on ")
    assert "wrote llmprof-baseline.json: 3 prompt × model items" in done.stderr
    workflow = yaml.safe_load(done.stdout)  # stdout is the workflow, ready to save
    assert workflow[True]["pull_request"]["paths"][:4] == [  # YAML 1.1 reads the key `on` as true
        "prompts/**/*.md",
        "prompts/**/*.txt",
        "llmprof.yaml",
        "llmprof-baseline.json",
    ]
    config = (repo / "llmprof.yaml").read_text()
    assert "  max_cost_increase_pct: 5 # per prompt, and in total, against the baseline\n" in config
    assert "    reasoning_tokens: 0\n" in config  # the default model reasons by default: said, with a comment

    checked = run("check", cwd=repo, env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo)})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("llmprof check passed\n")
    assert "::error" not in checked.stderr

    (repo / "prompts" / "support" / "answer.txt").write_text(_words(1200))
    grown = run("check", cwd=repo, env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo)})
    assert grown.returncode == 1, grown.stderr
    assert "::error file=prompts/support/answer.txt,line=1,title=llmprof max_cost_increase_pct::" in grown.stderr
    assert "(limit: llmprof.yaml:" in grown.stderr
    assert "::error file=llmprof.yaml,line=" in grown.stderr  # the total, at the budget's line


def test_init_never_replaces_a_config_and_force_does(run: Run, repo: Path) -> None:
    assert run("init", "-q", input="", cwd=repo).returncode == 0
    (repo / "llmprof.yaml").write_text("# mine\n" + (repo / "llmprof.yaml").read_text())
    again = run("init", input="", cwd=repo)
    assert again.returncode == 2
    assert again.stderr.startswith("error: llmprof.yaml already exists: init never replaces a config\n")
    assert "pass --force" in again.stderr and "Traceback" not in again.stderr
    assert (repo / "llmprof.yaml").read_text().startswith("# mine\n")
    forced = run("init", "--force", "-m", "claude-haiku-4-5", input="", cwd=repo)
    assert forced.returncode == 0, forced.stderr
    assert "reasoning_tokens" not in (repo / "llmprof.yaml").read_text()  # a model that does not reason by default


def test_globs_models_by_comma_and_the_workflow_file(run: Run, repo: Path) -> None:
    done = run(
        "init", "prompts/*.txt", "prompts/*.md", "-m", "gpt-4o-mini,claude-haiku-4-5",
        "--workflow", ".github/workflows/llmprof.yml", input="", cwd=repo,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    config = (repo / "llmprof.yaml").read_text()
    assert '      - "prompts/*.txt"\n      - "prompts/*.md"\n' in config
    assert "    models: [gpt-4o-mini, claude-haiku-4-5] #" in config
    items = json.loads((repo / "llmprof-baseline.json").read_text())["items"]
    assert [(i["prompt"], i["model"]) for i in items] == [
        ("prompts/greet.txt", "claude-haiku-4-5"),
        ("prompts/greet.txt", "gpt-4o-mini"),
        ("prompts/summarise.md", "claude-haiku-4-5"),
        ("prompts/summarise.md", "gpt-4o-mini"),
    ]
    assert (repo / ".github" / "workflows" / "llmprof.yml").read_text().startswith("# .github/workflows/llmprof.yml")
    assert run("check", cwd=repo).returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nothing/*.txt",), "error: nothing/*.txt: nothing matches it"),
        (("-m", "gpt-4o-mimi"), "error: unknown model 'gpt-4o-mimi'"),
        (("--workflow", "ci.md"), "error: --workflow ci.md: a workflow is a .yml file"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(run: Run, repo: Path, args: tuple[str, ...], message: str) -> None:
    done = run("init", *args, input="", cwd=repo)
    assert done.returncode == 2
    assert done.stderr.startswith(message), done.stderr
    assert not (repo / "llmprof.yaml").exists() and not (repo / "llmprof-baseline.json").exists()


def test_no_prompts_found_says_how_to_name_them(run: Run, tmp_path: Path) -> None:
    done = run("init", input="", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: no prompt files found under {tmp_path}\n  hint: pass the prompt files")
