"""YAML in, with line numbers out: one loader and one validator for every YAML file llmprof reads.

Pricing tables, ``llmprof.yaml`` and bench suites all go through :func:`load_yaml` and
:class:`Section`, so every validation error reads the same way::

    pricing.yaml:42: models.gpt-4o.prices[0].input: expected a number, got 'cheap'
      hint: write the rate as a plain number of USD per 1M tokens, e.g. 2.50

Numbers that look like decimals are loaded as :class:`~decimal.Decimal` straight from their text,
so a price never passes through a binary float.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar, overload

import yaml

from llmprof.errors import ConfigError
from llmprof.files import read_text


class LineDict(dict[Any, Any]):
    """A mapping that remembers the line of each key (1-based) and of itself."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that remembers the line of each item (1-based) and of itself."""

    line: int = 0
    item_lines: list[int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader (libyaml's when available) with lines, Decimals and duplicate-key errors."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, Decimal, dt.date)):  # YAML allows lists and maps as keys
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or a mapping", key_node.start_mark
            )
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:  # .inf / .nan: kept as text so validation rejects it by name
        return text


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:  # 2024-13-01: kept as text so validation names it
        return str(node.value)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


#: Deeper nesting is refused before it is built: building recurses, and libyaml's composer
#: overflows the C stack (a segfault) long before Python's recursion limit would stop it.
MAX_DEPTH = 64


def parse_yaml(text: str, source: str, trusted: bool = False) -> Any:
    """Parse YAML text; syntax errors become a ConfigError naming ``source``, line and problem.
    ``trusted`` (the bundled price table) skips the nesting check."""
    try:
        if not trusted:
            _check_depth(text, source)
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{source}{line}: {problem}", "fix the YAML syntax at that line.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: {exc}", "fix the YAML syntax.") from exc


def _check_depth(text: str, source: str) -> None:
    """Walk the event stream (no recursion) and refuse nesting deeper than MAX_DEPTH."""
    depth = 0
    start = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, start):
            depth += 1
            if depth > MAX_DEPTH:
                line = f":{event.start_mark.line + 1}" if event.start_mark else ""
                raise ConfigError(
                    f"{source}{line}: nested more than {MAX_DEPTH} levels deep", "llmprof files are a few levels deep."
                )
        elif isinstance(event, end):
            depth -= 1


def load_yaml(path: Path) -> Any:
    """Read and parse a YAML file, translating every failure into a ConfigError."""
    return parse_yaml(read_text(path, ConfigError), str(path))


_MISSING: Any = object()
T = TypeVar("T")


class Section:
    """A validated view of one YAML mapping: typed getters whose errors name file, line and key."""

    def __init__(self, source: str, data: Any, path: str = "", line: int = 0) -> None:
        self.source = source
        self.path = path
        self.line = getattr(data, "line", line)
        if not isinstance(data, dict):
            raise self._error(self.line, path or "top level", f"expected a mapping, got {_kind(data)}")
        self.data: dict[Any, Any] = data

    # -- errors ---------------------------------------------------------------------------------
    def _error(self, line: int, where: str, message: str, hint: str | None = None) -> ConfigError:
        at = f"{self.source}:{line}" if line else self.source
        return ConfigError(f"{at}: {where}: {message}", hint)

    def error(self, key: str, message: str, hint: str | None = None) -> ConfigError:
        """An error about ``key`` of this section, located at that key's line."""
        line = self.line_of(key)
        return self._error(line, self._child(key), message, hint)

    def line_of(self, key: str) -> int:
        """The line of ``key`` (of this section when the key is absent; 0 when lines are unknown)."""
        line: int = getattr(self.data, "key_lines", {}).get(key, self.line)
        return line

    def where(self, key: str) -> str:
        """``file:line: path.key`` for errors found after loading (e.g. an unknown model)."""
        line = self.line_of(key)
        return f"{self.source}:{line}: {self._child(key)}" if line else f"{self.source}: {self._child(key)}"

    def _child(self, key: Any) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    # -- structure ------------------------------------------------------------------------------
    def check_keys(self, allowed: Iterable[str], required: tuple[str, ...] = ()) -> None:
        """Unknown keys are errors (with the closest allowed key suggested); so are missing ones."""
        allowed_set = set(allowed)
        for key in self.data:
            if key not in allowed_set:
                close = difflib.get_close_matches(str(key), sorted(allowed_set), n=1)
                hint = f"did you mean {close[0]!r}?" if close else (f"allowed keys: {', '.join(sorted(allowed_set))}")
                raise self.error(key, "unknown key", hint)
        for key in required:
            if key not in self.data:
                where = self.path or "top level"
                raise self._error(self.line, where, f"missing required key {key!r}")

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self.data))

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data and self.data[key] is not None:
            return self.data[key]
        if default is _MISSING:
            raise self._error(self.line, self.path or "top level", f"missing required key {key!r}")
        return default

    def section(self, key: str) -> Section:
        value = self._get(key, _MISSING)
        if not isinstance(value, dict):
            raise self.error(key, f"expected a mapping, got {_kind(value)}")
        return Section(self.source, value, self._child(key))

    def optional_section(self, key: str) -> Section | None:
        return self.section(key) if self.data.get(key) is not None else None

    def sections(self, key: str) -> list[Section]:
        """A list of mappings under ``key`` (empty when absent)."""
        value = self._get(key, LineList())
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {_kind(value)}")
        lines = getattr(value, "item_lines", [self.line] * len(value))
        return [Section(self.source, item, f"{self._child(key)}[{i}]", lines[i]) for i, item in enumerate(value)]

    def mapping(self, key: str) -> Iterator[tuple[str, Section]]:
        """A mapping of names to mappings under ``key``, e.g. ``models: {gpt-4o: {...}}``."""
        inner = self.section(key)
        for name in inner.data:
            yield str(name), inner.section(name)

    # -- scalars --------------------------------------------------------------------------------
    @overload
    def text(self, key: str) -> str: ...
    @overload
    def text(self, key: str, default: T) -> str | T: ...
    def text(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, (dict, list, bool)):
            raise self.error(key, f"expected text, got {_kind(value)}")
        return str(value)

    @overload
    def integer(self, key: str, *, minimum: int = ...) -> int: ...
    @overload
    def integer(self, key: str, default: T, minimum: int = ...) -> int | T: ...
    def integer(self, key: str, default: Any = _MISSING, minimum: int = 0) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected a whole number, got {_kind(value)}")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    @overload
    def decimal(self, key: str, *, positive: bool = ...) -> Decimal: ...
    @overload
    def decimal(self, key: str, default: T, positive: bool = ...) -> Decimal | T: ...
    def decimal(self, key: str, default: Any = _MISSING, positive: bool = False) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise self.error(key, f"expected a number, got {_kind(value)}")
        number = Decimal(value)
        if not number.is_finite():
            raise self.error(key, f"expected a finite number, got {value}")
        if positive and number <= 0:
            raise self.error(
                key,
                f"must be greater than 0, got {value}",
                "a free rate is still a rate: remove the key if the price is unknown.",
            )
        if number < 0:
            raise self.error(key, f"must not be negative, got {value}")
        return number

    @overload
    def date(self, key: str) -> dt.date: ...
    @overload
    def date(self, key: str, default: T) -> dt.date | T: ...
    def date(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.error(key, f"expected a date YYYY-MM-DD, got {value!r}") from None

    @overload
    def str_list(self, key: str) -> list[str]: ...
    @overload
    def str_list(self, key: str, default: T) -> list[str] | T: ...
    def str_list(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
            raise self.error(key, f"expected a list of names, got {_kind(value)}")
        return [str(v) for v in value]

    @overload
    def flag(self, key: str) -> bool: ...
    @overload
    def flag(self, key: str, default: T) -> bool | T: ...
    def flag(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_kind(value)}")
        return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if value is None:
        return "nothing"
    return repr(str(value)) if isinstance(value, str) else f"{value} ({type(value).__name__})"
