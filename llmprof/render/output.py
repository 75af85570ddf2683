"""Pick a format and write a result to a stream: the one place formats are dispatched."""

from __future__ import annotations

import enum
from typing import Any, Protocol, TextIO, cast

from llmprof.render.view import View


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class CheckFormat(str, enum.Enum):
    """``llmprof check`` has no CSV: its result is a report, not one list of records."""

    table = "table"
    markdown = "markdown"
    json = "json"

    @property
    def as_format(self) -> Format:
        return Format(self.value)


class Renderable(Protocol):
    def view(self) -> View: ...

    def document(self) -> dict[str, Any]: ...

    def records(self) -> list[dict[str, Any]]: ...


def emit(result: Renderable, fmt: Format, out: TextIO, *, wide: bool = False) -> None:
    """Render ``result`` in ``fmt`` to ``out``; text passes the secrets redactor on its way out.
    ``wide``: a table shows every column at its natural width, even on a narrow terminal."""
    from llmprof.secrets import REDACTOR

    if REDACTOR:
        out = cast(TextIO, _Redacting(out))
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

        console.render(result.view(), out, wide=wide)


class _Redacting:
    """A text stream that redacts registered secrets from what is written through it."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        from llmprof.secrets import redact

        return self._out.write(redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)
