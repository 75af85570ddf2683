"""The light first step of option coercion (llmprof.cli.lightparams) gives typer's own answer for
every option of every command, on values good and bad: the same value of the same type, or the
same error with the same message. And the common commands no longer import pydantic."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from llmprof.cli import app as cli_app
from llmprof.cli import lightparams

_coercion = pytest.importorskip("typer._coercion", reason="this typer has no pydantic coercion to avoid")

VALUES: list[Any] = [
    None,
    (),
    [],
    "",
    "0",
    "5",
    " 7 ",
    "-1",
    "007",
    "1_000",
    "+5",
    "1e3",
    "10000001",
    "1000000000000000000000",
    "abc",
    "json",
    "JSON",
    "table",
    "csv",
    "2026-01-01",
    "2026-13-01",
    "2026-11-21T17:30Z",
    "5m",
    "1h",
    "1.5",
    "$5",
    "-3",
    "64x64",
    "openai-chat",
    "a.txt",
    Path("a.txt"),
    ["a", "b"],
    ("a",),
    ("a", "b"),
    3,
    0,
    -1,
    3.5,
    True,
    dt.date(2026, 1, 1),
]


def parameters() -> list[tuple[str, Any]]:
    cli_app._register()
    found = []

    def walk(command: Any, path: str) -> None:
        for param in getattr(command, "params", []):
            if hasattr(param, "type_descriptor"):
                found.append((f"{path} {param.name}".strip(), param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(cli_app.app), "")
    return found


PARAMS = parameters()


def outcome(fn: Any) -> tuple[str, Any]:
    try:
        value = fn()
    except Exception as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        return "error", (type(exc).__name__, message)
    return "value", (type(value), value if not isinstance(value, list) else [(type(v), v) for v in value])


@pytest.mark.parametrize(("name", "param"), PARAMS, ids=[name for name, _ in PARAMS])
def test_every_option_coerces_as_typer_does(name: str, param: Any) -> None:
    command = typer.main.get_command(cli_app.app)
    ctx = command.context_class(command)
    values = [*VALUES, param.default]
    for value in values:
        param._runtime_param = None
        if hasattr(param, "_llmprof_full"):
            del param._llmprof_full
        light = outcome(lambda v=value: param.get_runtime_param().coerce(v, param=param, ctx=ctx))
        full = outcome(
            lambda v=value: _coercion.build_runtime_param(param.type_descriptor).coerce(v, param=param, ctx=ctx)
        )
        assert light == full, (name, value)


def test_the_light_step_is_in_place_for_this_typer() -> None:
    assert lightparams.install()
    kinds = {type(param.get_runtime_param()).__name__ for _, param in PARAMS}
    assert "LightRuntimeParam" in kinds


@pytest.mark.parametrize(
    "args",
    [
        ["estimate", "PROMPT", "-m", "gpt-4o", "--quiet"],
        ["estimate", "PROMPT", "-m", "gpt-4o", "-m", "claude-sonnet-4-5", "--format", "json", "--as-of", "2026-11-01"],
        [
            "estimate",
            "PROMPT",
            "-m",
            "o3",
            "--output-tokens",
            "200",
            "--reasoning-tokens",
            "0",
            "--max-cost",
            "5",
            "-q",
        ],
        ["pricing", "show", "gpt-4o"],
        ["--help"],
    ],
    ids=["estimate", "estimate-options", "estimate-numbers", "pricing-show", "help"],
)
def test_common_commands_do_not_import_pydantic(args: list[str], tmp_path: Path) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("hello world")
    args = [str(prompt) if a == "PROMPT" else a for a in args]
    code = f"import sys\nfrom llmprof.cli.app import run\ncode = run({args!r})\nprint(code, 'pydantic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "0 False", done.stderr


def test_every_command_is_registered_by_the_module_named_for_it() -> None:
    """``llmprof estimate ...`` imports only llmprof.cli.estimate: each command must be in COMMANDS
    with the module that defines it, or it is only found by importing them all."""
    cli_app._register()
    names = []
    for info in cli_app.app.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__
        names.append(name)
        assert cli_app.COMMANDS.get(name) == info.callback.__module__.rsplit(".", 1)[1], name
    for group in cli_app.app.registered_groups:
        assert group.name in cli_app.COMMANDS, group.name
    assert names == [n for n in cli_app.COMMANDS if n in names]  # the help's order


def test_a_named_command_loads_only_its_own_module() -> None:
    code = (
        "import sys\nfrom llmprof.cli.app import _register\n_register(['pricing', 'show', 'x'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('llmprof.cli.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split("\n")[0] == str(
        [
            "llmprof.cli.app",
            "llmprof.cli.helptext",
            "llmprof.cli.lightparams",
            "llmprof.cli.options",
            "llmprof.cli.pricing",
        ]
    )
