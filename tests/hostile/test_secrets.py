"""Secrets stay secret: with each provider's key set to a sentinel (with and without a trailing
newline), and a server that echoes it back in every encoding, no trace of it reaches stdout,
stderr, any file under the run's folder, or a LLMPROF_DEBUG=1 traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import Run
from tests.hostile.conftest import SENTINEL, Handler, Server, assert_no_trace_of, everything_written, leaks

KEYS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "gemini": "GEMINI_API_KEY"}


def refuse(status: int) -> Callable[[Handler, str], None]:
    """Answer every request with ``status`` and the key echoed in the error message."""

    def behaviour(handler: Handler, key: str) -> None:
        handler.error(status, leaks(key))

    return behaviour


def stream_error(handler: Handler, key: str) -> None:
    """A 200 stream whose first event is an error that echoes the key."""
    if handler.api == "anthropic":
        event = f"event: error\ndata: {json.dumps({'type': 'error', 'error': {'message': leaks(key)}})}\n\n"
    else:
        event = f"data: {json.dumps({'error': {'message': leaks(key)}})}\n\n"
    handler.stream([event.encode()])


BEHAVIOURS = {"401 (fatal)": refuse(401), "400 (per request)": refuse(400), "error event": stream_error}


@pytest.mark.parametrize("behaviour", list(BEHAVIOURS))
@pytest.mark.parametrize("suffix", ["", "\n", "\r\n"], ids=["plain", "LF", "CRLF"])
@pytest.mark.parametrize("provider", list(KEYS))
def test_the_sentinel_leaves_no_trace(
    run: Run, serve: Callable[..., Server], tmp_path: Path, provider: str, suffix: str, behaviour: str
) -> None:
    server = serve(BEHAVIOURS[behaviour])
    # An address on a private network is "local" (no spend guard), but loopback it is: 127.0.0.2.
    env = {KEYS[provider]: SENTINEL + suffix}
    args = ["bench", "-e", server.url, "--provider", provider, "-m", "m", "--cells", "20x2", "--runs", "2"]
    done = run(*args, "--out", "out/result.json", "--max-retries", "0", env=env)
    debug = run(*args, "--max-retries", "0", env={**env, "LLMPROF_DEBUG": "1"})
    assert server.keys and all(k == SENTINEL for k in server.keys)  # sent stripped, every time
    assert done.returncode in (1, 2) and debug.returncode == done.returncode
    assert "Traceback" not in done.stderr
    if suffix:
        assert f"note: stripped whitespace around the key in {KEYS[provider]}" in done.stderr
    texts = everything_written(done.stdout, done.stderr, tmp_path)
    texts["debug stderr"] = debug.stderr
    assert_no_trace_of(SENTINEL, texts)


def test_credentials_in_the_endpoint_url_are_never_shown(
    run: Run, serve: Callable[..., Server], tmp_path: Path
) -> None:
    password, query = "Passw0rd-hostile-0042", "QueryKey-hostile-0099"
    server = serve(refuse(401))
    url = server.url.replace("http://", f"http://someone:{password}@") + f"/v1?key={query}"
    done = run("bench", "-e", url, "-m", "m", "--runs", "1", "--cells", "20x2")
    assert done.returncode == 2
    assert f"HTTP 401 from {server.url}/v1)" in done.stderr  # the public form of the URL
    unreachable = run("bench", "-e", f"http://u:{password}@127.0.0.1:9/v1?key={query}", "-m", "m", "--runs", "1")
    assert "cannot connect to http://127.0.0.1:9/v1" in unreachable.stderr
    for secret in (password, query):
        assert_no_trace_of(
            secret, everything_written(done.stdout + unreachable.stdout, done.stderr + unreachable.stderr, tmp_path)
        )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("sk-\x07bell-inside-0123", "OPENAI_API_KEY contains a control character inside the key"),
        ("sk-ümlaut-0123456789", "OPENAI_API_KEY contains non-ASCII characters"),
        ("sk-\u2013dash-0123456789", "OPENAI_API_KEY contains non-ASCII characters"),
    ],
)
def test_keys_a_header_cannot_carry_are_refused_by_name_only(run: Run, value: str, message: str) -> None:
    done = run("bench", "-e", "https://api.example.test/v1", "-m", "m", "--yes", env={"OPENAI_API_KEY": value})
    assert done.returncode == 2 and f"error: {message}" in done.stderr
    assert value[3:] not in done.stderr and "Traceback" not in done.stderr


def test_an_empty_key_is_treated_as_unset(run: Run) -> None:
    done = run("bench", "-e", "https://api.example.test/v1", "-m", "m", env={"OPENAI_API_KEY": " \n"})
    assert done.returncode == 2
    assert "OPENAI_API_KEY is set but empty" in done.stderr and "no API key found for openai" in done.stderr
