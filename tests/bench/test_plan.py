from __future__ import annotations

import pytest

from llmprof.bench.plan import _WORDS, PromptFactory, cross, parse_cells
from llmprof.errors import UsageError
from llmprof.tokens import count_messages, count_text


def test_parse_cells_keeps_order_and_labels() -> None:
    cells = parse_cells("51x1, 232x1,228X26")
    assert [c.label for c in cells] == ["51x1", "232x1", "228x26"]
    assert cells[2].describe() == "input: 228 tokens, output: 26 tokens"
    assert cells[0].describe() == "input: 51 tokens, output: 1 token"


@pytest.mark.parametrize("bad", ["51", "51x", "x1", "51x0", "51x1,51x1", ""])
def test_bad_cells_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_cells(bad)


def test_cross_product() -> None:
    assert [c.label for c in cross([100, 1000], [1, 50])] == ["100x1", "100x50", "1000x1", "1000x50"]


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_filler_words_are_single_tokens(encoding: str) -> None:
    for word in _WORDS:
        assert count_text(" " + word, encoding) == 1, word


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
@pytest.mark.parametrize("tokens", [8, 9, 12, 51, 228, 232, 1000, 4096])
def test_prompts_have_exactly_the_requested_request_tokens(encoding: str, tokens: int) -> None:
    factory = PromptFactory(encoding, seed=1)
    prompt = factory.make(tokens)
    assert count_messages([{"role": "user", "content": prompt}], encoding) == tokens


def test_every_prompt_is_unique_from_its_first_token() -> None:
    factory = PromptFactory("o200k_base", seed=2)
    prompts = [factory.make(232) for _ in range(50)]
    assert len({p.split()[1] for p in prompts}) == 50  # the nonce leads, so prefix caches miss


def test_too_short_for_chat_framing() -> None:
    with pytest.raises(UsageError, match="too short for a chat request"):
        PromptFactory("o200k_base").make(7)
