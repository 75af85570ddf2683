"""The Python API, used the way the README shows it: a budget assertion in a pytest test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import llmprof
from llmprof import count_tokens, estimate_cost
from llmprof.errors import UnknownModelError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "prompts"


def test_readme_example_support_prompt_stays_under_budget() -> None:
    cost = estimate_cost(EXAMPLES / "support.txt", model="gpt-4o-mini", output_tokens=200, as_of=dt.date(2026, 11, 21))
    assert cost.input_tokens == 241 and cost.count == "exact"
    assert cost.per_request == Decimal(241) * Decimal("0.15") / 10**6 + Decimal(200) * Decimal("0.60") / 10**6
    assert cost.per_request < Decimal("0.001"), cost


def test_worked_example_from_text() -> None:
    cost = estimate_cost(
        "hello" + " hello" * 9999, model="gpt-4-32k", output_tokens=200, requests=500, as_of=dt.date(2023, 6, 1)
    )
    assert (cost.per_request, cost.total) == (Decimal("0.624"), Decimal("312"))
    assert "pricing table" in str(cost)


def test_chat_messages_and_batch_files() -> None:
    assert count_tokens([{"role": "user", "content": "hi"}], model="gpt-4o") == 8
    batch = estimate_cost(EXAMPLES / "batch.jsonl", model="gpt-4o-mini", output_tokens=10)
    assert batch.requests == 3 and batch.input_tokens == (55 + 15) // 3


def test_a_floor_is_refused_unless_accepted() -> None:
    from llmprof.errors import InputError

    with pytest.raises(InputError, match="the cost on o3 would only be a lower bound: hidden reasoning") as caught:
        estimate_cost(text="Why is the sky blue?", model="o3", output_tokens=100)
    assert caught.value.hint == "pass reasoning_tokens=N (0 if your request turns reasoning off)"
    priced = estimate_cost(text="Why is the sky blue?", model="o3", output_tokens=100, reasoning_tokens=900)
    assert (priced.output_tokens, priced.reasoning_tokens, priced.lower_bound) == (1000, 900, ())
    assert priced.output_cost == Decimal(1000) * Decimal(8) / 10**6
    floor = estimate_cost(text="Why is the sky blue?", model="o3", output_tokens=100, allow_lower_bound=True)
    assert floor.lower_bound == ("hidden reasoning tokens (none allowed for)",)
    assert "= at least $" in str(floor)


def test_unknown_model_is_the_same_clear_error() -> None:
    with pytest.raises(UnknownModelError, match="unknown model 'gpt-4o-mimi'"):
        estimate_cost("x", model="gpt-4o-mimi")


def test_lazy_exports() -> None:
    assert llmprof.CostEstimate.__name__ == "CostEstimate"
    with pytest.raises(AttributeError):
        _ = llmprof.nothing_here
