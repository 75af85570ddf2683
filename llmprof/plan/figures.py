"""One task on one model, in one variant (plain, or with levers), at p50 or p90: its calls, their
latencies and cache use, and its price through :func:`llmprof.pricing.price_request` (the only
pricing mechanism; a missing rate raises :class:`~llmprof.errors.PricingError`). Pure."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from llmprof.plan import cache
from llmprof.plan.latency import LatencyModel
from llmprof.plan.schedule import Call, ChatSizes, Framing, JobPrompt, chat_calls, job_calls
from llmprof.plan.timing import BATCH_WINDOW_S, Timing, job_timing
from llmprof.plan.workload import Chat, Dist, Job, Limits, Q, Task
from llmprof.pricing import Cost, Mode, ModelPrice, Usage, price_request

ZERO = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class Inputs:
    """Everything about one task on one model, resolved: sizes counted, output lengths and
    reasoning chosen, latency known (or not)."""

    task: Task
    model: ModelPrice
    as_of: dt.date
    framing: Framing
    output: Dist  # the reply (chat) or each prompt's output (job); visible tokens
    reasoning: Dist  # hidden reasoning per call (0: none, or unknown: then a lower bound)
    reasoning_given: bool = False  # an allowance was given: it replaces any request's own budget
    chat: ChatSizes | None = None
    prompts: tuple[JobPrompt, ...] = ()
    job_system: Dist | None = None
    latency: LatencyModel | None = None
    limits: Limits = field(default_factory=Limits)
    # how the figures were reached, for labels and lower bounds
    count: str = "exact"  # exact, approx, lower-bound
    spread: float = 0.0  # approx counts from a calibration: within this share either side
    counting: str | None = None  # how text was counted, when not exactly
    reasoning_how: frozenset[str] = frozenset()  # see llmprof.estimate.reasoning_for
    uncounted: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"approx ±{round(self.spread * 100)}%" if self.count == "approx" and self.spread else self.count

    @property
    def lower_bound(self) -> list[str]:
        """Why the cost is only a floor (as :attr:`llmprof.estimate.Row.lower_bound`)."""
        reasons = ["hidden reasoning tokens (none allowed for)"] if "unknown" in self.reasoning_how else []
        return reasons + [f"not counted: {what}" for what in dict.fromkeys(self.uncounted)]


@dataclass(frozen=True)
class Variant:
    caching: bool = False
    cache_ttl: str | None = None
    batch: bool = False
    max_tokens: int | None = None
    keep_last_turns: int | None = None

    def with_(self, lever: str, value: object = True) -> Variant:
        values = {**self.__dict__, lever: value}
        return Variant(**values)


PLAIN = Variant()


@dataclass(frozen=True)
class Line:
    """One call of a conversation as billed: for the per-turn breakdown."""

    turn: int
    step: int
    input_tokens: int
    cached_tokens: int
    written_tokens: int
    output_tokens: int
    cost: Decimal
    start_s: Decimal | None


@dataclass
class Figure:
    cost: Decimal = ZERO  # one task
    requests: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    written_tokens: int = 0
    output_tokens: int = 0  # visible + reasoning
    reasoning_tokens: int = 0
    work_s: Decimal | None = None  # the sum of the calls' latencies
    span_s: Decimal | None = None  # a conversation from its first call to its last reply
    slowest_s: Decimal | None = None
    longest_gap_s: Decimal | None = None  # between two calls of a conversation
    max_prompt: int = 0  # the longest single prompt, and its output: for context windows
    max_output: int = 0
    timing: Timing | None = None  # jobs
    lines: list[Line] = field(default_factory=list)
    long_context: int = 0  # calls billed at a long-context tier
    basis: str = "standard"


def calls_for(inputs: Inputs, variant: Variant, q: Q) -> list[Call]:
    spec = inputs.task.spec
    reasoning = inputs.reasoning.at(q)
    if isinstance(spec, Chat):
        assert inputs.chat is not None
        return chat_calls(spec, inputs.chat, q, inputs.output, reasoning, variant.max_tokens, variant.keep_last_turns)
    assert isinstance(spec, Job)
    prompts = inputs.prompts
    if inputs.reasoning_given:  # an allowance given: it applies to every prompt
        prompts = tuple(JobPrompt(p.tokens, p.chat, reasoning, p.choices) for p in prompts)
    return job_calls(prompts, inputs.framing, inputs.job_system, inputs.output, q, spec.repeat, variant.max_tokens)


def evaluate(inputs: Inputs, variant: Variant, q: Q, policy: cache.Policy | None = None) -> Figure:
    """The figure; ``policy`` is required with ``variant.caching``."""
    calls = calls_for(inputs, variant, q)
    figure = Figure()
    latencies = [inputs.latency.seconds(c.input, c.output, q) if inputs.latency else None for c in calls]
    known = [x for x in latencies if x is not None]
    if known:
        figure.work_s = sum((x * c.count for x, c in zip(known, calls, strict=True)), ZERO)
        figure.slowest_s = max(known)
    is_chat = isinstance(inputs.task.spec, Chat)
    starts = _starts(inputs, calls, latencies, q) if is_chat else []
    spec = inputs.task.spec
    paused = isinstance(spec, Chat) and (spec.think_time is not None or spec.tool_time is not None)
    if is_chat and starts and (inputs.latency is not None or paused):
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        figure.longest_gap_s = max(gaps) if gaps else None
        if inputs.latency is not None:
            figure.span_s = starts[-1] + (latencies[-1] or ZERO)
    requests = sum(c.count for c in calls)
    tokens = sum((c.input + c.output) * c.count for c in calls)
    if not is_chat:
        figure.timing = job_timing(requests, tokens, figure.work_s, figure.slowest_s, inputs.limits)
    outcomes = _cache_use(inputs, calls, starts, figure.timing, variant, policy)
    mode = Mode(batch=variant.batch, cache_ttl=(policy.rate or policy.ttl) if variant.caching and policy else None)
    memo: dict[Usage, Cost] = {}
    moments: list[Decimal | None] = list(starts) if starts else [None] * len(calls)
    for call, outcome, start in zip(calls, outcomes, moments, strict=True):
        figure.max_prompt = max(figure.max_prompt, call.input)
        figure.max_output = max(figure.max_output, call.output)
        for count, read, written in outcome:
            usage = Usage(
                input_tokens=call.input,
                cached_input_tokens=read,
                cache_write_tokens=written,
                output_tokens=call.output,
                reasoning_tokens=call.reasoning,
            )
            cost = memo.get(usage)
            if cost is None:
                cost = memo[usage] = price_request(inputs.model, usage, inputs.as_of, mode)
            figure.cost += cost.total * count
            figure.basis = cost.basis
            figure.long_context += count if cost.tier is not None else 0
            figure.requests += count
            figure.input_tokens += call.input * count
            figure.cached_tokens += read * count
            figure.written_tokens += written * count
            figure.output_tokens += call.output * count
            figure.reasoning_tokens += call.reasoning * count
            if is_chat:
                figure.lines.append(
                    Line(call.turn, call.step, call.input, read, written, call.output, cost.total, start)
                )
    if variant.batch and figure.timing is not None:
        figure.timing.bounds = []  # a batch runs on the provider's schedule, not the client's limits
        figure.timing.pressure = [f"a batch completes within {BATCH_WINDOW_S / 3600:.0f} h (most sooner)"]
    return figure


def _starts(inputs: Inputs, calls: list[Call], latencies: list[Decimal | None], q: Q) -> list[Decimal]:
    """When each call of a conversation is sent: after the last one's reply, plus the tool's run
    time (within a turn) or the user's pause (between turns)."""
    spec = inputs.task.spec
    assert isinstance(spec, Chat)
    starts = [ZERO]
    for index in range(1, len(calls)):
        previous = calls[index - 1]
        pause = spec.tool_time if previous.step else spec.think_time
        starts.append(starts[-1] + (latencies[index - 1] or ZERO) + (pause.at(q) if pause else ZERO))
    return starts


def _cache_use(
    inputs: Inputs,
    calls: list[Call],
    starts: list[Decimal],
    timing: Timing | None,
    variant: Variant,
    policy: cache.Policy | None,
) -> list[cache.Outcome]:
    if not variant.caching or policy is None:
        return [[(c.count, 0, 0)] for c in calls]
    if starts:
        return cache.chat_cache(calls, starts, policy)
    wave, spacing = job_waves(inputs, sum(c.count for c in calls), timing, variant)
    return cache.job_cache(calls, policy, wave, spacing is None or spacing <= policy.ttl_s)


def job_waves(inputs: Inputs, sends: int, timing: Timing | None, variant: Variant) -> tuple[int, Decimal | None]:
    """How many of a job's first sends go out before any has finished (they all miss the cache),
    and the time between sends (None: unknown, taken as close enough to keep the cache)."""
    seconds = None if variant.batch or timing is None else timing.seconds
    spacing = seconds / sends if seconds is not None and sends else None
    return (1 if variant.batch else min(inputs.limits.concurrency or 1, sends)), spacing
