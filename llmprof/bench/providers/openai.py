"""OpenAI-compatible chat completions: OpenAI, vLLM, Ollama, llama.cpp, Groq, Together, ..."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from llmprof.bench.providers import Ask, HttpRequest, MalformedEvent, Update, error_text, join, load_json
from llmprof.bench.sse import Event


class OpenAI:
    name = "openai"
    key_env = "OPENAI_API_KEY"
    default_url = "https://api.openai.com/v1"

    def request(self, ask: Ask) -> HttpRequest:
        official = urlsplit(ask.url).hostname == "api.openai.com"
        body: dict[str, Any] = {"model": ask.model, "messages": [{"role": "user", "content": ask.prompt}]}
        # api.openai.com deprecated max_tokens for newer models; self-hosted servers read max_tokens.
        body["max_completion_tokens" if official else "max_tokens"] = ask.max_tokens
        if ask.force_length:  # vLLM / SGLang extensions: generate exactly max_tokens
            body["ignore_eos"] = True
            body["min_tokens"] = ask.max_tokens
        if ask.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        headers = {"Authorization": f"Bearer {ask.key}"} if ask.key else {}
        return HttpRequest(_url(ask.url), headers, body)

    def parse_event(self, event: Event) -> Update:
        if event.data.strip() == "[DONE]":
            return Update(done=True)
        return self.parse_body(load_json(event.data), streamed=True)

    def parse_body(self, body: Any, streamed: bool = False) -> Update:
        if not isinstance(body, dict):
            raise MalformedEvent(f"expected a JSON object, got {type(body).__name__}")
        if "error" in body:
            return Update(error=error_text(body))
        update = Update()
        usage = body.get("usage")
        if isinstance(usage, dict):
            update.input_tokens = usage.get("prompt_tokens")
            update.output_tokens = usage.get("completion_tokens")
        choices = body.get("choices")
        if not isinstance(choices, list):
            raise MalformedEvent("response has no 'choices' list")
        for choice in choices:
            part = choice.get("delta" if streamed else "message") or {}
            for key in ("content", "reasoning_content", "reasoning"):
                value = part.get(key)
                if isinstance(value, str) and value:
                    update.text += value
                    update.generated = True
            if part.get("tool_calls"):
                update.generated = True
        return update


def _url(base_url: str) -> str:
    if base_url.rstrip("/").endswith("/chat/completions"):
        return base_url
    path = urlsplit(base_url).path.rstrip("/")
    return join(base_url, "/chat/completions" if path else "/v1/chat/completions")
