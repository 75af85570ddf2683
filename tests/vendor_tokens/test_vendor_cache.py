"""Vendor tokenizers load faster, never differently: pre-parsed rank tables come from llmprof's
cache only when their sha256 is the one recorded in FAMILIES (derived anew here from each pinned
file), and DeepSeek's tokenizer.json loses its added tokens without a decode-encode round trip."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmprof import cache, ranks
from llmprof import vendor_tokenizers as vt
from llmprof.vendor_tokenizers import loading
from tests.vendor_tokens.vendor_tok_helpers import need_family

RANKED = sorted(name for name, spec in vt.FAMILIES.items() if spec.engine in ("tiktoken", "tekken"))
TEXTS = ["Hello, world!", "東京は日本の首都です。", "def f(x):\n    return x  # 🚀", " " * 40 + "<|eot_id|>[INST]"]


def test_every_bpe_family_records_its_pre_parsed_hash() -> None:
    assert RANKED and all(vt.FAMILIES[name].ranks_sha256 for name in RANKED)
    assert all(spec.ranks_sha256 is None for name, spec in vt.FAMILIES.items() if name not in RANKED)


@pytest.mark.parametrize("family", RANKED)
def test_the_recorded_hash_is_the_pinned_files_table(family: str) -> None:
    path = need_family(family)
    spec = vt.FAMILIES[family]
    data = path.read_bytes()
    vt.verify(spec, data, str(path))
    table = loading._parse_tiktoken(data) if spec.engine == "tiktoken" else loading._tekken_ranks(data)
    assert hashlib.sha256(ranks.dumps(table)).hexdigest() == spec.ranks_sha256
    if spec.engine == "tekken":  # the pattern is copied into the spec: it must be the file's
        assert json.loads(data)["config"]["pattern"] == spec.pattern


@pytest.fixture
def private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    loading._counter.cache_clear()
    yield tmp_path / "llmprof"
    loading._counter.cache_clear()


def _counts(family: str) -> list[int]:
    loading._counter.cache_clear()
    return [vt.count_text(text, family) for text in TEXTS]


@pytest.mark.parametrize("family", ["mistral-tekken", "llama3"])
def test_a_cached_table_counts_as_the_file_does_and_a_wrong_one_is_ignored(
    family: str, private: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_family(family)
    spec = vt.FAMILIES[family]
    parsed = _counts(family)  # a miss: parsed, then cached
    [entry] = private.glob(f"ranks-{family}-*.ranks")
    assert hashlib.sha256(entry.read_bytes()).hexdigest() == spec.ranks_sha256

    def no_parse(data: bytes) -> dict[bytes, int]:
        raise AssertionError("parsed, although the cache holds the table")

    monkeypatch.setattr(loading, "_parse_tiktoken", no_parse)
    monkeypatch.setattr(loading, "_tekken_ranks", no_parse)
    assert _counts(family) == parsed  # a hit
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(private.parent))

    table = ranks.loads(entry.read_bytes())
    token = next(t for t in table if t == b"Hello" or t == b"hello")
    table[token] = 5  # a valid table, one rank moved: its hash is not the recorded one
    entry.write_bytes(ranks.dumps(table))
    assert _counts(family) == parsed
    assert hashlib.sha256(entry.read_bytes()).hexdigest() == spec.ranks_sha256  # rewritten


def test_no_cache_without_a_recorded_hash(private: Path) -> None:
    need_family("llama3")
    spec = vt.FAMILIES["llama3"]
    assert loading._ranks(dataclasses.replace(spec, ranks_sha256=None), loading._read_verified(spec))
    assert not private.exists()


def test_deepseeks_added_tokens_are_cut_out_exactly() -> None:
    path = need_family("deepseek-v3")
    data = path.read_bytes()
    doc = json.loads(data)
    assert doc["added_tokens"]  # there is something to remove
    expected = {**doc, "added_tokens": []}
    assert json.loads(vt.without_added_tokens(data)) == expected


def test_added_tokens_are_emptied_in_any_layout() -> None:
    docs: list[dict[str, object]] = [
        {"version": "1.0", "added_tokens": [{"id": 1}], "model": {"vocab": {"added_tokens": 1}}},
        {"model": {}},
        {"model": {"added_tokens": [1, 2]}, "added_tokens": [{"id": 1}], "post": None},  # nested first
        {"added_tokens": 5},  # not a list: the slow path decides
    ]
    for doc in docs:
        for text in (json.dumps(doc), json.dumps(doc, indent=2)):
            assert json.loads(vt.without_added_tokens(text.encode())) == {**doc, "added_tokens": []}
