"""Project configuration: ``llmprof.yaml``, or ``[tool.llmprof]`` in ``pyproject.toml``.

Precedence everywhere: command-line flag > environment variable > this file > built-in default.
Unknown keys are errors, and every error names the file, the key and the fix.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmprof.apis import APIS
from llmprof.errors import ConfigError
from llmprof.files import read_text
from llmprof.pricing.model import DEFAULT_MAX_AGE_DAYS

if TYPE_CHECKING:  # imported when a config file is found: most runs have none
    from llmprof.yamlio import Section

CONFIG_NAMES = ("llmprof.yaml", "llmprof.yml")
DEFAULT_BASELINE = "llmprof-baseline.json"
ENDPOINT_KEYS = ("url", "provider", "model", "api_key_env", "price_as")
PROMPT_SET_KEYS = (
    "paths",
    "models",
    "output_tokens",
    "reasoning_tokens",
    "requests_per_day",
    "cached_input_tokens",
    "batch",
)
BUDGET_KEYS = (
    "max_cost_per_request",
    "max_cost_per_day",
    "max_cost_increase_pct",
    "max_cost_increase_pct_per_prompt",
    "warn_at_pct",
    "max_pricing_age_days",
    "latency",
)
#: The warnings ``llmprof check`` gives, by stable code: ``ignore_warnings`` names them.
WARNING_CODES: dict[str, str] = {
    "pricing-stale": "the pricing table is older than budgets.max_pricing_age_days",
    "model-shutdown": "a model is shut down, or shuts down within 90 days",
    "count-approx": "token counts are approximate: the vendor's tokenizer is not public",
    "latency-skipped": "latency budgets were not checked (--no-latency)",
}
LATENCY_KEYS = (
    "p50_e2e_s",
    "p75_e2e_s",
    "p90_e2e_s",
    "p99_e2e_s",
    "p50_ttft_s",
    "p90_ttft_s",
    "max_error_rate",
)


@dataclass(frozen=True)
class Location:
    """Where a setting is written: the config file, and the line of its key (0 when the file
    format keeps no lines, as with ``pyproject.toml``)."""

    file: Path
    line: int = 0


@dataclass(frozen=True, kw_only=True)
class NamedEndpoint:
    name: str
    url: str | None  # None: the built-in mock
    provider: str = "openai"
    model: str | None = None
    api_key_env: str | None = None
    price_as: str | None = None


@dataclass(frozen=True, kw_only=True)
class PromptSet:
    name: str
    paths: tuple[str, ...]
    models: tuple[str, ...]
    output_tokens: int = 0
    reasoning_tokens: int | None = None  # hidden reasoning per request on models that reason; None: unknown
    requests_per_day: int | None = None
    cached_input_tokens: int = 0
    batch: bool = False
    where_models: str = "models"  # "llmprof.yaml:4: prompt_sets.support.models", for later errors
    where_paths: str = "paths"


@dataclass(frozen=True, kw_only=True)
class Budgets:
    max_cost_per_request: Decimal | None = None
    max_cost_per_day: Decimal | None = None
    max_cost_increase_pct: Decimal | None = None
    max_cost_increase_pct_per_prompt: Decimal | None = None
    warn_at_pct: Decimal = Decimal(80)  # warn when a figure reaches this % of its limit
    max_pricing_age_days: int = DEFAULT_MAX_AGE_DAYS
    latency: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Config:
    source: str | None = None  # where it was read from; None when there is no file
    root: Path = field(default_factory=Path.cwd)  # paths in the file are relative to its folder
    pricing: Path | None = None
    baseline: Path | None = None
    endpoints: dict[str, NamedEndpoint] = field(default_factory=dict)
    prompt_sets: dict[str, PromptSet] = field(default_factory=dict)
    budgets: Budgets = field(default_factory=Budgets)
    ignore_warnings: tuple[str, ...] = ()  # warning codes (WARNING_CODES) that do not fail --fail-on-warn
    workloads: tuple[Path, ...] = ()  # workload files (llmprof plan) that check gates too
    where_workloads: str = "workloads"
    path: Path | None = None  # the file itself
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # "budgets.latency.p90_e2e_s" -> line

    def at(self, key: str) -> Location | None:
        """Where ``key`` (dotted, e.g. ``budgets.max_cost_per_day``) is written; where its closest
        written parent is, when the key itself is not (a default); None without a file."""
        if self.path is None:
            return None
        parts = key.split(".")
        while parts:
            line = self.lines.get(".".join(parts))
            if line:
                return Location(self.path, line)
            parts.pop()
        return Location(self.path, 0)


def find(explicit: Path | None = None, cwd: Path | None = None) -> Path | None:
    """--config FILE, else $LLMPROF_CONFIG, else llmprof.yaml, else pyproject.toml with [tool.llmprof]."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such config file", "check the --config path.")
        return explicit
    env = os.environ.get("LLMPROF_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file (from LLMPROF_CONFIG)", "fix or unset LLMPROF_CONFIG.")
        return path
    here = cwd or Path.cwd()
    for name in CONFIG_NAMES:
        if (here / name).is_file():
            return here / name
    pyproject = here / "pyproject.toml"
    if pyproject.is_file():
        try:
            mentions = b"[tool.llmprof" in pyproject.read_bytes()
        except OSError:
            mentions = False  # unreadable: not ours to complain about unless it is our config
        if mentions:
            return pyproject
    return None


def load(explicit: Path | None = None, cwd: Path | None = None) -> Config:
    path = find(explicit, cwd)
    if path is None:
        return Config()
    from llmprof.yamlio import Section, load_yaml

    if path.suffix == ".toml":
        doc = Section(f"{path} [tool.llmprof]", _toml_section(path))
    else:
        data = load_yaml(path)
        doc = Section(str(path), {} if data is None else data)
    return replace(parse(doc, path.parent), path=path, lines=_lines(doc.data))


def _lines(data: Any, prefix: str = "") -> dict[str, int]:
    """The line of every key of a loaded YAML document, by dotted path."""
    found: dict[str, int] = {}
    if isinstance(data, dict):
        key_lines = getattr(data, "key_lines", {})
        for key, value in data.items():
            path = f"{prefix}{key}"
            if key in key_lines:
                found[path] = key_lines[key]
            found.update(_lines(value, path + "."))
    return found


def _toml_section(path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10
        import tomli as tomllib
    text = read_text(path, ConfigError, "save pyproject.toml as UTF-8.")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}", "fix the TOML syntax.") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: nested too deeply to read", "fix the TOML file.") from exc
    tool = data.get("tool", {})
    return tool.get("llmprof", {}) if isinstance(tool, dict) else {}


def parse(doc: Section, root: Path) -> Config:
    doc.check_keys(("pricing", "baseline", "endpoints", "prompt_sets", "budgets", "ignore_warnings", "workloads"))
    pricing = doc.text("pricing", None)
    baseline = doc.text("baseline", None)
    endpoints = {name: _endpoint(name, s) for name, s in doc.mapping("endpoints")} if "endpoints" in doc else {}
    sets = {name: _prompt_set(name, s) for name, s in doc.mapping("prompt_sets")} if "prompt_sets" in doc else {}
    budgets_section = doc.optional_section("budgets")
    workloads = tuple(root / path for path in doc.str_list("workloads", []))
    for path in workloads:
        if not path.is_file():
            raise doc.error("workloads", f"no such workload file: {path}", "write paths relative to the config file.")
    return Config(
        source=doc.source,
        root=root,
        pricing=root / pricing if pricing else None,
        baseline=root / baseline if baseline else None,
        endpoints=endpoints,
        prompt_sets=sets,
        budgets=_budgets(budgets_section) if budgets_section else Budgets(),
        ignore_warnings=_ignore_warnings(doc),
        workloads=workloads,
        where_workloads=doc.where("workloads") if "workloads" in doc else "workloads",
    )


def _ignore_warnings(doc: Section) -> tuple[str, ...]:
    """Warning codes to ignore, the way linters take them: each one known, or an error naming them all."""
    codes = doc.str_list("ignore_warnings", [])
    for code in codes:
        if code not in WARNING_CODES:
            close = difflib.get_close_matches(code, list(WARNING_CODES), n=1)
            known = f"known codes: {', '.join(WARNING_CODES)}."
            raise doc.error(
                "ignore_warnings",
                f"unknown warning code {code!r}",
                f"did you mean {close[0]!r}? {known}" if close else known,
            )
    return tuple(dict.fromkeys(codes))


def _endpoint(name: str, s: Section) -> NamedEndpoint:
    s.check_keys(ENDPOINT_KEYS)
    provider = s.text("provider", "openai")
    if provider not in APIS:
        raise s.error("provider", f"unknown provider {provider!r}", f"use one of: {', '.join(APIS)}.")
    url = s.text("url", None)
    return NamedEndpoint(
        name=name,
        url=None if url in (None, "mock") else url,
        provider=provider,
        model=s.text("model", None),
        api_key_env=s.text("api_key_env", None),
        price_as=s.text("price_as", None),
    )


def _prompt_set(name: str, s: Section) -> PromptSet:
    s.check_keys(PROMPT_SET_KEYS, required=("paths", "models"))
    paths = tuple(s.str_list("paths"))
    models = tuple(s.str_list("models"))
    if not paths:
        raise s.error("paths", "no paths given", 'list prompt files or globs, e.g. paths: ["prompts/*.txt"]')
    for path in paths:
        if Path(path).is_absolute() or path.startswith("~"):
            raise s.error(
                "paths",
                f"{path!r} is an absolute path",
                "write paths relative to the config file's folder, so the baseline works on every machine.",
            )
    if not models:
        raise s.error("models", "no models given", "list the models to price, e.g. models: [gpt-4o-mini]")
    return PromptSet(
        name=name,
        paths=paths,
        models=models,
        output_tokens=s.integer("output_tokens", 0),
        reasoning_tokens=s.integer("reasoning_tokens", None),
        requests_per_day=s.integer("requests_per_day", None),
        cached_input_tokens=s.integer("cached_input_tokens", 0),
        batch=s.flag("batch", False),
        where_models=s.where("models"),
        where_paths=s.where("paths"),
    )


def _budgets(s: Section) -> Budgets:
    s.check_keys(BUDGET_KEYS)
    latency: dict[str, Decimal] = {}
    section = s.optional_section("latency")
    if section is not None:
        section.check_keys(LATENCY_KEYS)
        latency = {key: section.decimal(key) for key in section}
    return Budgets(
        max_cost_per_request=s.decimal("max_cost_per_request", None),
        max_cost_per_day=s.decimal("max_cost_per_day", None),
        max_cost_increase_pct=s.decimal("max_cost_increase_pct", None),
        max_cost_increase_pct_per_prompt=s.decimal("max_cost_increase_pct_per_prompt", None),
        warn_at_pct=s.decimal("warn_at_pct", Decimal(80)),
        max_pricing_age_days=s.integer("max_pricing_age_days", DEFAULT_MAX_AGE_DAYS),
        latency=latency,
    )
