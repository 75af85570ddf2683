"""Google Gemini API (generativelanguage): generateContent and streamGenerateContent?alt=sse."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

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


class Gemini:
    name = "gemini"
    key_env = "GEMINI_API_KEY"

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
                piece = self.parse_body(item)
                merged.text += piece.text
                merged.reasoning_text += piece.reasoning_text
                merged.generated |= piece.generated
                merged.answer |= piece.answer
                merged.done |= piece.done
                merged.error = merged.error or piece.error
                merged.finish = piece.finish or merged.finish
                if piece.usage is not None:
                    merged.usage = merged.usage or UsageReport()
                    merged.usage.update(piece.usage)
            return merged
        body = as_object(body, "the response")
        if "error" in body:
            return Update(error=error_text(body))
        update = Update(usage=_usage(body.get("usageMetadata")))
        for i, candidate in enumerate(as_list(body.get("candidates") or [], "candidates")):
            candidate = as_object(candidate, f"candidates[{i}]")
            content = optional_object(candidate, "content", f"candidates[{i}].content")
            for j, part in enumerate(as_list(content.get("parts") or [], f"candidates[{i}].content.parts")):
                part = as_object(part, f"candidates[{i}].content.parts[{j}]")
                text = text_field(part, "text", f"candidates[{i}].content.parts[{j}].text")
                if part.get("thought") is True:
                    update.reasoning_text += text
                    update.generated |= bool(text)
                elif text or part.get("functionCall"):
                    update.text += text
                    update.generated = update.answer = True
            reason = text_field(candidate, "finishReason", f"candidates[{i}].finishReason")
            if reason:
                update.done = True
                update.finish = {"MAX_TOKENS": "length", "STOP": "stop"}.get(reason, reason.lower())
        return update


def _usage(raw: Any) -> UsageReport | None:
    """Gemini's candidatesTokenCount leaves out thoughtsTokenCount, which bills as output too."""
    if raw is None:
        return None
    usage = as_object(raw, "usageMetadata")
    candidates = count(usage, "candidatesTokenCount", "usageMetadata.candidatesTokenCount")
    thoughts = count(usage, "thoughtsTokenCount", "usageMetadata.thoughtsTokenCount")
    return UsageReport(
        input_tokens=count(usage, "promptTokenCount", "usageMetadata.promptTokenCount"),
        output_tokens=total(candidates, thoughts) if candidates is not None else None,
        cached_input_tokens=count(usage, "cachedContentTokenCount", "usageMetadata.cachedContentTokenCount"),
        reasoning_tokens=thoughts,
    )
