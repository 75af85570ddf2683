"""Sub-millisecond wake-ups for the mock's token schedule.

asyncio's timers wait in the selector with millisecond resolution, rounded up, so every event
lands 0-1 ms late (uvloop's are coarser still). A mock that claims "TTFT 100 ms" should send at
100 ms, so the last stretch of each wait is handed to one helper thread that sleeps with the OS's
fine-grained timeout and passes each due wake-up back to the loop (``call_soon_threadsafe``
interrupts the selector at once). Long waits stay on asyncio; only the final few ms are threaded.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from typing import Protocol

#: Waits longer than this first sleep on asyncio, leaving this much for the precise thread.
PRECISE_TAIL_S = 0.003


class Waker:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    async def until(self, deadline: float) -> None:
        """Return at ``deadline`` (a ``time.perf_counter()`` value). Always yields at least once,
        so with zero delays one long stream cannot starve the others."""
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            await asyncio.sleep(0)
            return
        if remaining > PRECISE_TAIL_S:
            await asyncio.sleep(remaining - PRECISE_TAIL_S)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._ready:
            heapq.heappush(self._heap, (deadline, next(self._order), loop, future))
            self._ready.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mock-waker", daemon=True)
                self._thread.start()
        await future

    def _run(self) -> None:
        with self._ready:
            while True:
                if not self._heap:
                    self._ready.wait()
                    continue
                delay = self._heap[0][0] - time.perf_counter()
                if delay > 0:
                    self._ready.wait(delay)
                    continue
                _, _, loop, future = heapq.heappop(self._heap)
                if not loop.is_closed():
                    loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():  # cancelled meanwhile (the client went away)
        future.set_result(None)


class Clock(Protocol):
    """The mock's time: ``now()`` in seconds, and waiting ``until`` a moment. Real by default;
    tests pass a virtual one to check every event's time exactly."""

    def now(self) -> float: ...

    async def until(self, deadline: float) -> None: ...


class RealClock:
    """``time.perf_counter`` with sub-millisecond wake-ups (see :class:`Waker`)."""

    def __init__(self) -> None:
        self._waker = Waker()

    def now(self) -> float:
        return time.perf_counter()

    async def until(self, deadline: float) -> None:
        await self._waker.until(deadline)
