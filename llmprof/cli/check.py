"""``llmprof check``: the CI gate, cost (and latency) against a committed baseline and budgets."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from llmprof.cli.app import app
from llmprof.cli.options import ConfigOpt, HtmlOpt, PricingOpt, price_table
from llmprof.errors import BudgetExceeded, UsageError
from llmprof.render.output import CheckFormat
from llmprof.talk import Talk


@app.command()
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
    junit: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Also write JUnit XML here: one test case per budget.")
    ] = None,
    fail_on_warn: Annotated[bool, typer.Option("--fail-on-warn", help="Warnings fail the check too.")] = False,
    html: HtmlOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """The CI gate: cost (and latency) against a committed baseline and budgets. Exit 1 on a breach."""
    from llmprof import config as config_mod
    from llmprof import dates
    from llmprof.check import baseline_path, check_project
    from llmprof.check import update_baseline as write_baseline
    from llmprof.files import check_writable
    from llmprof.render import html as html_report
    from llmprof.render.check import HINT, CheckOutput, side_outputs
    from llmprof.render.output import emit

    talk = Talk()
    project = config_mod.load(config)
    if project.source is None:
        raise UsageError(
            "no llmprof.yaml here (nor [tool.llmprof] in pyproject.toml)", "create one, or pass --config FILE"
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
    emit(output, fmt.as_format, sys.stdout)
    side_outputs(output, junit, talk)
    if html is not None:
        html_report.write(output, html)
    if not output.passed:
        raise BudgetExceeded(output.failure(), HINT)
