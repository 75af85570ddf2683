"""One bench run, start to finish: checks, key, budget guard, mock, prompts, runner, files.

Everything that can be refused is refused before the first request: the output paths, the key,
cell sizes against the model's context window, the worst-case spend. Then whatever happens
(Ctrl-C, SIGTERM, a full disk, a fatal endpoint error) every finished request is already in the
run log, the ``--out`` document is written for what was gathered, and the outcome says why the
run stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import math
import signal
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from llmprof import __version__, dates, signals
from llmprof.bench import providers
from llmprof.bench.client import Target
from llmprof.bench.diagnose import client_stats, client_warnings
from llmprof.bench.plan import Cell, PromptFactory, schedule
from llmprof.bench.records import BenchResult, RequestRecord, RunInfo
from llmprof.bench.resultfile import RecordSink, write_document
from llmprof.bench.runner import Load, PlannedRequest, Runner
from llmprof.bench.settings import BenchSettings
from llmprof.bench.summary import Summary, summarize, summarize_result
from llmprof.bench.sweep import STEP_S, Driver, Step, best, judge
from llmprof.bench.workers import ProcessRunner
from llmprof.errors import BudgetExceeded, Interrupted, LlmprofError, UnknownModelError, UsageError, WriteError
from llmprof.files import check_writable
from llmprof.pricing import ModelPrice, PriceTable, Usage, price_request
from llmprof.secrets import read_key
from llmprof.talk import Talk
from llmprof.tokens import STAND_IN, count_messages
from llmprof.units import usd

#: Cells for a model the table does not know are bounded by this (prompt + output tokens).
UNKNOWN_MODEL_LIMIT = 2_000_000
#: File descriptors kept back for the process itself (logs, the mock's pipes, the encodings).
FD_RESERVE = 64

Progress = Callable[
    [BenchSettings, list[PlannedRequest]], contextlib.AbstractContextManager[Callable[[RequestRecord], None]]
]


@dataclass
class Outcome:
    result: BenchResult
    summary: Summary
    log_path: Path | None
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # why the run counts as failed (exit 1)
    stop: LlmprofError | None = None  # why it stopped early (Interrupted, WriteError), if it did


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
    key = _key(settings, talk)
    model = _price_model(settings, table, talk)
    encoding = _encoding(settings, table)
    _check_cells(settings, table)
    _guard_budget(settings, model, table, talk)
    max_in_flight = _fd_cap(settings, talk)
    factory = PromptFactory(encoding, settings.seed, settings.cache_prefix)
    jobs = _plan(settings, factory, encoding, measured=not settings.sweep)
    stopper = _Stopper()
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
                    return ProcessRunner(target, load(rate), encoding, _pricer(model), on_record, settings.workers)
                return Runner(target, load(rate), encoding, _pricer(model), on_record)

            driver: Runner | ProcessRunner | Driver
            if settings.sweep:
                driver = _sweep_driver(settings, runner_at, factory, encoding, jobs, talk)
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
    outcome.warnings.extend(_shortfalls(summary, settings.force_length))
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


def gate(result: BenchResult, summary: Summary, max_error_rate: float) -> list[str]:
    """Why a run's numbers cannot pass: no data somewhere, too many failures, or a stop."""
    failures = []
    for cell in summary.cells:
        if cell.ok == 0:
            failures.append(f"cell {cell.cell}: none of its {cell.requests} request(s) succeeded")
    measured = sum(c.requests for c in summary.cells)
    if measured == 0:
        failures.append("no measured request finished")
    elif summary.failed / measured > max_error_rate:
        failures.append(
            f"{summary.failed} of {measured} requests failed ({summary.failed / measured:.0%}), "
            f"above --max-error-rate {max_error_rate:.0%}"
        )
    if result.info.interrupted:
        failures.append(f"the run was interrupted ({result.info.stop_reason}): its cells are incomplete")
    for breach in summary.breaches:
        objective = breach.objective
        actual = "no successful request" if breach.actual is None else f"{breach.actual:.3f} s"
        failures.append(
            f"cell {breach.cell}: SLO {objective.label} not met ({objective.metric} p{objective.q:g} {actual})"
        )
    return failures


def _sink(out: Path | None, log_dir: Path | None, stopper: _Stopper) -> RecordSink | None:
    if out is not None:
        return RecordSink.at(out.with_suffix(".jsonl"), stopper.failed)
    if log_dir is None:
        return None
    return RecordSink.create(log_dir, f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}", stopper.failed)


def _shortfalls(summary: Summary, forced: bool) -> list[str]:
    notes = []
    for cell in summary.cells:
        if cell.shortfall:
            hint = "" if forced else " (for a self-hosted server, try --force-length)"
            notes.append(
                f"cell {cell.cell}: {cell.shortfall} of {cell.ok} responses stopped short of "
                f"{cell.output_tokens} output tokens (mean {cell.output_tokens_mean:.1f}){hint}"
            )
    return notes


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _key(settings: BenchSettings, talk: Talk) -> str | None:
    if settings.is_mock:
        return None  # the built-in mock needs no key, and is never sent one
    name = settings.endpoint.key_env
    key, note = read_key(name)
    if note:
        talk.note(note)
    if key is None:
        if settings.endpoint.kind == "local":
            talk.note(f"{name} is not set; sending no key to the local endpoint")
            return None
        raise UsageError(
            f"no API key found for {settings.endpoint.provider}",
            f"set the {name} environment variable (or name another with --api-key-env VAR).",
        )
    return key


def _price_model(settings: BenchSettings, table: PriceTable, talk: Talk) -> ModelPrice | None:
    if settings.price_as:
        model = table.resolve(settings.price_as)
    elif settings.is_mock:
        return None  # free; --price-as prices it as if it were a real model
    else:
        try:
            model = table.resolve(settings.model)
        except UnknownModelError:
            if settings.endpoint.metered:
                talk.warn(
                    f"{settings.model} is not in the pricing table, so costs are not shown",
                    "pass --price-as MODEL to price its usage as a known model.",
                )
            return None
    warning = model.lifecycle(dates.today())
    if warning:
        talk.warn(warning)
    return model


def _known(table: PriceTable, name: str | None) -> ModelPrice | None:
    if not name:
        return None
    try:
        return table.resolve(name)
    except UnknownModelError:
        return None


def _encoding(settings: BenchSettings, table: PriceTable) -> str:
    model = _known(table, settings.model) or _known(table, settings.price_as)
    return model.encoding if model else STAND_IN


def _check_cells(settings: BenchSettings, table: PriceTable) -> None:
    """Cells must fit the model: a prompt beyond its context window is refused up front, not
    after minutes of building prompts the endpoint will reject."""
    model = _known(table, settings.model) or _known(table, settings.price_as)
    for cell in settings.cells:
        size = cell.input_tokens + cell.output_tokens
        if model is not None and model.context_window and size > model.context_window:
            raise UsageError(
                f"cell {cell.label}: {size:,} tokens do not fit {model.name}'s context window of "
                f"{model.context_window:,}",
                "use smaller cells, or a model with a longer context.",
            )
        if model is not None and model.max_output and cell.output_tokens > model.max_output:
            raise UsageError(
                f"cell {cell.label}: {cell.output_tokens:,} output tokens exceed {model.name}'s maximum of "
                f"{model.max_output:,}",
                "use a smaller output length.",
            )
        if model is None and size > UNKNOWN_MODEL_LIMIT:
            raise UsageError(
                f"cell {cell.label}: {size:,} tokens is more than any model's context ({UNKNOWN_MODEL_LIMIT:,})",
                "use smaller cells, or --price-as MODEL so the real limit is known.",
            )


def _guard_budget(settings: BenchSettings, model: ModelPrice | None, table: PriceTable, talk: Talk) -> None:
    """Before any paid request: the worst case (every run at full input and max output)."""
    count = len(settings.cells) * settings.runs + settings.warmup
    paid = settings.endpoint.metered
    if model is None:
        if paid and not settings.yes:
            raise UsageError(
                f"cannot bound the spend: {settings.model} has no price in {table.describe()}",
                "pass --price-as MODEL, or --yes to run anyway.",
            )
        return
    today = dates.today()

    def one(cell: Cell) -> Decimal:
        usage = Usage(input_tokens=cell.input_tokens, output_tokens=cell.output_tokens)
        return price_request(model, usage, today).total

    largest = max(settings.cells, key=lambda c: c.input_tokens + c.output_tokens)
    worst = sum((one(c) * settings.runs for c in settings.cells), Decimal(0)) + one(largest) * settings.warmup
    what = f"{count} requests priced as {model.name} ({table.describe()})"
    if not paid:
        talk.note(f"worst-case cost if this were {model.name}: {usd(worst)} for {what}; this endpoint is free")
        return
    talk.note(f"worst-case spend: {usd(worst)} for {what}")
    if worst > settings.max_cost and not settings.yes:
        raise BudgetExceeded(
            f"worst-case spend {usd(worst)} is above --max-cost {usd(settings.max_cost)}",
            "lower --runs or the cells, raise --max-cost, or pass --yes.",
        )


def _fd_cap(settings: BenchSettings, talk: Talk) -> int | None:
    """How many connections this process can hold open; more would fail as "connect" errors
    that look like the server's fault."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY:
        return None
    cap = max(1, soft - FD_RESERVE)
    wanted = settings.concurrency
    if wanted is not None and wanted > cap:
        talk.warn(
            f"--concurrency {wanted} is more connections than this process may open ({soft} file descriptors): "
            f"the client holds at most {cap} in flight, and the rest wait their turn on the client",
            "raise the limit (ulimit -n) to measure the endpoint at that concurrency.",
        )
    return cap


def _plan(
    settings: BenchSettings, factory: PromptFactory, encoding: str, measured: bool = True
) -> list[PlannedRequest]:
    """Warmups (cycling through the cells), then every measured request in the design's order."""
    ids = itertools.count()
    jobs: list[PlannedRequest] = []
    cycle = itertools.cycle(settings.cells)
    for _ in range(settings.warmup or (1 if settings.sweep else 0)):  # a sweep's start rate needs one
        jobs.append(_job(next(ids), next(cycle), factory, encoding, warmup=True))
    if measured:
        for cell, block in schedule(settings.cells, settings.runs, settings.order, settings.seed):
            jobs.append(_job(next(ids), cell, factory, encoding, block=block))
    return jobs


def _sweep_driver(
    settings: BenchSettings,
    runner_at: Callable[[float | None], Runner | ProcessRunner],
    factory: PromptFactory,
    encoding: str,
    warmup: list[PlannedRequest],
    talk: Talk,
) -> Driver:
    """Steps of ``runs`` requests per cell each, ids continuing after the warmup's."""
    ids = itertools.count(len(warmup))

    def plan(step: int, rate: float) -> list[PlannedRequest]:
        # at least --runs per cell, and enough to offer the rate for STEP_S seconds
        runs = max(settings.runs, math.ceil(rate * STEP_S / len(settings.cells)))
        order = schedule(settings.cells, runs, settings.order, settings.seed + step)
        return [replace(_job(next(ids), cell, factory, encoding, block=block), step=step) for cell, block in order]

    def judge_step(index: int, rate: float, records: list[RequestRecord]) -> Step:
        summary = summarize(records, settings.percentiles, objectives=settings.slo, order=settings.order)
        return judge(index, rate, records, summary, settings.max_error_rate)

    def on_step(step: Step) -> None:
        verdict = "passed" if step.ok else "failed: " + "; ".join(step.problems)
        achieved = f" ({step.achieved:.2f} completed/s)" if step.achieved else ""
        talk.note(f"sweep step {step.index + 1}: {step.rate:.2f} requests/s offered{achieved}: {verdict}")

    return Driver(runner_at, plan, warmup, judge_step, settings.rate, on_step)


def sweep_gate(steps: list[Step]) -> list[str]:
    """A sweep fails only when no rate passed: then there is no capacity to report."""
    if steps and best(steps) is None:
        return [f"no rate met the objectives; the lowest tried, {min(s.rate for s in steps):.2f} requests/s, failed"]
    if not steps:
        return ["the sweep ran no step"]
    return []


def _job(
    job_id: int, cell: Cell, factory: PromptFactory, encoding: str, warmup: bool = False, block: int | None = None
) -> PlannedRequest:
    prompt = factory.make(cell.input_tokens)
    local = count_messages([{"role": "user", "content": prompt}], encoding)
    return PlannedRequest(job_id, cell, prompt, local, warmup, block)


def _pricer(model: ModelPrice | None) -> Callable[[Usage], Decimal | None]:
    today = dates.today()

    def price(usage: Usage) -> Decimal | None:
        return None if model is None else price_request(model, usage, today).total

    return price


@contextlib.contextmanager
def _endpoint(settings: BenchSettings, talk: Talk) -> Iterator[str]:
    if not settings.is_mock:
        yield settings.endpoint.url or ""
        return
    from llmprof.mock.server import MockProcess

    talk.note(f"no --endpoint: starting the built-in mock (preset {settings.mock.preset}) on 127.0.0.1")
    with MockProcess(settings.mock) as mock:
        yield mock.url


class _Stopper:
    """Runs the runner until the end, or until Ctrl-C, SIGTERM or a failed write to the run log:
    then it cancels what is in flight, keeps what finished, and remembers why."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.write_failure: WriteError | None = None
        self._task: asyncio.Task[None] | None = None

    def stop(self, why: str) -> None:
        if self.reason is None:
            self.reason = why
            if self._task is not None:
                self._task.cancel()

    def failed(self, error: WriteError) -> None:
        """The run log could not be written: nothing more would be kept, so stop now."""
        self.write_failure = error
        self.stop("a failed write")

    def error(self, log: Path | None) -> LlmprofError | None:
        if self.write_failure is not None:
            return self.write_failure
        if self.reason is None:
            return None
        return Interrupted(
            f"stopped by {self.reason}: the requests that finished are kept",
            f"re-render them any time with: llmprof report {log}" if log else None,
            exit_code=143 if self.reason == "SIGTERM" else 130,
        )

    def run(self, work: Callable[[], Awaitable[object]]) -> None:
        async def main() -> None:
            loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            installed = []
            for signum, name in ((signal.SIGINT, "Ctrl-C"), (signal.SIGTERM, "SIGTERM")):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows; not main thread
                    loop.add_signal_handler(signum, self.stop, name)
                    installed.append(signum)
            try:
                await work()
            except asyncio.CancelledError:
                if self.reason is None:
                    raise
            finally:
                for signum in installed:
                    with contextlib.suppress(Exception):
                        loop.remove_signal_handler(signum)
                signals.install()  # asyncio put back Python's default, which dies on SIGTERM

        try:
            asyncio.run(main())
        except KeyboardInterrupt:  # where signal handlers are unavailable
            self.reason = self.reason or "Ctrl-C"
