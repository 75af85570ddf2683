"""The ``llmprof`` command line. Each command parses, makes one call, and renders.

This is the only module that decides exit codes: 0 success, 1 a budget or check failed,
2 a usage or configuration error, 130 interrupted. ``LLMPROF_DEBUG=1`` shows tracebacks.
Heavy modules (tiktoken, httpx, uvicorn) are imported inside the commands that need them, so
``llmprof --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from llmprof import __version__, dates
from llmprof.errors import BudgetExceeded, Interrupted, LlmprofError, UsageError
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
    rich_markup_mode=None,  # help text is plain: "[default: 20]" must not be read as markup
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
    typer.Option("--pricing", envvar="LLMPROF_PRICING", help="Your own rates (YAML) laid over the bundled table."),
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


def _load_table(pricing: Path | None, talk: Talk, today: dt.date, project: Any = None) -> Any:
    """The bundled table with --pricing (or the project config's ``pricing:``) laid over it."""
    from llmprof import config
    from llmprof import pricing as pricing_mod

    if pricing is None:
        pricing = (project or config.load()).pricing
    table = pricing_mod.load_table(overlay=pricing)
    for message, hint in pricing_mod.warnings(table, today):
        talk.warn(message, hint)
    return table


# -- estimate ---------------------------------------------------------------------------------------


@app.command()
def estimate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Prompt files, directories, or - for stdin. Text, or chat JSON/JSONL.", show_default=False),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Model to price; repeat to compare. [default: the table's default set]"),
    ] = None,
    output_tokens: Annotated[int, typer.Option(min=0, help="Expected completion tokens per request.")] = 0,
    requests: Annotated[int, typer.Option(min=1, help="Project the cost to this many sends of each prompt.")] = 1,
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
    today = dates.today()
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
    for warning in result.warnings:
        talk.warn(warning)
    if max_cost is not None:
        estimate_mod.check_max_cost(result, max_cost)


# -- bench ------------------------------------------------------------------------------------------

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="LLMPROF_CONFIG",
        help="llmprof.yaml to use. [default: ./llmprof.yaml or pyproject.toml]",
    ),
]


class Provider(str, enum.Enum):
    openai = "openai"
    anthropic = "anthropic"
    gemini = "gemini"


class Arrival(str, enum.Enum):
    poisson = "poisson"
    constant = "constant"


@app.command()
def bench(
    suite: Annotated[
        Path | None, typer.Argument(help="A suite file (YAML) with these settings; flags override it.")
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            "-e",
            envvar="LLMPROF_ENDPOINT",
            help="Base URL, or a name from llmprof.yaml. [default: the built-in mock]",
        ),
    ] = None,
    provider: Annotated[Provider | None, typer.Option(help="Wire format. [default: openai]")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model name sent to the endpoint.")] = None,
    runs: Annotated[int | None, typer.Option(min=1, help="Requests per cell. [default: 20]")] = None,
    cells: Annotated[
        str | None, typer.Option(help="INxOUT token lengths, e.g. 51x1,232x1,228x26 (the default).")
    ] = None,
    input_tokens: Annotated[str | None, typer.Option(help="Input lengths, crossed with --output-tokens.")] = None,
    output_tokens: Annotated[str | None, typer.Option(help="Output lengths, crossed with --input-tokens.")] = None,
    warmup: Annotated[
        int | None,
        typer.Option(min=0, help="Requests sent first and left out. [default: one per concurrent connection]"),
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Requests in flight at once. [default: 4; none with --rate]")
    ] = None,
    ramp_up: Annotated[
        float | None, typer.Option(min=0.0, help="Closed loop: start the workers evenly over S seconds.")
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(min=0.0, help="Open loop: requests per second (latency from the scheduled send)."),
    ] = None,
    arrival: Annotated[Arrival | None, typer.Option(help="Open-loop arrivals. [default: poisson]")] = None,
    stream: Annotated[
        bool | None,
        typer.Option("--stream/--no-stream", help="Stream responses (needed for TTFT). [default: stream]"),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(min=0.001, help="Seconds allowed per request attempt. [default: 60]")
    ] = None,
    max_retries: Annotated[
        int | None, typer.Option(min=0, help="Retries for 429/5xx/connect errors. [default: 2]")
    ] = None,
    max_cost: Annotated[
        Decimal | None,
        typer.Option(
            "--max-cost",
            parser=_money,
            metavar="USD",
            help="Refuse a paid run whose worst case exceeds this. [default: 1.00]",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Run even above --max-cost or with an unpriced model.")
    ] = False,
    percentiles: Annotated[str | None, typer.Option(help="Percentile columns. [default: 50,75,90]")] = None,
    price_as: Annotated[
        str | None, typer.Option(help="Price usage as this model (e.g. for the mock or a local server).")
    ] = None,
    api_key_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the key. [default: per provider]")
    ] = None,
    force_length: Annotated[
        bool | None,
        typer.Option(
            "--force-length/--no-force-length",
            help="Send ignore_eos/min_tokens. [default: for self-hosted servers]",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for prompts and arrivals. [default: random]")] = None,
    mock_preset: Annotated[str | None, typer.Option(help="Built-in mock: latency preset.")] = None,
    mock_ttft_ms: Annotated[float | None, typer.Option(min=0.0, help="Built-in mock: base TTFT, ms.")] = None,
    mock_itl_ms: Annotated[float | None, typer.Option(min=0.0, help="Built-in mock: inter-token latency, ms.")] = None,
    mock_jitter: Annotated[
        float | None, typer.Option(min=0.0, help="Built-in mock: latency noise (lognormal sigma).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the result (JSON) here; records also go to FILE.jsonl."),
    ] = None,
    fmt: FormatOpt = Format.table,
    pricing: PricingOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Measure latency percentiles by input and output length (the built-in mock by default)."""
    from llmprof import config as config_mod
    from llmprof.bench import session
    from llmprof.bench.settings import resolve
    from llmprof.render.bench import BenchOutput
    from llmprof.render.output import emit

    talk = Talk(quiet)
    project = config_mod.load(config)
    mock = {"preset": mock_preset, "ttft_ms": mock_ttft_ms, "itl_ms": mock_itl_ms, "jitter": mock_jitter}
    flags = {
        "endpoint": endpoint,
        "provider": provider.value if provider else None,
        "model": model,
        "runs": runs,
        "cells": cells,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "warmup": warmup,
        "concurrency": concurrency,
        "ramp_up": ramp_up,
        "rate": rate,
        "arrival": arrival.value if arrival else None,
        "stream": stream,
        "timeout": timeout,
        "max_retries": max_retries,
        "max_cost": max_cost,
        "yes": yes,
        "percentiles": percentiles,
        "price_as": price_as,
        "api_key_env": api_key_env,
        "force_length": force_length,
        "seed": seed,
        "mock": {k: v for k, v in mock.items() if v is not None},
    }
    settings = resolve(flags, suite, project)
    table = _load_table(pricing, talk, dates.today(), project)
    outcome = session.run(settings, table, talk, out)
    emit(BenchOutput(outcome.result, outcome.summary), fmt, sys.stdout)
    for note in outcome.notes:
        talk.warn(note)
    talk.note(f"every request record is in {outcome.log_path}" + (f"; result in {out}" if out else ""))
    if outcome.interrupted:
        finished = len(outcome.result.measured)
        raise Interrupted(
            f"interrupted: {finished} measured request(s) finished and are kept in {outcome.log_path}",
            f"re-render them any time with: llmprof report {outcome.log_path}",
        )


@app.command()
def report(
    file: Annotated[Path, typer.Argument(help="A bench result: the --out JSON, or a run's .jsonl log.")],
    percentiles: Annotated[str | None, typer.Option(help="Percentile columns. [default: as recorded]")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Re-render a saved bench result in any format (also a crashed or interrupted run's .jsonl)."""
    from llmprof.bench import records
    from llmprof.bench.settings import parse_percentiles
    from llmprof.bench.summary import summarize
    from llmprof.render.bench import BenchOutput
    from llmprof.render.output import emit

    result = records.load(file)
    qs = parse_percentiles(percentiles or result.info.settings.get("percentiles") or "50,75,90")
    emit(BenchOutput(result, summarize(result.records, qs)), fmt, sys.stdout)


# -- check and compare ------------------------------------------------------------------------------


class CheckFormat(str, enum.Enum):
    table = "table"
    markdown = "markdown"
    json = "json"


@app.command()
def check(
    config: ConfigOpt = None,
    baseline: Annotated[Path | None, typer.Option(help="Baseline file. [default: llmprof-baseline.json]")] = None,
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Write today's figures as the baseline.")
    ] = False,
    bench_results: Annotated[
        Path | None, typer.Option(help="A saved bench result to gate against budgets.latency.")
    ] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")] = CheckFormat.table,
    junit: Annotated[Path | None, typer.Option(help="Also write JUnit XML here: one test case per budget.")] = None,
    fail_on_warn: Annotated[bool, typer.Option("--fail-on-warn", help="Warnings fail the check too.")] = False,
    pricing: PricingOpt = None,
) -> None:
    """The CI gate: cost (and latency) against a committed baseline and budgets. Exit 1 on a breach."""
    from llmprof import check as check_mod
    from llmprof import config as config_mod
    from llmprof.render.check import CheckOutput
    from llmprof.render.check import junit as junit_xml
    from llmprof.render.output import emit

    talk = Talk()
    today = dates.today()
    project = config_mod.load(config)
    if project.source is None:
        raise UsageError(
            "no llmprof.yaml here (nor [tool.llmprof] in pyproject.toml)", "create one, or pass --config FILE"
        )
    table = _load_table(pricing, talk, today, project)
    path = check_mod.baseline_path(project, baseline)
    if update_baseline:
        snap = check_mod.update_baseline(project, table, path, today)
        typer.echo(
            f"baseline written: {path} ({len(snap.items)} prompt × model items, pricing table {snap.pricing_version})"
        )
        return
    output = CheckOutput(check_mod.run(project, table, path, today, bench_results), fail_on_warn)
    emit(output, Format(fmt.value), sys.stdout)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        from llmprof.render.markdown import to_markdown

        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(to_markdown(output.view()) + "\n")
    if junit is not None:
        junit.write_text(junit_xml(output.report, fail_on_warn), encoding="utf-8")
    if not output.passed:
        raise BudgetExceeded(output.failure(), "see the report above; --update-baseline accepts the new costs.")


@app.command()
def compare(
    base: Annotated[Path, typer.Argument(help="The earlier bench result (--out JSON or .jsonl).")],
    new: Annotated[Path, typer.Argument(help="The later bench result.")],
    fail_on_regression: Annotated[
        float | None,
        typer.Option(min=0.0, metavar="PCT", help="Exit 1 for a significant p50 slowdown above PCT %."),
    ] = None,
    alpha: Annotated[float, typer.Option(min=0.0001, max=0.5, help="Significance level.")] = 0.05,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare two bench results cell by cell, with a significance test so noise does not fail a build."""
    from llmprof.bench import records
    from llmprof.compare import compare as compare_results
    from llmprof.render.compare import CompareOutput
    from llmprof.render.output import emit

    comparison = compare_results(records.load(base), records.load(new), alpha)
    if not comparison.cells:
        raise UsageError(f"{base} and {new} share no cells", "compare results of the same cells.")
    emit(CompareOutput(comparison, fail_on_regression), fmt, sys.stdout)
    if fail_on_regression is not None:
        regressions = comparison.regressions(fail_on_regression)
        if regressions:
            listed = "".join(
                f"\n  - {cell} {m.metric} p50 {m.change_pct:+.1f}% (p={m.p_value:.2g})" for cell, m in regressions
            )
            raise BudgetExceeded(
                f"latency regressed beyond {fail_on_regression:g}% in {len(regressions)} place(s):{listed}"
            )


# -- pricing ----------------------------------------------------------------------------------------


@pricing_app.command("list")
def pricing_list(
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Only this provider's models.")] = None,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List every model with its rates per 1M tokens."""
    from llmprof.pricing import models_on
    from llmprof.render.output import emit
    from llmprof.render.pricing import PricingList

    today = dates.today()
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

    today = dates.today()
    table = _load_table(pricing, Talk(), today)
    emit(PricingShow(table, table.resolve(model), as_of or today), fmt, sys.stdout)


@pricing_app.command("validate")
def pricing_validate(
    file: Annotated[Path | None, typer.Argument(help="A pricing file to check. [default: the bundled table]")] = None,
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
    preset: Annotated[
        str, typer.Option(help="Latency preset: gpt-3.5-turbo-2023 (the reference table), fast, instant.")
    ] = "gpt-3.5-turbo-2023",
    ttft_ms: Annotated[float | None, typer.Option(min=0.0, help="Base time to first token, ms.")] = None,
    itl_ms: Annotated[float | None, typer.Option(min=0.0, help="Time between output tokens, ms.")] = None,
    prefill_ms_per_1k: Annotated[
        float | None, typer.Option(min=0.0, help="TTFT added per 1K prompt tokens, ms.")
    ] = None,
    jitter: Annotated[float | None, typer.Option(min=0.0, help="Lognormal sigma of latency noise; 0 = exact.")] = None,
    error_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of requests answered 500.")] = 0.0,
    rate_limit_rpm: Annotated[
        int | None, typer.Option(min=1, help="Answer 429 + Retry-After beyond N requests/minute.")
    ] = None,
    stall_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of streams that stall mid-way.")] = 0.0,
    stall_s: Annotated[float, typer.Option(min=0.0, help="How long a stall lasts, seconds.")] = 5.0,
    drop_rate: Annotated[float, typer.Option(min=0.0, max=1.0, help="Fraction of streams cut mid-way.")] = 0.0,
    malformed_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Fraction of streams with a malformed event.")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed for jitter and faults.")] = 0,
) -> None:
    """Serve OpenAI, Anthropic and Gemini wire formats with a latency model and fault injection."""
    from llmprof.mock import MockSettings
    from llmprof.mock.server import serve

    settings = MockSettings(
        preset=preset,
        ttft_ms=ttft_ms,
        itl_ms=itl_ms,
        prefill_ms_per_1k=prefill_ms_per_1k,
        jitter=jitter,
        error_rate=error_rate,
        rate_limit_rpm=rate_limit_rpm,
        stall_rate=stall_rate,
        stall_s=stall_s,
        drop_rate=drop_rate,
        malformed_rate=malformed_rate,
        seed=seed,
    )
    serve(settings, host=host, port=port, announce=typer.echo)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="llmprof")


if __name__ == "__main__":
    main()
