"""What a bench run ends with: its result and summary, its warnings, and why it counts as failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from llmprof.bench.records import BenchResult
from llmprof.bench.summary import Summary
from llmprof.bench.sweep import Step, best
from llmprof.errors import LlmprofError


@dataclass
class Outcome:
    result: BenchResult
    summary: Summary
    log_path: Path | None
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # why the run counts as failed (exit 1)
    stop: LlmprofError | None = None  # why it stopped early (Interrupted, WriteError), if it did


def gate(result: BenchResult, summary: Summary, max_error_rate: float) -> list[str]:
    """Why a run's numbers cannot pass: no data somewhere, too many failures, or a stop."""
    failures = []
    for cell in summary.cells:
        if cell.ok == 0:
            failures.append(f"cell {cell.cell}: none of its {cell.requests} request(s) succeeded")
    measured = sum(c.requests for c in summary.cells)
    if measured == 0:
        failures.append("no measured request finished")
    elif summary.failed / measured > max_error_rate:
        failures.append(
            f"{summary.failed} of {measured} requests failed ({summary.failed / measured:.0%}), "
            f"above --max-error-rate {max_error_rate:.0%}"
        )
    if result.info.interrupted:
        failures.append(f"the run was interrupted ({result.info.stop_reason}): its cells are incomplete")
    for breach in summary.breaches:
        objective = breach.objective
        actual = "no successful request" if breach.actual is None else f"{breach.actual:.3f} s"
        failures.append(
            f"cell {breach.cell}: SLO {objective.label} not met ({objective.metric} p{objective.q:g} {actual})"
        )
    return failures


def sweep_gate(steps: list[Step]) -> list[str]:
    """A sweep fails only when no rate passed: then there is no capacity to report."""
    if steps and best(steps) is None:
        return [f"no rate met the objectives; the lowest tried, {min(s.rate for s in steps):.2f} requests/s, failed"]
    if not steps:
        return ["the sweep ran no step"]
    return []


def shortfalls(summary: Summary, forced: bool) -> list[str]:
    notes = []
    for cell in summary.cells:
        if cell.shortfall:
            hint = "" if forced else " (for a self-hosted server, try --force-length)"
            notes.append(
                f"cell {cell.cell}: {cell.shortfall} of {cell.ok} responses stopped short of "
                f"{cell.output_tokens} output tokens (mean {cell.output_tokens_mean:.1f}){hint}"
            )
    return notes
