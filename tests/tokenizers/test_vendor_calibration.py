"""The calibration table: sourced factors, sane ranges, and estimates shown as ranges."""

from __future__ import annotations

import pytest

from llmprof import tokens
from llmprof import vendor_tokenizers as vt


def test_table_is_sourced_and_ordered() -> None:
    for name, cal in vt.CALIBRATION.items():
        assert cal.name == name
        assert 0.5 < cal.low <= cal.factor <= cal.high < 3
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
    assert est.tokens == round(base * cal.factor)
    assert est.low <= est.tokens <= est.high
    assert est.low == int(base * cal.low)
    assert est.label.startswith("approx ±") and est.label.endswith("%")


def test_unknown_model_uses_stand_in() -> None:
    est = vt.estimate("hello", "grok-4.7")
    assert (est.exactness, est.method, est.label) == ("approx", "o200k_base", "approx")
