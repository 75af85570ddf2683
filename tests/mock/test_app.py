"""The mock's wire formats, errors and faults, over real HTTP (httpx) against a child process."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from llmprof.mock.faults import Faults, for_request
from llmprof.mock.server import MockProcess
from llmprof.tokens import count_messages, count_text
from tests.mock.conftest import FAULTY, estimated

Json = dict[str, Any]

OPENAI = "/v1/chat/completions"
ANTHROPIC = "/v1/messages"


def gemini(model: str, stream: bool) -> str:
    return (
        f"/v1beta/models/{model}:streamGenerateContent?alt=sse" if stream else f"/v1beta/models/{model}:generateContent"
    )


@dataclass(frozen=True)
class Api:
    """A mock's base URL and the shared client."""

    client: httpx.Client
    url: str

    def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return self.client.post(self.url + path, json=body, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, self.url + path, **kwargs)


@pytest.fixture
def api(http: httpx.Client, mock: MockProcess) -> Api:
    return Api(http, mock.url)


def tokens_in_both(text: str) -> tuple[int, int]:
    return count_text(text, "o200k_base"), count_text(text, "cl100k_base")


def data_events(raw: bytes, separator: bytes = b"\n\n") -> list[str]:
    """The data of each event; checks the framing is exactly one ``data:`` line per event."""
    assert raw.endswith(separator)
    blocks = raw[: -len(separator)].split(separator)
    assert all(block.startswith(b"data: ") and b"\n" not in block for block in blocks), raw[:300]
    return [block[len(b"data: ") :].decode() for block in blocks]


def named_events(raw: bytes) -> list[tuple[str, Json]]:
    """Anthropic framing: ``event: <type>`` then one ``data:`` line whose type matches."""
    assert raw.endswith(b"\n\n")
    events = []
    for block in raw[:-2].split(b"\n\n"):
        event_line, data_line = block.decode().split("\n")
        name = event_line.removeprefix("event: ")
        data = json.loads(data_line.removeprefix("data: "))
        assert data["type"] == name
        events.append((name, data))
    return events


# -- OpenAI ---------------------------------------------------------------------------------------

CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Say hi to the team: 東京で会いましょう."},
]


def test_openai_stream_exact_sequence(api: Api) -> None:
    body = {
        "model": "gpt-4o-mini",
        "messages": CHAT,
        "max_tokens": 12,
        "stream": True,
        "stream_options": {"include_usage": True},
        "ignore_eos": True,  # vLLM extensions and anything else: accepted, ignored
        "min_tokens": 12,
        "temperature": 0.2,
    }
    response = api.post(OPENAI, body, headers={"Authorization": "Bearer sk-test"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    *chunks, done = data_events(response.content)
    assert done == "[DONE]"
    role, *content, finish, usage = [json.loads(c) for c in chunks]
    for chunk in (role, *content, finish, usage):
        assert chunk["object"] == "chat.completion.chunk"
        assert (chunk["id"], chunk["model"], chunk["created"]) == (role["id"], "gpt-4o-mini", role["created"])
        assert chunk["id"].startswith("chatcmpl-")
    assert role["choices"] == [
        {"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}
    ]
    assert role["usage"] is None
    assert len(content) == 12
    assert all(c["choices"][0]["finish_reason"] is None and c["usage"] is None for c in content)
    pieces = [c["choices"][0]["delta"]["content"] for c in content]
    assert all(tokens_in_both(piece) == (1, 1) for piece in pieces)
    assert tokens_in_both("".join(pieces)) == (12, 12)
    assert finish["choices"] == [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "length"}]
    prompt = count_messages(CHAT, "o200k_base")
    assert usage["choices"] == []
    assert usage["usage"] == {"prompt_tokens": prompt, "completion_tokens": 12, "total_tokens": prompt + 12}


def test_openai_stream_without_usage_or_limit(api: Api) -> None:
    body = {"model": "my-llama", "messages": CHAT, "stream": True}
    *chunks, done = data_events(api.post(OPENAI, body).content)
    assert done == "[DONE]"
    role, *content, finish = [json.loads(c) for c in chunks]
    assert all("usage" not in c for c in (role, *content, finish))
    assert finish["choices"][0]["finish_reason"] == "stop"  # no max_tokens: a natural length
    assert 20 <= len(content) <= 200
    text = "".join(c["choices"][0]["delta"]["content"] for c in content)
    assert tokens_in_both(text) == (len(content), len(content))


def test_openai_whole_response(api: Api) -> None:
    body = {"model": "gpt-3.5-turbo", "messages": CHAT, "max_completion_tokens": 7}
    response = api.post(OPENAI, body)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert data["object"] == "chat.completion" and data["model"] == "gpt-3.5-turbo"
    [choice] = data["choices"]
    assert choice["finish_reason"] == "length" and choice["message"]["role"] == "assistant"
    assert tokens_in_both(choice["message"]["content"]) == (7, 7)
    prompt = count_messages(CHAT, "cl100k_base")  # gpt-3.5-turbo's own encoding, from the price table
    assert prompt != count_messages(CHAT, "o200k_base")
    assert data["usage"] == {"prompt_tokens": prompt, "completion_tokens": 7, "total_tokens": prompt + 7}


def test_models_lists_every_name_asked_for(api: Api) -> None:
    api.post(OPENAI, {"model": "listed-model-x", "messages": CHAT, "max_tokens": 1})
    data = api.request("GET", "/v1/models").json()
    assert data["object"] == "list"
    names = [m["id"] for m in data["data"]]
    assert names[0] == "mock-model" and "listed-model-x" in names
    assert data["data"][0] == {
        "id": "mock-model",
        "object": "model",
        "created": 0,
        "owned_by": "llmprof-mock",
    }
    assert api.request("GET", "/v1/models/anything").json()["id"] == "anything"


# -- Anthropic ------------------------------------------------------------------------------------

SYSTEM = [{"type": "text", "text": "You are terse."}]
TURNS = [
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "Summarise: latency is mostly output."},
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
            },
        ],
    },
    {"role": "assistant", "content": "Sure."},
    {"role": "user", "content": "Go on."},
]
# The same text in OpenAI framing: what the mock counts (images are not counted).
FRAMED = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": TURNS[0]["content"][:1]},  # type: ignore[index]
    TURNS[1],
    TURNS[2],
]


def test_anthropic_stream_exact_sequence(api: Api) -> None:
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 9,
        "system": SYSTEM,
        "messages": TURNS,
        "stream": True,
    }
    response = api.post(ANTHROPIC, body, headers={"x-api-key": "test", "anthropic-version": "2023-06-01"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    events = named_events(response.content)
    names = [name for name, _ in events]
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * 9,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    prompt = estimated(body, "anthropic")  # Claude's calibrated count, as `llmprof estimate` makes it
    assert prompt != count_messages(FRAMED, "o200k_base")
    start = events[0][1]["message"]
    assert start["id"].startswith("msg_")
    assert {k: v for k, v in start.items() if k != "id"} == {
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": prompt, "output_tokens": 1},
    }
    assert events[1][1] == {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "text", "text": ""},
    }
    deltas = [data for name, data in events if name == "content_block_delta"]
    assert all(d["index"] == 0 and d["delta"]["type"] == "text_delta" for d in deltas)
    assert tokens_in_both("".join(d["delta"]["text"] for d in deltas)) == (9, 9)
    assert events[-3][1] == {"type": "content_block_stop", "index": 0}
    assert events[-2][1] == {
        "type": "message_delta",
        "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
        "usage": {"output_tokens": 9},
    }


def test_anthropic_whole_response(api: Api) -> None:
    # a model the price table does not know is counted with o200k_base and OpenAI's chat framing
    body = {"model": "claude-mock", "max_tokens": 5, "system": "You are terse.", "messages": TURNS}
    data = api.post(ANTHROPIC, body).json()
    assert data["type"] == "message" and data["role"] == "assistant" and data["stop_reason"] == "max_tokens"
    [block] = data["content"]
    assert block["type"] == "text" and tokens_in_both(block["text"]) == (5, 5)
    framed = [{"role": "system", "content": "You are terse."}, *FRAMED[1:]]
    assert data["usage"] == {"input_tokens": count_messages(framed, "o200k_base"), "output_tokens": 5}


# -- Gemini ---------------------------------------------------------------------------------------

CONTENTS = [{"role": "user", "parts": [{"text": "Explain TTFT."}, {"text": "Briefly."}]}]
GEMINI_FRAMED = [
    {"role": "system", "content": [{"type": "text", "text": "Be exact."}]},
    {
        "role": "user",
        "content": [{"type": "text", "text": "Explain TTFT."}, {"type": "text", "text": "Briefly."}],
    },
]


def test_gemini_stream(api: Api) -> None:
    body = {
        "contents": CONTENTS,
        "systemInstruction": {"parts": [{"text": "Be exact."}]},
        "generationConfig": {"maxOutputTokens": 6},
    }
    response = api.post(gemini("gemini-3.8-flash", stream=True), body, headers={"x-goog-api-key": "k"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    events = [json.loads(d) for d in data_events(response.content, b"\r\n\r\n")]
    assert len(events) == 6
    prompt = count_messages(GEMINI_FRAMED, "o200k_base")
    for produced, event in enumerate(events, start=1):
        [candidate] = event["candidates"]
        assert candidate["content"]["role"] == "model" and candidate["index"] == 0
        assert ("finishReason" in candidate) == (produced == 6)
        assert event["usageMetadata"] == {
            "promptTokenCount": prompt,
            "candidatesTokenCount": produced,
            "totalTokenCount": prompt + produced,
        }
        assert event["modelVersion"] == "gemini-3.8-flash" and event["responseId"] == events[0]["responseId"]
    assert events[-1]["candidates"][0]["finishReason"] == "MAX_TOKENS"
    text = "".join(e["candidates"][0]["content"]["parts"][0]["text"] for e in events)
    assert tokens_in_both(text) == (6, 6)


def test_gemini_whole_response_without_limit(api: Api) -> None:
    data = api.post(gemini("gemini-x", stream=False), {"contents": CONTENTS}, params={"key": "k"}).json()
    [candidate] = data["candidates"]
    assert candidate["finishReason"] == "STOP"
    produced = data["usageMetadata"]["candidatesTokenCount"]
    assert 20 <= produced <= 200
    assert tokens_in_both(candidate["content"]["parts"][0]["text"]) == (produced, produced)
    assert data["usageMetadata"]["promptTokenCount"] == count_messages(GEMINI_FRAMED[1:], "o200k_base")


def test_api_keys_are_accepted_and_never_logged(api: Api, mock: MockProcess) -> None:
    secret = "sk-secret-do-not-log-4242"
    body = {"model": "m", "messages": CHAT, "max_tokens": 1}
    assert api.post(OPENAI, body, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    gemini_body = {"contents": CONTENTS, "generationConfig": {"maxOutputTokens": 1}}
    assert api.post(gemini("g", stream=False), gemini_body, params={"key": secret}).status_code == 200
    assert secret not in mock.stderr_tail()


# -- errors ---------------------------------------------------------------------------------------


def test_unknown_routes_are_404_in_the_provider_shape(api: Api) -> None:
    response = api.request("GET", "/nope")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "message": "Invalid URL (GET /nope)",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    anthropic = api.request("POST", "/v1/messages/batches", json={})
    assert anthropic.status_code == 404 and anthropic.json()["error"]["type"] == "not_found_error"
    assert anthropic.json()["type"] == "error"
    google = api.request("POST", "/v1beta/models/g:embedContent", json={})
    assert google.status_code == 404
    assert google.json() == {
        "error": {
            "code": 404,
            "message": "Invalid URL (POST /v1beta/models/g:embedContent)",
            "status": "NOT_FOUND",
        }
    }


@pytest.mark.parametrize(
    ("method", "path", "allow", "shape"),
    [
        ("GET", OPENAI, "POST", "openai"),
        ("POST", "/v1/models", "GET", "openai"),
        ("GET", ANTHROPIC, "POST", "anthropic"),
        ("GET", "/v1beta/models/g:generateContent", "POST", "gemini"),
    ],
)
def test_wrong_method_is_405(api: Api, method: str, path: str, allow: str, shape: str) -> None:
    response = api.request(method, path)
    assert response.status_code == 405 and response.headers["allow"] == allow
    error = response.json()["error"]
    assert {"openai": "type", "anthropic": "type", "gemini": "status"}[shape] in error


@pytest.mark.parametrize(
    ("path", "check"),
    [
        (OPENAI, lambda e: e["error"]["type"] == "invalid_request_error" and e["error"]["code"] is None),
        (ANTHROPIC, lambda e: e["type"] == "error" and e["error"]["type"] == "invalid_request_error"),
        (
            gemini("g", stream=True),
            lambda e: e["error"]["code"] == 400 and e["error"]["status"] == "INVALID_ARGUMENT",
        ),
    ],
)
def test_bad_json_is_400(api: Api, path: str, check: Any) -> None:
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe\x00"):
        response = api.request("POST", path, content=raw)
        assert response.status_code == 400, raw
        assert check(response.json())


def test_invalid_requests_are_400_with_the_reason(api: Api) -> None:
    no_limit = api.post(ANTHROPIC, {"model": "c", "messages": TURNS})
    assert no_limit.status_code == 400
    assert no_limit.json() == {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "max_tokens: Field required"},
    }
    zero = api.post(OPENAI, {"model": "m", "messages": CHAT, "max_tokens": 0}).json()["error"]
    assert zero["param"] == "max_tokens" and "at least 1" in zero["message"]
    no_messages = api.post(OPENAI, {"model": "m"}).json()["error"]
    assert no_messages["param"] == "messages"
    not_sse = api.post("/v1beta/models/g:streamGenerateContent", {"contents": CONTENTS})
    assert not_sse.status_code == 400 and "alt=sse" in not_sse.json()["error"]["message"]


# -- rate limit -----------------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(http: httpx.Client, limited_mock: MockProcess) -> None:
    api = Api(http, limited_mock.url)
    body = {"model": "m", "messages": CHAT, "max_tokens": 1}
    first = api.post(OPENAI, body)  # allowed, unless an earlier test used the one slot
    assert first.status_code in (200, 429)
    refused = api.post(OPENAI, body)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["x-ratelimit-limit-requests"] == "1"
    assert refused.headers["x-ratelimit-remaining-requests"] == "0"
    error = refused.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("requests", "rate_limit_exceeded", None)
    assert "Rate limit reached for m" in error["message"]

    claude = api.post(ANTHROPIC, {"model": "c", "max_tokens": 1, "messages": TURNS})
    assert claude.status_code == 429 and int(claude.headers["retry-after"]) >= 1
    assert claude.json()["error"]["type"] == "rate_limit_error"
    assert claude.headers["anthropic-ratelimit-requests-limit"] == "1"
    google = api.post(gemini("g", stream=True), {"contents": CONTENTS})
    assert google.status_code == 429 and int(google.headers["retry-after"]) >= 1
    assert (google.json()["error"]["code"], google.json()["error"]["status"]) == (429, "RESOURCE_EXHAUSTED")


# -- faults ---------------------------------------------------------------------------------------

STALL_S = FAULTY.stall_s
FORMATS = [  # (path, stream) cycled over the requests
    (OPENAI, True),
    (ANTHROPIC, True),
    ("gemini", True),
    (OPENAI, False),
    (ANTHROPIC, False),
    ("gemini", False),
]


def _request(path: str, stream: bool) -> tuple[str, Json]:
    if path == OPENAI:
        return path, {"model": "m", "messages": CHAT, "max_tokens": 8, "stream": stream}
    if path == ANTHROPIC:
        return path, {"model": "c", "max_tokens": 8, "messages": TURNS, "stream": stream}
    return gemini("g", stream), {"contents": CONTENTS, "generationConfig": {"maxOutputTokens": 8}}


def _outcome(api: Api, path: str, stream: bool) -> str:
    """What a client sees: "error 500", "drop", "malformed" or "ok"."""
    path, body = _request(path, stream)
    try:
        with api.client.stream("POST", api.url + path, json=body) as response:
            raw = response.read()
    except httpx.RemoteProtocolError:
        return "drop"
    if response.status_code != 200:
        error = response.json()
        assert "error" in error
        return f"error {response.status_code}"
    if not stream:
        try:
            json.loads(raw)
        except ValueError:
            return "malformed"
        return "ok"
    separator = b"\r\n\r\n" if "gemini" in path or ":" in path else b"\n\n"
    blocks = raw.split(separator)
    assert blocks[-1] == b""
    for index, block in enumerate(blocks[:-1]):
        data = block.split(b"data: ", 1)[1]
        if data == b"[DONE]":
            continue
        try:
            json.loads(data)
        except ValueError:
            assert index == len(blocks) - 2, "nothing may follow the malformed event"
            return "malformed"
    return "ok"


_KINDS: list[
    tuple[str, Callable[[Faults], bool]]
] = [  # what a client sees, by the faults drawn for the request, first match wins
    ("error 500", lambda f: f.error),
    ("drop", lambda f: f.drop),
    ("malformed", lambda f: f.malformed),
    ("ok", lambda f: True),
]


def test_every_fault_kind_is_observable_and_reproducible(http: httpx.Client, faulty_mock: MockProcess) -> None:
    api = Api(http, faulty_mock.url)
    seen: set[str] = set()
    for number in range(30):
        path, stream = FORMATS[number % len(FORMATS)]
        faults = for_request(FAULTY, number)
        expected = next(kind for kind, hit in _KINDS if hit(faults))
        started = time.perf_counter()
        outcome = _outcome(api, path, stream)
        elapsed = time.perf_counter() - started
        assert outcome == expected, (number, path, stream, faults)
        stalled = faults.stall_s > 0 and not faults.error
        if stalled:  # lower bound only: a busy machine can make any request slow, never a stall short
            assert elapsed >= STALL_S, (number, elapsed, faults)
        seen |= {outcome, f"{outcome} {'stream' if stream else 'whole'}", *(["stall"] if stalled else [])}
    assert {"ok", "error 500", "drop", "malformed", "stall"} <= seen
    assert {"drop stream", "drop whole", "malformed stream", "malformed whole"} <= seen
    assert "Traceback" not in faulty_mock.stderr_tail()  # deliberate drops are not logged
