"""Prompt caching over a task's calls: which tokens each call reads from the cache and which it
writes, given the provider's rules. Pure.

Two kinds of cache, told apart by the price table (never by a provider's name):

* **billed writes** (Anthropic; OpenAI's newest models): the model has cache-write rates. A
  call marks breakpoints (after the shared tool definitions and system message, and at the end
  of its prompt); the part up to a breakpoint not already cached is written at the write rate
  (1.25x input for 5 minutes on Claude, 2x for 1 hour), and a later call whose prompt starts with
  a cached prefix reads it at the read rate (0.1x). Each read refreshes the entry's lifetime.
  Anthropic: https://platform.claude.com/docs/en/build-with-claude/prompt-caching
* **automatic** (OpenAI's other models, Gemini's implicit cache, DeepSeek): no write charge;
  every prompt of at least ``min_tokens`` is cached, and a later call reads the longest prefix it
  shares with it. OpenAI counts cached tokens in steps of 128 after the first 1,024
  (https://developers.openai.com/api/docs/guides/prompt-caching).

A prefix shorter than the model's minimum is never cached. An entry lives ``ttl`` seconds from
its last write or read; a call that comes later finds it gone.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from llmprof.plan.schedule import Call

#: Minimum cacheable prefix when the price table gives none, by provider, with the source:
#: OpenAI "prompts that are 1024 tokens or longer" (prompt-caching guide); Anthropic 1,024 for
#: most models (prompt-caching guide; the table has each Claude's own); Gemini 3.x 4,096
#: (https://ai.google.dev/gemini-api/docs/caching, implicit caching table).
MIN_TOKENS = {"openai": 1024, "anthropic": 1024, "google": 4096}
DEFAULT_MIN_TOKENS = 1024
#: Lifetime of an automatic cache when the table gives none: OpenAI keeps a prefix 5 to 10
#: minutes after its last use (prompt-caching guide); the shorter end is assumed everywhere.
DEFAULT_TTL = "5m"
#: OpenAI's automatic cache hits come in 128-token steps.
INCREMENT = {"openai": 128}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def ttl_seconds(ttl: str) -> Decimal:
    """``5m`` -> 300, ``1h`` -> 3600, ``30m``, ``12h``, ``24h``."""
    return Decimal(int(ttl[:-1]) * _UNITS[ttl[-1]])


@dataclass(frozen=True)
class Policy:
    ttl: str
    min_tokens: int
    billed_writes: bool
    increment: int = 1
    warm_static: bool = False  # other tasks' traffic keeps the shared prefix cached
    rate: str | None = None  # the price table's key for its write rate, when not the lifetime ("default")

    @property
    def ttl_s(self) -> Decimal:
        return ttl_seconds(self.ttl)


#: One call's cache use: (sends, tokens read, tokens written) for each group of its sends.
Outcome = list[tuple[int, int, int]]


def _readable(tokens: int, policy: Policy) -> int:
    if tokens < policy.min_tokens:
        return 0
    if policy.increment > 1:
        return tokens - (tokens - policy.min_tokens) % policy.increment
    return tokens


def _prefix_ids(call: Call, previous: Call | None, known: list[int]) -> list[int]:
    """An id for each prefix of the call's blocks (ids[j]: the first j blocks). The blocks it
    shares with the previous call (the same objects: its history) keep their ids."""
    shared = 0
    if previous is not None:
        limit = min(len(previous.blocks), len(call.blocks))
        while shared < limit and previous.blocks[shared] is call.blocks[shared]:
            shared += 1
    ids = known[: shared + 1]
    for block in call.blocks[shared:]:
        ids.append(hash((ids[-1], block.key)))
    return ids


def chat_cache(calls: Sequence[Call], starts: Sequence[Decimal], policy: Policy) -> list[Outcome]:
    """A conversation's calls in order, each sent at ``starts[i]`` seconds from the first."""
    entries: dict[int, Decimal] = {}  # cached prefix (by its id) -> when it expires
    outcomes: list[Outcome] = []
    ttl, floor = policy.ttl_s, policy.min_tokens
    previous: Call | None = None
    ids: list[int] = [0]
    for index, (call, start) in enumerate(zip(calls, starts, strict=True)):
        ids = _prefix_ids(call, previous, ids)
        previous = call
        ends = [0, *itertools.accumulate(b.tokens for b in call.blocks)]
        expiry = start + ttl
        if policy.warm_static and index == 0 and call.static and ends[call.static] >= floor:
            entries[ids[call.static]] = expiry
        hit = 0
        for j in range(len(call.blocks), 0, -1):
            expires = entries.get(ids[j])
            if expires is not None and start < expires:
                hit = j
                entries[ids[j]] = expiry  # a read refreshes the entry
                break
        read = _readable(ends[hit], policy)
        written = 0
        if policy.billed_writes:
            marks = [j for j in (call.static, len(call.blocks)) if j and ends[j] >= floor]
            if marks and marks[-1] > hit:
                written = ends[marks[-1]] - ends[hit]
            for j in marks:
                entries[ids[j]] = expiry
        else:
            first = bisect.bisect_left(ends, floor)  # every prefix from the minimum on is cached
            entries.update(dict.fromkeys(ids[max(first, 1) :], expiry))
        outcomes.append([(call.count, read, written)])
    return outcomes


def job_cache(calls: Sequence[Call], policy: Policy, wave: int, warm: bool) -> list[Outcome]:
    """A job's calls share only their system message. The first ``wave`` sends (those in flight
    before any has finished) find nothing cached; the rest read the shared prefix while it stays
    cached (``warm``: sends come closer together than its lifetime) and write it again when not."""
    outcomes: list[Outcome] = []
    left = wave
    for call in calls:
        prefix = sum(b.tokens for b in call.blocks[: call.static])
        if not call.static or prefix < policy.min_tokens:
            outcomes.append([(call.count, 0, 0)])
            continue
        write = prefix if policy.billed_writes else 0
        if not warm:
            outcomes.append([(call.count, 0, write)])
            continue
        cold = min(left, call.count)
        left -= cold
        groups = [(cold, 0, write)] if cold else []
        if call.count > cold:
            groups.append((call.count - cold, _readable(prefix, policy), 0))
        outcomes.append(groups)
    return outcomes
