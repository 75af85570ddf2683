"""The estimate's tables for people: columns, cells, titles, the total by model, the parts
breakdown, and which prompts a long table shows."""

from __future__ import annotations

import os
from decimal import Decimal

from llmprof.counting import PARTS
from llmprof.estimate import Estimate, Row
from llmprof.render.estimate_notes import cheapest_line, prompts_per_model, requests_line
from llmprof.render.view import Column, View
from llmprof.units import tokens, usd

PART_NAMES = {
    "text": "Text",
    "framing": "Framing",
    "tools": "Tools",
    "tool_calls": "Tool calls",
    "images": "Images",
    "schema": "Schema",
}


def money_columns(e: Estimate, reasoning: bool) -> list[Column]:
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


def by_model(e: Estimate, reasoning: bool) -> View:
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
    prompts = prompts_per_model(e)
    for total in sorted(e.totals, key=lambda t: (t.unpriced is not None, t.projected)):
        cells = row_cells(total, total.projected, None, reasoning)
        row = [total.model, f"{prompts.get(total.model, 0):,}", f"{total.records * n:,}", cells[-2], cells[-1]]
        view.rows.append([*row, "← cheapest" if total.cheapest else ""] if marked else row)
    view.footer.append(requests_line(e, prompts))
    cheapest = cheapest_line(e)
    if cheapest:
        view.footer.append(cheapest)
    return view


def dearest(e: Estimate, prompts: list[str], limit: int) -> list[str]:
    """The ``limit`` prompts with the highest cost on their dearest model, in their own order."""
    if len(prompts) <= limit:
        return prompts
    top: dict[str, Decimal] = {}
    for row in e.rows:
        if row.cost > top.get(row.prompt, Decimal(-1)):
            top[row.prompt] = row.cost
    chosen = set(sorted(prompts, key=lambda p: top.get(p, Decimal(0)), reverse=True)[:limit])
    return [p for p in prompts if p in chosen]


def shortener(prompts: list[str]) -> dict[str, str]:
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


def table_title(e: Estimate, prompts: list[str], short: dict[str, str]) -> str:
    if not e.rows:
        return "Cost estimate: no prompts"
    if len(prompts) == 1:
        return f"Cost estimate: {prompts[0]}"
    folder = _folder(prompts) if short else ""
    return f"Cost estimate: {len(prompts):,} prompts" + (f" in {folder}" if folder else "")


def row_cells(row: Row, projected: Decimal, prompt: str | None, reasoning: bool) -> list[str]:
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


def parts_breakdown(e: Estimate, many: bool, short: dict[str, str], shown: set[str] | None) -> View | None:
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
