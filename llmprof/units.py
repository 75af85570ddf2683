"""Values as text, at the bottom of the package so any layer may use them.

:func:`decimal_str` is the exact form machines get (JSON, CSV, baselines); :func:`usd`,
:func:`percent` and :func:`tokens` are the forms people read in tables and messages.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

_CENT = Decimal("0.01")


def usd(value: Decimal, signed: bool = False) -> str:
    """$312.00, $14.00, $0.624, $0.0014: cents from $1 up, 4 significant digits below."""
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    magnitude = abs(value)
    if magnitude >= 1 or magnitude == 0:
        return f"{sign}${magnitude.quantize(_CENT, ROUND_HALF_EVEN):,}"
    digits = format(Decimal(f"{magnitude:.3e}").normalize(), "f")  # 4 significant digits
    whole, _, frac = digits.partition(".")
    return f"{sign}${whole}.{frac.ljust(2, '0')}"


def decimal_str(value: Decimal) -> str:
    """Exact, stable text for a Decimal: no exponent, no trailing zeros ("0.624", "312")."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def tokens(n: int) -> str:
    return f"{n:,}"


def percent(value: float, signed: bool = True) -> str:
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"
