"""``llmprof check``: the CI gate, cost (and latency) against a committed baseline and budgets."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from llmprof.cli import helptext
from llmprof.cli.app import app
from llmprof.cli.options import ConfigOpt, HtmlOpt, PricingOpt, WideOpt, output_file, price_table
from llmprof.errors import BudgetExceeded, LlmprofError, UsageError
from llmprof.render.output import CheckFormat
from llmprof.talk import Talk


@app.command(cls=helptext.Command, epilog=helptext.CHECK)
def check(
    config: ConfigOpt = None,
    baseline: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Baseline file. [default: llmprof-baseline.json]")
    ] = None,
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Write today's figures as the baseline.")
    ] = False,
    bench_results: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="A saved bench result (bench --out) to gate against budgets.latency."),
    ] = None,
    no_latency: Annotated[
        bool, typer.Option("--no-latency", help="Check cost only; latency budgets are reported as skipped.")
    ] = False,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")] = CheckFormat.table,
    wide: WideOpt = False,
    junit: Annotated[
        Path | None,
        typer.Option(
            parser=output_file(".xml", "JUnit XML", "for the report as JSON, --format json > FILE"),
            metavar="FILE.xml",
            help="Also write JUnit XML here: one test case per budget.",
        ),
    ] = None,
    fail_on_warn: Annotated[
        bool,
        typer.Option("--fail-on-warn", help="Warnings fail the check too (except the codes in ignore_warnings)."),
    ] = False,
    annotations: Annotated[
        bool | None,
        typer.Option(
            "--annotations/--no-annotations",
            help="Print failures and warnings as GitHub annotations (::error file=...,line=...::) on stderr. "
            "[default: when GITHUB_ACTIONS=true]",
            show_default=False,
        ),
    ] = None,
    html: HtmlOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """The CI gate: cost (and latency) against a committed baseline and budgets. Exit 1 on a breach."""
    annotate = annotations if annotations is not None else os.environ.get("GITHUB_ACTIONS") == "true"
    try:
        _check(
            config=config,
            baseline=baseline,
            update_baseline=update_baseline,
            bench_results=bench_results,
            no_latency=no_latency,
            fmt=fmt,
            wide=wide,
            junit=junit,
            html=html,
            fail_on_warn=fail_on_warn,
            annotate=annotate,
            pricing=pricing,
        )
    except BudgetExceeded:
        raise
    except LlmprofError as exc:  # it could not run: say so where CI shows results, then exit 2
        from llmprof.render.annotations import error_annotation
        from llmprof.render.check import error_summary

        if annotate:
            sys.stderr.write(error_annotation(exc.message, _workspace()).command() + "\n")
        error_summary(exc, Talk())
        raise


def _workspace() -> Path:
    return Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())


def _check(
    *,
    config: Path | None,
    baseline: Path | None,
    update_baseline: bool,
    bench_results: Path | None,
    no_latency: bool,
    fmt: CheckFormat,
    wide: bool,
    junit: Path | None,
    html: Path | None,
    fail_on_warn: bool,
    annotate: bool,
    pricing: Path | None,
) -> None:
    from llmprof import config as config_mod
    from llmprof import dates
    from llmprof.check import baseline_path, check_project
    from llmprof.check import update_baseline as write_baseline
    from llmprof.files import check_writable
    from llmprof.render import html as html_report
    from llmprof.render.check import CheckOutput, side_outputs
    from llmprof.render.output import emit

    talk = Talk()
    project = config_mod.load(config)
    if project.source is None:
        raise UsageError(
            "no llmprof.yaml here (nor [tool.llmprof] in pyproject.toml)",
            "run `llmprof init` to create one, or pass --config FILE",
        )
    if junit is not None:
        check_writable(junit, "the JUnit report")
    if html is not None:
        check_writable(html, "the HTML report")
    table = price_table(pricing, talk, project)
    path = baseline_path(project, baseline)
    today = dates.today()
    if update_baseline:
        snap = write_baseline(project, table, path, today)
        talk.say(
            f"baseline written: {path} ({len(snap.items)} prompt × model items, pricing table {snap.pricing_version})"
        )
        return
    output = CheckOutput(check_project(project, table, path, today, bench_results, no_latency), fail_on_warn)
    emit(output, fmt.as_format, sys.stdout, wide=wide)
    if annotate:
        from llmprof.render.annotations import check_annotations

        sys.stderr.writelines(a.command() + "\n" for a in check_annotations(output, project, _workspace()))
    side_outputs(output, junit, talk)
    if html is not None:
        html_report.write(output, html)
    if not output.passed:
        raise BudgetExceeded(output.failure(), output.hint())
