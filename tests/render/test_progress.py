"""Bench progress: periodic plain lines in a CI log, a bounded live area on a terminal, nothing
under --quiet. Time is a hand-driven clock: nothing here waits or measures real time."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Iterator

import pytest
from rich.console import Console

from llmprof.bench.plan import parse_cells
from llmprof.bench.records import RequestRecord
from llmprof.bench.runner import PlannedRequest
from llmprof.bench.settings import BenchOptions, BenchSettings, resolve_settings
from llmprof.config import Config
from llmprof.render.progress import INTERVAL_ENV, Tally, _Area, bars, fitting, interval_from_env
from llmprof.talk import Talk


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Ticks:
    """Stands in for the background thread: the test calls the tick when it likes."""

    def __init__(self) -> None:
        self.tick: Callable[[], None] | None = None

    @contextlib.contextmanager
    def __call__(self, tick: Callable[[], None], every: float) -> Iterator[None]:
        self.tick = tick
        yield
        self.tick = None


def _settings(cells: str = "51x1,228x26", runs: int = 10, **options: object) -> BenchSettings:
    return resolve_settings(
        BenchOptions(cells=tuple(parse_cells(cells)), runs=runs, warmup=2, seed=1, **options),  # type: ignore[arg-type]
        None,
        Config(),
    )


def _jobs(settings: BenchSettings) -> list[PlannedRequest]:
    jobs = [PlannedRequest(i, settings.cells[0], "", 0, warmup=True) for i in range(settings.warmup)]
    for _ in range(settings.runs):
        for cell in settings.cells:
            jobs.append(PlannedRequest(len(jobs), cell, "", 0))
    return jobs


def _record(cell: str, e2e: float | None, warmup: bool = False, step: int | None = None) -> RequestRecord:
    i, o = (int(x) for x in cell.split("x"))
    return RequestRecord(0, cell, i, o, warmup=warmup, ok=e2e is not None, e2e_s=e2e, step=step)


def _log_talk(quiet: bool = False) -> tuple[Talk, io.StringIO]:
    talk = Talk(quiet)
    stream = io.StringIO()
    talk.console = Console(file=stream, highlight=False, soft_wrap=True)  # not a terminal: a CI log
    return talk, stream


def test_a_ci_log_gets_a_plain_line_every_interval() -> None:
    talk, stream = _log_talk()
    clock, ticks = Clock(), Ticks()
    settings = _settings()
    with bars(talk, clock, interval_s=10, ticker=ticks)(settings, _jobs(settings)) as advance:
        for _ in range(2):
            clock.now += 1
            advance(_record("51x1", 0.5, warmup=True))
        for n in range(20):  # one request a second, alternating cells; the third fails
            clock.now += 1
            cell = "51x1" if n % 2 == 0 else "228x26"
            advance(_record(cell, None if n == 2 else (0.5 if cell == "51x1" else 1.4) + n / 100))
    lines = stream.getvalue().splitlines()
    assert lines == [
        "bench: 8/20 requests, 1 error, ETA 0:00:12, 0:00:10 elapsed, 1.0/s completed; p50 228x26 1.44 s, 51x1 0.54 s",
        "bench: 18/20 requests, 1 error, ETA 0:00:02, 0:00:20 elapsed, 1.0/s completed; p50 228x26 1.49 s, 51x1 0.59 s",
    ]
    assert "\x1b" not in stream.getvalue() and "\r" not in stream.getvalue()


def test_a_stalled_run_still_reports_in_the_log() -> None:
    talk, stream = _log_talk()
    clock, ticks = Clock(), Ticks()
    settings = _settings()
    with bars(talk, clock, interval_s=10, ticker=ticks)(settings, _jobs(settings)):
        assert ticks.tick is not None
        clock.now += 9
        ticks.tick()  # nothing yet: under the interval
        clock.now += 1
        ticks.tick()
        clock.now += 35
        ticks.tick()
    assert stream.getvalue().splitlines() == [
        "bench: warmup 0/2, 0 errors, ETA -:--:--, 0:00:10 elapsed",
        "bench: warmup 0/2, 0 errors, ETA -:--:--, 0:00:45 elapsed",
    ]


def test_interval_zero_reports_every_request_and_quiet_reports_nothing() -> None:
    talk, stream = _log_talk()
    clock, ticks = Clock(), Ticks()
    settings = _settings(runs=1)
    with bars(talk, clock, interval_s=0, ticker=ticks)(settings, _jobs(settings)) as advance:
        assert ticks.tick is None  # no background ticking: every request speaks
        for cell in ("51x1", "51x1", "51x1", "228x26"):
            advance(_record(cell, 0.5, warmup=len(stream.getvalue().splitlines()) < 2))
    assert [line.split(",")[0] for line in stream.getvalue().splitlines()] == [
        "bench: warmup 1/2",
        "bench: 0/2 requests",
        "bench: 1/2 requests",
        "bench: 2/2 requests",
    ]
    quiet, said = _log_talk(quiet=True)
    with bars(quiet, clock, interval_s=0, ticker=ticks)(settings, _jobs(settings)) as advance:
        advance(_record("51x1", 0.5))
    assert said.getvalue() == ""


def test_the_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INTERVAL_ENV, "2.5")
    assert interval_from_env() == 2.5
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv(INTERVAL_ENV, bad)
        assert interval_from_env() == 10.0


def test_open_loop_shows_the_completed_rate_against_the_offered_one() -> None:
    settings = _settings(rate=4.0)
    tally = Tally.plan(settings, _jobs(settings), 0.0)
    for t in (1.0, 2.0):
        tally.add(_record("51x1", 0.5, warmup=True), t)
    for n in range(8):
        tally.add(_record("51x1", 0.5), 2.0 + (n + 1) * 0.25)
    assert tally.counts(4.0) == ["8/20 requests", "0 errors", "4.0/s of 4/s offered", "ETA 0:00:05", "0:00:04 elapsed"]


def test_a_sweep_shows_its_step_and_pace_but_no_total() -> None:
    settings = _settings(sweep=True, slo=None)
    tally = Tally.plan(settings, [], 0.0)
    tally.add(_record("51x1", 0.5, warmup=True), 1.0)
    for n in range(10):
        tally.add(_record("51x1", 0.5, step=0), 1.0 + (n + 1) * 0.5)
    tally.add(_record("51x1", 0.6, step=1), 6.1)
    tally.add(_record("51x1", None, step=1), 6.2)
    assert tally.counts(7.0) == [
        "step 2: 2 requests in this step, 12 in all",
        "1 error",
        "2.0/s completed",
        "0:00:07 elapsed",
    ]


def test_the_live_area_stays_two_lines_however_many_cells() -> None:
    cells = ",".join(f"{i}x{o}" for i in (50, 100, 200, 400, 800, 1600, 3200) for o in (1, 10, 20, 40, 80, 160, 320))
    settings = _settings(cells=cells, runs=2)
    tally = Tally.plan(settings, _jobs(settings), 0.0)
    for n, cell in enumerate(c.label for c in settings.cells):
        tally.add(_record(cell, 0.5 + n / 100), 1.0 + n)
    for width in (40, 80, 200):
        out = io.StringIO()
        console = Console(file=out, width=width, force_terminal=True, color_system=None)
        console.print(_Area(tally, threading.Lock(), lambda: 60.0))
        lines = out.getvalue().splitlines()
        assert len(lines) == 2, lines
        assert all(len(line) <= width for line in lines)
        assert lines[1].startswith(f"p50  {settings.cells[-1].label} 0.98 s") and lines[1].endswith("more")


def test_facts_are_left_out_whole() -> None:
    assert fitting(["12/60 requests", "0 errors", "ETA 0:00:05"], 25) == ["12/60 requests", "0 errors"]
    assert fitting(["a-long-fact", "b"], 5) == ["b"]
