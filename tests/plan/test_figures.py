"""One task, one model, one variant: exact Decimal costs through price_request, and durations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from llmprof.errors import PricingError
from llmprof.plan.cache import Policy
from llmprof.plan.figures import PLAIN, Variant, evaluate
from llmprof.plan.workload import Dist, Limits, Seconds
from llmprof.pricing import PriceTable
from tests.plan.helpers import conversation, job

SPRING_2023 = dt.date(2023, 4, 1)


def test_ten_thousand_documents_cost_fourteen_dollars_at_spring_2023_prices(table: PriceTable) -> None:
    # 10,000 x (500 in + 200 out) at $2 / $2 per 1M ("old" is priced like gpt-3.5-turbo then)
    figure = evaluate(job(table.resolve("old"), as_of=SPRING_2023), PLAIN, "p50")
    assert figure.cost == Decimal("14.0000")
    assert (figure.requests, figure.input_tokens, figure.output_tokens) == (10_000, 5_000_000, 2_000_000)
    assert figure.timing is not None and figure.timing.seconds is None  # no latency, no limit: unknown


def test_rpm_binds_then_latency_binds(table: PriceTable) -> None:
    rpm = evaluate(job(table.resolve("old"), as_of=SPRING_2023, limits=Limits(rpm=50)), PLAIN, "p50")
    assert rpm.timing is not None and rpm.timing.binding is not None
    assert (rpm.timing.binding.name, rpm.timing.seconds) == ("rpm", Decimal(12_000))  # 200 minutes
    slow = job(table.resolve("old"), as_of=SPRING_2023, limits=Limits(rpm=50, concurrency=1), latency=Decimal("1.4"))
    timed = evaluate(slow, PLAIN, "p50")
    assert timed.timing is not None and timed.timing.binding is not None
    assert (timed.timing.binding.name, timed.timing.seconds) == ("latency", Decimal("14000.0"))
    assert timed.work_s == Decimal("1.4") * 10_000


def test_a_conversation_plain_and_cached_on_a_claude_like_model(table: PriceTable) -> None:
    inputs = conversation(table.resolve("cachey"), think=Seconds(Decimal(30), Decimal(30)), latency=Decimal(2))
    plain = evaluate(inputs, PLAIN, "p50")
    # 17,512 in x $3 + 1,600 out x $15, per 1M
    assert plain.cost == Decimal("0.076536")
    assert (plain.input_tokens, plain.output_tokens, plain.requests) == (17_512, 1_600, 8)
    assert plain.span_s == Decimal(8 * 2 + 7 * 30) and plain.longest_gap_s == Decimal(32)
    cached = evaluate(inputs, Variant(caching=True, cache_ttl="5m"), "p50", Policy("5m", 1024, True))
    # 24 priming tokens at $3, 14,224 read at $0.30, 3,264 written at $3.75 (5m), 1,600 out at $15
    assert (cached.cached_tokens, cached.written_tokens) == (14_224, 3_264)
    assert cached.cost == (24 * Decimal(3) + 14_224 * Decimal("0.30") + 3_264 * Decimal("3.75") + 1_600 * 15) / 10**6
    assert cached.cost == Decimal("0.0405792")
    assert [line.cost for line in cached.lines][:2] == [
        (3 * 3 + 1108 * Decimal("3.75") + 200 * 15) / Decimal(10**6),
        (3 * 3 + 1108 * Decimal("0.30") + 308 * Decimal("3.75") + 200 * 15) / Decimal(10**6),
    ]


def test_one_hour_writes_cost_double_input(table: PriceTable) -> None:
    inputs = conversation(table.resolve("cachey"))
    cached = evaluate(inputs, Variant(caching=True, cache_ttl="1h"), "p50", Policy("1h", 1024, True))
    assert cached.cost == (24 * Decimal(3) + 14_224 * Decimal("0.30") + 3_264 * Decimal(6) + 1_600 * 15) / 10**6


def test_the_p90_figure_takes_every_size_at_its_p90(table: PriceTable) -> None:
    inputs = conversation(table.resolve("mini"), turns=2, reply=Dist(200, 500))
    p50, p90 = (evaluate(inputs, PLAIN, q) for q in ("p50", "p90"))
    assert (p50.input_tokens, p90.input_tokens) == (1111 + 1419, 1111 + 1719)
    assert (p50.output_tokens, p90.output_tokens) == (400, 1000)
    assert p90.cost == (2830 * Decimal("0.15") + 1000 * Decimal("0.60")) / 10**6


def test_batch_halves_a_job_and_a_missing_batch_rate_is_an_error(table: PriceTable) -> None:
    mini = job(table.resolve("mini"), prompt=1000, output=100, repeat=1000)
    assert evaluate(mini, PLAIN, "p50").cost == Decimal("0.2100")
    batch = evaluate(mini, Variant(batch=True), "p50")
    assert batch.cost == Decimal("0.1050") and batch.basis == "batch API"
    with pytest.raises(PricingError, match="no batch rates"):
        evaluate(job(table.resolve("old")), Variant(batch=True), "p50")


def test_a_shared_job_prefix_is_written_once_then_read(table: PriceTable) -> None:
    inputs = job(table.resolve("cachey"), system=2000, prompt=500, output=100, repeat=100)
    cached = evaluate(inputs, Variant(caching=True, cache_ttl="5m"), "p50", Policy("5m", 1024, True))
    assert (cached.written_tokens, cached.cached_tokens) == (2004, 99 * 2004)
    # every send: 504 + 3 uncached, 100 out; the first writes 2,004, the others read it
    expected = (
        100 * (507 * Decimal(3) + 100 * Decimal(15)) + 2004 * Decimal("3.75") + 99 * 2004 * Decimal("0.30")
    ) / 10**6
    assert cached.cost == expected


def test_an_output_cap_lowers_the_p90(table: PriceTable) -> None:
    inputs = job(table.resolve("mini"), prompt=1000, output=400, repeat=10)
    capped = evaluate(inputs, Variant(max_tokens=300), "p50")
    assert capped.output_tokens == 3000
    assert capped.cost == 10 * (1000 * Decimal("0.15") + 300 * Decimal("0.60")) / 10**6
