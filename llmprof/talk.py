"""stderr is talk: notes, warnings and errors for people, never mixed into stdout's data."""

from __future__ import annotations

import sys

from rich.console import Console

from llmprof.errors import LlmprofError
from llmprof.secrets import redact


class Talk:
    """Notes (hidden by --quiet), warnings with hints, and error reports, all on stderr."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.console = Console(file=sys.stderr, highlight=False, soft_wrap=True)

    def say(self, message: str) -> None:
        """A status line that --quiet does not hide (e.g. "baseline written: ...")."""
        self.console.print(redact(message), markup=False, emoji=False)

    def note(self, message: str) -> None:
        if not self.quiet:
            self._line("note", message, "dim")

    def warn(self, message: str, hint: str | None = None) -> None:
        self._line("warning", message, "yellow")
        if hint:
            self._line("  hint", hint, "dim")

    def error(self, exc: LlmprofError) -> None:
        self._line("error", exc.message, "bold red")
        if exc.hint:
            self._line("  hint", exc.hint, "dim")

    def _line(self, label: str, message: str, style: str) -> None:
        from rich.text import Text

        # One piece of text, so a terminal gets it wrapped between words (a log, unwrapped).
        line = Text.assemble((f"{label}:", style), " ", redact(message))
        self.console.print(line, emoji=False, soft_wrap=not self.console.is_terminal)
