"""The command line's workload: prompts given as paths become one job, and a workload file gets
the flags laid over it (flag > file)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from llmprof.errors import UsageError
from llmprof.plan.parse import load
from llmprof.plan.workload import Dist, Job, Levers, Limits, ModelSpec, Seconds, Switch, Task, Workload


@dataclass(frozen=True, kw_only=True)
class Flags:
    """The command line's workload options; each overrides the workload file's (flag > file)."""

    models: tuple[str, ...] = ()
    output: Dist | None = None
    reasoning: Dist | None = None
    requests: int = 1
    per_day: int | None = None
    limits: Limits = field(default_factory=Limits)
    latency: Seconds | None = None
    profiles: tuple[Path, ...] = ()
    responses: tuple[Path, ...] = ()
    caching: Switch | None = None
    cache_ttl: str | None = None
    batch: Switch | None = None
    max_tokens: int | None = None
    keep_last_turns: int | None = None
    max_p90_latency: Decimal | None = None


def workload_from(paths: list[str], flags: Flags) -> Workload:
    """A workload file (one ``.yaml`` path) with the flags laid over it, or prompts on the command
    line as one job: each prompt sent ``--requests`` times."""
    if len(paths) == 1 and Path(paths[0]).suffix.lower() in (".yaml", ".yml"):
        for flag, value in (("--output-tokens", flags.output), ("--per-day", flags.per_day)):
            if value is not None:
                raise UsageError(
                    f"{flag} is for prompts on the command line",
                    f"set it in {paths[0]} (output_tokens / reply_tokens, per_day), or drop it.",
                )
        if flags.requests != 1:
            raise UsageError("--requests is for prompts on the command line", f"set repeat: N in {paths[0]}.")
        return _overlay(load(Path(paths[0])), flags)
    if any(Path(p).suffix.lower() in (".yaml", ".yml") for p in paths):
        raise UsageError("a workload file is planned on its own", "pass one .yaml workload, or prompt files only.")
    first = "stdin" if paths[0] == "-" else Path(paths[0]).name or paths[0]
    name = first if len(paths) == 1 else f"{first} and {len(paths) - 1} more"
    job = Job(prompts=tuple(paths), repeat=flags.requests, output=flags.output, reasoning=flags.reasoning)
    task = Task(name=name, kind="job", spec=job, per_day=flags.per_day, where=name)
    return _overlay(
        Workload(name=name, source=None, tasks=(task,), models=()),
        flags,
    )


def _overlay(w: Workload, flags: Flags) -> Workload:
    models = tuple(ModelSpec(name=m, where="-m") for m in flags.models) if flags.models else w.models
    if flags.models and w.models:  # keep what the file says about a model the flags name again
        known = {s.name.lower(): s for s in w.models}
        models = tuple(known.get(m.name.lower(), m) for m in models)
    levers = w.levers
    levers = Levers(
        caching=flags.caching or levers.caching,
        cache_ttl=flags.cache_ttl or levers.cache_ttl,
        batch=flags.batch or levers.batch,
        max_tokens=flags.max_tokens if flags.max_tokens is not None else levers.max_tokens,
        keep_last_turns=flags.keep_last_turns if flags.keep_last_turns is not None else levers.keep_last_turns,
    )
    if flags.limits != Limits():  # flags beat every limit in the file, per model too
        models = tuple(replace(m, limits=flags.limits.over(m.limits)) for m in models)
    if flags.latency is not None:
        models = tuple(replace(m, latency=flags.latency) for m in models)
    tasks = w.tasks
    if flags.reasoning is not None:
        tasks = tuple(replace(t, spec=replace(t.spec, reasoning=flags.reasoning)) for t in tasks)
    return replace(
        w,
        tasks=tasks,
        models=models,
        limits=flags.limits.over(w.limits),
        latency=flags.latency or w.latency,
        profiles=w.profiles + flags.profiles,
        responses=w.responses + flags.responses,
        levers=levers,
        max_p90_latency=flags.max_p90_latency if flags.max_p90_latency is not None else w.max_p90_latency,
        reasoning=flags.reasoning or w.reasoning,
        where_models="-m" if flags.models else w.where_models,
    )
