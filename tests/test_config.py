from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof import config
from llmprof.errors import ConfigError

Write = Callable[[str, str], Path]

MINIMAL = """\
prompt_sets:
  support:
    paths: ["prompts/*.txt"]
    models: [gpt-4o-mini, claude-haiku-4-5]
    output_tokens: 200
    requests_per_day: 10000
budgets:
  max_cost_increase_pct: 5
"""


def test_the_minimal_file_from_the_issue(write: Write, tmp_path: Path) -> None:
    path = write("llmprof.yaml", MINIMAL)
    cfg = config.load(cwd=tmp_path)
    assert cfg.source == str(path)
    support = cfg.prompt_sets["support"]
    assert support.paths == ("prompts/*.txt",) and support.models == ("gpt-4o-mini", "claude-haiku-4-5")
    assert (support.output_tokens, support.requests_per_day) == (200, 10000)
    assert cfg.budgets.max_cost_increase_pct == Decimal(5)
    assert support.where_models == f"{path}:4: prompt_sets.support.models"


def test_pyproject_tool_section(write: Write, tmp_path: Path) -> None:
    write(
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.llmprof.prompt_sets.a]\npaths = ["p.txt"]\nmodels = ["gpt-4o"]\n',
    )
    cfg = config.load(cwd=tmp_path)
    assert cfg.prompt_sets["a"].models == ("gpt-4o",)


def test_no_file_is_an_empty_config(tmp_path: Path) -> None:
    assert config.load(cwd=tmp_path).source is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prompt_set: {}\n", r"llmprof.yaml:1: prompt_set: unknown key"),
        (
            "prompt_sets:\n  a:\n    paths: [x]\n    models: [m]\n    output_tokens: lots\n",
            r"llmprof.yaml:5: prompt_sets.a.output_tokens: expected a whole number, got 'lots'",
        ),
        ("prompt_sets:\n  a:\n    paths: [x]\n", r"prompt_sets.a: missing required key 'models'"),
        (
            "budgets:\n  max_cost_increase_pct: five\n",
            r"llmprof.yaml:2: budgets.max_cost_increase_pct: expected a number",
        ),
        ("budgets:\n  latency: {p95_e2e: 1}\n", r"budgets.latency.p95_e2e: unknown key"),
        ("endpoints:\n  x: {url: 'http://h', provider: azure}\n", r"endpoints.x.provider: unknown provider 'azure'"),
    ],
)
def test_errors_name_file_line_and_key(write: Write, tmp_path: Path, text: str, message: str) -> None:
    write("llmprof.yaml", text)
    with pytest.raises(ConfigError, match=message):
        config.load(cwd=tmp_path)


def test_explicit_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        config.load(tmp_path / "nope.yaml")


def test_ignore_warnings_takes_known_codes(write: Write, tmp_path: Path) -> None:
    write("llmprof.yaml", MINIMAL + "ignore_warnings: [count-approx, model-shutdown, count-approx]\n")
    assert config.load(cwd=tmp_path).ignore_warnings == ("count-approx", "model-shutdown")


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("[count-aprox]", "did you mean 'count-approx'? known codes: pricing-stale, model-shutdown, count-approx, "),
        ("[E501]", "known codes: pricing-stale, model-shutdown, count-approx, latency-skipped."),
    ],
)
def test_an_unknown_warning_code_is_an_error_naming_the_known_ones(
    write: Write, tmp_path: Path, value: str, hint: str
) -> None:
    path = write("llmprof.yaml", MINIMAL + f"ignore_warnings: {value}\n")
    with pytest.raises(ConfigError) as info:
        config.load(cwd=tmp_path)
    assert info.value.message.startswith(f"{path}:9: ignore_warnings: unknown warning code ")
    assert info.value.hint is not None and info.value.hint.startswith(hint)


def test_every_warning_check_gives_has_a_known_code() -> None:
    import re

    source = (Path(config.__file__).parent / "check" / "__init__.py").read_text()
    given = set(re.findall(r'report\.warn\(\s*"([a-z-]+)"', source))
    assert given == set(config.WARNING_CODES)


def test_keys_are_located_by_line(write: Write, tmp_path: Path) -> None:
    path = write("llmprof.yaml", MINIMAL + "  latency:\n    p90_e2e_s: 2\n")
    cfg = config.load(cwd=tmp_path)
    assert cfg.at("budgets.max_cost_increase_pct") == config.Location(path, 8)
    assert cfg.at("budgets.latency.p90_e2e_s") == config.Location(path, 10)
    assert cfg.at("budgets.latency.max_error_rate") == config.Location(path, 9)  # a default: its parent's line
    assert cfg.at("prompt_sets.support.models") == config.Location(path, 4)
    assert config.Config().at("budgets") is None
