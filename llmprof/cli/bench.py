"""``llmprof bench``, ``report`` and ``compare``: measure latency, show it again, compare two runs."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llmprof.bench import defaults
from llmprof.cli import helptext
from llmprof.cli.app import app
from llmprof.cli.options import (
    ConfigOpt,
    FormatOpt,
    HtmlOpt,
    PricingOpt,
    QuietOpt,
    WideOpt,
    format_for_file,
    money,
    output_file,
    price_table,
)
from llmprof.errors import BudgetExceeded, UsageError
from llmprof.render.output import Format

if TYPE_CHECKING:
    from llmprof.bench.records import BenchResult
    from llmprof.bench.summary import Summary
    from llmprof.render.output import Renderable
from llmprof.talk import Talk


def _provider(value: str) -> str:
    from llmprof.apis import APIS

    if value not in APIS:
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(APIS)}")
    return value


def _order(value: str) -> str:
    from llmprof.bench.plan import ORDERS

    if value not in ORDERS:
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(ORDERS)}")
    return value


def _arrival(value: str) -> str:
    from llmprof.bench.settings import ARRIVALS

    if value not in ARRIVALS:
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(ARRIVALS)}")
    return value


@app.command(cls=helptext.Command, epilog=helptext.BENCH)
def bench(
    suite: Annotated[
        Path | None, typer.Argument(metavar="SUITE.yaml", help="A suite file with these settings; flags override it.")
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            "-e",
            envvar="LLMPROF_ENDPOINT",
            metavar="URL|NAME",
            help="Base URL, or a name from llmprof.yaml. [default: the built-in mock]",
        ),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            parser=_provider,
            metavar="NAME",
            help="Wire format: openai (also vLLM, Ollama, llama.cpp...), anthropic or gemini. [default: openai]",
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", metavar="MODEL", help="Model name sent to the endpoint.")
    ] = None,
    runs: Annotated[
        int | None, typer.Option(min=1, metavar="N", help=f"Requests per cell. [default: {defaults.RUNS}]")
    ] = None,
    cells: Annotated[
        str | None,
        typer.Option(metavar="INxOUT,...", help=f"Token lengths, e.g. {','.join(defaults.CELLS)} (the default)."),
    ] = None,
    input_tokens: Annotated[
        str | None, typer.Option(metavar="N,...", help="Input lengths, crossed with --output-tokens.")
    ] = None,
    output_tokens: Annotated[
        str | None, typer.Option(metavar="N,...", help="Output lengths, crossed with --input-tokens.")
    ] = None,
    warmup: Annotated[
        int | None,
        typer.Option(
            min=0, metavar="N", help="Requests sent first and left out. [default: one per concurrent connection]"
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="C",
            help=f"Requests in flight at once. [default: {defaults.CONCURRENCY}; no cap with --rate]",
        ),
    ] = None,
    ramp_up: Annotated[
        float | None,
        typer.Option(min=0.0, metavar="S", help="Closed loop: start the workers evenly over S seconds."),
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(min=0.0, metavar="R", help="Open loop: requests per second (latency from the scheduled send)."),
    ] = None,
    arrival: Annotated[
        str | None,
        typer.Option(
            parser=_arrival,
            metavar="KIND",
            help=f"Open-loop arrivals: poisson or constant. [default: {defaults.ARRIVAL}]",
        ),
    ] = None,
    stream: Annotated[
        bool | None,
        typer.Option("--stream/--no-stream", help="Stream responses (needed for TTFT). [default: stream]"),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.001, metavar="S", help=f"Seconds allowed per request attempt. [default: {defaults.TIMEOUT_S:g}]"
        ),
    ] = None,
    max_retries: Annotated[
        int | None,
        typer.Option(min=0, metavar="N", help=f"Retries for 429/5xx/connect errors. [default: {defaults.MAX_RETRIES}]"),
    ] = None,
    max_cost: Annotated[
        Decimal | None,
        typer.Option(
            "--max-cost",
            parser=money,
            metavar="USD",
            help=f"Refuse a paid run whose worst case exceeds this. [default: {defaults.MAX_COST}]",
        ),
    ] = None,
    max_error_rate: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            metavar="SHARE",
            help=f"Exit 1 if more than this share of requests fail. [default: {defaults.MAX_ERROR_RATE:g}]",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Run even above --max-cost or with an unpriced model.")
    ] = False,
    percentiles: Annotated[
        str | None,
        typer.Option(
            metavar="Q,...", help=f"Percentile columns. [default: {','.join(f'{q:g}' for q in defaults.PERCENTILES)}]"
        ),
    ] = None,
    price_as: Annotated[
        str | None,
        typer.Option(metavar="MODEL", help="Price usage as this model (e.g. for the mock or a local server)."),
    ] = None,
    api_key_env: Annotated[
        str | None,
        typer.Option(
            metavar="VAR",
            help="Environment variable holding the key. "
            "[default: OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY, by --provider]",
        ),
    ] = None,
    force_length: Annotated[
        bool | None,
        typer.Option(
            "--force-length/--no-force-length",
            help="Send ignore_eos/min_tokens. [default: for self-hosted OpenAI-compatible servers]",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(metavar="N", help="Seed for prompts, order and arrivals. [default: drawn, and recorded]"),
    ] = None,
    order: Annotated[
        str | None,
        typer.Option(
            parser=_order,
            metavar="DESIGN",
            help="interleaved: cells in randomised blocks, so drift is not blamed on length; or sequential. "
            f"[default: {defaults.ORDER}]",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="N",
            help="Load-generating processes, records merged (0: auto, one per 32 requests in flight up to the "
            "cores). [default: 0]",
        ),
    ] = None,
    cache_prefix: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="N",
            help="Every prompt starts with the same N tokens (measures prompt caching). [default: 0]",
        ),
    ] = None,
    slo: Annotated[
        str | None,
        typer.Option(
            metavar="OBJECTIVES",
            help="Per-cell objectives, e.g. 'ttft_p90<0.5,e2e_p50<2' (seconds, or 500ms); exit 1 on a breach; "
            "adds goodput.",
        ),
    ] = None,
    sweep: Annotated[
        bool,
        typer.Option(
            "--sweep",
            help="Find the highest request rate that meets --slo (open-loop steps, doubling then bisecting).",
        ),
    ] = False,
    mock_preset: Annotated[str | None, typer.Option(metavar="NAME", help="Built-in mock: latency preset.")] = None,
    mock_ttft_ms: Annotated[float | None, typer.Option(min=0.0, metavar="MS", help="Built-in mock: base TTFT.")] = None,
    mock_itl_ms: Annotated[
        float | None, typer.Option(min=0.0, metavar="MS", help="Built-in mock: inter-token latency.")
    ] = None,
    mock_jitter: Annotated[
        float | None, typer.Option(min=0.0, metavar="SIGMA", help="Built-in mock: latency noise (lognormal sigma).")
    ] = None,
    mock_reasoning_tokens: Annotated[
        int | None,
        typer.Option(min=0, metavar="N", help="Built-in mock: N reasoning tokens before each answer."),
    ] = None,
    mock_max_concurrency: Annotated[
        int | None,
        typer.Option(min=1, metavar="K", help="Built-in mock: K generations at once, the rest queued (a capacity)."),
    ] = None,
    mock_prompt_cache: Annotated[
        bool | None,
        typer.Option("--mock-prompt-cache/--no-mock-prompt-cache", help="Built-in mock: cache shared prompt prefixes."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            parser=output_file(".json", "the result as JSON", "for a table in another format, --format FORMAT > FILE"),
            metavar="FILE.json",
            help="Write the result (JSON, read by report, compare and check) here; records also go to FILE.jsonl.",
        ),
    ] = None,
    runs_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="LLMPROF_RUNS_DIR",
            metavar="DIR",
            help=f"Where each run's request log goes. [default: ./{defaults.RUNS_DIR}]",
        ),
    ] = None,
    no_log: Annotated[bool, typer.Option("--no-log", help="Keep no request log (a throwaway run).")] = False,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
    html: HtmlOpt = None,
    pricing: PricingOpt = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Measure latency percentiles by input and output length (the built-in mock by default)."""
    from llmprof import config as config_mod
    from llmprof.bench.plan import parse_cells
    from llmprof.bench.session import run_bench
    from llmprof.bench.settings import BenchOptions, cells_from_lengths, parse_percentiles, resolve_settings
    from llmprof.bench.slo import parse_slo
    from llmprof.files import check_writable
    from llmprof.render import html as html_report
    from llmprof.render.output import emit
    from llmprof.render.progress import bars

    talk = Talk(quiet)
    if model and "," in model:
        raise UsageError(f"--model {model}: bench measures one model a run", "run bench once per model.")
    project = config_mod.load(config)
    mock = {
        "preset": mock_preset,
        "ttft_ms": mock_ttft_ms,
        "itl_ms": mock_itl_ms,
        "jitter": mock_jitter,
        "reasoning_tokens": mock_reasoning_tokens,
        "max_concurrency": mock_max_concurrency,
        "prompt_cache": mock_prompt_cache,
    }
    flags = BenchOptions(
        endpoint=endpoint,
        provider=provider,
        model=model,
        api_key_env=api_key_env,
        cells=tuple(parse_cells(cells))
        if cells
        else cells_from_lengths(input_tokens, output_tokens)
        if input_tokens or output_tokens
        else None,
        runs=runs,
        warmup=warmup,
        concurrency=concurrency,
        ramp_up_s=ramp_up,
        rate=rate,
        arrival=arrival,
        stream=stream,
        timeout_s=timeout,
        max_retries=max_retries,
        max_cost=max_cost,
        max_error_rate=max_error_rate,
        yes=yes or None,
        percentiles=parse_percentiles(percentiles) if percentiles else None,
        price_as=price_as,
        force_length=force_length,
        seed=seed,
        order=order,
        workers=workers,
        cache_prefix=cache_prefix,
        slo=parse_slo(slo) if slo else None,
        sweep=sweep or None,
        mock={k: v for k, v in mock.items() if v is not None},
    )
    settings = resolve_settings(flags, suite, project)
    if html is not None:
        check_writable(html, "the HTML report")
    table = price_table(pricing, talk, project)
    log_dir = None if no_log else (runs_dir or Path(defaults.RUNS_DIR))
    outcome = run_bench(settings, table, talk, out=out, log_dir=log_dir, progress=bars(talk))
    output = _output(outcome.result, outcome.summary)
    emit(output, fmt, sys.stdout, wide=wide)
    if html is not None:
        html_report.write(output, html, [*outcome.failures, *outcome.warnings])
    for warning in outcome.warnings:
        talk.warn(warning)
    where = [f"every request record is in {outcome.log_path}"] if outcome.log_path else []
    where += [f"result in {out}"] if out else []
    where += [f"HTML report in {html}"] if html else []
    if where:
        talk.note("; ".join(where))
    if outcome.stop is not None:
        raise outcome.stop
    if outcome.failures:
        listed = "".join(f"\n  - {reason}" for reason in outcome.failures)
        raise BudgetExceeded(
            f"the bench failed ({len(outcome.failures)} reason{'s' if len(outcome.failures) != 1 else ''}):{listed}",
            "see the errors column and the notes under the table.",
        )


def _output(result: BenchResult, summary: Summary) -> Renderable:
    """A sweep's step table, or the latency table."""
    from llmprof.bench.sweep import steps_of
    from llmprof.render.bench import BenchOutput
    from llmprof.render.sweep import SweepOutput

    if result.info.steps:
        return SweepOutput(result, summary, steps_of(result, summary.percentiles))
    return BenchOutput(result, summary)


@app.command(cls=helptext.Command, epilog=helptext.REPORT)
def report(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A bench result: the --out JSON, or a run's .jsonl log.")
    ],
    percentiles: Annotated[
        str | None, typer.Option(metavar="Q,...", help="Percentile columns. [default: as recorded]")
    ] = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Write the output to FILE (atomically) instead of stdout; .json/.csv/.md/.html choose the format.",
        ),
    ] = None,
    html: HtmlOpt = None,
) -> None:
    """Re-render a saved bench result in any format (also a crashed or interrupted run's .jsonl)."""
    from llmprof.bench.resultfile import load
    from llmprof.bench.settings import parse_percentiles
    from llmprof.bench.summary import summarize_result
    from llmprof.files import check_writable
    from llmprof.render import html as html_report
    from llmprof.render.output import emit, write_output

    for path, what in ((out, "the output"), (html, "the HTML report")):
        if path is not None:
            check_writable(path, what)
    result = load(file)
    recorded = result.info.settings.get("percentiles")
    if percentiles:
        qs = parse_percentiles(percentiles)
    elif isinstance(recorded, list) and recorded:
        qs = parse_percentiles(",".join(str(q) for q in recorded))
    else:
        qs = defaults.PERCENTILES
    output = _output(result, summarize_result(result, qs))
    if out is not None:
        write_output(output, format_for_file(out, fmt), out)
    else:
        emit(output, fmt, sys.stdout, wide=wide)
    if html is not None:
        html_report.write(output, html)
        Talk().note(f"HTML report in {html}")
    if result.info.interrupted:
        Talk().warn(f"{file} is from an interrupted run ({result.info.stop_reason}): its cells are incomplete")


@app.command(cls=helptext.Command, epilog=helptext.COMPARE)
def compare(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="The earlier bench result (--out JSON or .jsonl).")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The later bench result.")],
    fail_on_regression: Annotated[
        float | None,
        typer.Option(min=0.0, metavar="PCT", help="Exit 1 for a significant p50 slowdown above PCT %."),
    ] = None,
    alpha: Annotated[float, typer.Option(min=0.0001, max=0.5, metavar="P", help="Significance level.")] = 0.05,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
    html: HtmlOpt = None,
) -> None:
    """Compare two bench results cell by cell, with a significance test so noise does not fail a build.
    A cell without successful requests, or an interrupted run, fails the comparison (exit 1)."""
    from llmprof.bench.resultfile import load
    from llmprof.compare import compare as compare_results
    from llmprof.files import check_writable
    from llmprof.render import html as html_report
    from llmprof.render.compare import CompareOutput
    from llmprof.render.output import emit

    if html is not None:
        check_writable(html, "the HTML report")
    output = CompareOutput(compare_results(load(base), load(new), alpha), fail_on_regression)
    emit(output, fmt, sys.stdout, wide=wide)
    if html is not None:
        html_report.write(output, html)
        Talk().note(f"HTML report in {html}")
    if not output.passed:
        raise BudgetExceeded(output.failure())
