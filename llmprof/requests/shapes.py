"""Detecting a request body's API shape and reading it with that shape's reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmprof.errors import InputError
from llmprof.requests.anthropic import AnthropicReader
from llmprof.requests.gemini import GeminiReader
from llmprof.requests.model import Request, Shape, text_request
from llmprof.requests.openai import OpenAIReader


class _Reader(OpenAIReader, AnthropicReader, GeminiReader):
    """Reads one body into a Request, naming every uncounted part with where it is."""


def messages_request(messages: list[Any], where: str, model: str | None = None) -> Request:
    """A bare list of chat messages (OpenAI's shape unless its blocks are Anthropic's)."""
    shape: Shape = "anthropic" if _anthropic_blocks(messages) else "openai-chat"
    return parse({"messages": messages, **({"model": model} if model else {})}, where, shape)


def parse(document: Any, where: str, shape: str = "auto", base: Path | None = None) -> Request:
    """Read one request body. ``base`` is where local image paths are resolved from."""
    if isinstance(document, str):
        return text_request(document, where)
    if isinstance(document, list):
        if not document or not all(isinstance(m, dict) for m in document):
            raise _not_a_request(where)
        return messages_request(document, where)
    if not isinstance(document, dict):
        raise _not_a_request(where)
    body = document
    if isinstance(document.get("body"), dict) and set(document) <= {"custom_id", "method", "url", "body"}:  # batch line
        body = document["body"]
        if not isinstance(body, dict):
            raise InputError(f"{where}: body: expected an object")
        if shape == "auto" and str(document.get("url", "")).endswith("/responses"):
            shape = "openai-responses"
    chosen = detect(body) if shape == "auto" else shape
    if chosen is None:
        raise _not_a_request(where)
    reader = _Reader(where, base)
    request = Request(where=where, shape=chosen)  # type: ignore[arg-type]
    model = body.get("model")
    request.model = model if isinstance(model, str) and model else None
    {
        "openai-chat": reader.openai_chat,
        "openai-responses": reader.openai_responses,
        "anthropic": reader.anthropic,
        "gemini": reader.gemini,
        "text": reader.text,
    }[chosen](body, request)
    return request


def detect(body: dict[str, Any]) -> Shape | None:
    """The API shape of a request body, from what it contains."""
    if isinstance(body.get("contents"), list) or any(k in body for k in ("systemInstruction", "system_instruction")):
        return "gemini"
    if isinstance(body.get("messages"), list):
        model = str(body.get("model") or "").lower()
        if "system" in body or "claude" in model or _anthropic_blocks(body["messages"]):
            return "anthropic"
        return "openai-chat"
    if "input" in body or "instructions" in body:
        return "openai-responses"
    if isinstance(body.get("prompt"), str):
        return "text"
    return None


def _anthropic_blocks(messages: list[Any]) -> bool:
    """Content blocks only Anthropic's API has (an image with a ``source`` is Anthropic's too)."""
    kinds = {"tool_use", "tool_result", "document", "thinking", "redacted_thinking", "search_result"}
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and (
                block.get("type") in kinds or (block.get("type") == "image" and "source" in block)
            ):
                return True
    return False


def _not_a_request(where: str) -> InputError:
    return InputError(
        f"{where}: not a request shape llmprof knows",
        "expected an OpenAI chat or Responses body, an Anthropic Messages body, a Gemini generateContent "
        'body, an OpenAI batch line {"custom_id", "body"}, a list of messages, or {"prompt": "..."}; '
        "or pass --format-in text.",
    )
