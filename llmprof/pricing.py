"""The versioned price table: models, their price history, tiers, cache and batch rates.

Every rate is a :class:`~decimal.Decimal` of USD per 1M tokens, read straight from the YAML text.
A rate that a figure needs but the table lacks is a :class:`PricingError`, never a silent $0.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmprof.errors import ConfigError, PricingError, UnknownModelError, UsageError
from llmprof.files import read_bytes
from llmprof.tokens import Exactness, encoding_for
from llmprof.yamlio import Section, parse_yaml

SCHEMA_VERSION = 1
PER = Decimal(1_000_000)  # rates are per 1M tokens
STALE_AFTER_DAYS = 90
BUNDLED = "(bundled) pricing.yaml"  # how the shipped table is named in outputs: no local paths

_RATE_KEYS = ("input", "output", "cached_input", "cache_write")
_PERIOD_KEYS = (*_RATE_KEYS, "since", "batch", "tiers")
_MODEL_KEYS = (
    "provider",
    "tokenizer",
    "aliases",
    "context_window",
    "max_output",
    "source",
    "checked",
    "shutdown",
    "notes",
    "prices",
)
_TABLE_KEYS = ("schema_version", "version", "date", "currency", "unit", "default_models", "models", "mode")


@dataclass(frozen=True)
class Rates:
    """USD per 1M tokens. Optional rates are None when the provider has none (never 0)."""

    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None


@dataclass(frozen=True)
class Tier:
    """Long-context tier: once the prompt exceeds ``above`` tokens, the whole request uses it."""

    above: int
    rates: Rates
    batch: Rates | None = None


@dataclass(frozen=True)
class PricePeriod:
    since: dt.date
    rates: Rates
    batch: Rates | None = None
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class ModelPrice:
    name: str
    provider: str
    tokenizer: str
    periods: tuple[PricePeriod, ...]  # oldest first
    aliases: tuple[str, ...] = ()
    context_window: int | None = None
    max_output: int | None = None
    source: str | None = None
    checked: dt.date | None = None
    shutdown: dt.date | None = None  # the day the provider stops serving it
    notes: str | None = None

    @property
    def encoding(self) -> str:
        return encoding_for(self.tokenizer)[0]

    @property
    def exactness(self) -> Exactness:
        return encoding_for(self.tokenizer)[1]

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
            raise PricingError(
                f"{self.name} had no price on {day}: its first price dates from {first}",
                f"use --as-of {first} or later.",
            )
        return current[-1]


@dataclass(frozen=True)
class TableFile:
    path: str
    sha256: str


@dataclass(frozen=True)
class PriceTable:
    version: str
    date: dt.date
    models: dict[str, ModelPrice]
    default_models: tuple[str, ...] = ()
    files: tuple[TableFile, ...] = ()
    _names: dict[str, str] = field(default_factory=dict, repr=False)  # alias or name -> name

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

    def suggest(self, name: str, n: int = 3) -> list[str]:
        wanted = name.strip().lower()
        close = difflib.get_close_matches(wanted, list(self._names), n=n, cutoff=0.6)
        if not close:
            close = [alias for alias in self._names if wanted and wanted in alias][:n]
        seen: dict[str, None] = {}
        for alias in close:
            seen.setdefault(self._names[alias], None)
        return list(seen)[:n]

    def stale_days(self, today: dt.date) -> int | None:
        """Days since the table was checked, when that is more than STALE_AFTER_DAYS."""
        age = (today - self.date).days
        return age if age > STALE_AFTER_DAYS else None

    def describe(self) -> str:
        return f"pricing table {self.version} (checked {self.date})"


@dataclass(frozen=True)
class Cost:
    """The price of one request, split the way a bill splits it (USD, exact)."""

    input: Decimal
    output: Decimal
    cached_input: Decimal = Decimal(0)
    tier_above: int | None = None

    @property
    def total(self) -> Decimal:
        return self.input + self.output


def price_request(
    model: ModelPrice,
    period: PricePeriod,
    *,
    input_tokens: int,
    output_tokens: int,
    cached_input_tokens: int = 0,
    batch: bool = False,
) -> Cost:
    """Cost of one request. ``cached_input_tokens`` of the prompt bill at the cache-read rate."""
    tier = None
    for candidate in period.tiers:
        if input_tokens > candidate.above:
            tier = candidate
    rates = tier.rates if tier else period.rates
    if batch:
        batch_rates = tier.batch if tier else period.batch
        if batch_rates is None:
            scope = f" for prompts over {tier.above:,} tokens" if tier else ""
            raise PricingError(
                f"{model.name} has no batch rates{scope} (prices since {period.since})",
                "drop --batch, or add batch rates for it in a --pricing file.",
            )
        rates = batch_rates
    cached = min(cached_input_tokens, input_tokens)
    cached_cost = Decimal(0)
    if cached:
        if rates.cached_input is None:
            raise PricingError(
                f"{model.name} has no cached_input rate{' (batch)' if batch else ''} (prices since {period.since})",
                "drop --cached-input-tokens, or add the rate in a --pricing file.",
            )
        cached_cost = cached * rates.cached_input / PER
    uncached_cost = (input_tokens - cached) * rates.input / PER
    return Cost(
        input=uncached_cost + cached_cost,
        output=output_tokens * rates.output / PER,
        cached_input=cached_cost,
        tier_above=tier.above if tier else None,
    )


# -- loading ---------------------------------------------------------------------------------------


def bundled_table_path() -> Path:
    """The table shipped in the wheel; in a source checkout, the repository's top-level file."""
    packaged = Path(__file__).with_name("pricing.yaml")
    return packaged if packaged.is_file() else Path(__file__).resolve().parent.parent / "pricing.yaml"


def load_table(overlay: Path | None = None, base: Path | None = None) -> PriceTable:
    """The bundled table, with a user file laid over it (``mode: overlay``) or replacing it."""
    table, _ = _parse_file(base or bundled_table_path(), strict=True, label=None if base else BUNDLED)
    if overlay is None:
        return table
    user, mode = _parse_file(overlay, strict=False, base=table)
    if mode == "replace":
        return user
    merged = PriceTable(
        version=f"{table.version}+{user.version}",
        date=min(table.date, user.date),
        models={**table.models, **user.models},
        default_models=user.default_models or table.default_models,
        files=table.files + user.files,
    )
    _check_aliases(merged, str(overlay))
    return merged


def _document(path: Path) -> tuple[Section, bytes]:
    raw = read_bytes(path, ConfigError, "check the --pricing path.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text", "save the pricing file as UTF-8.") from exc
    return Section(str(path), parse_yaml(text, str(path))), raw


def _parse_file(
    path: Path, strict: bool, base: PriceTable | None = None, label: str | None = None
) -> tuple[PriceTable, str]:
    """Parse one table file. ``strict`` (the bundled table) requires source and checked dates."""
    doc, raw = _document(path)
    doc.check_keys(_TABLE_KEYS, required=("schema_version", "models"))
    schema = doc.integer("schema_version")
    if schema != SCHEMA_VERSION:
        raise doc.error(
            "schema_version",
            f"this llmprof reads schema {SCHEMA_VERSION}, the file says {schema}",
            "upgrade llmprof, or convert the file.",
        )
    mode = doc.text("mode", "overlay")
    if mode not in ("overlay", "replace"):
        raise doc.error("mode", f"unknown mode {mode!r}", "use mode: overlay or mode: replace")
    if strict and "mode" in doc:
        raise doc.error("mode", "only a user pricing file (--pricing) has a mode")
    if doc.text("currency", "USD") != "USD":
        raise doc.error("currency", "only USD is supported", "convert the rates to USD.")
    if doc.text("unit", "1M tokens") != "1M tokens":
        raise doc.error("unit", "rates must be per 1M tokens", "write unit: 1M tokens and scale the rates.")
    complete = strict or mode == "replace" or base is None
    inherit = base.models if base is not None and mode == "overlay" else {}
    sections = dict(doc.mapping("models"))
    models = {name: _parse_model(name, section, strict, inherit.get(name)) for name, section in sections.items()}
    fallback_date = base.date if base is not None else None
    table = PriceTable(
        version=str(doc.text("version") if complete else doc.text("version", path.stem)),
        date=doc.date("date") if complete else doc.date("date", fallback_date),
        models=models,
        default_models=tuple(doc.str_list("default_models", [])),
        files=(TableFile(label or str(path), hashlib.sha256(raw).hexdigest()),),
    )
    _check_aliases(table, str(path), sections)
    known = set(table._names) | (set(base._names) if base is not None else set())
    for name in table.default_models:
        if name.lower() not in known:
            raise doc.error("default_models", f"{name!r} is not a model in the table")
    return table, mode


def _parse_model(name: str, s: Section, strict: bool, inherited: ModelPrice | None) -> ModelPrice:
    required: tuple[str, ...] = ()
    if inherited is None:
        required = ("provider", "tokenizer", "prices") + (("source", "checked") if strict else ())
    s.check_keys(_MODEL_KEYS, required=required)
    periods = tuple(sorted((_parse_period(p) for p in s.sections("prices")), key=lambda p: p.since))
    if "prices" in s and not periods:
        raise s.error("prices", "no price periods", "give at least one period with since, input and output.")
    if len({p.since for p in periods}) != len(periods):
        raise s.error("prices", "two price periods start on the same date")
    fields: dict[str, Any] = {
        "provider": s.text("provider", None),
        "tokenizer": s.text("tokenizer", None),
        "aliases": tuple(s.str_list("aliases", [])),
        "context_window": s.integer("context_window", None, minimum=1),
        "max_output": s.integer("max_output", None, minimum=1),
        "source": s.text("source", None),
        "checked": s.date("checked", None),
        "shutdown": s.date("shutdown", None),
        "notes": s.text("notes", None),
    }
    if inherited is None:
        return ModelPrice(name=name, periods=periods, **fields)
    given = {key: value for key, value in fields.items() if key in s}
    if periods:
        given["periods"] = periods
    return replace(inherited, **given)


def _parse_period(s: Section) -> PricePeriod:
    s.check_keys(_PERIOD_KEYS, required=("since", "input", "output"))
    tiers = []
    for t in s.sections("tiers"):
        t.check_keys((*_RATE_KEYS, "above", "batch"), required=("above", "input", "output"))
        tiers.append(Tier(t.integer("above", minimum=1), _parse_rates(t), _parse_batch(t)))
    if len({t.above for t in tiers}) != len(tiers):
        raise s.error("tiers", "two tiers have the same threshold")
    return PricePeriod(
        since=s.date("since"),
        rates=_parse_rates(s),
        batch=_parse_batch(s),
        tiers=tuple(sorted(tiers, key=lambda t: t.above)),
    )


def _parse_batch(parent: Section) -> Rates | None:
    s = parent.optional_section("batch")
    if s is None:
        return None
    s.check_keys(_RATE_KEYS, required=("input", "output"))
    return _parse_rates(s)


def _parse_rates(s: Section) -> Rates:
    return Rates(
        input=s.decimal("input", positive=True),
        output=s.decimal("output", positive=True),
        cached_input=s.decimal("cached_input", None, positive=True),
        cache_write=s.decimal("cache_write", None, positive=True),
    )


def _check_aliases(table: PriceTable, source: str, sections: dict[str, Section] | None = None) -> None:
    """Every name and alias points at exactly one model."""
    owner: dict[str, str] = {name.lower(): name for name in table.models}
    for model in table.models.values():
        for alias in model.aliases:
            key = alias.lower()
            if owner.setdefault(key, model.name) != model.name:
                message = f"alias {alias!r} already names {owner[key]}"
                hint = "each name may point at one model only."
                if sections and model.name in sections:
                    raise sections[model.name].error("aliases", message, hint)
                raise ConfigError(f"{source}: models.{model.name}.aliases: {message}", hint)


def provider_names(models: Iterable[ModelPrice]) -> list[str]:
    return sorted({m.provider for m in models})


def models_on(table: PriceTable, day: dt.date, provider: str | None = None) -> list[tuple[ModelPrice, PricePeriod]]:
    """Models that had a price on ``day`` (optionally of one provider), by provider then name."""
    if provider and provider.lower() not in {m.provider.lower() for m in table.models.values()}:
        known = ", ".join(provider_names(table.models.values()))
        raise UsageError(f"unknown provider {provider!r}", f"use one of: {known}")
    chosen = [
        (m, [p for p in m.periods if p.since <= day][-1])
        for m in table.models.values()
        if m.periods[0].since <= day and (provider is None or m.provider.lower() == provider.lower())
    ]
    return sorted(chosen, key=lambda mp: (mp[0].provider, mp[0].name))


def warnings(table: PriceTable, today: dt.date) -> list[tuple[str, str]]:
    """(warning, hint) pairs about the table itself, e.g. that it has gone stale."""
    age = table.stale_days(today)
    if age is None:
        return []
    return [
        (
            f"{table.describe()} is {age} days old; providers change prices often",
            "upgrade llmprof for a fresh table, or lay your own rates over it with --pricing FILE.",
        )
    ]
