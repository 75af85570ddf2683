"""A workload's files, counted on each model: system prompts, tool definitions, sample user
messages and tool results, and a job's prompts (everything ``estimate`` reads). The counting
rules are :mod:`llmprof.counting`'s; sizes given as numbers are taken as that model's tokens.

Every size keeps its exactness: a file counted with an approximate tokenizer makes the task's
figure ``approx`` (with its range), framing other than OpenAI's published rule is ``approx``, and
whatever a request carries that cannot be counted makes it a lower bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmprof.counting import Label, count_request, text_counter, worst
from llmprof.errors import InputError
from llmprof.estimate import Settings, count_sources, reasoning_for
from llmprof.files import parse_json, read_text
from llmprof.inputs import Source, collect_sources
from llmprof.plan.schedule import ChatSizes, Framing, JobPrompt
from llmprof.plan.workload import Chat, Dist, Job, Text
from llmprof.pricing import ModelPrice
from llmprof.requests import Request, parse
from llmprof.stats import percentile
from llmprof.tokens import REPLY_PRIMING, TOKENS_PER_MESSAGE

ROLES = ("system", "user", "assistant", "tool")


@dataclass
class Measure:
    """How exactly a task's sizes were counted on one model."""

    count: Label = "exact"
    spread: float = 0.0
    counting: str | None = None
    uncounted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, label: Label, spread: float = 0.0, counting: str | None = None) -> None:
        self.count = worst(self.count, label)
        self.spread = max(self.spread, spread)
        self.counting = self.counting or counting


def dist_of(values: Sequence[int], source: str) -> Dist:
    """The p50 and p90 of measured sizes (linear interpolation), rounded up to whole tokens."""
    return Dist(
        math.ceil(percentile([float(v) for v in values], 50)),
        math.ceil(percentile([float(v) for v in values], 90)),
        source,
    )


def framing(model: ModelPrice, measure: Measure) -> Framing:
    counter = text_counter(model.name, model.tokenizer)
    published = model.provider == "openai" and counter.label == "exact"
    measure.add("exact" if published else "approx", counter.spread if not published else 0.0, counter.note)
    return Framing(TOKENS_PER_MESSAGE, REPLY_PRIMING, {role: counter.count(role) for role in ROLES})


def measure_text(text: Text, model: ModelPrice, measure: Measure) -> Dist:
    """A size given in tokens, or the p50/p90 of files counted on ``model``."""
    if text.tokens is not None:
        return text.tokens
    counter = text_counter(model.name, model.tokenizer)
    counts = [counter.count(read_text(path, InputError)) for path in text.files]
    measure.add(counter.label, counter.spread, counter.note)
    names = text.files[0].name if len(text.files) == 1 else f"{len(text.files)} files"
    return dist_of(counts, names)


def tool_definitions(path: Path, model: ModelPrice, measure: Measure) -> int:
    """Tool definitions (a JSON list, OpenAI's or Anthropic's form) counted by counting's rule."""
    data = parse_json(read_text(path, InputError), str(path), InputError, _TOOLS_HINT)
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        data = data["tools"]
    if not isinstance(data, list) or not data or not all(isinstance(t, dict) for t in data):
        raise InputError(f"{path}: expected a JSON list of tool definitions", _TOOLS_HINT)
    anthropic = any("input_schema" in tool for tool in data)
    tools: list[Any] = data if anthropic else [_openai_tool(tool) for tool in data]
    request = parse({"messages": [], "tools": tools}, str(path), "anthropic" if anthropic else "openai-chat")
    if len(request.tools) != len(data):
        raise InputError(f"{path}: {len(data) - len(request.tools)} item(s) are not tool definitions", _TOOLS_HINT)
    part = count_request(request, model).parts["tools"]
    measure.add(part.count)
    measure.notes += [f"tools: {n}" for n in part.notes if f"tools: {n}" not in measure.notes]
    return part.tokens


_TOOLS_HINT = (
    'write a list of {"type": "function", "function": {"name", "description", "parameters"}} '
    '(OpenAI) or {"name", "description", "input_schema"} (Anthropic).'
)


def _openai_tool(tool: dict[str, Any]) -> Any:
    return tool if "function" in tool else {"type": "function", "function": tool}


def chat_sizes(spec: Chat, model: ModelPrice, measure: Measure) -> ChatSizes:
    chat = framing(model, measure)
    if spec.steps:
        measure.add("approx")
        note = "tool calls and results: no provider publishes their framing (3 tokens a message assumed)"
        if note not in measure.notes:
            measure.notes.append(note)
    return ChatSizes(
        framing=chat,
        system=measure_text(spec.system, model, measure) if spec.system is not None else None,
        tools=tool_definitions(spec.tools, model, measure) if spec.tools is not None else 0,
        user=measure_text(spec.user, model, measure),
        tool_result=measure_text(spec.tool_result, model, measure),
    )


def chat_reasoning(model: ModelPrice, where: str, assumed: int | None) -> tuple[int, str]:
    """Reasoning per call of a conversation, and how it was reached (see ``reasoning_for``)."""
    return reasoning_for(model, Request(where=where, shape="openai-chat"), assumed)


@dataclass
class Counted:
    """A job's prompts counted on one model."""

    prompts: list[JobPrompt] = field(default_factory=list)
    reasoning_how: set[str] = field(default_factory=set)
    measure: Measure = field(default_factory=Measure)
    labels: list[str] = field(default_factory=list)


def job_sources(
    spec: Job,
    root: Path | None,
    glob: str | None = None,
    encoding: str = "utf-8",
    note: Callable[[str], None] = lambda _: None,
) -> list[Source]:
    """The job's prompt files: paths, folders and globs (relative to ``root``, the workload's folder)."""
    paths: list[str] = []
    for pattern in spec.prompts:
        if root is not None and not Path(pattern).is_absolute():
            if any(ch in pattern for ch in "*?["):
                matches = sorted(str(p) for p in root.glob(pattern) if p.is_file())
                if not matches:
                    raise InputError(f"{pattern}: no file matches it (relative to {root})", "fix the pattern.")
                paths += matches
                continue
            pattern = str(root / pattern)
        paths.append(pattern)
    return collect_sources(paths, glob, note, encoding)


def job_prompts(sources: Sequence[Source], models: Sequence[ModelPrice], encoding: str = "utf-8") -> dict[str, Counted]:
    """Every prompt of every source counted on every model (on worker threads)."""
    found = {m.name: Counted() for m in models}
    for counted in count_sources(sources, lambda request: models, Settings(), encoding):
        if not counted.requests:
            raise InputError(f"{counted.label}: no prompts in it", "remove it from the job, or fill it.")
        for request, counts in counted.requests:
            for model in models:
                target = found[model.name]
                count = counts[model.name]
                reasoning, how = reasoning_for(model, request, None)
                target.reasoning_how.add(how)
                target.prompts.append(JobPrompt(count.total, request.chat, reasoning, request.choices))
                target.measure.add(count.count, count.spread, count.note)
                target.measure.uncounted += [f"{request.where}: {u}" for u in count.uncounted]
                target.labels.append(request.where)
    return found
