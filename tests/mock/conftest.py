"""Mock servers for the tests: real child processes, started once per session (about 0.7 s each).

Each fixture owns its own server, so request numbering (which seeds faults) and the rate limit
window are never disturbed by other tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from llmprof.counting import count_request
from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess
from llmprof.pricing import load_table
from llmprof.requests import parse


def estimated(body: dict[str, Any], shape: str) -> int:
    """The prompt tokens `llmprof estimate` counts for this body: what the mock reports as usage."""
    return count_request(parse(body, "request", shape), load_table().resolve(body["model"])).total


#: Quick and exact: 20 ms to the first token, 2 ms between tokens, no noise.
QUICK = MockSettings(preset="fast", ttft_ms=20.0, itl_ms=2.0, jitter=0.0, seed=7)

#: Every fault kind, often; short stalls. Tests predict each request's faults from the seed.
FAULTY = MockSettings(
    preset="instant",
    ttft_ms=5.0,
    itl_ms=1.0,
    error_rate=0.2,
    stall_rate=0.25,
    stall_s=0.25,
    drop_rate=0.2,
    malformed_rate=0.25,
    seed=11,
)

#: Deterministic timing for measuring: TTFT 100 ms, then a token every 10 ms.
EXACT = MockSettings(preset="instant", ttft_ms=100.0, itl_ms=10.0)

#: One request per minute: the second one in a test session is answered 429.
LIMITED = MockSettings(preset="instant", rate_limit_rpm=1)


#: Reasoning and the prompt cache on: every answer is preceded by 4 reasoning tokens.
DROPIN = MockSettings(preset="instant", ttft_ms=5.0, itl_ms=1.0, jitter=0.0, reasoning_tokens=4, prompt_cache=True)

#: One generation at a time, nobody waits: a second request while one runs is answered 429.
#: The first token takes 60 s, so a test's first stream holds the slot for as long as it is open.
NO_ROOM = MockSettings(preset="instant", ttft_ms=60_000.0, itl_ms=1.0, max_concurrency=1, max_queue=0)

#: One generation at a time, the rest queue: 300 ms to the first (and only) token.
ONE_SLOT = MockSettings(preset="instant", ttft_ms=300.0, itl_ms=0.0, max_concurrency=1)


def _serve(settings: MockSettings) -> Iterator[MockProcess]:
    with MockProcess(settings) as mock:
        yield mock


@pytest.fixture(scope="session")
def mock() -> Iterator[MockProcess]:
    yield from _serve(QUICK)


@pytest.fixture(scope="session")
def faulty_mock() -> Iterator[MockProcess]:
    yield from _serve(FAULTY)


@pytest.fixture(scope="session")
def exact_mock() -> Iterator[MockProcess]:
    yield from _serve(EXACT)


@pytest.fixture(scope="session")
def limited_mock() -> Iterator[MockProcess]:
    yield from _serve(LIMITED)


@pytest.fixture(scope="session")
def dropin_mock() -> Iterator[MockProcess]:
    yield from _serve(DROPIN)


@pytest.fixture
def no_room_mock() -> Iterator[MockProcess]:
    """Its own server per test: a test leaves its one slot taken until the stream it opened ends."""
    yield from _serve(NO_ROOM)


@pytest.fixture(scope="session")
def one_slot_mock() -> Iterator[MockProcess]:
    yield from _serve(ONE_SLOT)


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One client for all tests: creating an httpx client costs ~30 ms (its SSL context)."""
    with httpx.Client(timeout=10) as client:
        yield client
