"""The check's core, without files: cost attribution, budgets and the latency gate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

import pytest

from llmprof.bench.records import BenchResult, RequestRecord, RunInfo
from llmprof.check.evaluate import CheckReport, diff, evaluate, evaluate_latency
from llmprof.check.items import Item, Snapshot
from llmprof.config import Budgets
from llmprof.pricing import PriceTable

D = Decimal
TODAY = dt.date(2026, 11, 21)


def item(prompt: str, model: str, tokens: int, cost: str, per_day: int | None = 1000, out: int = 0) -> Item:
    return Item(
        set="s",
        prompt=prompt,
        model=model,
        count="exact",
        requests=1,
        input_tokens=tokens,
        output_tokens=out,
        cost_per_request=D(cost),
        requests_per_day=per_day,
    )


def snap(*items: Item, version: str = "test-1") -> Snapshot:
    return Snapshot(version, "2026-11-01", (), tuple(items))


def report(before: Snapshot, after: Snapshot, table: PriceTable, budgets: Budgets | None = None) -> CheckReport:
    r = CheckReport(before, after, diff(before, after, table, TODAY))
    evaluate(r, budgets or Budgets())
    return r


def test_a_prompt_change_is_attributed_to_the_prompt(table: PriceTable) -> None:
    # mini: $0.15 / 1M input. 1000 -> 1200 tokens is +$0.00003 per request, all prompt.
    r = report(snap(item("a.txt", "mini", 1000, "0.00015")), snap(item("a.txt", "mini", 1200, "0.00018")), table)
    [change] = r.changes
    assert (change.status, change.cause) == ("changed", "prompt")
    assert (change.price_effect, change.prompt_effect, change.delta) == (D(0), D("0.00003"), D("0.00003"))
    assert change.delta_pct == D(20)
    assert (r.prompt_effect, r.price_effect) == (D("0.03"), D(0))  # per day: x1000


def test_a_price_change_is_attributed_to_the_price(table: PriceTable) -> None:
    # The baseline priced 1000 tokens at $0.10 / 1M; today's table says $0.15.
    before = snap(item("a.txt", "mini", 1000, "0.0001"), version="old")
    r = report(before, snap(item("a.txt", "mini", 1000, "0.00015")), table)
    [change] = r.changes
    assert change.cause == "price"
    assert (change.price_effect, change.prompt_effect) == (D("0.00005"), D(0))


def test_both_effects_add_up_to_the_change(table: PriceTable) -> None:
    before = snap(item("a.txt", "mini", 1000, "0.0001"), version="old")
    r = report(before, snap(item("a.txt", "mini", 2000, "0.0003")), table)
    [change] = r.changes
    assert change.cause == "prompt + price"
    assert change.price_effect + change.prompt_effect == change.delta == D("0.0002")


def test_the_same_file_counted_differently_is_not_a_prompt_change(table: PriceTable) -> None:
    def counted(tokens: int, cost: str, sha: str, counting: str) -> Item:
        return replace(item("a.txt", "mini", tokens, cost), prompt_sha256=sha, counting=counting, count="approx")

    same_file = report(
        snap(counted(1000, "0.00015", "aa", "o200k_base")), snap(counted(1200, "0.00018", "aa", "x")), table
    )
    assert same_file.changes[0].cause == "counting"
    edited = report(snap(counted(1000, "0.00015", "aa", "x")), snap(counted(1200, "0.00018", "bb", "x")), table)
    assert edited.changes[0].cause == "prompt"
    legacy = report(snap(replace(item("a.txt", "mini", 1000, "0.00015"), count="approx")),
                    snap(counted(1200, "0.00018", "bb", "x")), table)  # fmt: skip
    assert legacy.changes[0].cause == "prompt or counting"  # a baseline without digests cannot tell
    more_output = report(
        snap(item("a.txt", "mini", 1000, "0.00015")), snap(item("a.txt", "mini", 1000, "0.00021", out=100)), table
    )
    assert more_output.changes[0].cause == "settings"


def test_a_floor_never_passes_a_budget(table: PriceTable) -> None:
    floor = ("hidden reasoning tokens (none allowed for)",)
    under = replace(item("a.txt", "mini", 1000, "0.01"), lower_bound=floor)
    over = replace(item("b.txt", "mini", 1000, "0.50"), lower_bound=floor)
    r = report(snap(under, over), snap(under, over), table, Budgets(max_cost_per_request=D("0.10")))
    results = {b.subject: (b.actual, b.status, b.note) for b in r.budgets}
    assert results["s: a.txt on mini"] == (
        None,
        "fail",
        "not evaluated: the cost is at least $0.01, a lower bound (hidden reasoning tokens (none allowed for)); "
        "set reasoning_tokens on the prompt set (0 if your requests turn reasoning off)",
    )
    assert results["s: b.txt on mini"] == (
        D("0.50"),
        "fail",
        "at least that: a lower bound (hidden reasoning tokens (none allowed for))",
    )
    per_day = report(snap(under), snap(under), table, Budgets(max_cost_per_day=D(1000)))
    assert [(b.actual, b.status) for b in per_day.budgets] == [(None, "fail")]
    grown = replace(under, input_tokens=1100, cost_per_request=D("0.011"))
    relative = report(snap(under), snap(grown), table, Budgets(max_cost_increase_pct=D(50)))
    assert {(b.subject, b.actual, b.status) for b in relative.budgets} == {
        ("s: a.txt on mini", None, "fail"),
        ("total", None, "fail"),
    }


def test_new_removed_and_a_model_that_left_the_table(table: PriceTable) -> None:
    before = snap(item("a.txt", "mini", 100, "0.1"), item("gone.txt", "retired-model", 100, "0.5"))
    after = snap(item("a.txt", "mini", 100, "0.1"), item("b.txt", "mini", 100, "0.2"))
    statuses = {(c.item.prompt, c.status) for c in report(before, after, table).changes}
    assert statuses == {("a.txt", "unchanged"), ("b.txt", "new"), ("gone.txt", "removed")}


def test_per_day_budgets_sum_each_set_and_model(table: PriceTable) -> None:
    after = snap(
        item("a.txt", "mini", 100, "0.01"), item("b.txt", "mini", 100, "0.02"), item("a.txt", "old", 1, "0.001")
    )
    r = report(after, after, table, Budgets(max_cost_per_day=D("25")))
    results = {b.subject: (b.actual, b.status) for b in r.budgets}
    assert results == {"s on mini": (D("30"), "fail"), "s on old": (D("1"), "pass")}


def test_relative_budgets_per_prompt_and_total_with_warnings(table: PriceTable) -> None:
    before = snap(item("a.txt", "mini", 1000, "0.0001"), item("b.txt", "mini", 1000, "0.0001"))
    after = snap(item("a.txt", "mini", 1060, "0.000106"), item("b.txt", "mini", 1040, "0.000104"))
    r = report(before, after, table, Budgets(max_cost_increase_pct=D(5)))
    results = {b.subject: (b.actual, b.status) for b in r.budgets}
    assert results == {
        "s: a.txt on mini": (D(6), "fail"),
        "s: b.txt on mini": (D(4), "warn"),  # at 80% of the limit or more
        "total": (D(5), "warn"),
    }
    assert [b.unit for b in r.budgets] == ["pct", "pct", "pct"] and all(b.limit == D(5) for b in r.budgets)


def test_totals_are_per_request_when_traffic_is_not_given(table: PriceTable) -> None:
    after = snap(item("a.txt", "mini", 100, "0.01", per_day=None), item("b.txt", "mini", 100, "0.02", per_day=None))
    r = report(after, after, table)
    assert (r.per_day, r.total("after")) == (False, D("0.03"))


# -- the latency gate ---------------------------------------------------------------------------------


def bench(*cells: tuple[str, Sequence[float | None]], interrupted: bool = False) -> BenchResult:
    info = RunInfo("0.2.0", None, None, "mock (built in)", "openai", "m", None, {}, "2026-11-21T00:00:00+00:00")
    info.interrupted = interrupted
    info.stop_reason = "SIGTERM" if interrupted else None
    records: list[RequestRecord] = []
    for label, samples in cells:
        i, o = (int(v) for v in label.split("x"))
        for e2e in samples:
            ok = e2e is not None
            records.append(
                RequestRecord(
                    id=len(records), cell=label, input_target=i, output_target=o, ok=ok, e2e_s=e2e,
                    ttft_s=None if e2e is None else e2e / 2, error_kind=None if ok else "http_500",
                )
            )  # fmt: skip
    return BenchResult(info, records)


LATENCY = Budgets(latency={"p90_e2e_s": D("2.0"), "p50_ttft_s": D("0.8")})


def gate(result: BenchResult, budgets: Budgets = LATENCY) -> CheckReport:
    r = CheckReport(snap(), snap(), [])
    evaluate_latency(r, result, budgets, "bench.json")
    return r


def test_latency_within_budget_passes() -> None:
    r = gate(bench(("51x1", [1.0] * 10)))
    assert [(b.budget, b.actual, b.status) for b in r.budgets] == [
        ("max_error_rate", D(0), "pass"),
        ("p50_ttft_s", D("0.5"), "pass"),
        ("p90_e2e_s", D("1.0"), "pass"),
    ]
    assert r.budgets[0].note and "default 0" in r.budgets[0].note


def test_latency_over_budget_fails() -> None:
    r = gate(bench(("51x1", [1.0] * 8 + [3.0] * 2)))  # p90 by linear interpolation: 3.0
    assert {b.budget: b.actual for b in r.failures} == {"p90_e2e_s": D("3.0")}


def test_any_failed_request_fails_by_default_and_a_budget_allows_some() -> None:
    result = bench(("51x1", [1.0] * 9 + [None]))
    assert [b.budget for b in gate(result).failures] == ["max_error_rate"]
    lenient = Budgets(latency={**LATENCY.latency, "max_error_rate": D("0.2")})
    assert gate(result, lenient).failures == []


def test_no_data_never_passes() -> None:
    empty = gate(bench())
    assert {b.budget for b in empty.failures} == {"max_error_rate", "p50_ttft_s", "p90_e2e_s"}
    assert all(b.actual is None and b.note == "the result holds no measured request" for b in empty.failures)
    all_failed = gate(bench(("51x1", [None] * 5)))
    notes = {b.budget: b.note for b in all_failed.failures}
    assert notes["p90_e2e_s"] == "no successful request in this cell"
    assert set(notes) == {"max_error_rate", "p50_ttft_s", "p90_e2e_s"}


def test_an_interrupted_run_fails_the_gate() -> None:
    r = gate(bench(("51x1", [1.0] * 10), interrupted=True))
    [failure] = r.failures
    assert failure.budget == "complete_run" and "interrupted (SIGTERM)" in (failure.note or "")


@pytest.mark.parametrize("samples", [[0.5] * 3, [0.1, 0.2, 0.3]])
def test_every_cell_is_gated_on_its_own(samples: list[float]) -> None:
    r = gate(bench(("51x1", samples), ("228x26", [5.0] * 3)))
    assert {b.subject for b in r.failures} == {"cell 228x26"}
