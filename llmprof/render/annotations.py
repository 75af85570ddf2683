"""GitHub Actions annotations: each failure and warning of a check as a workflow command, e.g.

    ::error file=prompts/support.txt,line=1,title=llmprof max_cost_increase_pct::support: ... over the limit +5%

GitHub shows them on the file (in a pull request's diff when that line is part of it) and in the
run's summary. A budget about one prompt points at the prompt file; any other budget, and every
warning, points at the line of the config that sets it. Escaping follows the runner: in the
message ``%``, CR and LF; in property values also ``:`` and ``,``. GitHub keeps at most 10 errors
and 10 warnings per step, so past 9 of a level the rest are counted in a 10th.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from llmprof.check.evaluate import BudgetResult
from llmprof.config import Config, Location
from llmprof.render.check import CheckOutput, reason, shown

Level = Literal["error", "warning", "notice"]
MAX_PER_LEVEL = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True)
class Annotation:
    level: Level
    message: str
    file: str | None = None
    line: int = 0
    title: str | None = None

    def command(self) -> str:
        props = []
        if self.file:
            props.append(f"file={escape_property(self.file)}")
            if self.line:
                props.append(f"line={self.line}")
        if self.title:
            props.append(f"title={escape_property(self.title)}")
        head = f"::{self.level} {','.join(props)}" if props else f"::{self.level}"
        return f"{head}::{escape_data(self.message)}"


def check_annotations(output: CheckOutput, config: Config, workspace: Path) -> list[Annotation]:
    """One annotation per failed (or, with --fail-on-warn, warned) budget and per warning not ignored."""
    report = output.report
    found: list[Annotation] = []
    for b in sorted(report.budgets, key=lambda b: b.status != "fail"):
        if b.status == "pass":
            continue
        level: Level = "error" if b.status == "fail" or output.fail_on_warn else "warning"
        found.append(_budget(b, level, config, workspace))
    for notice in report.active:
        where = config.at(notice.key) if notice.key else config.at("")
        found.append(
            _at(
                "error" if output.fail_on_warn else "warning",
                notice.message,
                where,
                workspace,
                f"llmprof {notice.code}",
            )
        )
    return _capped(found)


def _budget(b: BudgetResult, level: Level, config: Config, workspace: Path) -> Annotation:
    if b.status == "fail":
        message = reason(b)
    else:
        message = (
            f"{b.budget} ({b.subject}): {shown(b.unit, b.actual)} is near the limit {shown(b.unit, b.limit, True)}"
            f" (at least warn_at_pct {config.budgets.warn_at_pct}% of it)"
        )
    limit = b.location or config.at(b.config_key)
    title = f"llmprof {b.budget}"
    if b.prompt is None:
        return _at(level, message, limit, workspace, title)
    if limit is not None:
        message += f" (limit: {_relative(limit.file, workspace)}:{limit.line})" if limit.line else ""
    return Annotation(level, message, _relative(config.root / b.prompt, workspace), 1, title)


def _at(level: Level, message: str, where: Location | None, workspace: Path, title: str) -> Annotation:
    if where is None:
        return Annotation(level, message, title=title)
    return Annotation(level, message, _relative(where.file, workspace), where.line, title)


def _relative(path: Path, workspace: Path) -> str:
    """The path as GitHub wants it: relative to the workspace (the repository's root)."""
    try:
        return Path(os.path.relpath(path.resolve(), workspace.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


def _capped(found: list[Annotation]) -> list[Annotation]:
    kept: list[Annotation] = []
    for level in ("error", "warning", "notice"):
        of_level = [a for a in found if a.level == level]
        if len(of_level) > MAX_PER_LEVEL:
            more = len(of_level) - (MAX_PER_LEVEL - 1)
            rest = Annotation(of_level[0].level, f"and {more} more: see the job summary or the log", title="llmprof")
            of_level = [*of_level[: MAX_PER_LEVEL - 1], rest]
        kept.extend(of_level)
    return kept


_LOCATED = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): ")


def error_annotation(message: str, workspace: Path) -> Annotation:
    """An error that stopped the check, at the file and line its message starts with, if any
    (``llmprof.yaml:7: budgets.max_cost_per_day: expected a number``)."""
    found = _LOCATED.match(message)
    if found is None:
        return Annotation("error", message, title="llmprof check could not run")
    rest = message[found.end() :]
    return Annotation(
        "error",
        rest,
        _relative(Path(found["file"]), workspace),
        int(found["line"]),
        "llmprof check could not run",
    )
