"""The wire formats without HTTP: request parsing, prompt counting, and exact event bytes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llmprof.mock.formats import BadRequest, Counting, Generation, Template, load_body, signature, sse, wires

WIRES = wires()


def _job(**fields: object) -> Generation:
    job = Generation("m", {}, 3, stream=True, id="id1", created=1700000000, prompt_tokens=10, output_tokens=3)
    for name, value in fields.items():
        setattr(job, name, value)
    return job


@pytest.mark.parametrize("text", ["plain", ' "quoted" \\ back', "東京 ☕", "\n\t", ""])
def test_template_fill_equals_a_full_render(text: str) -> None:
    def render(t: str) -> bytes:
        return sse({"a": 1, "delta": {"content": t}, "z": None}, "e")

    assert Template(render).fill(text) == render(text)


@pytest.mark.parametrize("name", ["openai", "anthropic"])
def test_token_events_carry_any_text_exactly(name: str) -> None:
    wire, job = WIRES[name], _job()
    for text in ("The", ' "x" \\', "東京"):
        data = json.loads(wire.token(job, 0, text).split(b"data: ")[1])
        delta = data["choices"][0]["delta"]["content"] if name == "openai" else data["delta"]["text"]
        assert delta == text


def test_openai_exact_bytes() -> None:
    wire, job = WIRES["openai"], _job(include_usage=False)
    head = b'data: {"id":"id1","object":"chat.completion.chunk","created":1700000000,"model":"m",'
    head += b'"system_fingerprint":null,"choices":[{"index":0,"delta":'
    assert wire.opening(job) == head + b'{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n'
    assert wire.token(job, 0, "Hi") == head + b'{"content":"Hi"},"logprobs":null,"finish_reason":null}]}\n\n'
    assert wire.closing(job) == (head + b'{},"logprobs":null,"finish_reason":"length"}]}\n\n' + b"data: [DONE]\n\n")


def test_openai_usage_chunk_comes_before_done() -> None:
    closing = WIRES["openai"].closing(_job(include_usage=True))
    finish, usage, done, end = closing.split(b"\n\n")
    assert json.loads(finish.removeprefix(b"data: "))["usage"] is None
    assert json.loads(usage.removeprefix(b"data: "))["usage"] == {
        "prompt_tokens": 10,
        "completion_tokens": 3,
        "total_tokens": 13,
    }
    assert (done, end) == (b"data: [DONE]", b"")


def test_gemini_events_end_in_crlf_crlf() -> None:
    wire, job = WIRES["gemini"], _job(max_tokens=None, output_tokens=2)
    first, last = wire.token(job, 0, "A"), wire.token(job, 1, " b")
    assert first.endswith(b"}\r\n\r\n") and first.count(b"\r\n") == 2
    assert "finishReason" not in json.loads(first[6:])["candidates"][0]
    assert json.loads(last[6:])["candidates"][0]["finishReason"] == "STOP"
    assert wire.opening(job) == wire.closing(job) == b""


def test_openai_parse() -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "x"}],
        "max_tokens": 5,
        "max_completion_tokens": 7,
    }
    job = WIRES["openai"].parse(body, None, False)
    assert (job.max_tokens, job.stream, job.include_usage) == (7, False, False)  # max_completion_tokens wins
    streamed = {**body, "stream": True, "stream_options": {"include_usage": True}, "n": 1, "whatever": [1]}
    assert WIRES["openai"].parse(streamed, None, False).include_usage


@pytest.mark.parametrize(
    ("body", "message", "param"),
    [
        (
            {"messages": [{"role": "user", "content": "x"}]},
            "model: a model name (string) is required",
            "model",
        ),
        ({"model": "m", "messages": []}, "messages: a non-empty list is required", "messages"),
        ({"model": "m", "messages": ["x"]}, "messages: every item must be an object", "messages"),
        (
            {"model": "m", "messages": [{}], "max_tokens": "9"},
            'max_tokens: expected an integer, got "9"',
            "max_tokens",
        ),
        (
            {"model": "m", "messages": [{}], "max_tokens": True},
            "max_tokens: expected an integer, got true",
            "max_tokens",
        ),
    ],
)
def test_openai_refuses(body: dict[str, object], message: str, param: str) -> None:
    with pytest.raises(BadRequest) as info:
        WIRES["openai"].parse(body, None, False)
    assert (info.value.message, info.value.param) == (message, param)


def test_anthropic_parse_keeps_the_body_and_checks_its_shape() -> None:
    body = {
        "model": "c",
        "max_tokens": 4,
        "system": [{"type": "text", "text": "Sys."}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "image", "source": {}}]},
            {"role": "assistant", "content": "Yo"},
        ],
    }
    job = WIRES["anthropic"].parse(body, None, False)
    assert (job.body, job.max_tokens, WIRES["anthropic"].shape) == (body, 4, "anthropic")
    with pytest.raises(BadRequest, match=r"messages\.0\.content: expected a string or a list"):
        WIRES["anthropic"].parse({"model": "c", "max_tokens": 1, "messages": [{"role": "user"}]}, None, False)


def test_gemini_parse_accepts_snake_case() -> None:
    body = {
        "contents": [{"parts": [{"text": "Hi"}, {"inlineData": {}}]}],
        "system_instruction": {"parts": [{"text": "Sys."}]},
        "generation_config": {"max_output_tokens": 3},
    }
    job = WIRES["gemini"].parse(body, "g", True)
    assert (job.model, job.max_tokens, job.stream, job.body) == ("g", 3, True, body)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"x"', b"\xff"])
def test_load_body_refuses_anything_but_an_object(raw: bytes) -> None:
    with pytest.raises(BadRequest):
        load_body(raw)


# -- reasoning, prompt-cache usage and token counting -----------------------------------------------


def _events(raw: bytes) -> list[tuple[str | None, dict[str, Any]]]:
    """(event name, data) of each SSE event in ``raw``."""
    found = []
    for block in raw.replace(b"\r\n", b"\n").split(b"\n\n"):
        if not block:
            continue
        lines = block.decode().split("\n")
        name = lines[0].removeprefix("event: ") if lines[0].startswith("event: ") else None
        found.append((name, json.loads(lines[-1].removeprefix("data: "))))
    return found


def test_openai_reasoning_chunks_and_usage() -> None:
    wire, job = WIRES["openai"], _job(include_usage=True, reasoning_tokens=2, output_tokens=3)
    head = b'data: {"id":"id1","object":"chat.completion.chunk","created":1700000000,"model":"m",'
    head += b'"system_fingerprint":null,"choices":[{"index":0,"delta":'
    expected = head + b'{"reasoning_content":" Hm"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'
    assert wire.thought(job, 0, " Hm") == expected
    assert wire.thinking_done(job) == b""
    usage = json.loads(wire.closing(job).split(b"\n\n")[1].removeprefix(b"data: "))["usage"]
    assert usage == {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "total_tokens": 15,
        "completion_tokens_details": {"reasoning_tokens": 2},
    }
    message = wire.complete(job, "Answer", "Thinking")["choices"][0]["message"]
    assert message == {"role": "assistant", "content": "Answer", "refusal": None, "reasoning_content": "Thinking"}
    assert "reasoning_content" not in wire.complete(_job(), "Answer", "")["choices"][0]["message"]


def test_openai_cached_tokens_are_part_of_the_prompt() -> None:
    job = _job(prompt_tokens=2000, cached_tokens=1920, report_cache=True)
    usage = WIRES["openai"].complete(job, "x", "")["usage"]
    assert usage == {
        "prompt_tokens": 2000,
        "completion_tokens": 3,
        "total_tokens": 2003,
        "prompt_tokens_details": {"cached_tokens": 1920},
    }


def test_anthropic_thinking_block_comes_first() -> None:
    wire, job = WIRES["anthropic"], _job(reasoning_tokens=2, output_tokens=2)
    stream = wire.opening(job) + wire.thought(job, 0, "Let") + wire.thought(job, 1, " me") + wire.thinking_done(job)
    stream += wire.token(job, 0, "Hi") + wire.token(job, 1, "!") + wire.closing(job)
    events = _events(stream)
    assert all(name == data["type"] for name, data in events)
    sign = signature("id1")
    assert [data for _, data in events[1:]] == [
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
        {"type": "ping"},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Let"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": " me"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": sign}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "!"}},
        {"type": "content_block_stop", "index": 1},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
            "usage": {"output_tokens": 4},
        },
        {"type": "message_stop"},
    ]
    whole = wire.complete(job, "Hi!", "Let me")
    assert whole["content"] == [
        {"type": "thinking", "thinking": "Let me", "signature": sign},
        {"type": "text", "text": "Hi!"},
    ]
    assert whole["usage"] == {"input_tokens": 10, "output_tokens": 4}


def test_anthropic_input_tokens_leave_out_cache_reads() -> None:
    wire, job = WIRES["anthropic"], _job(prompt_tokens=2000, cached_tokens=1920, report_cache=True)
    usage = {"input_tokens": 80, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1920}
    assert wire.complete(job, "x", "")["usage"] == {**usage, "output_tokens": 3}
    assert _events(wire.opening(job))[0][1]["message"]["usage"] == {**usage, "output_tokens": 1}


def test_gemini_thoughts_are_parts_marked_thought() -> None:
    wire, job = WIRES["gemini"], _job(reasoning_tokens=2, output_tokens=2, prompt_tokens=10, cached_tokens=0)
    [(_, thought)] = _events(wire.thought(job, 1, " me"))
    assert thought["candidates"][0]["content"]["parts"] == [{"text": " me", "thought": True}]
    assert thought["usageMetadata"] == {
        "promptTokenCount": 10,
        "candidatesTokenCount": 0,
        "thoughtsTokenCount": 2,
        "totalTokenCount": 12,
    }
    [(_, last)] = _events(wire.token(job, 1, "!"))
    assert last["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert last["usageMetadata"] == {
        "promptTokenCount": 10,
        "candidatesTokenCount": 2,  # the answer only
        "thoughtsTokenCount": 2,
        "totalTokenCount": 14,  # prompt + answer + thoughts
    }
    whole = wire.complete(job, "Hi!", "Let me")
    assert whole["candidates"][0]["content"]["parts"] == [{"text": "Let me", "thought": True}, {"text": "Hi!"}]


def test_gemini_reports_cached_content_only_when_there_is_some() -> None:
    wire = WIRES["gemini"]
    cached = wire.complete(_job(prompt_tokens=2000, cached_tokens=1920, report_cache=True), "x", "")
    assert cached["usageMetadata"] == {
        "promptTokenCount": 2000,  # includes the cached part
        "cachedContentTokenCount": 1920,
        "candidatesTokenCount": 3,
        "totalTokenCount": 2003,
    }
    missed = wire.complete(_job(report_cache=True), "x", "")
    assert "cachedContentTokenCount" not in missed["usageMetadata"]


def test_count_requests_and_answers() -> None:
    openai, anthropic, gemini = WIRES["openai"], WIRES["anthropic"], WIRES["gemini"]
    body = {"model": "gpt-4o", "input": "Hi", "instructions": "Be brief."}
    assert openai.parse_count(body, None) == Counting("gpt-4o", body, "openai-responses")
    assert openai.parse_count({"input": "Hi"}, None).model is None
    assert openai.counted(7) == {"object": "response.input_tokens", "input_tokens": 7}
    claude = {"model": "c", "messages": [{"role": "user", "content": "Hi"}]}  # no max_tokens needed
    assert anthropic.parse_count(claude, None) == Counting("c", claude, "anthropic")
    assert anthropic.counted(7) == {"input_tokens": 7}
    contents = {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}
    assert gemini.parse_count(contents, "g") == Counting("g", contents, "gemini")
    inner: dict[str, Any] = {"model": "models/g", **contents}
    wrapped = {"generateContentRequest": inner, "contents": [{"parts": []}]}  # the wrapper wins
    assert gemini.parse_count(wrapped, "g") == Counting("g", inner, "gemini")
    assert gemini.counted(7) == {"totalTokens": 7}


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("openai", {"model": 3, "input": "x"}, "model: expected a model name (string)"),
        ("openai", {"input": 3}, "input: expected a string or a list of input items"),
        ("anthropic", {"messages": [{"role": "user", "content": "x"}]}, "model: a model name (string) is required"),
        ("anthropic", {"model": "c", "messages": []}, "messages: a non-empty list is required"),
        ("gemini", {}, "contents: a non-empty list of contents is required"),
        ("gemini", {"generateContentRequest": []}, "generateContentRequest: expected an object"),
        ("gemini", {"generateContentRequest": {"contents": [{"text": "x"}]}}, "contents[0]: expected an object"),
    ],
)
def test_count_requests_are_checked(name: str, body: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequest) as info:
        WIRES[name].parse_count(body, "g")
    assert info.value.message.startswith(message)
