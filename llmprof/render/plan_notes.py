"""The plan's footer (every assumption, in one place) and its further tables: what-ifs ranked,
durations, model selection, budgets, and the per-call breakdown of conversations."""

from __future__ import annotations

from decimal import Decimal

from llmprof.plan.levers import Explored
from llmprof.plan.run import Plan
from llmprof.plan.select import scale
from llmprof.plan.timing import Bound, daily_load
from llmprof.plan.workload import MONTH_DAYS, Chat, seconds_text
from llmprof.render.plan_cells import HUNDRED, pair, per, saving_text, seconds_pair
from llmprof.render.view import Column, View
from llmprof.units import tokens, usd


def footer(plan: Plan) -> list[str]:
    w = plan.workload
    lines = [
        f"Prices: {plan.table.describe()}, as of {plan.as_of}; each call priced on its own "
        "(long-context tiers included), standard rates unless a lever says otherwise.",
        "p50 / p90: the whole task with every size and output at its p50, then at its p90 "
        "(one figure where they agree).",
    ]
    if any(t.per_day for t in w.tasks):
        lines.append(f"Per day: per task × tasks a day; a month is {MONTH_DAYS} days.")
    if any(isinstance(t.spec, Chat) for t in w.tasks):
        lines.append(
            "Conversations re-send the whole history every call; input includes the chat framing "
            "(3 tokens a message plus its role, 3 to prime the reply)."
        )
    seen: list[str] = []
    for result in plan.results:
        for note in result.inputs.notes:
            if note not in seen:
                seen.append(note)
    lines += [_sentence(note) for note in seen]
    lines += _reasoning(plan)
    results = plan.results
    if any(r.inputs.count == "approx" and r.inputs.spread for r in results):
        lines.append(
            "Count 'approx ±N%': that vendor's tokenizer is not public: o200k_base times a sourced factor, "
            "within ±N% (docs/tokenizers.md)."
        )
    if any(r.inputs.count == "approx" and not r.inputs.spread for r in results):
        lines.append("Count 'approx': sizes given in tokens are taken as the model's; its chat framing is a stand-in.")
    if any(r.inputs.count == "lower-bound" for r in results):
        lines.append(
            "Count 'lower-bound', ≥: a request carries something billed that is not counted (see the warnings)."
        )
    for model in plan.models:
        latency = next((r.inputs.latency for r in results if r.inputs.model is model and r.inputs.latency), None)
        if latency is not None:
            lines.append(f"Latency, {model.name}: {latency.describe()}.")
    for result in results:
        basis = result.plain["p50"].basis if result.plain else "standard"
        if basis not in ("standard", "batch API", "mixed") and not basis.startswith("long context"):
            lines.append(f"{result.inputs.model.name}: {basis} rates.")
            break
    tiered = sum(r.plain["p50"].long_context for r in results if r.plain)
    if tiered:
        lines.append(f"{tiered:,} call(s) reach a long-context threshold and bill the whole call at the higher tier.")
    for result in results:
        if result.unpriced:
            lines.append(f"Not priced: {result.inputs.task.name} on {result.inputs.model.name}: {result.unpriced}.")
    return list(dict.fromkeys(lines))


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


def _reasoning(plan: Plan) -> list[str]:
    def models(how: str) -> list[str]:
        return list(dict.fromkeys(r.inputs.model.name for r in plan.results if how in r.inputs.reasoning_how))

    lines = []
    if models("assumed"):
        lines.append(f"Reasoning: {', '.join(models('assumed'))}: the reasoning tokens given are billed as output.")
    if models("budget"):
        lines.append(f"{', '.join(models('budget'))}: reasoning priced at the request's thinking budget, its cap.")
    unknown = models("unknown")
    if unknown:
        verb = "bills" if len(unknown) == 1 else "bill"
        lines.append(
            f"≥ a lower bound: {', '.join(unknown)} {verb} hidden reasoning tokens as output, and none are allowed "
            "for; give reasoning_tokens (--reasoning-tokens N)."
        )
    if models("default-off"):
        lines.append(f"{', '.join(models('default-off'))}: no reasoning, its API's default.")
    return lines


def levers_view(plan: Plan) -> View | None:
    rows = [(r, o) for r in plan.results if not r.unpriced for o in r.options]
    if not rows:
        return None
    view = View(
        "What-ifs: each lever alone against the plain case (p50 / p90)",
        [
            Column("Task", "left"),
            Column("Model", "left"),
            Column("Lever", "left"),
            Column("Per", "left"),
            Column("Plain", priority=1),
            Column("With it"),
            Column("Saves"),
        ],
    )
    notes: list[str] = []
    for result, option in rows:
        task = result.inputs.task
        floor = bool(result.inputs.lower_bound)
        k = scale(task)
        plain = pair(result.plain["p50"].cost * k, result.plain["p90"].cost * k, floor)
        who = f"{task.name} on {result.inputs.model.name}, {option.label}"
        if option.reason or not option.figures:
            status = (option.reason or "").split(":", 1)[0]
            view.rows.append([task.name, result.inputs.model.name, option.label, per(task), plain, "-", status])
            notes.append(f"{who}: {(option.reason or '').split(': ', 1)[-1]}.")
            continue
        after = pair(option.figures["p50"].cost * k, option.figures["p90"].cost * k, floor)
        shares = [
            option.saving(result.plain, q) / result.plain[q].cost * HUNDRED if result.plain[q].cost else Decimal(0)
            for q in ("p50", "p90")
        ]
        a, b = (f"{share:.1f}%" for share in shares)
        view.rows.append(
            [task.name, result.inputs.model.name, option.label, per(task), plain, after, a if a == b else f"{a} / {b}"]
        )
        if option.notes:
            notes.append(f"{who}: {'; '.join(option.notes)}.")
    view.footer = notes + [_ranked(r) for r in plan.results if not r.unpriced]
    return view


def _ranked(result: Explored) -> str:
    task = result.inputs.task
    head = f"Ranked, {task.name} on {result.inputs.model.name}: "
    if not result.chain:
        return head + "no lever saves money here."
    parts = []
    for index, step in enumerate(result.chain):
        share, amount = saving_text(step.before["p50"], step.after["p50"], task)
        further = "" if not index else "then "
        what = f"{share:.1f}%" if not index else f"a further {share:.1f}% of what is left"
        parts.append(f"{further}{step.label} saves {what} ({amount})")
    first, last = result.chain[0].before["p50"], result.chain[-1].after["p50"]
    share, amount = saving_text(first, last, task)
    k = scale(task)
    tail = (
        f"; together {share:.1f}% ({amount}): {usd(first * k)} → {usd(last * k)} {per(task)}"
        if len(result.chain) > 1
        else ""
    )
    note = f" Not stacked: {result.chain_note}." if result.chain_note else ""
    floor = (
        " Costs are lower bounds (≥): what they leave out is not in the savings either."
        if result.inputs.lower_bound
        else ""
    )
    return head + ", ".join(parts) + tail + " at p50." + note + floor


def timing_view(plan: Plan) -> View | None:
    rows = [r for r in plan.results if not r.unpriced and (r.plain["p50"].timing or r.plain["p50"].span_s is not None)]
    if not rows:
        return None
    view = View(
        "Durations (p50 / p90)",
        [
            Column("Task", "left"),
            Column("Model", "left"),
            Column("Calls"),
            Column("Takes"),
            Column("Decided by", "left"),
        ],
    )
    for result in rows:
        a, b = result.plain["p50"], result.plain["p90"]
        task = result.inputs.task
        if a.timing is not None and b.timing is not None:
            s50, s90 = a.timing.seconds, b.timing.seconds
            takes = "unknown" if s50 is None or s90 is None else seconds_pair(s50, s90)
            decided = a.timing.verdict()
            view.rows.append([task.name, result.inputs.model.name, tokens(a.requests), takes, decided])
            others = [b for b in a.timing.bounds if b is not a.timing.binding]
            view.footer += [
                f"{task.name} on {result.inputs.model.name}: {_bound(b)} alone: {b.detail}." for b in others
            ]
            view.footer += [f"{task.name} on {result.inputs.model.name}: {line}." for line in a.timing.pressure]
        elif a.span_s is not None and b.span_s is not None:
            pauses = (
                " and pauses" if isinstance(task.spec, Chat) and (task.spec.think_time or task.spec.tool_time) else ""
            )
            what = f"one {task.kind}: its calls' latencies{pauses}"
            view.rows.append(
                [task.name, result.inputs.model.name, tokens(a.requests), seconds_pair(a.span_s, b.span_s), what]
            )
            if task.per_day:
                lines = daily_load(
                    a.requests * task.per_day, (a.input_tokens + a.output_tokens) * task.per_day, result.inputs.limits
                )
                view.footer += [f"{task.name} on {result.inputs.model.name}: {line}." for line in lines]
    if any(r.plain["p50"].timing for r in rows):
        view.footer.append(
            "Job durations are lower bounds: the largest of latency ÷ concurrency, requests ÷ RPM, tokens ÷ TPM."
        )
    return view


def _bound(bound: Bound) -> str:
    return bound.name.upper() if bound.name in ("rpm", "tpm") else bound.name


def selection_view(plan: Plan) -> View | None:
    if len(plan.choices) < 2 and plan.workload.max_p90_latency is None:
        return None
    daily = all(t.per_day for t in plan.workload.tasks)
    limit = plan.workload.max_p90_latency
    title = "Model selection: cheapest that meets the limits" + (
        f" (p90 latency ≤ {seconds_text(limit)})" if limit else ""
    )
    view = View(
        title,
        [
            Column("Model", "left"),
            Column("Cost a day" if daily else "Cost"),
            Column("p90 latency"),
            Column("Meets limits", "left"),
            Column("", "left"),
        ],
    )
    for choice in plan.choices:
        if choice.unpriced:
            view.rows.append([choice.model, "not priced", "-", "no", ""])
            continue
        cost = pair(choice.cost["p50"], choice.cost["p90"], choice.lower_bound)
        latency = seconds_text(choice.p90_latency_s) if choice.p90_latency_s is not None else "unknown"
        view.rows.append(
            [choice.model, cost, latency, "yes" if choice.meets else "no", "← cheapest" if choice.cheapest else ""]
        )
    for choice in plan.choices:
        view.footer += [f"{choice.model}: {problem}." for problem in choice.problems]
    if not daily:
        view.footer.append("Cost: every task at its traffic (per day, in all, or once).")
    view.footer.append("Quality is your call: this ranks cost and limits only.")
    return view


def budgets_view(plan: Plan) -> View | None:
    if not plan.budgets:
        return None
    view = View(
        "Budgets",
        [
            Column("Budget", "left"),
            Column("Subject", "left"),
            Column("Limit"),
            Column("Actual"),
            Column("Result", "left"),
        ],
    )
    for b in plan.budgets:
        shown = [_amount(value, b.unit) for value in (b.limit, b.actual)]
        view.rows.append([b.budget, b.subject, *shown, b.status.upper() if b.status == "fail" else b.status])
    view.footer = [f"{b.budget} ({b.subject}): {b.note}." for b in plan.budgets if b.note]
    return view


def _amount(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "-"
    return usd(value) if unit == "usd" else seconds_text(value)


def turns_views(plan: Plan) -> list[View]:
    views = []
    for result in plan.results:
        if result.unpriced or not isinstance(result.inputs.task.spec, Chat):
            continue
        caching = result.option("caching")
        cached = caching.figures["p50"].lines if caching and caching.figures and not caching.reason else []
        agent = result.inputs.task.spec.steps > 0
        columns = [
            Column("Turn"),
            *([Column("Step")] if agent else []),
            Column("Input tokens"),
            Column("Output tokens"),
            Column("Cost"),
        ]
        if cached:
            columns += [
                Column("Cache read"),
                Column("Cache write"),
                Column(f"Cost, {caching.label if caching else ''}"),
            ]
        view = View(f"Per call: {result.inputs.task.name} on {result.inputs.model.name} (p50)", columns)
        lines = result.plain["p50"].lines
        for index, line in enumerate(lines):
            cells = [
                str(line.turn),
                *([str(line.step) if line.step else "reply"] if agent else []),
                tokens(line.input_tokens),
                tokens(line.output_tokens),
                usd(line.cost),
            ]
            if cached:
                c = cached[index]
                cells += [tokens(c.cached_tokens), tokens(c.written_tokens), usd(c.cost)]
            view.rows.append(cells)
        total = result.plain["p50"]
        row = [
            "TOTAL",
            *([""] if agent else []),
            tokens(total.input_tokens),
            tokens(total.output_tokens),
            usd(total.cost),
        ]
        if cached and caching:
            f = caching.figures["p50"]
            row += [tokens(f.cached_tokens), tokens(f.written_tokens), usd(f.cost)]
        view.bold.add(len(view.rows))
        view.rows.append(row)
        if len(lines) > 1 and not agent:
            growth = lines[1].input_tokens - lines[0].input_tokens
            view.footer.append(
                f"Input grows by {growth:,} tokens a turn (the last reply and the new message, framed): "
                "linear per call, quadratic in total."
            )
        views.append(view)
    return views
