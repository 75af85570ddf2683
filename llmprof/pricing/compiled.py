"""The bundled price table, compiled: the parsed and validated table as JSON in llmprof's cache
(:mod:`llmprof.cache`), so a cold start reads it in a few milliseconds instead of parsing and
validating the YAML (about 0.2 s; the YAML library is not even imported).

The entry's name hashes the YAML bytes, the llmprof version and the source of every module that
turns YAML into a :class:`PriceTable` (a changed loader in a development install is a new entry
too), so a cached table is the one a fresh parse would give. The entry also carries the sha256 of
its own payload: a truncated or corrupted file fails that check (or decoding) and is ignored, and
the YAML is parsed as if there were no cache. Decoding builds only the table's own classes,
Decimals, dates and containers; it never runs anything named in the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from llmprof import __version__, cache
from llmprof.pricing import model

FORMAT = "llmprof-compiled-pricing/1"
#: The classes a compiled table may name, and nothing else.
CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        model.Rates,
        model.Tier,
        model.Window,
        model.PricePeriod,
        model.CacheRules,
        model.ImageRule,
        model.ModelPrice,
        model.TableFile,
        model.PriceTable,
    )
}
#: The modules whose code decides what a parsed table holds (their source is part of the key).
_DERIVED_BY = ("pricing/load.py", "pricing/model.py", "pricing/compiled.py", "yamlio.py")


def key(yaml_bytes: bytes) -> str | None:
    """The cache key of a table parsed from ``yaml_bytes`` by this llmprof; None if its own
    source cannot be read (then nothing is cached)."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    digest.update(hashlib.sha256(yaml_bytes).digest())
    root = Path(__file__).resolve().parent.parent
    try:
        for name in _DERIVED_BY:
            digest.update(hashlib.sha256((root / name).read_bytes()).digest())
    except OSError:
        return None
    return digest.hexdigest()


def load_bundled(yaml_bytes: bytes, parse: Callable[[], model.PriceTable]) -> model.PriceTable:
    """The table ``parse()`` returns for ``yaml_bytes``: from the cache when it holds it, else
    parsed (and then stored for next time)."""
    name = key(yaml_bytes)
    if name is None:
        return parse()
    entry = f"pricing-{name[:40]}.json"
    cached = cache.read(entry)
    if cached is not None:
        table = decode_entry(cached, name)
        if table is not None:
            return table
    table = parse()
    payload = encode_entry(table, name)
    if payload is not None:
        cache.write(entry, payload)
    return table


def encode_entry(table: model.PriceTable, name: str) -> bytes | None:
    """The cache entry for ``table``: a header line (format, key, payload sha256), then the JSON."""
    try:
        payload = json.dumps(_encode(table), separators=(",", ":"), ensure_ascii=False).encode()
    except (TypeError, ValueError):  # a value the format does not know: do not cache
        return None
    return f"{FORMAT} {name} {hashlib.sha256(payload).hexdigest()}\n".encode() + payload


def decode_entry(data: bytes, name: str) -> model.PriceTable | None:
    """The table in a cache entry, or None when it is not an intact entry for ``name``."""
    header, _, payload = data.partition(b"\n")
    try:
        fmt, entry_key, checksum = header.decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        return None
    if (fmt, entry_key) != (FORMAT, name) or hashlib.sha256(payload).hexdigest() != checksum:
        return None
    try:
        table = _decode(json.loads(payload))
    except Exception:  # a damaged entry is only a cache miss
        return None
    return table if isinstance(table, model.PriceTable) else None


def _encode(value: Any) -> Any:
    """JSON for a table: scalars as they are, everything else as ``[tag, ...]``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return ["D", str(value)]
    if isinstance(value, dt.datetime):
        return ["DT", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, dt.time):
        return ["t", value.isoformat()]
    if isinstance(value, tuple):
        return ["T", *map(_encode, value)]
    if isinstance(value, list):
        return ["L", *map(_encode, value)]
    if isinstance(value, frozenset):
        return ["F", *map(_encode, sorted(value))]
    if isinstance(value, (dict, MappingProxyType)):
        tag = "P" if isinstance(value, MappingProxyType) else "M"
        return [tag, [[_encode(k), _encode(v)] for k, v in value.items()]]
    cls = type(value)
    if dataclasses.is_dataclass(value) and CLASSES.get(cls.__name__) is cls:
        fields = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if not (f.init and f.compare) or (type(item) is type(f.default) and item == f.default):
                continue  # derived (recomputed on construction), or the default: left out
            fields[f.name] = _encode(item)
        return ["C", cls.__name__, fields]
    raise TypeError(f"cannot compile a {cls.__name__}")


def _decode(value: Any) -> Any:
    if not isinstance(value, list):
        if isinstance(value, (dict, float)):
            raise ValueError("not a compiled table")
        return value
    tag = value[0]
    if tag == "D":
        return Decimal(value[1])
    if tag == "d":
        return dt.date.fromisoformat(value[1])
    if tag == "DT":
        return dt.datetime.fromisoformat(value[1])
    if tag == "t":
        return dt.time.fromisoformat(value[1])
    if tag == "T":
        return tuple(map(_decode, value[1:]))
    if tag == "L":
        return list(map(_decode, value[1:]))
    if tag == "F":
        return frozenset(map(_decode, value[1:]))
    if tag in ("P", "M"):
        mapping = {_decode(k): _decode(v) for k, v in value[1]}
        return MappingProxyType(mapping) if tag == "P" else mapping
    if tag == "C":
        cls = CLASSES[value[1]]
        return cls(**{str(k): _decode(v) for k, v in value[2].items()})
    raise ValueError(f"unknown tag {tag!r}")
