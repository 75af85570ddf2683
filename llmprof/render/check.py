"""A check report as a cost diff for people (terminal, PR comment) and a stable JSON document.

JSON schema ``llmprof.check`` version 2 (money as exact decimal strings of USD; version 2 made the
budgets exact too: ``limit`` and ``actual`` are decimal strings in the budget's ``unit``)::

    {"schema_version": 2, "kind": "llmprof.check", "llmprof_version", "passed",
     "warnings": [{"code", "message", "ignored"}],   # ignored: named in ignore_warnings
     "pricing": {"baseline": {"version", "date"}, "current": {"version", "date"}},
     "counts": {"changed", "new", "removed", "unchanged"},
     "totals": {"basis": "per_day" | "per_request", "before_usd", "after_usd", "delta_usd",
                "delta_pct", "prompt_effect_usd", "price_effect_usd"},
     "changes": [{"status", "set", "prompt", "model", "before_usd", "after_usd", "delta_usd",
                  "delta_pct", "input_tokens_before", "input_tokens_after", "prompt_effect_usd",
                  "price_effect_usd", "cause"}],          # biggest movers first
     "budgets": [{"budget", "subject", "unit": "usd" | "pct" | "s" | "ratio", "limit", "actual"
                  (null: not measured), "status": "pass" | "warn" | "fail", "note"}]}

Percentages are decimal strings rounded to 6 places.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmprof import __version__
from llmprof.check.evaluate import HUNDRED, BudgetResult, Change, CheckReport
from llmprof.check.items import Item
from llmprof.errors import LlmprofError, WriteError
from llmprof.files import append_text, write_atomic
from llmprof.render.view import Column, View
from llmprof.talk import Talk
from llmprof.units import decimal_str, percent, usd

SCHEMA_VERSION = 2
MARK = {"pass": "pass", "warn": "WARN", "fail": "FAIL"}
HINT = "see the report above; --update-baseline accepts the new costs."
_RELATIVE = ("max_cost_increase_pct", "max_cost_increase_pct_per_prompt")
_ABSOLUTE = ("max_cost_per_request", "max_cost_per_day", "max_cost_per_task", "max_cost_per_month")
_DURATION = ("max_job_duration",)  # a workload's job (llmprof plan)
_PCT = Decimal("0.000001")


def _d(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value.quantize(_PCT))


def shown(unit: str, value: Decimal | None, limit: bool = False) -> str:
    """A budget's limit or actual value as people read it."""
    if value is None:
        return "no data"
    if unit == "usd":
        return usd(value)
    if unit == "pct":
        return f"+{value:g}%" if limit else percent(float(value))
    if unit == "s":
        return f"{value:g} s" if limit else f"{value:.3f} s"
    return f"{value:g}" if limit else f"{value:.3f}"


def reason(b: BudgetResult) -> str:
    if b.actual is None:
        return f"{b.budget} ({b.subject}): {b.note or 'not evaluated'}"
    over = f"{b.budget} ({b.subject}): {shown(b.unit, b.actual)} over the limit {shown(b.unit, b.limit, True)}"
    return f"{over} ({b.note})" if b.note else over


@dataclass
class CheckOutput:
    report: CheckReport
    fail_on_warn: bool = False

    @property
    def passed(self) -> bool:
        return not self.report.failures and not (self.fail_on_warn and (self.report.warned or self.report.active))

    def reasons(self) -> list[str]:
        r = self.report
        lines = [reason(b) for b in r.failures]
        if self.fail_on_warn:
            lines += [
                f"warning treated as failure: {b.budget} ({b.subject}) at {shown(b.unit, b.actual)} of "
                f"{shown(b.unit, b.limit, True)}"
                for b in r.warned
            ]
            lines += [f"warning treated as failure [{n.code}]: {n.message}" for n in r.active]
        return lines

    def hint(self) -> str:
        """How to get past this failure: what to run or change, for the kinds of budget that failed."""
        r = self.report
        failed = r.failures + (r.warned if self.fail_on_warn else [])
        names = {b.budget for b in failed if b.actual is not None}
        parts = []
        if names & set(_RELATIVE):
            parts.append("an intended increase: run `llmprof check --update-baseline` and commit the new baseline")
        if names & set(_ABSOLUTE):
            parts.append("over a cost limit: trim the prompt or its output, pick a cheaper model, or raise the limit")
        if names & set(_DURATION):
            parts.append("over a job's time limit: raise its rate limits or concurrency, or the limit")
        if names - set(_RELATIVE) - set(_ABSOLUTE) - set(_DURATION):
            parts.append("over a latency limit: bench a faster endpoint, or raise budgets.latency")
        if any(b.actual is None for b in failed):
            parts.append("not evaluated: each says why, and what to set")
        if self.fail_on_warn and r.active:
            parts.append("resolve the warnings, or name their codes in ignore_warnings")
        return "; ".join(parts) + "." if parts else HINT

    def failure(self) -> str:
        """Why the check failed, one reason per line (for stderr)."""
        lines = self.reasons()
        return f"check failed ({len(lines)} reason{'s' if len(lines) != 1 else ''}):\n" + "\n".join(
            f"  - {line}" for line in lines
        )

    # -- machines ----------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        r = self.report
        before, after = r.total("before"), r.total("after")
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "llmprof.check",
            "llmprof_version": __version__,
            "passed": self.passed,
            "warnings": [{"code": n.code, "message": n.message, "ignored": n.ignored} for n in r.notices],
            "pricing": {
                "baseline": {"version": r.before.pricing_version, "date": r.before.pricing_date},
                "current": {"version": r.after.pricing_version, "date": r.after.pricing_date},
            },
            "counts": r.counts(),
            "totals": {
                "basis": "per_day" if r.per_day else "per_request",
                "before_usd": decimal_str(before),
                "after_usd": decimal_str(after),
                "delta_usd": decimal_str(after - before),
                "delta_pct": _pct((after - before) / before * HUNDRED) if before else None,
                "prompt_effect_usd": decimal_str(r.prompt_effect),
                "price_effect_usd": decimal_str(r.price_effect),
            },
            "changes": [self._change(c) for c in r.changes],
            "budgets": [
                {
                    "budget": b.budget,
                    "subject": b.subject,
                    "unit": b.unit,
                    "limit": decimal_str(b.limit),
                    "actual": _d(b.actual),
                    "status": b.status,
                    "note": b.note,
                }
                for b in r.budgets
            ],
        }

    @staticmethod
    def _change(c: Change) -> dict[str, Any]:
        item = c.item
        return {
            "status": c.status,
            "set": item.set,
            "prompt": item.prompt,
            "model": item.model,
            "before_usd": _d(c.before.cost_per_request) if c.before else None,
            "after_usd": _d(c.after.cost_per_request) if c.after else None,
            "delta_usd": decimal_str(c.delta),
            "delta_pct": _pct(c.delta_pct),
            "input_tokens_before": c.before.input_tokens if c.before else None,
            "input_tokens_after": c.after.input_tokens if c.after else None,
            "prompt_effect_usd": decimal_str(c.prompt_effect),
            "price_effect_usd": decimal_str(c.price_effect),
            "cause": c.cause,
        }

    def records(self) -> list[dict[str, Any]]:
        return [self._change(c) for c in self.report.changes]

    # -- people ------------------------------------------------------------------------------
    def view(self) -> View:
        r = self.report
        failures = len(r.failures)
        verdict = (
            "passed"
            if self.passed
            else (
                f"FAILED: {failures} budget{'s' if failures != 1 else ''} exceeded"
                if failures
                else "FAILED on warnings"
            )
        )
        view = View(
            f"llmprof check {verdict}",
            [
                Column("Change", "left", priority=2),
                Column("Set", "left", priority=2),
                Column("Prompt", "left"),
                Column("Model", "left"),
                Column("Before", priority=1),
                Column("After"),
                Column("Δ"),
                Column("Δ %"),
                Column("Tokens in", priority=3),
                Column("Cause", "left", priority=1),
            ],
        )
        view.title_tone = None if self.passed else "bad"
        view.empty = "No cost changes against the baseline."
        for c in r.changes:
            if c.status == "unchanged":
                continue
            tokens = f"{c.before.input_tokens:,}" if c.before else ""
            if c.after:
                tokens = f"{tokens} → {c.after.input_tokens:,}" if tokens else f"{c.after.input_tokens:,}"
            view.rows.append(
                [
                    c.status,
                    c.item.set,
                    c.item.prompt,
                    c.item.model,
                    _cost(c.before) if c.before else "-",
                    _cost(c.after) if c.after else "-",
                    usd(c.delta, signed=True),
                    "-" if c.delta_pct is None else percent(float(c.delta_pct)),
                    tokens,
                    c.cause,
                ]
            )
        view.footer = self._footer()
        if r.budgets:
            budgets = View(
                "Budgets",
                [
                    Column("Budget", "left"),
                    Column("Subject", "left"),
                    Column("Limit", priority=1),
                    Column("Actual"),
                    Column("Result", "left"),
                ],
            )
            for index, b in enumerate(sorted(r.budgets, key=lambda b: (b.status == "pass", b.budget, b.subject))):
                budgets.rows.append(
                    [b.budget, b.subject, shown(b.unit, b.limit, True), shown(b.unit, b.actual), MARK[b.status]]
                )
                if b.status != "pass":
                    budgets.bold.add(index)
                    budgets.tones[(index, 4)] = "bad" if b.status == "fail" else "warn"
            view.extra.append(budgets)
        return view

    def _footer(self) -> list[str]:
        r = self.report
        counts = r.counts()
        lines = [", ".join(f"{n} {status}" for status, n in counts.items()) + " (prompt × model)."]
        before, after = r.total("before"), r.total("after")
        basis = "per day" if r.per_day else "for one request of each prompt"
        pct = f" ({percent(float((after - before) / before * HUNDRED))})" if before else ""
        lines.append(f"Total {basis}: {usd(before)} → {usd(after)}, {usd(after - before, signed=True)}{pct}.")
        if r.before.pricing_version != r.after.pricing_version:
            lines.append(
                f"Prices changed: baseline table {r.before.pricing_version} ({r.before.pricing_date}), now "
                f"{r.after.pricing_version} ({r.after.pricing_date}). Of the change {basis}: prompts "
                f"{usd(r.prompt_effect, signed=True)}, prices {usd(r.price_effect, signed=True)}."
            )
        else:
            lines.append(
                f"Prices: pricing table {r.after.pricing_version} ({r.after.pricing_date}), as in the baseline."
            )
        bases = {(i.model, i.basis) for i in r.after.items if i.basis not in ("standard", "batch API")}
        lines.extend(f"{model}: time-of-day rates, {basis}." for model, basis in sorted(bases))
        if any(i.lower_bound for i in r.after.items):
            lines.append("≥: a lower bound (see the budgets).")
        lines.extend(f"Warning [{n.code}]: {n.message}" for n in r.active)
        ignored = [n.code for n in r.notices if n.ignored]
        if ignored:
            codes = ", ".join(
                f"{code} ×{ignored.count(code)}" if ignored.count(code) > 1 else code for code in dict.fromkeys(ignored)
            )
            lines.append(f"Ignored warnings (ignore_warnings): {codes}; --format json lists them.")
        if not self.passed:
            lines.append("Why it failed:")
            lines.extend(f"- {line}" for line in self.reasons())
            lines.append("")  # ends the list (Markdown)
            lines.append(f"Hint: {self.hint()}")
        return lines


def _cost(item: Item) -> str:
    return ("≥" if item.lower_bound else "") + usd(item.cost_per_request)


def junit(report: CheckReport, fail_on_warn: bool = False) -> str:
    """JUnit XML: one test case per budget and subject, failed when over its limit (or not measured)."""
    from xml.sax.saxutils import escape, quoteattr

    cases = []
    failures = 0
    for b in report.budgets:
        bad = b.status == "fail" or (fail_on_warn and b.status == "warn")
        detail = f"{MARK[b.status]} {b.subject}: {shown(b.unit, b.actual)} (limit {shown(b.unit, b.limit, True)})"
        if b.note:
            detail += f"; {b.note}"
        body = f"<system-out>{escape(detail)}</system-out>"
        if bad:
            failures += 1
            body = f"<failure message={quoteattr(reason(b))}>{escape(detail)}</failure>" + body
        name = quoteattr(f"{b.budget}: {b.subject}")
        cases.append(f'  <testcase classname="llmprof.check.{b.budget}" name={name}>{body}</testcase>')
    header = f'<testsuite name="llmprof check" tests="{len(report.budgets)}" failures="{failures}">'
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + header + "\n" + "\n".join(cases) + "\n</testsuite>\n"


def side_outputs(output: CheckOutput, junit_path: Path | None, talk: Talk) -> None:
    """The outputs besides stdout: the JUnit file (a write failure is an error: it was asked for)
    and, on GitHub Actions, the job summary (a failure there is a warning: CI's file, not ours)."""
    if junit_path is not None:
        write_atomic(junit_path, junit(output.report, output.fail_on_warn), "the JUnit report")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        from llmprof.render.markdown import to_markdown

        try:
            append_text(Path(summary), to_markdown(output.view()) + "\n", "the job summary")
        except WriteError as exc:
            talk.warn(exc.message, "check GITHUB_STEP_SUMMARY; the check's result does not depend on it.")


def error_summary(exc: LlmprofError, talk: Talk) -> None:
    """On GitHub Actions, a check that could not run says so in the job summary too."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    text = f"error: {exc.message}" + (f"\n  hint: {exc.hint}" if exc.hint else "")
    try:
        append_text(Path(summary), f"### llmprof check could not run\n\n```\n{text}\n```\n", "the job summary")
    except WriteError as err:
        talk.warn(err.message, "check GITHUB_STEP_SUMMARY; the check's result does not depend on it.")
