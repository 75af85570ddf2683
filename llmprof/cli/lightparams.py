"""Option values without pydantic, where typer would only use it to hand the value back.

Recent typer releases coerce every option through a pydantic ``TypeAdapter`` built on first use,
even for an option left at its default or given as plain text. Importing pydantic and building the
adapters is about a third of a cold ``llmprof estimate`` (0.2-0.3 s). :func:`install` gives typer's
parameters a lighter first step for the values whose result is known without pydantic:

* no value (typer returns ``None``, or ``()`` for a repeatable option);
* text for a ``str`` option, and texts for a ``list[str]`` one (typer's own rule: bytes are
  decoded, anything else is ``str()``-ed);
* a whole number in plain digits for an ``int`` option, within its min/max;
* a value already of the option's type: a number within the option's min/max, a ``Path``, a
  member of the option's ``Enum``; a text naming a member of the option's ``Enum``, matched by
  typer's own function;
* an option with our own ``parser=``, whose result typer returns as it is.

Everything else, and every value those steps refuse (so every error message), goes to typer's own
coercion: the result is typer's in all cases, only sooner. Typer versions without this machinery
(those before pydantic coercion) are left alone. Tests compare both paths option by option.
"""

from __future__ import annotations

import re
import sys
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

_PATCHED = "_llmprof_light"
_DIGITS = re.compile(r"0|[1-9][0-9]{0,17}")  # no sign, spaces, underscores or leading zeros: typer's int


def install() -> bool:
    """Put the light first step in front of typer's coercion; False when this typer has none."""
    try:
        from typer import _coercion, _param_types, core
    except ImportError:
        return False
    param_class: Any = getattr(core, "_TyperParameter", None)
    base: Any = getattr(_coercion, "RuntimeParam", None)
    build: Any = getattr(_coercion, "build_runtime_param", None)
    choice: Any = getattr(_param_types, "coerce_cli_choice", None)
    if None in (param_class, base, build, choice) or not hasattr(param_class, "get_runtime_param"):
        return False
    if getattr(param_class, _PATCHED, False):
        return True
    original = param_class.get_runtime_param

    class LightRuntimeParam(base):  # type: ignore[misc]
        """Typer's runtime parameter, answering the easy values itself."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return light_value(self.annotation, self.parameter_info, value, choice, ctx)
            except _Declined:
                pass
            except Exception as exc:
                if _is_click_error(exc):  # our parsers' own BadParameter: what typer would raise too
                    raise
            full = getattr(param, "_llmprof_full", None)
            if full is None:  # typer's own coercion for this parameter, built once
                full = param._llmprof_full = build(param.type_descriptor)
            return full._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            descriptor = self.type_descriptor
            if descriptor.file_annotation is None and _handled(descriptor.annotation, descriptor.parameter_info):
                self._runtime_param = LightRuntimeParam(
                    parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
                )
        return self._runtime_param if self._runtime_param is not None else original(self)

    param_class.get_runtime_param = get_runtime_param
    setattr(param_class, _PATCHED, True)
    return True


class _Declined(Exception):
    """The light step does not know this value's answer: typer's own coercion decides."""


def _is_click_error(exc: BaseException) -> bool:
    return any(c.__name__ == "ClickException" for c in type(exc).__mro__)


def _is_text_list(annotation: Any) -> bool:
    return get_origin(annotation) is list and get_args(annotation) == (str,)


def _handled(annotation: Any, info: Any) -> bool:
    """Whether the light step can answer any value of this option (others skip it entirely)."""
    if getattr(info, "parser", None) is not None:
        return get_origin(annotation) is None  # parser= on a list parses each item: typer's
    if annotation in (str, int, float, bool) or _is_text_list(annotation):
        return True
    return isinstance(annotation, type) and issubclass(annotation, (Enum, Path))


def _text(value: Any) -> str:
    """typer's ``_parse_cli_str``: bytes decoded as the command line's encoding, else ``str()``."""
    if isinstance(value, bytes):
        raise _Declined  # the command line gave bytes: let typer pick the encoding
    return str(value)


def light_value(annotation: Any, info: Any, value: Any, choice: Any, ctx: Any) -> Any:
    """The value typer's coercion would return, or :class:`_Declined`."""
    parser = getattr(info, "parser", None)
    if parser is not None:
        return parser(value)
    if annotation is str:
        return _text(value)
    if _is_text_list(annotation):
        items = value if isinstance(value, (list, tuple)) else [value]
        return [_text(item) for item in items]
    if annotation in (int, float):  # a default, or a value already converted: typer checks only min/max
        if annotation is int and isinstance(value, str) and _DIGITS.fullmatch(value):
            value = int(value)  # plain decimal digits, as typed on a command line
        low, high = getattr(info, "min", None), getattr(info, "max", None)
        if type(value) is annotation and (low is None or value >= low) and (high is None or value <= high):
            return value
        raise _Declined
    if annotation is bool:
        if type(value) is bool:
            return value
        raise _Declined
    if isinstance(annotation, type) and issubclass(annotation, Path):
        if isinstance(value, annotation):
            return value
        raise _Declined
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if not isinstance(value, (str, Enum)):
            raise _Declined
        try:
            return choice(value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
        except ValueError:
            raise _Declined from None  # typer words the error
    raise _Declined


def pydantic_loaded() -> bool:
    """Whether pydantic is imported in this process (the tests' and benchmarks' check)."""
    return "pydantic" in sys.modules
