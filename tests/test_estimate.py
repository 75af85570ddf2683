from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof import estimate
from llmprof.errors import InputError, PricingError
from llmprof.inputs import Source
from llmprof.pricing import PriceTable

Write = Callable[[str, str], Path]
D = Decimal


def _src(*paths: Path) -> list[Source]:
    return [Source(p.name, p) for p in paths]


def test_rows_per_prompt_and_model_with_totals(table: PriceTable, write: Write) -> None:
    a = write("a.txt", "hello" + " hello" * 999)  # 1,000 tokens in both encodings
    b = write("b.txt", "hello" + " hello" * 1999)
    settings = estimate.Settings(output_tokens=100, requests=10, as_of=dt.date(2026, 1, 1))
    result = estimate.estimate_prompts(table, _src(a, b), ["mini", "old"], settings)
    assert [(r.prompt, r.model, r.input_tokens) for r in result.rows] == [
        ("a.txt", "mini", 1000),
        ("a.txt", "old", 1000),
        ("b.txt", "mini", 2000),
        ("b.txt", "old", 2000),
    ]
    mini, old = result.totals
    assert (mini.input_tokens, mini.output_tokens) == (3000, 200)
    assert mini.cost == D(3000) * D("0.15") / 10**6 + D(200) * D("0.60") / 10**6
    assert mini.projected == mini.cost * 10
    assert mini.cheapest and not old.cheapest


def test_models_fail_fast_when_unpriced_on_the_date(table: PriceTable, write: Write) -> None:
    a = write("a.txt", "x")
    with pytest.raises(PricingError, match="mini was not yet released on 2023-01-01"):
        estimate.estimate_prompts(table, _src(a), ["mini"], estimate.Settings(as_of=dt.date(2023, 1, 1)))


def test_per_line_models_in_batch_files(table: PriceTable, write: Write) -> None:
    line = {"body": {"model": "old", "messages": [{"role": "user", "content": "hi"}]}}
    path = write(
        "batch.jsonl",
        json.dumps(line) + "\n" + json.dumps({**line, "body": {**line["body"], "model": "mini"}}),
    )
    result = estimate.estimate_prompts(table, _src(path), [], estimate.Settings(as_of=dt.date(2026, 1, 1)))
    assert sorted((r.model, r.records, r.input_tokens) for r in result.rows) == [
        ("mini", 1, 8),
        ("old", 1, 8),
    ]
    # -m overrides the per-line model
    forced = estimate.estimate_prompts(table, _src(path), ["mini"], estimate.Settings(as_of=dt.date(2026, 1, 1)))
    assert [(r.model, r.records) for r in forced.rows] == [("mini", 2)]


def test_unknown_per_line_model_names_the_line(table: PriceTable, write: Write) -> None:
    path = write(
        "batch.jsonl",
        json.dumps({"body": {"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}}),
    )
    with pytest.raises(InputError, match=r"batch.jsonl:1: unknown model 'gpt-9'"):
        estimate.estimate_prompts(table, [Source("batch.jsonl", path)], [], estimate.Settings())


def test_default_models_when_none_given(table: PriceTable, write: Write) -> None:
    result = estimate.estimate_prompts(table, _src(write("a.txt", "x")), [], estimate.Settings())
    assert [t.model for t in result.totals] == ["mini"]


def test_cached_tokens_are_clamped_with_a_note(table: PriceTable, write: Write) -> None:
    result = estimate.estimate_prompts(
        table, _src(write("a.txt", "hello")), ["mini"], estimate.Settings(cached_input_tokens=50)
    )
    row = result.rows[0]
    assert row.cached_input_tokens == 1
    assert row.input_cost == D("0.075") / 10**6
    assert result.notes == [
        "--cached-input-tokens 50 exceeds the prompt in 1 request(s); those were billed as fully cached"
    ]


def test_long_context_rows_count_tiered_requests(table: PriceTable, write: Write) -> None:
    big = write("big.txt", "hello" + " hello" * 200_000)
    result = estimate.estimate_prompts(table, _src(big), ["long"], estimate.Settings(as_of=dt.date(2026, 1, 1)))
    assert result.rows[0].tiered_records == 1
    assert result.rows[0].input_cost == D(200_001) * D("2.50") / 10**6


def test_max_cost_names_the_model_and_the_excess(table: PriceTable, write: Write) -> None:
    a = write("a.txt", "hello" + " hello" * 999)
    result = estimate.estimate_prompts(
        table, _src(a), ["old"], estimate.Settings(requests=1000, as_of=dt.date(2024, 1, 1))
    )
    assert result.totals[0].projected == D("1.00")
    assert estimate.check_max_cost(result, D("1.00")) is None  # equal is within budget
    failure = estimate.check_max_cost(result, D("0.75"))
    assert failure is not None and failure[0] == "projected cost exceeds --max-cost $0.75: old $1.00 is $0.25 over"


def test_counting_uses_each_encoding_once(table: PriceTable, write: Write) -> None:
    # cl100k and o200k disagree on this text; each model gets its own encoding's count.
    text = write("t.txt", "東京は日本の首都です。")
    result = estimate.estimate_prompts(table, _src(text), ["mini", "old"], estimate.Settings(as_of=dt.date(2026, 1, 1)))
    counts = {r.model: (r.encoding, r.input_tokens) for r in result.rows}
    assert counts["mini"][0] == "o200k_base" and counts["old"][0] == "cl100k_base"
    assert counts["mini"][1] != counts["old"][1]
