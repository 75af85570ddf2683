"""A check report as a cost diff for people (terminal, PR comment) and a stable JSON document.

JSON schema ``llmprof.check`` version 1 (money as decimal strings of USD)::

    {"schema_version": 1, "kind": "llmprof.check", "llmprof_version", "passed", "warnings": [...],
     "pricing": {"baseline": {"version", "date"}, "current": {"version", "date"}},
     "counts": {"changed", "new", "removed", "unchanged"},
     "totals": {"basis": "per_day" | "per_request", "before_usd", "after_usd", "delta_usd",
                "delta_pct", "prompt_effect_usd", "price_effect_usd"},
     "changes": [{"status", "set", "prompt", "model", "before_usd", "after_usd", "delta_usd",
                  "delta_pct", "input_tokens_before", "input_tokens_after", "prompt_effect_usd",
                  "price_effect_usd", "cause"}],          # biggest movers first
     "budgets": [{"budget", "subject", "limit", "actual", "status": "pass" | "warn" | "fail"}]}
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from llmprof import __version__
from llmprof.check.evaluate import HUNDRED, Change, CheckReport
from llmprof.render.money import decimal_str, percent, usd
from llmprof.render.view import Column, View

MARK = {"pass": "pass", "warn": "WARN", "fail": "FAIL"}


def _d(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


@dataclass
class CheckOutput:
    report: CheckReport
    fail_on_warn: bool = False

    @property
    def passed(self) -> bool:
        return not self.report.failures and not (self.fail_on_warn and (self.report.warned or self.report.warnings))

    def failure(self) -> str:
        """Why the check failed, one reason per line (for stderr)."""
        r = self.report
        lines = [f"{b.budget} ({b.subject}): {b.actual} over the limit {b.limit}" for b in r.failures]
        if self.fail_on_warn:
            lines += [
                f"warning treated as failure: {b.budget} ({b.subject}) at {b.actual} of {b.limit}" for b in r.warned
            ]
            lines += [f"warning treated as failure: {w}" for w in r.warnings]
        return f"check failed ({len(lines)} reason{'s' if len(lines) != 1 else ''}):\n" + "\n".join(
            f"  - {line}" for line in lines
        )

    # -- machines ----------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        r = self.report
        before, after = r.total("before"), r.total("after")
        return {
            "schema_version": 1,
            "kind": "llmprof.check",
            "llmprof_version": __version__,
            "passed": self.passed,
            "warnings": list(r.warnings),
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
                "delta_pct": float((after - before) / before * HUNDRED) if before else None,
                "prompt_effect_usd": decimal_str(r.prompt_effect),
                "price_effect_usd": decimal_str(r.price_effect),
            },
            "changes": [self._change(c) for c in r.changes],
            "budgets": [vars(b).copy() for b in r.budgets],
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
            "delta_pct": None if c.delta_pct is None else float(c.delta_pct),
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
                Column("Change", "left"),
                Column("Set", "left"),
                Column("Prompt", "left"),
                Column("Model", "left"),
                Column("Before"),
                Column("After"),
                Column("Δ"),
                Column("Δ %"),
                Column("Tokens in"),
                Column("Cause", "left"),
            ],
        )
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
                    usd(c.before.cost_per_request) if c.before else "-",
                    usd(c.after.cost_per_request) if c.after else "-",
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
                    Column("Limit"),
                    Column("Actual"),
                    Column("Result", "left"),
                ],
            )
            for index, b in enumerate(sorted(r.budgets, key=lambda b: (b.status == "pass", b.budget, b.subject))):
                budgets.rows.append([b.budget, b.subject, b.limit, b.actual, MARK[b.status]])
                if b.status != "pass":
                    budgets.bold.add(index)
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
        lines.extend(f"Warning: {w}" for w in r.warnings)
        return lines


def junit(report: CheckReport, fail_on_warn: bool = False) -> str:
    """JUnit XML: one test case per budget; its failure lists every subject over the limit."""
    from xml.sax.saxutils import escape, quoteattr

    names = list(dict.fromkeys(b.budget for b in report.budgets))
    cases = []
    failures = 0
    for name in names:
        results = [b for b in report.budgets if b.budget == name]
        bad = [b for b in results if b.status == "fail" or (fail_on_warn and b.status == "warn")]
        detail = "\n".join(f"{MARK[b.status]} {b.subject}: {b.actual} (limit {b.limit})" for b in results)
        body = f"<system-out>{escape(detail)}</system-out>"
        if bad:
            failures += 1
            message = "; ".join(f"{b.subject}: {b.actual} > {b.limit}" for b in bad)
            body = f"<failure message={quoteattr(message)}>{escape(detail)}</failure>" + body
        cases.append(f'  <testcase classname="llmprof.check" name={quoteattr(name)}>{body}</testcase>')
    header = f'<testsuite name="llmprof check" tests="{len(names)}" failures="{failures}">'
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + header + "\n" + "\n".join(cases) + "\n</testsuite>\n"
