"""The concurrency limit on its own: FIFO hand-over, a full queue, and waiters that leave."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from llmprof.mock.slots import QueueFull, Slots
from tests import virtual_time


def test_a_free_slot_is_taken_at_once_and_given_back() -> None:
    async def main(clock: Callable[[], int]) -> None:
        slots = Slots(2)
        gone = asyncio.Event()
        assert await slots.acquire(gone) is False
        assert await slots.acquire(gone) is False
        assert (slots.busy, slots.waiting) == (2, 0)
        slots.release()
        slots.release()
        assert slots.busy == 0

    virtual_time.run(main)


def test_waiters_are_served_first_come_first_served() -> None:
    """Five jobs of 1 s on two slots: they start at 0, 0, 1, 1, 2 in arrival order."""

    async def main(clock: Callable[[], int]) -> list[tuple[int, float, bool | None]]:
        slots = Slots(2)
        started: list[tuple[int, float, bool | None]] = []

        async def job(number: int) -> None:
            waited = await slots.acquire(asyncio.Event())
            started.append((number, clock() / 1e9, waited))
            await asyncio.sleep(1.0)
            slots.release()

        await asyncio.gather(*(job(n) for n in range(5)))
        assert (slots.busy, slots.waiting) == (0, 0)
        return started

    assert virtual_time.run(main) == [
        (0, 0.0, False),
        (1, 0.0, False),
        (2, 1.0, True),
        (3, 1.0, True),
        (4, 2.0, True),
    ]


def test_a_late_arrival_never_overtakes_the_queue() -> None:
    """A slot freed while others wait goes to the longest waiter, not to whoever asks next."""

    async def main(clock: Callable[[], int]) -> list[str]:
        slots = Slots(1)
        order: list[str] = []
        assert await slots.acquire(asyncio.Event()) is False

        async def wait(name: str) -> None:
            await slots.acquire(asyncio.Event())
            order.append(name)
            slots.release()

        first = asyncio.ensure_future(wait("queued"))
        await asyncio.sleep(0)
        slots.release()  # hands the slot to "queued" ...
        late = asyncio.ensure_future(wait("late"))  # ... so this one must wait behind it
        await asyncio.gather(first, late)
        return order

    assert virtual_time.run(main) == ["queued", "late"]


def test_a_full_queue_refuses() -> None:
    async def main(clock: Callable[[], int]) -> None:
        slots = Slots(1, max_queue=1)
        gone = asyncio.Event()
        await slots.acquire(gone)
        queued = asyncio.ensure_future(slots.acquire(gone))
        await asyncio.sleep(0)
        assert slots.waiting == 1
        with pytest.raises(QueueFull):
            await slots.acquire(gone)
        slots.release()
        assert await queued is True
        assert (slots.busy, slots.waiting) == (1, 0)

    virtual_time.run(main)


def test_max_queue_zero_refuses_whatever_cannot_start() -> None:
    async def main(clock: Callable[[], int]) -> None:
        slots = Slots(1, max_queue=0)
        assert await slots.acquire(asyncio.Event()) is False
        with pytest.raises(QueueFull):
            await slots.acquire(asyncio.Event())

    virtual_time.run(main)


def test_a_waiter_whose_client_leaves_gives_up_its_place() -> None:
    async def main(clock: Callable[[], int]) -> tuple[bool | None, bool | None, int, int]:
        slots = Slots(1)
        await slots.acquire(asyncio.Event())
        left = asyncio.Event()
        leaving = asyncio.ensure_future(slots.acquire(left))
        staying = asyncio.ensure_future(slots.acquire(asyncio.Event()))
        await asyncio.sleep(0)
        left.set()
        gave_up = await leaving
        assert slots.waiting == 1
        slots.release()  # goes to the one still waiting
        served = await staying
        return gave_up, served, slots.busy, slots.waiting

    assert virtual_time.run(main) == (None, True, 1, 0)


def test_a_slot_handed_to_a_client_that_just_left_passes_on() -> None:
    async def main(clock: Callable[[], int]) -> tuple[bool | None, bool | None, int]:
        slots = Slots(1)
        await slots.acquire(asyncio.Event())
        left = asyncio.Event()
        leaving = asyncio.ensure_future(slots.acquire(left))
        staying = asyncio.ensure_future(slots.acquire(asyncio.Event()))
        await asyncio.sleep(0)
        slots.release()  # the slot goes to the first waiter ...
        left.set()  # ... whose client leaves in the same instant
        return await leaving, await staying, slots.busy

    assert virtual_time.run(main) == (None, True, 1)


def test_a_cancelled_waiter_leaves_the_queue() -> None:
    async def main(clock: Callable[[], int]) -> tuple[int, int]:
        slots = Slots(1)
        await slots.acquire(asyncio.Event())
        waiter = asyncio.ensure_future(slots.acquire(asyncio.Event()))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        slots.release()
        return slots.busy, slots.waiting

    assert virtual_time.run(main) == (0, 0)
