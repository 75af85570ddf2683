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

import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from llmprof import __version__
from llmprof.counting import PARTS
from llmprof.estimate import Estimate, ModelTotal, Row
from llmprof.render.view import Column, View
from llmprof.units import decimal_str, tokens, usd

SCHEMA_VERSION = 2
PART_NAMES = {
    "text": "Text",
    "framing": "Framing",
    "tools": "Tools",
    "tool_calls": "Tool calls",
    "images": "Images",
    "schema": "Schema",
}
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
            "rows": [_row_record(r) for r in e.rows],
            "totals": [_total_record(t) for t in e.totals],
            "notes": list(e.notes),
            "warnings": list(e.warnings),
        }

    def records(self) -> list[dict[str, Any]]:
        e = self.estimate
        extra = {"pricing_version": e.table.version, "as_of": e.settings.as_of.isoformat()}
        rows = [_row_record(r) for r in e.rows] + [_total_record(t) for t in e.totals]
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
        short = _shortener(prompts) if many else {}
        reasoning = any(r.reasoning_tokens for r in e.rows)
        columns = [Column("Prompt", "left")] if many else []
        columns += _money_columns(e, reasoning)
        ranked = not many and any(t.cheapest for t in e.totals)
        if ranked:
            columns.append(Column("", "left"))
        view = View(_title(e, prompts, short), columns)
        if many:
            shown = prompts if self.wide else _dearest(e, prompts, ROW_LIMIT)
            rows: dict[str, list[Row]] = {p: [] for p in shown}
            for row in e.rows:
                if row.prompt in rows:
                    rows[row.prompt].append(row)
            for prompt in shown:
                view.sections.add(len(view.rows))
                view.rows += [_cells(r, r.cost * e.settings.requests, short[prompt], reasoning) for r in rows[prompt]]
            if len(shown) < len(prompts):
                view.footer.append(
                    f"Showing the {len(shown):,} dearest of {len(prompts):,} prompts (by their dearest model); "
                    "--wide shows them all; --format csv or --format json has every row."
                )
            view.extra.append(_by_model(e, reasoning))
        else:
            for total in e.totals:
                cells = _cells(total, total.projected, None, reasoning)
                view.rows.append([*cells, "← cheapest" if total.cheapest else ""] if ranked else cells)
        view.footer += _footer(e)  # "showing the dearest" first, right under the table
        breakdown = _breakdown(e, many, short, set(shown) if many else None)
        if breakdown is not None:
            view.extra.insert(0, breakdown)
        return view


#: Above this many prompts, the table shows the dearest ones (all of them with --wide).
ROW_LIMIT = 50


def _money_columns(e: Estimate, reasoning: bool) -> list[Column]:
    """Model, tokens, the count's exactness and the money: priority 0 is never hidden."""
    return [
        Column("Model", "left"),
        Column("Tokens in", priority=1),
        Column("Count", "left", priority=2),
        Column("Tokens out", priority=3),
        *([Column("Reasoning", priority=3)] if reasoning else []),
        Column("Input", priority=4),
        Column("Output", priority=4),
        Column("Per request"),
        Column(_projected(e)),
    ]


def _projected(e: Estimate) -> str:
    """The projected column's header: what --requests multiplies, per row."""
    n = e.settings.requests
    if n == 1:
        return "Total"
    return f"× {n:,} sends" if any(r.records > 1 for r in e.rows) else f"× {n:,} requests"


def _by_model(e: Estimate, reasoning: bool) -> View:
    """Every prompt on each model together, cheapest first."""
    n = e.settings.requests
    marked = any(t.cheapest for t in e.totals)
    view = View(
        "Total by model, cheapest first",
        [
            Column("Model", "left"),
            Column("Prompts", priority=2),
            Column("Requests", priority=1),
            Column("Mean per request", priority=1),
            Column("Total"),
            *([Column("", "left")] if marked else []),
        ],
    )
    prompts = _prompts_per_model(e)
    for total in sorted(e.totals, key=lambda t: (t.unpriced is not None, t.projected)):
        cells = _cells(total, total.projected, None, reasoning)
        row = [total.model, f"{prompts.get(total.model, 0):,}", f"{total.records * n:,}", cells[-2], cells[-1]]
        view.rows.append([*row, "← cheapest" if total.cheapest else ""] if marked else row)
    view.footer.append(_requests_line(e, prompts))
    cheapest = _cheapest_line(e)
    if cheapest:
        view.footer.append(cheapest)
    return view


def _prompts_per_model(e: Estimate) -> dict[str, int]:
    prompts: dict[str, int] = {}
    for row in e.rows:
        prompts[row.model] = prompts.get(row.model, 0) + 1
    return prompts


def _requests_line(e: Estimate, prompts: dict[str, int]) -> str:
    """What --requests multiplied: each prompt (a file, with every request in it) sent N times."""
    n = e.settings.requests
    files = len({r.prompt for r in e.rows})
    sends = f"--requests {n:,}: " + ("each prompt sent once" if n == 1 else f"each prompt sent {n:,} times")
    if files == 1:
        sends = f"--requests {n:,}: the file sent {n:,} time{'s' if n != 1 else ''}"
    counts = {(prompts.get(t.model, 0), t.records) for t in e.totals}
    if len(counts) == 1:
        ((prompted, records),) = counts
        if prompted == 1:
            what = f"its {records:,} requests"
        else:
            what = f"{prompted:,} prompts" + (f" ({records:,} requests)" if records != prompted else "")
        return f"{sends}: {what} × {n:,} = {records * n:,} requests per model."
    each = "; ".join(f"{t.model} {t.records:,} × {n:,} = {t.records * n:,}" for t in e.totals)
    return f"{sends}: requests per model: {each}."


def _dearest(e: Estimate, prompts: list[str], limit: int) -> list[str]:
    """The ``limit`` prompts with the highest cost on their dearest model, in their own order."""
    if len(prompts) <= limit:
        return prompts
    top: dict[str, Decimal] = {}
    for row in e.rows:
        if row.cost > top.get(row.prompt, Decimal(-1)):
            top[row.prompt] = row.cost
    chosen = set(sorted(prompts, key=lambda p: top.get(p, Decimal(0)), reverse=True)[:limit])
    return [p for p in prompts if p in chosen]


def _shortener(prompts: list[str]) -> dict[str, str]:
    """Each prompt's label without the folder they all share ("examples/prompts/a.txt" -> "a.txt")."""
    folder = _folder(prompts)
    return {p: p[len(folder) :] for p in prompts}


def _folder(prompts: list[str]) -> str:
    """The folder every label starts with, with its trailing separator ("" when there is none)."""
    low, high = min(prompts), max(prompts)  # what these two share, every label between them shares
    size = 0
    while size < min(len(low), len(high)) and low[size] == high[size]:
        size += 1
    prefix = low[:size]
    cut = max(prefix.rfind("/"), prefix.rfind(os.sep))
    return prefix[: cut + 1] if cut >= 0 else ""


def _title(e: Estimate, prompts: list[str], short: dict[str, str]) -> str:
    if not e.rows:
        return "Cost estimate: no prompts"
    if len(prompts) == 1:
        return f"Cost estimate: {prompts[0]}"
    folder = _folder(prompts) if short else ""
    return f"Cost estimate: {len(prompts):,} prompts" + (f" in {folder}" if folder else "")


def _cells(row: Row, projected: Decimal, prompt: str | None, reasoning: bool) -> list[str]:
    cached = f" ({tokens(row.cached_input_tokens)} cached)" if row.cached_input_tokens else ""
    floor = "≥" if row.lower_bound else ""
    output = "-" if row.kind == "embedding" else floor + usd(row.output_cost)
    money = (
        [usd(row.input_cost), output, floor + usd(row.cost_per_request), floor + usd(projected)]
        if row.unpriced is None
        else ["not priced", "-", "-", "-"]
    )
    cells = [
        row.model,
        tokens(row.input_tokens) + cached,
        row.label,
        "-" if row.kind == "embedding" else tokens(row.output_tokens),
        *([tokens(row.reasoning_tokens)] if reasoning else []),
        *money,
    ]
    return [prompt, *cells] if prompt is not None else cells


def _breakdown(e: Estimate, many: bool, short: dict[str, str], shown: set[str] | None) -> View | None:
    """Prompt tokens by part, when a request carries more than text and framing."""
    present = [p for p in PARTS if any(r.parts.get(p) for r in e.rows)]
    if not set(present) - {"text", "framing"} and not any(r.uncounted for r in e.rows):
        return None
    columns = [Column("Prompt", "left")] if many else []
    columns += [
        Column("Model", "left"),
        *(Column(PART_NAMES[p], priority=1 if p == "text" else 2) for p in present),
        Column("Count", "left", priority=1),
    ]
    view = View("Prompt tokens by part", columns)
    for row in e.rows:
        if shown is not None and row.prompt not in shown:
            continue
        cells = [f"{tokens(row.parts[p])} {row.part_counts[p]}" if row.parts.get(p) else "-" for p in present]
        view.rows.append([*([short.get(row.prompt, row.prompt)] if many else []), row.model, *cells, row.label])
    if any(r.records > 1 for r in e.rows):
        view.footer.append("Summed over the requests in each file (one per JSONL line).")
    notes = dict.fromkeys(note for row in e.rows for note in row.notes)
    view.footer += [f"{note[0].upper()}{note[1:]}." for note in notes]
    return view


def _cheapest_line(e: Estimate) -> str | None:
    """Why no model is marked cheapest, when the lowest figure is only a floor."""
    priced = [t for t in e.totals if t.unpriced is None]
    if len({t.projected for t in priced}) < 2 or any(t.cheapest for t in priced):
        return None
    low = min(priced, key=lambda t: t.projected)
    if not low.lower_bound:
        return None
    return (
        f"No model is marked cheapest: the lowest figure, {low.model}'s ≥{usd(low.projected)}, is only a lower "
        "bound, so another model may cost less."
    )


def _footer(e: Estimate) -> list[str]:
    s = e.settings
    lines = [pricing_line(e)]
    chat = any(t.kind == "chat" for t in e.totals)
    if chat and s.output_tokens == 0 and not s.reasoning_tokens and not any(r.reasoning_tokens for r in e.rows):
        lines.append("Output tokens: 0, so no completion is priced; pass --output-tokens N for the reply.")
    elif chat and s.output_tokens:
        lines.append(f"Output tokens: {s.output_tokens:,} per request (your --output-tokens estimate).")
    embeddings = [t.model for t in e.totals if t.kind == "embedding"]
    if embeddings:
        lines.append(f"{', '.join(embeddings)}: embedding model{'s' if len(embeddings) > 1 else ''}, input only.")
    lines += _reasoning_lines(e)
    if s.batch:
        lines.append("Batch API rates.")
    if s.mode.service_tier:
        lines.append(f"{s.mode.service_tier.capitalize()} service-tier rates.")
    if any(r.count == "approx" and r.spread for r in e.rows):
        lines.append(
            "Count 'approx ±N%': that vendor's tokenizer is not public: o200k_base times a sourced factor, "
            "within ±N% (docs/tokenizers.md)."
        )
    if any(r.count == "approx" and not r.spread for r in e.rows):
        lines.append("Count 'approx': " + "; ".join(dict.fromkeys(
            t.counting for t in e.totals if t.count == "approx" and not t.spread and t.counting
        )) + ".")  # fmt: skip
    for total in e.totals:
        if total.basis not in ("standard", "batch API") and total.unpriced is None:
            when = f"at {s.mode.at:%Y-%m-%d %H:%M} UTC" if s.mode.at else "traffic spread evenly over the week"
            lines.append(f"{total.model}: {total.basis} rates ({when}; --at picks another time).")
    for total in e.totals:
        if total.unpriced:
            lines.append(f"Not priced: {total.unpriced}.")
    if any(r.count == "lower-bound" for r in e.rows):
        lines.append(
            "Count 'lower-bound', ≥: the request carries something billed that is not counted (see the warnings)."
        )
    if any(r.records > 1 for r in e.rows):
        lines.append("Per request: the average over the requests in a file (one per JSONL line).")
    if len({r.prompt for r in e.rows}) == 1:  # else under the total by model
        if s.requests > 1 and any(r.records > 1 for r in e.rows):
            lines.append(_requests_line(e, _prompts_per_model(e)))
        cheapest = _cheapest_line(e)
        if cheapest:
            lines.append(cheapest)
    tiered = sum(t.tiered_records for t in e.totals)
    if tiered:
        lines.append(f"{tiered} request(s) passed a long-context threshold and are billed at the higher tier.")
    return lines


def _reasoning_lines(e: Estimate) -> list[str]:
    """How each model's hidden reasoning was priced, when it reasons at all."""

    def models(how: str) -> str:
        return ", ".join(t.model for t in e.totals if how in t.reasoning_how)

    def bill(how: str) -> str:
        return "bills" if sum(how in t.reasoning_how for t in e.totals) == 1 else "bill"

    lines = []
    if any(r.reasoning_tokens for r in e.rows):
        source = (
            "your --reasoning-tokens estimate"
            if e.settings.reasoning_tokens is not None
            else "the thinking budgets the requests set"
        )
        lines.append(f"Reasoning tokens bill as output and are part of Tokens out ({source}).")
    if models("budget"):
        lines.append(f"{models('budget')}: reasoning priced at the request's thinking budget, the most it may use.")
    if models("unknown"):
        lines.append(
            f"≥ a lower bound: {models('unknown')} {bill('unknown')} hidden reasoning tokens as output, and none are "
            "allowed for; pass --reasoning-tokens N."
        )
    if models("default-off"):
        lines.append(
            f"{models('default-off')}: no reasoning, its API's default (--reasoning-tokens N if you turn it on)."
        )
    return lines


def _row_record(row: Row) -> dict[str, Any]:
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


def _total_record(total: ModelTotal) -> dict[str, Any]:
    return {
        **_row_record(total),
        "projected_usd": _money(total, total.projected),
        "cheapest": total.cheapest,
    }
