"""The price table itself as output: ``pricing list`` and ``pricing show``.

JSON (schema ``llmprof.pricing`` / ``llmprof.pricing.model`` version 2): rates are decimal strings
of USD per 1M tokens; ``cache_write`` maps a cache lifetime to its rate; a tier names its boundary
as ``from`` (prompt >= N) or ``above`` (prompt > N).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from llmprof import __version__
from llmprof.counting import count_label
from llmprof.pricing import ModelPrice, PricePeriod, PriceTable, Rates, Tier
from llmprof.render.view import Column, View
from llmprof.units import decimal_str

SCHEMA_VERSION = 2


def rate(value: Decimal | None) -> str:
    """A per-1M rate as the providers print it: $2.50, $0.075, or - when there is none."""
    if value is None:
        return "-"
    text = decimal_str(value)
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def _writes(rates: Rates) -> str:
    if not rates.cache_write:
        return "-"
    if list(rates.cache_write) == ["default"]:
        return rate(rates.cache_write["default"])
    return ", ".join(f"{rate(value)} ({ttl})" for ttl, value in rates.cache_write.items())


def _d(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


def _rates_record(rates: Rates | None) -> dict[str, Any] | None:
    if rates is None:
        return None
    return {
        "input": decimal_str(rates.input),
        "output": _d(rates.output),
        "cached_input": _d(rates.cached_input),
        "cache_write": {ttl: decimal_str(v) for ttl, v in rates.cache_write.items()} or None,
    }


def _tier_record(tier: Tier) -> dict[str, Any]:
    return {
        "from" if tier.inclusive else "above": tier.threshold,
        **(_rates_record(tier.rates) or {}),
        "batch": _rates_record(tier.batch),
    }


def _period_record(period: PricePeriod) -> dict[str, Any]:
    return {
        "since": period.since.isoformat(),
        **(_rates_record(period.rates) or {}),
        "batch": _rates_record(period.batch),
        "service_tiers": {name: _rates_record(r) for name, r in period.service_tiers.items()},
        "time_of_day": [
            {
                "label": w.label,
                "utc": None if w.start is None or w.end is None else f"{w.start:%H:%M}-{w.end:%H:%M}",
                "days": None if w.days is None else sorted(w.days),
                **(_rates_record(w.rates) or {}),
            }
            for w in period.time_of_day
        ],
        "tiers": [_tier_record(t) for t in period.tiers],
    }


def _model_record(model: ModelPrice, period: PricePeriod) -> dict[str, Any]:
    return {
        "model": model.name,
        "provider": model.provider,
        "kind": model.kind,
        "reasoning": model.reasoning,
        "tokenizer": model.tokenizer,
        "count": count_label(model),
        "context_window": model.context_window,
        "max_output": model.max_output,
        "aliases": list(model.aliases),
        "source": model.source,
        "checked": model.checked.isoformat() if model.checked else None,
        "released": model.first_day.isoformat(),
        "shutdown": model.shutdown.isoformat() if model.shutdown else None,
        "cache": {"min_tokens": model.cache.min_tokens, "default_ttl": model.cache.default_ttl},
        "price": _period_record(period),
    }


def _header(table: PriceTable, as_of: dt.date) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "llmprof_version": __version__,
        "pricing": {
            "version": table.version,
            "date": table.date.isoformat(),
            "as_of": as_of.isoformat(),
            "files": [{"path": f.path, "sha256": f.sha256} for f in table.files],
        },
    }


def _shutdown(day: dt.date | None, as_of: dt.date) -> str:
    if day is None:
        return ""
    return f"shut down {day}" if day <= as_of else f"on {day}"


@dataclass
class PricingList:
    table: PriceTable
    models: list[tuple[ModelPrice, PricePeriod]]
    as_of: dt.date

    def document(self) -> dict[str, Any]:
        return {
            **_header(self.table, self.as_of),
            "kind": "llmprof.pricing",
            "models": [_model_record(m, p) for m, p in self.models],
        }

    def records(self) -> list[dict[str, Any]]:
        flat = []
        for model, period in self.models:
            batch = period.batch
            flat.append(
                {
                    "model": model.name,
                    "provider": model.provider,
                    "kind": model.kind,
                    "count": count_label(model),
                    "since": period.since.isoformat(),
                    "input": decimal_str(period.rates.input),
                    "output": _d(period.rates.output),
                    "cached_input": _d(period.rates.cached_input),
                    "batch_input": decimal_str(batch.input) if batch else None,
                    "batch_output": _d(batch.output) if batch else None,
                    "long_context_from": period.tiers[0].threshold + (0 if period.tiers[0].inclusive else 1)
                    if period.tiers
                    else None,
                    "context_window": model.context_window,
                    "pricing_version": self.table.version,
                    "as_of": self.as_of.isoformat(),
                }
            )
        return flat

    def view(self) -> View:
        view = View(
            f"Models priced per 1M tokens, as of {self.as_of}",
            [
                Column("Model", "left"),
                Column("Provider", "left", priority=2),
                Column("Input"),
                Column("Output"),
                Column("Cached in", priority=1),
                Column("Batch in/out", priority=3),
                Column("Context", priority=2),
                Column("Count", "left", priority=3),
                Column("Shutdown", "left", priority=1),
            ],
        )
        provider = None
        for model, period in self.models:
            if model.provider != provider:
                view.sections.add(len(view.rows))
                provider = model.provider
            r, b = period.rates, period.batch
            marks = (" *" if period.tiers else "") + (" †" if period.time_of_day else "")
            view.rows.append(
                [
                    model.name + marks,
                    model.provider,
                    rate(r.input),
                    rate(r.output) if model.kind == "chat" else "(embedding)",
                    rate(r.cached_input),
                    f"{rate(b.input)} / {rate(b.output)}" if b else "-",
                    f"{model.context_window:,}" if model.context_window else "-",
                    count_label(model),
                    _shutdown(model.shutdown, self.as_of),
                ]
            )
        view.footer = [f"{len(self.models)} models from {self.table.describe()}."]
        if any(p.tiers for _, p in self.models):
            view.footer.append("* long-context tier: see `llmprof pricing show MODEL`.")
        if any(p.time_of_day for _, p in self.models):
            view.footer.append("† cheaper at some hours (e.g. off-peak): see `llmprof pricing show MODEL`.")
        return view


@dataclass
class PricingShow:
    table: PriceTable
    model: ModelPrice
    as_of: dt.date

    def document(self) -> dict[str, Any]:
        m = self.model
        return {
            **_header(self.table, self.as_of),
            "kind": "llmprof.pricing.model",
            **_model_record(m, m.period_on(self.as_of)),
            "notes": m.notes,
            "disagreements": dict(m.disagreements),
            "history": [_period_record(p) for p in m.periods],
        }

    def records(self) -> list[dict[str, Any]]:
        return [{"model": self.model.name, **_period_record(p)} for p in self.model.periods]

    def view(self) -> View:
        m = self.model
        current = m.period_on(self.as_of) if self.as_of >= m.periods[0].since else None
        view = View(
            f"{m.name} ({m.provider}): price history per 1M tokens",
            [
                Column("Since", "left"),
                Column("Rates", "left"),
                Column("Input"),
                Column("Output"),
                Column("Cached in", priority=1),
                Column("Cache write", priority=2),
                Column("", "left", priority=1),
            ],
        )
        for period in reversed(m.periods):
            view.sections.add(len(view.rows))
            first = True
            for label, r in _variants(period):
                mark = f"in force on {self.as_of}" if period is current and first else ""
                view.rows.append(
                    [
                        period.since.isoformat() if first else "",
                        label,
                        rate(r.input),
                        rate(r.output),
                        rate(r.cached_input),
                        _writes(r),
                        mark,
                    ]
                )
                first = False
        window = f"{m.context_window:,}" if m.context_window else "unknown"
        output = f"{m.max_output:,}" if m.max_output else "unknown"
        kind = "embedding model (input only)" if m.kind == "embedding" else "chat model"
        reasoning = {
            "none": "",
            "default": "; bills hidden reasoning tokens as output",
            "opt-in": "; bills hidden reasoning tokens as output when a request turns reasoning on",
        }[m.reasoning]
        view.footer = [
            f"A {kind}{reasoning}. Tokenizer: {m.tokenizer} (counts are {count_label(m)}). "
            f"Context {window}, max output {output}.",
            f"Aliases: {', '.join(m.aliases) or 'none'}.",
            f"Source: {m.source or 'not given'} (checked {m.checked or 'unknown'}).",
        ]
        if m.cache.min_tokens or m.cache.default_ttl:
            view.footer.append(
                f"Prompt caching: from {m.cache.min_tokens or '?'} tokens; a plain write lasts "
                f"{m.cache.default_ttl or 'the provider default'}."
            )
        if m.shutdown:
            view.footer.append(f"{'Shut down' if m.shutdown <= self.as_of else 'Shuts down'} on {m.shutdown}.")
        if current is None:
            view.footer.append(f"Not yet released on {self.as_of}: its first price dates from {m.periods[0].since}.")
        if m.notes:
            view.footer.append(f"Notes: {m.notes}")
        view.footer.append(f"From {self.table.describe()}.")
        return view


def _variants(period: PricePeriod) -> list[tuple[str, Rates]]:
    """Every set of rates a period has, labelled: standard, batch, service tiers, windows, tiers."""
    rows: list[tuple[str, Rates]] = [("standard", period.rates)]
    if period.batch:
        rows.append(("batch", period.batch))
    rows += [(name, rates) for name, rates in period.service_tiers.items()]
    rows += [(w.describe(), w.rates) for w in period.time_of_day]
    for tier in period.tiers:
        rows.append((f"prompt {tier.describe()}", tier.rates))
        if tier.batch:
            rows.append((f"batch, prompt {tier.describe()}", tier.batch))
    return rows
