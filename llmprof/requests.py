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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from llmprof.errors import InputError
from llmprof.images import Detail, Size, size_of_base64, size_of_data_url, size_of_file

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


def messages_request(messages: list[Any], where: str, model: str | None = None) -> Request:
    """A bare list of chat messages (OpenAI's shape unless its blocks are Anthropic's)."""
    shape: Shape = "anthropic" if _anthropic_blocks(messages) else "openai-chat"
    return parse({"messages": messages, **({"model": model} if model else {})}, where, shape)


def parse(document: Any, where: str, shape: str = "auto", base: Path | None = None) -> Request:
    """Read one request body. ``base`` is where local image paths are resolved from."""
    if isinstance(document, str):
        return text_request(document, where)
    if isinstance(document, list):
        if not document or not all(isinstance(m, dict) for m in document):
            raise _not_a_request(where)
        return messages_request(document, where)
    if not isinstance(document, dict):
        raise _not_a_request(where)
    body = document
    if isinstance(document.get("body"), dict) and set(document) <= {"custom_id", "method", "url", "body"}:  # batch line
        body = document["body"]
        if not isinstance(body, dict):
            raise InputError(f"{where}: body: expected an object")
        if shape == "auto" and str(document.get("url", "")).endswith("/responses"):
            shape = "openai-responses"
    chosen = detect(body) if shape == "auto" else shape
    if chosen is None:
        raise _not_a_request(where)
    reader = _Reader(where, base)
    request = Request(where=where, shape=chosen)  # type: ignore[arg-type]
    model = body.get("model")
    request.model = model if isinstance(model, str) and model else None
    {
        "openai-chat": reader.openai_chat,
        "openai-responses": reader.openai_responses,
        "anthropic": reader.anthropic,
        "gemini": reader.gemini,
        "text": reader.text,
    }[chosen](body, request)
    return request


def detect(body: dict[str, Any]) -> Shape | None:
    """The API shape of a request body, from what it contains."""
    if isinstance(body.get("contents"), list) or any(k in body for k in ("systemInstruction", "system_instruction")):
        return "gemini"
    if isinstance(body.get("messages"), list):
        model = str(body.get("model") or "").lower()
        if "system" in body or "claude" in model or _anthropic_blocks(body["messages"]):
            return "anthropic"
        return "openai-chat"
    if "input" in body or "instructions" in body:
        return "openai-responses"
    if isinstance(body.get("prompt"), str):
        return "text"
    return None


def _anthropic_blocks(messages: list[Any]) -> bool:
    """Content blocks only Anthropic's API has (an image with a ``source`` is Anthropic's too)."""
    kinds = {"tool_use", "tool_result", "document", "thinking", "redacted_thinking", "search_result"}
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and (
                block.get("type") in kinds or (block.get("type") == "image" and "source" in block)
            ):
                return True
    return False


def _not_a_request(where: str) -> InputError:
    return InputError(
        f"{where}: not a request shape llmprof knows",
        "expected an OpenAI chat or Responses body, an Anthropic Messages body, a Gemini generateContent "
        'body, an OpenAI batch line {"custom_id", "body"}, a list of messages, or {"prompt": "..."}; '
        "or pass --format-in text.",
    )


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


class _Reader:
    """Reads one body into a Request, naming every uncounted part with where it is."""

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
                    _tool(function.get("name"), function.get("description"), function.get("parameters"))
                )
            elif isinstance(tool, dict) and tool.get("type") not in (None, "function"):
                request.uncounted.append(f"tools[{i}]: built-in tool {tool.get('type')!r} (its use is billed apart)")
        for function in body.get("functions") or []:  # the legacy form
            if isinstance(function, dict):
                request.tools.append(
                    _tool(function.get("name"), function.get("description"), function.get("parameters"))
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
        request.max_output = _int(body.get("max_completion_tokens")) or _int(body.get("max_tokens"))
        request.choices = _int(body.get("n")) or 1
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
                request.tools.append(_tool(tool.get("name"), tool.get("description"), tool.get("parameters")))
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
        request.max_output = _int(body.get("max_output_tokens"))
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
                request.tools.append(_tool(tool.get("name"), tool.get("description"), tool.get("input_schema")))
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
            request.reasoning_budget = _int(thinking.get("budget_tokens"))
        elif kind == "adaptive":
            request.reasoning_effort = "adaptive"
        request.max_output = _int(body.get("max_tokens"))
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
            source = _object(block.get("source"))
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
            source = _object(block.get("source"))
            if source.get("type") == "text" and isinstance(source.get("data"), str):
                request.texts.append(source["data"])
            else:
                request.uncounted.append(f"{where}: a document (its pages are billed as text and images)")
        elif kind == "search_result":
            request.texts.append(self.tool_text(block.get("content") or ""))
        else:
            request.uncounted.append(f"{where}: a {kind!r} block")

    # -- Gemini generateContent ------------------------------------------------------------------------
    def gemini(self, body: dict[str, Any], request: Request) -> None:
        system = self.field(body, "systemInstruction", "system_instruction")
        if isinstance(system, dict):
            request.messages += 1
            request.texts.append("system")
            for j, part in enumerate(system.get("parts") or []):
                self.gemini_part(part, f"systemInstruction.parts[{j}]", request)
        elif isinstance(system, str):
            request.messages += 1
            request.texts += ["system", system]
        contents = body.get("contents")
        if isinstance(contents, dict):
            contents = [contents]
        if not isinstance(contents, list):
            raise InputError(f"{self.where}: contents: expected a list")
        for i, content in enumerate(contents):
            if not isinstance(content, dict):
                raise InputError(f"{self.where}: contents[{i}]: expected an object")
            request.messages += 1
            role = content.get("role")
            request.texts.append(role if isinstance(role, str) else "user")
            for j, part in enumerate(content.get("parts") or []):
                self.gemini_part(part, f"contents[{i}].parts[{j}]", request)
        for i, tool in enumerate(body.get("tools") or []):
            if not isinstance(tool, dict):
                continue
            declarations = self.field(tool, "functionDeclarations", "function_declarations")
            for declaration in declarations or []:
                if isinstance(declaration, dict):
                    parameters = self.field(declaration, "parameters", "parametersJsonSchema", "parameters_json_schema")
                    request.tools.append(_tool(declaration.get("name"), declaration.get("description"), parameters))
            for other in set(tool) - {"functionDeclarations", "function_declarations"}:
                request.uncounted.append(f"tools[{i}].{other}: a built-in tool (its use is billed apart)")
        config = self.field(body, "generationConfig", "generation_config") or {}
        if isinstance(config, dict):
            request.max_output = _int(self.field(config, "maxOutputTokens", "max_output_tokens"))
            request.choices = _int(self.field(config, "candidateCount", "candidate_count")) or 1
            request.schema = self.field(
                config, "responseJsonSchema", "response_json_schema", "responseSchema", "response_schema"
            )
            thinking = self.field(config, "thinkingConfig", "thinking_config")
            if isinstance(thinking, dict):
                budget = _int_or_dynamic(self.field(thinking, "thinkingBudget", "thinking_budget"))
                request.reasoning_budget = budget if budget and budget > 0 else None
                level = self.field(thinking, "thinkingLevel", "thinking_level")
                request.reasoning_effort = level if isinstance(level, str) else None
                if budget is not None:  # 0 turns thinking off; -1 (dynamic) or N turns it on
                    request.reasoning = budget != 0
                elif request.reasoning_effort is not None:
                    request.reasoning = True
        self.top_level(body, request, set())

    def gemini_part(self, part: Any, where: str, request: Request) -> None:
        if not isinstance(part, dict):
            raise InputError(f"{self.where}: {where}: a part must be an object")
        if isinstance(part.get("text"), str):
            request.texts.append(part["text"])
        inline = self.field(part, "inlineData", "inline_data")
        if isinstance(inline, dict):
            mime = str(self.field(inline, "mimeType", "mime_type") or "")
            if mime.startswith("image/"):
                request.images.append(Image(where, size_of_base64(str(inline.get("data") or "")), "auto", "inline"))
            else:
                request.uncounted.append(f"{where}: inline {mime or 'data'} (billed by its length or pages)")
        file_data = self.field(part, "fileData", "file_data")
        if isinstance(file_data, dict):
            mime = str(self.field(file_data, "mimeType", "mime_type") or "")
            if mime.startswith("image/"):
                request.images.append(Image(where, None, "auto", "url"))
            else:
                request.uncounted.append(f"{where}: an uploaded {mime or 'file'} (billed as input)")
        call = self.field(part, "functionCall", "function_call")
        if isinstance(call, dict):
            request.tool_calls += [str(call.get("name") or ""), self.tool_text(call.get("args") or {})]
        response = self.field(part, "functionResponse", "function_response")
        if isinstance(response, dict):
            request.tool_calls += [str(response.get("name") or ""), self.tool_text(response.get("response") or {})]
        code = self.field(part, "executableCode", "executable_code")
        if isinstance(code, dict):
            request.texts.append(str(code.get("code") or ""))
        result = self.field(part, "codeExecutionResult", "code_execution_result")
        if isinstance(result, dict):
            request.texts.append(str(result.get("output") or ""))

    # -- plain text -----------------------------------------------------------------------------------
    def text(self, body: dict[str, Any], request: Request) -> None:
        prompt = body.get("prompt")
        if not isinstance(prompt, str):
            raise InputError(f"{self.where}: prompt: expected text")
        request.texts.append(prompt)
        request.max_output = _int(body.get("max_tokens"))
        self.top_level(body, request, set())


def _tool(name: Any, description: Any, parameters: Any) -> dict[str, Any]:
    return {
        "name": name if isinstance(name, str) else "",
        "description": description if isinstance(description, str) else "",
        "parameters": parameters if isinstance(parameters, dict) else {},
    }


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _int_or_dynamic(value: Any) -> int | None:
    """A Gemini thinking budget: N, 0 (off) or -1 (dynamic: the model decides)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= -1 else None
