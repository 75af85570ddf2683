from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof.errors import ConfigError, PricingError, UnknownModelError, UsageError
from llmprof.pricing import PriceTable, load_table, models_on, price_request, warnings

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
    with pytest.raises(PricingError, match="old had no price on 2022-01-01"):
        old.period_on(dt.date(2022, 1, 1))


def test_exact_decimal_costs(table: PriceTable) -> None:
    old = table.resolve("old")
    cost = price_request(old, old.period_on(dt.date(2023, 4, 1)), input_tokens=500, output_tokens=200)
    assert cost.total * 10_000 == D("14.00")
    assert (cost.input, cost.output) == (D("0.001"), D("0.0004"))


def test_cached_and_batch_rates(table: PriceTable) -> None:
    mini = table.resolve("mini")
    period = mini.period_on(dt.date(2026, 1, 1))
    cost = price_request(mini, period, input_tokens=1_000_000, output_tokens=0, cached_input_tokens=400_000)
    assert cost.input == D("0.6") * D("0.15") + D("0.4") * D("0.075")
    assert cost.cached_input == D("0.03")
    batch = price_request(mini, period, input_tokens=1_000_000, output_tokens=1_000_000, batch=True)
    assert (batch.input, batch.output) == (D("0.075"), D("0.30"))


def test_missing_rate_is_an_error_not_zero(table: PriceTable) -> None:
    old = table.resolve("old")
    period = old.period_on(dt.date(2024, 1, 1))
    with pytest.raises(PricingError, match="old has no cached_input rate"):
        price_request(old, period, input_tokens=10, output_tokens=0, cached_input_tokens=5)
    with pytest.raises(PricingError, match="old has no batch rates"):
        price_request(old, period, input_tokens=10, output_tokens=0, batch=True)


def test_long_context_tier_bills_the_whole_request(table: PriceTable) -> None:
    long = table.resolve("long")
    period = long.period_on(dt.date(2026, 1, 1))
    below = price_request(long, period, input_tokens=200_000, output_tokens=1000)
    assert below.tier_above is None
    assert below.input == D("0.25")
    above = price_request(long, period, input_tokens=200_001, output_tokens=1000)
    assert above.tier_above == 200_000
    assert above.input == D("200001") * D("2.50") / 1_000_000
    assert above.output == D("0.015")
    with pytest.raises(PricingError, match="no batch rates for prompts over 200,000 tokens"):
        price_request(long, period, input_tokens=300_000, output_tokens=0, batch=True)


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
        ("schema_version: 2\nmodels: {}\n", r"bad.yaml:1: schema_version: this llmprof reads schema 1"),
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


def test_models_on_filters_by_date_and_provider(table: PriceTable) -> None:
    names = [m.name for m, _ in models_on(table, dt.date(2024, 1, 1))]
    assert names == ["old"]
    assert [m.name for m, _ in models_on(table, dt.date(2026, 1, 1), "google")] == ["long"]
    with pytest.raises(UsageError, match="unknown provider 'nope'"):
        models_on(table, dt.date(2026, 1, 1), "nope")


def test_stale_table_warns_with_its_age(table: PriceTable) -> None:
    assert warnings(table, dt.date(2026, 12, 1)) == []
    [(message, _hint)] = warnings(table, dt.date(2027, 3, 1))
    assert message == "pricing table test-1 (checked 2026-11-01) is 120 days old; providers change prices often"


def test_bundled_table_loads_and_is_complete() -> None:
    table = load_table()
    assert len(table.models) >= 5
    for model in table.models.values():
        assert model.source and model.checked, model.name
        for period in model.periods:
            assert period.rates.input > 0 and period.rates.output > 0


def test_lifecycle_warnings() -> None:
    from llmprof.pricing import ModelPrice, PricePeriod, Rates

    model = ModelPrice(
        "old-model",
        "openai",
        "o200k_base",
        (PricePeriod(dt.date(2024, 1, 1), Rates(D(1), D(2))),),
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
    monkeypatch.setenv("LLMPROF_TODAY", "soon")
    with pytest.raises(UsageError, match="LLMPROF_TODAY='soon' is not a date"):
        dates.today()
