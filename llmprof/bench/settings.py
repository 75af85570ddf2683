"""Everything a bench run needs, resolved once: flag > suite file > llmprof.yaml > default.

Flags and suite files (``benchmarks/suites/*.yaml``) both produce a :class:`BenchOptions`, the
typed "what the user said" (None: not said). :func:`resolve_settings` lays them over each other
and over the config's named endpoint, fills every gap from :mod:`llmprof.bench.defaults`, checks
every value, and decides once what kind of endpoint this is (the mock, a local server, a remote
metered API). Nothing downstream reads a flag again.
"""

from __future__ import annotations

import dataclasses
import os
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmprof.apis import APIS, check_api
from llmprof.bench import defaults
from llmprof.bench.plan import ORDERS, Cell, cross, parse_cells
from llmprof.bench.slo import Objective, parse_slo
from llmprof.bench.workers import auto_workers
from llmprof.config import Config
from llmprof.errors import UsageError
from llmprof.mock import MockSettings
from llmprof.net import EndpointKind, checked_url, kind_of, public_url
from llmprof.secrets import register_url
from llmprof.yamlio import Section, load_yaml

ARRIVALS = ("poisson", "constant")
MOCK_FIELDS = tuple(f.name for f in dataclasses.fields(MockSettings))


@dataclass(frozen=True, kw_only=True)
class BenchOptions:
    """What the user asked for, from flags or a suite file; None means "not said"."""

    name: str | None = None  # the suite's name
    endpoint: str | None = None  # a URL, a name from llmprof.yaml, or "mock"
    provider: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    cells: tuple[Cell, ...] | None = None
    runs: int | None = None
    warmup: int | None = None
    concurrency: int | None = None
    ramp_up_s: float | None = None
    rate: float | None = None
    arrival: str | None = None
    stream: bool | None = None
    timeout_s: float | None = None
    max_retries: int | None = None
    max_cost: Decimal | None = None
    max_error_rate: float | None = None
    yes: bool | None = None
    percentiles: tuple[float, ...] | None = None
    price_as: str | None = None
    force_length: bool | None = None
    seed: int | None = None
    order: str | None = None
    workers: int | None = None
    cache_prefix: int | None = None
    slo: tuple[Objective, ...] | None = None
    sweep: bool | None = None
    mock: dict[str, Any] = field(default_factory=dict)  # MockSettings fields

    def over(self, lower: BenchOptions) -> BenchOptions:
        """These options, with ``lower``'s filling what these leave unsaid."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for f in dataclasses.fields(self):
            if values[f.name] is None:
                values[f.name] = getattr(lower, f.name)
        values["mock"] = {**lower.mock, **self.mock}
        return BenchOptions(**values)


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """Where requests go, and what kind of place that is (decided here, once)."""

    name: str
    url: str | None  # None: the built-in mock, whose URL is known once it has started
    kind: EndpointKind
    provider: str
    key_env: str  # the environment variable holding its key

    @property
    def display(self) -> str:
        """How the endpoint is named in tables and files: never with credentials."""
        return "mock (built in)" if self.url is None else public_url(self.url)

    @property
    def metered(self) -> bool:
        return self.kind == "remote"


@dataclass(frozen=True, kw_only=True)
class BenchSettings:
    endpoint: Endpoint
    model: str
    cells: tuple[Cell, ...]
    runs: int = defaults.RUNS
    warmup: int = defaults.CONCURRENCY
    concurrency: int | None = defaults.CONCURRENCY  # None: no cap (open loop)
    rate: float | None = None  # requests/s: open loop
    arrival: str = defaults.ARRIVAL
    stream: bool = True
    timeout_s: float = defaults.TIMEOUT_S
    max_retries: int = defaults.MAX_RETRIES
    max_cost: Decimal = defaults.MAX_COST
    max_error_rate: float = defaults.MAX_ERROR_RATE
    yes: bool = False
    percentiles: tuple[float, ...] = defaults.PERCENTILES
    price_as: str | None = None
    force_length: bool = False
    seed: int = 0  # always concrete: a run without --seed records the one it drew
    order: str = defaults.ORDER
    workers: int = 1  # load-generating processes (resolved: "auto" picks by load and cores)
    cache_prefix: int = 0  # tokens every prompt shares at its start (0: every prompt unique)
    slo: tuple[Objective, ...] = ()
    sweep: bool = False
    ramp_up_s: float = 0.0
    mock: MockSettings = field(default_factory=MockSettings)
    suite: str | None = None

    @property
    def is_mock(self) -> bool:
        return self.endpoint.kind == "mock"

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
            "max_error_rate": self.max_error_rate,
            "percentiles": list(self.percentiles),
            "force_length": self.force_length,
            "seed": self.seed,
            "order": self.order,
            "workers": self.workers,
            "cache_prefix": self.cache_prefix,
            "slo": [o.label for o in self.slo],
            "sweep": self.sweep,
            "ramp_up_s": self.ramp_up_s,
            "mock": dataclasses.asdict(self.mock) if self.is_mock else None,
        }


def resolve_settings(flags: BenchOptions, suite: Path | None, config: Config) -> BenchSettings:
    """Lay the flags over the suite file, then the config's endpoint, then the defaults."""
    options = flags.over(read_suite(suite)) if suite else flags
    endpoint, named = _endpoint(options, config)
    model = options.model or named.get("model") or (defaults.MOCK_MODEL if endpoint.kind == "mock" else None)
    if not model:
        raise UsageError("no model given for this endpoint", "pass -m MODEL (the endpoint's model name)")
    rate = _positive_float(options.rate, "--rate")
    open_loop = bool(rate or options.sweep)  # a sweep's steps are open loop: no cap unless one is asked for
    concurrency = (
        options.concurrency if options.concurrency is not None else (None if open_loop else defaults.CONCURRENCY)
    )
    if concurrency is not None and concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {concurrency}")
    cells = options.cells or tuple(parse_cells(",".join(defaults.CELLS)))
    runs = _at_least(options.runs, defaults.RUNS, 1, "--runs")
    measured = len(cells) * runs
    # One warmup per connection by default (so measured requests never pay for a handshake),
    # and never more connections than there are requests to send.
    warmup = _at_least(options.warmup, min(concurrency or 1, measured), 0, "--warmup")
    if measured + warmup > defaults.MAX_REQUESTS:
        raise UsageError(
            f"{len(cells)} cell(s) x {runs:,} runs (+{warmup:,} warmup) is {measured + warmup:,} requests in all, "
            f"more than one run plans ({defaults.MAX_REQUESTS:,})",
            "lower --runs, --warmup or the number of cells.",
        )
    force = options.force_length
    if force is None:  # vLLM/SGLang-style extensions, only where they are understood
        force = endpoint.provider == "openai" and endpoint.kind != "remote"
    return BenchSettings(
        endpoint=endpoint,
        model=model,
        cells=cells,
        runs=runs,
        warmup=warmup,
        concurrency=concurrency,
        rate=rate,
        arrival=_choice(options.arrival, defaults.ARRIVAL, ARRIVALS, "--arrival"),
        stream=True if options.stream is None else options.stream,
        timeout_s=_positive_float(options.timeout_s, "--timeout") or defaults.TIMEOUT_S,
        max_retries=_at_least(options.max_retries, defaults.MAX_RETRIES, 0, "--max-retries"),
        max_cost=options.max_cost if options.max_cost is not None else defaults.MAX_COST,
        max_error_rate=_fraction(options.max_error_rate, defaults.MAX_ERROR_RATE, "--max-error-rate"),
        yes=bool(options.yes),
        percentiles=options.percentiles or defaults.PERCENTILES,
        price_as=options.price_as or named.get("price_as"),
        force_length=force,
        seed=options.seed if options.seed is not None else random.SystemRandom().randrange(2**32),
        order=_choice(options.order, defaults.ORDER, ORDERS, "--order"),
        workers=_workers(options.workers, concurrency, rate),
        cache_prefix=_at_least(options.cache_prefix, 0, 0, "--cache-prefix"),
        slo=options.slo or (),
        sweep=bool(options.sweep),
        ramp_up_s=_non_negative(options.ramp_up_s, "--ramp-up"),
        mock=_mock(options.mock),
        suite=options.name or (suite.stem if suite else None),
    )


def _endpoint(options: BenchOptions, config: Config) -> tuple[Endpoint, dict[str, str | None]]:
    """The endpoint, and what a named endpoint of llmprof.yaml says about model and price."""
    provider = check_api(options.provider) if options.provider else None
    name = options.endpoint
    if name is None or name == defaults.MOCK:
        provider = provider or "openai"
        key_env = options.api_key_env or APIS[provider].key_env
        return Endpoint(name=defaults.MOCK, url=None, kind="mock", provider=provider, key_env=key_env), {}
    named = config.endpoints.get(name)
    if named is not None:
        provider = provider or named.provider
        url = named.url
        extra = {"model": named.model, "price_as": named.price_as}
        key_env = options.api_key_env or named.api_key_env or APIS[provider].key_env
    elif "://" in name:
        provider, url, extra = provider or "openai", name, {}
        key_env = options.api_key_env or APIS[provider].key_env
    else:
        known = ", ".join(sorted(config.endpoints)) or "none configured"
        raise UsageError(
            f"endpoint {name!r} is neither a URL nor a named endpoint in llmprof.yaml ({known})",
            "pass a base URL such as http://localhost:8000/v1, or add it under endpoints: in llmprof.yaml",
        )
    if url is None:
        return Endpoint(name=name, url=None, kind="mock", provider=provider, key_env=key_env), extra
    register_url(url)
    checked_url(url)
    return Endpoint(name=name, url=url, kind=kind_of(url), provider=provider, key_env=key_env), extra


def read_suite(path: Path) -> BenchOptions:
    """A suite file's settings, checked key by key (errors name the file, line and key)."""
    data = load_yaml(path)
    doc = Section(str(path), {} if data is None else data)
    keys = {
        "name", "endpoint", "provider", "model", "api_key_env", "cells", "input_tokens", "output_tokens",
        "runs", "warmup", "concurrency", "rate", "arrival", "stream", "timeout", "max_retries", "max_cost",
        "max_error_rate", "percentiles", "price_as", "force_length", "seed", "mock", "ramp_up",
        "order", "cache_prefix", "slo", "sweep", "workers",
    }  # fmt: skip
    doc.check_keys(keys)
    mock: dict[str, Any] = {}
    if "mock" in doc:
        section = doc.section("mock")
        section.check_keys(MOCK_FIELDS)
        mock = {k: _plain(section.data[k]) for k in section}
    return BenchOptions(
        name=doc.text("name", None),
        endpoint=doc.text("endpoint", None),
        provider=doc.text("provider", None),
        model=doc.text("model", None),
        api_key_env=doc.text("api_key_env", None),
        cells=_suite_cells(doc),
        runs=doc.integer("runs", None, minimum=1),
        warmup=doc.integer("warmup", None),
        concurrency=doc.integer("concurrency", None, minimum=1),
        ramp_up_s=_float(doc, "ramp_up"),
        rate=_float(doc, "rate"),
        arrival=doc.text("arrival", None),
        stream=doc.flag("stream", None),
        timeout_s=_float(doc, "timeout"),
        max_retries=doc.integer("max_retries", None),
        max_cost=doc.decimal("max_cost", None),
        max_error_rate=_float(doc, "max_error_rate"),
        percentiles=parse_percentiles(_listish(doc, "percentiles")) if "percentiles" in doc else None,
        price_as=doc.text("price_as", None),
        force_length=doc.flag("force_length", None),
        seed=doc.integer("seed", None),
        order=doc.text("order", None),
        workers=doc.integer("workers", None, minimum=0),
        cache_prefix=doc.integer("cache_prefix", None),
        slo=_suite_slo(doc),
        sweep=doc.flag("sweep", None),
        mock=mock,
    )


def _workers(asked: int | None, concurrency: int | None, rate: float | None) -> int:
    """--workers N, or 0 / unset for automatic: one process until the load needs more."""
    if asked:
        if asked > 256:
            raise UsageError(
                f"--workers {asked} is more processes than any machine here needs", "use 1-256, or 0 (auto)."
            )
        return asked
    # an open loop keeps about rate x 2 s in flight; any rate beyond a million a second is "all cores"
    in_flight = concurrency if concurrency is not None else (int(min(rate, 1e6) * 2) + 1 if rate else None)
    return auto_workers(in_flight, os.cpu_count())


def _suite_slo(doc: Section) -> tuple[Objective, ...] | None:
    """``slo: "ttft_p90<0.5,e2e_p50<2"`` or a mapping ``{ttft_p90: 0.5, e2e_p50: 2}``."""
    if "slo" not in doc:
        return None
    raw = doc.data.get("slo")
    text = ",".join(f"{k}<{_plain(v)}" for k, v in raw.items()) if isinstance(raw, dict) else _listish(doc, "slo")
    try:
        return parse_slo(text)
    except UsageError as exc:
        raise doc.error("slo", exc.message, exc.hint) from exc


def _suite_cells(doc: Section) -> tuple[Cell, ...] | None:
    if "cells" in doc:
        return tuple(parse_cells(_listish(doc, "cells")))
    if "input_tokens" in doc or "output_tokens" in doc:
        return cells_from_lengths(_listish(doc, "input_tokens"), _listish(doc, "output_tokens"))
    return None


def cells_from_lengths(inputs: str | None, outputs: str | None) -> tuple[Cell, ...]:
    """``--input-tokens 100,1000 --output-tokens 1,50``: every input length with every output length."""
    if not inputs or not outputs:
        raise UsageError("--input-tokens and --output-tokens go together", "give both, e.g. 100,1000 and 1,50")
    return tuple(cross(_ints(inputs, "--input-tokens"), _ints(outputs, "--output-tokens")))


def _listish(doc: Section, key: str) -> str:
    """A list (or a comma-separated string) from a suite file, as the flag would spell it."""
    raw = doc.data.get(key)
    if isinstance(raw, list):
        return ",".join(str(_plain(v)) for v in raw)
    if raw is None or isinstance(raw, (dict, bool)):
        raise doc.error(key, "expected a list such as [100, 1000] or a string such as '100,1000'")
    return str(_plain(raw))


def _plain(value: Any) -> Any:
    """YAML decimals as plain numbers for settings that are not money."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    return value


def _float(doc: Section, key: str) -> float | None:
    value = doc.decimal(key, None)
    return None if value is None else float(value)


def parse_percentiles(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v.strip().lstrip("pP")) for v in text.split(",") if v.strip())
    except ValueError:
        raise UsageError(f"{text!r} is not a list of percentiles", "write e.g. 50,75,90,99") from None
    if not values or any(not 0 < v < 100 for v in values):
        raise UsageError(f"percentiles must be between 0 and 100, got {text!r}", "write e.g. 50,75,90,99")
    return tuple(dict.fromkeys(values))


def _ints(value: str, name: str) -> list[int]:
    try:
        return [int(v.strip()) for v in value.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"{name} {value!r} is not a list of whole numbers", f"write e.g. {name} 100,1000") from None


def _at_least(value: int | None, default: int, minimum: int, name: str) -> int:
    number = default if value is None else value
    if number < minimum:
        raise UsageError(f"{name} must be at least {minimum}, got {number}")
    return number


def _positive_float(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    if not value > 0 or value == float("inf"):
        raise UsageError(f"{name} must be a positive number, got {value}")
    return value


def _non_negative(value: float | None, name: str) -> float:
    if value is None:
        return 0.0
    if not 0 <= value < float("inf"):
        raise UsageError(f"{name} must be 0 or more, got {value}")
    return value


def _fraction(value: float | None, default: float, name: str) -> float:
    number = default if value is None else value
    if not 0 <= number <= 1:
        raise UsageError(f"{name} must be between 0 and 1 (a share of requests), got {number}")
    return number


def _choice(value: str | None, default: str, choices: tuple[str, ...], name: str) -> str:
    chosen = value or default
    if chosen not in choices:
        raise UsageError(f"unknown {name.lstrip('-')} {chosen!r}", f"use {' or '.join(choices)}")
    return chosen


def _mock(values: dict[str, Any]) -> MockSettings:
    try:
        return MockSettings(**values)
    except TypeError as exc:
        raise UsageError(f"invalid mock settings: {exc}") from exc
