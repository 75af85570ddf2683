"""Anthropic Messages: ``POST /v1/messages``.

Streamed (``event: <type>`` + ``data: {json}``): ``message_start`` (usage.input_tokens and
output_tokens 1), ``content_block_start`` with an empty text block, a ``ping``, one
``content_block_delta`` (``text_delta``) per token, ``content_block_stop``, ``message_delta``
(stop_reason and the final usage.output_tokens), ``message_stop``. ``max_tokens`` is required.

Reasoning is an extended-thinking block first: ``content_block_start`` (type ``thinking``) at
index 0, one ``thinking_delta`` per reasoning token, a ``signature_delta`` and
``content_block_stop``; the text block follows at index 1. ``output_tokens`` includes the thinking.
Prompt-cache hits are ``cache_read_input_tokens``; as in Anthropic's API, ``input_tokens`` then
counts only the uncached part (the three input fields add up to the whole prompt). The mock
charges nothing for writing its cache, so ``cache_creation_input_tokens`` is always 0.

Token counting: ``POST /v1/messages/count_tokens`` takes a Messages body (no ``max_tokens``) and
answers ``{"input_tokens": N}``.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, ClassVar

from llmprof.mock.faults import Admission
from llmprof.mock.formats import (
    BadRequest,
    Counting,
    Generation,
    Headers,
    Json,
    Template,
    Wire,
    hex_id,
    int_field,
    list_field,
    model_field,
    signature,
    sse,
)


class AnthropicWire(Wire):
    name = "anthropic"
    shape = "anthropic"
    error_types: ClassVar[dict[int, str]] = {
        400: "invalid_request_error",
        404: "not_found_error",
        405: "invalid_request_error",
        429: "rate_limit_error",
        500: "api_error",
    }

    def parse(self, body: Json, path_model: str | None, path_stream: bool) -> Generation:
        model = model_field(body)
        limit = int_field(body, "max_tokens")
        if limit is None:
            raise BadRequest("max_tokens: Field required", "max_tokens")
        for i, message in enumerate(list_field(body, "messages")):
            _check_message(message, i)
        if body.get("system") is not None:
            _check_content(body["system"], "system")
        return Generation(model, body, limit, stream=body.get("stream") is True)

    def new_id(self, rng: random.Random) -> str:
        return "msg_mock" + hex_id(rng, 20)

    def error(self, status: int, message: str, param: str | None = None) -> Json:
        return {"type": "error", "error": {"type": self.error_types[status], "message": message}}

    def rate_limited(self, job: Generation, admission: Admission) -> Json:
        message = (
            f"This request would exceed the rate limit for your organization of {admission.limit} "
            f"requests per minute (llmprof mock). Please retry after {admission.retry_after} s."
        )
        return self.error(429, message)

    def rate_limit_headers(self, admission: Admission) -> Headers:
        reset = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=admission.reset_s)
        return [
            (b"anthropic-ratelimit-requests-limit", str(admission.limit).encode()),
            (b"anthropic-ratelimit-requests-remaining", str(admission.remaining).encode()),
            (b"anthropic-ratelimit-requests-reset", reset.strftime("%Y-%m-%dT%H:%M:%SZ").encode()),
        ]

    def opening(self, job: Generation) -> bytes:
        message = {**self._message(job, []), "usage": {**self._input_usage(job), "output_tokens": 1}}
        first: Json = {"type": "thinking", "thinking": "", "signature": ""} if job.reasoning_tokens else _TEXT
        return (
            sse({"type": "message_start", "message": message}, "message_start")
            + sse({"type": "content_block_start", "index": 0, "content_block": first}, "content_block_start")
            + sse({"type": "ping"}, "ping")
        )

    def thought(self, job: Generation, index: int, text: str) -> bytes:
        if job.thought_template is None:
            job.thought_template = Template(_thinking_delta)
        return job.thought_template.fill(text)

    def thinking_done(self, job: Generation) -> bytes:
        sign = {"type": "signature_delta", "signature": signature(job.id)}
        return (
            sse({"type": "content_block_delta", "index": 0, "delta": sign}, "content_block_delta")
            + sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
            + sse({"type": "content_block_start", "index": 1, "content_block": _TEXT}, "content_block_start")
        )

    def token(self, job: Generation, index: int, text: str) -> bytes:
        if job.token_template is None:
            block = _text_index(job)
            job.token_template = Template(lambda mark: _text_delta(mark, block))
        return job.token_template.fill(text)

    def closing(self, job: Generation) -> bytes:
        stop = {"stop_reason": self._stop(job), "stop_sequence": None}
        return (
            sse({"type": "content_block_stop", "index": _text_index(job)}, "content_block_stop")
            + sse(
                {"type": "message_delta", "delta": stop, "usage": {"output_tokens": job.completion_tokens}},
                "message_delta",
            )
            + sse({"type": "message_stop"}, "message_stop")
        )

    def broken(self) -> bytes:
        return b'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {\n\n'

    def complete(self, job: Generation, text: str, reasoning: str) -> Json:
        content: list[Json] = [{"type": "text", "text": text}]
        if job.reasoning_tokens:
            content.insert(0, {"type": "thinking", "thinking": reasoning, "signature": signature(job.id)})
        return {
            **self._message(job, content),
            "stop_reason": self._stop(job),
            "usage": {**self._input_usage(job), "output_tokens": job.completion_tokens},
        }

    def parse_count(self, body: Json, path_model: str | None) -> Counting:
        model = model_field(body)
        for i, message in enumerate(list_field(body, "messages")):
            _check_message(message, i)
        if body.get("system") is not None:
            _check_content(body["system"], "system")
        return Counting(model, body, "anthropic")

    def counted(self, tokens: int) -> Json:
        return {"input_tokens": tokens}

    @staticmethod
    def _input_usage(job: Generation) -> Json:
        """``input_tokens`` is the uncached part; cache reads (and writes) are reported apart."""
        usage: Json = {"input_tokens": job.prompt_tokens - job.cached_tokens}
        if job.report_cache:
            usage["cache_creation_input_tokens"] = 0
            usage["cache_read_input_tokens"] = job.cached_tokens
        return usage

    @staticmethod
    def _message(job: Generation, content: list[Json]) -> Json:
        return {
            "id": job.id,
            "type": "message",
            "role": "assistant",
            "model": job.model,
            "content": content,
            "stop_reason": None,
            "stop_sequence": None,
        }

    @staticmethod
    def _stop(job: Generation) -> str:
        return "max_tokens" if job.max_tokens is not None else "end_turn"


_TEXT: Json = {"type": "text", "text": ""}


def _text_index(job: Generation) -> int:
    """The text block follows the thinking block, when there is one."""
    return 1 if job.reasoning_tokens else 0


def _text_delta(text: str, index: int) -> bytes:
    delta = {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}}
    return sse(delta, "content_block_delta")


def _thinking_delta(text: str) -> bytes:
    delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": text}}
    return sse(delta, "content_block_delta")


def _check_message(message: Json, index: int) -> None:
    if not isinstance(message.get("role"), str):
        raise BadRequest(f"messages.{index}.role: Field required", "messages")
    _check_content(message.get("content"), f"messages.{index}.content")


def _check_content(content: Any, where: str) -> None:
    if not isinstance(content, (str, list)):
        raise BadRequest(f"{where}: expected a string or a list of content blocks", where.split(".")[0])
