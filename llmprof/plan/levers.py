"""The levers, each tried alone against the plain case, then stacked largest saving first. Pure.

* **caching**: the model's cache (billed writes or automatic: see :mod:`llmprof.plan.cache`), at
  each lifetime it sells (the cheapest is kept), with the break-even and the longest pause;
* **batch**: the Batch API's rates, for tasks nobody waits on (jobs without a short deadline);
* **max_tokens**: an output cap; **keep_last_turns**: a history window (conversations).

A lever the user asked for by name whose rate is missing is *not priced* (and the command fails);
one tried on its own initiative (``auto``) says why it is not available. Nothing is ever $0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from llmprof.errors import PricingError
from llmprof.plan.cache import DEFAULT_MIN_TOKENS, DEFAULT_TTL, INCREMENT, MIN_TOKENS, Policy, ttl_seconds
from llmprof.plan.figures import PLAIN, Figure, Inputs, Variant, calls_for, evaluate, job_waves
from llmprof.plan.timing import BATCH_WINDOW_S
from llmprof.plan.workload import DAY_S, QS, Chat, Job, Levers, Q, seconds_text
from llmprof.pricing import Mode, Usage, price_request

LEVERS = ("caching", "batch", "max_tokens", "keep_last_turns")


@dataclass
class Option:
    lever: str
    label: str
    variant: Variant | None = None
    policy: Policy | None = None
    figures: dict[Q, Figure] = field(default_factory=dict)
    reason: str | None = None  # why it is not shown as a figure
    unpriced: bool = False  # the reason is a missing rate
    notes: list[str] = field(default_factory=list)

    def saving(self, plain: dict[Q, Figure], q: Q) -> Decimal:
        return plain[q].cost - self.figures[q].cost if self.figures else Decimal(0)


@dataclass
class Step:
    lever: str
    label: str
    before: dict[Q, Decimal]
    after: dict[Q, Decimal]


@dataclass
class Explored:
    inputs: Inputs
    plain: dict[Q, Figure] = field(default_factory=dict)
    unpriced: str | None = None
    options: list[Option] = field(default_factory=list)
    chain: list[Step] = field(default_factory=list)
    chain_note: str | None = None

    def option(self, lever: str) -> Option | None:
        return next((o for o in self.options if o.lever == lever), None)

    def combined(self, levers: tuple[str, ...]) -> tuple[Variant, Policy | None]:
        """The variant with these levers on (those that apply), and its cache policy."""
        variant, policy = PLAIN, None
        for name in levers:
            option = self.option(name)
            if option is None or option.variant is None or option.reason:
                continue
            variant = _merge(variant, option.variant)
            policy = option.policy or policy
        return variant, policy


def _merge(a: Variant, b: Variant) -> Variant:
    return Variant(
        caching=a.caching or b.caching,
        cache_ttl=a.cache_ttl or b.cache_ttl,
        batch=a.batch or b.batch,
        max_tokens=a.max_tokens if a.max_tokens is not None else b.max_tokens,
        keep_last_turns=a.keep_last_turns if a.keep_last_turns is not None else b.keep_last_turns,
    )


def explore(inputs: Inputs, levers: Levers) -> Explored:
    result = Explored(inputs)
    try:
        result.plain = {q: evaluate(inputs, PLAIN, q) for q in QS}
    except PricingError as exc:
        result.unpriced = exc.message
        return result
    if levers.caching != "off":
        result.options.append(_caching(inputs, levers, result.plain))
    if levers.batch != "off":
        result.options.append(_batch(inputs))
    if levers.max_tokens is not None:
        result.options.append(
            _tried(
                inputs, "max_tokens", f"max_tokens {levers.max_tokens:,}", PLAIN.with_("max_tokens", levers.max_tokens)
            )
        )
    if levers.keep_last_turns is not None:
        result.options.append(_window(inputs, levers.keep_last_turns))
    for option in result.options:  # tried unasked: a missing rate says it is not available
        if option.unpriced and option.lever not in levers.asked and option.reason:
            option.reason, option.unpriced = option.reason.replace("not priced:", "not available:", 1), False
    _stack(result)
    return result


def policies(inputs: Inputs, ttl: str | None) -> list[Policy] | str:
    """The cache policies the model offers (one per lifetime), or why it has none."""
    model, spec = inputs.model, inputs.task.spec
    rates = model.period_on(inputs.as_of).rates
    if rates.cached_input is None:
        return f"{model.name} has no cache-read rate (prices since {model.period_on(inputs.as_of).since})"
    min_tokens = model.cache.min_tokens or MIN_TOKENS.get(model.provider, DEFAULT_MIN_TOKENS)
    keys: dict[str, str | None] = {}  # lifetime -> the table's key for it, when not the lifetime itself
    if rates.cache_write:
        keys = {(model.cache.default_ttl or DEFAULT_TTL) if t == "default" else t: t for t in rates.cache_write}
        ttls, billed, increment = list(keys), True, 1
    else:
        ttls, billed, increment = [model.cache.default_ttl or DEFAULT_TTL], False, INCREMENT.get(model.provider, 1)
    if ttl is not None:
        if ttl not in ttls:
            return f"{model.name} has no cache-write rate for a {ttl} lifetime (it has: {', '.join(ttls)})"
        ttls = [ttl]
    per_day = inputs.task.per_day
    return [
        Policy(
            t, min_tokens, billed, increment,
            warm_static=isinstance(spec, Chat) and bool(per_day) and DAY_S / (per_day or 1) < ttl_seconds(t),
            rate=keys.get(t),
        )
        for t in ttls
    ]  # fmt: skip


def _caching(inputs: Inputs, levers: Levers, plain: dict[Q, Figure]) -> Option:
    option = Option("caching", "caching")
    spec = inputs.task.spec
    if isinstance(spec, Job) and inputs.job_system is None:
        option.reason = "not applicable: its prompts share no prefix (give the job a system: prompt to try it)"
        return option
    found = policies(inputs, levers.cache_ttl)
    if isinstance(found, str):
        option.reason, option.unpriced = f"not available: {found}", levers.caching == "on"
        return option
    best: tuple[Decimal, Policy, dict[Q, Figure]] | None = None
    for policy in found:
        variant = PLAIN.with_("caching").with_("cache_ttl", policy.rate or policy.ttl)
        try:
            figures = {q: evaluate(inputs, variant, q, policy) for q in QS}
        except PricingError as exc:
            option.reason, option.unpriced = f"not priced: {exc.message}", True
            return option
        if best is None or figures["p50"].cost < best[0]:
            best = (figures["p50"].cost, policy, figures)
    assert best is not None
    _, policy, figures = best
    option.label = f"caching ({policy.ttl})"
    option.variant = PLAIN.with_("caching").with_("cache_ttl", policy.rate or policy.ttl)
    option.policy, option.figures = policy, figures
    option.notes = _cache_notes(inputs, policy, figures["p50"], plain["p50"], figures["p90"])
    return option


def _cache_notes(inputs: Inputs, policy: Policy, cached: Figure, plain: Figure, p90: Figure) -> list[str]:
    model = inputs.model
    assumed = "" if model.cache.min_tokens else " (assumed: the price table gives none)"
    notes = []
    if not cached.cached_tokens and not cached.written_tokens:
        at = "" if not (p90.cached_tokens or p90.written_tokens) else " at p50 (some do at p90)"
        notes.append(f"no prefix reaches {model.name}'s minimum of {policy.min_tokens:,} cacheable tokens{assumed}{at}")
        if not at:
            return notes
    if policy.billed_writes:
        reads = break_even(inputs, policy.rate or policy.ttl)
        notes.append(
            f"writes cost more than input: a written token pays off after {reads} read{'s' if reads != 1 else ''} "
            f"within {policy.ttl}"
        )
    else:
        notes.append(f"automatic: no write charge, prompts from {policy.min_tokens:,} tokens{assumed}")
    if isinstance(inputs.task.spec, Job):
        wave, spacing = job_waves(inputs, plain.requests, plain.timing, PLAIN)
        write = " and write it" if policy.billed_writes else ""
        writers = (
            f"the first {wave:,} sends find the shared prefix uncached{write}"
            if wave > 1
            else (f"the first send finds the shared prefix uncached{write}")
        )
        if spacing is None:
            notes.append(f"{writers}, the rest read it (time between sends not known: taken as within {policy.ttl})")
        elif spacing <= policy.ttl_s:
            notes.append(f"{writers}, the rest read it (one send every {seconds_text(spacing)})")
        else:
            again = "each writes it again" if policy.billed_writes else "each finds it gone"
            notes.append(f"sends come {seconds_text(spacing)} apart, beyond {policy.ttl}: {again}")
    gap = plain.longest_gap_s
    if isinstance(inputs.task.spec, Chat) and len(plain.lines) > 1:
        if gap is None:
            notes.append(f"time between calls not known (no latency or pauses given): taken as within {policy.ttl}")
        elif gap < policy.ttl_s:
            notes.append(f"longest time between calls {seconds_text(gap)}, within the {policy.ttl} lifetime")
        else:
            notes.append(
                f"longest time between calls {seconds_text(gap)}, beyond the {policy.ttl} lifetime: "
                "the cache expires and the prefix is written again"
            )
    first = calls_for(inputs, PLAIN, "p50")[0]
    if policy.warm_static and sum(b.tokens for b in first.blocks[: first.static]) >= policy.min_tokens:
        notes.append(f"{inputs.task.per_day:,} tasks a day keep the shared system prompt and tools cached between them")
    return notes


def break_even(inputs: Inputs, ttl: str) -> int:
    """Reads of a written token, within its lifetime, that pay back the write premium."""
    n, model, day = 1_000_000, inputs.model, inputs.as_of
    plain = price_request(model, Usage(input_tokens=n), day).total
    write = price_request(model, Usage(input_tokens=n, cache_write_tokens=n), day, Mode(cache_ttl=ttl)).total
    read = price_request(model, Usage(input_tokens=n, cached_input_tokens=n), day).total
    if write <= plain:
        return 0
    return math.ceil((write - plain) / (plain - read))


def _batch(inputs: Inputs) -> Option:
    spec = inputs.task.spec
    option = Option("batch", "batch API")
    if isinstance(spec, Chat):
        article = "an" if inputs.task.kind == "agent" else "a"
        option.reason = f"not applicable: {article} {inputs.task.kind}'s calls wait on each other and on people"
        return option
    assert isinstance(spec, Job)
    if not spec.batch:
        option.reason = "not applicable: its results are needed at once (batch: false)"
        return option
    if spec.deadline is not None and spec.deadline < BATCH_WINDOW_S:
        option.reason = (
            f"not applicable: its deadline ({seconds_text(spec.deadline)}) is shorter than the 24 h batch window"
        )
        return option
    option = _tried(inputs, "batch", "batch API", PLAIN.with_("batch"))
    if option.reason is None:
        option.notes.append("results within 24 h (most batches finish sooner)")
        if inputs.job_system is not None:
            option.notes.append("with caching, cache hits inside a batch are best effort")
    return option


def _window(inputs: Inputs, keep: int) -> Option:
    spec = inputs.task.spec
    if not isinstance(spec, Chat):
        return Option("keep_last_turns", f"last {keep} turns", reason="not applicable: a job has no history")
    option = _tried(
        inputs, "keep_last_turns", f"last {keep} turn{'s' if keep != 1 else ''}", PLAIN.with_("keep_last_turns", keep)
    )
    option.notes.append("the model no longer sees the turns before them")
    return option


def _tried(inputs: Inputs, lever: str, label: str, variant: Variant) -> Option:
    option = Option(lever, label, variant)
    try:
        option.figures = {q: evaluate(inputs, variant, q) for q in QS}
    except PricingError as exc:
        option.reason, option.unpriced = f"not priced: {exc.message}", True
    if lever == "max_tokens" and option.figures:
        option.notes.append("a cut reply may be unusable: check the p90 replies fit")
    return option


def _stack(result: Explored) -> None:
    """Apply the levers that save money, the largest saving first, each on top of the last."""
    ranked = [o for o in result.options if o.figures and not o.reason and o.saving(result.plain, "p50") > 0]
    ranked.sort(key=lambda o: (-o.saving(result.plain, "p50"), LEVERS.index(o.lever)))
    before = {q: result.plain[q].cost for q in QS}
    applied: list[str] = []
    skipped: list[str] = []
    for option in ranked:
        variant, policy = result.combined((*applied, option.lever))
        try:
            after = {q: evaluate(result.inputs, variant, q, policy).cost for q in QS}
        except PricingError as exc:
            skipped.append(f"{option.label} on top of them is not priced ({exc.message})")
            continue
        if after["p50"] >= before["p50"]:  # e.g. a shorter history breaks the cached prefix
            skipped.append(f"{option.label} saves nothing more on top of them")
            continue
        applied.append(option.lever)
        result.chain.append(Step(option.lever, option.label, before, after))
        before = after
    result.chain_note = "; ".join(skipped) or None
