"""`--help` teaches: examples that run, every environment variable named, readable metavars, and no
option that says its default or its variable twice."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from llmprof.apis import APIS
from llmprof.cli import helptext
from llmprof.cli.app import _register, app
from llmprof.cli.options import models_of, output_file

PACKAGE = Path(__file__).resolve().parents[1] / "llmprof"


def _commands() -> Iterator[tuple[str, Any]]:
    _register()
    root = typer.main.get_command(app)

    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        subcommands = getattr(command, "commands", None)  # a group (typer may vendor its own click)
        if subcommands:
            for name, sub in sorted(subcommands.items()):
                yield from walk(sub, f"{path} {name}".strip())
        else:
            yield path, command

    yield from walk(root, "")


COMMANDS = dict(_commands())


def _context(command: Any, name: str) -> Any:
    return command.context_class(command, info_name=f"llmprof {name}".strip(), terminal_width=100)


def _help(command: Any, name: str) -> str:
    return str(command.get_help(_context(command, name)))


def test_every_command_is_covered() -> None:
    assert sorted(COMMANDS) == [
        "bench", "check", "compare", "estimate", "init", "mock serve", "plan",
        "pricing list", "pricing show", "pricing validate", "report",
    ]  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_has_examples_environment_and_readable_metavars(name: str) -> None:
    text = _help(COMMANDS[name], name)
    assert "\n  Examples:\n    llmprof " in text or "\n  Examples:\n    cat " in text
    assert "\n  Environment:\n" in text and "LLMPROF_DEBUG" in text
    assert not re.search(r"<(list|str|int|float|path|text|datetime|file)\b", text), text
    ctx = _context(COMMANDS[name], name)
    for param in COMMANDS[name].get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        assert record[1].count("default:") <= 1, record
        assert record[1].count("env") <= 1, record


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_examples_use_options_that_exist(name: str) -> None:
    command = COMMANDS[name]
    text = _help(command, name)
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    examples = text.split("Examples:\n")[1].split("\n\n")[0].splitlines()
    assert examples
    for line in examples:
        words = shlex.split(line.split(" # ")[0].split("|")[-1], comments=True)
        assert words[: 1 + name.count(" ") + 1] == ["llmprof", *name.split()] or "&&" in words, line
        for word in words:
            if word.startswith("-") and word != "-":
                assert word.split("=")[0] in known, f"{line}: {word} is not an option of llmprof {name}"


def test_every_environment_variable_the_code_reads_is_in_the_help() -> None:
    read: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"""os\.environ(?:\.get)?[\(\[]\s*["']([A-Z_]+)["']""", text))
        read |= set(re.findall(r"""envvar=["']([A-Z_]+)["']""", text))
        read |= {value for _, value in re.findall(r"""^([A-Z_]+_ENV) = ["']([A-Z_]+)["']""", text, re.M)}
    read |= {api.key_env for api in APIS.values()}
    read |= {"NO_COLOR", "HTTPS_PROXY"}  # read for us by rich and httpx
    read -= helptext.INTERNAL
    assert read <= set(helptext.ENVIRONMENT), read - set(helptext.ENVIRONMENT)
    text = _help(typer.main.get_command(app), "")
    for name in helptext.ENVIRONMENT:
        assert f"\n    {name} " in text, name
    assert "per provider" not in text


def test_models_by_repeat_or_comma() -> None:
    assert models_of(["gpt-4o-mini,claude-haiku-4-5", " gpt-4o ", "gpt-4o-mini", ","]) == [
        "gpt-4o-mini",
        "claude-haiku-4-5",
        "gpt-4o",
    ]
    assert models_of(None) == []


def test_an_output_file_named_for_another_format_is_refused() -> None:
    parse = output_file(".json", "the result as JSON", "for Markdown, --format markdown > FILE")
    assert parse("run.json") == Path("run.json") and parse("run") == Path("run")
    assert parse("run.2026-11-21") == Path("run.2026-11-21")  # not a format's extension
    with pytest.raises(typer.BadParameter) as info:
        parse("out/x.md")
    assert str(info.value) == (
        "'out/x.md' names a Markdown file, but this writes the result as JSON (.json): name it x.json; "
        "for Markdown, --format markdown > FILE"
    )
    with pytest.raises(typer.BadParameter, match="names a JSON lines file"):
        parse("run.jsonl")  # the records go to FILE.jsonl: the two would be one file


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["bench", "-o", "latency.md"], "'latency.md' names a Markdown file, but this writes the result as JSON"),
        (["bench", "--out", "run.csv", "--runs", "1"], "name it run.json"),
        (["check", "--junit", "junit.json"], "'junit.json' names a JSON file, but this writes JUnit XML (.xml)"),
        (["bench", "-m", "gpt-4o,gpt-4o-mini"], "error: --model gpt-4o,gpt-4o-mini: bench measures one model a run"),
    ],
)
def test_output_files_and_models_that_cannot_be_honoured_exit_2(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmprof.cli.app import run

    monkeypatch.chdir(tmp_path)
    assert run(args) == 2
    assert said in " ".join(capsys.readouterr().err.split())
    assert list(tmp_path.iterdir()) == []  # nothing written
