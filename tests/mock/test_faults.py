"""Fault decisions and the rolling rate-limit window (pure: the clock is passed in)."""

from __future__ import annotations

import logging

from llmprof.mock import MockSettings
from llmprof.mock.faults import (
    DeliberateDrop,
    Faults,
    RateLimiter,
    for_request,
    hide_deliberate_drops,
)
from llmprof.mock.formats import duration


def test_no_rates_no_faults() -> None:
    assert all(for_request(MockSettings(), n) == Faults() for n in range(200))


def test_rate_one_always_faults() -> None:
    settings = MockSettings(error_rate=1.0, stall_rate=1.0, stall_s=2.0, drop_rate=1.0, malformed_rate=1.0)
    assert for_request(settings, 3) == Faults(error=True, stall_s=2.0, drop=True, malformed=False)
    assert for_request(MockSettings(malformed_rate=1.0), 3) == Faults(malformed=True)


def test_faults_are_reproducible_and_independent_of_other_rates() -> None:
    drops = MockSettings(drop_rate=0.3, seed=4)
    pattern = [for_request(drops, n).drop for n in range(300)]
    assert pattern == [for_request(drops, n).drop for n in range(300)]
    assert 60 < sum(pattern) < 120
    busier = MockSettings(drop_rate=0.3, error_rate=0.5, stall_rate=0.5, seed=4)
    assert [for_request(busier, n).drop for n in range(300)] == pattern
    other_seed = MockSettings(drop_rate=0.3, seed=5)
    assert [for_request(other_seed, n).drop for n in range(300)] != pattern


def test_rate_limiter_rolling_window() -> None:
    limiter = RateLimiter(rpm=2)
    first = limiter.admit(100.0)
    assert (first.allowed, first.remaining) == (True, 1)
    assert limiter.admit(130.0).allowed
    refused = limiter.admit(145.5)
    assert (refused.allowed, refused.remaining, refused.limit) == (False, 0, 2)
    assert refused.reset_s == 14.5 and refused.retry_after == 15  # the request at 100 s leaves at 160 s
    assert limiter.admit(160.0).allowed  # refused requests did not count
    assert not limiter.admit(189.9).allowed
    assert limiter.admit(190.0).allowed


def test_retry_after_is_at_least_one_second() -> None:
    limiter = RateLimiter(rpm=1)
    limiter.admit(0.0)
    assert limiter.admit(59.99).retry_after == 1


def test_deliberate_drops_are_not_logged() -> None:
    hide_deliberate_drops("tests.mock.drops")
    hide_deliberate_drops("tests.mock.drops")  # idempotent
    logger = logging.getLogger("tests.mock.drops")
    assert len(logger.filters) == 1
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger.addHandler(Keep())
    logger.propagate = False
    for exc in (DeliberateDrop("cut"), RuntimeError("real")):
        try:
            raise exc
        except Exception as caught:
            logger.error("Exception in ASGI application\n", exc_info=caught)
    assert [r.exc_info[1].__class__ for r in records if r.exc_info] == [RuntimeError]


def test_reset_header_durations() -> None:
    assert [duration(s) for s in (0.12, 1.0, 1.5, 4.0, 59.9994, 432.0)] == [
        "120ms",
        "1s",
        "1.5s",
        "4s",
        "59.999s",
        "7m12s",
    ]
