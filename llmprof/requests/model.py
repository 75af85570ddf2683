"""The neutral request: what one API request's prompt bills, whatever shape it came in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from llmprof.images import Detail, Size

Shape = Literal["openai-chat", "openai-responses", "anthropic", "gemini", "text"]
SHAPES = ("auto", "openai-chat", "openai-responses", "anthropic", "gemini", "text")


@dataclass
class Image:
    where: str
    size: Size | None
    detail: Detail = "auto"
    source: str = "inline"  # "inline", "file" or "url" (a remote image: its size is unknown)


@dataclass
class Request:
    """One request, whatever API shape it came in: what its prompt bills."""

    where: str
    shape: Shape
    model: str | None = None
    texts: list[str] = field(default_factory=list)  # every text the prompt carries
    messages: int = 0  # chat messages (for the framing); 0 for plain text
    names: int = 0  # messages with a ``name`` (OpenAI adds a token each)
    tools: list[dict[str, Any]] = field(default_factory=list)  # {name, description, parameters}
    tool_choice: str | None = None  # auto, none, any, tool, required
    tool_calls: list[str] = field(default_factory=list)  # calls and results, as text
    images: list[Image] = field(default_factory=list)
    schema: Any = None  # a structured-output JSON schema
    reasoning: bool | None = None  # the request turns reasoning on (True) or off (False); None: silent
    reasoning_budget: int | None = None  # a thinking budget the request sets (a cap on what it uses)
    reasoning_effort: str | None = None
    max_output: int | None = None
    choices: int = 1  # n / candidateCount: output is billed per choice
    uncounted: list[str] = field(default_factory=list)  # billed, not counted: "where: what"

    @property
    def chat(self) -> bool:
        return self.shape != "text"


def text_request(text: str, where: str, model: str | None = None) -> Request:
    return Request(where=where, shape="text", model=model, texts=[text])
