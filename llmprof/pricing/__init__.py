"""The versioned price table and the price of a request.

* :mod:`llmprof.pricing.model`: models, price periods and their rate variants (data);
* :mod:`llmprof.pricing.cost`: :func:`price_request`, pure Decimal arithmetic over usage buckets;
* :mod:`llmprof.pricing.load`: reading ``pricing.yaml`` and user files laid over it.

A rate that a figure needs but the table lacks is a :class:`~llmprof.errors.PricingError`,
never a silent $0.
"""

from __future__ import annotations

from llmprof.pricing.cost import STANDARD, Cost, Mode, Usage, price_request
from llmprof.pricing.load import BUNDLED, bundled_table_path, load_table
from llmprof.pricing.model import (
    DEFAULT_MAX_AGE_DAYS,
    ModelPrice,
    PricePeriod,
    PriceTable,
    Rates,
    Tier,
    Window,
)

__all__ = [
    "BUNDLED",
    "DEFAULT_MAX_AGE_DAYS",
    "STANDARD",
    "Cost",
    "Mode",
    "ModelPrice",
    "PricePeriod",
    "PriceTable",
    "Rates",
    "Tier",
    "Usage",
    "Window",
    "bundled_table_path",
    "load_table",
    "price_request",
]
