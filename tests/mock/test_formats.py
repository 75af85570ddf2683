"""The wire formats without HTTP: request parsing, prompt counting, and exact event bytes."""

from __future__ import annotations

import json

import pytest

from llmprof.mock.formats import BadRequest, Generation, Template, load_body, sse, wires

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
