"""Rich tables on stdout; colour only when stdout is a terminal and NO_COLOR is unset."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from llmprof.render.view import View


def render(view: View, out: TextIO) -> None:
    # A pipe or file gets the table unwrapped; a terminal gets it fitted to its width.
    width = None if out.isatty() else 400
    console = Console(file=out, highlight=False, soft_wrap=True, width=width)
    _print(console, view)


def _print(console: Console, view: View) -> None:
    # Everything shown is Text, never markup: a model named "[/red]x" or a file "prompt[v2].txt"
    # is printed as it is.
    if not view.rows:
        console.print(view.title, style="bold", markup=False, emoji=False)
        console.print(view.empty, markup=False, emoji=False)
        _rest(console, view)
        return
    table = Table(title=Text(view.title), title_justify="left", title_style="bold", header_style="bold")
    for column in view.columns:
        table.add_column(Text(column.header), justify=column.align, overflow="fold")
    for index, row in enumerate(view.rows):
        if index in view.sections and index:
            table.add_section()
        table.add_row(*(Text(cell) for cell in row), style="bold" if index in view.bold else None)
    console.print(table)
    _rest(console, view)


def _rest(console: Console, view: View) -> None:
    for line in view.footer:
        console.print(line, markup=False, emoji=False)
    for extra in view.extra:
        console.print()
        _print(console, extra)
