"""Pick a format and write a result to a stream: the one place formats are dispatched."""

from __future__ import annotations

import enum
from typing import Any, Protocol, TextIO

from llmprof.render.view import View


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Renderable(Protocol):
    def view(self) -> View: ...

    def document(self) -> dict[str, Any]: ...

    def records(self) -> list[dict[str, Any]]: ...


def emit(result: Renderable, fmt: Format, out: TextIO) -> None:
    if fmt is Format.json:
        from llmprof.render import jsonfmt

        jsonfmt.render(result.document(), out)
    elif fmt is Format.csv:
        from llmprof.render import csvfmt

        csvfmt.render(result.records(), out)
    elif fmt is Format.markdown:
        from llmprof.render import markdown

        markdown.render(result.view(), out)
    else:
        from llmprof.render import console

        console.render(result.view(), out)
