"""The calibration table: sourced factors, sane ranges, and estimates shown as ranges."""

from __future__ import annotations

import pytest

from llmprof import tokens
from llmprof import vendor_tokenizers as vt


def test_table_is_sourced_and_ordered() -> None:
    for name, cal in vt.CALIBRATION.items():
        assert cal.name == name
        for f in (cal.latin, cal.non_latin):
            assert 0.5 < f.low <= f.point <= f.high < 3
        assert cal.sources and all(len(s) > 20 for s in cal.sources)
        assert 0 < cal.spread < 0.5


@pytest.mark.parametrize(
    ("model", "entry"),
    [
        ("claude-3-5-sonnet", "claude-3"),
        ("claude-3-haiku", "claude-3"),
        ("claude-sonnet-4-5", "claude-3"),
        ("claude-sonnet-4-6", "claude-3"),
        ("claude-opus-4-7", "claude-4.7"),
        ("claude-opus-5", "claude-4.7"),
        ("claude-sonnet-5-5", "claude-4.7"),
        ("claude-haiku-5-5", "claude-4.7"),
        ("claude-fable-5-1", "claude-4.7"),
        ("gemini-2.5-flash", "gemini"),
        ("gemini-3.5-flash-lite", "gemini"),
    ],
)
def test_model_calibration(model: str, entry: str) -> None:
    cal = vt.calibration_for_model(model)
    assert cal is not None and cal.name == entry


def test_estimate_is_a_range() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 40
    base = tokens.count_text(text, "o200k_base")
    est = vt.estimate(text, "claude-sonnet-4-5")
    cal = vt.CALIBRATION["claude-3"]
    assert est.exactness == "approx" and est.method == "claude-3"
    assert est.tokens == round(base * cal.latin.point)
    assert est.low <= est.tokens <= est.high
    assert est.low == int(base * cal.latin.low)
    assert est.label == "approx ±13%"


def test_non_latin_share() -> None:
    assert vt.non_latin_share("plain ASCII, code() {} 123") == 0.0
    assert vt.non_latin_share("café naïve — “quotes” Ångström") == 0.0
    assert vt.non_latin_share("人工智能") == 1.0
    assert vt.non_latin_share("ab 人工") == 0.5
    assert vt.non_latin_share("   ") == 0.0


def test_cjk_text_uses_the_non_latin_factor() -> None:
    text = "人工智能正在改变世界。" * 30
    base = tokens.count_text(text, "o200k_base")
    cal = vt.CALIBRATION["gemini"]
    est = vt.estimate(text, "gemini-2.5-pro")
    assert est.tokens == round(base * cal.non_latin.point)
    assert est.high == -(-base * cal.non_latin.high // 1)


def test_unknown_model_uses_stand_in() -> None:
    est = vt.estimate("hello", "grok-4.7")
    assert (est.exactness, est.method, est.label) == ("approx", "o200k_base", "approx")
