from __future__ import annotations

from decimal import Decimal

import pytest

from llmprof.units import decimal_str, usd


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0.624", "$0.624"),
        ("312", "$312.00"),
        ("14.0000", "$14.00"),
        ("0.0014", "$0.0014"),
        ("0.00002250", "$0.0000225"),
        ("0.6", "$0.60"),
        ("1234567.891", "$1,234,567.89"),
        ("-0.05", "-$0.05"),
        ("0", "$0.00"),
        ("0.123456", "$0.1235"),
    ],
)
def test_usd(value: str, shown: str) -> None:
    assert usd(Decimal(value)) == shown


def test_usd_signed() -> None:
    assert usd(Decimal("0.05"), signed=True) == "+$0.05"
    assert usd(Decimal("-1.5"), signed=True) == "-$1.50"


@pytest.mark.parametrize(("value", "text"), [("0.600000", "0.6"), ("312.000", "312"), ("1E+3", "1000"), ("-0", "0")])
def test_decimal_str_is_exact_and_plain(value: str, text: str) -> None:
    assert decimal_str(Decimal(value)) == text
