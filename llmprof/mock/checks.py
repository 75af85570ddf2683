"""Every mock setting checked before anything starts, so a bad value is a usage error that names
the fix (exit 2), never a server that fails on its first request or a child process that dies."""

from __future__ import annotations

from typing import Any

from llmprof.errors import UsageError
from llmprof.mock import MockSettings
from llmprof.mock.latency import LatencyModel, latency_model_for

MAX_OUTPUT_TOKENS = 1_000_000  # a larger max_tokens is refused (400), as a real API would; so is more reasoning


def check(settings: MockSettings) -> LatencyModel:
    """The settings' latency model, once every setting has been checked (UsageError if not)."""
    latency = latency_model_for(settings)
    limit = settings.max_concurrency
    if limit is not None and not _whole(limit, 1):
        raise UsageError(
            f"max_concurrency must be a whole number of at least 1, got {limit!r}",
            "give --max-concurrency 1 or more, or leave it out for no limit.",
        )
    queue = settings.max_queue
    if queue is not None:
        if not _whole(queue, 0):
            raise UsageError(
                f"max_queue must be a whole number of at least 0, got {queue!r}",
                "give --max-queue 0 or more (0: refuse whatever cannot start at once), or leave it out.",
            )
        if limit is None:
            raise UsageError(
                "max_queue limits the queue that max_concurrency makes, and max_concurrency is not set",
                "add --max-concurrency K, or drop --max-queue.",
            )
    reasoning = settings.reasoning_tokens
    if not _whole(reasoning, 0) or reasoning > MAX_OUTPUT_TOKENS:
        raise UsageError(
            f"reasoning_tokens must be a whole number from 0 to {MAX_OUTPUT_TOKENS:,}, got {reasoning!r}",
            "give --reasoning-tokens N (0 turns reasoning off).",
        )
    if not isinstance(settings.prompt_cache, bool):
        raise UsageError(
            f"prompt_cache must be true or false, got {settings.prompt_cache!r}",
            "pass --prompt-cache to turn it on (it is off by default).",
        )
    return latency


def _whole(value: Any, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least
