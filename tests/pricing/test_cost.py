"""price_request: exact Decimal arithmetic over usage buckets, and which rates apply when."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from llmprof.errors import PricingError
from llmprof.pricing import Mode, PriceTable, Usage, price_request

D = Decimal
M = D(1_000_000)
DAY = dt.date(2026, 6, 1)


def test_exact_decimal_costs(table: PriceTable) -> None:
    old = table.resolve("old")
    cost = price_request(old, Usage(input_tokens=500, output_tokens=200), dt.date(2023, 4, 1))
    assert cost.total * 10_000 == D("14.00")  # the 2023 example: 10,000 x (500 + 200) at $0.002 / 1K
    assert (cost.input, cost.output, cost.prompt) == (D("0.001"), D("0.0004"), D("0.001"))


def test_cache_reads_are_part_of_the_prompt_not_extra(table: PriceTable) -> None:
    mini = table.resolve("mini")
    cost = price_request(mini, Usage(input_tokens=1_000_000, cached_input_tokens=400_000), DAY)
    assert cost.input == D("0.6") * D("0.15")  # 600,000 uncached
    assert cost.cache_read == D("0.4") * D("0.075")  # 400,000 cached
    assert cost.prompt == D("0.12") and cost.total == D("0.12")


def test_reasoning_is_billed_as_output_and_shown_apart(table: PriceTable) -> None:
    cachey = table.resolve("cachey")
    cost = price_request(cachey, Usage(input_tokens=1000, output_tokens=3000, reasoning_tokens=2500), DAY)
    assert cost.output == 3000 * D("15") / M  # reasoning is part of output, never counted twice
    assert cost.reasoning == 2500 * D("15") / M
    assert cost.total == D("0.003") + D("0.045")


def test_cache_writes_by_lifetime(table: PriceTable) -> None:
    cachey = table.resolve("cachey")
    usage = Usage(input_tokens=10_000, cache_write_tokens=8_000, cached_input_tokens=0)
    five = price_request(cachey, usage, DAY)  # the model's default lifetime: 5 minutes, 1.25x
    hour = price_request(cachey, usage, DAY, Mode(cache_ttl="1h"))  # 2x
    assert five.cache_write == 8_000 * D("3.75") / M == D("0.03")
    assert hour.cache_write == 8_000 * D("6.00") / M == D("0.048")
    assert five.input == hour.input == 2_000 * D(3) / M
    with pytest.raises(PricingError, match=r"no cache-write rate for a 24h lifetime.*it has: 5m, 1h"):
        price_request(cachey, usage, DAY, Mode(cache_ttl="24h"))


def test_batch_with_cache_reads_and_writes(table: PriceTable) -> None:
    cachey = table.resolve("cachey")
    usage = Usage(input_tokens=100_000, cached_input_tokens=60_000, cache_write_tokens=20_000, output_tokens=1_000)
    cost = price_request(cachey, usage, DAY, Mode(batch=True, cache_ttl="1h"))
    assert cost.input == 20_000 * D("1.50") / M
    assert cost.cache_read == 60_000 * D("0.15") / M
    assert cost.cache_write == 20_000 * D("3.00") / M
    assert cost.output == 1_000 * D("7.50") / M
    assert cost.total == D("0.03") + D("0.009") + D("0.06") + D("0.0075")
    assert cost.basis == "batch API"


@pytest.mark.parametrize(
    ("model", "tokens", "tiered"),
    [
        ("long", 199_999, False),
        ("long", 200_000, False),  # "above 200,000": exactly 200,000 is not above
        ("long", 200_001, True),
        ("cachey", 199_999, False),
        ("cachey", 200_000, True),  # "from 200,000": exactly 200,000 is in
        ("cachey", 200_001, True),
    ],
)
def test_long_context_boundaries_are_explicit(table: PriceTable, model: str, tokens: int, tiered: bool) -> None:
    cost = price_request(table.resolve(model), Usage(input_tokens=tokens, output_tokens=1000), DAY)
    assert (cost.tier is not None) is tiered


def test_a_tier_bills_the_whole_request(table: PriceTable) -> None:
    long = table.resolve("long")
    above = price_request(long, Usage(input_tokens=200_001, output_tokens=1000), DAY)
    assert above.input == D("200001") * D("2.50") / M
    assert above.output == D("0.015")
    assert above.basis == "long context above 200,000 tokens"
    with pytest.raises(PricingError, match="no batch rates for prompts above 200,000 tokens"):
        price_request(long, Usage(input_tokens=300_000), DAY, Mode(batch=True))


def test_service_tiers(table: PriceTable) -> None:
    flexy = table.resolve("flexy")
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert price_request(flexy, usage, DAY).total == D("11.25")
    assert price_request(flexy, usage, DAY, Mode(service_tier="flex")).total == D("5.625")
    assert price_request(flexy, usage, DAY, Mode(service_tier="priority")).total == D("22.50")
    with pytest.raises(PricingError, match=r"no 'flex' service-tier rates.*it has: none"):
        price_request(table.resolve("mini"), usage, DAY, Mode(service_tier="flex"))
    with pytest.raises(PricingError, match="cannot be combined"):
        price_request(flexy, usage, DAY, Mode(service_tier="flex", batch=True))


@pytest.mark.parametrize(
    ("at", "off_peak"),
    [
        ("2026-06-01T12:00Z", False),
        ("2026-06-01T16:29Z", False),
        ("2026-06-01T16:30Z", True),  # the window opens at 16:30 UTC
        ("2026-06-01T23:59Z", True),
        ("2026-06-02T00:00Z", True),  # and wraps past midnight
        ("2026-06-02T00:29Z", True),
        ("2026-06-02T00:30Z", False),  # closing at 00:30
    ],
)
def test_time_of_day_rates_at_peak_and_off_peak(table: PriceTable, at: str, off_peak: bool) -> None:
    from llmprof.dates import parse_moment

    peaky = table.resolve("peaky")
    cost = price_request(peaky, Usage(input_tokens=1_000_000, output_tokens=1_000_000), DAY, Mode(at=parse_moment(at)))
    assert cost.total == (D("0.35") if off_peak else D("0.70"))
    assert cost.basis == ("off-peak (16:30-00:30 UTC)" if off_peak else "standard")


def test_time_of_day_spread_over_the_week_states_its_assumption(table: PriceTable) -> None:
    peaky = table.resolve("peaky")
    cost = price_request(peaky, Usage(input_tokens=1_000_000, output_tokens=1_000_000), DAY)
    # 8 of 24 hours off-peak at half price: 2/3 x 0.70 + 1/3 x 0.35
    assert cost.total == D("0.70") * D(16) / D(24) + D("0.35") * D(8) / D(24)
    assert cost.basis == "spread evenly over the week (off-peak 33% of the time)"


def test_embeddings_bill_input_only(table: PriceTable) -> None:
    embed = table.resolve("embed")
    assert price_request(embed, Usage(input_tokens=1_000_000), DAY).total == D("0.02")
    assert price_request(embed, Usage(input_tokens=1_000_000), DAY, Mode(batch=True)).total == D("0.01")
    with pytest.raises(PricingError, match="embed is an embedding model: it bills no output tokens"):
        price_request(embed, Usage(input_tokens=10, output_tokens=5), DAY)


def test_missing_rates_are_errors_not_zero(table: PriceTable) -> None:
    old = table.resolve("old")
    with pytest.raises(PricingError, match="old has no cache-read rate"):
        price_request(old, Usage(input_tokens=10, cached_input_tokens=5), DAY)
    with pytest.raises(PricingError, match="old has no batch rates"):
        price_request(old, Usage(input_tokens=10), DAY, Mode(batch=True))


@pytest.mark.parametrize(
    ("usage", "message"),
    [
        ({"input_tokens": -1}, "input_tokens must be a whole number"),
        ({"input_tokens": 10, "cached_input_tokens": 8, "cache_write_tokens": 5}, "exceed the prompt's 10 tokens"),
        ({"input_tokens": 10, "output_tokens": 2, "reasoning_tokens": 3}, "exceed the output's 2 tokens"),
        ({"input_tokens": True}, "input_tokens must be a whole number"),
    ],
)
def test_impossible_usage_is_refused(usage: dict[str, int], message: str) -> None:
    with pytest.raises(PricingError, match=message):
        Usage(**usage)
