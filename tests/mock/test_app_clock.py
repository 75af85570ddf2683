"""The mock's schedule, exactly: the ASGI app driven directly on a virtual-time loop with an
injected clock, so each event's send time is checked to the nanosecond on any machine."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from llmprof.mock import MockSettings
from llmprof.mock.app import create_app
from llmprof.tokens import count_messages, count_text
from tests import virtual_time


class LoopClock:
    """The mock's clock on the running (virtual-time) loop."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def until(self, deadline: float) -> None:
        await asyncio.sleep(max(0.0, deadline - self.now()))


@dataclass(frozen=True)
class Call:
    """One request: where it goes, when it arrives and when (if ever) its client leaves."""

    path: str
    body: dict[str, Any]
    query: bytes = b""
    at: float = 0.0
    leave_at: float | None = None


Sent = list[tuple[float, dict[str, Any]]]


def calls(settings: MockSettings, requests: list[Call]) -> list[Sent]:
    """Requests through one app, concurrently: every message each one was sent, with its time."""

    async def main(clock: Callable[[], int]) -> list[Sent]:
        app = create_app(settings, LoopClock())

        async def one(request: Call) -> Sent:
            await asyncio.sleep(request.at)
            sent: Sent = []
            delivered = False
            finished = asyncio.Event()

            async def receive() -> dict[str, Any]:
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": json.dumps(request.body).encode(), "more_body": False}
                if request.leave_at is None:
                    await finished.wait()
                else:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(finished.wait(), request.leave_at - clock() / 1e9)
                return {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                sent.append((clock() / 1e9, message))

            scope = {"type": "http", "method": "POST", "path": request.path, "query_string": request.query}
            await app({**scope, "headers": []}, receive, send)
            finished.set()
            return sent

        return list(await asyncio.gather(*(one(request) for request in requests)))

    return virtual_time.run(main)


def call(settings: MockSettings, path: str, body: dict[str, Any], query: bytes = b"") -> Sent:
    """One request through the app: every message it sends, with the virtual time it was sent."""
    [sent] = calls(settings, [Call(path, body, query)])
    return sent


def body_times(sent: Sent) -> list[float]:
    return [at for at, message in sent if message["type"] == "http.response.body"]


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


# -- the concurrency limit -----------------------------------------------------------------------

QUEUED = MockSettings(preset="instant", ttft_ms=100.0, itl_ms=10.0, jitter=0.0, max_concurrency=2)


def _first_token(sent: Sent) -> float:
    return body_times(sent)[1]  # after the role chunk


def test_five_requests_on_two_slots_wait_their_turn() -> None:
    """Each generation takes 140 ms (TTFT 100 + 4 gaps of 10): two run at once, the rest queue."""
    sent = calls(QUEUED, [Call("/v1/chat/completions", OPENAI) for _ in range(5)])
    assert [round(_first_token(s), 9) for s in sent] == [0.100, 0.100, 0.240, 0.240, 0.380]
    assert [round(body_times(s)[-1], 9) for s in sent] == [0.140, 0.140, 0.280, 0.280, 0.420]
    # a queued request is sent nothing at all until it has a slot: not even its headers
    assert [round(s[0][0], 9) for s in sent] == [0.0, 0.0, 0.140, 0.140, 0.280]
    assert all(s[0][1]["status"] == 200 for s in sent)


def test_without_a_limit_nothing_waits() -> None:
    sent = calls(EXACT, [Call("/v1/chat/completions", OPENAI) for _ in range(5)])
    assert [_first_token(s) for s in sent] == pytest.approx([0.100] * 5, abs=1e-9)


def test_whole_responses_queue_too() -> None:
    sent = calls(QUEUED, [Call("/v1/chat/completions", {**OPENAI, "stream": False}) for _ in range(3)])
    assert [body_times(s) for s in sent] == [pytest.approx([t], abs=1e-9) for t in (0.140, 0.140, 0.280)]


GEMINI = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": {"maxOutputTokens": 5}}
ANTHROPIC = {"model": "m", "max_tokens": 5, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
REFUSED = {
    "/v1/chat/completions": lambda e: e["error"]["type"] == "requests" and e["error"]["code"] == "rate_limit_exceeded",
    "/v1/messages": lambda e: e["type"] == "error" and e["error"]["type"] == "rate_limit_error",
    "/v1beta/models/m:streamGenerateContent": lambda e: e["error"]["status"] == "RESOURCE_EXHAUSTED",
}


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/chat/completions", OPENAI), ("/v1/messages", ANTHROPIC), ("/v1beta/models/m:streamGenerateContent", GEMINI)],
)
def test_beyond_max_queue_the_answer_is_429_at_once(path: str, body: dict[str, Any]) -> None:
    full = MockSettings(preset="instant", ttft_ms=100.0, itl_ms=10.0, jitter=0.0, max_concurrency=1, max_queue=1)
    served, queued, refused = calls(full, [Call(path, body, b"alt=sse") for _ in range(3)])
    assert body_times(served)[-5] == pytest.approx(0.100, abs=1e-9)  # the first of its five tokens
    assert [at for at in body_times(queued) if at > 0.140] == pytest.approx([0.240, 0.250, 0.260, 0.270, 0.280])
    [(start_at, start), (_, answer)] = refused
    assert start_at == 0.0 and start["status"] == 429
    assert (b"retry-after", b"1") in start["headers"]
    error = json.loads(answer["body"])
    assert REFUSED[path](error), error
    assert "at capacity: 1 generations in progress and 1 waiting (max_queue 1)" in json.dumps(error)


def test_a_queued_client_that_leaves_gives_up_its_place() -> None:
    one_slot = MockSettings(preset="instant", ttft_ms=100.0, itl_ms=10.0, jitter=0.0, max_concurrency=1)
    first, gave_up, third = calls(
        one_slot,
        [
            Call("/v1/chat/completions", OPENAI),
            Call("/v1/chat/completions", OPENAI, leave_at=0.050),
            Call("/v1/chat/completions", OPENAI, at=0.010),
        ],
    )
    assert _first_token(first) == pytest.approx(0.100, abs=1e-9)
    assert gave_up == []  # never started: nothing sent
    assert _first_token(third) == pytest.approx(0.240, abs=1e-9)  # right after the first, not after the second


def test_a_client_that_leaves_mid_generation_frees_its_slot_at_once() -> None:
    one_slot = MockSettings(preset="instant", ttft_ms=100.0, itl_ms=10.0, jitter=0.0, max_concurrency=1)
    left, waiting = calls(
        one_slot, [Call("/v1/chat/completions", OPENAI, leave_at=0.050), Call("/v1/chat/completions", OPENAI)]
    )
    assert body_times(left) == [0.0]  # the role chunk, then nothing: it left before its first token
    assert body_times(waiting)[:2] == pytest.approx([0.050, 0.150], abs=1e-9)


# -- reasoning -----------------------------------------------------------------------------------

THINKING = MockSettings(preset="instant", ttft_ms=100.0, itl_ms=10.0, jitter=0.0, reasoning_tokens=3)


def test_reasoning_tokens_come_first_at_the_same_pacing() -> None:
    sent = call(
        THINKING, "/v1/chat/completions", {**OPENAI, "max_tokens": 2, "stream_options": {"include_usage": True}}
    )
    bodies = [(at, m["body"]) for at, m in sent if m["type"] == "http.response.body"]
    assert [at for at, _ in bodies] == pytest.approx([0.0, 0.100, 0.110, 0.120, 0.130, 0.140], abs=1e-9)
    deltas = [json.loads(raw.split(b"\n\n")[0].removeprefix(b"data: "))["choices"][0]["delta"] for _, raw in bodies]
    assert [next(iter(d)) for d in deltas[1:]] == ["reasoning_content"] * 3 + ["content"] * 2
    usage = json.loads(bodies[-1][1].split(b"\n\n")[-3].removeprefix(b"data: "))["usage"]
    assert usage["completion_tokens"] == 5 and usage["completion_tokens_details"] == {"reasoning_tokens": 3}


@pytest.mark.parametrize(
    ("path", "body", "query"),
    [("/v1/messages", ANTHROPIC, b""), ("/v1beta/models/m:streamGenerateContent", GEMINI, b"alt=sse")],
)
def test_reasoning_paces_every_format_alike(path: str, body: dict[str, Any], query: bytes) -> None:
    times = [t for t in body_times(call(THINKING, path, {**body}, query)) if t > 0]
    assert times == pytest.approx([0.100, 0.110, 0.120, 0.130, 0.140, 0.150, 0.160, 0.170], abs=1e-9)


def test_a_whole_response_with_reasoning_arrives_when_both_are_done() -> None:
    [(_, start), (at, answer)] = call(THINKING, "/v1/chat/completions", {**OPENAI, "stream": False})
    assert start["status"] == 200 and at == pytest.approx(0.100 + 7 * 0.010, abs=1e-9)
    message = json.loads(answer["body"])["choices"][0]["message"]
    assert count_text(message["reasoning_content"], "o200k_base") == 3
    assert count_text(message["content"], "o200k_base") == 5


# -- the prompt cache ----------------------------------------------------------------------------

_CHAT = "/v1/chat/completions"
SHARED = "shared" + " hello" * 1998  # with the role "user" before it: a 2,000-token prefix
PREFILL = MockSettings(preset="instant", ttft_ms=50.0, itl_ms=10.0, prefill_ms_per_1k=100.0, jitter=0.0)


def _long(suffix: str) -> dict[str, Any]:
    messages = [{"role": "user", "content": SHARED + suffix}]
    return {**OPENAI, "model": "gpt-4o-mini", "messages": messages, "stream_options": {"include_usage": True}}


def _usage(sent: Sent) -> dict[str, Any]:
    last = [m["body"] for _, m in sent if m["type"] == "http.response.body"][-1]
    return json.loads(last.split(b"\n\n")[-3].removeprefix(b"data: "))["usage"]  # type: ignore[no-any-return]


def test_a_cached_prefix_skips_exactly_its_prefill() -> None:
    first_body, second_body = _long(" first question" + " hello" * 100), _long(" second one")
    prompts = [count_messages(b["messages"], "o200k_base") for b in (first_body, second_body)]
    cached = dataclasses.replace(PREFILL, prompt_cache=True)
    first, second = calls(cached, [Call(_CHAT, first_body), Call(_CHAT, second_body, at=1.0)])
    assert [_usage(s)["prompt_tokens"] for s in (first, second)] == prompts
    assert _usage(first)["prompt_tokens_details"] == {"cached_tokens": 0}
    assert _usage(second)["prompt_tokens_details"] == {"cached_tokens": 1920}  # 2000 // 128 whole blocks
    assert _first_token(first) == pytest.approx(0.050 + 0.100 * prompts[0] / 1000, abs=1e-9)
    full_prefill = 0.050 + 0.100 * prompts[1] / 1000
    assert _first_token(second) - 1.0 == pytest.approx(full_prefill - 0.100 * 1920 / 1000, abs=1e-9)


def test_without_the_cache_the_same_requests_pay_full_prefill() -> None:
    first_body, second_body = _long(" first question" + " hello" * 100), _long(" second one")
    _, second = calls(PREFILL, [Call(_CHAT, first_body), Call(_CHAT, second_body, at=1.0)])
    prompt = count_messages(second_body["messages"], "o200k_base")
    assert _first_token(second) - 1.0 == pytest.approx(0.050 + 0.100 * prompt / 1000, abs=1e-9)
    assert _usage(second) == {"prompt_tokens": prompt, "completion_tokens": 5, "total_tokens": prompt + 5}
