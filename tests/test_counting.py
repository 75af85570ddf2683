"""Counting a whole request, part by part, against the providers' published worked examples."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from llmprof.counting import count_request
from llmprof.images import Size
from llmprof.pricing import PriceTable, load_table
from llmprof.requests import parse
from llmprof.tokens import count_text
from tests.test_images import png

TABLE: PriceTable = load_table()

# The OpenAI cookbook, "How to count tokens with tiktoken", section 7, "Counting tokens for chat
# completions with tool calls": its example counts 101 prompt tokens on gpt-4o and gpt-4o-mini and
# 105 on gpt-4 and gpt-3.5-turbo, "verified" against response.usage.prompt_tokens.
COOKBOOK_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                    "unit": {
                        "type": "string",
                        "description": "The unit of temperature to return",
                        "enum": ["celsius", "fahrenheit"],
                    },
                },
                "required": ["location"],
            },
        },
    }
]
COOKBOOK_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


@pytest.mark.parametrize(
    ("model", "messages", "tools", "total"),
    [("gpt-4o", 33, 68, 101), ("gpt-4o-mini", 33, 68, 101), ("gpt-4", 34, 71, 105), ("gpt-3.5-turbo", 34, 71, 105)],
)
def test_the_cookbook_tool_example(model: str, messages: int, tools: int, total: int) -> None:
    request = parse({"model": model, "messages": COOKBOOK_MESSAGES, "tools": COOKBOOK_TOOLS}, "example")
    counted = count_request(request, TABLE.resolve(model))
    assert counted.parts["text"].tokens + counted.parts["framing"].tokens == messages
    assert counted.parts["tools"].tokens == tools
    assert counted.total == total and counted.count == "exact"


def test_the_same_request_as_a_batch_line_counts_the_same() -> None:
    line = {"custom_id": "1", "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o", "messages": COOKBOOK_MESSAGES, "tools": COOKBOOK_TOOLS}}  # fmt: skip
    assert count_request(parse(line, "line"), TABLE.resolve("gpt-4o")).total == 101


def test_nested_parameters_are_counted_at_their_top_level_and_labelled() -> None:
    tools = [{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object",
             "properties": {"filter": {"type": "object", "description": "x", "properties": {"a": {"type": "string"}}}}}}}]  # fmt: skip
    counted = count_request(parse({"messages": COOKBOOK_MESSAGES, "tools": tools}, "r"), TABLE.resolve("gpt-4o"))
    assert counted.parts["tools"].count == "approx" and counted.count == "approx"
    assert "nested parameters" in counted.parts["tools"].notes[0]


def test_tool_calls_and_results_are_counted_and_labelled() -> None:
    messages = [
        *COOKBOOK_MESSAGES,
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
         "function": {"name": "get_current_weather", "arguments": '{"location": "San Francisco, CA"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temperature": 14, "unit": "celsius"}'},
    ]  # fmt: skip
    counted = count_request(parse({"messages": messages}, "r"), TABLE.resolve("gpt-4o"))
    # no published rule: the call's name and arguments and the result's id, as text (litellm's habit)
    calls = ["get_current_weather", '{"location": "San Francisco, CA"}', "call_1"]
    assert counted.parts["tool_calls"].tokens == sum(count_text(t, "o200k_base") for t in calls)
    assert counted.parts["tool_calls"].count == "approx" and counted.count == "approx"
    assert counted.parts["framing"].tokens == 3 * 4 + 3


def _image_part(width: int, height: int, detail: str) -> dict[str, Any]:
    url = "data:image/png;base64," + base64.b64encode(png(width, height)).decode()
    return {"type": "image_url", "image_url": {"url": url, "detail": detail}}


@pytest.mark.parametrize(
    ("model", "detail", "tokens", "label"),
    [
        ("gpt-4o", "high", 765, "exact"),  # 170 x 4 + 85
        ("gpt-4o", "low", 85, "exact"),
        ("gpt-4o", "auto", 765, "approx"),  # auto is not documented: priced as high
        ("gpt-4o-mini", "high", 2833 + 4 * 5667, "exact"),
        ("gpt-4.1-mini", "high", 1659, "exact"),  # 1,024 patches x 1.62, rounded up
        ("claude-sonnet-4-5", "high", 1369, "exact"),  # ceil(1024/28)^2 = 37^2, within 1568
        ("gemini-2.5-flash", "high", 4 * 258, "approx"),  # crop unit 682: 2 x 2 tiles
    ],
)
def test_images_by_each_providers_rule(model: str, detail: str, tokens: int, label: str) -> None:
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "What is this?"}, _image_part(1024, 1024, detail)]}
    ]
    counted = count_request(parse({"messages": messages}, "r"), TABLE.resolve(model))
    assert (counted.parts["images"].tokens, counted.parts["images"].count) == (tokens, label)


def test_a_remote_image_is_a_lower_bound_unless_its_size_is_given() -> None:
    part = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "high"}}
    request = parse({"messages": [{"role": "user", "content": [part]}]}, "r")
    unknown = count_request(request, TABLE.resolve("gpt-4o"))
    assert unknown.count == "lower-bound" and "images" not in unknown.parts
    assert unknown.uncounted == ["messages[0].content[0]: a remote image (pass --image-size WxH to count it)"]
    sized = count_request(request, TABLE.resolve("gpt-4o"), Size(1024, 1024))
    assert (sized.parts["images"].tokens, sized.parts["images"].count, sized.uncounted) == (765, "approx", [])


def test_a_response_schema_is_counted_and_labelled() -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    body = {
        "messages": COOKBOOK_MESSAGES,
        "response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
    }
    counted = count_request(parse(body, "r"), TABLE.resolve("gpt-4o"))
    assert counted.parts["schema"].tokens > 10 and counted.parts["schema"].count == "approx"


def test_claude_tools_add_the_documented_system_prompt() -> None:
    tools = [{"name": "get_weather", "description": "Get the weather", "input_schema": {"type": "object"}}]
    base = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
        "tools": tools,
    }
    auto = count_request(parse(base, "r"), TABLE.resolve("claude-sonnet-4-5"))
    forced = count_request(parse({**base, "tool_choice": {"type": "any"}}, "r"), TABLE.resolve("claude-sonnet-4-5"))
    definitions = auto.parts["tools"].tokens - 496  # Sonnet 4.5: 496 (auto, none) / 588 (any, tool)
    assert forced.parts["tools"].tokens == definitions + 588 and definitions > 10
    assert auto.parts["tools"].count == "approx"


@pytest.mark.parametrize(
    ("body", "uncounted"),
    [
        ({"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "AA==", "format": "wav"}}]}]},
         "messages[0].content[0]: audio input (billed at audio rates)"),
        ({"messages": [{"role": "user", "content": [{"type": "file", "file": {"file_id": "f"}}]}]},
         "messages[0].content[0]: a file (its pages or text are billed as input)"),
        ({"input": "hi", "previous_response_id": "resp_1"},
         "previous_response_id: the earlier conversation it continues (billed as input, not in this body)"),
        ({"contents": [{"parts": [{"text": "hi"}]}], "cachedContent": "cachedContents/abc"},
         "cachedContent: cached content (billed at the cache rate, not in this body)"),
        ({"messages": [{"role": "user", "content": "hi"}], "frobnicate": {"x": 1}},
         "frobnicate: not a field llmprof knows; if it is billed, it is not counted"),
        ({"model": "claude-x", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}],
          "tools": [{"type": "web_search_20250305", "name": "web_search"}]},
         "tools[0]: server tool 'web_search_20250305' (its definition and use are billed)"),
    ],
)  # fmt: skip
def test_billed_but_uncounted_parts_make_a_lower_bound(body: dict[str, Any], uncounted: str) -> None:
    counted = count_request(parse(body, "r"), TABLE.resolve("gpt-4o"))
    assert counted.count == "lower-bound" and counted.uncounted == [uncounted]


def test_every_shape_of_the_same_conversation_counts_its_text() -> None:
    shapes = {
        "openai-chat": {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]},
        "openai-responses": {"instructions": "Be brief.", "input": "Hello there"},
        "anthropic": {"system": "Be brief.", "max_tokens": 9, "messages": [{"role": "user", "content": "Hello there"}]},
        "gemini": {"systemInstruction": {"parts": [{"text": "Be brief."}]}, "contents": [{"role": "user", "parts": [{"text": "Hello there"}]}]},
    }  # fmt: skip
    texts = {}
    for shape, body in shapes.items():
        request = parse(body, shape)
        assert request.shape == shape and request.messages == 2
        texts[shape] = [t for t in request.texts if t not in ("system", "developer", "user")]
    assert all(found == ["Be brief.", "Hello there"] for found in texts.values()), texts


def test_shapes_are_detected_by_content() -> None:
    assert (
        parse({"messages": [{"role": "user", "content": "x"}], "model": "claude-haiku-4-5"}, "r").shape == "anthropic"
    )
    assert parse([{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t"}]}], "r").shape == "anthropic"
    assert parse({"model": "gpt-4o", "input": [{"role": "user", "content": "x"}]}, "r").shape == "openai-responses"
    line = {"custom_id": "1", "url": "/v1/responses", "body": {"model": "gpt-4o", "input": "x"}}
    assert parse(line, "r").shape == "openai-responses"
    assert parse({"prompt": "x"}, "r").shape == "text" and parse("x", "r").shape == "text"
    forced = parse({"messages": [{"role": "user", "content": "x"}]}, "r", shape="anthropic")
    assert forced.shape == "anthropic"


def test_reasoning_settings_are_read_from_each_shape() -> None:
    anthropic = parse({"max_tokens": 9000, "thinking": {"type": "enabled", "budget_tokens": 4000},
                       "messages": [{"role": "user", "content": "x"}], "system": "s"}, "r")  # fmt: skip
    gemini = parse({"contents": [{"parts": [{"text": "x"}]}],
                    "generationConfig": {"thinkingConfig": {"thinkingBudget": 2048}, "candidateCount": 2}}, "r")  # fmt: skip
    openai = parse({"messages": [{"role": "user", "content": "x"}], "reasoning_effort": "high", "n": 3}, "r")
    assert (anthropic.reasoning_budget, anthropic.max_output) == (4000, 9000)
    assert (gemini.reasoning_budget, gemini.choices) == (2048, 2)
    assert (openai.reasoning_effort, openai.reasoning_budget, openai.choices) == ("high", None, 3)
    assert (anthropic.reasoning, gemini.reasoning, openai.reasoning) == (True, True, True)


@pytest.mark.parametrize(
    ("body", "model", "expected"),
    [
        ({"messages": [{"role": "user", "content": "x"}]}, "gpt-4o", (0, "none")),
        ({"messages": [{"role": "user", "content": "x"}]}, "o3", (0, "unknown")),
        ({"messages": [{"role": "user", "content": "x"}], "reasoning_effort": "none"}, "gpt-5.1", (0, "off")),
        ({"input": "x", "reasoning": {"effort": "none"}}, "gpt-5.1", (0, "off")),
        ({"input": "x", "reasoning": {"effort": "low"}}, "gpt-5.1", (0, "unknown")),
        # Claude: no thinking unless the request enables it; a budget is a cap on what it uses
        ({"max_tokens": 10, "messages": [{"role": "user", "content": "x"}], "system": "s"}, "claude-sonnet-4-5",
         (0, "off")),
        ({"max_tokens": 9000, "thinking": {"type": "enabled", "budget_tokens": 4000}, "system": "s",
          "messages": [{"role": "user", "content": "x"}]}, "claude-sonnet-4-5", (4000, "budget")),
        ({"max_tokens": 9000, "thinking": {"type": "adaptive"}, "system": "s",
          "messages": [{"role": "user", "content": "x"}]}, "claude-sonnet-4-5", (0, "unknown")),
        ("plain text", "claude-sonnet-4-5", (0, "default-off")),
        ("plain text", "gemini-2.5-flash-lite", (0, "default-off")),
        # Gemini: thinkingBudget 0 turns it off, -1 is dynamic (unknown), N is a cap
        ({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": {"thinkingBudget": 0}}},
         "gemini-2.5-flash", (0, "off")),
        ({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": {"thinkingBudget": -1}}},
         "gemini-2.5-flash", (0, "unknown")),
        ({"contents": [{"parts": [{"text": "x"}]}],
          "generationConfig": {"thinkingConfig": {"thinkingLevel": "low"}}}, "gemini-3-flash-preview", (0, "unknown")),
        ({"contents": [{"parts": [{"text": "x"}]}],
          "generationConfig": {"thinkingConfig": {"thinkingBudget": 512}}}, "gemini-2.5-flash-lite", (512, "budget")),
    ],
)  # fmt: skip
def test_how_much_a_request_reasons(body: Any, model: str, expected: tuple[int, str]) -> None:
    from llmprof.estimate import reasoning_for
    from llmprof.pricing import load_table

    assert reasoning_for(load_table().resolve(model), parse(body, "r"), None) == expected
    # --reasoning-tokens is an assumption for every model that reasons, and nothing for one that cannot
    assumed = reasoning_for(load_table().resolve(model), parse(body, "r"), 700)
    assert assumed == ((0, "none") if expected[1] == "none" else (700, "assumed"))


def test_text_counts_are_unchanged_for_plain_chat() -> None:
    """No regression: plain chat still counts as the cookbook's framing says (3/message, +1/name, +3)."""
    messages = [{"role": "user", "content": "hi", "name": "bob"}]
    counted = count_request(parse(messages, "r"), TABLE.resolve("gpt-4o"))
    assert counted.parts["framing"].tokens == 3 + 1 + 3 and counted.count == "exact"
    assert json.dumps(messages)  # the request itself is untouched
