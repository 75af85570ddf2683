"""The compiled price table in llmprof's cache: a hit is the table a fresh parse gives, value for
value and type for type; anything wrong with an entry makes it a miss, never an error or a stale table."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from llmprof import cache
from llmprof.pricing import BUNDLED, PriceTable, bundled_table_path, compiled, load
from llmprof.pricing import load as load_module

RAW = bundled_table_path().read_bytes()


def fresh() -> PriceTable:
    return load._parse_bytes(RAW, bundled_table_path(), strict=True, label=BUNDLED)[0]


def counted(calls: list[int]) -> Any:
    """A parse that records each call."""

    def parse() -> PriceTable:
        calls.append(1)
        return fresh()

    return parse


def refuse() -> PriceTable:
    raise AssertionError("parsed, although the cache should have served the table")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    return tmp_path / "xdg" / "llmprof"


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("pricing-*.json")) if folder.is_dir() else []


def same_types(a: Any, b: Any, where: str = "table") -> None:
    """``a`` and ``b`` are equal and built of the same types all the way down (a dict where a
    mappingproxy was, or a float for a Decimal, would compare equal yet be wrong)."""
    assert type(a) is type(b), where
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same_types(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (dict, MappingProxyType)):
        assert list(a) == list(b), where
        for k in a:
            same_types(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same_types(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_a_hit_is_the_table_a_fresh_parse_gives(cache_dir: Path) -> None:
    first = compiled.load_bundled(RAW, fresh)  # a miss: parsed, then stored
    [entry] = entries(cache_dir)
    second = compiled.load_bundled(RAW, refuse)  # a hit
    assert second == fresh() == first
    same_types(second, fresh())
    assert second._names == fresh()._names and second.resolve("GPT-4o-2024-08-06").name == "gpt-4o"  # aliases
    assert entries(cache_dir) == [entry]


def test_load_table_uses_the_cache_for_the_bundled_table_only(cache_dir: Path) -> None:
    load_module._load.cache_clear()
    try:
        table = load_module.load_table()
        assert len(entries(cache_dir)) == 1
        assert table == fresh()
        assert table.files[0].path == BUNDLED
    finally:
        load_module._load.cache_clear()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data.replace(b'"2.50"', b'"2.51"', 1),  # one rate changed: the checksum fails
        lambda data: b"",
        lambda data: b"\xff\xfe garbage\n{}",
        lambda data: data.split(b"\n", 1)[1],  # no header
    ],
    ids=["truncated", "bit-rot", "empty", "garbage", "headless"],
)
def test_a_damaged_entry_is_ignored_and_replaced(cache_dir: Path, damage: Any) -> None:
    compiled.load_bundled(RAW, fresh)
    [entry] = entries(cache_dir)
    entry.write_bytes(damage(entry.read_bytes()))
    parsed: list[int] = []
    table = compiled.load_bundled(RAW, counted(parsed))
    assert parsed == [1] and table == fresh()
    assert compiled.load_bundled(RAW, refuse) == fresh()  # rewritten whole


def test_an_entry_with_a_good_checksum_still_builds_only_the_tables_classes(cache_dir: Path) -> None:
    name = compiled.key(RAW)
    assert name is not None
    docs: list[Any] = [
        ["C", "Popen", {"args": "true"}],
        ["C", "TableFile", {"path": "x", "sha256": "y"}],  # a known class, but not a table
        ["X", 1],
        {"models": {}},
        1.5,
    ]
    for doc in docs:
        payload = json.dumps(doc).encode()
        data = f"{compiled.FORMAT} {name} {hashlib.sha256(payload).hexdigest()}\n".encode() + payload
        assert compiled.decode_entry(data, name) is None


def test_an_entry_for_other_bytes_or_another_version_is_not_served(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled.load_bundled(RAW, fresh)
    edited = RAW.replace(b"input: 2.50", b"input: 2.75", 1)
    assert edited != RAW and compiled.key(edited) != compiled.key(RAW)
    parsed: list[int] = []
    compiled.load_bundled(edited, counted(parsed))
    assert parsed == [1]
    monkeypatch.setattr(compiled, "__version__", "999.0")
    key = compiled.key(RAW)
    assert key is not None and key not in "".join(p.name for p in entries(cache_dir))


def test_the_loaders_own_source_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = compiled.key(RAW)
    monkeypatch.setattr(compiled, "_DERIVED_BY", (*compiled._DERIVED_BY, "tokens.py"))
    assert compiled.key(RAW) not in (before, None)
    monkeypatch.setattr(compiled, "_DERIVED_BY", ("no/such/module.py",))
    assert compiled.key(RAW) is None  # cannot tell what derived it: no caching at all


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert compiled.load_bundled(RAW, fresh) == fresh()
    assert blocker.read_text() == "a file where the cache folder would go"


def test_no_cache_when_switched_off(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV_OFF, "1")
    compiled.load_bundled(RAW, fresh)
    assert entries(cache_dir) == [] and not cache_dir.exists()
    monkeypatch.setenv(cache.ENV_OFF, "0")
    compiled.load_bundled(RAW, fresh)
    assert len(entries(cache_dir)) == 1


def test_cache_location_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.directory() == tmp_path / "llmprof"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset in ("", "relative/path"):  # the XDG spec: relative values are ignored
        monkeypatch.setenv("XDG_CACHE_HOME", unset)
        assert cache.directory() == tmp_path / "home" / ".cache" / "llmprof"


def test_writes_leave_no_temporary_files(cache_dir: Path) -> None:
    assert cache.write("entry", b"data")
    assert cache.read("entry") == b"data"
    assert sorted(p.name for p in cache_dir.iterdir()) == ["entry"]
