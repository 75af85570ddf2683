"""The price of one request: pure Decimal arithmetic over its usage buckets and the model's rates.

Usage is normalised before it gets here (each provider reports it differently): ``input_tokens``
counts every prompt token, cache reads and cache writes included; ``output_tokens`` counts every
generated token, hidden reasoning included. So nothing is counted twice and nothing billed is
left out. Which rates apply depends on how the request is sent (:class:`Mode`): standard, batch,
a service tier such as flex, the time of day, and whether the prompt reaches a long-context tier.
A rate that is needed but missing is a :class:`PricingError` naming the model and the fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from llmprof.errors import PricingError
from llmprof.pricing.model import ModelPrice, PricePeriod, Rates, Tier

PER = Decimal(1_000_000)  # rates are per 1M tokens
ZERO = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class Usage:
    """What one request bills, by bucket (tokens)."""

    input_tokens: int  # every prompt token: cache reads and writes are part of it
    cached_input_tokens: int = 0  # read from the prompt cache
    cache_write_tokens: int = 0  # written to the prompt cache
    output_tokens: int = 0  # every generated token: reasoning is part of it
    reasoning_tokens: int = 0  # hidden reasoning / thinking

    def __post_init__(self) -> None:
        for name in ("input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PricingError(f"{name} must be a whole number of tokens >= 0, got {value!r}")
        if self.cached_input_tokens + self.cache_write_tokens > self.input_tokens:
            raise PricingError(
                f"cache reads ({self.cached_input_tokens}) and writes ({self.cache_write_tokens}) "
                f"exceed the prompt's {self.input_tokens} tokens"
            )
        if self.reasoning_tokens > self.output_tokens:
            raise PricingError(
                f"reasoning tokens ({self.reasoning_tokens}) exceed the output's {self.output_tokens} tokens"
            )

    @property
    def uncached_input_tokens(self) -> int:
        return self.input_tokens - self.cached_input_tokens - self.cache_write_tokens


@dataclass(frozen=True, kw_only=True)
class Mode:
    """How a request is sent, which decides its rates."""

    batch: bool = False
    service_tier: str | None = None  # "flex", "priority", ... (None: standard)
    cache_ttl: str | None = None  # lifetime of cache writes (None: the model's default)
    at: dt.datetime | None = None  # when it is sent (UTC); None: spread evenly over the week

    def describe(self) -> str:
        parts = ["batch API" if self.batch else "", f"{self.service_tier} tier" if self.service_tier else ""]
        return ", ".join(p for p in parts if p) or "standard"


STANDARD = Mode()


@dataclass(frozen=True, kw_only=True)
class Cost:
    """One request's price, split as a bill splits it (USD, exact)."""

    input: Decimal = ZERO  # prompt tokens not read from or written to the cache
    cache_read: Decimal = ZERO
    cache_write: Decimal = ZERO
    output: Decimal = ZERO  # reasoning included
    reasoning: Decimal = ZERO  # the reasoning share of ``output``
    basis: str = "standard"  # which rates: "standard", "batch API", "off-peak (...)", "spread over the week"
    tier: Tier | None = None  # the long-context tier the prompt reached

    @property
    def prompt(self) -> Decimal:
        return self.input + self.cache_read + self.cache_write

    @property
    def total(self) -> Decimal:
        return self.prompt + self.output

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            input=self.input + other.input,
            cache_read=self.cache_read + other.cache_read,
            cache_write=self.cache_write + other.cache_write,
            output=self.output + other.output,
            reasoning=self.reasoning + other.reasoning,
            basis=self.basis if self.basis == other.basis else "mixed",
            tier=self.tier or other.tier,
        )

    def scaled(self, factor: Decimal) -> Cost:
        return Cost(
            input=self.input * factor,
            cache_read=self.cache_read * factor,
            cache_write=self.cache_write * factor,
            output=self.output * factor,
            reasoning=self.reasoning * factor,
            basis=self.basis,
            tier=self.tier,
        )


def price_request(model: ModelPrice, usage: Usage, on: dt.date, mode: Mode = STANDARD) -> Cost:
    """The cost of one request sent on day ``on`` (whose price period applies) in ``mode``.

    With time-of-day rates and no ``mode.at``, traffic is taken as spread evenly over the week:
    the cost is the time-weighted average of the windows' rates and the regular ones."""
    period = model.period_on(on)
    tier = period.tier_for(usage.input_tokens)
    windows = period.time_of_day
    if windows and not (mode.batch or mode.service_tier or tier):
        if mode.at is not None:
            for window in windows:
                if window.contains(mode.at):
                    return _bill(model, usage, window.rates, mode, window.describe(), None)
            return _bill(model, usage, period.rates, mode, "standard", None)
        shares = [(w, w.share_of_week()) for w in windows]
        rest = Decimal(1) - sum((share for _, share in shares), ZERO)
        spread = _bill(model, usage, period.rates, mode, "", None).scaled(rest)
        for window, share in shares:
            spread += _bill(model, usage, window.rates, mode, "", None).scaled(share)
        by_label: dict[str, Decimal] = {}
        for window, share in shares:
            by_label[window.label] = by_label.get(window.label, ZERO) + share
        labels = ", ".join(f"{label} {share:.0%}" for label, share in by_label.items())
        return Cost(
            input=spread.input,
            cache_read=spread.cache_read,
            cache_write=spread.cache_write,
            output=spread.output,
            reasoning=spread.reasoning,
            basis=f"spread evenly over the week ({labels} of the time)",
        )
    rates, basis = _select(model, period, tier, mode)
    return _bill(model, usage, rates, mode, basis, tier)


def _select(model: ModelPrice, period: PricePeriod, tier: Tier | None, mode: Mode) -> tuple[Rates, str]:
    since = f"(prices since {period.since})"
    scope = f" for prompts {tier.describe()}" if tier else ""
    if mode.batch and mode.service_tier:
        raise PricingError("batch and a service tier cannot be combined", "choose one of --batch and --tier.")
    if mode.batch:
        rates = tier.batch if tier else period.batch
        if rates is None:
            raise PricingError(
                f"{model.name} has no batch rates{scope} {since}",
                "drop --batch, or add batch rates for it in a --pricing file.",
            )
        return rates, "batch API" + (f", long context {tier.describe()}" if tier else "")
    if mode.service_tier:
        found = period.service_tiers.get(mode.service_tier)
        if found is not None and tier is not None:
            raise PricingError(
                f"{model.name} has no {mode.service_tier!r} service-tier rates{scope} {since}: "
                "its published ones are for shorter prompts",
                "drop --tier, or add the rates in a --pricing file.",
            )
        if found is None:
            known = ", ".join(period.service_tiers) or "none"
            raise PricingError(
                f"{model.name} has no {mode.service_tier!r} service-tier rates {since}; it has: {known}",
                "drop --tier, or add the rates in a --pricing file.",
            )
        return found, f"{mode.service_tier} tier"
    if tier:
        return tier.rates, f"long context {tier.describe()}"
    return period.rates, "standard"


def _bill(model: ModelPrice, usage: Usage, rates: Rates, mode: Mode, basis: str, tier: Tier | None) -> Cost:
    cache_read = ZERO
    if usage.cached_input_tokens:
        if rates.cached_input is None:
            raise PricingError(
                f"{model.name} has no cache-read rate ({basis} rates)",
                "drop --cached-input-tokens, or add cached_input for it in a --pricing file.",
            )
        cache_read = usage.cached_input_tokens * rates.cached_input / PER
    cache_write = ZERO
    if usage.cache_write_tokens:
        ttl = mode.cache_ttl or model.cache.default_ttl or rates.default_ttl
        rate = rates.cache_write.get(ttl) if ttl else None
        if rate is None:
            have = ", ".join(rates.cache_write) or "none"
            raise PricingError(
                f"{model.name} has no cache-write rate for a {ttl or 'default'} lifetime "
                f"({basis} rates; it has: {have})",
                "pick a --cache-ttl it has, or add the rate in a --pricing file.",
            )
        cache_write = usage.cache_write_tokens * rate / PER
    output = reasoning = ZERO
    if usage.output_tokens:
        if rates.output is None:
            raise PricingError(
                f"{model.name} is an embedding model: it bills no output tokens",
                "drop --output-tokens (and --reasoning-tokens) for it.",
            )
        output = usage.output_tokens * rates.output / PER
        reasoning = usage.reasoning_tokens * rates.output / PER
    return Cost(
        input=usage.uncached_input_tokens * rates.input / PER,
        cache_read=cache_read,
        cache_write=cache_write,
        output=output,
        reasoning=reasoning,
        basis=basis,
        tier=tier,
    )
