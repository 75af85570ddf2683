"""What "today" and "now" are. ``LLMPROF_TODAY`` pins them, so a CI run, a README example or a
test can be reproduced later with the prices, warnings and staleness it had then: a date
(``2026-11-21``, meaning noon UTC that day) or an instant (``2026-11-21T17:30Z``)."""

from __future__ import annotations

import datetime as dt
import os

from llmprof.errors import UsageError

NOON = dt.time(12, 0)


def today() -> dt.date:
    return now().date()


def now() -> dt.datetime:
    """The current instant in UTC (or the pinned one)."""
    pinned = os.environ.get("LLMPROF_TODAY")
    if not pinned:
        return dt.datetime.now(dt.timezone.utc)
    try:
        return parse_moment(pinned)
    except UsageError:
        raise UsageError(
            f"LLMPROF_TODAY={pinned!r} is not a date", "use YYYY-MM-DD (or YYYY-MM-DDTHH:MMZ), or unset it."
        ) from None


def parse_moment(text: str) -> dt.datetime:
    """An instant in UTC from ISO text; no zone means UTC; a bare date means noon UTC that day."""
    value = text.strip()
    try:
        if len(value) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(value), NOON, dt.timezone.utc)
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{text!r} is not a date or time", "use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless a zone is given)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)
