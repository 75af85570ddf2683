"""Tables for people on stdout, drawn line by line (linear in the cells, whatever their number).

On a terminal a table fits the terminal's width (:func:`llmprof.render.fit.fit`): no value is
ever split; columns that do not fit are hidden and named under the table, with ``--wide`` to see
them; when even the headline columns do not fit, each row becomes a block of ``header: value``
lines. Notes under a table wrap at spaces only. A pipe or a file gets every column at its natural
width and lines unwrapped. Colour (FAIL and REGRESSION red, WARN yellow) only on a terminal, and
not under ``NO_COLOR``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from rich.console import Console
from rich.text import Text

from llmprof.render.fit import Layout, fit, width_of, wrap_words
from llmprof.render.view import Tone, View

#: The box: corners and joins of the top, header rule, section rule and bottom; then the verticals.
_HEAVY_HEAD = {"top": "┏━┳┓", "head": "┡━╇┩", "section": "├─┼┤", "bottom": "└─┴┘", "head_bar": "┃", "bar": "│"}
_ASCII = {"top": "+-++", "head": "+=++", "section": "+-++", "bottom": "+-++", "head_bar": "|", "bar": "|"}
_TONES: dict[Tone, str] = {"bad": "bold red", "warn": "bold yellow", "good": "green"}
_CHUNK = 2000  # lines written at a time


def render(view: View, out: TextIO, *, wide: bool = False, width: int | None = None, color: bool | None = None) -> None:
    """Write ``view`` to ``out``. ``wide``: every column at its natural width, even on a terminal.
    ``width`` and ``color`` stand in for the terminal's (tests: as if on an N-column terminal)."""
    console = Console(
        file=out, highlight=False, soft_wrap=True, force_terminal=color, no_color=True if color is False else None
    )
    terminal = width is not None or console.is_terminal
    if width is None and terminal:
        width = console.width
    printer = _Printer(console, table_width=None if wide or not terminal else width, text_width=width)
    batch: list[str] = []
    for line in printer.view(view):
        batch.append(line)
        if len(batch) >= _CHUNK:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")


class _Printer:
    def __init__(self, console: Console, table_width: int | None, text_width: int | None) -> None:
        self.table_width = table_width  # None: natural widths
        self.text_width = text_width  # None: prose unwrapped
        self.box = _HEAVY_HEAD if console.encoding.lower().startswith("utf") else _ASCII
        self._console = console
        self._styles: dict[str, tuple[str, str]] = {}

    # -- styles ------------------------------------------------------------------------------
    def paint(self, text: str, style: str | None) -> str:
        """``text`` wrapped in the ANSI codes of ``style``, or as it is when colour is off."""
        if not style or not text:
            return text
        codes = self._styles.get(style)
        if codes is None:
            with self._console.capture() as capture:
                self._console.print(Text("\ue000", style=style), end="")
            before, _, after = capture.get().partition("\ue000")
            codes = self._styles[style] = (before, after)
        return codes[0] + text + codes[1]

    # -- a view ------------------------------------------------------------------------------
    def view(self, view: View) -> Iterator[str]:
        title_style = "bold" if view.title_tone is None else _TONES[view.title_tone]
        yield from (self.paint(line, title_style) for line in self.prose(view.title))
        if not view.rows:
            yield from self.prose(view.empty)
            yield from self.notes(view.footer)
        else:
            layout = fit(view, self.table_width)
            if layout.stacked:
                yield from self.stacked(view)
                yield from self.prose(
                    f"Shown as one block per row to fit {self.table_width} columns; --wide shows the table."
                )
            else:
                yield from self.table(view, layout)
                if layout.hidden:
                    names = ", ".join(view.columns[i].header or "(unnamed)" for i in layout.hidden)
                    yield from self.prose(
                        f"Not shown, to fit {self.table_width} columns: {names} (--wide shows every column)."
                    )
            yield from self.notes(view.footer)
        for extra in view.extra:
            yield ""
            yield from self.view(extra)

    def prose(self, text: str) -> list[str]:
        if self.text_width is None:
            return [text]
        return [wrapped for line in text.split("\n") for wrapped in wrap_words(line, self.text_width)]

    def notes(self, lines: list[str]) -> Iterator[str]:
        for line in lines:
            yield from self.prose(line)

    # -- a table -----------------------------------------------------------------------------
    def table(self, view: View, layout: Layout) -> Iterator[str]:
        box, widths = self.box, layout.widths
        columns = [view.columns[i] for i in layout.shown]
        right = [c.align == "right" for c in columns]

        def rule(kind: str) -> str:
            parts = box[kind]  # left corner, fill, join, right corner
            return parts[0] + parts[2].join(parts[1] * (w + 2) for w in widths) + parts[3]

        yield rule("top")
        height = max(len(h) for h in layout.headers)
        for line in range(height):
            cells = []
            for header, w, r in zip(layout.headers, widths, right, strict=True):
                offset = height - len(header)  # headers sit on the rule below them
                text = header[line - offset] if line >= offset else ""
                cells.append(" " + self.paint(_pad(text, w, r), "bold") + " ")
            yield box["head_bar"] + box["head_bar"].join(cells) + box["head_bar"]
        yield rule("head")
        bar = box["bar"]
        section = rule("section")
        shown = layout.shown
        forms = [c.compact if layout.compact and c.compact else None for c in columns]
        tones = view.tones
        for index, row in enumerate(view.rows):
            if index and index in view.sections:
                yield section
            bold = index in view.bold
            cells = []
            for k, column in enumerate(shown):
                value = row[column]
                form = forms[k]
                if form:
                    value = form.get(value, value)
                text = _pad(value, widths[k], right[k])
                tone = tones.get((index, column)) if tones else None
                if tone is not None:
                    text = self.paint(text, _TONES[tone])
                elif bold:
                    text = self.paint(text, "bold")
                cells.append(text)
            yield bar + " " + f" {bar} ".join(cells) + " " + bar
        yield rule("bottom")

    def stacked(self, view: View) -> Iterator[str]:
        """One block per row: its first value, then ``header: value`` pairs packed onto indented
        lines, each pair whole."""
        width = self.table_width or 0
        headers = [c.header for c in view.columns]
        for index, row in enumerate(view.rows):
            if index and index in view.sections:
                yield self.box["section"][1] * min(width, 40)
            tone = view.tones.get((index, 0))
            yield self.paint(row[0], _TONES[tone] if tone else "bold")
            line, size = "", 0
            for column in range(1, len(row)):
                if not row[column]:
                    continue
                text = f"{headers[column]}: {row[column]}" if headers[column] else row[column]
                tone = view.tones.get((index, column))
                pair = self.paint(text, _TONES[tone]) if tone else text
                if size and size + 3 + width_of(text) > width:
                    yield line
                    line, size = "", 0
                if size:
                    line, size = line + "   " + pair, size + 3 + width_of(text)
                else:
                    line, size = "  " + pair, 2 + width_of(text)
            if size:
                yield line


def _pad(text: str, width: int, right: bool) -> str:
    gap = width - width_of(text)
    if gap <= 0:
        return text
    return " " * gap + text if right else text + " " * gap
