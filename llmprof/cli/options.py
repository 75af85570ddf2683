"""Options shared by several commands, and parsers that turn text into checked values.

Parsers raise ``typer.BadParameter``, which click reports with the option's name (exit 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llmprof.errors import LlmprofError, UsageError
from llmprof.render.output import Format
from llmprof.talk import Talk

if TYPE_CHECKING:
    from llmprof.config import Config
    from llmprof.pricing import PriceTable


def money(value: str) -> Decimal:
    try:
        amount = Decimal(value.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise typer.BadParameter(f"{value!r} is not an amount of USD, e.g. 5 or 0.50") from None
    if not amount.is_finite() or amount < 0:
        raise typer.BadParameter(f"{value!r} must be a non-negative amount of USD")
    return amount


def date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2024-06-01") from None


def moment(value: str) -> dt.datetime:
    """An instant: ``2026-11-21T17:30Z``, ``2026-11-21 17:30+08:00`` (no zone: UTC), or a date (noon UTC)."""
    from llmprof.dates import parse_moment

    try:
        return parse_moment(value)
    except LlmprofError as exc:
        raise typer.BadParameter(exc.message) from None


PricingOpt = Annotated[
    Path | None,
    typer.Option(
        "--pricing",
        envvar="LLMPROF_PRICING",
        metavar="FILE",
        help="Your own rates (YAML) laid over the bundled table.",
    ),
]
AsOfOpt = Annotated[
    dt.date | None,
    typer.Option(
        "--as-of",
        parser=date,
        metavar="DATE",
        help="Price at the rates in force on this date (YYYY-MM-DD). [default: today]",
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
WideOpt = Annotated[
    bool,
    typer.Option(
        "--wide",
        "-w",
        help="Tables: every column (and every row) at full width, even wider than the terminal.",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No notes or progress on stderr.")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="llmprof.yaml to use. [default: $LLMPROF_CONFIG, ./llmprof.yaml, or [tool.llmprof] in pyproject.toml]",
    ),
]


def price_table(pricing: Path | None, talk: Talk, project: Config | None = None) -> PriceTable:
    """The bundled table with --pricing (or the project config's ``pricing:``) laid over it, and
    the one staleness warning (its age limit from the config, else the default)."""
    from llmprof import config, dates
    from llmprof.pricing import load_table

    project = project or config.load()
    table = load_table(overlay=pricing or project.pricing)
    stale = table.staleness(dates.today(), project.budgets.max_pricing_age_days)
    if stale:
        talk.warn(stale, "upgrade llmprof for a fresh table, or lay your own rates over it with --pricing FILE.")
    return table


#: What a file name's extension says it holds, for output files that can only hold one thing.
_FORMAT_OF = {
    ".json": "JSON",
    ".jsonl": "JSON lines",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".csv": "CSV",
    ".html": "HTML",
    ".htm": "HTML",
    ".txt": "text",
    ".xml": "XML",
    ".yml": "YAML",
    ".yaml": "YAML",
}


def output_file(suffix: str, what: str, instead: str) -> Callable[[str], Path]:
    """A parser for an output file that holds one format: a name with that extension (or none) is
    taken; one whose extension says another format is refused, never written in the wrong one."""

    def parse(value: str) -> Path:
        path = Path(value)
        found = path.suffix.lower()
        if found in ("", suffix) or found not in _FORMAT_OF:
            return path
        raise typer.BadParameter(
            f"{value!r} names a {_FORMAT_OF[found]} file, but this writes {what} ({suffix}): "
            f"name it {path.with_suffix(suffix).name}; {instead}"
        )

    return parse


_FORMAT_FOR = {".json": Format.json, ".csv": Format.csv, ".md": Format.markdown, ".html": Format.html}


def format_for_file(path: Path, fmt: Format) -> Format:
    """``-o FILE``: the format its extension names, unless --format chose another one explicitly
    (a table, the default, is never what a .json, .csv, .md or .html file should hold)."""
    named = _FORMAT_FOR.get(path.suffix.lower())
    if named is None or fmt is named or fmt is Format.table:
        return named or fmt
    raise UsageError(
        f"{path.name}: its extension says {_FORMAT_OF[path.suffix.lower()]}, but --format is {fmt.value}",
        f"name it {path.with_suffix(next(k for k, v in _FORMAT_FOR.items() if v is fmt)).name}, or drop --format"
        if fmt in _FORMAT_FOR.values()
        else "drop --format: the extension decides",
    )


HtmlOpt = Annotated[
    Path | None,
    typer.Option(
        "--html",
        metavar="FILE.html",
        parser=output_file(".html", "HTML", "the figures as data are --format json > FILE"),
        help="Also write a self-contained HTML report (charts and every figure; opens offline) to FILE.",
    ),
]


def models_of(values: list[str] | None) -> list[str]:
    """``-m a -m b`` and ``-m a,b`` alike: every model named, in order, once."""
    names = [name.strip() for value in values or [] for name in value.split(",")]
    return list(dict.fromkeys(name for name in names if name))


def choice(*allowed: str) -> Callable[[str], str]:
    """A parser that accepts one of ``allowed`` and names them all otherwise."""

    def parse(value: str) -> str:
        if value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of: {', '.join(allowed)}")
        return value

    return parse
