"""Generated text whose token count is known without a tokenizer.

Every piece is exactly one token in both ``o200k_base`` and ``cl100k_base``, and the pieces never
merge: each word carries its own leading space, which both encodings' pre-tokenizers split on,
and a full stop is never followed by another one. So n pieces are n tokens, one per streamed
chunk, and the usage the mock reports equals what a client counts locally.
``tests/mock/test_words.py`` checks this against both encodings.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

#: Sentence openers: bare at the start of the text, with a leading space after a full stop.
OPENERS = ("The", "This", "Each", "We", "Our", "A", "Many", "Every", "Some", "Good")

#: Followed by a leading space anywhere else. All lowercase ASCII: one pre-token each.
WORDS = (
    "the", "model", "answers", "each", "request", "with", "a", "short", "note", "about", "latency",
    "and", "cost", "while", "system", "measures", "time", "to", "first", "token", "every", "gap",
    "between", "tokens", "so", "that", "team", "can", "plan", "budgets", "before", "launch", "output",
    "length", "drives", "input", "barely", "does", "we", "test", "small", "prompts", "long", "fast",
    "servers", "slow", "many", "users", "at", "once", "data", "shows", "clear", "results", "when",
    "runs", "repeat", "often", "enough", "for", "stable", "numbers", "over", "days", "good", "tools",
    "make", "easy", "read", "share", "check", "in", "build", "of", "project", "this", "report",
    "lists", "median", "values", "high", "rare", "failures", "from", "real", "traffic", "today",
    "simple", "steps", "help", "people", "trust", "what", "they", "see", "on", "screen", "because",
    "facts", "beat", "guesses",
)  # fmt: skip

SENTENCE_WORDS = (8, 16)  # a full stop after this many words, drawn per sentence


def tokens(n: int, rng: random.Random) -> Iterator[str]:
    """``n`` one-token pieces of plausible text, made as they are needed; joined, they are
    exactly ``n`` tokens."""
    if n < 1:
        return
    last = rng.choice(OPENERS)
    yield last
    until_stop = rng.randint(*SENTENCE_WORDS)
    for _ in range(n - 1):
        if until_stop == 0:
            last = "."
            until_stop = rng.randint(*SENTENCE_WORDS)
        elif last == ".":
            last = " " + rng.choice(OPENERS)
        else:
            last = " " + rng.choice(WORDS)
            until_stop -= 1
        yield last
