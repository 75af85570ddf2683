"""At most K generations at once: the rest wait their turn, first come first served.

A saturated inference server (vLLM, TGI, llama.cpp with a fixed number of slots) does not refuse a
request it cannot start; it queues it, and the wait shows up before the first token. The mock does
the same when ``max_concurrency`` is set: a request that finds every slot busy waits in a FIFO queue
before anything is sent, so a client sees the queue as time to first token. With ``max_queue`` set,
a request that would find that many already waiting is refused at once (the app answers 429).

A finished generation hands its slot straight to the longest waiter, so no later arrival can
overtake the queue, and a waiter whose client goes away leaves the queue without taking a slot.
"""

from __future__ import annotations

import asyncio
import collections


class QueueFull(Exception):
    """Every slot is busy and ``max_queue`` requests are already waiting."""


class Slots:
    def __init__(self, limit: int, max_queue: int | None = None) -> None:
        self.limit = limit
        self.max_queue = max_queue
        self.busy = 0  # slots held by generations in progress
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def acquire(self, gone: asyncio.Event) -> bool | None:
        """Take a slot: False if one was free at once, True after waiting in the queue, None if the
        client went away (``gone`` was set) while waiting. Raises :class:`QueueFull`."""
        if self.busy < self.limit and not self._waiting:
            self.busy += 1
            return False
        if self.max_queue is not None and len(self._waiting) >= self.max_queue:
            raise QueueFull
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        leaving = asyncio.ensure_future(gone.wait())
        try:
            await asyncio.wait((turn, leaving), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            self._leave(turn)
            raise
        finally:
            leaving.cancel()
        if turn.done():
            if gone.is_set():  # handed a slot just as the client left: pass it on
                self.release()
                return None
            return True
        self._leave(turn)
        return None

    def release(self) -> None:
        """Give the slot to the longest waiter, or free it."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot moves over: ``busy`` stays the same
                return
        self.busy -= 1

    def _leave(self, turn: asyncio.Future[None]) -> None:
        if turn.done() and not turn.cancelled():
            self.release()  # the slot was already ours
        else:
            turn.cancel()
            if turn in self._waiting:
                self._waiting.remove(turn)
