"""A result as people read it: a title, a table, and the notes that qualify the numbers.

A view says what matters, not how wide things are: each column has a priority (0: a headline
column, always shown; the higher the number, the sooner it is hidden when a terminal is too narrow)
and may offer shorter forms of its header and values. The console fits the view to the terminal
from that (:mod:`llmprof.render.fit`); Markdown, CSV and JSON ignore it and show everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

#: How a cell reads at a glance when colour is on: bad (red), warn (yellow), good (green).
Tone = Literal["bad", "warn", "good"]


@dataclass(frozen=True)
class Column:
    header: str
    align: Literal["left", "right"] = "right"
    #: 0: a headline column, never hidden; 1, 2, 3...: hidden first the higher it is, when the
    #: table must fit a narrow terminal
    priority: int = 0
    #: a shorter header, used with ``compact`` values (e.g. "in x out tokens" over "51x1")
    short: str | None = None
    #: shorter forms of this column's values for a narrow table ("input: 51 tokens, output: 1 token"
    #: -> "51x1"); a value not in it is shown as it is
    compact: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class View:
    title: str
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    #: indexes of rows that start a new group (a rule is drawn above them)
    sections: set[int] = field(default_factory=set)
    #: indexes of rows to emphasise (totals, failures)
    bold: set[int] = field(default_factory=set)
    #: cells (row, column) coloured when colour is on: FAIL and REGRESSION bad, WARN warn
    tones: dict[tuple[int, int], Tone] = field(default_factory=dict)
    #: the title's colour, when colour is on (a failed check's headline)
    title_tone: Tone | None = None
    #: lines printed under the table: pricing version, what the numbers mean
    footer: list[str] = field(default_factory=list)
    #: further tables (e.g. a latency model under the percentile table)
    extra: list[View] = field(default_factory=list)
    #: said instead of an empty table
    empty: str = "(nothing to show)"
