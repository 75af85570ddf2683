"""Output lengths and latency measured: from bench results and from saved API responses."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof.errors import InputError
from llmprof.plan.profiles import load_profile, load_responses, usage_of
from llmprof.pricing import PriceTable
from tests.plan.profile_file import write_profile


def test_a_bench_result_gives_output_reasoning_and_latency(tmp_path: Path, table: PriceTable) -> None:
    rows = [(100, 20, 0.7), (100, 20, 0.72), (100, 20, 0.68), (100, 60, 1.1), (100, 60, 1.12), (100, 60, 1.08)]
    path = write_profile(tmp_path / "run.json", "mini-2024-07-18", rows, reasoning=[0, 0, 0, 10, 10, 10])
    profile = load_profile(path, table)
    assert profile.model == "mini"  # an alias, resolved
    assert (profile.output.p50, profile.output.p90) == (35, 50)  # visible: 20 and 50 tokens, p50 interpolated
    assert profile.reasoning is not None and (profile.reasoning.p50, profile.reasoning.p90) == (5, 10)
    latency = profile.latency
    assert (latency.fixed, latency.per_output) == (Decimal("0.5"), Decimal("0.01"))
    assert latency.seconds(100, 200, "p50") == Decimal("2.5")


def test_a_bench_of_an_unknown_model_is_refused(tmp_path: Path, table: PriceTable) -> None:
    path = write_profile(tmp_path / "run.json", "llama-local", [(100, 20, 0.5), (100, 40, 0.7)])
    with pytest.raises(InputError, match="a bench result for 'llama-local', which the price table does not know"):
        load_profile(path, table)
    priced = write_profile(tmp_path / "priced.json", "llama-local", [(100, 20, 0.5), (100, 40, 0.7)], price_as="mini")
    assert load_profile(priced, table).model == "mini"


@pytest.mark.parametrize(
    ("body", "visible", "reasoning", "model"),
    [
        (
            {"model": "gpt-x", "usage": {"prompt_tokens": 9, "completion_tokens": 120,
                                         "completion_tokens_details": {"reasoning_tokens": 100}}},
            20, 100, "gpt-x",
        ),
        ({"usage": {"prompt_tokens": 9, "completion_tokens": 50}}, 50, None, None),
        ({"object": "response", "usage": {"input_tokens": 9, "output_tokens": 80,
                                           "output_tokens_details": {"reasoning_tokens": 30}}}, 50, 30, None),
        ({"type": "message", "model": "claude-x", "usage": {"input_tokens": 9, "output_tokens": 77}}, 77, None, "claude-x"),
        ({"modelVersion": "gemini-x", "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 40,
                                                         "thoughtsTokenCount": 12}}, 40, 12, "gemini-x"),
        ({"custom_id": "a", "response": {"status_code": 200, "body": {"usage": {"completion_tokens": 5}}}}, 5, None, None),
        ({"custom_id": "a", "result": {"type": "succeeded", "message": {"usage": {"output_tokens": 6}}}}, 6, None, None),
    ],
)  # fmt: skip
def test_usage_in_every_api_shape(body: object, visible: int, reasoning: int | None, model: str | None) -> None:
    usage = usage_of(body, "r.json")
    assert (usage.visible, usage.reasoning, usage.model) == (visible, reasoning, model)


def test_responses_give_a_distribution(write: Callable[[str, str], Path], table: PriceTable) -> None:
    lines = [{"model": "mini", "usage": {"completion_tokens": n}} for n in (100, 200, 300, 400, 500)]
    path = write("r.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n")
    found = load_responses(path, table)
    assert (found.output.p50, found.output.p90, found.count) == (300, 460, 5)
    assert found.reasoning == {}


def test_a_response_without_usage_names_its_line(write: Callable[[str, str], Path], table: PriceTable) -> None:
    path = write("r.jsonl", '{"usage": {"completion_tokens": 3}}\n{"id": "x"}\n')
    with pytest.raises(InputError, match=r"r\.jsonl:2: no usage object in this response"):
        load_responses(path, table)
