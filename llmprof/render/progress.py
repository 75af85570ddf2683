"""Live progress of a bench run on stderr (never stdout, which carries the result).

One :class:`Tally` counts what finished; two displays read it:

* a terminal gets a live area of at most three lines, redrawn in place: one overall bar with
  requests done of all, errors so far, elapsed time and ETA (for open loop, the completed rate
  against the offered one; for a sweep, which has no known total, the step and its rate), then the
  running p50 of every cell that fits, the cell of the last finished request first;
* a stderr that is not a terminal (a CI log) gets the same facts as one plain line every
  ``interval`` seconds (``LLMPROF_PROGRESS_INTERVAL``, default 10; 0: after every request), no
  control characters, and a line even when nothing finished since the last (a slow cell shows).

``--quiet`` silences both. The clock is injected, so a test drives time by hand.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import PlannedRequest
from llmprof.bench.settings import BenchSettings
from llmprof.stats import percentile
from llmprof.talk import Talk

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

#: Seconds between progress lines in a CI log.
INTERVAL_S = 10.0
INTERVAL_ENV = "LLMPROF_PROGRESS_INTERVAL"

Advance = Callable[[RequestRecord], None]
Display = Callable[[BenchSettings, list[PlannedRequest]], contextlib.AbstractContextManager[Advance]]


def clock_time(seconds: float) -> str:
    whole = max(0, round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


@dataclass
class Tally:
    """What finished so far, and what that says about the rest (pure: time is passed in)."""

    started: float
    total: int  # measured requests planned (0 for a sweep: unknown)
    warmups: int
    cells: list[str]
    offered: float | None = None  # open loop: requests/s
    sweep: bool = False
    done: int = 0  # measured
    warmed: int = 0
    errors: int = 0
    last_cell: str | None = None
    step: int | None = None
    step_done: int = 0
    step_started: float | None = None
    measured_started: float | None = None  # the warmup's end (the start, with none)
    last_at: float | None = None  # when the last request finished
    e2e: dict[str, list[float]] = field(default_factory=dict)  # sorted, successes only

    def __post_init__(self) -> None:
        if not self.warmups:
            self.measured_started = self.started

    @classmethod
    def plan(cls, settings: BenchSettings, jobs: list[PlannedRequest], now: float) -> Tally:
        return cls(
            started=now,
            total=sum(1 for j in jobs if not j.warmup),
            warmups=sum(1 for j in jobs if j.warmup),
            cells=[c.label for c in settings.cells],
            offered=settings.rate if not settings.sweep else None,
            sweep=settings.sweep,
        )

    def add(self, record: RequestRecord, now: float) -> None:
        last, self.last_at = self.last_at, now
        if record.warmup:
            self.warmed += 1
            if self.warmed >= self.warmups:
                self.measured_started = now  # the measured requests go out once the warmup is done
            return
        if record.step is not None and record.step != self.step:
            # a step starts as the one before ends: from the last request before this one
            self.step, self.step_done, self.step_started = record.step, 0, last
        self.done += 1
        self.step_done += 1
        if not record.ok:
            self.errors += 1
        elif record.e2e_s is not None:
            bisect.insort(self.e2e.setdefault(record.cell, []), record.e2e_s)
        self.last_cell = record.cell

    def p50(self, cell: str) -> float | None:
        values = self.e2e.get(cell)
        return percentile(values, 50) if values else None

    def eta(self, now: float) -> float | None:
        """Seconds left at the pace so far (None before anything finished, or with no known total)."""
        finished = self.done + self.warmed
        planned = self.total + self.warmups
        if self.sweep or not finished or now <= self.started:
            return None
        return (planned - finished) * (now - self.started) / finished

    def rate(self, now: float) -> float | None:
        """Measured requests completed per second since they began (in the current step, for a sweep)."""
        since, count = (self.step_started, self.step_done) if self.sweep else (self.measured_started, self.done)
        if since is None or not count or now <= since:
            return None
        return count / (now - since)

    # -- in words ----------------------------------------------------------------------------
    def counts(self, now: float) -> list[str]:
        """The headline facts, most important first."""
        if self.warmed < self.warmups and not self.done:
            parts = [f"warmup {self.warmed}/{self.warmups}"]
        elif self.sweep:
            step = "" if self.step is None else f"step {self.step + 1}: "
            parts = [f"{step}{self.step_done:,} requests in this step, {self.done:,} in all"]
        else:
            parts = [f"{self.done:,}/{self.total:,} requests"]
        parts.append(f"{self.errors:,} error{'s' if self.errors != 1 else ''}")
        rate = self.rate(now)
        pace = []
        if rate is not None:
            pace = [f"{rate:.1f}/s of {self.offered:g}/s offered" if self.offered else f"{rate:.1f}/s completed"]
        if self.offered or self.sweep:  # open loop: keeping the pace is the headline
            parts += pace
        if not self.sweep:
            eta = self.eta(now)
            parts.append(f"ETA {clock_time(eta)}" if eta is not None else "ETA -:--:--")
        parts.append(f"{clock_time(now - self.started)} elapsed")
        return parts if self.offered or self.sweep else parts + pace

    def medians(self) -> list[str]:
        """``51x1 0.55 s`` for every cell with a success, the last finished request's cell first."""
        order = [c for c in self.cells if c in self.e2e]
        if self.last_cell in self.e2e:
            order = [self.last_cell, *(c for c in order if c != self.last_cell)]
        return [f"{cell} {self.p50(cell):.2f} s" for cell in order if cell is not None]

    def line(self, now: float, cells: int = 8) -> str:
        """One plain line: the counts, then the p50 of up to ``cells`` cells."""
        medians = self.medians()
        more = f", +{len(medians) - cells} more" if len(medians) > cells else ""
        tail = f"; p50 {', '.join(medians[:cells])}{more}" if medians else ""
        return "bench: " + ", ".join(self.counts(now)) + tail


def interval_from_env() -> float:
    """``LLMPROF_PROGRESS_INTERVAL`` in seconds, or the default when unset or not a number >= 0."""
    raw = os.environ.get(INTERVAL_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return INTERVAL_S
    return value if value >= 0 and value == value else INTERVAL_S


Ticker = Callable[[Callable[[], None], float], contextlib.AbstractContextManager[None]]


@contextlib.contextmanager
def thread_ticker(tick: Callable[[], None], every: float) -> Iterator[None]:
    """Call ``tick`` about every ``every`` seconds (at least once a second) on a daemon thread,
    while the block runs: a log gets its line even while no request finishes."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(min(every, 1.0)):
            tick()

    thread = threading.Thread(target=loop, name="llmprof-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=2.0)


def bars(
    talk: Talk,
    clock: Callable[[], float] = time.monotonic,
    interval_s: float | None = None,
    ticker: Ticker = thread_ticker,
) -> Display:
    """The progress display for ``llmprof bench``: live on a terminal, a plain line every
    ``interval_s`` seconds (default: ``LLMPROF_PROGRESS_INTERVAL``, else 10) in a log, nothing
    under --quiet."""

    @contextlib.contextmanager
    def show(settings: BenchSettings, jobs: list[PlannedRequest]) -> Iterator[Advance]:
        if talk.quiet:
            yield lambda record: None
            return
        tally = Tally.plan(settings, jobs, clock())
        lock = threading.Lock()
        if talk.console.is_terminal:
            with _live(talk, tally, lock, clock) as advance:
                yield advance
            return
        every = interval_from_env() if interval_s is None else interval_s
        log = _Log(talk, tally, lock, clock, every)
        with ticker(log.maybe, every) if every > 0 else contextlib.nullcontext():
            yield log.advance

    return show


class _Log:
    """A plain progress line every ``every`` seconds, from whichever comes first: a finished
    request or the ticker."""

    def __init__(self, talk: Talk, tally: Tally, lock: threading.Lock, clock: Callable[[], float], every: float):
        self.talk, self.tally, self.lock, self.clock, self.every = talk, tally, lock, clock, every
        self.last = tally.started

    def advance(self, record: RequestRecord) -> None:
        with self.lock:
            self.tally.add(record, self.clock())
        self.maybe()

    def maybe(self) -> None:
        with self.lock:
            now = self.clock()
            if now - self.last < self.every:
                return
            self.last = now
            line = self.tally.line(now)
        self.talk.console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)


@contextlib.contextmanager
def _live(talk: Talk, tally: Tally, lock: threading.Lock, clock: Callable[[], float]) -> Iterator[Advance]:
    from rich.live import Live

    area = _Area(tally, lock, clock)
    with Live(area, console=talk.console, transient=True, refresh_per_second=4, redirect_stdout=False):

        def advance(record: RequestRecord) -> None:
            with lock:
                tally.add(record, clock())

        yield advance


def fitting(parts: list[str], width: int, sep: str = " · ") -> list[str]:
    """The ``parts`` that fit in ``width`` joined by ``sep``, in order, leaving out whole the
    ones that would not."""
    chosen: list[str] = []
    size = 0
    for part in parts:
        extra = len(part) + (len(sep) if chosen else 0)
        if size + extra <= width:
            chosen.append(part)
            size += extra
    return chosen


class _Area:
    """The live area: the overall bar and its facts, then the cells' running p50 (two lines, each
    kept within the terminal's width by leaving facts out whole, so the area never grows or wraps)."""

    BAR = 30

    def __init__(self, tally: Tally, lock: threading.Lock, clock: Callable[[], float]) -> None:
        self.tally, self.lock, self.clock = tally, lock, clock

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        width = options.max_width
        with self.lock:
            tally = self.tally
            now = self.clock()
            facts = tally.counts(now)
            medians = tally.medians()
            planned, finished = tally.total + tally.warmups, tally.done + tally.warmed
        bar_width = min(self.BAR, max(10, width // 4))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=bar_width, no_wrap=True)
        grid.add_column(no_wrap=True)
        bar = ProgressBar(total=None if tally.sweep else max(planned, 1), completed=finished, width=bar_width)
        grid.add_row(bar, Text(" · ".join(fitting(facts, width - bar_width - 1))))
        if not medians:
            yield grid
            return
        chosen = fitting(["p50", *medians], width - len(" +999 more"), sep="  ")
        left = len(medians) + 1 - len(chosen)
        yield Group(grid, Text("  ".join(chosen) + (f"  +{left} more" if left else ""), style="dim"))
