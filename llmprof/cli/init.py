"""``llmprof init``: a commented llmprof.yaml, a first baseline and the CI workflow, in one command."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from llmprof.cli import helptext
from llmprof.cli.app import app
from llmprof.cli.options import PricingOpt, QuietOpt, models_of, price_table
from llmprof.talk import Talk


@app.command(cls=helptext.Command, epilog=helptext.INIT)
def init(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PROMPTS]...",
            help="Prompt files, folders or globs (quote them). [default: the files in folders named prompts/]",
            show_default=False,
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            metavar="MODEL",
            help="A model your app calls; repeat, or separate with commas. [default: the table's first default]",
            show_default=False,
        ),
    ] = None,
    output_tokens: Annotated[
        int, typer.Option(min=0, metavar="N", help="Expected visible completion tokens per request.")
    ] = 200,
    reasoning_tokens: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="N",
            help="Hidden reasoning tokens per request. [default: 0, written with a comment, for models "
            "that reason by default]",
            show_default=False,
        ),
    ] = None,
    requests_per_day: Annotated[
        int | None, typer.Option(min=1, metavar="N", help="Requests per day, per prompt (totals per day).")
    ] = None,
    max_cost_increase_pct: Annotated[
        float, typer.Option(min=0.0, metavar="PCT", help="The budget: allowed cost increase over the baseline.")
    ] = 5.0,
    config: Annotated[Path, typer.Option("--config", metavar="FILE", help="Where to write the config.")] = Path(
        "llmprof.yaml"
    ),
    workflow: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write the GitHub Actions workflow here (e.g. .github/workflows/llmprof.yml) instead of printing it.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing config (and its baseline, and --workflow FILE).")
    ] = False,
    pricing: PricingOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Start gating a repository: write a commented llmprof.yaml for its prompts, the first baseline,
    and the workflow that runs `llmprof check` on pull requests. Never asks, never overwrites."""
    from llmprof import dates
    from llmprof.errors import UsageError
    from llmprof.files import check_writable, write_atomic
    from llmprof.init import SET_NAME, apply, plan
    from llmprof.init import workflow as render

    talk = Talk(quiet)
    if workflow is not None:
        if workflow.suffix.lower() not in (".yml", ".yaml"):
            raise UsageError(f"--workflow {workflow}: a workflow is a .yml file", f"e.g. --workflow {WORKFLOW}")
        if workflow.exists() and not force:
            raise UsageError(f"{workflow} already exists", "pass --force to replace it, or leave --workflow out.")
        check_writable(workflow, "the workflow")
    table = price_table(pricing, talk)
    chosen = plan(
        config,
        table,
        list(paths or []),
        models_of(model),
        output_tokens,
        reasoning_tokens,
        requests_per_day,
        Decimal(str(max_cost_increase_pct)).normalize(),
        pricing,
        force,
    )
    for skipped in chosen.skipped:
        talk.note(f"skipped {skipped}")
    snap = apply(chosen, table, dates.today())
    talk.say(
        f"wrote {config}: prompt set {SET_NAME!r} with {len(chosen.prompts)} "
        f"prompt{'s' if len(chosen.prompts) != 1 else ''} on {', '.join(chosen.models)}; "
        f"budget max_cost_increase_pct {Decimal(str(max_cost_increase_pct)).normalize()}"
    )
    talk.say(
        f"wrote {chosen.baseline_path}: {len(snap.items)} prompt × model items, pricing table {snap.pricing_version}"
    )
    text = render(chosen)
    if workflow is not None:
        write_atomic(workflow, text, "the workflow")
        talk.say(f"wrote {workflow}: it runs `llmprof check` on pull requests that touch the prompts")
        talk.say("next: commit all three files.")
        return
    sys.stdout.write(text)
    talk.say(f"next: commit both files, and save the workflow above as {WORKFLOW} (or pass --workflow FILE).")


WORKFLOW = ".github/workflows/llmprof.yml"
