"""Cells of the plan's tables: money as ``p50 / p90``, token pairs, scales and durations."""

from __future__ import annotations

from decimal import Decimal

from llmprof.plan.levers import Explored
from llmprof.plan.select import scale
from llmprof.plan.workload import Task, seconds_text
from llmprof.units import tokens, usd

HUNDRED = Decimal(100)


def pair(p50: Decimal, p90: Decimal, floor: bool = False) -> str:
    mark = "≥" if floor else ""
    return f"{mark}{usd(p50)}" if p50 == p90 else f"{mark}{usd(p50)} / {mark}{usd(p90)}"


def token_pair(p50: int, p90: int) -> str:
    return tokens(p50) if p50 == p90 else f"{tokens(p50)} / {tokens(p90)}"


def per(task: Task) -> str:
    if task.per_day:
        return "a day"
    if task.total:
        return f"for {task.total:,} tasks" if task.total > 1 else "for 1 task"
    return "a task"


def duration_cell(result: Explored) -> str:
    timing50, timing90 = (result.plain[q].timing for q in ("p50", "p90"))
    if timing50 is None or timing90 is None:
        return "-"
    s50, s90 = timing50.seconds, timing90.seconds
    if s50 is None or s90 is None or timing50.binding is None:
        return "unknown"
    name = timing50.binding.name
    label = name.upper() if name in ("rpm", "tpm") else name
    text = seconds_text(s50) if s50 == s90 else f"{seconds_text(s50)} / {seconds_text(s90)}"
    return f"{text} ({label})"


def saving_text(before: Decimal, after: Decimal, task: Task) -> tuple[Decimal, str]:
    """The saving as a share of ``before``, and its amount at the task's scale: "$2.55 a day"."""
    saved = before - after
    share = saved / before * HUNDRED if before else Decimal(0)
    return share, f"{usd(saved * scale(task))} {per(task)}"


def seconds_pair(p50: Decimal, p90: Decimal) -> str:
    a, b = seconds_text(p50), seconds_text(p90)
    return a if a == b else f"{a} / {b}"
