"""The prompt cache on its own: OpenAI's documented rules (1,024-token minimum, 128-token
increments, longest previously seen prefix), chained block hashes, and the LRU bound."""

from __future__ import annotations

from typing import Any

from llmprof.mock.cache import BLOCK_TOKENS, PromptCache, block_hashes, prompt_ids
from llmprof.requests import Request, parse
from llmprof.tokens import count_text, get_encoding

WORD = " hello"  # one o200k_base token, however many follow each other


def _request(*texts: str, tools: list[dict[str, Any]] | None = None) -> Request:
    body: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "".join(texts)}]}
    if tools:
        body["tools"] = tools
    return parse(body, "request", "openai-chat")


def _admit(cache: PromptCache, request: Request, model: str = "gpt-4o-mini") -> int:
    return cache.admit(model, "o200k_base", request, len(prompt_ids(request, "o200k_base")))


def test_the_prompt_ids_are_its_texts_in_order() -> None:
    assert count_text("prefix" + WORD * 1999, "o200k_base") == 2000  # each WORD is one token
    enc = get_encoding("o200k_base")
    body = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
    request = parse(body, "request", "openai-chat")
    expected = [enc.encode_ordinary(text) for text in ("system", "Be brief.", "user", "Hi")]
    assert list(prompt_ids(request, "o200k_base")) == [i for ids in expected for i in ids]
    assert list(prompt_ids(request, "claude-tokenizer")) == list(prompt_ids(request, "o200k_base"))  # stand-in


def test_a_shared_2000_token_prefix_caches_15_whole_blocks() -> None:
    cache = PromptCache()
    shared = "shared" + WORD * 1998  # "user" (the role) + 1,999 tokens: a 2,000-token prefix
    assert len(prompt_ids(_request(shared), "o200k_base")) == 2000
    assert _admit(cache, _request(shared, " first" + WORD * 300)) == 0  # nothing seen yet
    assert _admit(cache, _request(shared, " second" + WORD * 50)) == 1920  # 2000 // 128 = 15 blocks
    assert 15 * BLOCK_TOKENS == 1920


def test_the_same_prompt_again_caches_every_whole_block() -> None:
    cache = PromptCache()
    prompt = _request("same" + WORD * 1500)  # 1,502 ids: 11 whole blocks
    assert _admit(cache, prompt) == 0
    assert _admit(cache, prompt) == 11 * 128


def test_hits_below_1024_tokens_do_not_count() -> None:
    cache = PromptCache()
    _admit(cache, _request("short" + WORD * 1100))
    # 1,000 shared ids are 7 whole blocks (896 tokens): below the minimum, so no hit at all
    assert _admit(cache, _request("short" + WORD * 998, " other" + WORD * 600)) == 0
    # 1,100 shared ids are 8 blocks: exactly the minimum
    assert _admit(cache, _request("short" + WORD * 1098, " other" + WORD * 600)) == 1024


def test_prompts_under_1024_tokens_are_never_cached() -> None:
    cache = PromptCache()
    small = _request("tiny" + WORD * 900)
    assert cache.admit("gpt-4o-mini", "o200k_base", small, 1023) == 0
    assert len(cache) == 0  # not even remembered


def test_the_longest_prefix_wins_and_a_change_breaks_the_chain_after_it() -> None:
    cache = PromptCache()
    _admit(cache, _request("long" + WORD * 3000))
    # the same first 1,500 ids, then a different word: blocks before the change still match
    assert _admit(cache, _request("long" + WORD * 1498, " changed" + WORD * 1500)) == 11 * 128
    # a change in the first block: no block after it matches, even where the text is the same again
    assert _admit(cache, _request("lung" + WORD * 3000)) == 0


def test_models_and_tool_sets_never_share_a_prefix() -> None:
    cache = PromptCache()
    prompt = _request("tools" + WORD * 2000)
    _admit(cache, prompt)
    assert _admit(cache, prompt, model="gpt-4.1") == 0
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    assert _admit(cache, _request("tools" + WORD * 2000, tools=[tool])) == 0
    assert _admit(cache, prompt) == 15 * 128  # the first one is still there


def test_the_cached_count_never_exceeds_the_prompt() -> None:
    cache = PromptCache()
    prompt = _request("clamp" + WORD * 2000)
    _admit(cache, prompt)
    assert cache.admit("gpt-4o-mini", "o200k_base", prompt, 1100) == 1100  # a model counted in fewer tokens


def test_the_least_recently_used_blocks_go_first() -> None:
    cache = PromptCache(max_blocks=20)
    a, b = _request("aaa" + WORD * 1300), _request("bbb" + WORD * 1300)  # 10 blocks each
    _admit(cache, a)
    _admit(cache, b)
    assert len(cache) == 20
    assert _admit(cache, a) == 1280  # a is used again: now b is the least recently used
    _admit(cache, _request("ccc" + WORD * 1300))  # 10 new blocks push b out
    assert len(cache) == 20
    assert _admit(cache, b) == 0
    assert _admit(cache, _request("ccc" + WORD * 1300)) == 1280


def test_block_hashes_are_chained() -> None:
    ids = prompt_ids(_request("chain" + WORD * 300), "o200k_base")  # 302 ids: 2 whole blocks
    first = list(block_hashes(b"salt", ids))
    assert len(first) == 2
    changed = ids[:]
    changed[0] += 1
    second = list(block_hashes(b"salt", changed))
    assert second[0] != first[0] and second[1] != first[1]  # block 2 is the same, its prefix is not
    assert next(iter(block_hashes(b"other", ids))) != first[0]
