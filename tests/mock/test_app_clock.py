"""The mock's schedule, exactly: the ASGI app driven directly on a virtual-time loop with an
injected clock, so each event's send time is checked to the nanosecond on any machine."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from llmprof.mock import MockSettings
from llmprof.mock.app import create_app
from tests import virtual_time


class LoopClock:
    """The mock's clock on the running (virtual-time) loop."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def until(self, deadline: float) -> None:
        await asyncio.sleep(max(0.0, deadline - self.now()))


def call(
    settings: MockSettings, path: str, body: dict[str, Any], query: bytes = b""
) -> list[tuple[float, dict[str, Any]]]:
    """One request through the app: every message it sends, with the virtual time it was sent."""

    async def main(clock: Callable[[], int]) -> list[tuple[float, dict[str, Any]]]:
        app = create_app(settings, LoopClock())
        sent: list[tuple[float, dict[str, Any]]] = []
        delivered = False
        finished = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": json.dumps(body).encode(), "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append((clock() / 1e9, message))

        scope = {"type": "http", "method": "POST", "path": path, "query_string": query, "headers": []}
        await app(scope, receive, send)
        finished.set()
        return sent

    return virtual_time.run(main)


EXACT = MockSettings(preset="instant", ttft_ms=100.0, itl_ms=10.0, prefill_ms_per_1k=0.0, jitter=0.0)
OPENAI = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5, "stream": True}


def test_openai_stream_events_leave_on_schedule() -> None:
    sent = call(EXACT, "/v1/chat/completions", OPENAI)
    times = [at for at, message in sent if message["type"] == "http.response.body"]
    # the role chunk at once, then tokens at 100, 110, 120, 130, 140 ms (the last with the close)
    assert times == pytest.approx([0.0, 0.100, 0.110, 0.120, 0.130, 0.140], abs=1e-9)
    assert sent[0] == (0.0, sent[0][1]) and sent[0][1]["status"] == 200


def test_prefill_grows_the_first_token_time() -> None:
    slow_prefill = MockSettings(preset="instant", ttft_ms=50.0, itl_ms=10.0, prefill_ms_per_1k=100.0, jitter=0.0)
    long_prompt = {**OPENAI, "messages": [{"role": "user", "content": "hello" + " hello" * 1992}]}  # 2,000 tokens
    sent = call(slow_prefill, "/v1/chat/completions", long_prompt)
    first_token = [at for at, m in sent if m["type"] == "http.response.body"][1]
    assert first_token == pytest.approx(0.050 + 0.100 * 2.0, abs=1e-9)


def test_a_stall_delays_the_second_half_by_its_length() -> None:
    stalls = MockSettings(preset="instant", ttft_ms=100.0, itl_ms=10.0, jitter=0.0, stall_rate=1.0, stall_s=2.0)
    times = [at for at, m in call(stalls, "/v1/chat/completions", OPENAI) if m["type"] == "http.response.body"]
    assert times == pytest.approx([0.0, 0.100, 0.110, 2.120, 2.130, 2.140], abs=1e-9)


def test_a_whole_response_arrives_when_generation_ends() -> None:
    sent = call(EXACT, "/v1/chat/completions", {**OPENAI, "stream": False})
    [(start_at, start), (body_at, body)] = sent
    assert start["status"] == 200 and start_at == body_at == pytest.approx(0.140, abs=1e-9)
    assert json.loads(body["body"])["usage"]["completion_tokens"] == 5


def test_anthropic_and_gemini_share_the_schedule() -> None:
    anthropic = {"model": "m", "max_tokens": 3, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    gemini = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": {"maxOutputTokens": 3}}
    for path, body, query in (
        ("/v1/messages", anthropic, b""),
        ("/v1beta/models/m:streamGenerateContent", gemini, b"alt=sse"),
    ):
        times = [at for at, m in call(EXACT, path, body, query) if m["type"] == "http.response.body"]
        assert [t for t in times if t > 0] == pytest.approx([0.100, 0.110, 0.120], abs=1e-9), path


def test_a_huge_max_tokens_is_refused_not_allocated() -> None:
    [(_, start), (_, body)] = call(EXACT, "/v1/chat/completions", {**OPENAI, "max_tokens": 30_000_000})
    assert start["status"] == 400
    assert "max_tokens: at most 1000000" in json.loads(body["body"])["error"]["message"]
