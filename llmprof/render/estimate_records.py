"""The estimate as machines read it: the pricing block and each row's and total's record
(money as exact decimal strings, null where a model could not be priced)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llmprof.counting import PARTS
from llmprof.estimate import Estimate, ModelTotal, Row
from llmprof.units import decimal_str

_AVERAGE = Decimal("1e-12")


def pricing_block(estimate: Estimate) -> dict[str, Any]:
    table = estimate.table
    return {
        "version": table.version,
        "date": table.date.isoformat(),
        "as_of": estimate.settings.as_of.isoformat(),
        "files": [{"path": f.path, "sha256": f.sha256} for f in table.files],
    }


def row_record(row: Row) -> dict[str, Any]:
    return {
        "prompt": row.prompt,
        "model": row.model,
        "provider": row.provider,
        "kind": row.kind,
        "encoding": row.encoding,
        "count": row.count,
        "count_range_pct": round(row.spread * 100) if row.spread else None,
        "requests": row.records,
        "input_tokens": row.input_tokens,
        "parts": {
            name: {"tokens": row.parts[name], "count": row.part_counts[name]} for name in PARTS if name in row.parts
        },
        "cached_input_tokens": row.cached_input_tokens,
        "cache_write_tokens": row.cache_write_tokens,
        "output_tokens": row.output_tokens,
        "reasoning_tokens": row.reasoning_tokens,
        "input_cost_usd": _money(row, row.input_cost),
        "output_cost_usd": _money(row, row.output_cost),
        "reasoning_cost_usd": _money(row, row.reasoning_cost),
        "cost_usd": _money(row, row.cost),
        "cost_per_request_usd": _money(row, row.cost_per_request.quantize(_AVERAGE)),
        "long_context_requests": row.tiered_records,
        "uncounted": list(dict.fromkeys(row.uncounted)),
        "lower_bound": row.lower_bound,
        "reasoning_basis": sorted(row.reasoning_how),
        "notes": list(row.notes),
        "unpriced": row.unpriced,
    }


def _money(row: Row, value: Decimal) -> str | None:
    """An exact amount, or null for a model that could not be priced (never a made-up $0)."""
    return None if row.unpriced else decimal_str(value)


def total_record(total: ModelTotal) -> dict[str, Any]:
    return {
        **row_record(total),
        "projected_usd": _money(total, total.projected),
        "cheapest": total.cheapest,
    }
