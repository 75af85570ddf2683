"""Generated text: n pieces are exactly n tokens in both bundled encodings."""

from __future__ import annotations

import random

import pytest

from llmprof.mock import words
from llmprof.tokens import count_text

ENCODINGS = ("o200k_base", "cl100k_base")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_piece_is_one_token(encoding: str) -> None:
    pieces = {*words.OPENERS, *(" " + w for w in words.OPENERS), *(" " + w for w in words.WORDS), "."}
    assert {p: count_text(p, encoding) for p in pieces} == dict.fromkeys(pieces, 1)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("n", [1, 2, 5, 17, 26, 100, 257, 1000, 4096])
def test_n_pieces_are_n_tokens(n: int, encoding: str) -> None:
    for seed in range(3):
        pieces = list(words.tokens(n, random.Random(seed)))
        assert len(pieces) == n
        assert count_text("".join(pieces), encoding) == n


def test_text_reads_like_sentences() -> None:
    text = "".join(list(words.tokens(40, random.Random(2))))
    assert text[0].isupper() and ".." not in text and "  " not in text
    after_stops = [part.lstrip()[:1] for part in text.split(".")[1:] if part]
    assert all(first.isupper() for first in after_stops)


def test_same_generator_state_same_text() -> None:
    assert list(words.tokens(50, random.Random(9))) == list(words.tokens(50, random.Random(9)))
    assert list(words.tokens(0, random.Random(9))) == []
