"""One error root for everything a user can get wrong.

Every message says what went wrong and, in ``hint``, how to fix it. Foreign exceptions (OSError,
yaml, httpx, json) are translated into these once, at the edge of the module that met them.
Exit codes: usage, input, configuration and write errors 2; failed budgets and gates 1;
interrupted runs 130 (Ctrl-C) or 143 (SIGTERM); a bug in llmprof itself 70.
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


class WriteError(LlmprofError):
    """A file llmprof was asked to write cannot be written (a bad path, a full disk)."""


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
    """Ctrl-C (exit 130) or SIGTERM (exit 143); whatever was gathered has been kept."""

    exit_code = 130

    def __init__(self, message: str, hint: str | None = None, exit_code: int = 130) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code


#: Exit code for a bug in llmprof (an exception that is not an LlmprofError): not 1, which means
#: "a budget failed", and not 2, which means "you gave something wrong" (sysexits' EX_SOFTWARE).
INTERNAL_ERROR_EXIT = 70
