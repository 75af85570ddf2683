"""An incremental Server-Sent Events parser (the WHATWG event-stream format), fed raw bytes.

Lines may end in CRLF, LF or CR (even split across reads); ``data`` lines of one event join with
"\\n"; comments (``:``) are skipped; an event is dispatched at a blank line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    data: str
    event: str | None = None


class SSEParser:
    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event: str | None = None
        self._pending_cr = False

    def feed(self, chunk: bytes) -> list[Event]:
        """Parse what has arrived; return the events it completed."""
        if self._pending_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the LF of a CRLF split across two reads
        self._pending_cr = chunk.endswith(b"\r")
        data = self._buffer + chunk
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *lines, self._buffer = data.split(b"\n")
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
        events = self.feed(b"\n\n") if self._buffer or self._data else []
        return events
