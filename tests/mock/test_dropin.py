"""The mock as a drop-in for other tools, over real HTTP (httpx on loopback): health check, model
listing, token counting, the concurrency limit, reasoning output and the prompt cache."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from llmprof.counting import count_request
from llmprof.mock.server import MockProcess
from llmprof.pricing import load_table
from llmprof.requests import parse
from llmprof.tokens import count_text
from tests.mock.conftest import ONE_SLOT, estimated
from tests.mock.test_app import Api, data_events, gemini, named_events

Json = dict[str, Any]


@pytest.fixture
def api(http: httpx.Client, mock: MockProcess) -> Api:
    return Api(http, mock.url)


@pytest.fixture
def dropin(http: httpx.Client, dropin_mock: MockProcess) -> Api:
    return Api(http, dropin_mock.url)


def _gemini_count(body: Json, model: str) -> int:
    return count_request(parse(body, "request", "gemini"), load_table().resolve(model)).total


# -- health and models -----------------------------------------------------------------------------


def test_health_answers_ok(api: Api) -> None:
    response = api.request("GET", "/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert api.request("POST", "/health").status_code == 405


def test_one_model_has_the_shape_of_the_list_items(api: Api) -> None:
    one = api.request("GET", "/v1/models/gpt-4o-mini").json()
    assert one == {"id": "gpt-4o-mini", "object": "model", "created": 0, "owned_by": "llmprof-mock"}
    listed = api.request("GET", "/v1/models").json()["data"]
    assert set(listed[0]) == set(one)


# -- token counting --------------------------------------------------------------------------------

CLAUDE = {
    "model": "claude-sonnet-5-5",
    "system": "Answer in one line.",
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Why is TTFT not e2e? 東京"}]}],
    "tools": [{"name": "clock", "description": "Read the time.", "input_schema": {"type": "object"}}],
}
RESPONSES = {
    "model": "gpt-4o",
    "instructions": "Be exact.",
    "input": [{"role": "user", "content": [{"type": "input_text", "text": "Count me, please."}]}],
}
CONTENTS = [{"role": "user", "parts": [{"text": "Explain TTFT."}, {"text": "Briefly."}]}]
SYSTEM = {"parts": [{"text": "Be exact."}]}


def test_anthropic_count_tokens_is_what_estimate_counts(api: Api) -> None:
    response = api.post("/v1/messages/count_tokens", CLAUDE, headers={"anthropic-version": "2023-06-01"})
    assert response.status_code == 200
    assert response.json() == {"input_tokens": estimated(CLAUDE, "anthropic")}


def test_openai_input_tokens_is_what_estimate_counts(api: Api) -> None:
    response = api.post("/v1/responses/input_tokens", RESPONSES)
    assert response.status_code == 200
    assert response.json() == {
        "object": "response.input_tokens",
        "input_tokens": estimated(RESPONSES, "openai-responses"),
    }
    no_model = {k: v for k, v in RESPONSES.items() if k != "model"}  # counted with the o200k_base stand-in
    assert api.post("/v1/responses/input_tokens", no_model).json()["input_tokens"] == estimated(
        RESPONSES, "openai-responses"
    )


def test_gemini_count_tokens_bare_or_wrapped(api: Api) -> None:
    path = "/v1beta/models/gemini-3.8-flash:countTokens"
    bare = api.post(path, {"contents": CONTENTS})
    assert bare.status_code == 200
    assert bare.json() == {"totalTokens": _gemini_count({"contents": CONTENTS}, "gemini-3.8-flash")}
    full = {"model": "models/gemini-3.8-flash", "contents": CONTENTS, "systemInstruction": SYSTEM}
    wrapped = api.post(path, {"generateContentRequest": full})
    assert wrapped.json() == {"totalTokens": _gemini_count(full, "gemini-3.8-flash")}
    assert wrapped.json()["totalTokens"] > bare.json()["totalTokens"]  # the system instruction counts


def test_counting_agrees_with_the_usage_of_a_generation(api: Api) -> None:
    claude = {**CLAUDE, "max_tokens": 1}
    counted = api.post("/v1/messages/count_tokens", CLAUDE).json()["input_tokens"]
    assert api.post("/v1/messages", claude).json()["usage"]["input_tokens"] == counted
    body = {"contents": CONTENTS, "systemInstruction": SYSTEM, "generationConfig": {"maxOutputTokens": 1}}
    counted = api.post("/v1beta/models/gemini-3.8-flash:countTokens", {"generateContentRequest": body}).json()
    usage = api.post(gemini("gemini-3.8-flash", stream=False), body).json()["usageMetadata"]
    assert usage["promptTokenCount"] == counted["totalTokens"]


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/v1/messages/count_tokens", {"messages": [{"role": "user", "content": "x"}]}, "anthropic"),
        ("/v1/responses/input_tokens", {"model": "m", "input": 3}, "openai"),
        ("/v1/responses/input_tokens", {"model": "m", "input": ["not an item"]}, "openai"),
        ("/v1beta/models/g:countTokens", {"generateContentRequest": {"contents": []}}, "gemini"),
    ],
)
def test_bad_count_requests_are_400_in_the_provider_shape(api: Api, path: str, body: Json, where: str) -> None:
    response = api.post(path, body)
    assert response.status_code == 400, response.text
    error = response.json()
    if where == "anthropic":
        assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
    elif where == "openai":
        assert error["error"]["type"] == "invalid_request_error"
    else:
        assert error["error"]["status"] == "INVALID_ARGUMENT"
    assert api.request("GET", path).status_code == 405


# -- the concurrency limit -------------------------------------------------------------------------

CHAT = [{"role": "user", "content": "hi"}]


def test_beyond_the_queue_every_format_answers_429(http: httpx.Client, no_room_mock: MockProcess) -> None:
    api = Api(http, no_room_mock.url)
    body = {"model": "m", "messages": CHAT, "max_tokens": 1, "stream": True}
    with http.stream("POST", api.url + "/v1/chat/completions", json=body) as holding:
        assert holding.status_code == 200  # it has the one slot (its first token is a minute away)
        openai = api.post("/v1/chat/completions", {**body, "stream": False})
        claude = api.post("/v1/messages", {"model": "c", "max_tokens": 1, "messages": CHAT})
        google = api.post(gemini("g", stream=True), {"contents": CONTENTS})
        for refused in (openai, claude, google):
            assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
            assert "at capacity: 1 generations in progress and 0 waiting (max_queue 0)" in refused.text
        assert openai.json()["error"]["code"] == "rate_limit_exceeded"
        assert claude.json()["error"]["type"] == "rate_limit_error"
        assert google.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
        # neither the health check nor token counting takes a slot
        assert api.request("GET", "/health").status_code == 200
        assert api.post("/v1/messages/count_tokens", CLAUDE).status_code == 200


def test_a_queued_request_starts_when_the_slot_frees(http: httpx.Client, one_slot_mock: MockProcess) -> None:
    """A lower bound only (a busy machine can make anything slower, never this faster): the second
    request is sent once the first holds the slot, so its first token comes at least two whole
    generations (2 x 300 ms) after the first was sent."""
    service_s = (ONE_SLOT.ttft_ms or 0) / 1000
    url = one_slot_mock.url + "/v1/chat/completions"
    body = {"model": "m", "messages": CHAT, "max_tokens": 1, "stream": True}
    sent_first = time.perf_counter()
    with http.stream("POST", url, json=body) as first:
        assert first.status_code == 200  # headers come once it has the slot
        with http.stream("POST", url, json=body) as second:
            assert second.status_code == 200
            for line in second.iter_lines():
                if line.startswith("data: {") and json.loads(line[6:])["choices"][0]["delta"].get("content"):
                    break
            second_token = time.perf_counter()
        first.read()
    assert second_token - sent_first >= 2 * service_s


# -- reasoning and the prompt cache ------------------------------------------------------------------


def test_openai_stream_reasons_before_answering(dropin: Api) -> None:
    body = {
        "model": "gpt-4o-mini",
        "messages": CHAT,
        "max_tokens": 3,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    *chunks, done = data_events(dropin.post("/v1/chat/completions", body).content)
    _, *generated, finish, usage = [json.loads(c) for c in chunks]
    deltas = [c["choices"][0]["delta"] for c in generated]
    assert [list(d) for d in deltas] == [["reasoning_content"]] * 4 + [["content"]] * 3
    reasoning = "".join(d["reasoning_content"] for d in deltas[:4])
    assert count_text(reasoning, "o200k_base") == 4
    assert usage["usage"]["completion_tokens"] == 7
    assert usage["usage"]["completion_tokens_details"] == {"reasoning_tokens": 4}
    assert usage["usage"]["prompt_tokens_details"] == {"cached_tokens": 0}
    assert (finish["choices"][0]["finish_reason"], done) == ("length", "[DONE]")


def test_anthropic_stream_thinks_in_a_block_of_its_own(dropin: Api) -> None:
    body = {"model": "claude-sonnet-5-5", "max_tokens": 2, "messages": CHAT, "stream": True}
    events = named_events(dropin.post("/v1/messages", body).content)
    blocks = [(d["index"], d["content_block"]["type"]) for n, d in events if n == "content_block_start"]
    assert blocks == [(0, "thinking"), (1, "text")]
    deltas = [(d["index"], d["delta"]["type"]) for n, d in events if n == "content_block_delta"]
    assert deltas == [(0, "thinking_delta")] * 4 + [(0, "signature_delta")] + [(1, "text_delta")] * 2
    assert [d["usage"]["output_tokens"] for n, d in events if n == "message_delta"] == [6]


def test_gemini_thoughts_and_cache_over_http(dropin: Api) -> None:
    shared = "gemini-shared" + " hello" * 1500
    path = gemini("gemini-3.8-flash", stream=True)

    def ask(suffix: str) -> list[Json]:
        body = {
            "contents": [{"role": "user", "parts": [{"text": shared + suffix}]}],
            "generationConfig": {"maxOutputTokens": 2},
        }
        return [json.loads(d) for d in data_events(dropin.post(path, body).content, b"\r\n\r\n")]

    first = ask(" one")
    parts = [e["candidates"][0]["content"]["parts"][0] for e in first]
    assert [p.get("thought", False) for p in parts] == [True] * 4 + [False] * 2
    assert "cachedContentTokenCount" not in first[-1]["usageMetadata"]
    usage = ask(" two")[-1]["usageMetadata"]
    # "user" + "gemini-shared" (3 tokens) + 1,500 = 1,504 shared ids: 11 whole blocks
    assert usage["cachedContentTokenCount"] == 11 * 128
    assert usage["candidatesTokenCount"] == 2 and usage["thoughtsTokenCount"] == 4
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + 6
