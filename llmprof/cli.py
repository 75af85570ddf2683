"""The ``llmprof`` command line. Each command parses, makes one call, and renders.

This is the only module that decides exit codes: 0 success, 1 a budget or check failed,
2 a usage or configuration error, 130 interrupted. ``LLMPROF_DEBUG=1`` shows tracebacks.
Heavy modules (tiktoken, httpx, uvicorn) are imported inside the commands that need them, so
``llmprof --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from llmprof import __version__
from llmprof.errors import LlmprofError, UsageError
from llmprof.render.output import Format
from llmprof.talk import Talk


class _Group(TyperGroup):
    """Turns every LlmprofError into a clean message and its exit code, for all subcommands."""

    def invoke(self, ctx: Any) -> Any:  # click.Context; typer vendors click in some versions
        try:
            return super().invoke(ctx)
        except LlmprofError as exc:
            if os.environ.get("LLMPROF_DEBUG"):
                raise
            Talk().error(exc)
            raise typer.Exit(exc.exit_code) from exc


app = typer.Typer(
    cls=_Group,
    help="Cost and latency profiler for LLM APIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
pricing_app = typer.Typer(help="Inspect and validate the price table.", no_args_is_help=True)
app.add_typer(pricing_app, name="pricing")
mock_app = typer.Typer(help="The built-in mock LLM endpoint (no key, no network).", no_args_is_help=True)
app.add_typer(mock_app, name="mock")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmprof {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Cost and latency profiler for LLM APIs."""


# -- shared option parsing --------------------------------------------------------------------------


def _money(value: str) -> Decimal:
    try:
        amount = Decimal(value.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise typer.BadParameter(f"{value!r} is not an amount of USD, e.g. 5 or 0.50") from None
    if not amount.is_finite() or amount < 0:
        raise typer.BadParameter(f"{value!r} must be a non-negative amount of USD")
    return amount


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2024-06-01") from None


PricingOpt = Annotated[
    Path | None,
    typer.Option(
        "--pricing", envvar="LLMPROF_PRICING", help="Your own rates (YAML) laid over the bundled table."
    ),
]
AsOfOpt = Annotated[
    dt.date | None,
    typer.Option(
        "--as-of",
        parser=_date,
        metavar="DATE",
        help="Price at the rates in force on this date (YYYY-MM-DD). [default: today]",
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No notes or progress on stderr.")]


def _load_table(pricing: Path | None, talk: Talk, today: dt.date) -> Any:
    from llmprof import pricing as pricing_mod

    table = pricing_mod.load_table(overlay=pricing)
    for message, hint in pricing_mod.warnings(table, today):
        talk.warn(message, hint)
    return table


# -- estimate ---------------------------------------------------------------------------------------


@app.command()
def estimate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Prompt files, directories, or - for stdin. Text, or chat JSON/JSONL.", show_default=False
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model", "-m", help="Model to price; repeat to compare. [default: the table's default set]"
        ),
    ] = None,
    output_tokens: Annotated[int, typer.Option(min=0, help="Expected completion tokens per request.")] = 0,
    requests: Annotated[
        int, typer.Option(min=1, help="Project the cost to this many sends of each prompt.")
    ] = 1,
    cached_input_tokens: Annotated[
        int, typer.Option(min=0, help="Prompt tokens per request billed at the cache-read rate.")
    ] = 0,
    batch: Annotated[bool, typer.Option("--batch", help="Use Batch API rates.")] = False,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
    max_cost: Annotated[
        Decimal | None,
        typer.Option(
            "--max-cost",
            parser=_money,
            metavar="USD",
            help="Exit 1 if any model's projected total exceeds this.",
        ),
    ] = None,
    glob: Annotated[
        str | None,
        typer.Option("--glob", help="Only files matching this pattern in directories, e.g. '*.txt'."),
    ] = None,
    encoding: Annotated[str, typer.Option("--encoding", help="Text encoding of prompt files.")] = "utf-8",
    quiet: QuietOpt = False,
) -> None:
    """Count a prompt's tokens exactly and price it on one or many models."""
    from llmprof import estimate as estimate_mod
    from llmprof.inputs import collect_sources
    from llmprof.render.estimate import EstimateOutput
    from llmprof.render.output import emit

    talk = Talk(quiet)
    today = dt.date.today()
    settings = estimate_mod.Settings(
        output_tokens=output_tokens,
        requests=requests,
        cached_input_tokens=cached_input_tokens,
        batch=batch,
        as_of=as_of or today,
    )
    if not paths:
        if sys.stdin.isatty():
            raise UsageError("no prompt given", "pass a file or directory, or pipe text and use -")
        paths = ["-"]
    table = _load_table(pricing, talk, today)
    sources = collect_sources(paths, glob, talk.note)
    result = estimate_mod.run(table, sources, model or [], settings, encoding)
    emit(EstimateOutput(result), fmt, sys.stdout)
    for note in result.notes:
        talk.note(note)
    if max_cost is not None:
        estimate_mod.check_max_cost(result, max_cost)


# -- pricing ----------------------------------------------------------------------------------------


@pricing_app.command("list")
def pricing_list(
    provider: Annotated[
        str | None, typer.Option("--provider", "-p", help="Only this provider's models.")
    ] = None,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List every model with its rates per 1M tokens."""
    from llmprof.pricing import models_on
    from llmprof.render.output import emit
    from llmprof.render.pricing import PricingList

    today = dt.date.today()
    day = as_of or today
    table = _load_table(pricing, Talk(), today)
    emit(PricingList(table, models_on(table, day, provider), day), fmt, sys.stdout)


@pricing_app.command("show")
def pricing_show(
    model: Annotated[str, typer.Argument(help="Model name or alias.")],
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Show one model: current rates, tiers, batch and cache rates, and its price history."""
    from llmprof.render.output import emit
    from llmprof.render.pricing import PricingShow

    today = dt.date.today()
    table = _load_table(pricing, Talk(), today)
    emit(PricingShow(table, table.resolve(model), as_of or today), fmt, sys.stdout)


@pricing_app.command("validate")
def pricing_validate(
    file: Annotated[
        Path | None, typer.Argument(help="A pricing file to check. [default: the bundled table]")
    ] = None,
) -> None:
    """Check a pricing file: schema, types, dates, aliases. Errors name the file and line."""
    from llmprof.pricing import load_table

    table = load_table(overlay=file)
    typer.echo(f"ok: {len(table.models)} models, {table.describe()}")


# -- mock -------------------------------------------------------------------------------------------


@mock_app.command("serve")
def mock_serve(
    host: Annotated[str, typer.Option(help="Interface to bind. Keep 127.0.0.1 unless you mean it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 8000,
    preset: Annotated[str, typer.Option(help="Latency preset: gpt-3.5-turbo-2023 (the reference table), fast, instant.")] = "gpt-3.5-turbo-2023",
    ttft_ms: Annotated[Optional[float], typer.Option(min=0.0, help="Base time to first token, ms.")] = None,
    itl_ms: Annotated[Optional[float], typer.Option(min=0.0, help="Time between output tokens, ms.")] = None,
    prefill_ms_per_1k: Annotated[Optional[float], typer.Option(min=0.0, help="TTFT added per 1K prompt tokens, ms.")] = None,
    jitter: Annotated[Optional[float], typer.Option(min=0.0, help="Lognormal sigma of latency noise; 0 = exact.")] = None,
    error_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of requests answered 500.")] = 0.0,
    rate_limit_rpm: Annotated[Optional[int], typer.Option(min=1, help="Answer 429 + Retry-After beyond N requests/minute.")] = None,
    stall_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of streams that stall mid-way.")] = 0.0,
    stall_s: Annotated[float, typer.Option(min=0.0, help="How long a stall lasts, seconds.")] = 5.0,
    drop_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of streams cut mid-way.")] = 0.0,
    malformed_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of streams with a malformed event.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed for jitter and faults.")] = 0,
) -> None:
    """Serve OpenAI, Anthropic and Gemini wire formats with a latency model and fault injection."""
    from llmprof.mock import MockSettings
    from llmprof.mock.server import serve

    settings = MockSettings(
        preset=preset, ttft_ms=ttft_ms, itl_ms=itl_ms, prefill_ms_per_1k=prefill_ms_per_1k, jitter=jitter,
        error_rate=error_rate, rate_limit_rpm=rate_limit_rpm, stall_rate=stall_rate, stall_s=stall_s,
        drop_rate=drop_rate, malformed_rate=malformed_rate, seed=seed,
    )
    serve(settings, host=host, port=port, announce=typer.echo)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="llmprof")


if __name__ == "__main__":
    main()
