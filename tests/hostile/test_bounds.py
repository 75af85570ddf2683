"""Sizes without bounds and a mock that cannot be held open: every size has a limit with a clear
message, and the client never blames the server for its own limits."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess
from tests.e2e.conftest import Run
from tests.hostile.conftest import Server


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with MockProcess(MockSettings(preset="instant", request_timeout_s=0.5)) as process:
        yield process


@pytest.mark.parametrize("max_tokens", [30_000_000, 10**18])
@pytest.mark.parametrize("stream", [True, False])
def test_the_mock_refuses_huge_outputs_instead_of_allocating_them(
    mock: MockProcess, max_tokens: int, stream: bool
) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": max_tokens, "stream": stream}
    response = httpx.post(mock.url + "/v1/chat/completions", json=body, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "max_tokens: at most 1000000 (the mock's limit)"


def test_the_mock_streams_a_large_output_lazily(mock: MockProcess) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 200_000, "stream": True}
    with httpx.stream("POST", mock.url + "/v1/chat/completions", json=body, timeout=30) as response:
        first = next(response.iter_bytes())  # the first event arrives before the rest exists
        assert first.startswith(b"data: ")


def _closed_within(url: str, send: bytes, seconds: float) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=seconds + 5) as conn:
        if send:
            conn.sendall(send)
        started = time.monotonic()
        conn.settimeout(seconds + 5)
        try:
            while conn.recv(4096):
                pass
        except (ConnectionResetError, TimeoutError):
            return False
        return time.monotonic() - started < seconds + 4


@pytest.mark.parametrize(
    "send",
    [b"", b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n", b"GET /v1/mo"],
    ids=["silent", "half the headers", "half a request line"],
)
def test_the_mock_drops_connections_that_never_finish_a_request(mock: MockProcess, send: bytes) -> None:
    assert _closed_within(mock.url, send, 0.5)


def test_the_mock_answers_a_stalled_body_with_408(mock: MockProcess) -> None:
    host, port = mock.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"model"')
        reply = conn.recv(4096)
    assert reply.startswith(b"HTTP/1.1 408")


def test_binding_beyond_loopback_warns_on_stderr(llmprof_exe: str, offline_env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [llmprof_exe, "mock", "serve", "--host", "0.0.0.0", "--port", "0"],
        env=offline_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith("llmprof mock listening on http://0.0.0.0:")
        assert process.stderr.readline().startswith("warning: bound to 0.0.0.0, so the mock is reachable")
    finally:
        process.terminate()
        stdout, _ = process.communicate(timeout=10)
    assert "warning" not in stdout


def test_a_huge_whole_response_is_refused_not_buffered(run: Run, serve: Callable[..., Server]) -> None:
    blob = b'{"choices": [{"message": {"content": "' + b"x" * (65 * 1024 * 1024) + b'"}}]}'
    server = serve(lambda handler, key: handler.send(200, blob))
    done = run(
        "bench", "-e", server.url + "/v1", "-m", "m", "--no-stream", "--cells", "20x1", "--runs", "1",
        "--warmup", "0", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1
    [cell] = json.loads(done.stdout)["summary"]["cells"]
    assert cell["errors"] == {"too_large": 1}


def test_more_connections_than_the_client_may_open_is_said_up_front(run: Run) -> None:
    done = run("bench", "--mock-preset", "instant", "--concurrency", "1000000", "--runs", "2", "--cells", "20x1")
    assert done.returncode == 0, done.stderr
    assert "is more connections than this process may open" in done.stderr
    assert "the client holds at most" in done.stderr


def test_an_open_loop_far_beyond_the_client_keeps_to_its_limit(run: Run) -> None:
    done = run(
        "bench", "--mock-preset", "instant", "--rate", "1000000", "--runs", "300", "--cells", "20x1", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    [cell] = json.loads(done.stdout)["summary"]["cells"]
    assert cell["ok"] == 300 and cell["errors"] == {}
