"""The price table itself as output: ``pricing list`` and ``pricing show``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from llmprof import __version__
from llmprof.pricing import ModelPrice, PricePeriod, PriceTable, Rates
from llmprof.render.money import decimal_str
from llmprof.render.view import Column, View


def rate(value: Decimal | None) -> str:
    """A per-1M rate as the providers print it: $2.50, $0.075, or - when there is none."""
    if value is None:
        return "-"
    text = decimal_str(value)
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def _rates_record(rates: Rates | None) -> dict[str, str | None] | None:
    if rates is None:
        return None
    return {
        "input": decimal_str(rates.input),
        "output": decimal_str(rates.output),
        "cached_input": decimal_str(rates.cached_input) if rates.cached_input is not None else None,
        "cache_write": decimal_str(rates.cache_write) if rates.cache_write is not None else None,
    }


def _period_record(period: PricePeriod) -> dict[str, Any]:
    return {
        "since": period.since.isoformat(),
        **(_rates_record(period.rates) or {}),
        "batch": _rates_record(period.batch),
        "tiers": [
            {"above": t.above, **(_rates_record(t.rates) or {}), "batch": _rates_record(t.batch)} for t in period.tiers
        ],
    }


def _model_record(model: ModelPrice, period: PricePeriod) -> dict[str, Any]:
    return {
        "model": model.name,
        "provider": model.provider,
        "tokenizer": model.tokenizer,
        "count": model.exactness,
        "context_window": model.context_window,
        "max_output": model.max_output,
        "aliases": list(model.aliases),
        "source": model.source,
        "checked": model.checked.isoformat() if model.checked else None,
        "shutdown": model.shutdown.isoformat() if model.shutdown else None,
        "price": _period_record(period),
    }


def _header(table: PriceTable, as_of: dt.date) -> dict[str, Any]:
    return {
        "schema_version": 1,
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
                    "count": model.exactness,
                    "since": period.since.isoformat(),
                    **(_rates_record(period.rates) or {}),
                    "batch_input": decimal_str(batch.input) if batch else None,
                    "batch_output": decimal_str(batch.output) if batch else None,
                    "long_context_above": period.tiers[0].above if period.tiers else None,
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
                Column("Provider", "left"),
                Column("Input"),
                Column("Output"),
                Column("Cached in"),
                Column("Batch in/out"),
                Column("Context"),
                Column("Count", "left"),
                Column("Shutdown", "left"),
            ],
        )
        provider = None
        for model, period in self.models:
            if model.provider != provider:
                view.sections.add(len(view.rows))
                provider = model.provider
            r, b = period.rates, period.batch
            tier = " *" if period.tiers else ""
            view.rows.append(
                [
                    model.name + tier,
                    model.provider,
                    rate(r.input),
                    rate(r.output),
                    rate(r.cached_input),
                    f"{rate(b.input)} / {rate(b.output)}" if b else "-",
                    f"{model.context_window:,}" if model.context_window else "-",
                    model.exactness,
                    _shutdown(model.shutdown, self.as_of),
                ]
            )
        view.footer = [f"{len(self.models)} models from {self.table.describe()}."]
        if any(p.tiers for _, p in self.models):
            view.footer.append("* long-context tier: see `llmprof pricing show MODEL`.")
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
            "history": [_period_record(p) for p in m.periods],
        }

    def records(self) -> list[dict[str, Any]]:
        return [
            {"model": self.model.name, "since": p.since.isoformat(), **(_rates_record(p.rates) or {})}
            for p in self.model.periods
        ]

    def view(self) -> View:
        m = self.model
        current = m.period_on(self.as_of)
        view = View(
            f"{m.name} ({m.provider}): price history per 1M tokens",
            [
                Column("Since", "left"),
                Column("Input"),
                Column("Output"),
                Column("Cached in"),
                Column("Cache write"),
                Column("Batch in/out"),
                Column("", "left"),
            ],
        )
        for period in reversed(m.periods):
            rows = [("", period.rates, period.batch)] + [
                (f"prompt > {t.above:,}", t.rates, t.batch) for t in period.tiers
            ]
            view.sections.add(len(view.rows))
            for label, r, b in rows:
                mark = f"in force on {self.as_of}" if period is current and not label else label
                view.rows.append(
                    [
                        period.since.isoformat() if not label else "",
                        rate(r.input),
                        rate(r.output),
                        rate(r.cached_input),
                        rate(r.cache_write),
                        f"{rate(b.input)} / {rate(b.output)}" if b else "-",
                        mark,
                    ]
                )
        window = f"{m.context_window:,}" if m.context_window else "unknown"
        output = f"{m.max_output:,}" if m.max_output else "unknown"
        view.footer = [
            f"Tokenizer: {m.tokenizer} (counts are {m.exactness}). Context {window}, max output {output}.",
            f"Aliases: {', '.join(m.aliases) or 'none'}.",
            f"Source: {m.source or 'not given'} (checked {m.checked or 'unknown'}).",
            *([f"{'Shut down' if m.shutdown <= self.as_of else 'Shuts down'} on {m.shutdown}."] if m.shutdown else []),
        ]
        if m.notes:
            view.footer.append(f"Notes: {m.notes}")
        view.footer.append(f"From {self.table.describe()}.")
        return view
