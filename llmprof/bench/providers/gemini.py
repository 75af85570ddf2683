"""Google Gemini API (generativelanguage): generateContent and streamGenerateContent?alt=sse."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from llmprof.bench.providers import Ask, HttpRequest, MalformedEvent, Update, error_text, join, load_json
from llmprof.bench.sse import Event


class Gemini:
    name = "gemini"
    key_env = "GEMINI_API_KEY"
    default_url = "https://generativelanguage.googleapis.com"

    def request(self, ask: Ask) -> HttpRequest:
        method = "streamGenerateContent?alt=sse" if ask.stream else "generateContent"
        base = ask.url.rstrip("/")
        prefix = "" if base.endswith(("/v1beta", "/v1")) else "/v1beta"
        url = join(base, f"{prefix}/models/{quote(ask.model, safe='')}:{method}")
        body = {
            "contents": [{"role": "user", "parts": [{"text": ask.prompt}]}],
            "generationConfig": {"maxOutputTokens": ask.max_tokens},
        }
        headers = {"x-goog-api-key": ask.key} if ask.key else {}  # a header, never the ?key= query string
        return HttpRequest(url, headers, body)

    def parse_event(self, event: Event) -> Update:
        return self.parse_body(load_json(event.data))

    def parse_body(self, body: Any) -> Update:
        if isinstance(body, list):  # the non-SSE stream form is a JSON array of responses
            merged = Update()
            for item in body:
                part = self.parse_body(item)
                merged.text += part.text
                merged.generated |= part.generated
                merged.input_tokens = part.input_tokens or merged.input_tokens
                merged.output_tokens = part.output_tokens or merged.output_tokens
            return merged
        if not isinstance(body, dict):
            raise MalformedEvent("expected a JSON object")
        if "error" in body:
            return Update(error=error_text(body))
        update = Update()
        for candidate in body.get("candidates") or []:
            for part in (candidate.get("content") or {}).get("parts") or []:
                text = part.get("text")
                if isinstance(text, str) and text:
                    update.text += text
                    update.generated = True
                elif part.get("functionCall"):
                    update.generated = True
            if candidate.get("finishReason"):
                update.done = True
        usage = body.get("usageMetadata")
        if isinstance(usage, dict):
            update.input_tokens = usage.get("promptTokenCount")
            output = usage.get("candidatesTokenCount")
            if output is not None:
                update.output_tokens = output + (usage.get("thoughtsTokenCount") or 0)
        return update
