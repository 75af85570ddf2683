"""SIGTERM as an exception, from the first moment llmprof runs, so that a ``kill`` (a CI timeout,
a container stopping) unwinds like Ctrl-C does: context managers close (the mock's process
ends, files are finished or left whole), and the exit code is 143. Python's default for SIGTERM
is to die on the spot, with none of that.

The bench's event loop handles both signals itself while it runs (it stops sending and keeps
what finished) and calls :func:`install` again when it is done, since asyncio puts back the
default handler when it lets go of a signal.
"""

from __future__ import annotations

import contextlib
import signal
from types import FrameType


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, like KeyboardInterrupt: ``except Exception`` must not
    swallow it)."""


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def install() -> None:
    """Make SIGTERM raise :class:`Terminated` (main thread only; a no-op elsewhere)."""
    with contextlib.suppress(ValueError, OSError, AttributeError):  # not the main thread; no SIGTERM
        signal.signal(signal.SIGTERM, _raise)
