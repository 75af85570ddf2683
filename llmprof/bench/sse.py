"""An incremental Server-Sent Events parser (the WHATWG event-stream format), fed raw bytes.

Lines may end in CRLF, LF or CR (even split across reads); ``data`` lines of one event join with
"\\n"; comments (``:``) are skipped; an event is dispatched at a blank line. Work is linear in the
bytes received: a partial line waits in a list and is joined once, when its end arrives, and a
line longer than ``max_line`` bytes is refused (:class:`LineTooLong`) rather than buffered forever.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINE = 16 * 1024 * 1024  # bytes; an event line longer than this is not an LLM token


@dataclass(frozen=True)
class Event:
    data: str
    event: str | None = None


class LineTooLong(Exception):
    """An SSE line grew past the parser's limit without ending."""


class SSEParser:
    def __init__(self, max_line: int = MAX_LINE) -> None:
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._data: list[str] = []
        self._event: str | None = None
        self._pending_cr = False
        self._max_line = max_line

    def feed(self, chunk: bytes) -> list[Event]:
        """Parse what has arrived; return the events it completed."""
        if self._pending_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the LF of a CRLF split across two reads
        if not chunk:
            return []
        self._pending_cr = chunk.endswith(b"\r")
        if b"\n" not in chunk and b"\r" not in chunk:
            self._pending.append(chunk)
            self._pending_size += len(chunk)
            if self._pending_size > self._max_line:
                raise LineTooLong(f"an event line passed {self._max_line // (1024 * 1024)} MiB without ending")
            return []
        data = b"".join((*self._pending, chunk)) if self._pending else chunk
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *lines, rest = data.split(b"\n")
        self._pending = [rest] if rest else []
        self._pending_size = len(rest)
        if self._pending_size > self._max_line:
            raise LineTooLong(f"an event line passed {self._max_line // (1024 * 1024)} MiB without ending")
        events: list[Event] = []
        for raw in lines:
            if not raw:
                if self._data:
                    events.append(Event("\n".join(self._data), self._event))
                self._data, self._event = [], None
                continue
            line = raw.decode("utf-8", errors="replace")
            field, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if field == "data":
                self._data.append(value)
            elif field == "event":
                self._event = value
            # comments (empty field), id and retry do not matter for latency measurement
        return events

    def close(self) -> list[Event]:
        """End of stream: an event not followed by a blank line is still delivered."""
        return self.feed(b"\n\n") if self._pending or self._data else []
