"""Reading Gemini generateContent bodies (camelCase and snake_case alike)."""

from __future__ import annotations

from typing import Any

from llmprof.errors import InputError
from llmprof.images import size_of_base64
from llmprof.requests.base import BaseReader, int_or_dynamic, nonneg_int, tool_def
from llmprof.requests.model import Image, Request


class GeminiReader(BaseReader):
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
                    request.tools.append(tool_def(declaration.get("name"), declaration.get("description"), parameters))
            for other in set(tool) - {"functionDeclarations", "function_declarations"}:
                request.uncounted.append(f"tools[{i}].{other}: a built-in tool (its use is billed apart)")
        config = self.field(body, "generationConfig", "generation_config") or {}
        if isinstance(config, dict):
            request.max_output = nonneg_int(self.field(config, "maxOutputTokens", "max_output_tokens"))
            request.choices = nonneg_int(self.field(config, "candidateCount", "candidate_count")) or 1
            request.schema = self.field(
                config, "responseJsonSchema", "response_json_schema", "responseSchema", "response_schema"
            )
            thinking = self.field(config, "thinkingConfig", "thinking_config")
            if isinstance(thinking, dict):
                budget = int_or_dynamic(self.field(thinking, "thinkingBudget", "thinking_budget"))
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
