from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof.bench import defaults
from llmprof.bench.plan import Cell, parse_cells
from llmprof.bench.settings import BenchOptions, cells_from_lengths, parse_percentiles, read_suite, resolve_settings
from llmprof.config import Config, NamedEndpoint
from llmprof.errors import ConfigError, UsageError

Write = Callable[[str, str], Path]


def test_defaults_are_the_reference_table_on_the_mock() -> None:
    s = resolve_settings(BenchOptions(), None, Config())
    assert s.is_mock and s.model == "gpt-3.5-turbo" and s.endpoint.kind == "mock"
    assert [c.label for c in s.cells] == ["51x1", "232x1", "228x26"]
    assert (s.runs, s.warmup, s.concurrency, s.percentiles) == (20, 4, 4, (50.0, 75.0, 90.0))
    assert (s.max_cost, s.max_error_rate, s.timeout_s, s.max_retries) == (Decimal("1.00"), 0.5, 60.0, 2)
    assert s.force_length  # the mock understands ignore_eos/min_tokens


def test_the_settings_dataclass_defaults_are_the_resolved_defaults() -> None:
    """Each default is written once (bench/defaults.py): the resolver and the type agree."""
    resolved = resolve_settings(BenchOptions(), None, Config())
    from llmprof.bench.settings import BenchSettings

    plain = BenchSettings(endpoint=resolved.endpoint, model=resolved.model, cells=resolved.cells)
    for name in (
        "runs",
        "warmup",
        "concurrency",
        "timeout_s",
        "max_retries",
        "max_cost",
        "max_error_rate",
        "percentiles",
    ):
        assert getattr(plain, name) == getattr(resolved, name), name
    assert plain.runs == defaults.RUNS and plain.concurrency == defaults.CONCURRENCY


def test_flags_override_the_suite(write: Write) -> None:
    suite = write(
        "suite.yaml",
        """\
        name: nightly
        model: gpt-4o-mini
        runs: 5
        cells: [100x10, 200x20]
        max_error_rate: 0.1
        mock: {preset: fast, seed: 3, jitter: 0.25}
        """,
    )
    s = resolve_settings(BenchOptions(runs=7, mock={"jitter": 0.0}), suite, Config())
    assert (s.suite, s.model, s.runs, s.max_error_rate) == ("nightly", "gpt-4o-mini", 7, 0.1)
    assert [c.label for c in s.cells] == ["100x10", "200x20"]
    assert (s.mock.preset, s.mock.seed, s.mock.jitter) == ("fast", 3, 0.0)


def test_a_suite_reads_as_the_same_options_as_flags(write: Write) -> None:
    suite = write("s.yaml", "input_tokens: [100, 1000]\noutput_tokens: 1,50\npercentiles: [50, 99]\nrate: 2.5\n")
    options = read_suite(suite)
    assert options.cells == cells_from_lengths("100,1000", "1,50")
    assert (options.percentiles, options.rate) == ((50.0, 99.0), 2.5)


def test_suite_errors_name_the_file_and_key(write: Write) -> None:
    suite = write("bad.yaml", "runz: 5\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:1: runz: unknown key") as err:
        resolve_settings(BenchOptions(), suite, Config())
    assert err.value.hint == "did you mean 'runs'?"
    with pytest.raises(ConfigError, match=r"runs: expected a whole number"):
        read_suite(write("bad2.yaml", "runs: many\n"))


def test_named_endpoint_from_config() -> None:
    config = Config(
        endpoints={
            "vllm": NamedEndpoint(
                name="vllm",
                url="http://localhost:8000/v1",
                provider="openai",
                model="llama",
                api_key_env="VLLM_KEY",
                price_as="gpt-4o-mini",
            )
        }
    )
    s = resolve_settings(BenchOptions(endpoint="vllm"), None, config)
    assert (s.endpoint.url, s.model, s.price_as, s.endpoint.key_env, s.endpoint.kind) == (
        "http://localhost:8000/v1",
        "llama",
        "gpt-4o-mini",
        "VLLM_KEY",
        "local",
    )


@pytest.mark.parametrize(
    ("url", "kind", "force"),
    [
        ("http://127.0.0.1:8000/v1", "local", True),
        ("http://10.1.2.3:8000/v1", "local", True),
        ("https://api.openai.com/v1", "remote", False),
    ],
)
def test_the_endpoint_kind_is_decided_once(url: str, kind: str, force: bool) -> None:
    s = resolve_settings(BenchOptions(endpoint=url, model="m"), None, Config())
    assert (s.endpoint.kind, s.endpoint.metered, s.force_length) == (kind, kind == "remote", force)
    assert s.endpoint.key_env == "OPENAI_API_KEY"


def test_credentials_never_show_in_the_endpoint_display() -> None:
    s = resolve_settings(
        BenchOptions(endpoint="https://user:pw-123456789@h.example/v1?key=K-123456789", model="m"), None, Config()
    )
    assert s.endpoint.display == "https://h.example/v1"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://host/v1", "speaks http and https, not ftp"),
        ("http://127.0.0.1:99999/v1", "not a valid URL"),
        ("http:///v1", "has no host"),
    ],
)
def test_bad_urls_are_usage_errors(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_settings(BenchOptions(endpoint=url, model="m"), None, Config())


def test_url_endpoint_needs_a_model_and_names_must_exist() -> None:
    with pytest.raises(UsageError, match="no model given"):
        resolve_settings(BenchOptions(endpoint="http://localhost:8000/v1"), None, Config())
    with pytest.raises(UsageError, match="neither a URL nor a named endpoint"):
        resolve_settings(BenchOptions(endpoint="prod"), None, Config())


def test_rate_means_open_loop_without_a_cap() -> None:
    s = resolve_settings(BenchOptions(rate=5.0), None, Config())
    assert s.rate == 5.0 and s.concurrency is None and s.arrival == "poisson" and s.warmup == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (BenchOptions(rate=float("inf")), "--rate must be a positive number"),
        (BenchOptions(max_error_rate=1.5), "--max-error-rate must be between 0 and 1"),
        (BenchOptions(ramp_up_s=-1.0), "--ramp-up must be 0 or more"),
        (BenchOptions(arrival="bursty"), "unknown arrival 'bursty'"),
        (BenchOptions(provider="cohere"), "unknown provider 'cohere'"),
    ],
)
def test_bad_values_are_refused(options: BenchOptions, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_settings(options, None, Config())


def test_cross_product_needs_both_lists() -> None:
    assert [c.label for c in cells_from_lengths("100,1000", "1,50")] == ["100x1", "100x50", "1000x1", "1000x50"]
    with pytest.raises(UsageError, match="go together"):
        cells_from_lengths("100", None)


def test_cells_parse_and_refuse() -> None:
    assert parse_cells("51x1, 232 × 1") == [Cell(51, 1), Cell(232, 1)]
    for bad in ("51", "51x0", "51x1,51x1"):
        with pytest.raises(UsageError):
            parse_cells(bad)


@pytest.mark.parametrize(("text", "expected"), [("50,90,99", (50.0, 90.0, 99.0)), ("p50, p99.9", (50.0, 99.9))])
def test_percentiles(text: str, expected: tuple[float, ...]) -> None:
    assert parse_percentiles(text) == expected


@pytest.mark.parametrize("bad", ["", "50,abc", "0,50", "100"])
def test_bad_percentiles(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_percentiles(bad)
