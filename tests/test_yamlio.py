from __future__ import annotations

from decimal import Decimal

import pytest

from llmprof.errors import ConfigError
from llmprof.yamlio import Section, parse_yaml


def test_decimals_come_from_the_text_not_a_float() -> None:
    data = parse_yaml("a: 0.1\nb: 0.075\nc: 3\nd: 1_000.5\n", "t.yaml")
    assert data == {"a": Decimal("0.1"), "b": Decimal("0.075"), "c": 3, "d": Decimal("1000.5")}
    assert isinstance(data["a"], Decimal)


def test_syntax_error_names_file_line_and_column() -> None:
    with pytest.raises(ConfigError) as err:
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "broken.yaml")
    assert err.value.message.startswith("broken.yaml:3:")


def test_duplicate_keys_are_errors() -> None:
    with pytest.raises(ConfigError, match=r"dup.yaml:2:1: duplicate key 'a'"):
        parse_yaml("a: 1\na: 2\n", "dup.yaml")


def test_unknown_key_names_line_and_suggests() -> None:
    doc = Section("c.yaml", parse_yaml("models:\n  x:\n    inptu: 1\n", "c.yaml"))
    section = doc.section("models").section("x")
    with pytest.raises(ConfigError) as err:
        section.check_keys(["input", "output"])
    assert err.value.message == "c.yaml:3: models.x.inptu: unknown key"
    assert err.value.hint == "did you mean 'input'?"


def test_typed_getters_report_what_they_got() -> None:
    doc = Section("t.yaml", parse_yaml("n: abc\nd: 2024-13-01\nr: -1.5\nz: 0\nl: {a: 1}\n", "t.yaml"))
    with pytest.raises(ConfigError, match=r"t.yaml:1: n: expected a whole number, got 'abc'"):
        doc.integer("n")
    with pytest.raises(ConfigError, match=r"t.yaml:2: d: expected a date YYYY-MM-DD, got '2024-13-01'"):
        doc.date("d")
    with pytest.raises(ConfigError, match=r"t.yaml:3: r: must not be negative"):
        doc.decimal("r")
    with pytest.raises(ConfigError, match=r"t.yaml:4: z: must be greater than 0"):
        doc.decimal("z", positive=True)
    with pytest.raises(ConfigError, match=r"t.yaml:5: l: expected text, got a mapping"):
        doc.text("l")


def test_missing_required_key_names_the_section() -> None:
    doc = Section("t.yaml", parse_yaml("a:\n  b: 1\n", "t.yaml"))
    with pytest.raises(ConfigError, match=r"t.yaml:2: a: missing required key 'c'"):
        doc.section("a").check_keys(["b", "c"], required=("c",))


def test_list_items_carry_their_lines() -> None:
    doc = Section("t.yaml", parse_yaml("xs:\n  - a: 1\n  - a: oops\n", "t.yaml"))
    items = doc.sections("xs")
    assert items[0].integer("a") == 1
    with pytest.raises(ConfigError, match=r"t.yaml:3: xs\[1\].a: expected a whole number"):
        items[1].integer("a")
