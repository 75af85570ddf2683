"""A :class:`~llmprof.plan.run.Plan` as a document for machines (JSON, CSV) and views for people.

JSON schema ``llmprof.plan`` version 1 (money as exact decimal strings of USD, times in seconds
as decimal strings, tokens as integers; every ``p50``/``p90`` pair is the whole task computed
with every size at that percentile)::

    {"schema_version": 1, "kind": "llmprof.plan", "llmprof_version",
     "pricing": {"version", "date", "as_of", "files": [{"path", "sha256"}]},
     "workload": {"name", "source", "month_days": 30,
                  "tasks": [{"name", "kind", "per_day", "total", "calls_per_task"}],
                  "limits": {"rpm", "tpm", "concurrency"}, "max_p90_latency_s", "levers": {...}},
     "results": [{"task", "model", "provider", "count", "count_range_pct", "lower_bound": [...],
                  "reasoning_basis": [...], "unpriced", "latency": "..." | null, "notes": [...],
                  "latency_model": {"source", "fixed_s", "per_input_token_s", "per_output_token_s",
                                    "offset_p50_s", "offset_p90_s"} | null,
                  "p50": FIGURE, "p90": FIGURE,
                  "levers": [{"lever", "label", "available", "reason", "notes": [...],
                              "p50": FIGURE | null, "p90": FIGURE | null,
                              "saving_p50_usd", "saving_p90_usd", "saving_pct"}],
                  "stacked": [{"lever", "label", "before_p50_usd", "after_p50_usd", "before_p90_usd",
                               "after_p90_usd", "saving_pct_of_remaining"}],
                  "turns": [{"turn", "step", "input_tokens", "output_tokens", "cost_usd",
                             "cached_tokens", "written_tokens", "cached_cost_usd"}]}],
     "selection": [{"model", "cost_p50_usd", "cost_p90_usd", "per", "lower_bound",
                    "p90_latency_s", "meets_limits", "problems": [...], "unpriced", "cheapest"}],
     "budgets": [{"budget", "subject", "limit", "actual", "unit", "status", "note"}],
     "notes": [...], "warnings": [...]}

    FIGURE = {"calls", "input_tokens", "cached_tokens", "written_tokens", "output_tokens",
              "reasoning_tokens", "cost_per_task_usd", "cost_per_day_usd", "cost_per_month_usd",
              "cost_total_usd", "latency_sum_s", "conversation_s",
              "duration": {"seconds", "binding", "verdict",
                           "bounds": [{"name", "seconds", "detail"}], "pressure": [...]} | null}

A call's latency at percentile q is ``fixed + per_input x input + per_output x output +
offset_q`` seconds (given latencies have only offsets). ``lower_bound`` lists why a result's
costs are only floors (tables mark them ``≥``); ``unpriced`` names the missing rate (its money
fields are null, never 0). ``turns`` is the p50 per-call breakdown of a conversation (with the
caching lever's reads and writes when it applies).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from llmprof import __version__
from llmprof.plan.figures import Figure, Line
from llmprof.plan.levers import Explored, Option
from llmprof.plan.run import Plan
from llmprof.plan.workload import MONTH_DAYS, QS, Q, Task
from llmprof.render.view import View
from llmprof.units import decimal_str

SCHEMA_VERSION = 1


def money(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


def figure_record(figure: Figure | None, task: Task) -> dict[str, Any] | None:
    if figure is None:
        return None
    timing = figure.timing
    return {
        "calls": figure.requests,
        "input_tokens": figure.input_tokens,
        "cached_tokens": figure.cached_tokens,
        "written_tokens": figure.written_tokens,
        "output_tokens": figure.output_tokens,
        "reasoning_tokens": figure.reasoning_tokens,
        "cost_per_task_usd": money(figure.cost),
        "cost_per_day_usd": money(figure.cost * task.per_day) if task.per_day else None,
        "cost_per_month_usd": money(figure.cost * task.per_day * MONTH_DAYS) if task.per_day else None,
        "cost_total_usd": money(figure.cost * task.total) if task.total else None,
        "latency_sum_s": money(figure.work_s),
        "conversation_s": money(figure.span_s),
        "duration": None
        if timing is None
        else {
            "seconds": money(timing.seconds),
            "binding": timing.binding.name if timing.binding else None,
            "verdict": timing.verdict(),
            "bounds": [{"name": b.name, "seconds": money(b.seconds), "detail": b.detail} for b in timing.bounds],
            "pressure": list(timing.pressure),
        },
    }


def pct(saving: Decimal, base: Decimal) -> Decimal | None:
    return None if not base else (saving / base * 100).quantize(Decimal("0.1"))


def lever_record(option: Option, result: Explored) -> dict[str, Any]:
    task = result.inputs.task
    shown = bool(option.figures) and option.reason is None
    return {
        "lever": option.lever,
        "label": option.label,
        "available": shown,
        "reason": option.reason,
        "notes": list(option.notes),
        "p50": figure_record(option.figures.get("p50"), task) if shown else None,
        "p90": figure_record(option.figures.get("p90"), task) if shown else None,
        "saving_p50_usd": money(option.saving(result.plain, "p50")) if shown else None,
        "saving_p90_usd": money(option.saving(result.plain, "p90")) if shown else None,
        "saving_pct": money(pct(option.saving(result.plain, "p50"), result.plain["p50"].cost)) if shown else None,
    }


def result_record(result: Explored) -> dict[str, Any]:
    inputs = result.inputs
    task = inputs.task
    priced = result.unpriced is None
    caching = result.option("caching")
    cached_lines: list[Line | None] = []
    if caching and caching.figures and not caching.reason:
        cached_lines = list(caching.figures["p50"].lines)
    lines = result.plain["p50"].lines if priced else []
    return {
        "task": task.name,
        "model": inputs.model.name,
        "provider": inputs.model.provider,
        "count": inputs.count,
        "count_range_pct": round(inputs.spread * 100) if inputs.spread else None,
        "lower_bound": inputs.lower_bound,
        "reasoning_basis": sorted(inputs.reasoning_how),
        "unpriced": result.unpriced,
        "latency": inputs.latency.describe() if inputs.latency else None,
        "latency_model": None
        if inputs.latency is None
        else {
            "source": inputs.latency.source,
            "fixed_s": money(inputs.latency.fixed),
            "per_input_token_s": money(inputs.latency.per_input),
            "per_output_token_s": money(inputs.latency.per_output),
            "offset_p50_s": money(inputs.latency.offset.p50),
            "offset_p90_s": money(inputs.latency.offset.p90),
        },
        "notes": list(inputs.notes),
        "p50": figure_record(result.plain.get("p50"), task),
        "p90": figure_record(result.plain.get("p90"), task),
        "levers": [lever_record(o, result) for o in result.options],
        "stacked": [
            {
                "lever": step.lever,
                "label": step.label,
                "before_p50_usd": money(step.before["p50"]),
                "after_p50_usd": money(step.after["p50"]),
                "before_p90_usd": money(step.before["p90"]),
                "after_p90_usd": money(step.after["p90"]),
                "saving_pct_of_remaining": money(pct(step.before["p50"] - step.after["p50"], step.before["p50"])),
            }
            for step in result.chain
        ],
        "turns": [
            {
                "turn": line.turn,
                "step": line.step,
                "input_tokens": line.input_tokens,
                "output_tokens": line.output_tokens,
                "cost_usd": money(line.cost),
                "cached_tokens": cached.cached_tokens if cached else None,
                "written_tokens": cached.written_tokens if cached else None,
                "cached_cost_usd": money(cached.cost) if cached else None,
            }
            for line, cached in zip(lines, cached_lines or [None] * len(lines), strict=True)
        ],
    }


@dataclass
class PlanOutput:
    plan: Plan
    per_turn: bool = False

    def document(self) -> dict[str, Any]:
        p = self.plan
        w = p.workload
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "llmprof.plan",
            "llmprof_version": __version__,
            "pricing": {
                "version": p.table.version,
                "date": p.table.date.isoformat(),
                "as_of": p.as_of.isoformat(),
                "files": [{"path": f.path, "sha256": f.sha256} for f in p.table.files],
            },
            "workload": {
                "name": w.name,
                "source": w.source,
                "month_days": MONTH_DAYS,
                "tasks": [
                    {
                        "name": t.name,
                        "kind": t.kind,
                        "per_day": t.per_day,
                        "total": t.total,
                        "calls_per_task": next(
                            (r.plain["p50"].requests for r in p.results if r.inputs.task is t and r.plain), None
                        ),
                    }
                    for t in w.tasks
                ],
                "limits": {"rpm": w.limits.rpm, "tpm": w.limits.tpm, "concurrency": w.limits.concurrency},
                "max_p90_latency_s": money(w.max_p90_latency),
                "levers": {
                    "caching": w.levers.caching,
                    "cache_ttl": w.levers.cache_ttl,
                    "batch": w.levers.batch,
                    "max_tokens": w.levers.max_tokens,
                    "keep_last_turns": w.levers.keep_last_turns,
                },
            },
            "results": [result_record(r) for r in p.results],
            "selection": [
                {
                    "model": c.model,
                    "cost_p50_usd": money(c.cost.get("p50")),
                    "cost_p90_usd": money(c.cost.get("p90")),
                    "per": "day" if all(t.per_day for t in w.tasks) else "traffic given",
                    "lower_bound": c.lower_bound,
                    "p90_latency_s": money(c.p90_latency_s),
                    "meets_limits": c.meets,
                    "problems": list(c.problems),
                    "unpriced": c.unpriced,
                    "cheapest": c.cheapest,
                }
                for c in p.choices
            ],
            "budgets": [
                {
                    "budget": b.budget,
                    "subject": b.subject,
                    "limit": decimal_str(b.limit),
                    "actual": money(b.actual),
                    "unit": b.unit,
                    "status": b.status,
                    "note": b.note,
                }
                for b in p.budgets
            ],
            "notes": list(p.notes),
            "warnings": list(p.warnings),
        }

    def records(self) -> list[dict[str, Any]]:
        """One line per task, model and variant (plain, then each lever alone)."""
        p = self.plan
        rows = []
        for result in p.results:
            inputs = result.inputs
            base = {
                "task": inputs.task.name,
                "model": inputs.model.name,
                "count": inputs.label,
                "lower_bound": "; ".join(inputs.lower_bound),
                "pricing_version": p.table.version,
                "as_of": p.as_of.isoformat(),
            }
            variants: list[tuple[str, dict[Q, Figure] | None, str | None]] = [
                ("plain", result.plain or None, result.unpriced)
            ]
            variants += [(o.label, o.figures if not o.reason else None, o.reason) for o in result.options]
            for name, figures, reason in variants:
                row: dict[str, Any] = {**base, "variant": name, "unavailable": reason}
                for q in QS:
                    record = figure_record(figures[q], inputs.task) if figures else None
                    for key in ("cost_per_task_usd", "cost_per_day_usd", "cost_per_month_usd", "cost_total_usd"):
                        row[f"{key.removesuffix('_usd')}_{q}_usd"] = record[key] if record else None
                    duration = record["duration"] if record else None
                    row[f"duration_{q}_s"] = duration["seconds"] if duration else None
                rows.append(row)
        return rows

    def view(self) -> View:
        from llmprof.render.plan_view import main_view

        return main_view(self.plan, self.per_turn)
