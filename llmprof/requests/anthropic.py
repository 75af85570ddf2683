"""Reading Anthropic Messages bodies: system, content blocks, tools, thinking."""

from __future__ import annotations

from typing import Any

from llmprof.errors import InputError
from llmprof.images import size_of_base64
from llmprof.requests.base import BaseReader, as_object, nonneg_int, tool_def
from llmprof.requests.model import Image, Request


class AnthropicReader(BaseReader):
    # -- Anthropic Messages ---------------------------------------------------------------------------
    def anthropic(self, body: dict[str, Any], request: Request) -> None:
        system = body.get("system")
        if isinstance(system, str):
            request.messages += 1
            request.texts += ["system", system]
        elif isinstance(system, list):
            request.messages += 1
            request.texts.append("system")
            for j, block in enumerate(system):
                self.anthropic_block(block, f"system[{j}]", request)
        messages = body.get("messages")
        if not isinstance(messages, list):
            raise InputError(f"{self.where}: messages: expected a list")
        for i, message in enumerate(messages):
            if not isinstance(message, dict):
                raise InputError(f"{self.where}: messages[{i}]: a message must be an object")
            request.messages += 1
            if isinstance(message.get("role"), str):
                request.texts.append(message["role"])
            content = message.get("content")
            if isinstance(content, str):
                request.texts.append(content)
            elif isinstance(content, list):
                for j, block in enumerate(content):
                    self.anthropic_block(block, f"messages[{i}].content[{j}]", request)
        for i, tool in enumerate(body.get("tools") or []):
            if isinstance(tool, dict) and "input_schema" in tool:
                request.tools.append(tool_def(tool.get("name"), tool.get("description"), tool.get("input_schema")))
            elif isinstance(tool, dict):
                kind = tool.get("type") or tool.get("name")
                request.uncounted.append(f"tools[{i}]: server tool {kind!r} (its definition and use are billed)")
        choice = body.get("tool_choice")
        request.tool_choice = choice.get("type") if isinstance(choice, dict) else None
        thinking = body.get("thinking")
        thinking = thinking if isinstance(thinking, dict) else {}
        kind = thinking.get("type")
        request.reasoning = kind in ("enabled", "adaptive")  # Claude thinks only when asked to
        if kind == "enabled":
            request.reasoning_budget = nonneg_int(thinking.get("budget_tokens"))
        elif kind == "adaptive":
            request.reasoning_effort = "adaptive"
        request.max_output = nonneg_int(body.get("max_tokens"))
        self.top_level(body, request, set())

    def anthropic_block(self, block: Any, where: str, request: Request) -> None:
        if isinstance(block, str):
            request.texts.append(block)
            return
        if not isinstance(block, dict):
            raise InputError(f"{self.where}: {where}: a content block must be an object")
        kind = block.get("type")
        if kind == "text":
            request.texts.append(str(block.get("text") or ""))
        elif kind == "thinking":
            request.texts.append(str(block.get("thinking") or ""))
        elif kind == "image":
            source = as_object(block.get("source"))
            if source.get("type") == "base64" and isinstance(source.get("data"), str):
                request.images.append(Image(where, size_of_base64(source["data"]), "high", "inline"))
            else:
                request.images.append(self.image(source.get("url"), where, "high"))
        elif kind == "tool_use":
            request.tool_calls += [str(block.get("name") or ""), self.tool_text(block.get("input") or {})]
        elif kind == "tool_result":
            content = block.get("content")
            if isinstance(content, list):
                for j, inner in enumerate(content):
                    if isinstance(inner, dict) and inner.get("type") == "text":
                        request.tool_calls.append(str(inner.get("text") or ""))
                    else:
                        self.anthropic_block(inner, f"{where}.content[{j}]", request)
            elif content is not None:
                request.tool_calls.append(self.tool_text(content))
        elif kind == "document":
            source = as_object(block.get("source"))
            if source.get("type") == "text" and isinstance(source.get("data"), str):
                request.texts.append(source["data"])
            else:
                request.uncounted.append(f"{where}: a document (its pages are billed as text and images)")
        elif kind == "search_result":
            request.texts.append(self.tool_text(block.get("content") or ""))
        else:
            request.uncounted.append(f"{where}: a {kind!r} block")
