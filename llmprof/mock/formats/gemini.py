"""Google Gemini (generativelanguage): ``POST /v1beta/models/{model}:generateContent`` and
``:streamGenerateContent?alt=sse``.

Every streamed event is a whole ``GenerateContentResponse`` carrying one token, with running
``usageMetadata``; the last one also carries ``finishReason``. There is no end marker: the stream
just ends. Events end in CRLF CRLF, as Google's servers send them. Request fields are accepted in
camelCase or snake_case, as Google's JSON parser does.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from llmprof.mock.faults import Admission
from llmprof.mock.formats import BadRequest, Generation, Json, Wire, hex_id, int_field, sse

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
        contents = _field(body, "contents", "contents")
        if not isinstance(contents, list) or not contents:
            raise BadRequest("contents: a non-empty list of contents is required", "contents")
        for i, content in enumerate(contents):
            _check_content(content, f"contents[{i}]")
        system = _field(body, "systemInstruction", "system_instruction")
        if system is not None:
            _check_content(system, "systemInstruction")
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
        return sse(self._response(job, text, index + 1, last=index == job.output_tokens - 1), end=_CRLF2)

    def broken(self) -> bytes:
        return b'data: {"candidates": [' + _CRLF2

    def complete(self, job: Generation, text: str) -> Json:
        return self._response(job, text, job.output_tokens, last=True)

    def _response(self, job: Generation, text: str, produced: int, last: bool) -> Json:
        candidate: Json = {"content": {"parts": [{"text": text}], "role": "model"}}
        if last:
            candidate["finishReason"] = "MAX_TOKENS" if job.max_tokens is not None else "STOP"
        candidate["index"] = 0
        return {
            "candidates": [candidate],
            "usageMetadata": {
                "promptTokenCount": job.prompt_tokens,
                "candidatesTokenCount": produced,
                "totalTokenCount": job.prompt_tokens + produced,
            },
            "modelVersion": job.model,
            "responseId": job.id,
        }


def _field(body: Json, camel: str, snake: str) -> Any:
    return body.get(camel, body.get(snake))


def _check_content(content: Any, where: str) -> None:
    if not isinstance(content, dict) or not isinstance(content.get("parts"), list):
        raise BadRequest(f"{where}: expected an object with a list of parts", where.split("[")[0])
