"""MockProcess and the helpers of ``serve()`` (the CLI itself is tested in tests/e2e)."""

from __future__ import annotations

import httpx
import pytest

from llmprof.errors import EndpointError, UsageError
from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess, cli_flags


def test_cli_flags_name_every_set_field() -> None:
    settings = MockSettings(preset="fast", ttft_ms=10.0, jitter=0.0, rate_limit_rpm=5, seed=3)
    assert cli_flags(settings) == [
        "--preset", "fast",
        "--ttft-ms", "10.0",
        "--jitter", "0.0",
        "--error-rate", "0.0",
        "--rate-limit-rpm", "5",
        "--stall-rate", "0.0",
        "--stall-s", "5.0",
        "--drop-rate", "0.0",
        "--malformed-rate", "0.0",
        "--seed", "3",
        "--request-timeout-s", "10.0",
        "--reasoning-tokens", "0",
        "--no-prompt-cache",
    ]  # fmt: skip
    queued = MockSettings(max_concurrency=2, max_queue=0, reasoning_tokens=7, prompt_cache=True)
    assert cli_flags(queued)[-7:] == [
        "--max-concurrency", "2", "--max-queue", "0", "--reasoning-tokens", "7", "--prompt-cache",
    ]  # fmt: skip


def test_a_bad_preset_fails_before_starting_a_child() -> None:
    with pytest.raises(UsageError, match="unknown preset 'nope'"):
        MockProcess(MockSettings(preset="nope"))


def test_a_child_that_fails_is_reported_with_its_stderr() -> None:
    with pytest.raises(EndpointError) as info:
        MockProcess(MockSettings(preset="instant", stall_s=-1.0))  # the CLI refuses it
    assert "the mock server did not start: it exited with code 2" in info.value.message
    assert "--stall-s" in info.value.message  # from the child's stderr
    assert info.value.hint == "run `llmprof mock serve --port 0` yourself to see what it says."


def test_stop_is_idempotent_and_really_stops() -> None:
    mock = MockProcess(MockSettings(preset="instant"))
    assert mock.url.startswith("http://127.0.0.1:")
    assert httpx.get(mock.url + "/v1/models").status_code == 200
    mock.stop()
    mock.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(mock.url + "/v1/models")
