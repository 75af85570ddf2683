"""What the mock answers, by method and path: generation, token counting, model listing, health."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs

from llmprof.mock.formats import Wire

Kind = Literal["generate", "count", "models", "model", "health"]

_GEMINI = re.compile(
    r"^/v1(?:beta)?/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent|countTokens)$"
)
_MODEL = re.compile(r"^/v1/models/(?P<model>[^/:]+)$")

#: For the startup banner: what the mock answers.
ROUTES = (
    "POST /v1/chat/completions",
    "GET /v1/models",
    "GET /v1/models/{model}",
    "POST /v1/responses/input_tokens",
    "POST /v1/messages",
    "POST /v1/messages/count_tokens",
    "POST /v1beta/models/{model}:generateContent",
    "POST /v1beta/models/{model}:streamGenerateContent?alt=sse",
    "POST /v1beta/models/{model}:countTokens",
    "GET /health",
)


@dataclass(frozen=True)
class Route:
    wire: Wire
    methods: tuple[str, ...]
    kind: Kind
    model: str | None = None  # from the path (Gemini; GET /v1/models/{model})
    stream: bool = False  # from the path (Gemini)
    refuse: str | None = None  # a 400 message for a request this route cannot serve


def route(path: str, query: bytes, wires: dict[str, Wire]) -> Route | None:
    """The route for ``path``, or None (404)."""
    fixed: dict[str, tuple[str, str, Kind]] = {
        "/v1/chat/completions": ("openai", "POST", "generate"),
        "/v1/responses/input_tokens": ("openai", "POST", "count"),
        "/v1/messages": ("anthropic", "POST", "generate"),
        "/v1/messages/count_tokens": ("anthropic", "POST", "count"),
        "/v1/models": ("openai", "GET", "models"),
        "/health": ("openai", "GET", "health"),
    }
    if path in fixed:
        name, method, kind = fixed[path]
        return Route(wires[name], (method,), kind)
    if match := _GEMINI.match(path):
        if match["method"] == "countTokens":
            return Route(wires["gemini"], ("POST",), "count", match["model"])
        stream = match["method"] == "streamGenerateContent"
        refuse = None
        if stream and parse_qs(query.decode("latin-1")).get("alt") != ["sse"]:
            refuse = "the llmprof mock streams Gemini responses as server-sent events only: add ?alt=sse"
        return Route(wires["gemini"], ("POST",), "generate", match["model"], stream, refuse)
    if match := _MODEL.match(path):
        return Route(wires["openai"], ("GET",), "model", match["model"])
    return None


def family(path: str) -> str:
    """Which provider's error shape an unknown path gets."""
    if path.startswith("/v1beta") or ":" in path.rpartition("/")[2]:
        return "gemini"
    if path.startswith("/v1/messages"):
        return "anthropic"
    return "openai"
