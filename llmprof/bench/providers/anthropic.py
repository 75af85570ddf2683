"""Anthropic Messages API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from llmprof.bench.providers import Ask, HttpRequest, MalformedEvent, Update, error_text, join, load_json
from llmprof.bench.sse import Event

API_VERSION = "2023-06-01"


class Anthropic:
    name = "anthropic"
    key_env = "ANTHROPIC_API_KEY"
    default_url = "https://api.anthropic.com"

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
        data = load_json(event.data)
        if not isinstance(data, dict):
            raise MalformedEvent("expected a JSON object")
        kind = data.get("type", event.event)
        if kind == "content_block_delta":
            delta = data.get("delta") or {}
            text = delta.get("text") or delta.get("thinking") or ""
            return Update(text=text, generated=bool(text or delta.get("partial_json")))
        if kind == "message_start":
            usage = (data.get("message") or {}).get("usage") or {}
            return Update(input_tokens=usage.get("input_tokens"))
        if kind == "message_delta":
            usage = data.get("usage") or {}
            return Update(output_tokens=usage.get("output_tokens"), input_tokens=usage.get("input_tokens"))
        if kind == "message_stop":
            return Update(done=True)
        if kind == "error":
            return Update(error=error_text(data))
        return Update()  # ping, content_block_start/stop

    def parse_body(self, body: Any) -> Update:
        if not isinstance(body, dict):
            raise MalformedEvent("expected a JSON object")
        if body.get("type") == "error":
            return Update(error=error_text(body))
        content = body.get("content")
        if not isinstance(content, list):
            raise MalformedEvent("response has no 'content' list")
        text = "".join(b.get("text") or b.get("thinking") or "" for b in content if isinstance(b, dict))
        usage = body.get("usage") or {}
        return Update(
            text=text,
            generated=bool(content),
            input_tokens=usage.get("input_tokens"),
            output_tokens=usage.get("output_tokens"),
            done=True,
        )
