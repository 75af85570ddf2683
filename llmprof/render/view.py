"""A result as people read it: a title, a table, and the notes that qualify the numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Column:
    header: str
    align: Literal["left", "right"] = "right"


@dataclass
class View:
    title: str
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    #: indexes of rows that start a new group (a rule is drawn above them)
    sections: set[int] = field(default_factory=set)
    #: indexes of rows to emphasise (totals, failures)
    bold: set[int] = field(default_factory=set)
    #: lines printed under the table: pricing version, what the numbers mean
    footer: list[str] = field(default_factory=list)
    #: further tables (e.g. a latency model under the percentile table)
    extra: list[View] = field(default_factory=list)
    #: said instead of an empty table
    empty: str = "(nothing to show)"
