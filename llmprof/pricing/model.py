"""The price table as data: models, their dated price periods, and the rate variants a request
can bill at (long-context tiers, batch, service tiers, time-of-day windows, cache lifetimes).

Every rate is a :class:`~decimal.Decimal` of USD per 1M tokens. A rate the provider does not
have is absent (None, or missing from a mapping), never 0: pricing refuses to use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from llmprof.errors import PricingError, UnknownModelError, UsageError
from llmprof.tokens import encoding_for

Kind = Literal["chat", "embedding"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: How old a table may be before every command warns about it (``budgets.max_pricing_age_days``
#: in llmprof.yaml changes it; ``llmprof check`` can also fail on it).
DEFAULT_MAX_AGE_DAYS = 90


@dataclass(frozen=True, kw_only=True)
class Rates:
    """One set of rates, USD per 1M tokens. ``cache_write`` maps a cache lifetime (``5m``, ``1h``)
    to its write rate; the first entry is the lifetime a plain write buys."""

    input: Decimal
    output: Decimal | None = None  # None: the model bills no output (embeddings)
    cached_input: Decimal | None = None
    cache_write: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def default_ttl(self) -> str | None:
        return next(iter(self.cache_write), None)


@dataclass(frozen=True, kw_only=True)
class Tier:
    """A long-context tier: once the prompt reaches it, the *whole* request bills at its rates.
    Providers word the boundary differently, so each tier says which: ``from`` N tokens (>= N)
    or ``above`` N tokens (> N)."""

    threshold: int
    inclusive: bool  # True: "from" (>=); False: "above" (>)
    rates: Rates
    batch: Rates | None = None

    def applies(self, prompt_tokens: int) -> bool:
        return prompt_tokens >= self.threshold if self.inclusive else prompt_tokens > self.threshold

    def describe(self) -> str:
        return f"{'from' if self.inclusive else 'above'} {self.threshold:,} tokens"


@dataclass(frozen=True, kw_only=True)
class Window:
    """A time-of-day (and/or day-of-week) window in UTC with its own rates, e.g. DeepSeek's
    off-peak hours. ``start``/``end`` None means all day; ``end`` may be before ``start``
    (the window wraps midnight and belongs to the day it starts on)."""

    label: str
    rates: Rates
    start: dt.time | None = None
    end: dt.time | None = None
    days: frozenset[int] | None = None  # Monday = 0; None = every day

    def contains(self, at: dt.datetime) -> bool:
        at = at.astimezone(dt.timezone.utc)
        minute = at.hour * 60 + at.minute
        if self.start is None or self.end is None:
            return self._day_ok(at.weekday())
        start, end = _minutes(self.start), _minutes(self.end)
        if start < end:
            return start <= minute < end and self._day_ok(at.weekday())
        if minute >= start:  # evening part: the window's own day
            return self._day_ok(at.weekday())
        if minute < end:  # after midnight: it began the day before
            return self._day_ok((at.weekday() - 1) % 7)
        return False

    def share_of_week(self) -> Decimal:
        """The fraction of a week this window covers (traffic spread evenly over time)."""
        if self.start is None or self.end is None:
            minutes = 24 * 60
        else:
            minutes = (_minutes(self.end) - _minutes(self.start)) % (24 * 60) or 24 * 60
        days = 7 if self.days is None else len(self.days)
        return Decimal(minutes * days) / Decimal(24 * 60 * 7)

    def describe(self) -> str:
        hours = "all day" if self.start is None or self.end is None else f"{self.start:%H:%M}-{self.end:%H:%M} UTC"
        days = "" if self.days is None else " on " + ", ".join(WEEKDAYS[d] for d in sorted(self.days))
        return f"{self.label} ({hours}{days})"

    def _day_ok(self, weekday: int) -> bool:
        return self.days is None or weekday in self.days


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True, kw_only=True)
class PricePeriod:
    """The rates in force from ``since`` until the next period starts."""

    since: dt.date
    rates: Rates
    batch: Rates | None = None
    service_tiers: Mapping[str, Rates] = field(default_factory=dict)  # flex, priority, ...
    time_of_day: tuple[Window, ...] = ()
    tiers: tuple[Tier, ...] = ()  # ascending thresholds

    def tier_for(self, prompt_tokens: int) -> Tier | None:
        """The highest long-context tier the prompt reaches, if any."""
        chosen = None
        for tier in self.tiers:
            if tier.applies(prompt_tokens):
                chosen = tier
        return chosen


@dataclass(frozen=True, kw_only=True)
class CacheRules:
    min_tokens: int | None = None  # the shortest prefix the provider caches
    default_ttl: str | None = None  # what a plain cache write buys


@dataclass(frozen=True, kw_only=True)
class ImageRule:
    """OpenAI-style vision token constants: ``tiles`` (base + per 512 px tile) or ``patches``
    (32 px patches, capped, times a multiplier)."""

    rule: Literal["tiles", "patches"]
    base: int = 0
    tile: int = 0
    multiplier: Decimal = Decimal(1)


Reasoning = Literal["none", "default", "opt-in"]


@dataclass(frozen=True, kw_only=True)
class ModelPrice:
    name: str
    provider: str
    tokenizer: str
    periods: tuple[PricePeriod, ...]  # oldest first
    kind: Kind = "chat"
    #: Hidden reasoning / thinking tokens, billed as output: "none" (the model does not reason),
    #: "default" (it reasons unless the request turns it off) or "opt-in" (only when the request
    #: turns it on, as Claude's extended thinking).
    reasoning: Reasoning = "none"
    aliases: tuple[str, ...] = ()
    context_window: int | None = None
    max_output: int | None = None
    released: dt.date | None = None
    source: str | None = None
    checked: dt.date | None = None
    shutdown: dt.date | None = None  # the day the provider stops serving it
    cache: CacheRules = field(default_factory=CacheRules)
    images: ImageRule | None = None
    notes: str | None = None
    disagreements: Mapping[str, str] = field(default_factory=dict)  # "peer field" -> why we differ

    @property
    def encoding(self) -> str:
        return encoding_for(self.tokenizer)[0]

    @property
    def first_day(self) -> dt.date:
        return self.released or self.periods[0].since

    def lifecycle(self, day: dt.date, horizon_days: int = 90) -> str | None:
        """A warning when the model was shut down by ``day``, or shuts down within the horizon."""
        if self.shutdown is None:
            return None
        if day >= self.shutdown:
            return (
                f"{self.name} was shut down on {self.shutdown}: "
                "these are its last prices, for a model you can no longer call"
            )
        if (self.shutdown - day).days <= horizon_days:
            return f"{self.name} shuts down on {self.shutdown}, in {(self.shutdown - day).days} days"
        return None

    def period_on(self, day: dt.date) -> PricePeriod:
        """The prices in force on ``day``."""
        current = [p for p in self.periods if p.since <= day]
        if not current:
            first = self.periods[0].since
            released = self.released or first
            what = "was not yet released" if day < released else "had no published price yet"
            raise PricingError(
                f"{self.name} {what} on {day}: its first price dates from {first}",
                f"use --as-of {first} or later.",
            )
        return current[-1]


@dataclass(frozen=True)
class TableFile:
    path: str
    sha256: str


@dataclass(frozen=True, kw_only=True)
class PriceTable:
    version: str
    date: dt.date
    models: Mapping[str, ModelPrice]
    default_models: tuple[str, ...] = ()
    files: tuple[TableFile, ...] = ()
    _names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # alias or name -> name

    def __post_init__(self) -> None:
        names = self._names
        names.clear()
        for model in self.models.values():
            names[model.name.lower()] = model.name
            for alias in model.aliases:
                names[alias.lower()] = model.name

    def resolve(self, name: str) -> ModelPrice:
        """Look a model up by name or alias (case-insensitive); suggest close names if unknown."""
        key = self._names.get(name.strip().lower())
        if key is not None:
            return self.models[key]
        raise UnknownModelError(name, self.suggest(name))

    def knows(self, name: str) -> bool:
        return name.strip().lower() in self._names

    def suggest(self, name: str, n: int = 3) -> list[str]:
        wanted = name.strip().lower()
        import difflib  # only for a name the table does not know

        close = difflib.get_close_matches(wanted, list(self._names), n=n, cutoff=0.6)
        if not close:
            close = [alias for alias in self._names if wanted and wanted in alias][:n]
        seen: dict[str, None] = {}
        for alias in close:
            seen.setdefault(self._names[alias], None)
        return list(seen)[:n]

    def on(self, day: dt.date, provider: str | None = None) -> list[tuple[ModelPrice, PricePeriod]]:
        """Models that had a price on ``day`` (optionally one provider's), by provider then name."""
        if provider and provider.lower() not in {m.provider.lower() for m in self.models.values()}:
            known = ", ".join(sorted({m.provider for m in self.models.values()}))
            raise UsageError(f"unknown provider {provider!r}", f"use one of: {known}")
        chosen = [
            (m, m.period_on(day))
            for m in self.models.values()
            if m.periods[0].since <= day and (provider is None or m.provider.lower() == provider.lower())
        ]
        return sorted(chosen, key=lambda mp: (mp[0].provider, mp[0].name))

    def age_days(self, today: dt.date) -> int:
        return (today - self.date).days

    def describe(self) -> str:
        return f"pricing table {self.version} (checked {self.date})"

    def staleness(self, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> str | None:
        """The one staleness rule: a warning once the table is older than ``max_age_days``."""
        age = self.age_days(today)
        if age <= max_age_days:
            return None
        return f"{self.describe()} is {age} days old (more than {max_age_days}); providers change prices often"
