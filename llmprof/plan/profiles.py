"""Measured output lengths and latencies: from a saved bench result (``--profile``) or from saved
API responses (their ``usage`` objects).

A bench result is for one model (its ``--price-as`` name, else the model it called): its
successful requests give the visible output and hidden reasoning tokens (p50, p90) and a latency
model (:mod:`llmprof.plan.latency`). API responses (JSON, a list, or JSONL; OpenAI Chat
Completions and Responses, Anthropic Messages, Gemini; batch output lines too) give the output
length of a task on every model, and their reasoning tokens on the model they name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmprof.errors import InputError, UnknownModelError
from llmprof.files import parse_json, read_text
from llmprof.plan.latency import LatencyModel, measured
from llmprof.plan.sizes import dist_of
from llmprof.plan.workload import Dist
from llmprof.pricing import PriceTable

_RESPONSES_HINT = (
    "pass saved API responses: JSON or JSONL of OpenAI, Anthropic or Gemini response bodies, each with its usage."
)


@dataclass(frozen=True)
class Profile:
    path: Path
    model: str  # as the price table names it
    output: Dist
    reasoning: Dist | None  # None: the API reported no reasoning counts
    latency: LatencyModel
    requests: int
    notes: tuple[str, ...] = ()


def load_profile(path: Path, table: PriceTable) -> Profile:
    from llmprof.bench.resultfile import load

    result = load(path)
    name = result.info.price_as or result.info.model
    try:
        model = table.resolve(name).name
    except UnknownModelError as exc:
        raise InputError(
            f"{path}: a bench result for {name!r}, which the price table does not know",
            "bench with --price-as MODEL (see `llmprof pricing list`), or add its rates with --pricing.",
        ) from exc
    ok = [r for r in result.measured if r.ok and r.e2e_s is not None and r.output_tokens is not None]
    if not ok:
        raise InputError(f"{path}: no successful request to take a profile from", "run the bench again.")
    label = path.name
    reported = [r.reasoning_tokens for r in ok if r.reasoning_tokens is not None]
    visible = [(r.output_tokens or 0) - (r.reasoning_tokens or 0) for r in ok]
    latency, note = measured(
        [float(r.input_tokens_api if r.input_tokens_api is not None else r.input_target) for r in ok],
        [float(r.output_tokens or 0) for r in ok],
        [float(r.e2e_s or 0.0) for r in ok],
        label,
    )
    notes = [note] if note else []
    if result.info.interrupted:
        notes.append(f"{label}: the bench run was interrupted ({result.info.stop_reason}); only what finished is used")
    if result.info.endpoint_kind == "mock":
        notes.append(f"{label}: measured against the built-in mock, not the provider")
    return Profile(
        path=path,
        model=model,
        output=dist_of(visible, label),
        reasoning=dist_of(reported, label) if len(reported) == len(ok) else None,
        latency=latency,
        requests=len(ok),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Usage:
    visible: int
    reasoning: int | None  # None: the API does not split reasoning out
    model: str | None


@dataclass(frozen=True)
class Responses:
    path: Path
    output: Dist
    reasoning: dict[str, Dist]  # by model (as the table names it), where the responses report it
    count: int


def load_responses(path: Path, table: PriceTable) -> Responses:
    text = read_text(path, InputError, _RESPONSES_HINT)
    items: list[tuple[str, Any]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson") or (text.lstrip()[:1] == "{" and "\n{" in text.strip()):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                items.append((f"{path}:{number}", parse_json(line, f"{path}:{number}", InputError, _RESPONSES_HINT)))
    else:
        document = parse_json(text, str(path), InputError, _RESPONSES_HINT)
        listed = document if isinstance(document, list) else [document]
        items = [(f"{path}[{i}]" if isinstance(document, list) else str(path), item) for i, item in enumerate(listed)]
    if not items:
        raise InputError(f"{path}: no responses in it", _RESPONSES_HINT)
    usages = [usage_of(item, where) for where, item in items]
    by_model: dict[str, list[int]] = {}
    for usage in usages:
        if usage.model is not None and usage.reasoning is not None and table.knows(usage.model):
            by_model.setdefault(table.resolve(usage.model).name, []).append(usage.reasoning)
    return Responses(
        path=path,
        output=dist_of([u.visible for u in usages], path.name),
        reasoning={name: dist_of(values, path.name) for name, values in by_model.items()},
        count=len(usages),
    )


def usage_of(item: Any, where: str) -> Usage:
    """Visible output and reasoning tokens of one response, whatever API it came from."""
    body = _unwrap(item)
    if not isinstance(body, dict):
        raise InputError(f"{where}: not a response object", _RESPONSES_HINT)
    model = body.get("model") if isinstance(body.get("model"), str) else body.get("modelVersion")
    model = model if isinstance(model, str) else None
    gemini = body.get("usageMetadata") or body.get("usage_metadata")
    if isinstance(gemini, dict):
        visible = _tokens(gemini, ("candidatesTokenCount", "candidates_token_count"), where, 0)
        thoughts = _tokens(gemini, ("thoughtsTokenCount", "thoughts_token_count"), where, 0)
        return Usage(visible, thoughts, model)
    usage = body.get("usage")
    if not isinstance(usage, dict):
        raise InputError(f"{where}: no usage object in this response", _RESPONSES_HINT)
    if "completion_tokens" in usage:  # OpenAI Chat Completions
        total = _tokens(usage, ("completion_tokens",), where)
        details = usage.get("completion_tokens_details")
        reasoning = _tokens(details, ("reasoning_tokens",), where, 0) if isinstance(details, dict) else None
        return Usage(total - (reasoning or 0), reasoning, model)
    total = _tokens(usage, ("output_tokens",), where)
    details = usage.get("output_tokens_details")
    if isinstance(details, dict):  # OpenAI Responses
        reasoning = _tokens(details, ("reasoning_tokens",), where, 0)
        return Usage(total - reasoning, reasoning, model)
    return Usage(total, None, model)  # Anthropic: thinking is inside output_tokens, billed as output


def _unwrap(item: Any) -> Any:
    """Batch output lines: OpenAI's ``{"response": {"body": ...}}``, Anthropic's
    ``{"result": {"message": ...}}``; Gemini's ``{"response": {...}}``."""
    if not isinstance(item, dict):
        return item
    response = item.get("response")
    if isinstance(response, dict):
        return response.get("body") if isinstance(response.get("body"), dict) else response
    result = item.get("result")
    if isinstance(result, dict) and isinstance(result.get("message"), dict):
        return result["message"]
    return item


def _tokens(data: dict[str, Any], names: tuple[str, ...], where: str, default: int | None = None) -> int:
    for name in names:
        value = data.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"{where}: usage.{name}: expected a whole number of tokens, got {json.dumps(value)}")
        return value
    if default is None:
        raise InputError(f"{where}: usage has no {names[0]}", _RESPONSES_HINT)
    return default
