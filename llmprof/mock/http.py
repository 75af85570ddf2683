"""The ASGI plumbing the mock app needs: reading a request body with limits, watching for a
client that leaves, sending JSON, answering lifespan events. No routing and no timing here."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

MAX_BODY_BYTES = 32 * 1024 * 1024  # a larger request body is refused (413)
JSON_CONTENT_TYPE = b"application/json"


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, timeout_s: float) -> bytes | None:
    """The request body; None if the client left. A client that stalls for ``timeout_s`` mid-body
    raises TimeoutError; one that sends too much raises BodyTooLarge."""
    chunks = []
    size = 0
    while True:
        message = await asyncio.wait_for(receive(), timeout_s)
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def watch_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()


async def lifespan(receive: Receive, send: Send) -> None:
    """For servers run with lifespan on: nothing to set up, so say so at once."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


async def start(send: Send, status: int, length: int, headers: Headers) -> None:
    all_headers = [(b"content-type", JSON_CONTENT_TYPE), (b"content-length", str(length).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})


async def body(send: Send, data: bytes, more: bool) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": more})


async def send_json(send: Send, status: int, data: dict[str, Any], headers: Headers | None = None) -> None:
    raw = dump(data)
    await start(send, status, len(raw), headers or [])
    await body(send, raw, more=False)
