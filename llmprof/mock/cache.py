"""A prompt cache that works the way OpenAI's automatic prompt caching is documented to.

A prompt of at least 1,024 tokens is remembered in whole blocks of 128 tokens: block ``i`` is
known by a hash chained over every block before it, so a block matches only when the whole prefix
up to its end matches. The next request's cached length is its longest run of remembered blocks
from the start, in whole blocks, and counts only if it reaches 1,024 tokens (so cache hits come in
1,024, 1,152, 1,280, ... tokens). Remembered blocks live in a bounded LRU: the least recently used
are forgotten first.

What counts as "the prompt's tokens": the texts of the request in order, as llmprof.requests reads
them (roles, system, message contents), then its tool calls and results, encoded with the model's
own encoding, or o200k_base for a model without one. Tool definitions, the response schema and the model name start the
chain, so a different model or tool set never shares a prefix. Images and chat framing are not in
the hashed sequence: two prompts that differ only there share their cache.
"""

from __future__ import annotations

import collections
import hashlib
import json
from array import array
from collections.abc import Iterable

from llmprof.requests import Request
from llmprof.tokens import ENCODINGS, STAND_IN, get_encoding

BLOCK_TOKENS = 128  # the granularity of a cache hit
MIN_CACHED_TOKENS = 1024  # shorter prompts are never cached; shorter hits do not count
MAX_BLOCKS = 65_536  # blocks remembered (8M tokens of prefixes, about 6 MB)


class PromptCache:
    def __init__(self, max_blocks: int = MAX_BLOCKS) -> None:
        self.max_blocks = max_blocks
        self._blocks: collections.OrderedDict[bytes, None] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._blocks)

    def admit(self, model: str, tokenizer: str, request: Request, prompt_tokens: int) -> int:
        """Look the prompt up, then remember it: the tokens served from the cache (a multiple of
        128, at least 1,024, at most ``prompt_tokens``; else 0)."""
        if prompt_tokens < MIN_CACHED_TOKENS:
            return 0
        chain = list(block_hashes(_salt(model, request), prompt_ids(request, tokenizer)))
        hits = 0
        for key in chain:
            if key not in self._blocks:
                break
            hits += 1
        for key in chain:  # remember (or refresh) every block, the hit ones included
            self._blocks[key] = None
            self._blocks.move_to_end(key)
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)
        cached = hits * BLOCK_TOKENS
        return min(cached, prompt_tokens) if cached >= MIN_CACHED_TOKENS else 0


def prompt_ids(request: Request, tokenizer: str) -> array[int]:
    """The token ids of the prompt's texts, in order. A text the tokenizer cannot take (a
    whitespace run of about a million characters) ends the sequence there."""
    encoding = get_encoding(tokenizer if tokenizer in ENCODINGS else STAND_IN)
    ids: array[int] = array("q")
    for text in (*request.texts, *request.tool_calls):
        try:
            ids.extend(encoding.encode_ordinary(text))
        except ValueError:
            break
    return ids


def block_hashes(salt: bytes, ids: array[int]) -> Iterable[bytes]:
    """One chained hash per whole block of ``BLOCK_TOKENS`` ids."""
    previous = hashlib.blake2b(salt, digest_size=16).digest()
    for start in range(0, len(ids) - BLOCK_TOKENS + 1, BLOCK_TOKENS):
        block = ids[start : start + BLOCK_TOKENS].tobytes()
        previous = hashlib.blake2b(previous + block, digest_size=16).digest()
        yield previous


def _salt(model: str, request: Request) -> bytes:
    head = {"model": model, "tools": request.tools, "schema": request.schema}
    return json.dumps(head, sort_keys=True, default=str).encode()
