"""README.md stays true: every console block is run, in order, as a newcomer would run it, and
what it printed must be what the README shows; every Python block is run too.

Blocks run in one scratch copy of the repository's examples and benchmarks (nothing lands in the
repository), with llmprof's environment pinned (`LLMPROF_TODAY`), no network beyond loopback and
a placeholder API key (no example sends a request anywhere but the built-in mock: the paid one is
refused by the budget guard first). Only what is truly variable is normalised, and only in blocks
marked `<!-- readme: timing -->` (latency figures, times of day, machine-load warnings): their
numbers are masked and table widths ignored. A line `...` in a block stands for any lines.
A block marked `<!-- readme: server -->` starts a server left running for the blocks after it.

After an intended change, LLMPROF_UPDATE_SNAPSHOTS=1 rewrites the exact blocks' output in
README.md from the run (review the diff; timing blocks are left to you).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(
    r"(?:<!-- readme: (?P<mark>[a-z]+)(?: (?P<arg>[^ >]+))? -->\n)?```(?P<lang>console|python|diff)\n(?P<body>.*?)```",
    re.S,
)
NUMBER = re.compile(r"[+-]?\$?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?%?")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: In timing blocks: lines whose presence depends on how busy the machine is.
VARIABLE = (
    "warning: the client, not only the endpoint",
    "warning: the client fell behind",
    "warning: latency drifted",
    "warning: the straight-line model misses",
    "warning: least squares and a robust",
    "warning: the model explains little",
    "bench: ",  # a progress line, every 10 s of a run when stderr is no terminal
)


@dataclass
class Block:
    mark: str | None
    arg: str | None
    lang: str
    body: str
    line: int  # where it starts in README.md

    @property
    def steps(self) -> list[tuple[str, list[str]]]:
        """(command, expected output lines) for each `$ ` line."""
        steps: list[tuple[str, list[str]]] = []
        for text in self.body.rstrip("\n").splitlines():
            if text.startswith("$ "):
                steps.append((text[2:], []))
            elif steps:
                steps[-1][1].append(text)
        return steps


def blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [
        Block(m["mark"], m["arg"], m["lang"], m["body"], text.count("\n", 0, m.start()) + 1)
        for m in BLOCK.finditer(text)
    ]


@dataclass
class Session:
    root: Path  # a scratch copy of the repository's examples: each block starts here, as a reader does
    cwd: Path
    env: dict[str, str]
    servers: list[subprocess.Popen[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rewrites: list[tuple[str, str]] = field(default_factory=list)
    undo: dict[Path, str] = field(default_factory=dict)  # files a diff block changed for the next block

    def run(self, command: str) -> str:
        if command.startswith("cd ") and "&&" not in command:
            self.cwd = (self.cwd / command[3:].strip()).resolve()
            return ""
        done = subprocess.run(
            ["bash", "-c", command], cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=600
        )
        return done.stdout + done.stderr  # as a terminal shows it: the result, then notes and warnings

    def serve(self, command: str, lines: int) -> str:
        server = subprocess.Popen(
            shlex.split(command), cwd=self.cwd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )  # fmt: skip
        self.servers.append(server)
        assert server.stdout is not None
        shown = "".join(server.stdout.readline() for _ in range(lines))
        found = re.search(r"http://127\.0\.0\.1:\d+", shown)
        for _ in range(300):  # ready when it answers, however busy the machine
            try:
                if found is not None and NO_PROXY.open(found[0] + "/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        return shown


def normalised(lines: list[str], timing: bool) -> list[str]:
    if not timing:
        return [line.rstrip() for line in lines]
    out = []
    for line in lines:
        if line.startswith(VARIABLE):
            continue
        line = NUMBER.sub("#", line)
        line = re.sub(r"[━─]+", "-", line)
        line = re.sub(r"\s+", " ", line).strip()
        if line.startswith("Latency model"):
            line = "Latency model"  # which effects are clear depends on the noise of the moment
        out.append(line)
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; an expected `...` stands for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


@pytest.fixture
def session(offline_env: dict[str, str], tmp_path: Path) -> Session:
    for folder in ("examples", "benchmarks"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    bin_dir = str(Path(sys.executable).parent)
    env = {**offline_env, "PATH": bin_dir + os.pathsep + offline_env.get("PATH", ""), "OPENAI_API_KEY": "sk-readme"}
    env["NO_PROXY"] = "127.0.0.1,localhost"  # the suite's proxy guard is for llmprof; a reader's SDK has none
    return Session(tmp_path, tmp_path, env)


def test_every_block_runs_as_shown(session: Session) -> None:
    try:
        for block in blocks():
            session.cwd = session.root
            if block.lang == "diff":
                _patch(session, block)
            elif block.lang == "python":
                _python(session, block)
            else:
                _console(session, block)
                for path, text in session.undo.items():  # a diff is the change the next block shows
                    path.write_text(text, encoding="utf-8")
                session.undo.clear()
    finally:
        for server in session.servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    if os.environ.get("LLMPROF_UPDATE_SNAPSHOTS") and session.rewrites:
        text = README.read_text(encoding="utf-8")
        for old, new in session.rewrites:
            text = text.replace(old, new)
        README.write_text(text, encoding="utf-8")
        return
    assert not session.problems, "\n\n".join(session.problems)


def _console(session: Session, block: Block) -> None:
    if not block.steps:
        return  # output shown without its command (an excerpt): the block that runs it is tested
    timing = block.mark == "timing"
    rewritten = []
    for command, expected in block.steps:
        if block.mark == "server" and command.startswith("llmprof mock serve"):
            shown = session.serve(command, len(expected))
        else:
            shown = session.run(command)
        actual = shown.rstrip("\n").splitlines() if shown.strip() else []
        if not matches(normalised(expected, timing), normalised(actual, timing)):
            session.problems.append(
                f"README.md:{block.line}: `{command}` printed:\n" + "\n".join(actual) + "\n--- the README shows:\n"
                + "\n".join(expected)
            )  # fmt: skip
        rewritten.append(f"$ {command}\n" + "".join(line + "\n" for line in (expected if timing else actual)))
    if not timing and "..." not in block.body.splitlines():
        session.rewrites.append((block.body, "".join(rewritten)))


def _patch(session: Session, block: Block) -> None:
    """A ```diff block marked `<!-- readme: patch FILE -->` is applied to FILE (context lines, then
    the added ones) for the console block that follows it; an unmarked one is only shown."""
    if block.mark != "patch" or block.arg is None:
        return
    path = session.root / block.arg
    lines = block.body.rstrip("\n").splitlines()
    context = "".join(line[1:] + "\n" for line in lines if line.startswith(" "))
    added = "".join(line[1:] + "\n" for line in lines if line.startswith("+"))
    text = path.read_text(encoding="utf-8")
    if context not in text or any(line.startswith("-") for line in lines):
        session.problems.append(f"README.md:{block.line}: the diff does not apply to {block.arg}")
        return
    session.undo.setdefault(path, text)
    path.write_text(text.replace(context, context + added, 1), encoding="utf-8")


def _python(session: Session, block: Block) -> None:
    """Run it; then call every test function it defines, as pytest would."""
    names = re.findall(r"^def (test_\w+)\(\):", block.body, flags=re.M)
    script = block.body + "".join(f"\n{name}()" for name in names) + "\n"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=session.cwd, env=session.env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        session.problems.append(f"README.md:{block.line}: the Python block failed:\n{done.stderr[-2000:]}")


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    text = README.read_text(encoding="utf-8")
    assert "<!-- test-command -->" in text and "<!-- test-command -->" in ci


def test_the_example_project_passes_its_committed_baseline(offline_env: dict[str, str]) -> None:
    exe = shutil.which("llmprof", path=str(Path(sys.executable).parent))
    assert exe
    done = subprocess.run([exe, "check", "--no-latency"], cwd=ROOT / "examples", env=offline_env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("llmprof check passed\nNo cost changes against the baseline.\n")
