"""Anthropic Messages API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from llmprof.bench.providers import (
    Ask,
    HttpRequest,
    Update,
    UsageReport,
    as_list,
    as_object,
    count,
    error_text,
    join,
    load_json,
    optional_object,
    text_field,
    total,
)
from llmprof.bench.sse import Event

API_VERSION = "2023-06-01"


class Anthropic:
    name = "anthropic"
    key_env = "ANTHROPIC_API_KEY"

    def request(self, ask: Ask) -> HttpRequest:
        body: dict[str, Any] = {
            "model": ask.model,
            "max_tokens": ask.max_tokens,
            "messages": [{"role": "user", "content": ask.prompt}],
        }
        if ask.stream:
            body["stream"] = True
        headers = {"anthropic-version": API_VERSION}
        if ask.key:
            headers["x-api-key"] = ask.key
        path = urlsplit(ask.url).path.rstrip("/")
        url = ask.url if path.endswith("/messages") else join(ask.url, "/messages" if path else "/v1/messages")
        return HttpRequest(url, headers, body)

    def parse_event(self, event: Event) -> Update:
        data = as_object(load_json(event.data), "the event")
        kind = data.get("type", event.event)
        if kind == "content_block_delta":
            delta = optional_object(data, "delta", "delta")
            text = text_field(delta, "text", "delta.text")
            thinking = text_field(delta, "thinking", "delta.thinking")
            tool = text_field(delta, "partial_json", "delta.partial_json")
            return Update(
                text=text,
                reasoning_text=thinking,
                generated=bool(text or thinking or tool),
                answer=bool(text or tool),
            )
        if kind == "message_start":
            message = optional_object(data, "message", "message")
            return Update(usage=_usage(message.get("usage"), "message.usage"))
        if kind == "message_delta":
            delta = optional_object(data, "delta", "delta")
            return Update(usage=_usage(data.get("usage"), "usage"), finish=_finish(delta))
        if kind == "message_stop":
            return Update(done=True)
        if kind == "error":
            return Update(error=error_text(data))
        return Update()  # ping, content_block_start/stop

    def parse_body(self, body: Any) -> Update:
        body = as_object(body, "the response")
        if body.get("type") == "error":
            return Update(error=error_text(body))
        update = Update(usage=_usage(body.get("usage"), "usage"), done=True, finish=_finish(body))
        for index, block in enumerate(as_list(body.get("content"), "content")):
            block = as_object(block, f"content[{index}]")
            update.text += text_field(block, "text", f"content[{index}].text")
            update.reasoning_text += text_field(block, "thinking", f"content[{index}].thinking")
            update.answer |= block.get("type") in ("text", "tool_use")
        update.generated = bool(update.text or update.reasoning_text or update.answer)
        return update


def _finish(parent: dict[str, Any]) -> str | None:
    reason = text_field(parent, "stop_reason", "stop_reason")
    return {"max_tokens": "length", "end_turn": "stop", "stop_sequence": "stop"}.get(reason, reason or None)


def _usage(raw: Any, what: str) -> UsageReport | None:
    """Anthropic counts cache reads and writes apart from ``input_tokens``: llmprof's input is their sum."""
    if raw is None:
        return None
    usage = as_object(raw, what)
    uncached = count(usage, "input_tokens", f"{what}.input_tokens")
    read = count(usage, "cache_read_input_tokens", f"{what}.cache_read_input_tokens")
    written = count(usage, "cache_creation_input_tokens", f"{what}.cache_creation_input_tokens")
    return UsageReport(
        input_tokens=total(uncached, read, written) if uncached is not None else None,
        output_tokens=count(usage, "output_tokens", f"{what}.output_tokens"),
        cached_input_tokens=read,
        cache_write_tokens=written,
    )
