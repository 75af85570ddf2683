"""Prompt-cache reads and writes over a task's calls, by the provider's rules."""

from __future__ import annotations

from decimal import Decimal

from llmprof.plan.cache import Policy, chat_cache, job_cache, ttl_seconds
from llmprof.plan.schedule import Block, Call, JobPrompt, chat_calls, job_calls
from llmprof.plan.workload import Chat, Dist
from llmprof.pricing import PriceTable
from tests.plan.helpers import FRAMING, conversation

ZERO = Decimal(0)


def _calls(table: PriceTable, turns: int = 8) -> list[Call]:
    inputs = conversation(table.resolve("cachey"), turns=turns)
    assert inputs.chat is not None and isinstance(inputs.task.spec, Chat)
    return chat_calls(inputs.task.spec, inputs.chat, "p50", Dist.of(200), 0)


def test_billed_writes_write_each_new_part_once_and_read_the_rest(table: PriceTable) -> None:
    calls = _calls(table)
    uses = chat_cache(calls, [Decimal(30 * i) for i in range(8)], Policy("5m", 1024, True))
    # call 1 writes its whole prompt (1,108 tokens, the system message alone is under 1,024);
    # call k reads what call k-1 sent and writes the last reply and the new message (308)
    assert [u[0] for u in uses] == [(1, 0, 1108)] + [(1, 800 + 308 * k, 308) for k in range(1, 8)]


def test_a_prefix_under_the_minimum_is_never_cached(table: PriceTable) -> None:
    calls = _calls(table, turns=2)
    uses = chat_cache(calls, [ZERO, Decimal(10)], Policy("5m", 4096, True))
    assert [u[0] for u in uses] == [(1, 0, 0), (1, 0, 0)]


def test_a_pause_beyond_the_lifetime_writes_again(table: PriceTable) -> None:
    calls = _calls(table, turns=3)
    starts = [ZERO, Decimal(299), Decimal(299 + 301)]  # within 5 minutes, then not
    uses = chat_cache(calls, starts, Policy("5m", 1024, True))
    assert [u[0] for u in uses] == [(1, 0, 1108), (1, 1108, 308), (1, 0, 1724)]


def test_a_read_refreshes_the_lifetime(table: PriceTable) -> None:
    calls = _calls(table, turns=3)
    starts = [ZERO, Decimal(200), Decimal(450)]  # 450 s after the first write, 250 after the read
    uses = chat_cache(calls, starts, Policy("5m", 1024, True))
    assert uses[2] == [(1, 1416, 308)]


def test_automatic_caching_is_free_to_write_and_reads_in_128_token_steps(table: PriceTable) -> None:
    calls = _calls(table, turns=3)
    uses = chat_cache(calls, [ZERO, ZERO, ZERO], Policy("5m", 1024, False, increment=128))
    # 1,108 shared -> 1,024 cached; 1,416 -> 1,024 + 3 x 128 = 1,408
    assert [u[0] for u in uses] == [(1, 0, 0), (1, 1024, 0), (1, 1408, 0)]


def test_a_warm_shared_prefix_is_read_by_the_first_call() -> None:
    calls = [Call((Block("system", 2004), Block("u1", 104)), 3, 200, 0, static=1)]
    uses = chat_cache(calls, [ZERO], Policy("5m", 1024, True, warm_static=True))
    assert uses == [[(1, 2004, 104)]]


def test_a_job_writes_its_shared_prefix_in_the_first_wave_and_reads_it_after() -> None:
    calls = job_calls([JobPrompt(500, False, 0)], FRAMING, Dist.of(2000), Dist.of(200), "p50", repeat=100)
    assert job_cache(calls, Policy("5m", 1024, True), wave=4, warm=True) == [[(4, 0, 2004), (96, 2004, 0)]]
    assert job_cache(calls, Policy("5m", 1024, True), wave=4, warm=False) == [[(100, 0, 2004)]]
    assert job_cache(calls, Policy("5m", 1024, False, 128), wave=1, warm=True) == [[(1, 0, 0), (99, 1920, 0)]]
    assert job_cache(calls, Policy("5m", 4096, True), wave=1, warm=True) == [[(100, 0, 0)]]


def test_lifetimes() -> None:
    assert [ttl_seconds(t) for t in ("5m", "30m", "1h", "24h")] == [300, 1800, 3600, 86400]
