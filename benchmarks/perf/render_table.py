"""How fast is a big table drawn, measured against the same result as JSON in the same run.

A folder of N small prompts (default 20,000) is estimated once on the pricing table's default models
(6), then the result is rendered, in process, to an in-memory stream:

* ``json``: the document (the reference: every row, serialised);
* ``table --wide``: every row as a table at its natural width (what a pipe or a file gets with --wide);
* ``table @80``: every row fitted to an 80-column terminal (--wide off, rows not limited);
* ``table``: what ``llmprof estimate`` prints by default (the dearest prompts and the total by model).

It prints each time and its ratio to the JSON time, and the time per row, so a renderer that
grows faster than linearly shows up as a per-row time that rises with ``--files``. Numbers vary
with the machine; the ratios are what matter. No target is enforced: the script exits 0.

Usage: python benchmarks/perf/render_table.py [--files 20000] [--repeat 3] [--rich ROWS]

``--rich ROWS`` also times rich's own Table (llmprof's renderer before it drew tables itself) on
the first ROWS rows, for a before/after comparison per row.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from llmprof import estimate
from llmprof.inputs import Source
from llmprof.pricing import load_table
from llmprof.render import console
from llmprof.render.estimate import EstimateOutput
from llmprof.render.output import Format, emit
from llmprof.render.view import View


def corpus(root: Path, files: int) -> list[Source]:
    sources = []
    for index in range(files):
        path = root / f"prompt-{index:05d}.txt"
        path.write_text(
            f"Summarise ticket {index}: the customer cannot log in after a password reset. " * (1 + index % 7)
        )
        sources.append(Source(f"prompts/{path.name}", path))
    return sources


def timed(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rich_table(view: View, rows: int) -> None:
    """The renderer llmprof used before: a rich Table with folding columns, printed at width 400."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = Console(file=io.StringIO(), highlight=False, soft_wrap=True, width=400)
    table = Table(title=Text(view.title), title_justify="left", title_style="bold", header_style="bold")
    for column in view.columns:
        table.add_column(Text(column.header), justify=column.align, overflow="fold")
    for row in view.rows[:rows]:
        table.add_row(*(Text(cell) for cell in row))
    out.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rich", type=int, default=0, metavar="ROWS")
    args = parser.parse_args()

    table = load_table()
    with tempfile.TemporaryDirectory() as tmp:
        sources = corpus(Path(tmp), args.files)
        start = time.perf_counter()
        settings = estimate.Settings(output_tokens=150, requests=10_000)
        result = estimate.estimate_prompts(table, sources, [], settings)
        counted = time.perf_counter() - start
    rows = len(result.rows)
    print(
        f"{args.files:,} prompts x {len(result.totals)} models = {rows:,} rows (counted and priced in {counted:.1f} s)"
    )

    def render(fmt: Format, wide: bool = False, width: int | None = None) -> Callable[[], object]:
        def work() -> None:
            output = EstimateOutput(result, wide=wide or width is not None)
            out = io.StringIO()
            if fmt is Format.table and width is not None:
                console.render(output.view(), out, width=width)
            else:
                emit(output, fmt, out, wide=wide)

        return work

    reference = timed(render(Format.json), args.repeat)
    cases = {
        "json": reference,
        "csv": timed(render(Format.csv), args.repeat),
        "table --wide (every row)": timed(render(Format.table, wide=True), args.repeat),
        "table @80 columns (every row)": timed(render(Format.table, width=80), args.repeat),
        "markdown --wide (every row)": timed(render(Format.markdown, wide=True), args.repeat),
        "table (default: the dearest 50 prompts)": timed(render(Format.table), args.repeat),
    }
    for name, seconds in cases.items():
        print(f"{name:42} {seconds:8.2f} s  {seconds / reference:6.2f}x json  {seconds / rows * 1e6:8.1f} us/row")
    if args.rich:
        view = EstimateOutput(result, wide=True).view()
        shown = min(args.rich, len(view.rows))
        seconds = timed(lambda: rich_table(view, shown), 1)
        ours = cases["table --wide (every row)"] / rows
        print(
            f"{'rich Table (before), first ' + format(shown, ',') + ' rows':42} {seconds:8.2f} s  "
            f"{seconds / shown * 1e6:8.1f} us/row: {seconds / shown / ours:.0f}x the time per row of the table now"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
