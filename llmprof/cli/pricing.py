"""``llmprof pricing list / show / validate``: which rates a figure is based on, since when, and why."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from llmprof.cli import helptext
from llmprof.cli.app import pricing_app
from llmprof.cli.options import AsOfOpt, FormatOpt, PricingOpt, WideOpt, price_table
from llmprof.render.output import Format
from llmprof.talk import Talk


@pricing_app.command("list", cls=helptext.Command, epilog=helptext.PRICING_LIST)
def pricing_list(
    provider: Annotated[
        str | None, typer.Option("--provider", "-p", metavar="NAME", help="Only this provider's models.")
    ] = None,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """List every model with its rates per 1M tokens."""
    from llmprof import dates
    from llmprof.render.output import emit
    from llmprof.render.pricing import PricingList

    day = as_of or dates.today()
    table = price_table(pricing, Talk())
    emit(PricingList(table, table.on(day, provider), day), fmt, sys.stdout, wide=wide)


@pricing_app.command("show", cls=helptext.Command, epilog=helptext.PRICING_SHOW)
def pricing_show(
    model: Annotated[str, typer.Argument(metavar="MODEL", help="Model name or alias.")],
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    fmt: FormatOpt = Format.table,
    wide: WideOpt = False,
) -> None:
    """Show one model: current rates, tiers, batch and cache rates, and its price history."""
    from llmprof import dates
    from llmprof.render.output import emit
    from llmprof.render.pricing import PricingShow

    table = price_table(pricing, Talk())
    emit(PricingShow(table, table.resolve(model), as_of or dates.today()), fmt, sys.stdout, wide=wide)


@pricing_app.command("validate", cls=helptext.Command, epilog=helptext.PRICING_VALIDATE)
def pricing_validate(
    file: Annotated[
        Path | None,
        typer.Argument(metavar="FILE", help="A pricing file to check. [default: the bundled table]"),
    ] = None,
) -> None:
    """Check a pricing file: schema, types, dates, aliases. Errors name the file and line."""
    from llmprof.pricing import load_table

    table = load_table(overlay=file)
    typer.echo(f"ok: {len(table.models)} models, {table.describe()}")
