"""Everything a bench run needs, resolved once: flag > suite file > llmprof.yaml > default.

A suite file (``benchmarks/suites/*.yaml``) holds the same settings as the flags, so a
benchmark can be committed and re-run; ``endpoint`` may name an entry of ``llmprof.yaml``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmprof.bench.plan import REFERENCE_CELLS, Cell, cross, parse_cells
from llmprof.bench.providers import PROVIDERS
from llmprof.config import Config, Endpoint
from llmprof.errors import UsageError
from llmprof.mock import MockSettings
from llmprof.yamlio import Section, load_yaml

MOCK = "mock"
DEFAULT_MODEL = "gpt-3.5-turbo"  # what the reference table measured; the mock answers as it
SUITE_KEYS = (
    "name",
    "endpoint",
    "provider",
    "model",
    "api_key_env",
    "cells",
    "input_tokens",
    "output_tokens",
    "runs",
    "warmup",
    "concurrency",
    "rate",
    "arrival",
    "stream",
    "timeout",
    "max_retries",
    "max_cost",
    "percentiles",
    "price_as",
    "force_length",
    "seed",
    "mock",
    "ramp_up",
)
MOCK_KEYS = tuple(f.name for f in dataclasses.fields(MockSettings))


@dataclass(frozen=True)
class BenchSettings:
    endpoint: Endpoint  # url None: the built-in mock
    model: str
    cells: list[Cell]
    runs: int = 20
    warmup: int = 1
    concurrency: int | None = 4
    rate: float | None = None
    arrival: str = "poisson"
    stream: bool = True
    timeout_s: float = 60.0
    max_retries: int = 2
    max_cost: Decimal = Decimal("1.00")
    yes: bool = False
    percentiles: tuple[float, ...] = (50.0, 75.0, 90.0)
    price_as: str | None = None
    force_length: bool | None = None  # None: only for self-hosted OpenAI-compatible servers
    seed: int | None = None
    ramp_up_s: float = 0.0
    mock: MockSettings = field(default_factory=MockSettings)
    suite: str | None = None

    @property
    def is_mock(self) -> bool:
        return self.endpoint.url is None

    def public(self) -> dict[str, Any]:
        """The settings as recorded in results: plain values, no secrets (keys are never here)."""
        return {
            "suite": self.suite,
            "cells": [c.label for c in self.cells],
            "runs": self.runs,
            "warmup": self.warmup,
            "concurrency": self.concurrency,
            "rate": self.rate,
            "arrival": self.arrival if self.rate else None,
            "stream": self.stream,
            "timeout_s": self.timeout_s,
            "max_retries": self.max_retries,
            "percentiles": list(self.percentiles),
            "force_length": self.force_length,
            "seed": self.seed,
            "ramp_up_s": self.ramp_up_s,
            "mock": dataclasses.asdict(self.mock) if self.is_mock else None,
        }


def parse_percentiles(text: str | list[Any]) -> tuple[float, ...]:
    items = text.split(",") if isinstance(text, str) else text
    try:
        values = tuple(float(str(v).strip().lstrip("p")) for v in items if str(v).strip())
    except ValueError:
        raise UsageError(f"{text!r} is not a list of percentiles", "write e.g. 50,75,90,99") from None
    if not values or any(not 0 < v < 100 for v in values):
        raise UsageError(f"percentiles must be between 0 and 100, got {text!r}", "write e.g. 50,75,90,99")
    return values


def resolve(flags: dict[str, Any], suite_path: Path | None, config: Config) -> BenchSettings:
    """Merge flags (None = not given) over the suite file over the config's endpoint."""
    suite = _suite(suite_path) if suite_path else {}

    def pick(key: str, default: Any = None) -> Any:
        value = flags.get(key)
        return value if value is not None else suite.get(key, default)

    endpoint = _endpoint(pick("endpoint"), pick("provider"), pick("api_key_env"), config)
    model = pick("model") or endpoint.model or (DEFAULT_MODEL if endpoint.url is None else None)
    if not model:
        raise UsageError("no model given for this endpoint", "pass -m MODEL (the endpoint's model name)")
    cells = _cells(flags, suite)
    rate = pick("rate")
    concurrency = pick("concurrency", None if rate else 4)
    return BenchSettings(
        endpoint=endpoint,
        model=model,
        cells=cells,
        runs=_positive(pick("runs", 20), "runs"),
        # One warmup per connection by default, so measured requests never pay for a handshake.
        warmup=_positive(pick("warmup", concurrency or 1), "warmup", minimum=0),
        concurrency=_positive(concurrency, "concurrency") if concurrency is not None else None,
        rate=_rate(rate),
        arrival=_arrival(pick("arrival", "poisson")),
        stream=bool(pick("stream", True)),
        timeout_s=float(pick("timeout", 60.0)),
        max_retries=_positive(pick("max_retries", 2), "max_retries", minimum=0),
        max_cost=Decimal(str(pick("max_cost", "1.00"))),
        yes=bool(flags.get("yes")),
        percentiles=parse_percentiles(pick("percentiles", "50,75,90")),
        price_as=pick("price_as") or endpoint.price_as,
        force_length=pick("force_length"),
        seed=pick("seed"),
        ramp_up_s=_non_negative(pick("ramp_up", 0.0), "ramp-up"),
        mock=_mock(flags.get("mock") or {}, suite.get("mock") or {}),
        suite=suite.get("name") or (suite_path.stem if suite_path else None),
    )


def _suite(path: Path) -> dict[str, Any]:
    data = load_yaml(path)
    doc = Section(str(path), {} if data is None else data)
    doc.check_keys(SUITE_KEYS)
    values: dict[str, Any] = {}
    for key in doc:
        if key == "mock":
            mock = doc.section("mock")
            mock.check_keys(MOCK_KEYS)
            values["mock"] = {k: mock.data[k] for k in mock}
        elif key in ("cells", "input_tokens", "output_tokens", "percentiles"):
            raw = doc.data[key]
            values[key] = raw if isinstance(raw, (list, str)) else str(raw)
        elif key in ("runs", "warmup", "concurrency", "max_retries", "seed"):
            values[key] = doc.integer(key)
        elif key in ("rate", "timeout", "max_cost", "ramp_up"):
            values[key] = float(doc.decimal(key)) if key != "max_cost" else doc.decimal(key)
        elif key in ("stream", "force_length"):
            values[key] = doc.flag(key)
        else:
            values[key] = doc.text(key)
    return values


def _endpoint(name: str | None, provider: str | None, key_env: str | None, config: Config) -> Endpoint:
    if provider is not None and provider not in PROVIDERS:
        raise UsageError(f"unknown provider {provider!r}", f"use one of: {', '.join(PROVIDERS)}")
    if name is None or name == MOCK:
        return Endpoint(MOCK, None, provider or "openai", api_key_env=key_env)
    named = config.endpoints.get(name)
    if named is not None:
        return dataclasses.replace(named, provider=provider or named.provider, api_key_env=key_env or named.api_key_env)
    if "://" not in name:
        known = ", ".join(sorted(config.endpoints)) or "none configured"
        raise UsageError(
            f"endpoint {name!r} is neither a URL nor a named endpoint in llmprof.yaml ({known})",
            "pass a base URL such as http://localhost:8000/v1, or add it under endpoints: in llmprof.yaml",
        )
    return Endpoint(name, name, provider or "openai", api_key_env=key_env)


def _cells(flags: dict[str, Any], suite: dict[str, Any]) -> list[Cell]:
    for source in (flags, suite):
        if source.get("cells"):
            return parse_cells(source["cells"])
        if source.get("input_tokens") or source.get("output_tokens"):
            inputs, outputs = source.get("input_tokens"), source.get("output_tokens")
            if not inputs or not outputs:
                raise UsageError("--input-tokens and --output-tokens go together", "give both, e.g. 100,1000 and 1,50")
            return cross(_ints(inputs, "--input-tokens"), _ints(outputs, "--output-tokens"))
    return parse_cells(list(REFERENCE_CELLS))


def _ints(value: str | list[Any], name: str) -> list[int]:
    items = value.split(",") if isinstance(value, str) else value
    try:
        return [int(str(v).strip()) for v in items if str(v).strip()]
    except ValueError:
        raise UsageError(f"{name} {value!r} is not a list of whole numbers", f"write e.g. {name} 100,1000") from None


def _positive(value: Any, name: str, minimum: int = 1) -> int:
    number = int(value)
    if number < minimum:
        raise UsageError(f"{name.replace('_', '-')} must be at least {minimum}, got {number}")
    return number


def _non_negative(value: Any, name: str) -> float:
    number = float(value)
    if number < 0:
        raise UsageError(f"--{name} must not be negative, got {value}")
    return number


def _rate(value: Any) -> float | None:
    if value is None:
        return None
    rate = float(value)
    if rate <= 0:
        raise UsageError(f"--rate must be more than 0 requests/s, got {value}")
    return rate


def _arrival(value: str) -> str:
    if value not in ("poisson", "constant"):
        raise UsageError(f"unknown arrival {value!r}", "use poisson or constant")
    return value


def _mock(flags: dict[str, Any], suite: dict[str, Any]) -> MockSettings:
    merged = {**suite, **{k: v for k, v in flags.items() if v is not None}}
    try:
        return MockSettings(**merged)
    except TypeError as exc:
        raise UsageError(f"invalid mock settings: {exc}") from exc
