"""Vendor tokenizers for non-OpenAI models: exact where the vendor publishes one, calibrated otherwise.

Two tables:

``FAMILIES``
    Tokenizer files that vendors publish inside PyPI packages (Mistral's ``mistral-common``, Meta's
    ``llama-models``, ...). llmprof ships none of these files: it reads them from the installed
    carrier package (the ``tokenizers`` extra), never imports that package, and refuses any file
    whose sha256 differs from the one pinned here. Counting runs on tiktoken (already a llmprof
    dependency) for tiktoken-style BPE files, on Hugging Face ``tokenizers`` for ``tokenizer.json``
    files and on ``sentencepiece`` for SentencePiece models.

``CALIBRATION``
    Vendors that publish no tokenizer (Anthropic's Claude 3+, Google's Gemini): an ``o200k_base``
    count times a documented factor, with a low/high range, each with its sources.

Nothing here touches the network. Without the extra, :func:`estimate` falls back to the
``o200k_base`` stand-in with a note saying how to get the exact count; it never raises for that.
:func:`count_text` is the strict form: it raises :class:`TokenizerUnavailable` instead.

The package, by idea: :mod:`~llmprof.vendor_tokenizers.families` (the tables),
:mod:`~llmprof.vendor_tokenizers.loading` (find, verify, count),
:mod:`~llmprof.vendor_tokenizers.chat` (chat framing),
:mod:`~llmprof.vendor_tokenizers.calibration` (factors for vendors without a tokenizer) and
:mod:`~llmprof.vendor_tokenizers.fallback` (:func:`estimate`).
"""

from __future__ import annotations

from llmprof.vendor_tokenizers.calibration import (
    CALIBRATION,
    MODEL_CALIBRATION,
    Calibration,
    Factor,
    calibration_for_model,
    non_latin_share,
)
from llmprof.vendor_tokenizers.chat import count_messages
from llmprof.vendor_tokenizers.fallback import STAND_IN, Estimate, Exactness, estimate
from llmprof.vendor_tokenizers.families import (
    FAMILIES,
    MODEL_FAMILIES,
    Carrier,
    ChatFraming,
    Engine,
    Spec,
    family_for_model,
    family_spec,
)
from llmprof.vendor_tokenizers.loading import (
    EXTRA,
    INSTALL_HINT,
    TokenizerUnavailable,
    available,
    count_text,
    counter,
    locate,
    verify,
    without_added_tokens,
)

__all__ = [
    "CALIBRATION",
    "EXTRA",
    "FAMILIES",
    "INSTALL_HINT",
    "MODEL_CALIBRATION",
    "MODEL_FAMILIES",
    "STAND_IN",
    "Calibration",
    "Carrier",
    "ChatFraming",
    "Engine",
    "Estimate",
    "Exactness",
    "Factor",
    "Spec",
    "TokenizerUnavailable",
    "available",
    "calibration_for_model",
    "count_messages",
    "count_text",
    "counter",
    "estimate",
    "family_for_model",
    "family_spec",
    "locate",
    "non_latin_share",
    "verify",
    "without_added_tokens",
]
