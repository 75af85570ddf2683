"""``llmprof mock serve``, installed and run as a user would: announce, serve, stop, fail cleanly."""

from __future__ import annotations

import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.e2e.conftest import Run


def _lines(pipe: IO[str]) -> queue.Queue[str]:
    """Lines from a pipe, read in a thread so a test can wait with a timeout ("" at EOF)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        with pipe:
            for line in iter(pipe.readline, ""):
                lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    return lines


@contextmanager
def serving(
    llmprof_exe: str, env: dict[str, str], *args: str
) -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str]]]:
    process = subprocess.Popen(
        [llmprof_exe, "mock", "serve", "--port", "0", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    try:
        yield process, _lines(process.stdout)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for pipe in (process.stdin, process.stderr):
            if pipe is not None:
                pipe.close()


def test_serve_announces_its_url_and_answers(llmprof_exe: str, offline_env: dict[str, str]) -> None:
    with serving(llmprof_exe, offline_env, "--preset", "instant") as (process, lines):
        first = lines.get(timeout=30)
        match = re.fullmatch(r"llmprof mock listening on (http://127\.0\.0\.1:(\d+)) \(preset instant\)\n", first)
        assert match, first
        assert int(match.group(2)) > 0
        assert lines.get(timeout=5).startswith("routes: POST /v1/chat/completions, GET /v1/models, ")
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}
        response = httpx.post(match.group(1) + "/v1/chat/completions", json=body, timeout=10)
        assert response.status_code == 200
        assert response.json()["usage"] == {"prompt_tokens": 8, "completion_tokens": 3, "total_tokens": 11}
        process.terminate()
        process.wait(timeout=10)
        assert process.stderr is not None
        stderr = process.stderr.read()
    assert "Traceback" not in stderr
    assert "POST /v1/chat/completions" not in stderr  # no access log


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
def test_ctrl_c_exits_cleanly(llmprof_exe: str, offline_env: dict[str, str]) -> None:
    with serving(llmprof_exe, offline_env, "--preset", "instant") as (process, lines):
        assert "listening on" in lines.get(timeout=30)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        assert process.stderr is not None
        stderr = process.stderr.read()
    assert process.returncode == 0
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


def test_child_exits_when_its_parent_closes_stdin(llmprof_exe: str, offline_env: dict[str, str]) -> None:
    env = {**offline_env, "LLMPROF_MOCK_PARENT_WATCH": "1"}
    with serving(llmprof_exe, env, "--preset", "instant") as (process, lines):
        assert "listening on" in lines.get(timeout=30)
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=10) == 0


def test_unknown_preset_exits_2_with_a_suggestion(run: Run) -> None:
    done = run("mock", "serve", "--port", "0", "--preset", "fats")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "error: unknown preset 'fats'" in done.stderr
    assert "did you mean fast?" in done.stderr
    assert "Traceback" not in done.stderr


def test_busy_port_exits_2_with_the_hint(run: Run) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("mock", "serve", "--port", str(port), "--preset", "instant")
    assert done.returncode == 2
    assert f"error: port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "hint: pick another --port, or 0 for any free port" in done.stderr
    assert "Traceback" not in done.stderr
    assert "listening on" not in done.stdout


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--max-queue", "2"], ["error: max_queue limits the queue that max_concurrency makes", "--max-concurrency K"]),
        (["--max-concurrency", "0"], ["'--max-concurrency'", "greater than or equal to 1"]),
        (["--max-concurrency", "2", "--max-queue", "-1"], ["'--max-queue'", "greater than or equal to 0"]),
        (["--reasoning-tokens", "-5"], ["'--reasoning-tokens'", "greater than or equal to 0"]),
        (["--reasoning-tokens", "lots"], ["'--reasoning-tokens'", "valid integer"]),
    ],
)
def test_bad_drop_in_flags_exit_2_naming_the_fix(run: Run, flags: list[str], says: list[str]) -> None:
    done = run("mock", "serve", "--port", "0", "--preset", "instant", *flags)
    assert done.returncode == 2
    assert "listening on" not in done.stdout
    assert all(text in done.stderr for text in says), done.stderr
    assert "Traceback" not in done.stderr


REQUESTS = {  # request files as a user would keep them: counted by the mock and by `llmprof estimate`
    "claude.json": (
        "/v1/messages/count_tokens",
        "claude-sonnet-5-5",
        {
            "model": "claude-sonnet-5-5",
            "system": "Answer in one line.",
            "messages": [{"role": "user", "content": "Why is TTFT not e2e? 東京で"}],
        },
        "input_tokens",
    ),
    "responses.json": (
        "/v1/responses/input_tokens",
        "gpt-4o",
        {"model": "gpt-4o", "instructions": "Be exact.", "input": "How long is a token, in characters?"},
        "input_tokens",
    ),
    "gemini.json": (
        "/v1beta/models/gemini-3.8-flash:countTokens",
        "gemini-3.8-flash",
        {
            "systemInstruction": {"parts": [{"text": "Be exact."}]},
            "contents": [{"role": "user", "parts": [{"text": "Explain TTFT."}, {"text": "Briefly."}]}],
        },
        "totalTokens",
    ),
}


def test_served_drop_in_counts_as_estimate_does(
    llmprof_exe: str, offline_env: dict[str, str], run: Run, tmp_path: Path
) -> None:
    flags = ["--preset", "instant", "--reasoning-tokens", "2", "--prompt-cache", "--max-concurrency", "4"]
    with serving(llmprof_exe, offline_env, *flags) as (process, lines):
        match = re.search(r"listening on (http://\S+) ", lines.get(timeout=30))
        assert match
        url = match.group(1)
        routes = lines.get(timeout=5)
        for route in ("GET /health", "POST /v1/messages/count_tokens", "POST /v1/responses/input_tokens"):
            assert route in routes
        assert "POST /v1beta/models/{model}:countTokens" in routes
        assert httpx.get(url + "/health", timeout=10).json() == {"status": "ok"}
        for name, (path, model, body, field) in REQUESTS.items():
            (tmp_path / name).write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            served = httpx.post(url + path, json=body, timeout=10).json()[field]
            estimate = run("estimate", name, "-m", model, "--format", "json")
            assert estimate.returncode == 0, estimate.stderr
            assert served == json.loads(estimate.stdout)["rows"][0]["input_tokens"], name
        chat = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}
        usage = httpx.post(url + "/v1/chat/completions", json=chat, timeout=10).json()["usage"]
        assert usage == {
            "prompt_tokens": 8,
            "completion_tokens": 5,
            "total_tokens": 13,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 2},
        }
        process.terminate()
        process.wait(timeout=10)
