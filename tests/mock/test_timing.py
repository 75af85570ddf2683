"""Timing as a plain streaming client sees it, with jitter 0: TTFT 100 ms, then 19 gaps of 10 ms.

Only lower bounds are asserted (the mock never sends early): a busy machine can only make things
later, so these cannot flake. How close to
the model the mock really is gets measured in benchmarks/perf/bench_accuracy.py, not in a test.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from llmprof.mock.server import MockProcess

TTFT_S, ITL_S, TOKENS = 0.100, 0.010, 20
E2E_S = TTFT_S + (TOKENS - 1) * ITL_S  # 0.290

MESSAGES = [{"role": "user", "content": "time me"}]


@dataclass(frozen=True)
class Timing:
    first_byte: float
    first_token: float
    end: float
    tokens: int


_TEXT = re.compile(rb'"(?:content|text)":"[^"]')


def _has_token(event: bytes) -> bool:
    """Does this event carry generated text? (the role-only chunk and message_start do not)"""
    return _TEXT.search(event) is not None


def _events(buffer: bytes) -> Iterator[bytes]:
    yield from buffer.replace(b"\r\n", b"\n").split(b"\n\n")[:-1]


def _measure(http: httpx.Client, url: str, body: dict[str, object]) -> Timing:
    first_byte = first_token = 0.0
    seen = b""
    started = time.perf_counter()
    with http.stream("POST", url, json=body) as response:
        assert response.status_code == 200
        for data in response.iter_raw():
            now = time.perf_counter() - started
            first_byte = first_byte or now
            seen += data
            if not first_token and any(_has_token(e) for e in _events(seen)):
                first_token = now
    end = time.perf_counter() - started
    return Timing(first_byte, first_token, end, sum(_has_token(e) for e in _events(seen)))


def _median(http: httpx.Client, url: str, body: dict[str, object], runs: int = 3) -> Timing:
    http.get(url.split("/v1")[0] + "/v1/models")  # warm-up: open the connection
    timings = [_measure(http, url, body) for _ in range(runs)]
    return Timing(
        statistics.median(t.first_byte for t in timings),
        statistics.median(t.first_token for t in timings),
        statistics.median(t.end for t in timings),
        timings[0].tokens,
    )


REQUESTS: dict[str, tuple[str, dict[str, object]]] = {
    "openai": (
        "/v1/chat/completions",
        {"model": "m", "messages": MESSAGES, "max_tokens": TOKENS, "stream": True},
    ),
    "anthropic": (
        "/v1/messages",
        {"model": "c", "messages": MESSAGES, "max_tokens": TOKENS, "stream": True},
    ),
    "gemini": (
        "/v1beta/models/g:streamGenerateContent?alt=sse",
        {"contents": [{"parts": [{"text": "time me"}]}], "generationConfig": {"maxOutputTokens": TOKENS}},
    ),
}


@pytest.mark.parametrize("provider", REQUESTS)
def test_stream_ttft_and_e2e_follow_the_model(http: httpx.Client, exact_mock: MockProcess, provider: str) -> None:
    path, body = REQUESTS[provider]
    timing = _median(http, exact_mock.url + path, body)
    assert timing.tokens == TOKENS
    assert timing.first_token >= TTFT_S  # never early
    assert timing.end >= E2E_S
    if provider == "gemini":  # its first event is the first token (the others' openers: test_app)
        assert timing.first_byte == timing.first_token


def test_whole_response_arrives_after_the_full_generation(http: httpx.Client, exact_mock: MockProcess) -> None:
    body = {"model": "m", "messages": MESSAGES, "max_tokens": TOKENS}
    url = exact_mock.url + "/v1/chat/completions"
    http.get(exact_mock.url + "/v1/models")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        assert http.post(url, json=body).json()["usage"]["completion_tokens"] == TOKENS
        times.append(time.perf_counter() - started)
    assert min(times) >= E2E_S  # the whole body only once generation would have ended
