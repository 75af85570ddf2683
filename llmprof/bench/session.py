"""One bench run, start to finish: checks, key, budget guard, mock, prompts, runner, files.

Everything that can be refused is refused before the first request: the output paths, the key,
cell sizes against the model's context window, the worst-case spend. Then whatever happens
(Ctrl-C, SIGTERM, a full disk, a fatal endpoint error) every finished request is already in the
run log, the ``--out`` document is written for what was gathered, and the outcome says why the
run stopped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

from llmprof import __version__
from llmprof.bench import providers
from llmprof.bench.client import Target
from llmprof.bench.diagnose import client_stats, client_warnings
from llmprof.bench.jobs import plan_jobs, pricer, sweep_driver
from llmprof.bench.outcome import Outcome, gate, shortfalls, sweep_gate
from llmprof.bench.plan import PromptFactory
from llmprof.bench.preflight import api_key, check_cells, encoding_for, fd_cap, guard_budget, price_model
from llmprof.bench.records import BenchResult, RequestRecord, RunInfo
from llmprof.bench.resultfile import RecordSink, write_document
from llmprof.bench.runner import Load, PlannedRequest, Runner
from llmprof.bench.settings import BenchSettings
from llmprof.bench.stopper import Stopper
from llmprof.bench.summary import summarize_result
from llmprof.bench.sweep import Driver
from llmprof.bench.workers import ProcessRunner
from llmprof.errors import LlmprofError, WriteError
from llmprof.files import check_writable
from llmprof.pricing import PriceTable
from llmprof.talk import Talk

Progress = Callable[
    [BenchSettings, list[PlannedRequest]], contextlib.AbstractContextManager[Callable[[RequestRecord], None]]
]


@contextlib.contextmanager
def no_progress(settings: BenchSettings, jobs: list[PlannedRequest]) -> Iterator[Callable[[RequestRecord], None]]:
    yield lambda record: None


def run_bench(
    settings: BenchSettings,
    table: PriceTable,
    talk: Talk,
    *,
    out: Path | None = None,
    log_dir: Path | None = None,
    progress: Progress = no_progress,
) -> Outcome:
    """Run the bench; ``log_dir`` None keeps no run log (``--no-log``)."""
    if out is not None:
        check_writable(out, "the result")
    provider = providers.get(settings.endpoint.provider)
    key = api_key(settings, talk)
    model = price_model(settings, table, talk)
    encoding = encoding_for(settings, table)
    check_cells(settings, table)
    guard_budget(settings, model, table, talk)
    max_in_flight = fd_cap(settings, talk)
    factory = PromptFactory(encoding, settings.seed, settings.cache_prefix)
    jobs = plan_jobs(settings, factory, encoding, measured=not settings.sweep)
    stopper = Stopper()
    sink = _sink(out, log_dir, stopper)
    with _endpoint(settings, talk) as url:
        display = settings.endpoint.display
        target = Target(provider, url, display, settings.model, key, settings.stream, settings.force_length)
        info = RunInfo(
            llmprof_version=__version__,
            pricing_version=table.version,
            pricing_date=table.date.isoformat(),
            endpoint=display,
            endpoint_kind=settings.endpoint.kind,
            provider=provider.name,
            model=settings.model,
            price_as=model.name if model else None,
            settings=settings.public(),
            started_at=_now(),
        )
        if sink is not None:
            sink.header(info)

        def load(rate: float | None) -> Load:
            return Load(
                concurrency=settings.concurrency,
                rate=rate,
                arrival=settings.arrival,
                timeout_s=settings.timeout_s,
                max_retries=settings.max_retries,
                seed=settings.seed,
                ramp_up_s=settings.ramp_up_s,
                max_in_flight=max_in_flight,
            )

        with progress(settings, [] if settings.sweep else jobs) as advance:

            def on_record(record: RequestRecord) -> None:
                if sink is not None:
                    sink.add(record)
                advance(record)

            def runner_at(rate: float | None) -> Runner | ProcessRunner:
                if settings.workers > 1:
                    return ProcessRunner(target, load(rate), encoding, pricer(model), on_record, settings.workers)
                return Runner(target, load(rate), encoding, pricer(model), on_record)

            driver: Runner | ProcessRunner | Driver
            if settings.sweep:
                driver = sweep_driver(settings, runner_at, factory, encoding, jobs, talk)
            else:
                driver = runner_at(settings.rate)
            try:
                stopper.run(lambda: driver.run() if isinstance(driver, Driver) else driver.run(jobs))
            except LlmprofError as exc:  # a fatal endpoint error: the log says so too
                stopper.reason = f"error: {exc.message}"
                raise
            finally:
                info.finished_at = _now()
                info.duration_s = driver.duration_s
                info.client = client_stats(driver.lags_s, driver.cpu_s, driver.duration_s) or None
                info.steps = driver.rates if isinstance(driver, Driver) else None
                info.interrupted = stopper.reason is not None
                info.stop_reason = stopper.reason
                if sink is not None:
                    sink.finish(info)
    result = BenchResult(info, driver.records)
    summary = summarize_result(result, settings.percentiles)
    log_path = sink.path if sink else None
    outcome = Outcome(result, summary, log_path, stop=stopper.error(log_path))
    outcome.warnings.extend(shortfalls(summary, settings.force_length))
    if not settings.sweep:  # a sweep's steps are told apart in its own table
        outcome.warnings.extend(summary.warnings)
    open_loop = settings.rate is not None or settings.sweep
    outcome.warnings.extend(client_warnings(info.client or {}, driver.records, open_loop))
    if isinstance(driver, Driver):
        outcome.failures.extend(sweep_gate(driver.steps))
    else:
        outcome.failures.extend(gate(result, summary, settings.max_error_rate))
    if out is not None:
        try:
            write_document(out, result, summary)
        except WriteError as exc:
            if outcome.stop is None:
                raise
            outcome.warnings.append(f"the result document was not written either: {exc.message}")
    return outcome


def _sink(out: Path | None, log_dir: Path | None, stopper: Stopper) -> RecordSink | None:
    if out is not None:
        return RecordSink.at(out.with_suffix(".jsonl"), stopper.failed)
    if log_dir is None:
        return None
    return RecordSink.create(log_dir, f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}", stopper.failed)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@contextlib.contextmanager
def _endpoint(settings: BenchSettings, talk: Talk) -> Iterator[str]:
    if not settings.is_mock:
        yield settings.endpoint.url or ""
        return
    from llmprof.mock.server import MockProcess

    talk.note(f"no --endpoint: starting the built-in mock (preset {settings.mock.preset}) on 127.0.0.1")
    with MockProcess(settings.mock) as mock:
        yield mock.url
