"""Stopping a bench run cleanly: Ctrl-C, SIGTERM or a failed write cancels what is in flight and
keeps what finished."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from llmprof import signals
from llmprof.errors import Interrupted, LlmprofError, WriteError


class Stopper:
    """Runs the runner until the end, or until Ctrl-C, SIGTERM or a failed write to the run log:
    then it cancels what is in flight, keeps what finished, and remembers why."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.write_failure: WriteError | None = None
        self._task: asyncio.Task[None] | None = None

    def stop(self, why: str) -> None:
        if self.reason is None:
            self.reason = why
            if self._task is not None:
                self._task.cancel()

    def failed(self, error: WriteError) -> None:
        """The run log could not be written: nothing more would be kept, so stop now."""
        self.write_failure = error
        self.stop("a failed write")

    def error(self, log: Path | None) -> LlmprofError | None:
        if self.write_failure is not None:
            return self.write_failure
        if self.reason is None:
            return None
        return Interrupted(
            f"stopped by {self.reason}: the requests that finished are kept",
            f"re-render them any time with: llmprof report {log}" if log else None,
            exit_code=143 if self.reason == "SIGTERM" else 130,
        )

    def run(self, work: Callable[[], Awaitable[object]]) -> None:
        async def main() -> None:
            loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            installed = []
            for signum, name in ((signal.SIGINT, "Ctrl-C"), (signal.SIGTERM, "SIGTERM")):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows; not main thread
                    loop.add_signal_handler(signum, self.stop, name)
                    installed.append(signum)
            try:
                await work()
            except asyncio.CancelledError:
                if self.reason is None:
                    raise
            finally:
                for signum in installed:
                    with contextlib.suppress(Exception):
                        loop.remove_signal_handler(signum)
                signals.install()  # asyncio put back Python's default, which dies on SIGTERM

        try:
            asyncio.run(main())
        except KeyboardInterrupt:  # where signal handlers are unavailable
            self.reason = self.reason or "Ctrl-C"
