"""An :class:`~llmprof.estimate.Estimate` as a table for people and a document for machines.

JSON schema ``llmprof.estimate`` version 1 (money as exact decimal strings in USD)::

    {"schema_version": 1, "kind": "llmprof.estimate", "llmprof_version": "0.1.0",
     "pricing": {"version", "date", "as_of", "files": [{"path", "sha256"}]},
     "settings": {"output_tokens", "requests", "cached_input_tokens", "batch"},
     "rows":   [{"prompt", "model", "provider", "encoding", "count", "requests", "input_tokens",
                 "cached_input_tokens", "output_tokens", "input_cost_usd", "output_cost_usd",
                 "cost_usd", "cost_per_request_usd", "long_context_requests"}],
     "totals": [{...the same fields, "prompt": "TOTAL", plus "projected_usd", "cheapest"}],
     "notes":  ["..."], "warnings": ["..."]}

``cost_usd`` is every request in the row sent once; ``projected_usd`` is that times
``settings.requests``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from llmprof import __version__
from llmprof.estimate import Estimate, ModelTotal, Row
from llmprof.render.view import Column, View
from llmprof.units import decimal_str, tokens, usd

SCHEMA_VERSION = 1
_AVERAGE = Decimal("1e-12")


def pricing_block(estimate: Estimate) -> dict[str, Any]:
    table = estimate.table
    return {
        "version": table.version,
        "date": table.date.isoformat(),
        "as_of": estimate.settings.as_of.isoformat(),
        "files": [{"path": f.path, "sha256": f.sha256} for f in table.files],
    }


def pricing_line(estimate: Estimate) -> str:
    return f"Prices: {estimate.table.describe()}, as of {estimate.settings.as_of}."


@dataclass
class EstimateOutput:
    estimate: Estimate

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
                "requests": s.requests,
                "cached_input_tokens": s.cached_input_tokens,
                "batch": s.batch,
            },
            "rows": [_row_record(r) for r in e.rows],
            "totals": [_total_record(t) for t in e.totals],
            "notes": list(e.notes),
            "warnings": list(e.warnings),
        }

    def records(self) -> list[dict[str, Any]]:
        e = self.estimate
        extra = {"pricing_version": e.table.version, "as_of": e.settings.as_of.isoformat()}
        rows = [_row_record(r) for r in e.rows] + [_total_record(t) for t in e.totals]
        return [{**record, **extra} for record in rows]

    # -- people ------------------------------------------------------------------------------
    def view(self) -> View:
        e = self.estimate
        s = e.settings
        many_prompts = len({r.prompt for r in e.rows}) > 1
        columns = [Column("Prompt", "left")] if many_prompts else []
        columns += [
            Column("Model", "left"),
            Column("Tokens in"),
            Column("Count", "left"),
            Column("Tokens out"),
            Column("Input"),
            Column("Output"),
            Column("Per request"),
            Column(f"× {s.requests:,} requests" if s.requests > 1 else "Total"),
        ]
        ranked = any(t.cheapest for t in e.totals)
        if ranked:
            columns.append(Column("", "left"))
        view = View(_title(e), columns)
        for total in e.totals:
            rows = [r for r in e.rows if r.model == total.model]
            if many_prompts:
                view.sections.add(len(view.rows))
                for row in rows:
                    cells = _cells(row, row.cost * s.requests, prompt=row.prompt)
                    view.rows.append([*cells, ""] if ranked else cells)
                view.bold.add(len(view.rows))
            cells = _cells(total, total.projected, prompt="TOTAL" if many_prompts else None)
            view.rows.append([*cells, "← cheapest" if total.cheapest else ""] if ranked else cells)
        view.footer = _footer(e)
        return view


def _title(e: Estimate) -> str:
    prompts = len({r.prompt for r in e.rows})
    what = e.rows[0].prompt if prompts == 1 else f"{prompts} prompts"
    return f"Cost estimate: {what}" if e.rows else "Cost estimate: no prompts"


def _cells(row: Row, projected: Decimal, prompt: str | None) -> list[str]:
    cached = f" ({tokens(row.cached_input_tokens)} cached)" if row.cached_input_tokens else ""
    cells = [
        row.model,
        tokens(row.input_tokens) + cached,
        row.exactness,
        tokens(row.output_tokens),
        usd(row.input_cost),
        usd(row.output_cost),
        usd(row.cost_per_request),
        usd(projected),
    ]
    return [prompt, *cells] if prompt is not None else cells


def _footer(e: Estimate) -> list[str]:
    s = e.settings
    lines = [pricing_line(e)]
    if s.output_tokens == 0:
        lines.append("Output tokens: 0, so no completion is priced; pass --output-tokens N for the reply.")
    else:
        lines.append(f"Output tokens: {s.output_tokens:,} per request (your --output-tokens estimate).")
    if s.batch:
        lines.append("Batch API rates.")
    if any(r.exactness == "approx" for r in e.rows):
        lines.append("Count 'approx': that vendor's tokenizer is not public, counted with o200k_base.")
    if any(r.records > 1 for r in e.rows):
        lines.append("Per request: the average over the requests in a file (one per JSONL line).")
    tiered = sum(t.tiered_records for t in e.totals)
    if tiered:
        lines.append(f"{tiered} request(s) passed a long-context threshold and are billed at the higher tier.")
    return lines


def _row_record(row: Row) -> dict[str, Any]:
    return {
        "prompt": row.prompt,
        "model": row.model,
        "provider": row.provider,
        "encoding": row.encoding,
        "count": row.exactness,
        "requests": row.records,
        "input_tokens": row.input_tokens,
        "cached_input_tokens": row.cached_input_tokens,
        "output_tokens": row.output_tokens,
        "input_cost_usd": decimal_str(row.input_cost),
        "output_cost_usd": decimal_str(row.output_cost),
        "cost_usd": decimal_str(row.cost),
        "cost_per_request_usd": decimal_str(row.cost_per_request.quantize(_AVERAGE)),
        "long_context_requests": row.tiered_records,
    }


def _total_record(total: ModelTotal) -> dict[str, Any]:
    return {
        **_row_record(total),
        "projected_usd": decimal_str(total.projected),
        "cheapest": total.cheapest,
    }
