"""One error root for everything a user can get wrong.

Every message says what went wrong and, in ``hint``, how to fix it. Foreign exceptions (OSError,
yaml, httpx, json) are translated into these once, at the edge of the module that met them.
Exit codes: usage and configuration errors 2, failed checks 1, interrupted runs 130.
"""

from __future__ import annotations


class LlmprofError(Exception):
    """Base class: a problem the user can act on. Never shown with a traceback."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(LlmprofError):
    """A flag, argument or value the user gave is wrong."""


class InputError(LlmprofError):
    """A prompt file cannot be read or parsed."""


class ConfigError(LlmprofError):
    """A YAML file (pricing table, config, suite) is malformed or invalid."""


class UnknownModelError(UsageError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        hint = (
            f"did you mean {', '.join(suggestions)}?"
            if suggestions
            else "run `llmprof pricing list` to see every model."
        )
        super().__init__(f"unknown model {name!r}", hint)
        self.name = name
        self.suggestions = suggestions


class PricingError(LlmprofError):
    """A price needed for a figure is missing: never price it at $0."""


class TokenizerError(LlmprofError):
    """A bundled encoding file is missing or corrupt."""


class EndpointError(LlmprofError):
    """An endpoint is unreachable, refuses our key, or speaks something unexpected."""


class BudgetExceeded(LlmprofError):
    """A cost or latency limit was crossed (exit 1: the check ran and failed)."""

    exit_code = 1


class Interrupted(LlmprofError):
    """The user pressed Ctrl-C; whatever was gathered has been kept."""

    exit_code = 130
