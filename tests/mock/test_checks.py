"""Mock settings are checked before anything starts; values from a suite file's ``mock:`` section
arrive untyped, so the checks cover types as well as ranges."""

from __future__ import annotations

from typing import Any

import pytest

from llmprof.errors import UsageError
from llmprof.mock import MockSettings
from llmprof.mock.checks import check
from llmprof.mock.latency import PRESETS
from llmprof.mock.server import MockProcess


def test_the_defaults_change_nothing() -> None:
    settings = MockSettings()
    assert (settings.max_concurrency, settings.max_queue, settings.reasoning_tokens, settings.prompt_cache) == (
        None,
        None,
        0,
        False,
    )
    assert check(settings) == PRESETS["gpt-3.5-turbo-2023"]


@pytest.mark.parametrize(
    ("fields", "message", "hint"),
    [
        ({"max_concurrency": 0}, "max_concurrency must be a whole number of at least 1, got 0", "--max-concurrency 1"),
        ({"max_concurrency": "4"}, "max_concurrency must be a whole number of at least 1, got '4'", "no limit"),
        ({"max_concurrency": True}, "got True", "--max-concurrency"),
        ({"max_concurrency": 2, "max_queue": -1}, "max_queue must be a whole number of at least 0", "--max-queue 0"),
        ({"max_queue": 5}, "max_concurrency is not set", "add --max-concurrency K, or drop --max-queue."),
        ({"reasoning_tokens": -1}, "reasoning_tokens must be a whole number from 0 to 1,000,000", "--reasoning-tokens"),
        ({"reasoning_tokens": 1_000_001}, "got 1000001", "0 turns reasoning off"),
        ({"reasoning_tokens": 2.5}, "got 2.5", "--reasoning-tokens N"),
        ({"prompt_cache": "yes"}, "prompt_cache must be true or false, got 'yes'", "pass --prompt-cache"),
    ],
)
def test_bad_values_are_usage_errors_that_name_the_fix(fields: dict[str, Any], message: str, hint: str) -> None:
    with pytest.raises(UsageError) as info:
        check(MockSettings(**fields))
    assert message in info.value.message
    assert info.value.hint is not None and hint in info.value.hint


def test_good_values_pass() -> None:
    check(MockSettings(max_concurrency=1, max_queue=0, reasoning_tokens=1_000_000, prompt_cache=True))


def test_a_bad_setting_fails_before_a_child_starts() -> None:
    with pytest.raises(UsageError, match="max_concurrency is not set"):
        MockProcess(MockSettings(preset="instant", max_queue=1))
