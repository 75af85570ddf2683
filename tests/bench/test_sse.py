from __future__ import annotations

import pytest

from llmprof.bench.sse import Event, SSEParser


def _parse(chunks: list[bytes]) -> list[Event]:
    parser = SSEParser()
    events = [e for c in chunks for e in parser.feed(c)]
    return events + parser.close()


STREAM = (
    b": comment\n"
    b'event: message_start\ndata: {"a": 1}\n\n'
    b"data: line one\ndata: line two\n\n"
    b"data:no-space\r\n\r\n"
    b"data: [DONE]\n\n"
)
EXPECTED = [
    Event('{"a": 1}', "message_start"),
    Event("line one\nline two"),
    Event("no-space"),
    Event("[DONE]"),
]


def test_whole_stream() -> None:
    assert _parse([STREAM]) == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 3, 7, 13])
def test_any_split_gives_the_same_events(size: int) -> None:
    chunks = [STREAM[i : i + size] for i in range(0, len(STREAM), size)]
    assert _parse(chunks) == EXPECTED


def test_crlf_split_across_reads_and_bare_cr() -> None:
    assert _parse([b"data: x\r", b"\n\r\n"]) == [Event("x")]
    assert _parse([b"data: y\r\rdata: z\r\r"]) == [Event("y"), Event("z")]


def test_unterminated_last_event_is_delivered_on_close() -> None:
    assert _parse([b"data: tail"]) == [Event("tail")]
    assert _parse([b""]) == []


def test_utf8_split_inside_a_character() -> None:
    text = "data: café 🚀\n\n".encode()
    assert _parse([text[:9], text[9:]]) == [Event("café 🚀")]
