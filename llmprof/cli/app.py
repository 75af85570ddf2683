"""The Typer application, its sub-groups, and the runner that maps every outcome to an exit code."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer

from llmprof import __version__
from llmprof.cli import helptext, lightparams
from llmprof.errors import INTERNAL_ERROR_EXIT, LlmprofError
from llmprof.secrets import redact
from llmprof.signals import Terminated
from llmprof.talk import Talk

lightparams.install()  # option values without importing pydantic where typer would only echo them

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


#: Each top-level command and the module whose decorators add it (in the help's order).
COMMANDS = {
    "estimate": "estimate",
    "plan": "plan",
    "bench": "bench",
    "report": "bench",
    "compare": "bench",
    "check": "check",
    "init": "init",
    "pricing": "pricing",
    "mock": "mock",
}


def _register(args: list[str] | None = None) -> None:
    """Import the command modules, whose decorators add the commands to the apps above: only the
    one that defines the command on the command line when it names one (building every command's
    options costs tens of milliseconds at each start), else all of them (help, a typo)."""
    import importlib

    named = COMMANDS.get(args[0]) if args and not args[0].startswith("-") else None
    modules = [named] if named else list(dict.fromkeys(COMMANDS.values()))
    for module in modules:
        importlib.import_module(f"llmprof.cli.{module}")
    if not named:  # the help lists commands in one order, whichever were imported first
        order = {name: index for index, name in enumerate(COMMANDS)}
        app.registered_commands.sort(
            key=lambda c: order.get(str(c.name or getattr(c.callback, "__name__", "")), len(order))
        )


def run(args: list[str] | None = None) -> int:
    """Run the command line and return the exit code."""
    debug = bool(os.environ.get("LLMPROF_DEBUG"))
    try:
        try:
            _register(sys.argv[1:] if args is None else args)
            result = app(args=args, prog_name="llmprof", standalone_mode=False)
            return result if isinstance(result, int) else 0
        except Exception as exc:
            code = _framework_outcome(exc, debug)
            if code is None:
                raise
            return code
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


def _framework_outcome(exc: Exception, debug: bool) -> int | None:
    """The exit code for the command-line framework's own exits, aborts and usage errors (the
    message names the option); None for any other exception."""
    exits, aborts, usage_errors = _framework_errors()
    if isinstance(exc, exits):
        return int(getattr(exc, "exit_code", 0))
    if isinstance(exc, aborts):
        return _interrupted(debug)
    if isinstance(exc, usage_errors):
        exc.show()  # type: ignore[attr-defined]
        code = int(getattr(exc, "exit_code", 2))
        return 2 if code == 1 else code
    return None


def _framework_errors() -> tuple[tuple[type[BaseException], ...], ...]:
    """The exit, abort and usage-error classes of the command-line framework: typer's own (it
    vendors click in newer releases) and click's, where click is loaded too (asked when an error
    is raised, so a typer that vendors click never imports it)."""
    exits: list[type[BaseException]] = [typer.Exit]
    aborts: list[type[BaseException]] = [typer.Abort]
    usage = [c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"]
    click = sys.modules.get("click")
    if click is not None:
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
