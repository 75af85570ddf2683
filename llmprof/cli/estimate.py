"""``llmprof estimate``: count a prompt's tokens exactly and price it on one or many models."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Annotated

import typer

from llmprof.cli.app import app
from llmprof.cli.options import AsOfOpt, FormatOpt, PricingOpt, QuietOpt, money, price_table
from llmprof.errors import BudgetExceeded, UsageError
from llmprof.render.output import Format
from llmprof.talk import Talk


@app.command()
def estimate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Prompt files, directories, or - for stdin. Text, chat JSON/JSONL, request bodies.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            metavar="MODEL",
            help="Model to price; repeat to compare. [default: the table's default set]",
        ),
    ] = None,
    output_tokens: Annotated[
        int, typer.Option(min=0, max=10_000_000, metavar="N", help="Expected completion tokens per request.")
    ] = 0,
    requests: Annotated[
        int,
        typer.Option(min=1, max=10**15, metavar="N", help="Project the cost to this many sends of each prompt."),
    ] = 1,
    cached_input_tokens: Annotated[
        int, typer.Option(min=0, metavar="N", help="Prompt tokens per request billed at the cache-read rate.")
    ] = 0,
    batch: Annotated[bool, typer.Option("--batch", help="Use Batch API rates.")] = False,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
    max_cost: Annotated[
        Decimal | None,
        typer.Option(
            "--max-cost", parser=money, metavar="USD", help="Exit 1 if any model's projected total exceeds this."
        ),
    ] = None,
    glob: Annotated[
        str | None,
        typer.Option(
            "--glob", metavar="PATTERN", help="Only files matching this pattern in directories, e.g. '*.txt'."
        ),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", metavar="NAME", help="Text encoding of prompt files.")
    ] = "utf-8",
    quiet: QuietOpt = False,
) -> None:
    """Count a prompt's tokens exactly and price it on one or many models."""
    from llmprof import dates
    from llmprof.estimate import Settings, check_max_cost, estimate_prompts
    from llmprof.inputs import collect_sources
    from llmprof.pricing import Mode
    from llmprof.render.estimate import EstimateOutput
    from llmprof.render.output import emit

    talk = Talk(quiet)
    if not paths:
        if sys.stdin.isatty():
            raise UsageError("no prompt given", "pass a file or directory, or pipe text and use -")
        paths = ["-"]
    settings = Settings(
        output_tokens=output_tokens,
        requests=requests,
        cached_input_tokens=cached_input_tokens,
        mode=Mode(batch=batch),
        as_of=as_of or dates.today(),
    )
    table = price_table(pricing, talk)
    result = estimate_prompts(table, collect_sources(paths, glob, talk.note), model or [], settings, encoding)
    emit(EstimateOutput(result), fmt, sys.stdout)
    for note in result.notes:
        talk.note(note)
    for warning in result.warnings:
        talk.warn(warning)
    if max_cost is not None:
        failure = check_max_cost(result, max_cost)
        if failure:
            raise BudgetExceeded(failure, "shorten the prompt, pick a cheaper model, or raise --max-cost.")
