"""What every request reader shares: the top-level fields that bill nothing or bill unseen tokens,
images by reference, tool text, and the plain-text shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmprof.errors import InputError
from llmprof.images import Detail, size_of_data_url, size_of_file
from llmprof.requests.model import Image, Request

# Top-level fields that change no prompt token (sampling, transport, bookkeeping).
_HARMLESS = {
    "model", "stream", "stream_options", "temperature", "top_p", "top_k", "n", "seed", "user", "metadata",
    "store", "logprobs", "top_logprobs", "stop", "stop_sequences", "presence_penalty", "frequency_penalty",
    "logit_bias", "parallel_tool_calls", "service_tier", "max_tokens", "max_completion_tokens",
    "max_output_tokens", "reasoning_effort", "reasoning", "verbosity", "prompt_cache_key",
    "prompt_cache_retention", "safety_identifier", "tool_choice", "tools", "functions", "function_call",
    "response_format", "messages", "system", "thinking", "input", "instructions", "text", "truncation",
    "include", "background", "contents", "systemInstruction", "system_instruction", "generationConfig",
    "generation_config", "safetySettings", "safety_settings", "toolConfig", "tool_config", "labels",
    "prompt", "modalities", "output_config", "inference_geo", "context_management", "max_tool_calls",
}  # fmt: skip
# Top-level fields that bring billed tokens llmprof cannot see or count.
_BILLED = {
    "audio": "audio output (billed at audio rates)",
    "prediction": "predicted output (rejected prediction tokens bill as output)",
    "web_search_options": "web search (searches and their results are billed)",
    "previous_response_id": "the earlier conversation it continues (billed as input, not in this body)",
    "conversation": "the stored conversation it continues (billed as input, not in this body)",
    "cachedContent": "cached content (billed at the cache rate, not in this body)",
    "cached_content": "cached content (billed at the cache rate, not in this body)",
    "mcp_servers": "MCP server tools (their definitions and results are billed)",
    "container": "a code-execution container (billed by time)",
    "documents": "documents (billed as input)",
}


class BaseReader:
    """What every shape's reader shares: the body's name (``where``), the folder local image paths
    resolve from (``base``), and the checks and conversions all shapes use."""

    def __init__(self, where: str, base: Path | None) -> None:
        self.where = where
        self.base = base

    # -- shared ------------------------------------------------------------------------------------
    def top_level(self, body: dict[str, Any], request: Request, own: set[str]) -> None:
        for key, value in body.items():
            if key in _BILLED and value not in (None, False, {}, []):
                request.uncounted.append(f"{key}: {_BILLED[key]}")
            elif key not in _HARMLESS and key not in own and value not in (None, {}, []):
                request.uncounted.append(f"{key}: not a field llmprof knows; if it is billed, it is not counted")

    def field(self, obj: dict[str, Any], *names: str) -> Any:
        """The first of ``names`` present (Gemini takes camelCase and snake_case alike)."""
        for name in names:
            if name in obj:
                return obj[name]
        return None

    def image(self, url: Any, where: str, detail: Any = "auto") -> Image:
        level: Detail = detail if detail in ("low", "high", "auto") else "auto"
        if not isinstance(url, str):
            return Image(where, None, level, "url")
        if url.startswith("data:"):
            return Image(where, size_of_data_url(url), level, "inline")
        if url.startswith(("http://", "https://")):
            return Image(where, None, level, "url")
        path = Path(url.removeprefix("file://"))
        if not path.is_absolute() and self.base is not None:
            path = self.base / path
        if path.is_file():
            return Image(where, size_of_file(path), level, "file")
        return Image(where, None, level, "url")

    def tool_text(self, value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    # -- plain text -----------------------------------------------------------------------------------
    def text(self, body: dict[str, Any], request: Request) -> None:
        prompt = body.get("prompt")
        if not isinstance(prompt, str):
            raise InputError(f"{self.where}: prompt: expected text")
        request.texts.append(prompt)
        request.max_output = nonneg_int(body.get("max_tokens"))
        self.top_level(body, request, set())


def tool_def(name: Any, description: Any, parameters: Any) -> dict[str, Any]:
    return {
        "name": name if isinstance(name, str) else "",
        "description": description if isinstance(description, str) else "",
        "parameters": parameters if isinstance(parameters, dict) else {},
    }


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def nonneg_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def int_or_dynamic(value: Any) -> int | None:
    """A Gemini thinking budget: N, 0 (off) or -1 (dynamic: the model decides)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= -1 else None
