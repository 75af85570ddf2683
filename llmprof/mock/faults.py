"""Fault injection: which requests fail, and how, reproducibly.

Each generation request gets a number at arrival (0, 1, 2, ... in arrival order). Its faults, its
latency noise and its text come from generators seeded with ``settings.seed`` and that number,
each for its own purpose, so the same seed replays the same run, and turning one fault rate up
never changes the latencies or the other faults another request draws.
"""

from __future__ import annotations

import collections
import logging
import math
import random
from dataclasses import dataclass

from llmprof.mock import MockSettings

WINDOW_S = 60.0  # the rate limit counts requests in this rolling window


def request_rng(seed: int, number: int, purpose: str) -> random.Random:
    """A generator for one purpose of one request (string seeds hash the same in every process)."""
    return random.Random(f"llmprof-mock/{seed}/{number}/{purpose}")


@dataclass(frozen=True)
class Faults:
    """What goes wrong with one request. ``drop`` wins over ``malformed`` (both end the stream)."""

    error: bool = False  # HTTP 500 before any body
    stall_s: float = 0.0  # pause this long halfway through
    drop: bool = False  # cut the connection halfway through
    malformed: bool = False  # send one broken event halfway through, then end

    @property
    def any_midway(self) -> bool:
        return self.stall_s > 0 or self.drop or self.malformed


def for_request(settings: MockSettings, number: int) -> Faults:
    """The faults of request ``number``. Four draws, always, in a fixed order."""
    rng = request_rng(settings.seed, number, "faults")
    error, stall, drop, malformed = (rng.random() for _ in range(4))
    dropped = drop < settings.drop_rate
    return Faults(
        error=error < settings.error_rate,
        stall_s=settings.stall_s if stall < settings.stall_rate else 0.0,
        drop=dropped,
        malformed=not dropped and malformed < settings.malformed_rate,
    )


@dataclass(frozen=True)
class Admission:
    """The rate limiter's answer, with what the rate-limit headers report."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: float  # until the oldest request in the window leaves it (a slot frees)

    @property
    def retry_after(self) -> int:
        """Whole seconds for the ``Retry-After`` header: rounded up, at least 1."""
        return max(1, math.ceil(self.reset_s))


class RateLimiter:
    """At most ``rpm`` admitted requests in any rolling 60 s; refused ones do not count."""

    def __init__(self, rpm: int) -> None:
        self.rpm = rpm
        self._admitted: collections.deque[float] = collections.deque()

    def admit(self, now: float) -> Admission:
        window = self._admitted
        while window and window[0] <= now - WINDOW_S:
            window.popleft()
        allowed = len(window) < self.rpm
        if allowed:
            window.append(now)
        reset = window[0] + WINDOW_S - now if window else 0.0
        return Admission(allowed, self.rpm, self.rpm - len(window), reset)


class DeliberateDrop(Exception):
    """Raised inside the app after the response started: uvicorn then closes the socket without
    finishing the body, which is exactly a connection cut mid-stream as a client sees it."""


class _HideDeliberateDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DeliberateDrop)


_HIDE = _HideDeliberateDrops()


def hide_deliberate_drops(logger_name: str = "uvicorn.error") -> None:
    """Keep uvicorn from printing a traceback for each fault we inject on purpose (idempotent)."""
    logger = logging.getLogger(logger_name)
    if _HIDE not in logger.filters:
        logger.addFilter(_HIDE)
