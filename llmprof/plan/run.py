"""A workload on every model: count its files, read its profiles, resolve each task's output
lengths, reasoning and latency, and explore the levers (:func:`plan`). The I/O happens here; the
arithmetic is in the pure modules it calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from llmprof.check.evaluate import BudgetResult
from llmprof.errors import ConfigError, InputError, UnknownModelError, UsageError
from llmprof.plan import sizes
from llmprof.plan.figures import Inputs
from llmprof.plan.latency import LatencyModel, given
from llmprof.plan.levers import Explored, explore
from llmprof.plan.profiles import Profile, Responses, load_profile, load_responses
from llmprof.plan.select import Choice, choose
from llmprof.plan.workload import Chat, Dist, Job, Limits, Task, Workload
from llmprof.pricing import ModelPrice, PriceTable


@dataclass
class Plan:
    workload: Workload
    table: PriceTable
    as_of: dt.date
    models: list[ModelPrice]
    results: list[Explored]  # task by task, each on every model in order
    choices: list[Choice] = field(default_factory=list)
    budgets: list[BudgetResult] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    responses: list[Responses] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def unpriced(self) -> str | None:
        """Why some figures could not be priced (a missing rate), or None."""
        missing = [f"{r.inputs.task.name} on {r.inputs.model.name}: {r.unpriced}" for r in self.results if r.unpriced]
        asked = self.workload.levers.asked
        missing += [
            f"{r.inputs.task.name} on {r.inputs.model.name}: {o.label}: {o.reason}"
            for r in self.results
            for o in r.options
            if o.unpriced and o.lever in asked
        ]
        return "not priced: " + "; ".join(dict.fromkeys(missing)) if missing else None


def plan(
    workload: Workload,
    table: PriceTable,
    as_of: dt.date,
    note: Callable[[str], None] = lambda _: None,
    encoding: str = "utf-8",
    glob: str | None = None,
) -> Plan:
    models = _models(workload, table, as_of)
    profiles = _profiles(workload, table, models)
    responses = [load_responses(path, table) for path in workload.responses]
    result = Plan(workload, table, as_of, models, [], profiles=list(profiles.values()), responses=responses)
    root = Path(workload.source).parent if workload.source else None
    for task in workload.tasks:
        counted: dict[str, sizes.Counted] = {}
        if isinstance(task.spec, Job):
            sources = sizes.job_sources(task.spec, root, glob, encoding, note)
            counted = sizes.job_prompts(sources, models, encoding)
        for model in models:
            inputs = _inputs(task, model, workload, as_of, profiles.get(model.name), responses, counted.get(model.name))
            result.results.append(explore(inputs, workload.levers))
    for profile in profiles.values():
        result.notes += [n for n in profile.notes if n not in result.notes]
    for model in models:
        warning = model.lifecycle(as_of)
        if warning:
            result.warnings.append(warning)
    result.warnings += _limits_warnings(result.results)
    result.choices = choose(result.results, models, workload.max_p90_latency)
    if workload.budgets.any:
        from llmprof.plan.budgets import evaluate_budgets

        result.budgets = evaluate_budgets(result.results, workload.budgets)
    return result


def _limits_warnings(results: list[Explored]) -> list[str]:
    """Calls the API would refuse: over the context window or the maximum output (at p90)."""
    warnings = []
    for explored in results:
        model, figure = explored.inputs.model, explored.plain.get("p90")
        if figure is None:
            continue
        who = f"{explored.inputs.task.name} on {model.name}"
        if model.context_window and figure.max_prompt + figure.max_output > model.context_window:
            warnings.append(
                f"{who}: a call of {figure.max_prompt:,} prompt + {figure.max_output:,} output tokens (p90) exceeds "
                f"its context window of {model.context_window:,}: the API would refuse it (--keep-last-turns trims)"
            )
        if model.max_output and figure.max_output > model.max_output:
            warnings.append(
                f"{who}: {figure.max_output:,} output tokens (p90) exceed its maximum output of {model.max_output:,}"
            )
    return warnings


def _models(workload: Workload, table: PriceTable, as_of: dt.date) -> list[ModelPrice]:
    if not workload.models:
        raise UsageError("no model to plan for", "pass -m MODEL, or list models: in the workload file.")
    found: dict[str, ModelPrice] = {}
    for spec in workload.models:
        try:
            model = table.resolve(spec.name)
        except UnknownModelError as exc:
            if workload.source is None or spec.where == "-m":
                raise
            raise ConfigError(f"{spec.where}: unknown model {spec.name!r}", exc.hint) from exc
        model.period_on(as_of)  # fail before counting if it had no price then
        found.setdefault(model.name, model)
    return list(found.values())


def _profiles(workload: Workload, table: PriceTable, models: list[ModelPrice]) -> dict[str, Profile]:
    names = [m.name for m in models]
    paths = [(p, workload.where_profiles) for p in workload.profiles]
    paths += [(s.profile, s.where) for s in workload.models if s.profile is not None]
    found: dict[str, Profile] = {}
    for path, where in paths:
        profile = load_profile(path, table)
        owner = next((s for s in workload.models if s.profile == path), None)
        if owner is not None and table.resolve(owner.name).name != profile.model:
            raise ConfigError(
                f"{owner.where}: {owner.name}: profile {path.name} is a bench of {profile.model}",
                f"give {owner.name} a bench result of {owner.name}, or move the profile under {profile.model}.",
            )
        if profile.model not in names:
            raise InputError(
                f"{path}: a profile for {profile.model}, which this plan does not compare ({', '.join(names)})",
                f"add -m {profile.model} (or list it in models:), or pass a bench result of a model you compare.",
            )
        if profile.model in found:
            raise UsageError(
                f"two profiles for {profile.model}: {found[profile.model].path} and {path}",
                f"pass one bench result per model ({where}).",
            )
        found[profile.model] = profile
    return found


def _reasoning_dist(task: Task, workload: Workload) -> Dist | None:
    spec = task.spec
    return spec.reasoning or workload.reasoning


def _inputs(
    task: Task,
    model: ModelPrice,
    workload: Workload,
    as_of: dt.date,
    profile: Profile | None,
    responses: list[Responses],
    counted: sizes.Counted | None,
) -> Inputs:
    measure = counted.measure if counted is not None else sizes.Measure()
    framing = sizes.framing(model, measure)
    notes: list[str] = []
    spec = task.spec
    explicit = spec.reply if isinstance(spec, Chat) else spec.output
    output = explicit or (responses[0].output if responses else None) or (profile.output if profile else None)
    if output is None:
        if isinstance(spec, Chat):
            raise ConfigError(
                f"{task.where}: no reply length for {model.name}",
                "give reply_tokens: N (or {p50: N, p90: M}), or a --profile / responses: file to measure it.",
            )
        output = Dist.of(0, "none given")
        notes.append(
            f"{task.name}: output 0 tokens, so no completion is priced (give output_tokens or --output-tokens)"
        )
    elif explicit is None:
        notes.append(
            f"{task.name} on {model.name}: output {output.describe()} tokens a call, measured in {output.source}"
        )
    else:
        what = "reply" if isinstance(spec, Chat) else "request"
        notes.append(f"{task.name}: output {output.describe()} tokens a {what} (given)")
    allowance = _reasoning_dist(task, workload)
    if allowance is None and profile is not None and profile.reasoning is not None:
        allowance = profile.reasoning
    for found in responses:
        if allowance is None and model.name in found.reasoning:
            allowance = found.reasoning[model.name]
    hows: set[str] = set()
    reasoning = Dist.of(0)
    if isinstance(spec, Chat):
        _, how = sizes.chat_reasoning(model, task.where, allowance.p50 if allowance else None)
        hows.add(how)
        if how == "assumed" and allowance is not None:
            reasoning = allowance
    elif allowance is not None:
        hows = {"assumed"} if model.reasoning != "none" and model.kind == "chat" else {"none"}
        reasoning = allowance if "assumed" in hows else reasoning
    elif counted is not None:
        hows = set(counted.reasoning_how)
    given_reasoning = "assumed" in hows
    return Inputs(
        task=task,
        model=model,
        as_of=as_of,
        framing=framing,
        output=output,
        reasoning=reasoning,
        reasoning_given=given_reasoning,
        chat=sizes.chat_sizes(spec, model, measure) if isinstance(spec, Chat) else None,
        prompts=tuple(counted.prompts) if counted is not None else (),
        job_system=_job_system(spec, model, measure),
        latency=_latency(model, workload, profile),
        limits=_limits(model, workload),
        count=measure.count,
        spread=measure.spread,
        counting=measure.counting,
        reasoning_how=frozenset(hows),
        uncounted=tuple(measure.uncounted),
        notes=tuple(notes + [f"{task.name} on {model.name}: {n}" for n in measure.notes]),
    )


def _job_system(spec: Chat | Job, model: ModelPrice, measure: sizes.Measure) -> Dist | None:
    if isinstance(spec, Job) and spec.system is not None:
        return sizes.measure_text(spec.system, model, measure)
    return None


def _latency(model: ModelPrice, workload: Workload, profile: Profile | None) -> LatencyModel | None:
    if profile is not None:
        return profile.latency
    spec = next((s for s in workload.models if s.name.lower() in (model.name.lower(), *model.aliases)), None)
    seconds = (spec.latency if spec else None) or workload.latency
    return given(seconds.p50, seconds.p90) if seconds else None


def _limits(model: ModelPrice, workload: Workload) -> Limits:
    spec = next((s for s in workload.models if s.name.lower() in (model.name.lower(), *model.aliases)), None)
    return spec.limits.over(workload.limits) if spec else workload.limits
