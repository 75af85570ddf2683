"""The estimate table's notes: prices used, output and reasoning assumptions, counts' exactness,
rates, what --requests multiplied, and why no model is marked cheapest."""

from __future__ import annotations

from llmprof.estimate import Estimate
from llmprof.units import usd


def pricing_line(estimate: Estimate) -> str:
    return f"Prices: {estimate.table.describe()}, as of {estimate.settings.as_of}."


def prompts_per_model(e: Estimate) -> dict[str, int]:
    prompts: dict[str, int] = {}
    for row in e.rows:
        prompts[row.model] = prompts.get(row.model, 0) + 1
    return prompts


def requests_line(e: Estimate, prompts: dict[str, int]) -> str:
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


def cheapest_line(e: Estimate) -> str | None:
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


def footer_lines(e: Estimate) -> list[str]:
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
            lines.append(requests_line(e, prompts_per_model(e)))
        cheapest = cheapest_line(e)
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
