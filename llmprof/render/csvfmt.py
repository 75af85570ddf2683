"""CSV: one line per record of the JSON document's main list, raw values (no $ or commas)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any, TextIO


def render(records: Sequence[dict[str, Any]], out: TextIO) -> None:
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _flat(v) for k, v in record.items()})


def _flat(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return ""
    return value
