"""Fit a view to a width without ever splitting a value: which columns to show, how wide, and
where a header wraps (only at spaces).

A cell is never wrapped, folded or cut: a dollar amount or a model name is either shown whole on
its line or its column is hidden (and the console says which, and that ``--wide`` shows it). The
steps, each tried only when the one before does not fit:

1. every column at its natural width (header on one line);
2. headers wrapped at spaces, each column as wide as its longest value or header word;
3. the shorter forms the columns offer (``Column.short`` and ``Column.compact``);
4. columns hidden, lowest priority (highest number) first, rightmost first among equals; then
   any hidden column that fits again is brought back, most important first;
5. when even the headline columns (priority 0) do not fit: a stacked layout, one block per row,
   every value whole on its line.

Spare width then unwraps headers, the cheapest first. Everything here is linear in the cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len

from llmprof.render.view import Column, View


def width_of(text: str) -> int:
    """Terminal cells a string takes (a wide CJK character or an emoji takes two)."""
    return len(text) if text.isascii() else cell_len(text)


def chrome(columns: int) -> int:
    """Cells the box takes around ``columns`` columns: a border each side of each, and padding."""
    return 3 * columns + 1


def wrap_words(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells, broken only at spaces; a word longer than that is kept
    whole on a line of its own. Leading spaces are kept, and a line starting "- " hangs under its text."""
    stripped = text.lstrip(" ")
    indent = text[: len(text) - len(stripped)]
    hang = indent + ("  " if stripped.startswith("- ") else "")
    words = stripped.split(" ")
    lines: list[str] = []
    line = indent
    filled = False  # the line holds a word already
    for word in words:
        if not word:
            continue
        if not filled:
            line += word
            filled = True
        elif width_of(line) + 1 + width_of(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = hang + word
    lines.append(line if filled else text)
    return lines


@dataclass
class Layout:
    """How to draw a view at one width."""

    #: indexes of the columns shown, in order
    shown: list[int]
    #: content width of each shown column (padding and borders excluded)
    widths: list[int]
    #: the header of each shown column, as lines (wrapped at spaces)
    headers: list[list[str]]
    #: the shorter forms of headers and values are in use
    compact: bool = False
    #: indexes of the columns left out to fit
    hidden: list[int] = field(default_factory=list)
    #: one block per row instead of a table
    stacked: bool = False

    @property
    def width(self) -> int:
        return sum(self.widths) + chrome(len(self.widths))


@dataclass
class _Measure:
    natural: int  # header on one line
    minimal: int  # header wrapped at its spaces
    header: str


def _measure(column: Column, cells: int, compact: bool) -> _Measure:
    header = column.short if compact and column.short else column.header
    longest_word = max((width_of(w) for w in header.split(" ")), default=0)
    return _Measure(max(width_of(header), cells), max(longest_word, cells), header)


def _cell_widths(view: View, compact: bool) -> list[int]:
    """The widest value of each column (its compact form when ``compact``)."""
    widest = [0] * len(view.columns)
    for index, column in enumerate(view.columns):
        forms = column.compact if compact else None
        best = 0
        for row in view.rows:
            value = row[index]
            if forms:
                value = forms.get(value, value)
            size = len(value) if value.isascii() else cell_len(value)
            if size > best:
                best = size
        widest[index] = best
    return widest


def _header_lines(header: str, width: int) -> list[str]:
    return wrap_words(header, width) if width_of(header) > width else [header]


def _layout(
    measures: Sequence[_Measure],
    shown: list[int],
    width: int | None,
    compact: bool = False,
    hidden: list[int] | None = None,
) -> Layout:
    """Columns at their minimal widths, then spare width spent on unwrapping headers."""
    widths = {i: measures[i].minimal for i in shown}
    if width is None:
        widths = {i: measures[i].natural for i in shown}
    else:
        spare = width - sum(widths.values()) - chrome(len(shown))
        wrapped = sorted((measures[i].natural - measures[i].minimal, i) for i in shown)
        for extra, i in wrapped:
            if 0 < extra <= spare:
                widths[i] += extra
                spare -= extra
    return Layout(
        shown=shown,
        widths=[widths[i] for i in shown],
        headers=[_header_lines(measures[i].header, widths[i]) for i in shown],
        compact=compact,
        hidden=hidden or [],
    )


def fit(view: View, width: int | None) -> Layout:
    """The layout of ``view`` within ``width`` cells (None: no limit, every column at its natural width)."""
    every = list(range(len(view.columns)))
    cells = _cell_widths(view, compact=False)
    measures = [_measure(c, cells[i], compact=False) for i, c in enumerate(view.columns)]
    if width is None or sum(m.natural for m in measures) + chrome(len(every)) <= width:
        return _layout(measures, every, None)
    if sum(m.minimal for m in measures) + chrome(len(every)) <= width:
        return _layout(measures, every, width)
    compact = any(c.short or c.compact for c in view.columns)
    if compact:
        cells = _cell_widths(view, compact=True)
        measures = [_measure(c, cells[i], compact=True) for i, c in enumerate(view.columns)]
        if sum(m.minimal for m in measures) + chrome(len(every)) <= width:
            return _layout(measures, every, width, compact=True)

    def fits(shown: list[int]) -> bool:
        return sum(measures[i].minimal for i in shown) + chrome(len(shown)) <= width

    droppable = sorted(
        (i for i in every if view.columns[i].priority > 0), key=lambda i: (-view.columns[i].priority, -i)
    )
    shown = list(every)
    dropped: list[int] = []
    for index in droppable:
        if fits(shown):
            break
        shown.remove(index)
        dropped.append(index)
    if not fits(shown):
        return Layout(shown=every, widths=[], headers=[], stacked=True)
    for index in reversed(dropped):  # the most important of the hidden first
        candidate = sorted([*shown, index])
        if fits(candidate):
            shown = candidate
    hidden = [i for i in every if i not in shown]
    return _layout(measures, shown, width, compact=compact, hidden=hidden)
