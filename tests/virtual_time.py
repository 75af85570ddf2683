"""An asyncio event loop on virtual time, for exact timing tests that no busy machine can upset.

Whenever nothing is ready to run, the loop's clock jumps straight to the next timer instead of
waiting for it, so ``asyncio.sleep(0.1)`` takes no real time and every timestamp is exact.
Everything must be in memory (``httpx.MockTransport``, ASGI apps driven directly): a real socket
would wait in real time. :func:`run` gives the code under test a clock in integer nanoseconds.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__(selectors.SelectSelector())
        self.now_ns = 0
        select = self._selector.select  # type: ignore[attr-defined]

        def jump(timeout: float | None = None) -> list[Any]:
            events = select(0)
            if events:
                return events  # type: ignore[no-any-return]
            if timeout is None:
                raise RuntimeError("virtual-time loop is idle with no timer: the test would wait forever")
            self.now_ns += round(timeout * 1e9)
            return []

        self._selector.select = jump  # type: ignore[attr-defined]

    def time(self) -> float:
        return self.now_ns / 1e9

    def clock(self) -> int:
        return self.now_ns


def run(make: Callable[[Callable[[], int]], Awaitable[T]]) -> T:
    """Run ``make(clock)`` to completion on a fresh virtual-time loop; ``clock`` is its ns time."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(make(loop.clock))
    finally:
        loop.close()
