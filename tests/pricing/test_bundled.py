"""The shipped table's rules, figure by figure: long-context boundaries for every tiered model,
time-of-day rates at peak and off-peak, batch with cache reads and writes, 1-hour cache writes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from llmprof.errors import PricingError
from llmprof.pricing import Mode, ModelPrice, Usage, load_table, price_request

TABLE = load_table()
TODAY = dt.date(2026, 11, 21)
M = Decimal(1_000_000)
TIERED = sorted(
    (m for m in TABLE.models.values() if m.periods[0].since <= TODAY and m.period_on(TODAY).tiers),
    key=lambda m: m.name,
)


@pytest.mark.parametrize("model", TIERED, ids=[m.name for m in TIERED])
def test_every_long_context_boundary_is_where_its_provider_puts_it(model: ModelPrice) -> None:
    period = model.period_on(TODAY)
    tier = period.tiers[0]
    for prompt in (tier.threshold - 1, tier.threshold, tier.threshold + 1):
        in_tier = prompt >= tier.threshold if tier.inclusive else prompt > tier.threshold
        cost = price_request(model, Usage(input_tokens=prompt), TODAY)
        expected = (tier.rates if in_tier else period.rates).input * prompt / M
        assert (cost.tier is not None, cost.input) == (in_tier, expected), (model.name, prompt)


def test_xai_bills_its_tier_from_exactly_200000() -> None:
    tiered = [m for m in TIERED if m.provider == "xai"]
    assert tiered and all(m.period_on(TODAY).tiers[0].inclusive for m in tiered)
    assert all(m.period_on(TODAY).tiers[0].threshold == 200_000 for m in tiered)


MONDAY = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("when", "rates"),
    [
        (MONDAY.replace(hour=2), ("0.30", "1.20")),  # weekday peak: 01:00-04:00 UTC
        (MONDAY.replace(hour=7, minute=30), ("0.30", "1.20")),  # and 06:00-10:00 UTC
        (MONDAY.replace(hour=4), ("0.15", "0.60")),  # off-peak between the two
        (MONDAY.replace(hour=12), ("0.15", "0.60")),
        (MONDAY.replace(hour=0, minute=30), ("0.15", "0.60")),
        (MONDAY - dt.timedelta(days=2) + dt.timedelta(hours=2), ("0.15", "0.60")),  # Saturday 02:00: off-peak
    ],
)
def test_deepseek_time_of_day(when: dt.datetime, rates: tuple[str, str]) -> None:
    model = TABLE.resolve("deepseek-flash")
    cost = price_request(model, Usage(input_tokens=1_000_000, output_tokens=1_000_000), TODAY, Mode(at=when))
    assert (cost.input, cost.output) == tuple(Decimal(r) for r in rates)


def test_deepseek_traffic_spread_over_the_week() -> None:
    model = TABLE.resolve("deepseek-flash")
    cost = price_request(model, Usage(input_tokens=1_000_000), TODAY)
    # peak is 7 hours on each of 5 weekdays: 35 of the week's 168 hours at $0.30, the rest at $0.15
    assert cost.input == Decimal("0.30") * 35 / 168 + Decimal("0.15") * 133 / 168
    assert cost.basis.startswith("spread evenly over the week")


def test_claude_batch_with_cache_reads_and_one_hour_writes() -> None:
    model = TABLE.resolve("claude-sonnet-5-5")
    usage = Usage(input_tokens=100_000, cached_input_tokens=60_000, cache_write_tokens=20_000, output_tokens=1_000)
    cost = price_request(model, usage, TODAY, Mode(batch=True, cache_ttl="1h"))
    # batch: input $1.00, cache read $0.05, 1h write $2.00, output $5.00 per 1M
    assert (cost.input, cost.cache_read, cost.cache_write, cost.output) == (
        Decimal("0.02"), Decimal("0.003"), Decimal("0.04"), Decimal("0.005"),
    )  # fmt: skip
    assert cost.total == Decimal("0.068")


def test_gemini_batch_with_cache_reads() -> None:
    model = TABLE.resolve("gemini-3.8-flash")
    usage = Usage(input_tokens=100_000, cached_input_tokens=60_000, output_tokens=1_000)
    cost = price_request(model, usage, TODAY, Mode(batch=True))
    # batch: input $0.375, cache read $0.0375, output $1.875 per 1M
    assert cost.total == Decimal("0.015") + Decimal("0.00225") + Decimal("0.001875") == Decimal("0.019125")


def test_one_hour_cache_writes_cost_twice_the_input() -> None:
    model = TABLE.resolve("claude-sonnet-5-5")
    usage = Usage(input_tokens=10_000, cache_write_tokens=10_000)
    assert price_request(model, usage, TODAY).cache_write == Decimal("0.025")  # 5 minutes: $2.50
    assert price_request(model, usage, TODAY, Mode(cache_ttl="1h")).cache_write == Decimal("0.04")  # $4.00


def test_openai_service_tiers() -> None:
    model = TABLE.resolve("gpt-6.2-sol")
    usage = Usage(input_tokens=100_000, output_tokens=1_000_000)
    standard = price_request(model, usage, TODAY).total
    assert price_request(model, usage, TODAY, Mode(service_tier="priority")).total == standard * 2
    long_prompt = Usage(input_tokens=300_000)  # no published priority rate above 272K: refused, not guessed
    with pytest.raises(
        PricingError,
        match=r"no 'priority' service-tier rates for prompts above 272,000 tokens .*: its published ones are for shorter prompts",
    ):
        price_request(model, long_prompt, TODAY, Mode(service_tier="priority"))


def test_a_model_before_its_release_says_so() -> None:
    with pytest.raises(PricingError, match=re.escape("gpt-6.2-sol was not yet released on 2024-01-01")):
        TABLE.resolve("gpt-6.2-sol").period_on(dt.date(2024, 1, 1))


def test_embeddings_price_input_only() -> None:
    model = TABLE.resolve("text-embedding-3-small")
    assert model.kind == "embedding"
    assert price_request(model, Usage(input_tokens=1_000_000), TODAY).total == model.period_on(TODAY).rates.input
