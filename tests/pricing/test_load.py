from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof.errors import ConfigError, PricingError, UnknownModelError, UsageError
from llmprof.pricing import PriceTable, load_table

D = Decimal


def test_resolve_by_name_alias_and_case(table: PriceTable) -> None:
    assert table.resolve("mini").name == "mini"
    assert table.resolve("MINI-2024-07-18").name == "mini"


def test_unknown_model_suggests_close_names(table: PriceTable) -> None:
    with pytest.raises(UnknownModelError) as err:
        table.resolve("minni")
    assert err.value.suggestions == ["mini"]
    assert err.value.hint == "did you mean mini?"


def test_as_of_picks_the_period_in_force(table: PriceTable) -> None:
    old = table.resolve("old")
    assert old.period_on(dt.date(2023, 4, 1)).rates.input == D("2.00")
    assert old.period_on(dt.date(2023, 11, 6)).rates.input == D("1.00")
    with pytest.raises(
        PricingError, match="old was not yet released on 2022-01-01: its first price dates from 2023-03-01"
    ):
        old.period_on(dt.date(2022, 1, 1))


def test_overlay_inherits_and_replaces(table_path: Path, write: Callable[[str, str], Path]) -> None:
    overlay = write(
        "mine.yaml",
        """\
        schema_version: 1
        version: acme-negotiated
        models:
          mini:
            prices:
              - since: 2026-01-01
                input: 0.10
                output: 0.40
          ft:acme:
            provider: openai
            tokenizer: o200k_base
            prices:
              - since: 2026-01-01
                input: 0.30
                output: 1.20
        """,
    )
    merged = load_table(overlay=overlay, base=table_path)
    assert merged.version == "test-1+acme-negotiated"
    mini = merged.resolve("mini-2024-07-18")  # aliases inherited from the base entry
    assert mini.period_on(dt.date(2026, 2, 1)).rates.input == D("0.10")
    assert mini.context_window == 128000
    assert merged.resolve("ft:acme").provider == "openai"
    assert [f.path for f in merged.files] == [str(table_path), str(overlay)]


def test_replace_mode_uses_only_the_users_models(table_path: Path, write: Callable[[str, str], Path]) -> None:
    own = write(
        "own.yaml",
        """\
        schema_version: 1
        mode: replace
        version: private-1
        date: 2026-10-01
        models:
          local:
            provider: vllm
            tokenizer: llama
            prices:
              - {since: 2026-01-01, input: 0.01, output: 0.02}
        """,
    )
    table = load_table(overlay=own, base=table_path)
    assert list(table.models) == ["local"]
    assert table.version == "private-1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "models:\n  x:\n    provider: a\n    tokenizer: b\n    prices:\n      - {since: 2024-01-01, input: 1}\n",
            r"bad.yaml:7: models.x.prices\[0\]: missing required key 'output'",
        ),
        (
            "models:\n  x:\n    provider: a\n    tokenizer: b\n    prices:\n      - {since: 2024-01-01, input: 0, output: 1}\n",
            r"bad.yaml:7: models.x.prices\[0\].input: must be greater than 0",
        ),
        (
            "models:\n  x:\n    provider: a\n    tokenizer: b\n    price: []\n",
            r"bad.yaml:6: models.x.price: unknown key",
        ),
        (
            "models:\n  x:\n    provider: a\n    tokenizer: b\n    prices:\n      - {since: 2024-01-01, input: cheap, output: 1}\n",
            r"bad.yaml:7: models.x.prices\[0\].input: expected a number, got 'cheap'",
        ),
        (
            "models:\n  x:\n    provider: a\n    tokenizer: b\n    aliases: [mini]\n    prices:\n      - {since: 2024-01-01, input: 1, output: 1}\n",
            r"alias 'mini' already names mini",
        ),
        ("schema_version: 3\nmodels: {}\n", r"bad.yaml:1: schema_version: this llmprof reads schemas 1, 2"),
        (
            "models:\n  x:\n    provider: a\n    tokenizer: b\n    prices:\n      - since: 2024-01-01\n"
            "        input: 1\n        output: 1\n        tiers:\n          - {from: 10, above: 10, input: 2}\n",
            r"a tier needs exactly one of from: \(prompt >= N tokens\) and above: \(prompt > N tokens\)",
        ),
        (
            "models:\n  x:\n    provider: a\n    tokenizer: b\n    prices:\n      - since: 2024-01-01\n"
            "        input: 1\n        output: 1\n        cache_write: {5min: 2}\n",
            r"'5min' is not a cache lifetime",
        ),
        (
            "models:\n  x:\n    provider: a\n    tokenizer: b\n    prices:\n      - since: 2024-01-01\n"
            "        input: 1\n        output: 1\n        time_of_day:\n          - {label: night, utc: '25:00-01:00', input: 1}\n",
            r"'25:00-01:00' is not a time range",
        ),
        (
            "models:\n  x:\n    provider: a\n    kind: image\n    tokenizer: b\n    prices: []\n",
            r"unknown kind 'image'",
        ),
        ("models:\n  x: [1\n", r"bad.yaml:4:1: "),
    ],
)
def test_validation_errors_name_file_line_and_fix(
    table_path: Path, write: Callable[[str, str], Path], body: str, message: str
) -> None:
    text = body if body.startswith("schema_version") else "schema_version: 1\n" + body
    bad = write("bad.yaml", text)
    with pytest.raises(ConfigError, match=message.replace("bad.yaml", str(bad))):
        load_table(overlay=bad, base=table_path)


def test_missing_pricing_file(table_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such file"):
        load_table(overlay=tmp_path / "nope.yaml", base=table_path)


def test_models_on_a_day_filtered_by_provider(table: PriceTable) -> None:
    names = [m.name for m, _ in table.on(dt.date(2024, 1, 1))]
    assert names == ["old"]
    assert [m.name for m, _ in table.on(dt.date(2026, 1, 1), "google")] == ["long"]
    with pytest.raises(UsageError, match="unknown provider 'nope'"):
        table.on(dt.date(2026, 1, 1), "nope")


def test_one_staleness_rule_with_a_configurable_age(table: PriceTable) -> None:
    assert table.staleness(dt.date(2026, 12, 1)) is None
    assert table.staleness(dt.date(2027, 3, 1)) == (
        "pricing table test-1 (checked 2026-11-01) is 120 days old (more than 90); providers change prices often"
    )
    assert table.staleness(dt.date(2026, 12, 1), max_age_days=10) is not None


def test_the_loaded_table_is_cached_per_file_contents(table_path: Path) -> None:
    assert load_table(base=table_path) is load_table(base=table_path)
    table_path.write_text(table_path.read_text().replace('"test-1"', '"test-2"'))
    assert load_table(base=table_path).version == "test-2"


def test_schema_1_files_are_read(table_path: Path, write: Callable[[str, str], Path]) -> None:
    old = write(
        "v1.yaml",
        "schema_version: 1\nversion: v1\nmodels:\n  mini:\n    prices:\n      - {since: 2026-01-01, input: 0.1, output: 0.2}\n",
    )
    assert load_table(overlay=old, base=table_path).resolve("mini").periods[-1].rates.input == D("0.1")


def test_bundled_table_loads_and_is_complete() -> None:
    table = load_table()
    assert len(table.models) >= 5
    for model in table.models.values():
        assert model.source and model.checked, model.name
        for period in model.periods:
            assert period.rates.input > 0
            assert (period.rates.output is None) is (model.kind == "embedding"), model.name


def test_lifecycle_warnings() -> None:
    from llmprof.pricing import ModelPrice, PricePeriod, Rates

    model = ModelPrice(
        name="old-model",
        provider="openai",
        tokenizer="o200k_base",
        periods=(PricePeriod(since=dt.date(2024, 1, 1), rates=Rates(input=D(1), output=D(2))),),
        shutdown=dt.date(2026, 12, 11),
    )
    assert model.lifecycle(dt.date(2026, 1, 1)) is None
    assert model.lifecycle(dt.date(2026, 11, 21)) == "old-model shuts down on 2026-12-11, in 20 days"
    assert model.lifecycle(dt.date(2026, 12, 11)) == (
        "old-model was shut down on 2026-12-11: these are its last prices, for a model you can no longer call"
    )


def test_pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmprof import dates

    monkeypatch.setenv("LLMPROF_TODAY", "2030-01-02")
    assert dates.today() == dt.date(2030, 1, 2)
    assert dates.now() == dt.datetime(2030, 1, 2, 12, 0, tzinfo=dt.timezone.utc)  # a pinned day is its noon UTC
    monkeypatch.setenv("LLMPROF_TODAY", "2030-01-02T17:45Z")
    assert dates.now() == dt.datetime(2030, 1, 2, 17, 45, tzinfo=dt.timezone.utc)
    monkeypatch.setenv("LLMPROF_TODAY", "soon")
    with pytest.raises(UsageError, match="LLMPROF_TODAY='soon' is not a date"):
        dates.today()
