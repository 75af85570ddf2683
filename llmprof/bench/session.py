"""One bench run, start to finish: key, budget guard, mock, prompts, runner, records on disk.

Whatever happens (Ctrl-C, a fatal endpoint error, a crash) every finished request is already in
the ``.jsonl`` log, and the ``--out`` document is written for what was gathered.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from llmprof import __version__, dates
from llmprof.bench import providers
from llmprof.bench.plan import Cell, PromptFactory
from llmprof.bench.records import BenchResult, RecordSink, RequestRecord, RunInfo
from llmprof.bench.runner import Job, Load, Runner, Target
from llmprof.bench.settings import BenchSettings
from llmprof.bench.summary import Summary, summarize
from llmprof.errors import BudgetExceeded, InputError, LlmprofError, UsageError
from llmprof.net import is_local, public_url
from llmprof.pricing import ModelPrice, PriceTable, price_request
from llmprof.render.money import usd
from llmprof.talk import Talk
from llmprof.tokens import STAND_IN, count_messages

RUNS_DIR = Path("llmprof-runs")


@dataclass
class Outcome:
    result: BenchResult
    summary: Summary
    log_path: Path
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)


def run(settings: BenchSettings, table: PriceTable, talk: Talk, out: Path | None) -> Outcome:
    provider = providers.get(settings.endpoint.provider)
    key = _key(settings, provider, talk)
    price_model = _price_model(settings, table, talk)
    encoding = _encoding(settings, table)
    _guard_budget(settings, price_model, table, talk)
    force = settings.force_length
    if force is None:
        force = provider.name == "openai" and (settings.is_mock or is_local(settings.endpoint.url or ""))
    factory = PromptFactory(encoding, settings.seed)
    jobs = _jobs(settings, factory, encoding)
    log_path = out.with_suffix(".jsonl") if out else RUNS_DIR / f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}.jsonl"
    with _endpoint(settings, talk) as url:
        target = Target(provider, url, settings.model, key, settings.stream, force)
        info = RunInfo(
            llmprof_version=__version__,
            pricing_version=table.version,
            pricing_date=table.date.isoformat(),
            endpoint="mock (built in)" if settings.is_mock else public_url(url),
            provider=provider.name,
            model=settings.model,
            price_as=price_model.name if price_model else None,
            settings=settings.public(),
            started_at=_now(),
        )
        sink = RecordSink(log_path)
        sink.header(info)
        try:
            records, duration, interrupted = _measure(settings, target, encoding, price_model, jobs, sink, talk)
        finally:
            sink.close()
    info.finished_at = _now()
    info.duration_s = duration
    info.interrupted = interrupted
    result = BenchResult(info, records)
    outcome = Outcome(result, summarize(records, settings.percentiles), log_path, interrupted)
    outcome.notes.extend(_shortfalls(outcome.summary, force))
    if out is not None:
        _write_document(out, outcome)
    return outcome


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


def _key(settings: BenchSettings, provider: providers.Provider, talk: Talk) -> str | None:
    if settings.is_mock:
        return None  # the built-in mock needs no key, and is never sent one
    name = settings.endpoint.api_key_env or provider.key_env
    key = os.environ.get(name) or None
    if key is None:
        if is_local(settings.endpoint.url or ""):
            talk.note(f"{name} is not set; sending no key to the local endpoint")
            return None
        raise UsageError(
            f"no API key found for {provider.name}",
            f"set the {name} environment variable (or name another with --api-key-env VAR).",
        )
    return key


def _price_model(settings: BenchSettings, table: PriceTable, talk: Talk) -> ModelPrice | None:
    if settings.price_as:
        return table.resolve(settings.price_as)
    if settings.is_mock:
        return None  # free; --price-as prices it as if it were a real model
    try:
        model = table.resolve(settings.model)
    except LlmprofError:
        if not is_local(settings.endpoint.url or ""):
            talk.warn(
                f"{settings.model} is not in the pricing table, so costs are not shown",
                "pass --price-as MODEL to price its usage as a known model.",
            )
        return None
    warning = model.lifecycle(dates.today())
    if warning:
        talk.warn(warning)
    return model


def _encoding(settings: BenchSettings, table: PriceTable) -> str:
    for name in (settings.model, settings.price_as):
        if name:
            with contextlib.suppress(LlmprofError):
                return table.resolve(name).encoding
    return STAND_IN


def _guard_budget(settings: BenchSettings, model: ModelPrice | None, table: PriceTable, talk: Talk) -> None:
    """Before any paid request: the worst case (every run at full input and max output)."""
    count = len(settings.cells) * settings.runs + settings.warmup
    paid = not settings.is_mock and not is_local(settings.endpoint.url or "")
    if model is None:
        if paid and not settings.yes:
            raise UsageError(
                f"cannot bound the spend: {settings.model} has no price in {table.describe()}",
                "pass --price-as MODEL, or --yes to run anyway.",
            )
        return
    period = model.period_on(dates.today())
    largest = max(settings.cells, key=lambda c: c.input_tokens + c.output_tokens)
    worst = (
        sum(
            (
                price_request(model, period, input_tokens=c.input_tokens, output_tokens=c.output_tokens).total
                * settings.runs
                for c in settings.cells
            ),
            Decimal(0),
        )
        + price_request(model, period, input_tokens=largest.input_tokens, output_tokens=largest.output_tokens).total
        * settings.warmup
    )
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


def _jobs(settings: BenchSettings, factory: PromptFactory, encoding: str) -> list[Job]:
    ids = itertools.count()
    jobs: list[Job] = []
    cycle = itertools.cycle(settings.cells)
    for _ in range(settings.warmup):
        cell = next(cycle)
        jobs.append(_job(next(ids), cell, factory, encoding, warmup=True))
    for cell in settings.cells:
        jobs.extend(_job(next(ids), cell, factory, encoding) for _ in range(settings.runs))
    return jobs


def _job(job_id: int, cell: Cell, factory: PromptFactory, encoding: str, warmup: bool = False) -> Job:
    prompt = factory.make(cell.input_tokens)
    local = count_messages([{"role": "user", "content": prompt}], encoding)
    return Job(job_id, cell, prompt, local, warmup)


@contextlib.contextmanager
def _endpoint(settings: BenchSettings, talk: Talk) -> Iterator[str]:
    if not settings.is_mock:
        yield settings.endpoint.url or ""
        return
    from llmprof.mock.server import MockProcess

    talk.note(f"no --endpoint: starting the built-in mock (preset {settings.mock.preset}) on 127.0.0.1")
    with MockProcess(settings.mock) as mock:
        yield mock.url


def _measure(
    settings: BenchSettings,
    target: Target,
    encoding: str,
    model: ModelPrice | None,
    jobs: list[Job],
    sink: RecordSink,
    talk: Talk,
) -> tuple[list[RequestRecord], float | None, bool]:
    period = model.period_on(dates.today()) if model else None

    def price(input_tokens: int, output_tokens: int) -> Decimal | None:
        if model is None or period is None:
            return None
        return price_request(model, period, input_tokens=input_tokens, output_tokens=output_tokens).total

    load = Load(
        settings.concurrency,
        settings.rate,
        settings.arrival,
        settings.timeout_s,
        settings.max_retries,
        settings.seed,
        settings.ramp_up_s,
    )
    with _progress(settings, jobs, talk) as advance:

        def on_record(record: RequestRecord) -> None:
            sink.add(record)
            advance(record)

        runner = Runner(target, load, encoding, price, on_record)
        interrupted = _run_interruptibly(runner, jobs)
    return runner.records, runner.duration_s, interrupted


def _run_interruptibly(runner: Runner, jobs: list[Job]) -> bool:
    """Run to the end, or until Ctrl-C: then cancel what is in flight and keep what finished."""

    async def main() -> bool:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        interrupted = False

        def on_sigint() -> None:
            nonlocal interrupted
            interrupted = True
            loop.remove_signal_handler(signal.SIGINT)  # a second Ctrl-C is not caught
            task.cancel()

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows; not main thread
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        try:
            await runner.run(jobs)
        except asyncio.CancelledError:
            if not interrupted:
                raise
        finally:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signal.SIGINT)
        return interrupted

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:  # where signal handlers are unavailable
        return True


@contextlib.contextmanager
def _progress(settings: BenchSettings, jobs: list[Job], talk: Talk) -> Iterator[Callable[[RequestRecord], None]]:
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


def _write_document(path: Path, outcome: Outcome) -> None:
    from llmprof.render.bench import BenchOutput

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = BenchOutput(outcome.result, outcome.summary).document()
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the result ({exc.strerror or exc})") from exc
