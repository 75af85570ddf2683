"""OpenAI chat completions (also what vLLM, SGLang, Ollama and llama.cpp serve).

Streamed: a role-only chunk at once, one ``chat.completion.chunk`` per token with
``delta.content``, a chunk with ``finish_reason`` and an empty delta, a usage chunk with
``choices: []`` when ``stream_options.include_usage`` is set, then ``data: [DONE]``.

Reasoning uses the convention of DeepSeek's API and vLLM's reasoning parsers (OpenAI's own API
shows no reasoning text): one chunk per reasoning token with ``delta.reasoning_content`` before
the answer, ``message.reasoning_content`` when not streamed, and usage ``completion_tokens``
including them with ``completion_tokens_details.reasoning_tokens``. Prompt-cache hits are
reported in ``prompt_tokens_details.cached_tokens`` (part of ``prompt_tokens``).

Token counting: ``POST /v1/responses/input_tokens`` takes a Responses API body and answers
``{"object": "response.input_tokens", "input_tokens": N}``.
"""

from __future__ import annotations

import random
from typing import ClassVar

from llmprof.mock.faults import Admission
from llmprof.mock.formats import (
    BadRequest,
    Counting,
    Generation,
    Headers,
    Json,
    Template,
    Wire,
    duration,
    hex_id,
    int_field,
    list_field,
    model_field,
    sse,
)


class OpenAIWire(Wire):
    """``POST /v1/chat/completions``: chunks of ``chat.completion.chunk``, then ``data: [DONE]``."""

    name = "openai"
    shape = "openai-chat"
    error_types: ClassVar[dict[int, str]] = {
        400: "invalid_request_error",
        404: "invalid_request_error",
        405: "invalid_request_error",
        429: "requests",  # what api.openai.com sends for an RPM limit; the code says rate_limit_exceeded
        500: "server_error",
    }

    def parse(self, body: Json, path_model: str | None, path_stream: bool) -> Generation:
        model = model_field(body)
        list_field(body, "messages")
        limit = int_field(body, "max_completion_tokens") or int_field(body, "max_tokens")
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        return Generation(model, body, limit, stream=body.get("stream") is True, include_usage=include_usage)

    def new_id(self, rng: random.Random) -> str:
        return "chatcmpl-" + hex_id(rng, 24)

    def error(self, status: int, message: str, param: str | None = None) -> Json:
        code = "rate_limit_exceeded" if status == 429 else None
        return {"error": {"message": message, "type": self.error_types[status], "param": param, "code": code}}

    def rate_limited(self, job: Generation, admission: Admission) -> Json:
        message = (
            f"Rate limit reached for {job.model} in organization org-llmprof-mock on requests per min (RPM): "
            f"Limit {admission.limit}, Used {admission.limit}, Requested 1. "
            f"Please try again in {admission.retry_after}s."
        )
        return self.error(429, message)

    def rate_limit_headers(self, admission: Admission) -> Headers:
        return [
            (b"x-ratelimit-limit-requests", str(admission.limit).encode()),
            (b"x-ratelimit-remaining-requests", str(admission.remaining).encode()),
            (b"x-ratelimit-reset-requests", duration(admission.reset_s).encode()),
        ]

    def _chunk(self, job: Generation, delta: Json, finish: str | None = None) -> bytes:
        chunk: Json = {
            "id": job.id,
            "object": "chat.completion.chunk",
            "created": job.created,
            "model": job.model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if job.include_usage:
            chunk["usage"] = None
        return sse(chunk)

    def opening(self, job: Generation) -> bytes:
        # Sent at once, so time to first byte < time to first token: clients must not count it.
        return self._chunk(job, {"role": "assistant", "content": ""})

    def token(self, job: Generation, index: int, text: str) -> bytes:
        if job.token_template is None:
            job.token_template = Template(lambda mark: self._chunk(job, {"content": mark}))
        return job.token_template.fill(text)

    def thought(self, job: Generation, index: int, text: str) -> bytes:
        if job.thought_template is None:
            job.thought_template = Template(lambda mark: self._chunk(job, {"reasoning_content": mark}))
        return job.thought_template.fill(text)

    def closing(self, job: Generation) -> bytes:
        out = self._chunk(job, {}, self._finish(job))
        if job.include_usage:
            usage = {
                "id": job.id,
                "object": "chat.completion.chunk",
                "created": job.created,
                "model": job.model,
                "system_fingerprint": None,
                "choices": [],
                "usage": self._usage(job),
            }
            out += sse(usage)
        return out + b"data: [DONE]\n\n"

    def broken(self) -> bytes:
        return b'data: {"choices": [\n\n'

    def complete(self, job: Generation, text: str, reasoning: str) -> Json:
        message: Json = {"role": "assistant", "content": text, "refusal": None}
        if job.reasoning_tokens:
            message["reasoning_content"] = reasoning
        return {
            "id": job.id,
            "object": "chat.completion",
            "created": job.created,
            "model": job.model,
            "system_fingerprint": None,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": self._finish(job),
                }
            ],
            "usage": self._usage(job),
        }

    @staticmethod
    def _finish(job: Generation) -> str:
        return "length" if job.max_tokens is not None else "stop"

    def parse_count(self, body: Json, path_model: str | None) -> Counting:
        model = body.get("model")
        if model is not None and (not isinstance(model, str) or not model):
            raise BadRequest("model: expected a model name (string)", "model")
        if not isinstance(body.get("input", ""), (str, list)):
            raise BadRequest("input: expected a string or a list of input items", "input")
        return Counting(model, body, "openai-responses")

    def counted(self, tokens: int) -> Json:
        return {"object": "response.input_tokens", "input_tokens": tokens}

    @staticmethod
    def _usage(job: Generation) -> Json:
        usage: Json = {
            "prompt_tokens": job.prompt_tokens,
            "completion_tokens": job.completion_tokens,
            "total_tokens": job.total_tokens,
        }
        if job.report_cache:
            usage["prompt_tokens_details"] = {"cached_tokens": job.cached_tokens}
        if job.reasoning_tokens:
            usage["completion_tokens_details"] = {"reasoning_tokens": job.reasoning_tokens}
        return usage
