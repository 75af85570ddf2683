"""A workload file (YAML) -> :class:`~llmprof.plan.workload.Workload`, every error with the file,
line, key and fix (:class:`~llmprof.yamlio.Section`). Paths are relative to the file's folder.

The smallest file::

    tasks:
      support:
        conversation: {system: sys.txt, turns: 6, user_tokens: 80, reply_tokens: 150}
        per_day: 1000
    models: [gpt-4o-mini]
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmprof.errors import ConfigError
from llmprof.plan.levers import LEVERS
from llmprof.plan.workload import (
    Budgets,
    Chat,
    Dist,
    Job,
    Levers,
    Limits,
    ModelSpec,
    Seconds,
    Switch,
    Task,
    Text,
    Workload,
)
from llmprof.yamlio import Section, load_yaml

TOP_KEYS = (
    "name", "tasks", "models", "limits", "latency", "profiles", "responses", "levers", "select", "budgets",
    "reasoning_tokens",
)  # fmt: skip
TASK_KINDS = ("job", "conversation", "agent")
CHAT_KEYS = (
    "system", "system_tokens", "tools", "turns", "user", "user_tokens", "reply_tokens", "reasoning_tokens",
    "think_time",
)  # fmt: skip
AGENT_KEYS = (*CHAT_KEYS, "steps", "tool_call_tokens", "tool_result_tokens", "tool_results", "tool_time")
JOB_KEYS = ("prompts", "repeat", "system", "system_tokens", "output_tokens", "reasoning_tokens", "deadline", "batch")
MODEL_KEYS = ("profile", "rpm", "tpm", "concurrency", "latency")
LIMIT_KEYS = ("rpm", "tpm", "concurrency")
LEVER_KEYS = ("caching", "cache_ttl", "batch", "max_tokens", "keep_last_turns")
BUDGET_KEYS = (
    "max_cost_per_task", "max_cost_per_day", "max_cost_per_month", "max_job_duration", "percentile", "levers",
)  # fmt: skip
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$")
_UNIT_S = {"ms": Decimal("0.001"), "s": Decimal(1), "m": Decimal(60), "min": Decimal(60), "h": Decimal(3600)}
_UNIT_S["d"] = Decimal(86_400)
SIZE_HINT = "write a whole number of tokens >= 0, or {p50: N, p90: M}"


def load(path: Path) -> Workload:
    data = load_yaml(path)
    return parse(Section(str(path), {} if data is None else data), path.parent, path.stem)


def parse(doc: Section, root: Path, default_name: str) -> Workload:
    keys(doc, TOP_KEYS, required=("tasks",))
    tasks = tuple(_task(name, s, root) for name, s in doc.mapping("tasks"))
    if not tasks:
        raise doc.error("tasks", "no tasks", "add a task, e.g. support: {conversation: {...}, per_day: 1000}")
    models = _models(doc, root)
    limits = doc.optional_section("limits")
    select = doc.optional_section("select")
    if select is not None:
        keys(select, ("max_p90_latency",))
    levers = doc.optional_section("levers")
    budgets = doc.optional_section("budgets")
    return Workload(
        name=doc.text("name", default_name),
        source=doc.source,
        tasks=tasks,
        models=models,
        limits=_limits(limits) if limits else Limits(),
        latency=seconds(doc, "latency") if "latency" in doc else None,
        profiles=tuple(root / p for p in doc.str_list("profiles", [])),
        responses=tuple(root / p for p in doc.str_list("responses", [])),
        levers=_levers(levers) if levers else Levers(),
        max_p90_latency=seconds(select, "max_p90_latency").p90 if select and "max_p90_latency" in select else None,
        budgets=_budgets(budgets) if budgets else Budgets(),
        reasoning=size(doc, "reasoning_tokens") if "reasoning_tokens" in doc else None,
        where_models=doc.where("models") if "models" in doc else doc.source,
        where_profiles=doc.where("profiles") if "profiles" in doc else doc.source,
    )


def _task(name: str, s: Section, root: Path) -> Task:
    kinds = [k for k in TASK_KINDS if k in s]
    keys(s, (*TASK_KINDS, "per_day", "total"))
    if len(kinds) != 1:
        raise s.error(
            kinds[1] if kinds else name,
            "a task is exactly one of job, conversation or agent"
            + (f": it has {' and '.join(kinds)}" if kinds else ""),
            "e.g. support: {conversation: {system: sys.txt, turns: 6, user_tokens: 80, reply_tokens: 150}}",
        )
    kind = kinds[0]
    inner = s.section(kind)
    spec: Chat | Job = _job(inner, root) if kind == "job" else _chat(inner, root, kind == "agent")
    if "per_day" in s and "total" in s:
        raise s.error("total", "give per_day or total, not both", "per_day: tasks a day; total: tasks in all.")
    return Task(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        spec=spec,
        per_day=count(s, "per_day", None, 1),
        total=count(s, "total", None, 1),
        where=s.where(kind),
    )


def _chat(s: Section, root: Path, agent: bool) -> Chat:
    keys(s, AGENT_KEYS if agent else CHAT_KEYS, required=() if agent else ("turns",))
    turns = count(s, "turns", 1, 1, "a conversation has at least 1 turn: write turns: 1 or more", MAX_TURNS)
    user = _text(s, "user", "user_tokens", root, required=True)
    assert user is not None
    steps = count(s, "steps", 1, 0, None, MAX_STEPS) if agent else 0
    if turns * (steps + 1) > MAX_CALLS:
        raise s.error(
            "steps" if agent else "turns",
            f"{turns:,} turns of {steps + 1:,} calls each make more than {MAX_CALLS:,} calls",
            "plan a shorter conversation: the cost of a longer one is its calls times their growth.",
        )
    return Chat(
        system=_text(s, "system", "system_tokens", root),
        tools=_path(s, "tools", root),
        turns=turns,
        user=user,
        reply=size(s, "reply_tokens") if "reply_tokens" in s else None,
        reasoning=size(s, "reasoning_tokens") if "reasoning_tokens" in s else None,
        steps=steps,
        tool_call=size(s, "tool_call_tokens") if "tool_call_tokens" in s else Dist.of(0),
        tool_result=_text(s, "tool_results", "tool_result_tokens", root) or Text(Dist.of(0)),
        think_time=seconds(s, "think_time") if "think_time" in s else None,
        tool_time=seconds(s, "tool_time") if "tool_time" in s else None,
    )


def _job(s: Section, root: Path) -> Job:
    keys(s, JOB_KEYS, required=("prompts",))
    prompts = tuple(s.str_list("prompts"))
    if not prompts:
        raise s.error("prompts", "no prompts given", 'list files, folders or globs, e.g. prompts: ["docs/*.txt"]')
    return Job(
        prompts=prompts,
        repeat=count(s, "repeat", 1, 1),
        system=_text(s, "system", "system_tokens", root),
        output=size(s, "output_tokens") if "output_tokens" in s else None,
        reasoning=size(s, "reasoning_tokens") if "reasoning_tokens" in s else None,
        deadline=seconds(s, "deadline").p90 if "deadline" in s else None,
        batch=s.flag("batch", True),
    )


def _text(s: Section, files_key: str, tokens_key: str, root: Path, required: bool = False) -> Text | None:
    if files_key in s and tokens_key in s:
        raise s.error(tokens_key, f"give {files_key} (files) or {tokens_key} (a size), not both")
    if tokens_key in s:
        return Text(size(s, tokens_key), where=s.where(tokens_key))
    if files_key in s:
        names = s.str_list(files_key)
        if not names:
            raise s.error(files_key, "no files given", f"name a file, or give {tokens_key}: N instead")
        files: list[Path] = []
        for name in names:
            found = (
                sorted(p for p in root.glob(name) if p.is_file()) if any(c in name for c in "*?[") else [root / name]
            )
            if not found or not found[0].is_file():
                raise s.error(files_key, f"no such file: {name} (relative to {root})", "check the path.")
            files += found
        return Text(files=tuple(files), where=s.where(files_key))
    if required:
        raise s.error(tokens_key, f"missing: give {tokens_key} (a size in tokens) or {files_key} (sample files)")
    return None


def _path(s: Section, key: str, root: Path) -> Path | None:
    name = s.text(key, None)
    if name is None:
        return None
    if not (root / name).is_file():
        raise s.error(key, f"no such file: {name} (relative to {root})", "check the path.")
    return root / name


REQUIRED_HINTS = {
    "tasks": "add tasks: {NAME: {conversation: {...}}} (see the README's workload section)",
    "turns": "add turns: N, the user messages in one conversation",
    "prompts": 'add prompts: ["docs/*.txt"] (files, folders or globs)',
    "p50": "write both, e.g. {p50: 150, p90: 400}",
    "p90": "write both, e.g. {p50: 150, p90: 400}",
}


def keys(s: Section, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
    """Unknown keys and missing ones are errors that name the fix."""
    try:
        s.check_keys(allowed, required)
    except ConfigError as exc:
        missing = next((k for k in required if k not in s), None)
        hint = exc.hint or (REQUIRED_HINTS.get(missing, f"add {missing}:") if missing else None)
        raise ConfigError(exc.message, hint) from None


#: Bounds that keep a plan computable (every call of a conversation is priced on its own).
MAX_TURNS, MAX_STEPS, MAX_CALLS, MAX_TOKENS = 1_000, 200, 1_000, 1_000_000_000


def count(s: Section, key: str, default: Any, minimum: int, hint: str | None = None, maximum: int = 10**12) -> Any:
    """A whole number from ``minimum`` to ``maximum``; the error names the fix."""
    try:
        value = s.integer(key, default, minimum=minimum)
    except ConfigError as exc:
        raise ConfigError(exc.message, exc.hint or hint or f"write a whole number >= {minimum}") from None
    if value is not None and value is not default and value > maximum:
        raise s.error(key, f"must be at most {maximum:,}, got {value:,}", f"write a whole number <= {maximum:,}")
    return value


def size(s: Section, key: str) -> Dist:
    """``N`` or ``{p50: N, p90: M}`` tokens."""
    if isinstance(s.data.get(key), dict):
        inner = s.section(key)
        keys(inner, ("p50", "p90"), required=("p50", "p90"))
        p50, p90 = (count(inner, q, None, 0, SIZE_HINT, MAX_TOKENS) for q in ("p50", "p90"))
        if p90 < p50:
            raise inner.error("p90", f"p90 ({p90}) is below p50 ({p50})", "the p90 is at least the p50.")
        return Dist(p50, p90)
    return Dist.of(count(s, key, None, 0, SIZE_HINT, MAX_TOKENS))


def seconds(s: Section, key: str) -> Seconds:
    """``1.4`` (seconds), ``"1.4s"``, ``"250ms"``, ``"5m"``, ``"2h"``, or ``{p50: ..., p90: ...}``."""
    value = s.data.get(key)
    if isinstance(value, dict):
        inner = s.section(key)
        keys(inner, ("p50", "p90"), required=("p50", "p90"))
        p50, p90 = seconds(inner, "p50").p50, seconds(inner, "p90").p50
        if p90 < p50:
            raise inner.error("p90", "the p90 is below the p50", "the p90 is at least the p50.")
        return Seconds(p50, p90)
    one = duration(value)
    if one is None:
        raise s.error(key, f"expected a duration, got {value!r}", 'write e.g. 1.4 (seconds), "250ms", "5m" or "2h"')
    return Seconds(one, one)


def duration(value: Any) -> Decimal | None:
    """Seconds from a number or a text with a unit; None when it is neither (or negative)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value) if value >= 0 else None
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if match is None:
        return None
    return Decimal(match.group(1)) * _UNIT_S[match.group(2) or "s"]


def _models(doc: Section, root: Path) -> tuple[ModelSpec, ...]:
    if "models" not in doc:
        return ()
    if isinstance(doc.data.get("models"), dict):
        specs = []
        for name, s in doc.mapping("models"):
            keys(s, MODEL_KEYS)
            profile = s.text("profile", None)
            specs.append(
                ModelSpec(
                    name=name,
                    profile=root / profile if profile else None,
                    limits=_limits(s),
                    latency=seconds(s, "latency") if "latency" in s else None,
                    where=doc.where("models"),
                )
            )
        return tuple(specs)
    names = doc.str_list("models")
    return tuple(ModelSpec(name=n, where=doc.where("models")) for n in names)


def _limits(s: Section) -> Limits:
    if s.path.endswith("limits"):
        keys(s, LIMIT_KEYS)
    return Limits(
        rpm=count(s, "rpm", None, 1), tpm=count(s, "tpm", None, 1), concurrency=count(s, "concurrency", None, 1)
    )


def _switch(s: Section, key: str) -> Switch:
    value = s.data.get(key, "auto")
    if value in ("auto", None):
        return "auto"
    if isinstance(value, bool):
        return "on" if value else "off"
    raise s.error(key, f"expected auto, true or false, got {value!r}", "auto shows it where it applies.")


def _levers(s: Section) -> Levers:
    keys(s, LEVER_KEYS)
    ttl = s.text("cache_ttl", None)
    if ttl is not None and not re.fullmatch(r"\d+[mhd]", ttl):
        raise s.error("cache_ttl", f"{ttl!r} is not a cache lifetime", "write it like 5m or 1h.")
    return Levers(
        caching=_switch(s, "caching"),
        cache_ttl=ttl,
        batch=_switch(s, "batch"),
        max_tokens=count(s, "max_tokens", None, 1),
        keep_last_turns=count(s, "keep_last_turns", None, 0),
    )


def _budgets(s: Section) -> Budgets:
    keys(s, BUDGET_KEYS)
    percentile = s.text("percentile", "p90")
    if percentile not in ("p50", "p90"):
        raise s.error("percentile", f"expected p50 or p90, got {percentile!r}", "p90 gates the pessimistic figure.")
    levers = tuple(s.str_list("levers", []))
    for lever in levers:
        if lever not in LEVERS:
            raise s.error("levers", f"unknown lever {lever!r}", f"use some of: {', '.join(LEVERS)}.")
    return Budgets(
        max_cost_per_task=s.decimal("max_cost_per_task", None),
        max_cost_per_day=s.decimal("max_cost_per_day", None),
        max_cost_per_month=s.decimal("max_cost_per_month", None),
        max_job_duration=seconds(s, "max_job_duration").p90 if "max_job_duration" in s else None,
        percentile=percentile,  # type: ignore[arg-type]
        levers=levers,
        where=s.where("levers") if "levers" in s else s.path,
        lines={"": s.line, **{name: s.line_of(name) for name in BUDGET_KEYS if name in s}},
    )
