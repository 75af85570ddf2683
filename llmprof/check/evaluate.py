"""Baseline vs today: a cost diff (prompt changes told apart from price changes) and budgets.

Attribution: with ``b`` the baseline's tokens and ``a`` today's,
price effect = cost(b tokens, today's rates) - cost(b tokens, baseline rates) and
prompt effect = cost(a tokens, today's rates) - cost(b tokens, today's rates);
the two add up exactly to the change.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from llmprof.bench.records import BenchResult
from llmprof.bench.summary import summarize_result
from llmprof.check.items import Item, Snapshot
from llmprof.config import BUDGET_KEYS, LATENCY_KEYS, Budgets, Location
from llmprof.errors import UnknownModelError
from llmprof.pricing import Mode, PriceTable, Usage, price_request
from llmprof.units import usd

Status = Literal["pass", "warn", "fail"]
Unit = Literal["usd", "pct", "s", "ratio"]
HUNDRED = Decimal(100)


@dataclass
class Change:
    before: Item | None
    after: Item | None
    price_effect: Decimal = Decimal(0)
    prompt_effect: Decimal = Decimal(0)

    @property
    def item(self) -> Item:
        item = self.after or self.before
        assert item is not None
        return item

    @property
    def status(self) -> str:
        if self.before is None:
            return "new"
        if self.after is None:
            return "removed"
        return "changed" if self.delta else "unchanged"

    @property
    def delta(self) -> Decimal:
        return (self.after.cost_per_request if self.after else Decimal(0)) - (
            self.before.cost_per_request if self.before else Decimal(0)
        )

    @property
    def delta_pct(self) -> Decimal | None:
        if self.before is None or self.after is None or not self.before.cost_per_request:
            return None
        return self.delta / self.before.cost_per_request * HUNDRED

    @property
    def cause(self) -> str:
        """What moved the cost: ``price`` (the table), and for the rest ``prompt`` (the file's
        content), ``counting`` (same file, counted differently: a new tokenizer or calibration)
        and ``settings`` (output, reasoning, caching or batch of the prompt set); joined by +.
        A workload task's own changes are ``workload`` (its file, or the files it reads)."""
        if self.status in ("new", "removed", "unchanged"):
            return self.status
        if self.item.kind == "workload":
            causes = ["workload"] if self.prompt_effect else []
        else:
            causes = _usage_causes(self.before, self.after) if self.prompt_effect else []
        if self.price_effect:
            causes.append("price")
        return " + ".join(causes or ["prompt"])


def _usage_causes(before: Item | None, after: Item | None) -> list[str]:
    if before is None or after is None:
        return []
    causes = []
    if before.input_tokens != after.input_tokens:
        if before.prompt_sha256 is None or after.prompt_sha256 is None:  # a baseline from before llmprof 0.2
            exact = before.count == after.count == "exact"
            causes.append("prompt" if exact else "prompt or counting")
        elif before.prompt_sha256 != after.prompt_sha256:
            causes.append("prompt")
        else:
            causes.append("counting")
    settings = ("output_tokens", "reasoning_tokens", "cached_input_tokens", "batch")
    if any(getattr(before, name) != getattr(after, name) for name in settings):
        causes.append("settings")
    return causes


@dataclass(frozen=True)
class BudgetResult:
    """One budget on one subject, with exact values: ``actual`` None when there was no data to
    measure it (which fails: a budget that cannot be evaluated never passes)."""

    budget: str
    subject: str
    limit: Decimal
    actual: Decimal | None
    unit: Unit
    status: Status
    note: str | None = None  # e.g. "no successful request in this cell"
    prompt: str | None = None  # the prompt file it is about (relative to the config's folder), if one
    location: Location | None = None  # where its limit is written, when not in the project's config

    @property
    def config_key(self) -> str:
        """The config key that sets this limit, e.g. ``budgets.latency.p90_e2e_s``."""
        if self.budget in BUDGET_KEYS:
            return f"budgets.{self.budget}"
        if self.budget in LATENCY_KEYS:
            return f"budgets.latency.{self.budget}"
        return "budgets.latency"  # the gate itself: "latency" (not evaluated), "complete_run"


@dataclass(frozen=True)
class Notice:
    """A warning with a stable code, so a project can ignore it by name (``ignore_warnings``):
    an ignored warning is still reported (as ignored), it just fails nothing."""

    code: str
    message: str
    key: str | None = None  # the config key it is about, e.g. "prompt_sets.support.models"
    ignored: bool = False


@dataclass
class CheckReport:
    before: Snapshot
    after: Snapshot
    changes: list[Change]
    budgets: list[BudgetResult] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    ignore: frozenset[str] = frozenset()  # warning codes the config ignores

    def warn(self, code: str, message: str, key: str | None = None) -> None:
        self.notices.append(Notice(code, message, key, code in self.ignore))

    @property
    def active(self) -> list[Notice]:
        """The warnings not ignored: the ones that count for --fail-on-warn."""
        return [n for n in self.notices if not n.ignored]

    @property
    def warnings(self) -> list[str]:
        return [n.message for n in self.active]

    @property
    def failures(self) -> list[BudgetResult]:
        return [b for b in self.budgets if b.status == "fail"]

    @property
    def warned(self) -> list[BudgetResult]:
        return [b for b in self.budgets if b.status == "warn"]

    def total(self, which: Literal["before", "after"]) -> Decimal:
        """Traffic-weighted cost: per day for sets with requests_per_day, else one request each."""
        snap = self.before if which == "before" else self.after
        return sum((_weight(i) * i.cost_per_request for i in snap.items), Decimal(0))

    @property
    def per_day(self) -> bool:
        return all(i.requests_per_day is not None for i in self.after.items + self.before.items)

    @property
    def price_effect(self) -> Decimal:
        return sum((c.price_effect * _weight(c.item) for c in self.changes), Decimal(0))

    @property
    def prompt_effect(self) -> Decimal:
        return sum((c.prompt_effect * _weight(c.item) for c in self.changes), Decimal(0))

    def counts(self) -> dict[str, int]:
        counts = {"changed": 0, "new": 0, "removed": 0, "unchanged": 0}
        for change in self.changes:
            counts[change.status] += 1
        return counts


def _weight(item: Item) -> int:
    return item.requests_per_day if item.requests_per_day is not None else 1


def diff(before: Snapshot, after: Snapshot, table: PriceTable, today: dt.date) -> list[Change]:
    old, new = before.by_key(), after.by_key()
    changes = []
    for key in sorted(set(old) | set(new)):
        change = Change(old.get(key), new.get(key))
        if (
            change.before is not None
            and change.after is not None
            and "workload"
            in (
                change.before.kind,
                change.after.kind,
            )
        ):
            _workload_effects(change, before.pricing_version != after.pricing_version)
        elif change.before is not None and change.after is not None:
            repriced = _reprice(change.before, table, today)
            if repriced is None:  # the model left the table: all of it is a price matter
                change.price_effect = change.delta
            else:
                change.price_effect = repriced - change.before.cost_per_request
                change.prompt_effect = change.after.cost_per_request - repriced
        changes.append(change)
    return sorted(changes, key=lambda c: (c.status == "unchanged", -abs(c.delta), c.item.key))


def _workload_effects(change: Change, new_prices: bool) -> None:
    """A workload task cannot be repriced from its baseline item alone (its calls, cache reads and
    writes are not in it): with the same files and token counts under a new price table the whole
    change is the prices'; otherwise it is the workload's."""
    before, after = change.before, change.after
    assert before is not None and after is not None
    same = (before.prompt_sha256, before.input_tokens, before.output_tokens) == (
        after.prompt_sha256,
        after.input_tokens,
        after.output_tokens,
    )
    if same and new_prices:
        change.price_effect = change.delta
    else:
        change.prompt_effect = change.delta


def _reprice(item: Item, table: PriceTable, today: dt.date) -> Decimal | None:
    try:
        model = table.resolve(item.model)
    except UnknownModelError:
        return None
    usage = Usage(
        input_tokens=item.input_tokens,
        cached_input_tokens=min(item.cached_input_tokens, item.input_tokens),
        output_tokens=item.output_tokens,
        reasoning_tokens=min(item.reasoning_tokens, item.output_tokens),
    )
    return price_request(model, usage, today, Mode(batch=item.batch)).total


def _file(item: Item) -> str | None:
    """The prompt file an item's budget is about (a workload's task is no file of its own)."""
    return item.prompt if item.kind == "prompt" else None


def evaluate(report: CheckReport, budgets: Budgets) -> None:
    """Fill ``report.budgets`` with one result per budget and subject."""
    warn_at = budgets.warn_at_pct / HUNDRED
    results = report.budgets
    if budgets.max_cost_per_request is not None:
        limit = budgets.max_cost_per_request
        for item in report.after.items:
            result = _absolute(
                "max_cost_per_request", _subject(item), item.cost_per_request, limit, warn_at, item.lower_bound
            )
            results.append(replace(result, prompt=_file(item)))
    if budgets.max_cost_per_day is not None:
        limit = budgets.max_cost_per_day
        for (set_name, model), (cost, floor) in _per_day(report.after.items).items():
            results.append(_absolute("max_cost_per_day", f"{set_name} on {model}", cost, limit, warn_at, floor))
    total_limit = budgets.max_cost_increase_pct
    prompt_limit = budgets.max_cost_increase_pct_per_prompt or total_limit
    if prompt_limit is not None:
        name = (
            "max_cost_increase_pct_per_prompt" if budgets.max_cost_increase_pct_per_prompt else "max_cost_increase_pct"
        )
        for change in report.changes:
            pct = change.delta_pct
            if pct is not None and change.status == "changed":
                floor = change.item.lower_bound or (change.before.lower_bound if change.before else ())
                result = _relative(name, _subject(change.item), pct, prompt_limit, warn_at, floor)
                results.append(replace(result, prompt=_file(change.item)))
    if total_limit is not None:
        before, after = report.total("before"), report.total("after")
        if before:
            pct = (after - before) / before * HUNDRED
            floor = tuple(dict.fromkeys(r for i in report.before.items + report.after.items for r in i.lower_bound))
            results.append(_relative("max_cost_increase_pct", "total", pct, total_limit, warn_at, floor))


def _subject(item: Item) -> str:
    return f"{item.set}: {item.prompt} on {item.model}"


def _per_day(items: Iterable[Item]) -> dict[tuple[str, str], tuple[Decimal, tuple[str, ...]]]:
    """Cost per day of each set on each model, and why it is only a floor (if it is)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    floors: dict[tuple[str, str], tuple[str, ...]] = defaultdict(tuple)
    for item in items:
        if item.cost_per_day is not None:
            totals[(item.set, item.model)] += item.cost_per_day
            floors[(item.set, item.model)] += tuple(
                r for r in item.lower_bound if r not in floors[(item.set, item.model)]
            )
    return {key: (cost, floors[key]) for key, cost in totals.items()}


def _status(actual: Decimal, limit: Decimal, warn_at: Decimal) -> Status:
    if actual > limit:
        return "fail"
    return "warn" if limit > 0 and actual >= limit * warn_at else "pass"


def _absolute(
    name: str, subject: str, actual: Decimal, limit: Decimal, warn_at: Decimal, floor: tuple[str, ...] = ()
) -> BudgetResult:
    """A cost against its limit. A cost that is only a floor fails when it is over the limit and is
    not evaluated (which fails too) when it is under: what it leaves out could take it over."""
    if not floor:
        return BudgetResult(name, subject, limit, actual, "usd", _status(actual, limit, warn_at))
    why = "; ".join(floor)
    if actual > limit:
        return BudgetResult(name, subject, limit, actual, "usd", "fail", f"at least that: a lower bound ({why})")
    return BudgetResult(
        name, subject, limit, None, "usd", "fail",
        f"not evaluated: the cost is at least {usd(actual)}, a lower bound ({why}); {FLOOR_HINT}",
    )  # fmt: skip


def _relative(
    name: str, subject: str, pct: Decimal, limit: Decimal, warn_at: Decimal, floor: tuple[str, ...] = ()
) -> BudgetResult:
    """A change between costs; between floors it is unknown, and fails as not evaluated."""
    if not floor:
        return BudgetResult(name, subject, limit, pct, "pct", _status(pct, limit, warn_at))
    return BudgetResult(
        name, subject, limit, None, "pct", "fail",
        f"not evaluated: a cost compared is a lower bound ({'; '.join(floor)}); {FLOOR_HINT}",
    )  # fmt: skip


FLOOR_HINT = "set reasoning_tokens on the prompt set (0 if your requests turn reasoning off)"


#: Without a ``max_error_rate`` budget, any failed request fails the latency gate: latency
#: percentiles of the survivors say nothing about the requests that failed.
DEFAULT_MAX_ERROR_RATE = Decimal(0)


def evaluate_latency(report: CheckReport, result: BenchResult, budgets: Budgets, source: str) -> None:
    """Latency limits (``budgets.latency``) against a saved bench result, cell by cell. No data,
    a cell without successes or an interrupted run fails: nothing here passes by default."""
    limits = dict(budgets.latency)
    if not limits:
        return
    limits.setdefault("max_error_rate", DEFAULT_MAX_ERROR_RATE)
    qs = sorted({float(key[1:].split("_")[0]) for key in limits if key.startswith("p")} or {50.0})
    warn_at = budgets.warn_at_pct / HUNDRED
    info = result.info
    if info.interrupted:
        report.budgets.append(
            BudgetResult(
                "complete_run", source, Decimal(0), None, "ratio", "fail",
                f"the bench run was interrupted ({info.stop_reason or 'it did not finish'}): re-run it to the end",
            )
        )  # fmt: skip
    cells = summarize_result(result, qs).cells
    if not cells:
        for key, limit in sorted(limits.items()):
            report.budgets.append(
                BudgetResult(key, source, limit, None, _unit(key), "fail", "the result holds no measured request")
            )
        return
    for cell in cells:
        subject = f"cell {cell.cell}"
        for key, limit in sorted(limits.items()):
            if key == "max_error_rate":
                rate = Decimal(cell.failed) / Decimal(cell.requests)
                note = (
                    "default 0: set budgets.latency.max_error_rate to allow failures"
                    if key not in budgets.latency
                    else None
                )
                report.budgets.append(
                    BudgetResult(key, subject, limit, rate, "ratio", _status(rate, limit, warn_at), note)
                )
                continue
            q = float(key[1:].split("_")[0])
            actual = (cell.ttft_s if key.endswith("ttft_s") else cell.e2e_s).get(q)
            if actual is None:
                report.budgets.append(
                    BudgetResult(key, subject, limit, None, "s", "fail", "no successful request in this cell")
                )
                continue
            value = Decimal(str(round(actual, 6)))
            report.budgets.append(BudgetResult(key, subject, limit, value, "s", _status(value, limit, warn_at)))


def _unit(key: str) -> Unit:
    return "ratio" if key == "max_error_rate" else "s"
