"""Live progress of a bench run on stderr (never stdout, which carries the result)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import PlannedRequest
from llmprof.bench.settings import BenchSettings
from llmprof.talk import Talk


def bars(
    talk: Talk,
) -> Callable[
    [BenchSettings, list[PlannedRequest]], contextlib.AbstractContextManager[Callable[[RequestRecord], None]]
]:
    """A progress display for ``llmprof bench``, or none under --quiet or when stderr is not a terminal."""

    @contextlib.contextmanager
    def show(settings: BenchSettings, jobs: list[PlannedRequest]) -> Iterator[Callable[[RequestRecord], None]]:
        if talk.quiet or not talk.console.is_terminal:  # a bar in a CI log is noise
            yield lambda record: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=talk.console, transient=True) as progress:
            tasks = {}
            warmups = sum(1 for j in jobs if j.warmup)
            if warmups:
                tasks["warmup"] = progress.add_task("warmup", total=warmups)
            for cell in settings.cells:
                tasks[cell.label] = progress.add_task(cell.describe(), total=settings.runs)

            def advance(record: RequestRecord) -> None:
                progress.advance(tasks["warmup" if record.warmup else record.cell])

            yield advance

    return show
