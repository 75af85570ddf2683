from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof.bench.settings import parse_percentiles, resolve
from llmprof.config import Config, Endpoint
from llmprof.errors import ConfigError, UsageError

Write = Callable[[str, str], Path]


def test_defaults_are_the_reference_table_on_the_mock() -> None:
    s = resolve({}, None, Config())
    assert s.is_mock and s.model == "gpt-3.5-turbo"
    assert [c.label for c in s.cells] == ["51x1", "232x1", "228x26"]
    assert (s.runs, s.warmup, s.concurrency, s.percentiles) == (20, 4, 4, (50.0, 75.0, 90.0))
    assert s.max_cost == Decimal("1.00")


def test_flags_override_the_suite(write: Write) -> None:
    suite = write(
        "suite.yaml",
        """\
        name: nightly
        model: gpt-4o-mini
        runs: 5
        cells: [100x10, 200x20]
        mock: {preset: fast, seed: 3}
        """,
    )
    s = resolve({"runs": 7, "mock": {"jitter": 0.0}}, suite, Config())
    assert (s.suite, s.model, s.runs) == ("nightly", "gpt-4o-mini", 7)
    assert [c.label for c in s.cells] == ["100x10", "200x20"]
    assert (s.mock.preset, s.mock.seed, s.mock.jitter) == ("fast", 3, 0.0)


def test_suite_errors_name_the_file_and_key(write: Write) -> None:
    suite = write("bad.yaml", "runz: 5\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:1: runz: unknown key") as err:
        resolve({}, suite, Config())
    assert err.value.hint == "did you mean 'runs'?"


def test_named_endpoint_from_config() -> None:
    config = Config(
        endpoints={"vllm": Endpoint("vllm", "http://localhost:8000/v1", "openai", "llama", "VLLM_KEY", "gpt-4o-mini")}
    )
    s = resolve({"endpoint": "vllm"}, None, config)
    assert (s.endpoint.url, s.model, s.price_as, s.endpoint.api_key_env) == (
        "http://localhost:8000/v1",
        "llama",
        "gpt-4o-mini",
        "VLLM_KEY",
    )


def test_url_endpoint_needs_a_model_and_names_must_exist() -> None:
    with pytest.raises(UsageError, match="no model given"):
        resolve({"endpoint": "http://localhost:8000/v1"}, None, Config())
    with pytest.raises(UsageError, match="neither a URL nor a named endpoint"):
        resolve({"endpoint": "prod"}, None, Config())


def test_rate_means_open_loop_without_a_cap() -> None:
    s = resolve({"rate": 5.0}, None, Config())
    assert s.rate == 5.0 and s.concurrency is None and s.arrival == "poisson"


def test_cross_product_needs_both_lists() -> None:
    s = resolve({"input_tokens": "100,1000", "output_tokens": "1,50"}, None, Config())
    assert [c.label for c in s.cells] == ["100x1", "100x50", "1000x1", "1000x50"]
    with pytest.raises(UsageError, match="go together"):
        resolve({"input_tokens": "100"}, None, Config())


@pytest.mark.parametrize(("text", "expected"), [("50,90,99", (50.0, 90.0, 99.0)), ("p50, p99.9", (50.0, 99.9))])
def test_percentiles(text: str, expected: tuple[float, ...]) -> None:
    assert parse_percentiles(text) == expected


@pytest.mark.parametrize("bad", ["", "50,abc", "0,50", "100"])
def test_bad_percentiles(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_percentiles(bad)
