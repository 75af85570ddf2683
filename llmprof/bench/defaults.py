"""Every default of ``llmprof bench``, written once. The settings resolver, the suite files and the
command line's help text all read them from here (this module imports nothing, so ``--help``
stays fast)."""

from __future__ import annotations

from decimal import Decimal

MOCK = "mock"  # the endpoint name of the built-in mock
MOCK_MODEL = "gpt-3.5-turbo"  # what the reference table measured; the mock answers as it
CELLS = ("51x1", "232x1", "228x26")  # the reference table (Chip Huyen, 2023): input x output tokens
RUNS = 20
CONCURRENCY = 4
ARRIVAL = "poisson"
ORDER = "interleaved"  # cells in randomised blocks, so drift over time is not blamed on length
TIMEOUT_S = 60.0
MAX_RETRIES = 2
MAX_COST = Decimal("1.00")
#: A run in which more than this share of measured requests failed exits 1: its percentiles
#: describe the survivors, not the endpoint.
MAX_ERROR_RATE = 0.5
PERCENTILES = (50.0, 75.0, 90.0)
RUNS_DIR = "llmprof-runs"
#: A run plans every request up front; more than this is a typo, not a benchmark.
MAX_REQUESTS = 1_000_000
