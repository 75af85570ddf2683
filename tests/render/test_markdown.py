from __future__ import annotations

from llmprof.render.markdown import to_markdown
from llmprof.render.view import Column, View


def test_markdown_table_with_bold_rows_and_escaped_pipes() -> None:
    view = View("Title", [Column("A", "left"), Column("B")], [["x|y", "1"], ["TOTAL", "2"]], bold={1}, footer=["note"])
    assert to_markdown(view) == (
        "### Title\n\n| A | B |\n| --- | ---: |\n| x\\|y | 1 |\n| **TOTAL** | **2** |\n\nnote  \n"
    )
