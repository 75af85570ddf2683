"""``llmprof estimate``: count a request's tokens exactly and price it on one or many models."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import Annotated

import typer

from llmprof.cli import helptext
from llmprof.cli.app import app
from llmprof.cli.options import (
    AsOfOpt,
    FormatOpt,
    PricingOpt,
    QuietOpt,
    WideOpt,
    choice,
    models_of,
    moment,
    money,
    price_table,
)
from llmprof.errors import BudgetExceeded, PricingError, UsageError
from llmprof.images import Size
from llmprof.render.output import Format
from llmprof.talk import Talk


def _size(value: str) -> Size:
    from llmprof.images import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _ttl(value: str) -> str:
    import re

    if not re.fullmatch(r"\d+(m|h|d)", value):
        raise typer.BadParameter(f"{value!r} is not a cache lifetime; write it like 5m, 1h or 24h")
    return value


@app.command(cls=helptext.Command, epilog=helptext.ESTIMATE)
def estimate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Prompt files, folders, or - for stdin: text, chat JSON/JSONL, API request bodies, batch files.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            metavar="MODEL",
            help="Model to price; repeat, or separate with commas, to compare. [default: the table's default set]",
        ),
    ] = None,
    output_tokens: Annotated[
        int, typer.Option(min=0, max=10_000_000, metavar="N", help="Expected visible completion tokens per request.")
    ] = 0,
    reasoning_tokens: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=10_000_000,
            metavar="N",
            help="Hidden reasoning tokens per request, billed as output. [default: a request's thinking budget]",
        ),
    ] = None,
    requests: Annotated[
        int,
        typer.Option(min=1, max=10**15, metavar="N", help="Project the cost to this many sends of each prompt."),
    ] = 1,
    cached_input_tokens: Annotated[
        int, typer.Option(min=0, metavar="N", help="Prompt tokens per request read from the prompt cache.")
    ] = 0,
    cache_write_tokens: Annotated[
        int, typer.Option(min=0, metavar="N", help="Prompt tokens per request written to the prompt cache.")
    ] = 0,
    cache_ttl: Annotated[
        str | None,
        typer.Option(parser=_ttl, metavar="TTL", help="Lifetime of cache writes: 5m, 1h ... [default: the model's]"),
    ] = None,
    batch: Annotated[bool, typer.Option("--batch", help="Use Batch API rates.")] = False,
    tier: Annotated[
        str | None,
        typer.Option("--tier", metavar="NAME", help="A service tier's rates, e.g. flex or priority (OpenAI)."),
    ] = None,
    at: Annotated[
        dt.datetime | None,
        typer.Option(
            "--at",
            parser=moment,
            metavar="DATETIME",
            help="When the requests are sent (time-of-day rates, e.g. off-peak). [default: now, or LLMPROF_TODAY]",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
    max_cost: Annotated[
        Decimal | None,
        typer.Option(
            "--max-cost", parser=money, metavar="USD", help="Exit 1 if any model's projected total exceeds this."
        ),
    ] = None,
    image_size: Annotated[
        Size | None,
        typer.Option(
            "--image-size", parser=_size, metavar="WxH", help="Size of images the request only links to (remote URLs)."
        ),
    ] = None,
    shape: Annotated[
        str,
        typer.Option(
            parser=choice("auto", "openai-chat", "openai-responses", "anthropic", "gemini", "text"),
            metavar="SHAPE",
            help="Request body shape: openai-chat, openai-responses, anthropic, gemini or text. [default: by content]",
            show_default=False,
        ),
    ] = "auto",
    format_in: Annotated[
        str,
        typer.Option(
            "--format-in",
            parser=choice("auto", "text", "json", "jsonl"),
            metavar="KIND",
            help="How to read prompts: auto (by extension, else by content), text, json or jsonl.",
        ),
    ] = "auto",
    strict: Annotated[
        bool, typer.Option("--strict", help="A request over a model's context window or max output is an error.")
    ] = False,
    glob: Annotated[
        str | None,
        typer.Option("--glob", metavar="PATTERN", help="Only files matching this pattern in folders, e.g. '**/*.txt'."),
    ] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", metavar="NAME", help="Text encoding of prompt files without a byte-order mark.")
    ] = "utf-8",
    quiet: QuietOpt = False,
) -> None:
    """Count a request's tokens (text, framing, tools, images, schema) and price it on one or many models."""
    from llmprof import dates
    from llmprof.estimate import Settings, check_max_cost, estimate_prompts, unpriced
    from llmprof.inputs import collect_sources
    from llmprof.pricing import Mode
    from llmprof.render.estimate import EstimateOutput
    from llmprof.render.output import emit

    talk = Talk(quiet)
    if not paths:
        if sys.stdin.isatty():
            raise UsageError("no prompt given", "pass a file or folder, or pipe text and use -")
        paths = ["-"]
    settings = Settings(
        output_tokens=output_tokens,
        reasoning_tokens=reasoning_tokens,
        requests=requests,
        cached_input_tokens=cached_input_tokens,
        cache_write_tokens=cache_write_tokens,
        mode=Mode(batch=batch, service_tier=tier, cache_ttl=cache_ttl, at=at or dates.now()),
        as_of=as_of or dates.today(),
        image_size=image_size,
        shape=shape,
        format_in=format_in,  # type: ignore[arg-type]
        strict=strict,
    )
    table = price_table(pricing, talk)
    sources = collect_sources(paths, glob, talk.note, encoding)
    result = estimate_prompts(table, sources, models_of(model), settings, encoding)
    emit(EstimateOutput(result, wide=wide), fmt, sys.stdout, wide=wide)
    for note in result.notes:
        talk.note(note)
    for warning in result.warnings:
        talk.warn(warning)
    missing = unpriced(result)
    if missing:
        raise PricingError(
            missing, "drop those models, the flags that need the missing rate, or add it with --pricing."
        )
    if max_cost is not None:
        failure = check_max_cost(result, max_cost)
        if failure:
            raise BudgetExceeded(*failure)
