"""Workload items in a baseline: kept apart from prompt items, and their changes attributed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof import config
from llmprof.check.evaluate import diff
from llmprof.check.items import Item, Snapshot, load, save
from llmprof.errors import ConfigError
from llmprof.pricing import PriceTable


def _item(cost: str, sha: str = "a", tokens: int = 4206) -> Item:
    return Item(
        set="support", prompt="support", model="mini", count="exact", requests=6, input_tokens=tokens,
        output_tokens=900, cost_per_request=Decimal(cost), requests_per_day=1000, prompt_sha256=sha, kind="workload",
    )  # fmt: skip


def test_a_workload_item_round_trips_and_prompt_items_stay_as_they_were(tmp_path: Path) -> None:
    snap = Snapshot("v1", "2026-11-01", (), (_item("0.001"),))
    save(tmp_path / "b.json", snap)
    assert load(tmp_path / "b.json").items[0].kind == "workload"
    plain = Item("s", "p.txt", "mini", "exact", 1, 10, 5, Decimal(1))
    assert "kind" not in plain.to_json()


@pytest.mark.parametrize(
    ("after", "versions", "cause", "price"),
    [
        (_item("0.002"), ("v1", "v2"), "price", Decimal("0.001")),  # same files and tokens, new table
        (_item("0.002", sha="b"), ("v1", "v2"), "workload", Decimal(0)),  # the file changed: not split
        (_item("0.002", tokens=5000), ("v1", "v1"), "workload", Decimal(0)),
    ],
)
def test_a_workload_change_is_the_prices_only_when_nothing_else_moved(
    table: PriceTable, after: Item, versions: tuple[str, str], cause: str, price: Decimal
) -> None:
    before = Snapshot(versions[0], "2026-11-01", (), (_item("0.001"),))
    now = Snapshot(versions[1], "2026-11-01", (), (after,))
    [change] = diff(before, now, table, dt.date(2026, 11, 21))
    assert (change.cause, change.price_effect, change.delta) == (cause, price, Decimal("0.001"))


def test_a_missing_workload_file_is_a_config_error(write: Callable[[str, str], Path]) -> None:
    path = write("llmprof.yaml", "workloads: [nope.yaml]\n")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert caught.value.message == f"{path}:1: workloads: no such workload file: {path.parent / 'nope.yaml'}"
    assert caught.value.hint == "write paths relative to the config file."
