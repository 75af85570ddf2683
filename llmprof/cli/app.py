"""The Typer application, its sub-groups, and the runner that maps every outcome to an exit code."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer

from llmprof import __version__
from llmprof.cli import helptext
from llmprof.errors import INTERNAL_ERROR_EXIT, LlmprofError
from llmprof.secrets import redact
from llmprof.signals import Terminated
from llmprof.talk import Talk

app = typer.Typer(
    help="Cost and latency profiler for LLM APIs.",
    epilog=helptext.ROOT,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is plain: "[default: 20]" must not be read as markup
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
pricing_app = typer.Typer(help="Inspect and validate the price table.", no_args_is_help=True)
app.add_typer(pricing_app, name="pricing")
mock_app = typer.Typer(help="The built-in mock LLM endpoint (no key, no network).", no_args_is_help=True)
app.add_typer(mock_app, name="mock")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmprof {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Cost and latency profiler for LLM APIs."""


def _register() -> None:
    """Import the command modules, whose decorators add the commands to the apps above."""
    from llmprof.cli import estimate, plan, bench, check, init, pricing, mock  # noqa: F401, I001  (order: the help's)


def run(args: list[str] | None = None) -> int:
    """Run the command line and return the exit code."""
    debug = bool(os.environ.get("LLMPROF_DEBUG"))
    exits, aborts, usage_errors = _framework_errors()
    try:
        _register()
        result = app(args=args, prog_name="llmprof", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except exits as exc:
        return int(getattr(exc, "exit_code", 0))
    except aborts:
        return _interrupted(debug)
    except usage_errors as exc:  # a usage error: the message names the option
        exc.show()  # type: ignore[attr-defined]
        code = int(getattr(exc, "exit_code", 2))
        return 2 if code == 1 else code
    except LlmprofError as exc:
        if debug:
            _traceback()
        Talk().error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        return _interrupted(debug)
    except Terminated:
        return _interrupted(debug, "terminated (SIGTERM)", 143)
    except BrokenPipeError:
        _silence_stdout()  # `llmprof ... | head`: the reader left, which is not an error
        return 0
    except Exception as exc:
        if debug:
            _traceback()
        Talk().error(
            LlmprofError(
                f"internal error: {type(exc).__name__}: {exc}",
                "this is a bug in llmprof: run again with LLMPROF_DEBUG=1 and report the traceback.",
            )
        )
        return INTERNAL_ERROR_EXIT


def _framework_errors() -> tuple[tuple[type[BaseException], ...], ...]:
    """The exit, abort and usage-error classes of the command-line framework: typer's own (it
    vendors click in newer releases) and click's, where click is installed too."""
    exits: list[type[BaseException]] = [typer.Exit]
    aborts: list[type[BaseException]] = [typer.Abort]
    usage = [c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"]
    try:
        import click
    except ImportError:  # pragma: no cover - typer without click
        pass
    else:
        exits.append(click.exceptions.Exit)
        aborts.append(click.exceptions.Abort)
        usage.append(click.ClickException)
    return tuple(exits), tuple(aborts), tuple(usage)


def _interrupted(debug: bool, what: str = "interrupted", code: int = 130) -> int:
    if debug:
        _traceback()
    Talk().error(LlmprofError(what))
    return code


def _traceback() -> None:
    sys.stderr.write(redact("".join(traceback.format_exc())))


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
