"""Pick a format and write a result to a stream: the one place formats are dispatched."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any, Protocol, TextIO, cast

from llmprof.render.view import View


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"  # one self-contained file (llmprof.render.html)


class CheckFormat(str, enum.Enum):
    """``llmprof check`` has no CSV: its result is a report, not one list of records."""

    table = "table"
    markdown = "markdown"
    json = "json"
    html = "html"

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

    if fmt is Format.html:
        _emit_html(result, out)
        return
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


def write_output(result: Renderable, fmt: Format, path: Path) -> None:
    """Render ``result`` in ``fmt`` into the file ``path``, atomically (``-o FILE``)."""
    import io

    from llmprof.files import write_atomic

    buffer = io.StringIO()
    emit(result, fmt, buffer)
    write_atomic(path, buffer.getvalue(), "the HTML report" if fmt is Format.html else f"the {fmt.value} output")


def _emit_html(result: Renderable, out: TextIO) -> None:
    """HTML is a file to open, not text to read: a terminal gets a hint instead of the markup.
    The page redacts its own text (not its inlined scripts, which no result's text reaches)."""
    from llmprof.errors import UsageError
    from llmprof.render import html

    if out.isatty():
        raise UsageError(
            "an HTML report is a file to open in a browser, not terminal output",
            "write it to a file: -o report.html (report), --html FILE (bench, check, compare), or > FILE.",
        )
    out.write(html.render(result))


class _Redacting:
    """A text stream that redacts registered secrets from what is written through it."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        from llmprof.secrets import redact

        return self._out.write(redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)
