"""The official SDKs, unchanged, against the mock: the real test of its wire formats."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anthropic
import openai
import pytest

from llmprof.mock.server import MockProcess
from llmprof.tokens import count_messages, count_text
from tests.mock.conftest import estimated

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "You are a latency expert."},
    {"role": "user", "content": "Why does output length drive latency? 東京."},
]


def _openai(mock: MockProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="sk-test", max_retries=0)


@pytest.mark.parametrize(("model", "encoding"), [("gpt-4o-mini", "o200k_base"), ("gpt-4", "cl100k_base")])
def test_openai_sdk_whole(mock: MockProcess, model: str, encoding: str) -> None:
    with _openai(mock) as client:
        completion = client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=11)
    assert completion.object == "chat.completion"
    assert completion.choices[0].finish_reason == "length"
    text = completion.choices[0].message.content or ""
    assert count_text(text, encoding) == 11
    assert completion.usage is not None
    assert completion.usage.completion_tokens == 11
    assert completion.usage.prompt_tokens == count_messages(MESSAGES, encoding)
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 11


def test_openai_sdk_stream_with_usage(mock: MockProcess) -> None:
    with _openai(mock) as client:
        stream = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=MESSAGES,
            max_tokens=15,
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert count_text(text, "o200k_base") == 15
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    usage = chunks[-1].usage
    assert usage is not None and chunks[-1].choices == []
    assert usage.completion_tokens == 15
    assert usage.prompt_tokens == count_messages(MESSAGES, "o200k_base")


def test_openai_sdk_lists_models(mock: MockProcess) -> None:
    with _openai(mock) as client:
        assert "mock-model" in [m.id for m in client.models.list()]


def test_openai_sdk_raises_rate_limit_error(limited_mock: MockProcess) -> None:
    with _openai(limited_mock) as client, pytest.raises(openai.RateLimitError) as info:
        for _ in range(2):  # the first may use the one request per minute
            client.chat.completions.create(model="m", messages=MESSAGES, max_tokens=1)
    assert info.value.status_code == 429
    assert info.value.code == "rate_limit_exceeded"
    assert int(info.value.response.headers["retry-after"]) >= 1


CLAUDE_MESSAGES = [{"role": "user", "content": [{"type": "text", "text": "Why is TTFT not e2e?"}]}]
SYSTEM = "Answer in one line."
FRAMED = [{"role": "system", "content": SYSTEM}, *CLAUDE_MESSAGES]


def _anthropic(mock: MockProcess) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key="test", max_retries=0)


def test_anthropic_sdk_whole(mock: MockProcess) -> None:
    with _anthropic(mock) as client:
        message = client.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=13,
            system=SYSTEM,
            messages=CLAUDE_MESSAGES,  # type: ignore[arg-type]
        )
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 13
    body = {"model": "claude-sonnet-5-5", "system": SYSTEM, "messages": CLAUDE_MESSAGES}
    assert message.usage.input_tokens == estimated(body, "anthropic")
    text = "".join(block.text for block in message.content if block.type == "text")
    assert count_text(text, "o200k_base") == 13


def test_anthropic_sdk_stream(mock: MockProcess) -> None:
    with (
        _anthropic(mock) as client,
        client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=21,
            system=SYSTEM,
            messages=CLAUDE_MESSAGES,  # type: ignore[arg-type]
        ) as stream,
    ):
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert final.usage.output_tokens == 21
    body = {"model": "claude-sonnet-5-5", "system": SYSTEM, "messages": CLAUDE_MESSAGES}
    assert final.usage.input_tokens == estimated(body, "anthropic")
    assert final.stop_reason == "max_tokens"
    [block] = final.content
    assert block.type == "text" and block.text == streamed
    assert count_text(streamed, "o200k_base") == 21


def test_anthropic_sdk_raises_rate_limit_error(limited_mock: MockProcess) -> None:
    with _anthropic(limited_mock) as client, pytest.raises(anthropic.RateLimitError) as info:
        for _ in range(2):
            client.messages.create(model="c", max_tokens=1, messages=CLAUDE_MESSAGES)  # type: ignore[arg-type]
    assert info.value.status_code == 429


# -- token counting ------------------------------------------------------------------------------


def test_anthropic_sdk_counts_tokens(mock: MockProcess) -> None:
    tool = {"name": "clock", "description": "Read the time.", "input_schema": {"type": "object"}}
    with _anthropic(mock) as client:
        counted = client.messages.count_tokens(
            model="claude-sonnet-5-5",
            system=SYSTEM,
            messages=CLAUDE_MESSAGES,  # type: ignore[arg-type]
            tools=[tool],  # type: ignore[list-item]
        )
    body = {"model": "claude-sonnet-5-5", "system": SYSTEM, "messages": CLAUDE_MESSAGES, "tools": [tool]}
    assert counted.input_tokens == estimated(body, "anthropic")


def test_openai_sdk_counts_responses_input_tokens(mock: MockProcess) -> None:
    with _openai(mock) as client:
        counted = client.responses.input_tokens.count(
            model="gpt-4o", instructions="Be exact.", input="How long is a token?"
        )
    assert counted.object == "response.input_tokens"
    body = {"model": "gpt-4o", "instructions": "Be exact.", "input": "How long is a token?"}
    assert counted.input_tokens == estimated(body, "openai-responses")


# -- reasoning and the prompt cache (dropin_mock: 4 reasoning tokens, prompt cache on) ------------

LONG = " hello" * 1998  # after the role and a one-token marker: a 2,000-token shared prefix


def test_openai_sdk_reads_reasoning_and_cached_tokens(dropin_mock: MockProcess) -> None:
    def ask(client: openai.OpenAI, question: str) -> openai.types.chat.ChatCompletion:
        return client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "openai" + LONG + question}], max_tokens=5
        )

    with _openai(dropin_mock) as client:
        first = ask(client, " first?")
        second = ask(client, " second?")
        stream = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Think first."}],
            max_tokens=2,
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(stream)
    for completion in (first, second):
        usage = completion.usage
        assert usage is not None and usage.completion_tokens == 9  # 4 reasoning + 5 answer
        assert usage.completion_tokens_details is not None
        assert usage.completion_tokens_details.reasoning_tokens == 4
        message = completion.choices[0].message
        assert count_text(message.content or "", "o200k_base") == 5
        assert count_text((message.model_extra or {})["reasoning_content"], "o200k_base") == 4
    assert first.usage is not None and first.usage.prompt_tokens_details is not None
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    assert second.usage is not None and second.usage.prompt_tokens_details is not None
    assert second.usage.prompt_tokens_details.cached_tokens == 1920  # 15 whole blocks of 128
    reasoning = [(c.choices[0].delta.model_extra or {}).get("reasoning_content") for c in chunks if c.choices]
    assert sum(1 for r in reasoning if r) == 4
    final = chunks[-1].usage
    assert final is not None and final.completion_tokens_details is not None
    assert final.completion_tokens_details.reasoning_tokens == 4


def test_anthropic_sdk_sees_a_thinking_block(dropin_mock: MockProcess) -> None:
    with _anthropic(dropin_mock) as client:
        message = client.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=3,
            messages=CLAUDE_MESSAGES,  # type: ignore[arg-type]
        )
        with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=3,
            messages=CLAUDE_MESSAGES,  # type: ignore[arg-type]
        ) as stream:
            kinds = [event.type for event in stream]
            final = stream.get_final_message()
    for reply in (message, final):
        thinking, text = reply.content
        assert isinstance(thinking, anthropic.types.ThinkingBlock) and thinking.signature
        assert count_text(thinking.thinking, "o200k_base") == 4
        assert isinstance(text, anthropic.types.TextBlock) and count_text(text.text, "o200k_base") == 3
        assert reply.usage.output_tokens == 7  # thinking counts as output
    assert kinds.count("thinking") == 4 and kinds.count("signature") == 1 and kinds.count("text") == 3


def test_anthropic_sdk_reads_cache_reads(dropin_mock: MockProcess) -> None:
    def body(question: str) -> list[dict[str, str]]:
        return [{"role": "user", "content": "anthropic" + LONG + question}]

    with _anthropic(dropin_mock) as client:
        replies = [
            client.messages.create(model="claude-sonnet-5-5", max_tokens=1, messages=body(q))  # type: ignore[arg-type]
            for q in (" first?", " second?")
        ]
        whole = client.messages.count_tokens(model="claude-sonnet-5-5", messages=body(" second?"))  # type: ignore[arg-type]
    first, second = (reply.usage for reply in replies)
    assert (first.cache_read_input_tokens, first.cache_creation_input_tokens) == (0, 0)
    assert second.cache_read_input_tokens == 1920
    assert second.input_tokens == whole.input_tokens - 1920  # Anthropic's input_tokens leaves out cache reads
