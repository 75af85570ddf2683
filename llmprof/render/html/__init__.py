"""Any result as one self-contained HTML report: its table and notes exactly as the text outputs
give them, and charts where the result has a page of its own (bench, sweep, compare, check).

A new page is one function ``(output, warnings) -> Page`` and one line in :func:`_pages`;
a result without one still gets a page: its tables. See :mod:`.document` for how a page is
written safely and offline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmprof.render.html.document import Page, Section, Table, to_html

if TYPE_CHECKING:
    from llmprof.render.output import Renderable

PageBuilder = Callable[[Any, Sequence[str]], Page]


def _pages() -> dict[type, PageBuilder]:
    from llmprof.render.bench import BenchOutput
    from llmprof.render.check import CheckOutput
    from llmprof.render.compare import CompareOutput
    from llmprof.render.html.bench import bench_page
    from llmprof.render.html.check import check_page
    from llmprof.render.html.compare import compare_page
    from llmprof.render.html.sweep import sweep_page
    from llmprof.render.sweep import SweepOutput

    return {BenchOutput: bench_page, SweepOutput: sweep_page, CompareOutput: compare_page, CheckOutput: check_page}


def tables_page(result: Renderable, warnings: Sequence[str] = ()) -> Page:
    """The page of a result with no charts of its own: what its table output shows."""
    from llmprof.render.html.document import Notes

    view = result.view()
    blocks: list[Any] = [Table(view)]
    if warnings:
        blocks.append(Notes(list(warnings), "warning", "Warnings"))
    return Page("tables", view.title, [Section("summary", "Summary", blocks)])


def page(result: Renderable, warnings: Sequence[str] = ()) -> Page:
    builder = _pages().get(type(result), tables_page)
    return builder(result, warnings)


def render(result: Renderable, warnings: Sequence[str] = ()) -> str:
    """The report as text; registered secrets are redacted from it, as from every output."""
    from llmprof.secrets import redact

    return to_html(page(result, warnings), clean=redact)


def write(result: Renderable, path: Path, warnings: Sequence[str] = ()) -> None:
    """Write the report to ``path`` atomically (the old file, or none, until it is complete)."""
    from llmprof.files import write_atomic

    write_atomic(path, render(result, warnings), "the HTML report")
