"""``report -o FILE``: the extension picks the format; an explicit --format that disagrees is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmprof.cli.options import format_for_file
from llmprof.errors import UsageError
from llmprof.render.output import Format


@pytest.mark.parametrize(
    ("name", "asked", "written"),
    [
        ("r.json", Format.table, Format.json),
        ("r.CSV", Format.table, Format.csv),
        ("r.md", Format.table, Format.markdown),
        ("r.html", Format.table, Format.html),
        ("r.html", Format.html, Format.html),
        ("r.txt", Format.table, Format.table),  # no format of its own: as asked
        ("r", Format.json, Format.json),
    ],
)
def test_the_extension_picks_the_format(name: str, asked: Format, written: Format) -> None:
    assert format_for_file(Path(name), asked) is written


def test_a_format_that_disagrees_with_the_extension_is_refused() -> None:
    with pytest.raises(UsageError) as caught:
        format_for_file(Path("out/r.html"), Format.json)
    assert caught.value.message == "r.html: its extension says HTML, but --format is json"
    assert caught.value.hint == "name it r.json, or drop --format"
