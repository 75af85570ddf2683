"""Google Gemini (generativelanguage): ``POST /v1beta/models/{model}:generateContent`` and
``:streamGenerateContent?alt=sse``.

Every streamed event is a whole ``GenerateContentResponse`` carrying one token, with running
``usageMetadata``; the last one also carries ``finishReason``. There is no end marker: the stream
just ends. Events end in CRLF CRLF, as Google's servers send them. Request fields are accepted in
camelCase or snake_case, as Google's JSON parser does.

Reasoning: one event per reasoning token whose part carries ``"thought": true``, before the
answer parts; ``usageMetadata.thoughtsTokenCount`` counts them, ``candidatesTokenCount`` leaves
them out and ``totalTokenCount`` includes them, as Gemini's API reports. (Gemini itself returns
thought text only with ``thinkingConfig.includeThoughts``; the mock always shows it.) Prompt-cache
hits are ``cachedContentTokenCount``, part of ``promptTokenCount``; like Google's JSON, the field is
left out when it is 0.

Token counting: ``POST /v1beta/models/{model}:countTokens`` takes ``{"contents": [...]}`` or
``{"generateContentRequest": {...}}`` (which wins when both are sent) and answers
``{"totalTokens": N}``.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from llmprof.mock.faults import Admission
from llmprof.mock.formats import BadRequest, Counting, Generation, Json, Wire, hex_id, int_field, sse

_CRLF2 = b"\r\n\r\n"


class GeminiWire(Wire):
    name = "gemini"
    shape = "gemini"
    error_types: ClassVar[dict[int, str]] = {
        400: "INVALID_ARGUMENT",
        404: "NOT_FOUND",
        405: "UNIMPLEMENTED",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
    }

    def parse(self, body: Json, path_model: str | None, path_stream: bool) -> Generation:
        _check_request(body)
        config = _field(body, "generationConfig", "generation_config") or {}
        if not isinstance(config, dict):
            raise BadRequest("generationConfig: expected an object", "generationConfig")
        key = "max_output_tokens" if "max_output_tokens" in config else "maxOutputTokens"
        limit = int_field(config, key, "generationConfig.")
        return Generation(path_model or "", body, limit, stream=path_stream)

    def new_id(self, rng: random.Random) -> str:
        return "mock" + hex_id(rng, 18)

    def error(self, status: int, message: str, param: str | None = None) -> Json:
        return {"error": {"code": status, "message": message, "status": self.error_types[status]}}

    def rate_limited(self, job: Generation, admission: Admission) -> Json:
        return self.error(429, "Resource has been exhausted (e.g. check quota). (llmprof mock rate limit)")

    def token(self, job: Generation, index: int, text: str) -> bytes:
        last = index == job.output_tokens - 1
        return sse(self._response(job, [{"text": text}], index + 1, job.reasoning_tokens, last), end=_CRLF2)

    def thought(self, job: Generation, index: int, text: str) -> bytes:
        return sse(self._response(job, [{"text": text, "thought": True}], 0, index + 1, last=False), end=_CRLF2)

    def broken(self) -> bytes:
        return b'data: {"candidates": [' + _CRLF2

    def complete(self, job: Generation, text: str, reasoning: str) -> Json:
        parts: list[Json] = [{"text": text}]
        if job.reasoning_tokens:
            parts.insert(0, {"text": reasoning, "thought": True})
        return self._response(job, parts, job.output_tokens, job.reasoning_tokens, last=True)

    def parse_count(self, body: Json, path_model: str | None) -> Counting:
        wrapped = _field(body, "generateContentRequest", "generate_content_request")
        if wrapped is not None:
            if not isinstance(wrapped, dict):
                raise BadRequest("generateContentRequest: expected an object", "generateContentRequest")
            body = wrapped
        _check_request(body)
        return Counting(path_model, body, "gemini")

    def counted(self, tokens: int) -> Json:
        return {"totalTokens": tokens}

    def _response(self, job: Generation, parts: list[Json], produced: int, thoughts: int, last: bool) -> Json:
        candidate: Json = {"content": {"parts": parts, "role": "model"}}
        if last:
            candidate["finishReason"] = "MAX_TOKENS" if job.max_tokens is not None else "STOP"
        candidate["index"] = 0
        usage: Json = {"promptTokenCount": job.prompt_tokens}
        if job.cached_tokens:
            usage["cachedContentTokenCount"] = job.cached_tokens
        usage["candidatesTokenCount"] = produced
        if thoughts:
            usage["thoughtsTokenCount"] = thoughts
        usage["totalTokenCount"] = job.prompt_tokens + produced + thoughts
        return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": job.model, "responseId": job.id}


def _check_request(body: Json) -> None:
    contents = _field(body, "contents", "contents")
    if not isinstance(contents, list) or not contents:
        raise BadRequest("contents: a non-empty list of contents is required", "contents")
    for i, content in enumerate(contents):
        _check_content(content, f"contents[{i}]")
    system = _field(body, "systemInstruction", "system_instruction")
    if system is not None:
        _check_content(system, "systemInstruction")


def _field(body: Json, camel: str, snake: str) -> Any:
    return body.get(camel, body.get(snake))


def _check_content(content: Any, where: str) -> None:
    if not isinstance(content, dict) or not isinstance(content.get("parts"), list):
        raise BadRequest(f"{where}: expected an object with a list of parts", where.split("[")[0])
