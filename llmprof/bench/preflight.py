"""Everything a bench run refuses before its first request: no key, a cell beyond the model's
context window, a worst-case spend above the budget; and what it settles first: the price, the
encoding, how many connections the process may hold."""

from __future__ import annotations

from decimal import Decimal

from llmprof import dates
from llmprof.bench.plan import Cell
from llmprof.bench.settings import BenchSettings
from llmprof.errors import BudgetExceeded, UnknownModelError, UsageError
from llmprof.pricing import ModelPrice, PriceTable, Usage, price_request
from llmprof.secrets import read_key
from llmprof.talk import Talk
from llmprof.tokens import STAND_IN
from llmprof.units import usd

#: Cells for a model the table does not know are bounded by this (prompt + output tokens).
UNKNOWN_MODEL_LIMIT = 2_000_000
#: File descriptors kept back for the process itself (logs, the mock's pipes, the encodings).
FD_RESERVE = 64


def api_key(settings: BenchSettings, talk: Talk) -> str | None:
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


def price_model(settings: BenchSettings, table: PriceTable, talk: Talk) -> ModelPrice | None:
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


def encoding_for(settings: BenchSettings, table: PriceTable) -> str:
    model = _known(table, settings.model) or _known(table, settings.price_as)
    return model.encoding if model else STAND_IN


def check_cells(settings: BenchSettings, table: PriceTable) -> None:
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


def guard_budget(settings: BenchSettings, model: ModelPrice | None, table: PriceTable, talk: Talk) -> None:
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


def fd_cap(settings: BenchSettings, talk: Talk) -> int | None:
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
