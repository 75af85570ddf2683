"""``llmprof plan``: what a whole workload costs and how long it takes, on each model, with the
levers that change the answer."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from llmprof.cli import helptext
from llmprof.cli.app import app
from llmprof.cli.options import AsOfOpt, FormatOpt, PricingOpt, QuietOpt, WideOpt, choice, models_of, price_table
from llmprof.errors import BudgetExceeded, PricingError, UsageError
from llmprof.plan.workload import Dist, Seconds
from llmprof.render.output import Format
from llmprof.talk import Talk


def _sizes(value: str) -> Dist:
    """``200`` or ``200,400`` (p50,p90) tokens."""
    parts = [p.strip() for p in value.split(",")]
    if len(parts) > 2 or not all(p.isdigit() for p in parts):
        raise typer.BadParameter(f"{value!r}: write N, or P50,P90 (e.g. 200,400) tokens")
    p50, p90 = int(parts[0]), int(parts[-1])
    if p90 < p50:
        raise typer.BadParameter(f"{value!r}: the p90 is below the p50")
    return Dist(p50, p90)


def _seconds(value: str) -> Seconds:
    """``1.4s`` or ``1.4s,2.2s`` (p50,p90); a bare number is seconds."""
    from llmprof.plan.parse import duration

    parts = [duration(p.strip()) for p in value.split(",")]
    if len(parts) > 2 or any(p is None for p in parts):
        raise typer.BadParameter(f"{value!r}: write a duration like 1.4s, 800ms or 2m, or P50,P90 (1.4s,2.2s)")
    p50, p90 = parts[0], parts[-1]
    assert p50 is not None and p90 is not None
    if p90 < p50:
        raise typer.BadParameter(f"{value!r}: the p90 is below the p50")
    return Seconds(p50, p90)


def _one_duration(value: str) -> Decimal:
    return _seconds(value).p50


def _ttl(value: str) -> str:
    import re

    if not re.fullmatch(r"\d+(m|h|d)", value):
        raise typer.BadParameter(f"{value!r} is not a cache lifetime; write it like 5m or 1h")
    return value


SWITCH = choice("auto", "on", "off")


@app.command(cls=helptext.Command, epilog=helptext.PLAN)
def plan(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="WORKLOAD.yaml|PATH",
            help="A workload file, or prompt files and folders (each prompt is one job request).",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", metavar="MODEL", help="Model to plan for; repeat (or a,b) to compare."),
    ] = None,
    output_tokens: Annotated[
        Dist | None,
        typer.Option(parser=_sizes, metavar="N[,P90]", help="Output tokens per request (p50, or p50,p90)."),
    ] = None,
    reasoning_tokens: Annotated[
        Dist | None,
        typer.Option(parser=_sizes, metavar="N[,P90]", help="Hidden reasoning tokens per call, billed as output."),
    ] = None,
    requests: Annotated[int, typer.Option(min=1, max=10**9, metavar="N", help="Send each prompt N times.")] = 1,
    per_day: Annotated[int | None, typer.Option(min=1, metavar="N", help="Runs of the job a day.")] = None,
    rpm: Annotated[int | None, typer.Option(min=1, metavar="N", help="Requests-per-minute limit.")] = None,
    tpm: Annotated[int | None, typer.Option(min=1, metavar="N", help="Tokens-per-minute limit (in + out).")] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, metavar="N", help="Requests in flight at once.")] = None,
    latency: Annotated[
        Seconds | None,
        typer.Option(parser=_seconds, metavar="S[,P90]", help="Latency per request, e.g. 1.4s or 1.4s,2.2s."),
    ] = None,
    profile: Annotated[
        list[Path] | None,
        typer.Option(metavar="FILE", help="A bench result (bench --out): its model's output lengths and latency."),
    ] = None,
    responses: Annotated[
        list[Path] | None,
        typer.Option(metavar="FILE", help="Saved API responses (JSON/JSONL): output lengths from their usage."),
    ] = None,
    cache: Annotated[
        str | None,
        typer.Option(parser=SWITCH, metavar="auto|on|off", help="Prompt caching what-if. [default: auto]"),
    ] = None,
    cache_ttl: Annotated[
        str | None, typer.Option(parser=_ttl, metavar="TTL", help="Cache lifetime (5m, 1h). [default: cheapest]")
    ] = None,
    batch: Annotated[
        str | None, typer.Option(parser=SWITCH, metavar="auto|on|off", help="Batch API what-if. [default: auto]")
    ] = None,
    max_tokens: Annotated[int | None, typer.Option(min=1, metavar="N", help="What-if: an output cap.")] = None,
    keep_last_turns: Annotated[
        int | None, typer.Option(min=0, metavar="K", help="What-if: conversations keep only the last K turns.")
    ] = None,
    max_p90_latency: Annotated[
        Decimal | None,
        typer.Option(parser=_one_duration, metavar="S", help="Model selection: every call's p90 latency within S."),
    ] = None,
    per_turn: Annotated[bool, typer.Option("--per-turn", help="Show each conversation call by call.")] = False,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
    glob: Annotated[
        str | None, typer.Option("--glob", metavar="PATTERN", help="Only files matching this in folders.")
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", metavar="NAME", help="Text encoding of prompt files.")
    ] = "utf-8",
    quiet: QuietOpt = False,
    wide: WideOpt = False,
) -> None:
    """What a whole workload costs and how long it takes: jobs, conversations, agents; caching, batch, limits."""
    from llmprof import dates
    from llmprof.plan.flags import Flags, workload_from
    from llmprof.plan.run import plan as plan_workload
    from llmprof.plan.workload import Limits
    from llmprof.render.output import emit
    from llmprof.render.plan import PlanOutput

    talk = Talk(quiet)
    if not paths:
        raise UsageError("nothing to plan", "pass a workload file (plan.yaml) or prompt files, e.g. llmprof plan docs/")
    flags = Flags(
        models=tuple(models_of(model)),
        output=output_tokens,
        reasoning=reasoning_tokens,
        requests=requests,
        per_day=per_day,
        limits=Limits(rpm=rpm, tpm=tpm, concurrency=concurrency),
        latency=latency,
        profiles=tuple(profile or ()),
        responses=tuple(responses or ()),
        caching=cache,  # type: ignore[arg-type]
        cache_ttl=cache_ttl,
        batch=batch,  # type: ignore[arg-type]
        max_tokens=max_tokens,
        keep_last_turns=keep_last_turns,
        max_p90_latency=max_p90_latency,
    )
    table = price_table(pricing, talk)
    result = plan_workload(workload_from(paths, flags), table, as_of or dates.today(), talk.note, encoding, glob)
    emit(PlanOutput(result, per_turn), fmt, sys.stdout, wide=wide)
    for note in result.notes:
        talk.note(note)
    for warning in result.warnings:
        talk.warn(warning)
    missing = result.unpriced()
    if missing:
        raise PricingError(missing, "drop those models or levers, or add the missing rate with --pricing.")
    failed = [b for b in result.budgets if b.status == "fail"]
    if failed:
        lines = "; ".join(f"{b.budget} ({b.subject})" for b in failed)
        raise BudgetExceeded(f"{len(failed)} budget(s) exceeded: {lines}", "see the Budgets table above.")
