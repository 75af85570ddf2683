"""A small Python API for tests and scripts: count a prompt's tokens and price it.

    from decimal import Decimal
    from llmprof import estimate_cost

    def test_support_prompt_stays_cheap():
        cost = estimate_cost("prompts/support.txt", model="gpt-4o-mini", output_tokens=200)
        assert cost.per_request < Decimal("0.001"), cost

Prompts may be text, a path to a prompt file (text, chat JSON/JSONL), or a list of chat messages.
Figures are exact Decimals of USD, with the pricing version and date that produced them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmprof import dates, estimate
from llmprof.inputs import Source, read_source
from llmprof.pricing import load_table, price_request
from llmprof.tokens import Exactness, count_messages, count_text


@dataclass(frozen=True)
class CostEstimate:
    model: str
    input_tokens: int  # per request
    output_tokens: int
    count: Exactness
    input_cost: Decimal  # per request, USD
    output_cost: Decimal
    requests: int
    pricing_version: str
    as_of: dt.date

    @property
    def per_request(self) -> Decimal:
        return self.input_cost + self.output_cost

    @property
    def total(self) -> Decimal:
        return self.per_request * self.requests

    def __str__(self) -> str:
        return (
            f"{self.model}: {self.input_tokens} in ({self.count}) + {self.output_tokens} out = "
            f"${self.per_request} per request, ${self.total} for {self.requests} "
            f"(pricing table {self.pricing_version}, as of {self.as_of})"
        )


def count_tokens(prompt: str | Path | list[dict[str, Any]], model: str = "gpt-4o", pricing: Path | None = None) -> int:
    """Prompt tokens of ``prompt`` on ``model`` (chat framing included for messages)."""
    encoding = load_table(overlay=pricing).resolve(model).encoding
    if isinstance(prompt, list):
        return count_messages(prompt, encoding)
    if isinstance(prompt, Path):
        return sum(_count(p, encoding) for p in read_source(Source(str(prompt), prompt)))
    return count_text(prompt, encoding)


def _count(prompt: Any, encoding: str) -> int:
    if prompt.messages is not None:
        return count_messages(prompt.messages, encoding, prompt.where)
    return count_text(prompt.text or "", encoding)


def estimate_cost(
    prompt: str | Path | list[dict[str, Any]],
    model: str,
    output_tokens: int = 0,
    requests: int = 1,
    cached_input_tokens: int = 0,
    batch: bool = False,
    as_of: dt.date | None = None,
    pricing: Path | None = None,
) -> CostEstimate:
    """Price one request of ``prompt`` on ``model``. A string that names an existing file is read
    as that file; pass ``Path`` to insist on a file, or a list of messages for chat."""
    table = load_table(overlay=pricing)
    price = table.resolve(model)
    day = as_of or dates.today()
    if isinstance(prompt, str) and "\n" not in prompt and len(prompt) < 4096 and Path(prompt).is_file():
        prompt = Path(prompt)
    if isinstance(prompt, Path):
        settings = estimate.Settings(output_tokens, requests, cached_input_tokens, batch, day)
        result = estimate.run(table, [Source(str(prompt), prompt)], [price.name], settings)
        row = result.totals[0]
        n = max(row.records, 1)
        return CostEstimate(
            price.name,
            row.input_tokens // n,
            output_tokens,
            row.exactness,
            row.input_cost / n,
            row.output_cost / n,
            requests * n,
            table.version,
            day,
        )
    tokens = count_messages(prompt, price.encoding) if isinstance(prompt, list) else count_text(prompt, price.encoding)
    cost = price_request(
        price,
        price.period_on(day),
        input_tokens=tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached_input_tokens,
        batch=batch,
    )
    return CostEstimate(
        price.name, tokens, output_tokens, price.exactness, cost.input, cost.output, requests, table.version, day
    )
