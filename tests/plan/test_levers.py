"""Levers alone and stacked; a lifetime chosen by price; break-even; what is not available."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from llmprof.plan.levers import break_even, explore
from llmprof.plan.workload import Levers, Limits, Seconds
from llmprof.pricing import PriceTable, load_table
from tests.plan.helpers import conversation, job


def test_caching_a_conversation_picks_the_cheaper_lifetime(table: PriceTable) -> None:
    result = explore(conversation(table.resolve("cachey")), Levers())
    caching = result.option("caching")
    assert caching is not None and caching.reason is None
    assert caching.label == "caching (5m)"
    assert caching.figures["p50"].cost == Decimal("0.0405792")
    assert caching.saving(result.plain, "p50") == Decimal("0.076536") - Decimal("0.0405792")
    batch = result.option("batch")
    assert batch is not None and batch.reason == (
        "not applicable: a conversation's calls wait on each other and on people"
    )
    assert [(s.lever, s.before["p50"], s.after["p50"]) for s in result.chain] == [
        ("caching", Decimal("0.076536"), Decimal("0.0405792"))
    ]


def test_pauses_beyond_five_minutes_make_the_hour_cheaper(table: PriceTable) -> None:
    ten_minutes = Seconds(Decimal(600), Decimal(600))
    result = explore(conversation(table.resolve("cachey"), think=ten_minutes), Levers())
    caching = result.option("caching")
    assert caching is not None and caching.label == "caching (1h)"
    assert caching.figures["p50"].cost == Decimal("0.0479232")
    assert "longest time between calls 10 min, within the 1h lifetime" in caching.notes
    forced = explore(conversation(table.resolve("cachey"), think=ten_minutes), Levers(cache_ttl="5m"))
    five = forced.option("caching")
    assert five is not None and five.figures["p50"].cost == Decimal("0.089652")  # dearer than no cache
    assert forced.chain == []  # it saves nothing, so it is not stacked
    assert (
        "longest time between calls 10 min, beyond the 5m lifetime: the cache expires and the prefix is written again"
        in five.notes
    )


def test_break_even_reads(table: PriceTable) -> None:
    inputs = conversation(table.resolve("cachey"))
    assert break_even(inputs, "5m") == 1  # premium 0.75, each read saves 2.70
    assert break_even(inputs, "1h") == 2  # premium 3.00


def test_levers_stack_largest_saving_first(table: PriceTable) -> None:
    inputs = job(table.resolve("cachey"), system=4000, prompt=500, output=400, repeat=1000)
    result = explore(inputs, Levers(max_tokens=300))
    # a 4,004-token system prompt read at 0.1x saves more than batch's half of everything
    assert [s.lever for s in result.chain] == ["caching", "batch", "max_tokens"]
    caching, batch, cap = result.chain
    assert caching.before["p50"] == result.plain["p50"].cost
    assert batch.before == caching.after
    assert batch.after["p50"] == batch.before["p50"] / 2  # half of every rate, cache reads and writes too
    assert cap.after["p50"] == batch.after["p50"] - 1000 * 100 * Decimal("7.50") / 10**6


def test_an_unasked_lever_without_a_rate_is_not_available_an_asked_one_not_priced(table: PriceTable) -> None:
    old = job(table.resolve("old"), as_of=dt.date(2023, 4, 1))
    auto = explore(old, Levers())
    batch = auto.option("batch")
    assert batch is not None and not batch.unpriced
    assert batch.reason == "not available: old has no batch rates (prices since 2023-03-01)"
    asked = explore(old, Levers(batch="on")).option("batch")
    assert asked is not None and asked.unpriced and asked.reason is not None
    assert asked.reason.startswith("not priced: old has no batch rates")
    caching = explore(job(table.resolve("old"), system=2000), Levers(caching="on")).option("caching")
    assert caching is not None and caching.unpriced
    assert caching.reason == "not available: old has no cache-read rate (prices since 2023-11-06)"


def test_a_short_deadline_rules_batch_out(table: PriceTable) -> None:
    result = explore(job(table.resolve("mini"), deadline=Decimal(7200)), Levers())
    batch = result.option("batch")
    assert (
        batch is not None and batch.reason == "not applicable: its deadline (2 h) is shorter than the 24 h batch window"
    )


def test_history_window_only_for_conversations(table: PriceTable) -> None:
    result = explore(conversation(table.resolve("mini")), Levers(keep_last_turns=2, caching="off"))
    window = result.option("keep_last_turns")
    assert window is not None and window.label == "last 2 turns"
    assert window.figures["p50"].input_tokens == 1111 + 1419 + 6 * 1727  # from turn 3: 2 turns + the new one
    none = explore(job(table.resolve("mini")), Levers(keep_last_turns=2)).option("keep_last_turns")
    assert none is not None and none.reason == "not applicable: a job has no history"


def test_a_warm_shared_prefix_between_conversations(table: PriceTable) -> None:
    # 1,000 conversations a day start 86.4 s apart, within 5 minutes: the system prompt stays cached
    inputs = conversation(table.resolve("cachey"), system=2000, turns=2, per_day=1000)
    caching = explore(inputs, Levers()).option("caching")
    assert caching is not None and caching.label == "caching (5m)"
    first, second = caching.figures["p50"].lines
    assert (first.cached_tokens, first.written_tokens) == (2004, 104)
    assert (second.cached_tokens, second.written_tokens) == (2108, 308)
    assert "1,000 tasks a day keep the shared system prompt and tools cached between them" in caching.notes
    cold = explore(conversation(table.resolve("cachey"), system=2000, turns=2, per_day=10), Levers()).option("caching")
    assert cold is not None and cold.figures["p50"].lines[0].written_tokens == 2108


def test_a_job_prefix_note_says_who_writes_it(table: PriceTable) -> None:
    inputs = job(table.resolve("cachey"), system=2000, repeat=600, limits=Limits(rpm=60, concurrency=4))
    caching = explore(inputs, Levers()).option("caching")
    assert caching is not None
    assert (
        "the first 4 sends find the shared prefix uncached and write it, the rest read it (one send every 1 s)"
        in caching.notes
    )
    # 2,711 tokens a send at 500 a minute: one send every 325.32 s, past a 5-minute lifetime
    slow = job(table.resolve("cachey"), system=2000, repeat=600, limits=Limits(tpm=500))
    note = explore(slow, Levers(cache_ttl="5m")).option("caching")
    assert note is not None and "sends come 5 min 25 s apart, beyond 5m: each writes it again" in note.notes
    assert note.figures["p50"].written_tokens == 600 * 2004 and note.figures["p50"].cached_tokens == 0


def test_a_single_cache_write_rate_is_the_default_lifetimes(write: Callable[[str, str], Path]) -> None:
    from tests.conftest import BASE_TABLE

    extra = """\
  plainwrite:
    provider: minimax
    tokenizer: o200k_base
    source: https://example.test/pricing
    checked: 2026-11-01
    prices:
      - since: 2026-01-01
        input: 3.00
        output: 15.00
        cached_input: 0.30
        cache_write: 3.75
"""
    table = load_table(base=write("t.yaml", BASE_TABLE + extra))
    caching = explore(conversation(table.resolve("plainwrite")), Levers()).option("caching")
    assert caching is not None and caching.reason is None and caching.label == "caching (5m)"
    assert caching.figures["p50"].cost == Decimal("0.0405792")  # as the Claude-like model's 5m writes
