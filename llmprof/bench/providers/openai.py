"""OpenAI-compatible chat completions: OpenAI, vLLM, Ollama, llama.cpp, Groq, Together, ..."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from llmprof.bench.providers import (
    Ask,
    HttpRequest,
    MalformedEvent,
    ServerTimings,
    Update,
    UsageReport,
    as_list,
    as_object,
    count,
    error_text,
    join,
    load_json,
    optional_object,
    seconds,
    text_field,
)
from llmprof.bench.sse import Event

#: Where OpenAI-compatible servers put reasoning text (OpenAI itself shows none; DeepSeek, vLLM
#: and others stream it as reasoning_content, Ollama and OpenRouter as reasoning).
REASONING_KEYS = ("reasoning_content", "reasoning")


class OpenAI:
    name = "openai"
    key_env = "OPENAI_API_KEY"

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
        body = as_object(body, "the response")
        if "error" in body:
            return Update(error=error_text(body))
        update = Update(usage=_usage(body.get("usage")), timings=_timings(body.get("timings")))
        choices = body.get("choices")
        if choices is None and streamed and update.usage is not None:
            return update  # some servers send the usage chunk without a choices list
        for index, choice in enumerate(as_list(choices, "choices")):
            choice = as_object(choice, f"choices[{index}]")
            part = optional_object(choice, "delta" if streamed else "message", f"choices[{index}].delta")
            content = text_field(part, "content", f"choices[{index}].content")
            if content:
                update.text += content
                update.generated = update.answer = True
            for key in REASONING_KEYS:
                reasoning = text_field(part, key, f"choices[{index}].{key}")
                if reasoning:
                    update.reasoning_text += reasoning
                    update.generated = True
            calls = part.get("tool_calls")
            if calls:
                as_list(calls, f"choices[{index}].tool_calls")
                update.generated = update.answer = True
            finish = text_field(choice, "finish_reason", f"choices[{index}].finish_reason")
            update.finish = finish or update.finish
        return update


def _timings(raw: Any) -> ServerTimings | None:
    """llama.cpp's server timings: prompt_ms, predicted_ms, predicted_n."""
    if raw is None:
        return None
    timings = as_object(raw, "timings")
    return ServerTimings(
        prefill_s=seconds(timings, "prompt_ms", "timings.prompt_ms", 1e-3),
        decode_s=seconds(timings, "predicted_ms", "timings.predicted_ms", 1e-3),
        generated=count(timings, "predicted_n", "timings.predicted_n"),
    )


def _usage(raw: Any) -> UsageReport | None:
    if raw is None:
        return None
    usage = as_object(raw, "usage")
    prompt = optional_object(usage, "prompt_tokens_details", "usage.prompt_tokens_details")
    completion = optional_object(usage, "completion_tokens_details", "usage.completion_tokens_details")
    report = UsageReport(
        input_tokens=count(usage, "prompt_tokens", "usage.prompt_tokens"),
        output_tokens=count(usage, "completion_tokens", "usage.completion_tokens"),
        cached_input_tokens=count(prompt, "cached_tokens", "usage.prompt_tokens_details.cached_tokens"),
        reasoning_tokens=count(completion, "reasoning_tokens", "usage.completion_tokens_details.reasoning_tokens"),
    )
    _consistent(report)
    return report


def _consistent(report: UsageReport) -> None:
    if report.input_tokens is not None and (report.cached_input_tokens or 0) > report.input_tokens:
        raise MalformedEvent("usage: more cached tokens than prompt tokens")
    if report.output_tokens is not None and (report.reasoning_tokens or 0) > report.output_tokens:
        raise MalformedEvent("usage: more reasoning tokens than completion tokens")


def _url(base_url: str) -> str:
    if base_url.rstrip("/").endswith("/chat/completions"):
        return base_url
    path = urlsplit(base_url).path.rstrip("/")
    return join(base_url, "/chat/completions" if path else "/v1/chat/completions")
