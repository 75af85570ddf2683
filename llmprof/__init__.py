"""llmprof: what will this prompt cost, how slow will this call be, and did my change make either worse?

For tests and scripts: ``from llmprof import estimate_cost, count_tokens`` (see :mod:`llmprof.api`).
This module imports nothing at all, so the command line can take over Ctrl-C from its first moment.
"""

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from llmprof.api import CostEstimate, count_tokens, estimate_cost

__version__ = "0.2.0"
__all__ = ["CostEstimate", "__version__", "count_tokens", "estimate_cost"]


def __getattr__(name: str) -> object:
    # Imported on first use, so `llmprof --help` never pays for the pricing or tokenizer layers.
    if name in ("estimate_cost", "count_tokens", "CostEstimate"):
        from llmprof import api

        return getattr(api, name)
    raise AttributeError(f"module 'llmprof' has no attribute {name!r}")
