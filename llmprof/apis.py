"""The LLM APIs llmprof speaks, by name: the one list that the command line, ``llmprof.yaml``
and ``bench`` all read. The wire formats themselves live in :mod:`llmprof.bench.providers`."""

from __future__ import annotations

from dataclasses import dataclass

from llmprof.errors import UsageError


@dataclass(frozen=True)
class Api:
    name: str
    key_env: str  # where its key is read from, unless --api-key-env says otherwise
    module: str  # the module with its wire format
    cls: str
    serves: str  # for help texts


APIS: dict[str, Api] = {
    "openai": Api(
        "openai", "OPENAI_API_KEY", "llmprof.bench.providers.openai", "OpenAI", "OpenAI, vLLM, Ollama, llama.cpp, ..."
    ),
    "anthropic": Api("anthropic", "ANTHROPIC_API_KEY", "llmprof.bench.providers.anthropic", "Anthropic", "Anthropic"),
    "gemini": Api("gemini", "GEMINI_API_KEY", "llmprof.bench.providers.gemini", "Gemini", "Google Gemini"),
}


def check_api(name: str) -> str:
    if name not in APIS:
        raise UsageError(f"unknown provider {name!r}", f"use one of: {', '.join(APIS)}")
    return name
