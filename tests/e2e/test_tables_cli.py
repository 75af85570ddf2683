"""What a person sees: tables on a real pseudo-terminal of 80 columns, --wide, and bench progress
in a CI log (stderr not a terminal)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess
from tests.e2e.conftest import Run

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _on_a_terminal(exe: str, args: list[str], env: dict[str, str], columns: int) -> str:
    """Run ``llmprof`` with stdout and stderr on a pseudo-terminal ``columns`` wide; what it showed."""
    import pty

    main, child = pty.openpty()
    done = subprocess.run(
        [exe, *args],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=child,
        env={**env, "COLUMNS": str(columns), "LINES": "50"},
        cwd=ROOT,
        timeout=120,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end is closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert done.returncode == 0
    return ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="no pseudo-terminals")
def test_an_80_column_terminal_sees_whole_numbers_and_names(llmprof_exe: str, offline_env: dict[str, str]) -> None:
    args = ["estimate", "examples/prompts/support.txt", "--output-tokens", "150", "--requests", "10000"]
    shown = _on_a_terminal(llmprof_exe, args, offline_env, 80)
    lines = shown.splitlines()
    assert max(len(line) for line in lines) <= 80, shown
    rows = [line for line in lines if line.startswith("│")]
    assert len(rows) == 6  # one line per model: nothing wrapped
    for model, figure in [
        ("gpt-6.2-sol", "≥$19.82"),
        ("claude-sonnet-5-5", "$22.96"),
        ("mistral-medium-2604", "≥$15.28"),
    ]:
        assert any(model in row and figure in row for row in rows), shown
    assert "Not shown, to fit 80 columns: Input, Output (--wide shows every column)." in shown.replace("\n", " ")
    wide = _on_a_terminal(llmprof_exe, [*args, "--wide"], offline_env, 80)
    assert "Not shown" not in wide and "$0.000482" in wide


def test_wide_is_on_every_command_that_prints_a_table(run: Run) -> None:
    for command in (
        ["estimate"],
        ["bench"],
        ["report"],
        ["compare"],
        ["check"],
        ["pricing", "list"],
        ["pricing", "show"],
    ):
        assert "--wide" in run(*command, "--help").stdout, command


@pytest.fixture(scope="module")
def quick_mock() -> Iterator[MockProcess]:
    with MockProcess(MockSettings(preset="fast", ttft_ms=5.0, itl_ms=1.0, jitter=0.0, seed=5)) as mock:
        yield mock


def test_a_ci_log_gets_progress_lines(run: Run, quick_mock: MockProcess) -> None:
    args = ["bench", "-e", quick_mock.url, "-m", "mock", "--cells", "32x2,64x2", "--runs", "3", "--warmup", "1"]
    args += ["--concurrency", "1", "--no-log"]
    done = run(*args, env={"LLMPROF_PROGRESS_INTERVAL": "0"})  # a line after every request
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("bench: ")]
    # the warmup's one request, then each measured one
    assert [line.split(",")[0] for line in progress] == [f"bench: {n}/6 requests" for n in range(7)]
    assert progress[-1].startswith("bench: 6/6 requests, 0 errors, ETA 0:00:00, ")
    assert "; p50 " in progress[-1] and "32x2 " in progress[-1] and "64x2 " in progress[-1]
    assert "\x1b" not in done.stderr and "\r" not in done.stderr
    quiet = run(*args, "-q", env={"LLMPROF_PROGRESS_INTERVAL": "0"})
    assert quiet.returncode == 0 and "bench: " not in quiet.stderr
