"""A sweep (``bench --sweep``) as a table of offered rate against latency and goodput, the highest
passing rate named under it. Its JSON is the bench result document (records carry their step)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmprof.bench.records import BenchResult
from llmprof.bench.resultfile import to_document
from llmprof.bench.summary import Summary
from llmprof.bench.sweep import STEP_S, Step, best
from llmprof.render.bench import _s
from llmprof.render.view import Column, View
from llmprof.stats import percentile


@dataclass
class SweepOutput:
    result: BenchResult
    summary: Summary  # of every step's requests together (for the JSON document)
    steps: list[Step]

    def document(self) -> dict[str, Any]:
        document = to_document(self.result, self.summary)
        document["sweep"] = {
            "steps": [_step_record(step) for step in self.steps],
            "best_rate": (found.rate if (found := best(self.steps)) else None),
        }
        return document

    def records(self) -> list[dict[str, Any]]:
        return [_step_record(step) for step in sorted(self.steps, key=lambda s: s.rate)]

    def view(self) -> View:
        info = self.result.info
        objectives = self.steps[0].summary.objectives if self.steps else ()
        columns = [
            Column("offered/s"),
            Column("completed/s", priority=1),
            Column("n", priority=3),
            Column("TTFT p50", priority=2),
            Column("TTFT p90", priority=1),
            Column("e2e p50"),
            Column("e2e p90", priority=1),
            *([Column("goodput", priority=1)] if objectives else []),
            Column("errors"),
            Column("result", "left"),
        ]
        view = View(f"Sweep: {info.model} at {info.endpoint}", columns)
        for step in sorted(self.steps, key=lambda s: s.rate):
            ok = [r for r in step.records if r.ok]
            ttft = [r.ttft_s for r in ok if r.ttft_s is not None]
            e2e = [r.e2e_s for r in ok if r.e2e_s is not None]
            measured = step.summary.measured
            row = [
                f"{step.rate:.2f}",
                "-" if step.achieved is None else f"{step.achieved:.2f}",
                str(len(ok)),
                *[_s(percentile(values, q)) if values else "-" for values in (ttft, e2e) for q in (50, 90)],
            ]
            if objectives:
                row.append(f"{(step.summary.good or 0) / measured:.0%}" if measured else "-")
            row += [str(step.summary.failed) if step.summary.failed else "0", "pass" if step.ok else "FAIL"]
            view.rows.append(row)
            if not step.ok:
                view.bold.add(len(view.rows) - 1)
                view.tones[(len(view.rows) - 1, len(row) - 1)] = "bad"
        view.footer = self._footer()
        return view

    def _footer(self) -> list[str]:
        found = best(self.steps)
        failed = [s.rate for s in self.steps if not s.ok and (found is None or s.rate > found.rate)]
        objectives = self.steps[0].summary.objectives if self.steps else ()
        within = "within " + ", ".join(o.label for o in objectives) if objectives else "without saturating"
        if found is None:
            lines = [f"No rate tried was sustained {within}."]
        elif failed:
            lines = [
                f"Highest rate sustained {within}: {found.rate:.2f} requests/s "
                f"(the next, {min(failed):.2f} requests/s, failed)."
            ]
        else:
            lines = [f"Highest rate tried, {found.rate:.2f} requests/s, was sustained {within}; none failed."]
        runs = self.result.info.settings.get("runs")
        lines.append(
            f"Open loop; each step offers its rate for {STEP_S:g} s or more ({runs} requests per cell at least); "
            "latency from each request's scheduled send "
            "(queueing included); a step fails on an SLO breach, failed requests, or latency rising through the "
            "step (saturation: a growing queue)."
        )
        for step in sorted(self.steps, key=lambda s: s.rate):
            if step.problems:
                lines.append(f"{step.rate:.2f} requests/s: " + "; ".join(step.problems) + ".")
        return lines


def _step_record(step: Step) -> dict[str, Any]:
    return {
        "step": step.index,
        "rate": step.rate,
        "achieved": step.achieved,
        "requests": step.summary.measured,
        "failed": step.summary.failed,
        "good": step.summary.good,
        "passed": step.ok,
        "problems": list(step.problems),
    }
