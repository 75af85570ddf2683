"""Reading OpenAI request bodies: Chat Completions and the Responses API."""

from __future__ import annotations

from typing import Any

from llmprof.errors import InputError
from llmprof.requests.base import BaseReader, nonneg_int, tool_def
from llmprof.requests.model import Request


class OpenAIReader(BaseReader):
    # -- OpenAI Chat Completions ---------------------------------------------------------------------
    def openai_chat(self, body: dict[str, Any], request: Request) -> None:
        messages = body.get("messages")
        if not isinstance(messages, list):
            raise InputError(f"{self.where}: messages: expected a list")
        for i, message in enumerate(messages):
            self.openai_message(message, f"messages[{i}]", request)
        tools = body.get("tools") or []
        for i, tool in enumerate(tools if isinstance(tools, list) else []):
            function = tool.get("function") if isinstance(tool, dict) else None
            if isinstance(function, dict):
                request.tools.append(
                    tool_def(function.get("name"), function.get("description"), function.get("parameters"))
                )
            elif isinstance(tool, dict) and tool.get("type") not in (None, "function"):
                request.uncounted.append(f"tools[{i}]: built-in tool {tool.get('type')!r} (its use is billed apart)")
        for function in body.get("functions") or []:  # the legacy form
            if isinstance(function, dict):
                request.tools.append(
                    tool_def(function.get("name"), function.get("description"), function.get("parameters"))
                )
        choice = body.get("tool_choice")
        request.tool_choice = choice if isinstance(choice, str) else ("tool" if isinstance(choice, dict) else None)
        fmt = body.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            schema = fmt.get("json_schema")
            request.schema = schema.get("schema", schema) if isinstance(schema, dict) else schema
        effort = body.get("reasoning_effort")
        if isinstance(effort, str):
            request.reasoning_effort, request.reasoning = effort, effort != "none"
        request.max_output = nonneg_int(body.get("max_completion_tokens")) or nonneg_int(body.get("max_tokens"))
        request.choices = nonneg_int(body.get("n")) or 1
        self.top_level(body, request, set())

    def openai_message(self, message: Any, where: str, request: Request) -> None:
        if not isinstance(message, dict):
            raise InputError(f"{self.where}: {where}: a message must be an object")
        request.messages += 1
        for key, value in message.items():
            if value is None:
                continue
            if isinstance(value, str):
                if key == "name":
                    request.names += 1
                (request.tool_calls if key in ("tool_call_id",) else request.texts).append(value)
            elif key == "content" and isinstance(value, list):
                for j, part in enumerate(value):
                    self.openai_part(part, f"{where}.content[{j}]", request)
            elif key == "tool_calls" and isinstance(value, list):
                for call in value:
                    function = call.get("function") if isinstance(call, dict) else None
                    if isinstance(function, dict):
                        request.tool_calls.append(str(function.get("name") or ""))
                        request.tool_calls.append(self.tool_text(function.get("arguments") or ""))
            elif key == "function_call" and isinstance(value, dict):
                request.tool_calls += [str(value.get("name") or ""), self.tool_text(value.get("arguments") or "")]
            elif key == "audio" and isinstance(value, dict):
                request.uncounted.append(f"{where}.audio: an earlier audio reply (billed as audio input)")
            elif value not in ([], {}, False):
                request.uncounted.append(f"{where}.{key}: not counted")

    def openai_part(self, part: Any, where: str, request: Request) -> None:
        if isinstance(part, str):
            request.texts.append(part)
            return
        if not isinstance(part, dict):
            raise InputError(f"{self.where}: {where}: a content part must be an object or a string")
        kind = part.get("type")
        if kind in ("text", "input_text", "output_text", "refusal"):
            text = part.get("text", part.get("refusal"))
            if isinstance(text, str):
                request.texts.append(text)
        elif kind in ("image_url", "input_image"):
            raw = part.get("image_url")
            url = raw.get("url") if isinstance(raw, dict) else raw
            detail = (raw.get("detail") if isinstance(raw, dict) else None) or part.get("detail") or "auto"
            request.images.append(self.image(url, where, detail))
        elif kind in ("input_audio", "audio"):
            request.uncounted.append(f"{where}: audio input (billed at audio rates)")
        elif kind in ("file", "input_file"):
            request.uncounted.append(f"{where}: a file (its pages or text are billed as input)")
        else:
            request.uncounted.append(f"{where}: a {kind!r} part")

    # -- OpenAI Responses -----------------------------------------------------------------------------
    def openai_responses(self, body: dict[str, Any], request: Request) -> None:
        instructions = body.get("instructions")
        if isinstance(instructions, str):
            request.messages += 1
            request.texts += ["developer", instructions]
        items = body.get("input")
        if isinstance(items, str):
            request.messages += 1
            request.texts += ["user", items]
        elif isinstance(items, list):
            for i, item in enumerate(items):
                self.responses_item(item, f"input[{i}]", request)
        elif items is not None:
            raise InputError(f"{self.where}: input: expected text or a list of items")
        for i, tool in enumerate(body.get("tools") or []):
            if isinstance(tool, dict) and tool.get("type") == "function":
                request.tools.append(tool_def(tool.get("name"), tool.get("description"), tool.get("parameters")))
            elif isinstance(tool, dict):
                request.uncounted.append(f"tools[{i}]: built-in tool {tool.get('type')!r} (its use is billed apart)")
        choice = body.get("tool_choice")
        request.tool_choice = choice if isinstance(choice, str) else ("tool" if isinstance(choice, dict) else None)
        text = body.get("text")
        fmt = text.get("format") if isinstance(text, dict) else None
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            request.schema = fmt.get("schema")
        reasoning = body.get("reasoning")
        if isinstance(reasoning, dict) and isinstance(reasoning.get("effort"), str):
            request.reasoning_effort = reasoning["effort"]
            request.reasoning = reasoning["effort"] != "none"
        request.max_output = nonneg_int(body.get("max_output_tokens"))
        self.top_level(body, request, set())

    def responses_item(self, item: Any, where: str, request: Request) -> None:
        if not isinstance(item, dict):
            raise InputError(f"{self.where}: {where}: an input item must be an object")
        kind = item.get("type", "message")
        if kind == "message":
            request.messages += 1
            role = item.get("role")
            if isinstance(role, str):
                request.texts.append(role)
            content = item.get("content")
            if isinstance(content, str):
                request.texts.append(content)
            elif isinstance(content, list):
                for j, part in enumerate(content):
                    self.openai_part(part, f"{where}.content[{j}]", request)
        elif kind == "function_call":
            request.tool_calls += [str(item.get("name") or ""), self.tool_text(item.get("arguments") or "")]
        elif kind == "function_call_output":
            request.tool_calls.append(self.tool_text(item.get("output") or ""))
        else:
            request.uncounted.append(f"{where}: a {kind!r} item (billed as input, not counted)")
