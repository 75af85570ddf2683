"""Reading price tables: the bundled ``pricing.yaml`` and a user's file laid over it.

Every value is validated with file, line and key in the error; rates are read as Decimals from
their text. Schema 1 files (llmprof 0.1) are read as they are: schema 2 only added keys.
A loaded table is cached per file contents, so the Python API does not parse it per call.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from llmprof.errors import ConfigError
from llmprof.files import read_bytes
from llmprof.pricing.model import (
    WEEKDAYS,
    CacheRules,
    ImageRule,
    ModelPrice,
    PricePeriod,
    PriceTable,
    Rates,
    Reasoning,
    TableFile,
    Tier,
    Window,
)

if TYPE_CHECKING:
    from llmprof.yamlio import Section

SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)
BUNDLED = "(bundled) pricing.yaml"  # how the shipped table is named in outputs: no local paths

_RATE_KEYS = ("input", "output", "cached_input", "cache_write")
_PERIOD_KEYS = (*_RATE_KEYS, "since", "batch", "service_tiers", "time_of_day", "tiers")
_MODEL_KEYS = (
    "provider",
    "kind",
    "reasoning",
    "tokenizer",
    "aliases",
    "context_window",
    "max_output",
    "released",
    "source",
    "checked",
    "shutdown",
    "cache",
    "images",
    "notes",
    "disagreements",
    "prices",
)
_TABLE_KEYS = ("schema_version", "version", "date", "currency", "unit", "default_models", "models", "mode")
_TTL = re.compile(r"^\d+(m|h|d)$")
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


def bundled_table_path() -> Path:
    """The table shipped in the wheel; in a source checkout, the repository's top-level file."""
    packaged = Path(__file__).resolve().parent.parent / "pricing.yaml"
    return packaged if packaged.is_file() else Path(__file__).resolve().parents[2] / "pricing.yaml"


def load_table(overlay: Path | None = None, base: Path | None = None) -> PriceTable:
    """The bundled table (or ``base``), with a user file laid over it (``mode: overlay``) or
    replacing it (``mode: replace``)."""
    base_path = base or bundled_table_path()
    return _load(_identity(base_path), base is None, _identity(overlay) if overlay else None)


def _identity(path: Path) -> tuple[str, int, int]:
    """What the cache keys on: the path and the file's size and modification time."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)  # read_bytes reports the real problem
    return (str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _load(base: tuple[str, int, int], bundled: bool, overlay: tuple[str, int, int] | None) -> PriceTable:
    table = _bundled(Path(base[0])) if bundled else _parse_file(Path(base[0]), strict=True)[0]
    if overlay is None:
        return table
    path = Path(overlay[0])
    user, mode = _parse_file(path, strict=False, base=table)
    if mode == "replace":
        return user
    merged = PriceTable(
        version=f"{table.version}+{user.version}",
        date=min(table.date, user.date),
        models=MappingProxyType({**table.models, **user.models}),
        default_models=user.default_models or table.default_models,
        files=table.files + user.files,
    )
    _check_aliases(merged, str(path))
    return merged


def _bundled(path: Path) -> PriceTable:
    """The bundled table: compiled from the cache when it holds this exact file (see
    :mod:`llmprof.pricing.compiled`), else parsed."""
    from llmprof.pricing import compiled

    raw = read_bytes(path, ConfigError, "reinstall llmprof: pip install --force-reinstall llmprof-cli")
    return compiled.load_bundled(raw, lambda: _parse_bytes(raw, path, strict=True, label=BUNDLED)[0])


def _parse_file(
    path: Path, strict: bool, base: PriceTable | None = None, label: str | None = None
) -> tuple[PriceTable, str]:
    """Parse one table file. ``strict`` (the bundled table) requires source and checked dates."""
    raw = read_bytes(path, ConfigError, "check the --pricing path.")
    return _parse_bytes(raw, path, strict, base, label)


def _parse_bytes(
    raw: bytes, path: Path, strict: bool, base: PriceTable | None = None, label: str | None = None
) -> tuple[PriceTable, str]:
    from llmprof.yamlio import Section, parse_yaml

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text", "save the pricing file as UTF-8.") from exc
    doc = Section(str(path), parse_yaml(text, str(path), trusted=label == BUNDLED))
    doc.check_keys(_TABLE_KEYS, required=("schema_version", "models"))
    schema = doc.integer("schema_version")
    if schema not in READABLE_SCHEMAS:
        newer = schema > SCHEMA_VERSION
        raise doc.error(
            "schema_version",
            f"this llmprof reads schemas {', '.join(map(str, READABLE_SCHEMAS))}, the file says {schema}",
            "upgrade llmprof to read it." if newer else "convert the file.",
        )
    mode = doc.text("mode", "overlay")
    if mode not in ("overlay", "replace"):
        raise doc.error("mode", f"unknown mode {mode!r}", "use mode: overlay or mode: replace")
    if strict and "mode" in doc:
        raise doc.error("mode", "only a user pricing file (--pricing) has a mode")
    if doc.text("currency", "USD") != "USD":
        raise doc.error("currency", "only USD is supported", "convert the rates to USD.")
    if doc.text("unit", "1M tokens") != "1M tokens":
        raise doc.error("unit", "rates must be per 1M tokens", "write unit: 1M tokens and scale the rates.")
    complete = strict or mode == "replace" or base is None
    inherit = base.models if base is not None and mode == "overlay" else {}
    sections = dict(doc.mapping("models"))
    models = {name: _parse_model(name, section, strict, inherit.get(name)) for name, section in sections.items()}
    date = doc.date("date") if complete or base is None else doc.date("date", base.date)
    table = PriceTable(
        version=doc.text("version") if complete else doc.text("version", path.stem),
        date=date,
        models=MappingProxyType(models),
        default_models=tuple(doc.str_list("default_models", [])),
        files=(TableFile(label or str(path), hashlib.sha256(raw).hexdigest()),),
    )
    _check_aliases(table, str(path), sections)
    for name in table.default_models:
        if not table.knows(name) and not (base is not None and base.knows(name)):
            raise doc.error("default_models", f"{name!r} is not a model in the table")
    return table, mode


def _parse_model(name: str, s: Section, strict: bool, inherited: ModelPrice | None) -> ModelPrice:
    required: tuple[str, ...] = ()
    if inherited is None:
        required = ("provider", "tokenizer", "prices") + (("source", "checked") if strict else ())
    s.check_keys(_MODEL_KEYS, required=required)
    kind = s.text("kind", "chat")
    if kind not in ("chat", "embedding"):
        raise s.error("kind", f"unknown kind {kind!r}", "use chat or embedding.")
    periods = tuple(sorted((_parse_period(p, kind) for p in s.sections("prices")), key=lambda p: p.since))
    if "prices" in s and not periods:
        raise s.error("prices", "no price periods", "give at least one period with since, input and output.")
    if len({p.since for p in periods}) != len(periods):
        raise s.error("prices", "two price periods start on the same date")
    fields: dict[str, Any] = {
        "provider": s.text("provider", None),
        "kind": kind,
        "reasoning": _reasoning(s),
        "tokenizer": s.text("tokenizer", None),
        "aliases": tuple(s.str_list("aliases", [])),
        "context_window": s.integer("context_window", None, minimum=1),
        "max_output": s.integer("max_output", None, minimum=1),
        "released": s.date("released", None),
        "source": s.text("source", None),
        "checked": s.date("checked", None),
        "shutdown": s.date("shutdown", None),
        "cache": _parse_cache(s),
        "images": _parse_images(s),
        "notes": s.text("notes", None),
        "disagreements": _parse_disagreements(s),
    }
    if inherited is None:
        return ModelPrice(name=name, periods=periods, **fields)
    given = {key: value for key, value in fields.items() if key in s}
    if periods:
        given["periods"] = periods
    return replace(inherited, **given)


def _parse_period(s: Section, kind: str) -> PricePeriod:
    s.check_keys(_PERIOD_KEYS, required=("since", "input") + (("output",) if kind == "chat" else ()))
    tiers = []
    for t in s.sections("tiers"):
        t.check_keys((*_RATE_KEYS, "from", "above", "batch"), required=("input",))
        if ("from" in t) == ("above" in t):
            raise t.error(
                "from" if "from" in t else "above",
                "a tier needs exactly one of from: (prompt >= N tokens) and above: (prompt > N tokens)",
                "write the boundary the way the provider words it.",
            )
        key = "from" if "from" in t else "above"
        tiers.append(
            Tier(threshold=t.integer(key, minimum=1), inclusive=key == "from", rates=_rates(t), batch=_batch(t))
        )
    if len({t.threshold for t in tiers}) != len(tiers):
        raise s.error("tiers", "two tiers have the same threshold")
    service = {n: _rates(t, rate_keys_only=True) for n, t in s.mapping("service_tiers")} if "service_tiers" in s else {}
    return PricePeriod(
        since=s.date("since"),
        rates=_rates(s),
        batch=_batch(s),
        service_tiers=MappingProxyType(service),
        time_of_day=tuple(_parse_window(w) for w in s.sections("time_of_day")),
        tiers=tuple(sorted(tiers, key=lambda t: t.threshold)),
    )


def _batch(parent: Section) -> Rates | None:
    s = parent.optional_section("batch")
    return None if s is None else _rates(s, rate_keys_only=True)


def _rates(s: Section, rate_keys_only: bool = False) -> Rates:
    if rate_keys_only:
        s.check_keys(_RATE_KEYS, required=("input",))
    return Rates(
        input=s.decimal("input", positive=True),
        output=s.decimal("output", None, positive=True),
        cached_input=s.decimal("cached_input", None, positive=True),
        cache_write=_cache_write(s),
    )


def _cache_write(s: Section) -> MappingProxyType[str, Decimal]:
    """``cache_write: 3.75`` (the default lifetime) or ``cache_write: {5m: 3.75, 1h: 6.00}``."""
    if "cache_write" not in s:
        return MappingProxyType({})
    if not isinstance(s.data["cache_write"], dict):
        return MappingProxyType({"default": s.decimal("cache_write", positive=True)})
    inner = s.section("cache_write")
    rates: dict[str, Decimal] = {}
    for ttl in inner:
        if not _TTL.match(str(ttl)):
            raise inner.error(str(ttl), f"{ttl!r} is not a cache lifetime", "write it like 5m, 30m, 1h, 12h or 24h.")
        rates[str(ttl)] = inner.decimal(str(ttl), positive=True)
    if not rates:
        raise s.error("cache_write", "no lifetimes given", "write e.g. cache_write: {5m: 3.75, 1h: 6.00}")
    return MappingProxyType(rates)


def _parse_window(s: Section) -> Window:
    s.check_keys(("label", "utc", "days", *_RATE_KEYS), required=("label", "input"))
    start = end = None
    if "utc" in s:
        match = _HOURS.match(s.text("utc").strip())
        times = None
        if match:
            try:
                times = (dt.time(int(match[1]), int(match[2])), dt.time(int(match[3]) % 24, int(match[4])))
            except ValueError:
                times = None
        if times is None or times[0] == times[1]:
            raise s.error("utc", f"{s.text('utc')!r} is not a time range", 'write it as "HH:MM-HH:MM" in UTC.')
        start, end = times
    days = None
    if "days" in s:
        names = [d.lower()[:3] for d in s.str_list("days")]
        unknown = [d for d in names if d not in WEEKDAYS]
        if unknown or not names:
            raise s.error("days", f"unknown day(s) {unknown}", f"use {', '.join(WEEKDAYS)}")
        days = frozenset(WEEKDAYS.index(d) for d in names)
    return Window(label=s.text("label"), rates=_rates(s), start=start, end=end, days=days)


def _reasoning(s: Section) -> Reasoning:
    """``reasoning: true`` (reasons by default), ``false``, or ``opt-in`` (only when asked)."""
    value = s.data.get("reasoning")
    if value == "opt-in":
        return "opt-in"
    if value is not None and not isinstance(value, bool):
        raise s.error("reasoning", f"expected true, false or opt-in, got {value!r}")
    return "default" if value else "none"


def _parse_cache(s: Section) -> CacheRules:
    c = s.optional_section("cache")
    if c is None:
        return CacheRules()
    c.check_keys(("min_tokens", "default_ttl"))
    ttl = c.text("default_ttl", None)
    if ttl is not None and not _TTL.match(ttl):
        raise c.error("default_ttl", f"{ttl!r} is not a cache lifetime", "write it like 5m, 1h or 24h.")
    return CacheRules(min_tokens=c.integer("min_tokens", None, minimum=1), default_ttl=ttl)


def _parse_images(s: Section) -> ImageRule | None:
    i = s.optional_section("images")
    if i is None:
        return None
    i.check_keys(("rule", "base", "tile", "multiplier"), required=("rule",))
    rule = i.text("rule")
    if rule == "tiles":
        return ImageRule(rule="tiles", base=i.integer("base", minimum=1), tile=i.integer("tile", minimum=1))
    if rule == "patches":
        return ImageRule(rule="patches", multiplier=i.decimal("multiplier", positive=True))
    raise i.error("rule", f"unknown image rule {rule!r}", "use tiles (with base, tile) or patches (with multiplier).")


def _parse_disagreements(s: Section) -> MappingProxyType[str, str]:
    d = s.optional_section("disagreements")
    if d is None:
        return MappingProxyType({})
    return MappingProxyType({str(key): d.text(str(key)) for key in d})


def _check_aliases(table: PriceTable, source: str, sections: dict[str, Section] | None = None) -> None:
    """Every name and alias points at exactly one model."""
    owner: dict[str, str] = {name.lower(): name for name in table.models}
    for model in table.models.values():
        for alias in model.aliases:
            key = alias.lower()
            if owner.setdefault(key, model.name) != model.name:
                message = f"alias {alias!r} already names {owner[key]}"
                hint = "each name may point at one model only."
                if sections and model.name in sections:
                    raise sections[model.name].error("aliases", message, hint)
                raise ConfigError(f"{source}: models.{model.name}.aliases: {message}", hint)
