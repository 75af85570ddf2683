"""What to send: cells (input x output token lengths) and synthetic prompts of exact length.

A cell's input length is the prompt as the API counts it, chat framing included: one user message
costs 7 tokens of framing (3 per message, 1 for the role, 3 to prime the reply), so a 51-token cell
sends 44 tokens of text. Every run gets its own random prefix, so provider-side prompt caching
cannot flatter later runs; ``--cache-prefix N`` instead makes every prompt start with the same
N tokens, to measure what prompt caching does to latency.

The order requests are sent in is part of the design. ``interleaved`` (the default) runs the
cells in randomised blocks: every cell once per block, in an order shuffled with the seed, so
anything that drifts during a run (a provider's load, a busy machine) falls on every cell alike
instead of on whichever cell ran then. ``sequential`` runs each cell's requests back to back.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from llmprof.errors import UsageError
from llmprof.tokens import count_messages, count_text

_CELL = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")

# Words that are one token each, with their leading space, in o200k_base and cl100k_base
# (checked by tests), so filler length is predictable before the exact check.
_WORDS = [
    "the",
    "model",
    "answers",
    "each",
    "question",
    "with",
    "care",
    "and",
    "time",
    "while",
    "users",
    "wait",
    "for",
    "tokens",
    "to",
    "arrive",
    "from",
    "a",
    "server",
    "that",
    "measures",
    "latency",
    "across",
    "many",
    "requests",
    "under",
    "load",
    "in",
    "production",
    "today",
    "because",
    "cost",
    "and",
    "speed",
    "matter",
    "when",
    "every",
    "call",
    "adds",
    "up",
    "over",
    "a",
    "day",
    "of",
    "traffic",
]


@dataclass(frozen=True, order=True)
class Cell:
    input_tokens: int
    output_tokens: int

    @property
    def label(self) -> str:
        return f"{self.input_tokens}x{self.output_tokens}"

    def describe(self) -> str:
        return (
            f"input: {self.input_tokens} tokens, output: {self.output_tokens} "
            f"token{'s' if self.output_tokens != 1 else ''}"
        )


def parse_cells(text: str | list[str]) -> list[Cell]:
    """``"51x1,232x1,228x26"`` (or a list of such items) -> cells, in the order given."""
    items = text if isinstance(text, list) else text.split(",")
    cells = []
    for item in items:
        match = _CELL.match(str(item))
        if not match:
            raise UsageError(f"{item!r} is not a cell", "write cells as INPUTxOUTPUT, e.g. 51x1,232x1,228x26")
        cells.append(Cell(int(match[1]), int(match[2])))
    return _checked(cells)


def cross(inputs: list[int], outputs: list[int]) -> list[Cell]:
    """Every input length with every output length."""
    return _checked([Cell(i, o) for i, o in itertools.product(inputs, outputs)])


ORDERS = ("interleaved", "sequential")


def schedule(cells: Sequence[Cell], runs: int, order: str, seed: int) -> list[tuple[Cell, int | None]]:
    """Every cell ``runs`` times, in the order they are sent, each with its block (None when
    sequential). Blocks hold every cell once; each block's order is its own shuffle."""
    if order == "sequential":
        return [(cell, None) for cell in cells for _ in range(runs)]
    rng = random.Random(seed)
    planned: list[tuple[Cell, int | None]] = []
    for block in range(runs):
        shuffled = list(cells)
        rng.shuffle(shuffled)
        planned.extend((cell, block) for cell in shuffled)
    return planned


def _checked(cells: list[Cell]) -> list[Cell]:
    if not cells:
        raise UsageError("no cells to run", "give --cells, or --input-tokens and --output-tokens")
    for cell in cells:
        if cell.output_tokens < 1:
            raise UsageError(f"cell {cell.label}: output must be at least 1 token")
    if len(set(cells)) != len(cells):
        raise UsageError("the same cell is listed twice")
    return cells


class PromptFactory:
    """Makes prompts whose chat request counts exactly the cell's input tokens."""

    def __init__(self, encoding: str, seed: int | None = None, shared_prefix: int = 0) -> None:
        self.encoding = encoding
        self.framing = count_messages([{"role": "user", "content": ""}], encoding)
        self._rng = random.Random(seed)
        self.prefix = self._fill(["Shared"], shared_prefix) if shared_prefix else ""
        self.prefix_tokens = shared_prefix

    def make(self, input_tokens: int) -> str:
        """A fresh prompt (unique after the shared prefix, if any) of exactly ``input_tokens``
        request tokens."""
        target = input_tokens - self.framing
        least = self.framing + self.prefix_tokens + (9 if self.prefix else 1)
        if target < least - self.framing:
            shared = f" and the {self.prefix_tokens}-token shared prefix" if self.prefix else ""
            raise UsageError(
                f"a {input_tokens}-token prompt is too short for a chat request{shared}",
                f"one message's framing is already {self.framing} tokens{shared}; use at least {least}.",
            )
        nonce = f"{self._rng.getrandbits(40):010x}"
        words = [f"Request {nonce}:"] if target > 8 else [nonce]
        if self.prefix:
            words = [self.prefix, *words]
        text = self._fill(words, target)
        if self.prefix and not text.startswith(self.prefix):  # pragma: no cover - guarded by tests
            raise UsageError("could not keep the shared prefix intact")
        if count_text(text, self.encoding) != target:  # pragma: no cover - guarded by tests
            raise UsageError(f"could not build a prompt of exactly {input_tokens} tokens")
        return text

    def _fill(self, words: list[str], target: int) -> str:
        head = " ".join(words)
        have = count_text(head, self.encoding)
        while have > target:  # only for tiny targets: trim the nonce
            head = head[:-1]
            have = count_text(head, self.encoding)
        filler = [self._rng.choice(_WORDS) for _ in range(target - have)]
        text = head + "".join(" " + w for w in filler)
        # Word boundaries are token boundaries here, so one pass nearly always lands exactly;
        # nudge by whole words if a merge at the seam made it differ.
        for _ in range(8):
            diff = count_text(text, self.encoding) - target
            if diff == 0:
                break
            if diff > 0:
                filler = filler[: max(0, len(filler) - diff)]
            else:
                filler += [self._rng.choice(_WORDS) for _ in range(-diff)]
            text = head + "".join(" " + w for w in filler)
        return text
