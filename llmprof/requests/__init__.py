"""API request bodies, in any provider's shape, read into one neutral :class:`Request`.

Shapes (detected from the content; ``--shape`` overrides):

* ``openai-chat``: Chat Completions, ``{"messages": [...], "tools": [...], ...}``, also inside an
  OpenAI batch line ``{"custom_id", "body": {...}}``;
* ``openai-responses``: the Responses API, ``{"input": ..., "instructions": ...}``;
* ``anthropic``: Messages, ``{"system": ..., "messages": [content blocks], "max_tokens"}``;
* ``gemini``: ``generateContent``, ``{"contents": [{"parts": [...]}], "systemInstruction"}``;
* ``text``: a plain prompt (a JSON string, or ``{"prompt": "..."}``).

Reading keeps every part that is billed: the texts, the message count (for the chat framing),
tool definitions, tool calls and results, images (with their size where the request carries the
image), the structured-output schema, the reasoning settings. Whatever is billed but cannot be
counted (audio, files, documents, server-side context, unknown fields) is listed in
``uncounted``, so the figure is labelled a lower bound, never silently short.
"""

from __future__ import annotations

from llmprof.requests.model import SHAPES, Image, Request, Shape, text_request
from llmprof.requests.shapes import detect, messages_request, parse

__all__ = ["SHAPES", "Image", "Request", "Shape", "detect", "messages_request", "parse", "text_request"]
