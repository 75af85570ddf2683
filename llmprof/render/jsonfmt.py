"""JSON documents: stable key order as built, two-space indent, UTF-8, trailing newline."""

from __future__ import annotations

import json
from typing import Any, TextIO


def render(document: dict[str, Any], out: TextIO) -> None:
    out.write(dumps(document))


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
