"""A small Python API for tests and scripts: count a prompt's tokens and price it.

    from decimal import Decimal
    from llmprof import estimate_cost

    def test_support_prompt_stays_cheap():
        cost = estimate_cost(path="prompts/support.txt", model="gpt-4o-mini", output_tokens=200)
        assert cost.per_request < Decimal("0.001"), cost

Say what the prompt is: ``text=`` (the string itself), ``path=`` (a prompt file: text, chat
JSON/JSONL, request bodies) or ``messages=`` (chat messages). The first positional argument also
takes a :class:`~pathlib.Path`, a list of messages, or text; a string that looks like a file name
is refused rather than counted as five tokens of text. Figures are exact Decimals of USD, with
the pricing version and date that produced them. The price table is parsed once per process.

A bare Decimal cannot say "at least", so a cost that would only be a floor (a model that reasons by
default with no ``reasoning_tokens``, or a billed part llmprof cannot count) is refused with the
reason, unless ``allow_lower_bound=True``; then ``lower_bound`` lists why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmprof import dates, estimate
from llmprof.counting import Label, count_request
from llmprof.errors import InputError, UsageError
from llmprof.inputs import Source
from llmprof.pricing import Mode, load_table
from llmprof.requests import Request, messages_request, text_request

_FILE_LIKE = re.compile(r"^[^\s]+\.(txt|md|json|jsonl|ndjson|prompt|yaml|yml)$", re.IGNORECASE)


@dataclass(frozen=True)
class CostEstimate:
    model: str
    input_tokens: int  # per request
    output_tokens: int
    count: Label  # exact, approx, or lower-bound (something billed is not counted)
    input_cost: Decimal  # per request, USD
    output_cost: Decimal  # visible output and reasoning
    requests: int
    pricing_version: str
    as_of: dt.date
    reasoning_tokens: int = 0  # per request, part of output_tokens
    lower_bound: tuple[str, ...] = ()  # why the cost is only a floor (with allow_lower_bound=True)

    @property
    def per_request(self) -> Decimal:
        return self.input_cost + self.output_cost

    @property
    def total(self) -> Decimal:
        return self.per_request * self.requests

    def __str__(self) -> str:
        floor = "at least " if self.lower_bound else ""
        return (
            f"{self.model}: {self.input_tokens} in ({self.count}) + {self.output_tokens} out = "
            f"{floor}${self.per_request} per request, {floor}${self.total} for {self.requests} "
            f"(pricing table {self.pricing_version}, as of {self.as_of})"
        )


Prompt = str | Path | list[dict[str, Any]]


def _classify(
    prompt: Prompt | None, text: str | None, path: str | Path | None, messages: list[dict[str, Any]] | None
) -> tuple[str, Any]:
    given = [(k, v) for k, v in (("text", text), ("path", path), ("messages", messages)) if v is not None]
    if prompt is not None:
        if isinstance(prompt, Path):
            given.append(("path", prompt))
        elif isinstance(prompt, list):
            given.append(("messages", prompt))
        elif isinstance(prompt, str):
            if _FILE_LIKE.match(prompt.strip()):
                exists = Path(prompt.strip()).is_file()
                raise InputError(
                    f"{prompt!r} looks like a file name, not prompt text",
                    f"pass path={prompt!r} to read {'the' if exists else 'a'} file"
                    + ("" if exists else " (it does not exist here)")
                    + ", or text=... to count the string itself.",
                )
            given.append(("text", prompt))
        else:
            raise UsageError(f"cannot price a {type(prompt).__name__}", "pass text=, path= or messages=.")
    if len(given) != 1:
        raise UsageError("give exactly one prompt", "pass one of text=, path= or messages=.")
    kind, value = given[0]
    if kind == "path":
        file = Path(str(value))
        if not file.is_file():
            raise InputError(f"{file}: no such file", "check the path (relative paths start at the working folder).")
        return kind, file
    return kind, value


def count_tokens(
    prompt: Prompt | None = None,
    model: str = "gpt-4o",
    pricing: Path | None = None,
    *,
    text: str | None = None,
    path: str | Path | None = None,
    messages: list[dict[str, Any]] | None = None,
) -> int:
    """Prompt tokens on ``model``, every billed part counted (chat framing, tools, images...); for
    a file of several requests (JSONL), their sum."""
    kind, value = _classify(prompt, text, path, messages)
    table = load_table(overlay=pricing)
    price = table.resolve(model)
    if kind == "path":
        settings = estimate.Settings(as_of=dates.today())
        return (
            estimate.estimate_prompts(table, [Source(str(value), value)], [price.name], settings).totals[0].input_tokens
        )
    return count_request(_request(kind, value), price).total


def _request(kind: str, value: Any) -> Request:
    return messages_request(value, "messages") if kind == "messages" else text_request(value, "text")


def estimate_cost(
    prompt: Prompt | None = None,
    model: str | None = None,
    output_tokens: int = 0,
    requests: int = 1,
    cached_input_tokens: int = 0,
    batch: bool = False,
    as_of: dt.date | None = None,
    pricing: Path | None = None,
    *,
    reasoning_tokens: int | None = None,
    allow_lower_bound: bool = False,
    text: str | None = None,
    path: str | Path | None = None,
    messages: list[dict[str, Any]] | None = None,
) -> CostEstimate:
    """Price one request of the prompt on ``model``; for a file of several requests (JSONL), the
    per-request figures are their average and ``requests`` is multiplied by their number."""
    if model is None:
        raise UsageError("no model given", "pass model='gpt-4o-mini' (any name or alias from `llmprof pricing list`).")
    kind, value = _classify(prompt, text, path, messages)
    table = load_table(overlay=pricing)
    price = table.resolve(model)
    day = as_of or dates.today()
    settings = estimate.Settings(
        output_tokens=output_tokens,
        reasoning_tokens=reasoning_tokens,
        requests=requests,
        cached_input_tokens=cached_input_tokens,
        mode=Mode(batch=batch),
        as_of=day,
    )
    if kind == "path":
        result = estimate.estimate_prompts(table, [Source(str(value), value)], [price.name], settings)
    else:
        result = estimate.estimate_requests(table, "prompt", [_request(kind, value)], price, settings)
    row = result.totals[0]
    if row.lower_bound and not allow_lower_bound:
        hint = (
            "pass reasoning_tokens=N (0 if your request turns reasoning off)"
            if row.unreasoned
            else "pass allow_lower_bound=True to accept a floor"
        )
        raise InputError(f"the cost on {price.name} would only be a lower bound: {'; '.join(row.lower_bound)}", hint)
    n = max(row.records, 1)
    return CostEstimate(
        model=price.name,
        input_tokens=row.input_tokens // n,
        output_tokens=row.output_tokens // n,
        count=row.count,
        input_cost=row.input_cost / n,
        output_cost=row.output_cost / n,
        requests=requests * n,
        pricing_version=table.version,
        as_of=day,
        reasoning_tokens=row.reasoning_tokens // n,
        lower_bound=tuple(row.lower_bound),
    )
