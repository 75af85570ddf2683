"""Calibrated approximations for vendors that publish no tokenizer (Anthropic's Claude 3+,
Google's Gemini): an ``o200k_base`` count times a documented factor, with a low/high range, each
with its sources."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Factor:
    """``vendor tokens ~= point * o200k_base tokens``, plausibly within ``[low, high] * o200k``."""

    point: float
    low: float
    high: float


@dataclass(frozen=True)
class Calibration:
    """Factors to o200k_base for text in Latin script (English, European languages, code, JSON)
    and for text in other scripts (CJK, Cyrillic, Arabic, Indic, ...), with their sources.
    A text's factor is the two, weighted by its share of non-Latin characters."""

    name: str
    latin: Factor
    non_latin: Factor
    models: tuple[str, ...]
    sources: tuple[str, ...]
    basis: str

    def factor(self, non_latin_share: float = 0.0) -> Factor:
        w = min(max(non_latin_share, 0.0), 1.0)

        def mix(a: float, b: float) -> float:
            return a * (1 - w) + b * w

        lat, non = self.latin, self.non_latin
        return Factor(mix(lat.point, non.point), mix(lat.low, non.low), mix(lat.high, non.high))

    @property
    def spread(self) -> float:
        """Half-width of the Latin-text range relative to its point (for an 'approx ±N%' label)."""
        f = self.latin
        return max(f.high - f.point, f.point - f.low) / f.point


CALIBRATION: dict[str, Calibration] = {
    "claude-3": Calibration(
        name="claude-3",
        latin=Factor(1.20, 1.05, 1.35),
        non_latin=Factor(1.50, 1.10, 2.20),
        models=(
            "claude-3-*",
            "claude-3-5-*",
            "claude-3-7-*",
            "claude-*-4",
            "claude-*-4-1",
            "claude-*-4-5",
            "claude-*-4-6",
        ),
        sources=(
            "Measured Claude 3.5 Sonnet vs GPT-4o (o200k_base) counts: English articles +16%, maths +21%, "
            "Python +30% (L. Gupta, 'Hidden costs in AI deployment', VentureBeat, 2025-05-01)",
            "Anthropic publishes no tokenizer for Claude 3+; its SDK's bundled tokenizer.json (anthropic 0.34.0, "
            "MIT) 'is only accurate for older models, e.g. claude-2.1'. On llmprof's corpus it measures 1.00x "
            "o200k on English, 1.07-1.11x on code, 1.56x on CJK, 2.2x on other scripts: used only as a hint "
            "for the non-Latin range",
        ),
        basis="third-party measurements against the vendor's count_tokens; no vendor tokenizer",
    ),
    "claude-4.7": Calibration(
        name="claude-4.7",
        latin=Factor(1.65, 1.35, 1.95),
        non_latin=Factor(1.50, 1.10, 2.20),
        models=("claude-opus-4-7", "(assumed) claude-*-5*, claude-fable-*"),
        sources=(
            "Anthropic, Claude Opus 4.7 release notes and migration guide: the new tokenizer 'may use roughly "
            "1x to 1.35x as many tokens when processing text compared to previous models'",
            "Independent count_tokens probes, Opus 4.7 / Opus 4.6: English prose 1.45x, German 1.46x, code "
            "1.13-1.33x, JSON 1.31x, CJK/Cyrillic/Arabic/Hindi 1.00x (sol.ava.dev, 2026-04-17); technical "
            "docs 1.47x, English prose 1.20x (A. Ray, 2026-04)",
            "composed with the claude-3 factors (Latin: 1.20 x ~1.35; non-Latin: unchanged)",
        ),
        basis="vendor statement of the change, third-party measurements, composed with claude-3",
    ),
    "gemini": Calibration(
        name="gemini",
        latin=Factor(1.05, 0.90, 1.25),
        non_latin=Factor(0.90, 0.70, 1.20),
        models=("gemini-*",),
        sources=(
            "Google, Gemini API 'Understand and count tokens': a token is about 4 characters; 100 tokens are "
            "about 60-80 English words; 'The quick brown fox jumps over the lazy dog.' = 10 tokens "
            "(o200k_base: 10)",
            "Google's google-genai SDK (3.3.0, _local_tokenizer_loader.py) counts Gemini 2.0/2.5/3-preview "
            "with the Gemma 3 SentencePiece model (sha256 1299c11d...) and Gemini 3.1/3.5 with Gemma 4's "
            "(google/gemma-4-E4B-it): Google itself treats Gemma's tokenizer as Gemini's. No registry "
            "package ships either file, so the ratio could not be measured offline",
            "Non-Latin: large multilingual vocabularies (Gemma's 262k) count CJK below o200k; llmprof's "
            "corpus shows 0.80-0.84x for the 200k+ vocabularies of Llama 4 and Qwen 3.5",
        ),
        basis="vendor rules of thumb and one documented count; no offline tokenizer file to measure",
    ),
}

#: Model name patterns -> calibration entry.
MODEL_CALIBRATION: tuple[tuple[str, str], ...] = (
    (r"claude-opus-4-[7-9].*|claude-(opus|sonnet|haiku|fable)-[5-9].*|claude-fable.*", "claude-4.7"),
    (r"claude.*", "claude-3"),
    (r"gemini.*", "gemini"),
)


_LATIN = re.compile(r"[\s\x00-\u024f\u1e00-\u1eff\u2000-\u206f]+")


def non_latin_share(text: str) -> float:
    """Share of a text's non-space characters outside Latin script, ASCII symbols and punctuation."""
    if text.isascii():
        return 0.0
    visible = len(text) - sum(map(len, re.findall(r"\s+", text)))
    if not visible:
        return 0.0
    other = len(_LATIN.sub("", text))
    return other / visible


def calibration_for_model(model: str) -> Calibration | None:
    name = model.lower().rsplit("/", 1)[-1]
    for pattern, entry in MODEL_CALIBRATION:
        if re.fullmatch(pattern, name):
            return CALIBRATION[entry]
    return None
