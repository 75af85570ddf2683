"""An :class:`~llmprof.estimate.Estimate` as a table for people and a document for machines.

JSON schema ``llmprof.estimate`` version 2 (money as exact decimal strings in USD)::

    {"schema_version": 2, "kind": "llmprof.estimate", "llmprof_version",
     "pricing": {"version", "date", "as_of", "files": [{"path", "sha256"}]},
     "settings": {"output_tokens", "reasoning_tokens", "requests", "cached_input_tokens",
                  "cache_write_tokens", "batch", "service_tier", "cache_ttl", "at", "image_size"},
     "rows":   [{"prompt", "model", "provider", "kind", "encoding", "count", "requests", "input_tokens",
                 "parts": {"text" | "framing" | "tools" | "tool_calls" | "images" | "schema":
                           {"tokens", "count"}},
                 "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens",
                 "input_cost_usd", "output_cost_usd", "reasoning_cost_usd", "cost_usd",
                 "cost_per_request_usd", "long_context_requests", "uncounted": [...], "notes": [...]}],
     "totals": [{...the same fields, "prompt": "TOTAL", plus "projected_usd", "cheapest"}],
     "notes":  ["..."], "warnings": ["..."]}

``count`` is ``exact`` (the provider's rule and tokenizer), ``approx`` (a documented stand-in) or
``lower-bound`` (something billed is not counted: see ``uncounted``). ``lower_bound`` lists why a
row's cost is only a floor (uncounted parts, hidden reasoning nothing allows for); the table marks
those figures ``≥``. ``reasoning_basis`` says how reasoning was priced: none, assumed (the flag),
off, default-off, budget (the request's cap) or unknown. ``cost_usd`` is every
request in the row sent once; ``projected_usd`` is that times ``settings.requests``. Version 2
added the parts, reasoning and cache writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmprof import __version__
from llmprof.counting import PARTS
from llmprof.estimate import Estimate, Row
from llmprof.render.estimate_notes import footer_lines
from llmprof.render.estimate_records import pricing_block, row_record, total_record
from llmprof.render.estimate_tables import (
    by_model,
    dearest,
    money_columns,
    parts_breakdown,
    row_cells,
    shortener,
    table_title,
)
from llmprof.render.view import Column, View

SCHEMA_VERSION = 2


@dataclass
class EstimateOutput:
    estimate: Estimate
    #: every prompt in the table, however many (else the dearest ROW_LIMIT)
    wide: bool = False

    # -- machines ----------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        e = self.estimate
        s = e.settings
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "llmprof.estimate",
            "llmprof_version": __version__,
            "pricing": pricing_block(e),
            "settings": {
                "output_tokens": s.output_tokens,
                "reasoning_tokens": s.reasoning_tokens,
                "requests": s.requests,
                "cached_input_tokens": s.cached_input_tokens,
                "cache_write_tokens": s.cache_write_tokens,
                "batch": s.batch,
                "service_tier": s.mode.service_tier,
                "cache_ttl": s.mode.cache_ttl,
                "at": s.mode.at.isoformat() if s.mode.at else None,
                "image_size": str(s.image_size) if s.image_size else None,
            },
            "rows": [row_record(r) for r in e.rows],
            "totals": [total_record(t) for t in e.totals],
            "notes": list(e.notes),
            "warnings": list(e.warnings),
        }

    def records(self) -> list[dict[str, Any]]:
        e = self.estimate
        extra = {"pricing_version": e.table.version, "as_of": e.settings.as_of.isoformat()}
        rows = [row_record(r) for r in e.rows] + [total_record(t) for t in e.totals]
        flat = []
        for record in rows:
            parts, uncounted, notes = record.pop("parts"), record.pop("uncounted"), record.pop("notes")
            record["lower_bound"] = "; ".join(record["lower_bound"])
            record["reasoning_basis"] = " ".join(record["reasoning_basis"])
            for name in PARTS:
                record[f"{name}_tokens"] = parts[name]["tokens"] if name in parts else 0
            record["uncounted"] = "; ".join(uncounted)
            record["notes"] = "; ".join(notes)
            flat.append({**record, **extra})
        return flat

    # -- people ------------------------------------------------------------------------------
    def view(self) -> View:
        e = self.estimate
        prompts = list(dict.fromkeys(r.prompt for r in e.rows))
        many = len(prompts) > 1
        short = shortener(prompts) if many else {}
        reasoning = any(r.reasoning_tokens for r in e.rows)
        columns = [Column("Prompt", "left")] if many else []
        columns += money_columns(e, reasoning)
        ranked = not many and any(t.cheapest for t in e.totals)
        if ranked:
            columns.append(Column("", "left"))
        view = View(table_title(e, prompts, short), columns)
        if many:
            shown = prompts if self.wide else dearest(e, prompts, ROW_LIMIT)
            rows: dict[str, list[Row]] = {p: [] for p in shown}
            for row in e.rows:
                if row.prompt in rows:
                    rows[row.prompt].append(row)
            for prompt in shown:
                view.sections.add(len(view.rows))
                view.rows += [
                    row_cells(r, r.cost * e.settings.requests, short[prompt], reasoning) for r in rows[prompt]
                ]
            if len(shown) < len(prompts):
                view.footer.append(
                    f"Showing the {len(shown):,} dearest of {len(prompts):,} prompts (by their dearest model); "
                    "--wide shows them all; --format csv or --format json has every row."
                )
            view.extra.append(by_model(e, reasoning))
        else:
            for total in e.totals:
                cells = row_cells(total, total.projected, None, reasoning)
                view.rows.append([*cells, "← cheapest" if total.cheapest else ""] if ranked else cells)
        view.footer += footer_lines(e)  # "showing the dearest" first, right under the table
        breakdown = parts_breakdown(e, many, short, set(shown) if many else None)
        if breakdown is not None:
            view.extra.insert(0, breakdown)
        return view


#: Above this many prompts, the table shows the dearest ones (all of them with --wide).
ROW_LIMIT = 50
