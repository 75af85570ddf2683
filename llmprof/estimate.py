"""Prompts x models -> priced estimate rows, every billed part counted or named.

Counting is the only costly step: each source is read and counted on a worker thread (tiktoken
releases the GIL while encoding) for every model it is priced on, and its text is dropped as soon
as it is counted, so memory stays bounded by the largest file, not the corpus. Pricing is pure
Decimal arithmetic over the counts.

A request bills more than its text: chat framing, tool definitions, tool calls, images, a
response schema, and hidden reasoning on models that reason. Each is counted by the provider's
rule where one is published, labelled ``approx`` where llmprof uses a stand-in, and named in a
warning (the row labelled ``lower-bound``) where it is billed but cannot be counted.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from llmprof import dates
from llmprof.counting import Label, RequestCount, count_request, worst
from llmprof.errors import InputError, PricingError, UnknownModelError, UsageError
from llmprof.images import Size
from llmprof.inputs import FormatIn, Source, read_source
from llmprof.pricing import STANDARD, Mode, ModelPrice, PriceTable, Usage, price_request
from llmprof.requests import Request
from llmprof.units import usd


@dataclass(frozen=True, kw_only=True)
class Settings:
    output_tokens: int = 0  # visible completion tokens per request (per choice)
    reasoning_tokens: int | None = None  # hidden reasoning per request; None: what the requests ask
    requests: int = 1
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    mode: Mode = STANDARD
    as_of: dt.date = field(default_factory=dates.today)
    image_size: Size | None = None  # for images whose size the request does not carry
    shape: str = "auto"
    format_in: FormatIn = "auto"
    strict: bool = False  # limits (context window, max output) are errors, not warnings

    @property
    def batch(self) -> bool:
        return self.mode.batch


@dataclass
class Row:
    """One prompt source priced on one model; costs in USD for every request in it sent once."""

    prompt: str
    model: str
    provider: str
    encoding: str
    count: Label
    records: int = 0
    input_tokens: int = 0
    parts: dict[str, int] = field(default_factory=dict)  # tokens by part
    part_counts: dict[str, Label] = field(default_factory=dict)
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0  # visible + reasoning
    reasoning_tokens: int = 0
    input_cost: Decimal = Decimal(0)  # every prompt token, cache reads and writes included
    output_cost: Decimal = Decimal(0)  # reasoning included
    reasoning_cost: Decimal = Decimal(0)
    tiered_records: int = 0
    uncounted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unpriced: str | None = None  # why this model could not be priced (a rate it needs is missing)
    reasoning_how: set[str] = field(default_factory=set)  # how reasoning was reached: reasoning_for()
    spread: float = 0.0  # approx counts from a calibration: within this share either side
    counting: str | None = None  # how the text was counted, when not exactly
    basis: str = "standard"  # which rates: standard, batch API, off-peak (...), spread over the week
    kind: str = "chat"  # or "embedding": input only

    @property
    def label(self) -> str:
        """The count's exactness as shown: exact, approx ±13%, approx, lower-bound."""
        return f"approx ±{round(self.spread * 100)}%" if self.count == "approx" and self.spread else self.count

    @property
    def cost(self) -> Decimal:
        return self.input_cost + self.output_cost

    @property
    def unreasoned(self) -> bool:
        """It reasons by an amount nothing says, priced as none: the cost is a floor."""
        return "unknown" in self.reasoning_how

    @property
    def lower_bound(self) -> list[str]:
        """Why the cost is only a floor: billed tokens that are not in it."""
        reasons = ["hidden reasoning tokens (none allowed for)"] if self.unreasoned else []
        return reasons + [f"not counted: {what}" for what in dict.fromkeys(self.uncounted)]

    @property
    def cost_per_request(self) -> Decimal:
        return self.cost / self.records if self.records else Decimal(0)

    def add_count(self, counted: RequestCount) -> None:
        self.encoding = counted.method
        self.spread = max(self.spread, counted.spread)
        self.counting = counted.note or self.counting
        for name, part in counted.parts.items():
            self.parts[name] = self.parts.get(name, 0) + part.tokens
            self.part_counts[name] = worst(self.part_counts.get(name, "exact"), part.count)
            self.notes += [n for n in part.notes if n not in self.notes]
        self.uncounted += counted.uncounted
        self.count = worst(self.count, counted.count)


@dataclass
class ModelTotal(Row):
    """All sources on one model, and that projected to ``requests`` sends of each prompt."""

    projected: Decimal = Decimal(0)
    cheapest: bool = False


@dataclass
class Estimate:
    settings: Settings
    table: PriceTable
    rows: list[Row]
    totals: list[ModelTotal]
    notes: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Counted:
    """One source, counted: per request, what the body asks and its count on each model."""

    label: str
    requests: list[tuple[Request, dict[str, RequestCount]]]
    empty: int = 0  # requests with no text at all


def count_sources(
    sources: Sequence[Source],
    models_for: Callable[[Request], Sequence[ModelPrice]],
    settings: Settings,
    text_encoding: str = "utf-8",
    stdin: BinaryIO | None = None,
    workers: int | None = None,
) -> Iterator[Counted]:
    """Read and count every source, in order, on a pool of threads."""

    def work(source: Source) -> Counted:
        requests = read_source(source, text_encoding, stdin, settings.format_in, settings.shape)
        empty = sum(1 for r in requests if r.shape == "text" and not "".join(r.texts).strip())
        counted = []
        for request in requests:
            counts = {m.name: count_request(request, m, settings.image_size) for m in models_for(request)}
            counted.append((request, counts))
            request.texts = request.tool_calls = []  # counted: the memory goes back
        return Counted(source.label, counted, empty)

    threads = workers or min(32, os.cpu_count() or 1)
    if len(sources) <= 1 or threads <= 1:
        yield from map(work, sources)
        return
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="llmprof-count")
    try:
        yield from pool.map(work, sources)
    finally:  # on an error, do not wait for the rest of the corpus to be counted
        pool.shutdown(wait=True, cancel_futures=True)


def estimate_requests(
    table: PriceTable, label: str, requests: Sequence[Request], model: ModelPrice, settings: Settings
) -> Estimate:
    """Price requests already in memory (the Python API's text and messages) on one model."""
    counted = Counted(label, [(r, {model.name: count_request(r, model, settings.image_size)}) for r in requests])
    return _price(table, [counted], [model], lambda request: [model], settings)


def estimate_prompts(
    table: PriceTable,
    sources: Sequence[Source],
    model_names: Sequence[str],
    settings: Settings,
    text_encoding: str = "utf-8",
    stdin: BinaryIO | None = None,
) -> Estimate:
    """Count every source and price it on every model."""
    chosen = [table.resolve(name) for name in dict.fromkeys(model_names)]
    defaults = [table.resolve(name) for name in table.default_models]
    if not chosen and not defaults:
        raise UsageError("no model given and the pricing table has no default_models", "pass -m MODEL")
    for model in chosen or defaults:
        model.period_on(settings.as_of)  # fail before counting if a model had no price then

    def models_for(request: Request) -> list[ModelPrice]:
        if chosen:
            return chosen
        if not request.model:
            return defaults
        try:
            return [table.resolve(request.model)]
        except UnknownModelError as exc:
            raise InputError(f"{request.where}: {exc.message}", exc.hint) from exc

    counted = count_sources(sources, models_for, settings, text_encoding, stdin)
    return _price(table, counted, chosen, models_for, settings)


def _price(
    table: PriceTable,
    sources: Iterable[Counted],
    chosen: Sequence[ModelPrice],
    models_for: Callable[[Request], Sequence[ModelPrice]],
    settings: Settings,
) -> Estimate:
    estimate = Estimate(settings, table, [], [], [])
    rows: dict[tuple[str, str], Row] = {}
    clamped = 0
    per_line = False
    for counted in sources:
        if not counted.requests:
            estimate.notes.append(f"{counted.label}: no prompts in it")
        elif counted.empty:
            what = "is empty" if counted.empty == len(counted.requests) else f"has {counted.empty} empty prompt(s)"
            estimate.notes.append(f"{counted.label} {what}: only the chat framing (if any) is priced")
        for request, counts in counted.requests:
            per_line |= request.model is not None and not chosen
            for model in models_for(request):
                key = (counted.label, model.name)
                row = rows.get(key)
                if row is None:
                    row = rows[key] = Row(counted.label, model.name, model.provider, model.encoding, "exact")
                    row.kind = model.kind
                clamped += _add(row, model, request, counts[model.name], settings, estimate)
    estimate.rows = list(rows.values())
    # Per-line models of a batch file priced different prompts: ranking them would mislead.
    ranked = bool(chosen) or not per_line
    estimate.totals = _totals(estimate.rows, settings.requests, ranked)
    if clamped:
        flags = [f"--cached-input-tokens {settings.cached_input_tokens}"] if settings.cached_input_tokens else []
        flags += [f"--cache-write-tokens {settings.cache_write_tokens}"] if settings.cache_write_tokens else []
        estimate.notes.append(
            f"{' + '.join(flags)} {'exceeds' if len(flags) == 1 else 'exceed'} the prompt in {clamped} request(s); "
            "those were billed as fully cached"
        )
    for total in estimate.totals:
        warning = table.models[total.model].lifecycle(settings.as_of)
        if warning:
            estimate.warnings.append(warning)
        for what in dict.fromkeys(total.uncounted):
            estimate.warnings.append(f"{total.model}: not counted, so the figure is a lower bound: {what}")
    return estimate


def _add(
    row: Row,
    model: ModelPrice,
    request: Request,
    counted: RequestCount,
    settings: Settings,
    estimate: Estimate,
) -> int:
    prompt = counted.total
    cached = min(settings.cached_input_tokens, prompt)
    written = min(settings.cache_write_tokens, prompt - cached)
    reasoning, how = reasoning_for(model, request, settings.reasoning_tokens)
    row.reasoning_how.add(how)
    visible = settings.output_tokens if model.kind == "chat" else 0
    output = (visible + reasoning) * request.choices
    _check_limits(model, request, prompt, visible + reasoning, settings, estimate)
    usage = Usage(
        input_tokens=prompt,
        cached_input_tokens=cached,
        cache_write_tokens=written,
        output_tokens=output,
        reasoning_tokens=reasoning * request.choices,
    )
    row.records += 1
    row.input_tokens += prompt
    row.add_count(counted)
    row.cached_input_tokens += cached
    row.cache_write_tokens += written
    row.output_tokens += output
    row.reasoning_tokens += usage.reasoning_tokens
    if row.unpriced is not None:
        return 0
    try:
        cost = price_request(model, usage, settings.as_of, settings.mode)
    except PricingError as exc:  # the other models are still priced; this one is named, not $0
        row.unpriced = exc.message
        return 0
    row.basis = cost.basis
    row.input_cost += cost.prompt
    row.output_cost += cost.output
    row.reasoning_cost += cost.reasoning
    row.tiered_records += cost.tier is not None
    if request.choices > 1 and f"{request.where}: n={request.choices}" not in row.notes:
        row.notes.append(f"{request.where}: n={request.choices}: the output is billed {request.choices} times")
    return int(settings.cached_input_tokens + settings.cache_write_tokens > prompt)


def reasoning_for(model: ModelPrice, request: Request, assumed: int | None) -> tuple[int, str]:
    """Hidden reasoning tokens one request bills on ``model``, and how that number was reached:
    ``none`` (the model does not reason), ``assumed`` (--reasoning-tokens), ``off`` (the request
    turns it off), ``default-off`` (an opt-in model, and the request does not turn it on),
    ``budget`` (the thinking budget the request sets: a cap) or ``unknown`` (it reasons, by an
    amount nothing says: 0 is a floor)."""
    if model.reasoning == "none" or model.kind != "chat":
        return 0, "none"
    if assumed is not None:
        return assumed, "assumed"
    if request.reasoning is False:
        return 0, "off"
    if request.reasoning_budget is not None:
        return request.reasoning_budget, "budget"
    if request.reasoning or model.reasoning == "default":
        return 0, "unknown"
    return 0, "default-off"


def _check_limits(
    model: ModelPrice, request: Request, prompt: int, output: int, settings: Settings, estimate: Estimate
) -> None:
    problems = []
    if model.context_window and prompt + output > model.context_window:
        problems.append(
            f"{request.where} on {model.name}: {prompt:,} prompt + {output:,} output tokens exceed its "
            f"context window of {model.context_window:,}"
        )
    if model.max_output and output > model.max_output:
        problems.append(
            f"{request.where} on {model.name}: {output:,} output tokens exceed its maximum output "
            f"of {model.max_output:,}"
        )
    for problem in problems:
        if settings.strict:
            raise UsageError(problem, "the API would refuse this request: shorten it or pick a larger model.")
        if problem not in estimate.warnings:
            estimate.warnings.append(f"{problem}: the API would refuse it")


def _totals(rows: list[Row], requests: int, ranked: bool) -> list[ModelTotal]:
    """Per-model totals; ``ranked`` when every model priced the same prompts."""
    totals: dict[str, ModelTotal] = {}
    for row in rows:
        total = totals.get(row.model)
        if total is None:
            total = totals[row.model] = ModelTotal("TOTAL", row.model, row.provider, row.encoding, row.count)
            total.kind = row.kind
        total.records += row.records
        total.input_tokens += row.input_tokens
        for name, tokens in row.parts.items():
            total.parts[name] = total.parts.get(name, 0) + tokens
            total.part_counts[name] = worst(total.part_counts.get(name, "exact"), row.part_counts[name])
        total.count = worst(total.count, row.count)
        total.encoding, total.spread = row.encoding, max(total.spread, row.spread)
        total.counting, total.basis = total.counting or row.counting, row.basis
        total.cached_input_tokens += row.cached_input_tokens
        total.cache_write_tokens += row.cache_write_tokens
        total.output_tokens += row.output_tokens
        total.reasoning_tokens += row.reasoning_tokens
        total.input_cost += row.input_cost
        total.output_cost += row.output_cost
        total.reasoning_cost += row.reasoning_cost
        total.tiered_records += row.tiered_records
        total.uncounted += row.uncounted
        total.reasoning_how |= row.reasoning_how
        total.notes += [n for n in row.notes if n not in total.notes]
        total.unpriced = total.unpriced or row.unpriced
    for total in totals.values():
        total.projected = total.cost * requests
    priced = [t for t in totals.values() if t.unpriced is None]
    if ranked and len({t.projected for t in priced}) > 1:  # all equal: nothing to point at
        cheapest = min(t.projected for t in priced)
        for total in priced:
            total.cheapest = total.projected == cheapest
        if any(t.cheapest and t.lower_bound for t in priced):  # a floor may not be the cheapest
            for total in priced:
                total.cheapest = False
    return list(totals.values())


def unpriced(estimate: Estimate) -> str | None:
    """Why some models could not be priced (one line each), or None when all were."""
    missing = [str(t.unpriced) for t in estimate.totals if t.unpriced]
    return "not priced: " + "; ".join(missing) if missing else None


def check_max_cost(estimate: Estimate, max_cost: Decimal) -> tuple[str, str] | None:
    """Why the estimate fails ``max_cost``, or None when every model is provably within it: a model
    over it (by how much), or one whose cost is only a floor below it (it cannot pass unseen)."""
    over = [t for t in estimate.totals if t.unpriced is None and t.projected > max_cost]
    if over:
        lines = "; ".join(
            f"{t.model} {'at least ' if t.lower_bound else ''}{usd(t.projected)} is {usd(t.projected - max_cost)} over"
            for t in over
        )
        return (
            f"projected cost exceeds --max-cost {usd(max_cost)}: {lines}",
            "shorten the prompt, pick a cheaper model, or raise --max-cost.",
        )
    floors = [t for t in estimate.totals if t.unpriced is None and t.lower_bound]
    if floors:
        lines = "; ".join(f"{t.model} is at least {usd(t.projected)} ({', '.join(t.lower_bound)})" for t in floors)
        return (
            f"--max-cost {usd(max_cost)} not evaluated: {lines}",
            "allow for reasoning with --reasoning-tokens N (0 if you turn it off); see the warnings for the rest.",
        )
    return None
