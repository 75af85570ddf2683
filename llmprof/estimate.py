"""Prompts x models -> priced estimate rows.

Counting is the only costly step: each source is read and tokenised on a worker thread (tiktoken
releases the GIL while encoding), once per *encoding* the chosen models need, and its text is
dropped as soon as it is counted, so memory stays bounded by the largest file, not the corpus.
Pricing is pure Decimal arithmetic over the counts.
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
from llmprof.errors import InputError, UnknownModelError, UsageError
from llmprof.inputs import Prompt, Source, read_source
from llmprof.pricing import STANDARD, Mode, ModelPrice, PriceTable, Usage, price_request
from llmprof.tokens import Exactness, count_messages, count_text
from llmprof.units import usd


@dataclass(frozen=True, kw_only=True)
class Settings:
    output_tokens: int = 0
    requests: int = 1
    cached_input_tokens: int = 0
    mode: Mode = STANDARD
    as_of: dt.date = field(default_factory=dates.today)

    @property
    def batch(self) -> bool:
        return self.mode.batch


@dataclass(frozen=True)
class Record:
    """One request's prompt tokens, per encoding, and the model it names (batch files)."""

    tokens: dict[str, int]
    model: str | None = None


@dataclass(frozen=True)
class Counted:
    label: str
    records: list[Record]


@dataclass
class Row:
    """One prompt source priced on one model; costs in USD for every record sent once."""

    prompt: str
    model: str
    provider: str
    encoding: str
    exactness: Exactness
    records: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    input_cost: Decimal = Decimal(0)
    output_cost: Decimal = Decimal(0)
    tiered_records: int = 0

    @property
    def cost(self) -> Decimal:
        return self.input_cost + self.output_cost

    @property
    def cost_per_request(self) -> Decimal:
        return self.cost / self.records if self.records else Decimal(0)


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
    warnings: list[str] = field(default_factory=list)  # e.g. a model that is shut down


def count_sources(
    sources: Sequence[Source],
    encodings_for: Callable[[Prompt], Iterable[str]],
    text_encoding: str = "utf-8",
    stdin: BinaryIO | None = None,
    workers: int | None = None,
) -> Iterator[Counted]:
    """Read and count every source, in order, on a pool of threads."""

    def work(source: Source) -> Counted:
        return Counted(source.label, [_count(p, encodings_for(p)) for p in read_source(source, text_encoding, stdin)])

    threads = workers or min(32, os.cpu_count() or 1)
    if len(sources) <= 1 or threads <= 1:
        yield from map(work, sources)
        return
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="llmprof-count")
    try:
        yield from pool.map(work, sources)
    finally:  # on an error, do not wait for the rest of the corpus to be counted
        pool.shutdown(wait=True, cancel_futures=True)


def _count(prompt: Prompt, encodings: Iterable[str]) -> Record:
    if prompt.messages is not None:
        tokens = {enc: count_messages(prompt.messages, enc, prompt.where) for enc in set(encodings)}
    else:
        text = prompt.text or ""
        tokens = {enc: count_text(text, enc) for enc in set(encodings)}
    return Record(tokens, prompt.model)


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

    def models_for(name: str | None, where: str = "") -> list[ModelPrice]:
        if chosen:
            return chosen
        if not name:
            return defaults
        try:
            return [table.resolve(name)]
        except UnknownModelError as exc:
            raise InputError(f"{where}: {exc.message}", exc.hint) from exc

    estimate = Estimate(settings, table, [], [], [])
    rows: dict[tuple[str, str], Row] = {}
    clamped = 0
    per_line = False
    for counted in count_sources(
        sources, lambda p: [m.encoding for m in models_for(p.model, p.where)], text_encoding, stdin
    ):
        if not counted.records:
            estimate.notes.append(f"{counted.label}: no prompts in it")
        for record in counted.records:
            per_line |= record.model is not None
            for model in models_for(record.model):
                row = rows.get((counted.label, model.name))
                if row is None:
                    row = rows[(counted.label, model.name)] = Row(
                        counted.label, model.name, model.provider, model.encoding, model.exactness
                    )
                clamped += _add(row, model, record.tokens[model.encoding], settings)
    estimate.rows = list(rows.values())
    # Per-line models of a batch file priced different prompts: ranking them would mislead.
    ranked = bool(chosen) or not per_line
    estimate.totals = _totals(estimate.rows, settings.requests, ranked)
    if clamped:
        estimate.notes.append(
            f"--cached-input-tokens {settings.cached_input_tokens} exceeds the prompt in {clamped} "
            "request(s); those were billed as fully cached"
        )
    for total in estimate.totals:
        warning = table.models[total.model].lifecycle(settings.as_of)
        if warning:
            estimate.warnings.append(warning)
    return estimate


def _add(row: Row, model: ModelPrice, input_tokens: int, settings: Settings) -> int:
    cached = min(settings.cached_input_tokens, input_tokens)
    usage = Usage(input_tokens=input_tokens, cached_input_tokens=cached, output_tokens=settings.output_tokens)
    cost = price_request(model, usage, settings.as_of, settings.mode)
    row.records += 1
    row.input_tokens += input_tokens
    row.cached_input_tokens += cached
    row.output_tokens += settings.output_tokens
    row.input_cost += cost.prompt
    row.output_cost += cost.output
    row.tiered_records += cost.tier is not None
    return int(settings.cached_input_tokens > input_tokens)


def _totals(rows: list[Row], requests: int, ranked: bool) -> list[ModelTotal]:
    """Per-model totals; ``ranked`` when every model priced the same prompts."""
    totals: dict[str, ModelTotal] = {}
    for row in rows:
        total = totals.get(row.model)
        if total is None:
            total = totals[row.model] = ModelTotal("TOTAL", row.model, row.provider, row.encoding, row.exactness)
        total.records += row.records
        total.input_tokens += row.input_tokens
        total.cached_input_tokens += row.cached_input_tokens
        total.output_tokens += row.output_tokens
        total.input_cost += row.input_cost
        total.output_cost += row.output_cost
        total.tiered_records += row.tiered_records
    for total in totals.values():
        total.projected = total.cost * requests
    if ranked and len({t.projected for t in totals.values()}) > 1:  # all equal: nothing to point at
        cheapest = min(t.projected for t in totals.values())
        for total in totals.values():
            total.cheapest = total.projected == cheapest
    return list(totals.values())


def check_max_cost(estimate: Estimate, max_cost: Decimal) -> str | None:
    """Why the estimate is over ``max_cost`` (every model over it, by how much), or None."""
    over = [t for t in estimate.totals if t.projected > max_cost]
    if not over:
        return None
    lines = "; ".join(f"{t.model} {usd(t.projected)} is {usd(t.projected - max_cost)} over" for t in over)
    return f"projected cost exceeds --max-cost {usd(max_cost)}: {lines}"
