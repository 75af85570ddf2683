"""Each provider against the exact bytes its API sends (shapes from the providers' documentation)."""

from __future__ import annotations

import json

import pytest

from llmprof.bench.providers import Ask, MalformedEvent, UsageReport, get
from llmprof.bench.sse import Event, SSEParser


def _events(raw: str) -> list[Event]:
    parser = SSEParser()
    return parser.feed(raw.encode()) + parser.close()


def test_openai_request_shapes() -> None:
    openai = get("openai")
    local = openai.request(Ask("http://127.0.0.1:8000/v1", "m", "hi", 26, True, True, None))
    assert local.url == "http://127.0.0.1:8000/v1/chat/completions"
    assert local.headers == {}
    assert local.body == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 26,
        "ignore_eos": True,
        "min_tokens": 26,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    official = openai.request(Ask("https://api.openai.com/v1", "gpt-4o", "hi", 5, False, False, "sk-x"))
    assert official.headers == {"Authorization": "Bearer sk-x"}
    assert official.body == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "max_completion_tokens": 5,
    }
    assert openai.request(Ask("http://h:1", "m", "x", 1, False, False, None)).url == "http://h:1/v1/chat/completions"


def test_openai_stream_role_chunk_is_not_content() -> None:
    openai = get("openai")

    def chunk(delta: dict[str, str]) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": None}
        return json.dumps({"id": "c", "object": "chat.completion.chunk", "choices": [choice]})

    raw = (
        f"data: {chunk({'role': 'assistant', 'content': ''})}\n\n"
        f"data: {chunk({'content': ' hello'})}\n\n"
        f"data: {chunk({'content': ' world'})}\n\n"
        'data: {"id": "c", "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}}\n\n'
        "data: [DONE]\n\n"
    )
    updates = [openai.parse_event(e) for e in _events(raw)]
    assert [u.generated for u in updates] == [False, True, True, False, False]
    assert "".join(u.text for u in updates) == " hello world"
    assert updates[3].usage == UsageReport(input_tokens=12, output_tokens=2)
    assert updates[4].done


def test_openai_error_and_malformed() -> None:
    openai = get("openai")
    assert (
        openai.parse_event(Event('{"error": {"message": "overloaded", "type": "server_error"}}')).error == "overloaded"
    )
    with pytest.raises(MalformedEvent):
        openai.parse_event(Event('{"choices": ['))


def test_anthropic_stream() -> None:
    anthropic = get("anthropic")
    request = anthropic.request(Ask("https://api.anthropic.com", "claude-haiku-4-5", "hi", 3, True, False, "k"))
    assert request.url == "https://api.anthropic.com/v1/messages"
    assert request.headers == {"anthropic-version": "2023-06-01", "x-api-key": "k"}
    raw = (
        'event: message_start\ndata: {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "m", "stop_reason": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}\n\n'
        'event: content_block_start\ndata: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}\n\n'
        'event: ping\ndata: {"type": "ping"}\n\n'
        'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}\n\n'
        'event: content_block_stop\ndata: {"type": "content_block_stop", "index": 0}\n\n'
        'event: message_delta\ndata: {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 3}}\n\n'
        'event: message_stop\ndata: {"type": "message_stop"}\n\n'
    )
    updates = [anthropic.parse_event(e) for e in _events(raw)]
    assert [u.generated for u in updates] == [False, False, False, True, False, False, False]
    assert updates[0].usage == UsageReport(input_tokens=25, output_tokens=1)
    assert updates[5].usage == UsageReport(output_tokens=3) and updates[6].done


def test_gemini_stream_and_key_in_header_not_url() -> None:
    gemini = get("gemini")
    request = gemini.request(Ask("https://generativelanguage.googleapis.com", "gemini-2.5-flash", "hi", 4, key="g-key"))
    assert (
        request.url
        == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    )
    assert "g-key" not in request.url and request.headers == {"x-goog-api-key": "g-key"}
    assert request.body["generationConfig"] == {"maxOutputTokens": 4}
    raw = (
        'data: {"candidates": [{"content": {"parts": [{"text": "Hel"}], "role": "model"}, "index": 0}], "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 1, "totalTokenCount": 10}}\r\n\r\n'
        'data: {"candidates": [{"content": {"parts": [{"text": "lo"}], "role": "model"}, "finishReason": "MAX_TOKENS", "index": 0}], "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 4, "thoughtsTokenCount": 2, "totalTokenCount": 15}}\r\n\r\n'
    )
    first, last = (gemini.parse_event(e) for e in _events(raw))
    assert first.generated and first.text == "Hel" and not first.done
    assert last.done and last.usage == UsageReport(input_tokens=9, output_tokens=6, reasoning_tokens=2)


def test_unknown_provider() -> None:
    with pytest.raises(Exception, match="unknown provider 'azure'"):
        get("azure")
