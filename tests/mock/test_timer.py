"""The mock's precise waker: wakes at (not before) its deadline, in deadline order, and copes
with a cancelled waiter. Lateness is measured in benchmarks/perf/bench_accuracy.py, not here."""

from __future__ import annotations

import asyncio
import time

from llmprof.mock.timer import Waker


def test_wakes_in_deadline_order_never_early() -> None:
    waker = Waker()
    woke: list[tuple[int, float, float]] = []

    async def wait(index: int, deadline: float) -> None:
        await waker.until(deadline)
        woke.append((index, deadline, time.perf_counter()))

    async def main() -> None:
        now = time.perf_counter()
        await asyncio.gather(*(wait(i, now + delay) for i, delay in enumerate([0.02, 0.004, 0.0, -1.0, 0.011])))

    asyncio.run(main())
    order = [index for index, _, _ in woke]
    assert set(order[:2]) == {2, 3} and order[2:] == [1, 4, 0]  # the past-due first, then by deadline
    assert all(at >= deadline for _, deadline, at in woke)


def test_a_cancelled_waiter_does_not_break_the_others() -> None:
    waker = Waker()

    async def main() -> bool:
        soon = time.perf_counter() + 0.002
        cancelled = asyncio.ensure_future(waker.until(soon))
        await asyncio.sleep(0)
        cancelled.cancel()
        await waker.until(soon + 0.002)
        return cancelled.cancelled()

    assert asyncio.run(main())
