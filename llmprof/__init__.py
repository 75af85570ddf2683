"""llmprof: what will this prompt cost, how slow will this call be, and did my change make either worse?

For tests and scripts: ``from llmprof import estimate_cost, count_tokens`` (see :mod:`llmprof.api`).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["CostEstimate", "__version__", "count_tokens", "estimate_cost"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `llmprof --help` never pays for the pricing or tokenizer layers.
    if name in ("estimate_cost", "count_tokens", "CostEstimate"):
        from llmprof import api

        return getattr(api, name)
    raise AttributeError(f"module 'llmprof' has no attribute {name!r}")
