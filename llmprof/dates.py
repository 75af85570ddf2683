"""What "today" is. ``LLMPROF_TODAY=YYYY-MM-DD`` pins it, so a CI run, a README example or a
test can be reproduced later with the prices, warnings and staleness it had on that day."""

from __future__ import annotations

import datetime as dt
import os

from llmprof.errors import UsageError


def today() -> dt.date:
    pinned = os.environ.get("LLMPROF_TODAY")
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise UsageError(f"LLMPROF_TODAY={pinned!r} is not a date", "use YYYY-MM-DD, or unset it.") from None
