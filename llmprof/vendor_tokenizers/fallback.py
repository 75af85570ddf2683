"""One entry point that never fails for a missing extra: exact with a vendor tokenizer, else
calibrated, else the ``o200k_base`` stand-in, each labelled so."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from llmprof.vendor_tokenizers.calibration import calibration_for_model, non_latin_share
from llmprof.vendor_tokenizers.families import family_for_model
from llmprof.vendor_tokenizers.loading import INSTALL_HINT, available, count_text

Exactness = Literal["exact", "approx"]

STAND_IN = "o200k_base"


@dataclass(frozen=True)
class Estimate:
    tokens: int
    low: int
    high: int
    exactness: Exactness
    method: str  # family name, calibration name, or the stand-in
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        if self.exactness == "exact":
            return "exact"
        if self.tokens and (self.low, self.high) != (self.tokens, self.tokens):
            spread = max(self.high - self.tokens, self.tokens - self.low) / self.tokens
            return f"approx ±{round(spread * 100)}%"
        return "approx"


def _stand_in_count(text: str) -> int:
    from llmprof import tokens

    return tokens.count_text(text, STAND_IN)


def estimate(text: str, model: str) -> Estimate:
    """Tokens of ``text`` for ``model``: exact with a vendor tokenizer, else calibrated, else stand-in.

    Never raises because the extra is missing; a corrupt vendor file still raises (it is a broken
    install, not a missing option).
    """
    found = family_for_model(model)
    if found is not None:
        family, basis = found
        if available(family):
            n = count_text(text, family)
            if basis == "vendor":
                return Estimate(n, n, n, "exact", family)
            return Estimate(
                n,
                n,
                n,
                "approx",
                family,
                (f"{model} is assumed to use the {family} tokenizer (same vendor, not documented)",),
            )
        base = _stand_in_count(text)
        return Estimate(
            base,
            base,
            base,
            "approx",
            STAND_IN,
            (f"counted with {STAND_IN}; for exact {family} counts: {INSTALL_HINT}",),
        )
    cal = calibration_for_model(model)
    base = _stand_in_count(text)
    if cal is not None:
        share = non_latin_share(text)
        f = cal.factor(share)
        return Estimate(
            round(base * f.point),
            math.floor(base * f.low),
            math.ceil(base * f.high),
            "approx",
            cal.name,
            (
                f"{STAND_IN} x {f.point:.2f} (range x{f.low:.2f}-x{f.high:.2f}, "
                f"{share:.0%} non-Latin text; {cal.basis})",
            ),
        )
    return Estimate(base, base, base, "approx", STAND_IN, (f"no tokenizer known for {model}; {STAND_IN} used",))
