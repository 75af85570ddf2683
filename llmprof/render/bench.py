"""A bench run as the reference-style table. Its JSON is the result document that
:mod:`llmprof.bench.resultfile` defines (schema ``llmprof.bench``), and CSV one line per cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmprof.bench.records import BenchResult
from llmprof.bench.resultfile import cell_record, to_document
from llmprof.bench.summary import CellSummary, Summary
from llmprof.render.view import Column, View
from llmprof.stats import clear_of_zero
from llmprof.units import usd


def _q(q: float) -> str:
    return f"p{q:g}"


def _s(value: float | None) -> str:
    """Seconds, as the reference table prints them (more digits for sub-100 ms values)."""
    if value is None:
        return "-"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f} ms"


def _describe(cell: CellSummary) -> str:
    """A cell as the reference table names it."""
    plural = "s" if cell.output_tokens != 1 else ""
    return f"input: {cell.input_tokens} tokens, output: {cell.output_tokens} token{plural}"


def _rank(index: int, count: int) -> int:
    """A percentile column's priority: the first (the median) kept, then the last (the tail)."""
    return 0 if index == 0 else 1 if index == count - 1 else 2


def _with_ci(value: float | None, ci: tuple[float, float] | None) -> str:
    """A percentile with its 95% interval as one "±" (the wider side), when there is one."""
    if value is None or ci is None:
        return _s(value)
    half = max(value - ci[0], ci[1] - value)
    return f"{_s(value)} ±{_s(half)}"


@dataclass
class BenchOutput:
    result: BenchResult
    summary: Summary

    def document(self) -> dict[str, Any]:
        return to_document(self.result, self.summary)

    def records(self) -> list[dict[str, Any]]:
        flat = []
        for cell in self.summary.cells:
            record = cell_record(cell)
            e2e, ttft, errors = record.pop("e2e_s"), record.pop("ttft_s"), record.pop("errors")
            record.update({f"e2e_{k}_s": v for k, v in e2e.items()})
            record.update({f"ttft_{k}_s": v for k, v in ttft.items()})
            record["errors"] = ";".join(f"{k}={v}" for k, v in sorted(errors.items()))
            flat.append(record)
        return flat

    def view(self) -> View:
        info = self.result.info
        summary = self.summary
        qs = summary.percentiles
        reasoning = any(c.reasoning_tokens_mean for c in summary.cells)
        # A narrow terminal keeps the cell, the first and last percentile, TTFT and errors longest.
        names = {_describe(c): c.cell for c in summary.cells}
        columns = [Column("# tokens", "left", short="in x out", compact=names), Column("n", priority=3)]
        columns += [
            Column(f"{_q(q)} latency (sec)" if i == 0 else f"{_q(q)} latency", priority=_rank(i, len(qs)))
            for i, q in enumerate(qs)
        ]
        columns += [Column("TTFT p50", priority=1)]
        columns += [Column("answer p50", priority=3), Column("reasoning", priority=3)] if reasoning else []
        columns += [
            Column("TPOT p50", priority=2),
            Column("tokens/s", priority=3),
            Column("errors"),
            Column("cost/request", priority=2),
        ]
        columns += [Column("goodput", priority=1)] if summary.objectives else []
        stopped = " (INTERRUPTED)" if info.interrupted else ""
        view = View(f"Latency by input and output length: {info.model} at {info.endpoint}{stopped}", columns)
        for cell in summary.cells:
            row = [
                _describe(cell),
                str(cell.ok),
                *[_with_ci(cell.e2e_s.get(q), cell.e2e_ci.get(q)) for q in qs],
                _s(cell.ttft_s.get(50.0)),
            ]
            if reasoning:
                mean = cell.reasoning_tokens_mean
                row += [_s(cell.ttfa_p50_s), "-" if mean is None else f"{mean:.0f}"]
            row += [
                _ms(cell.tpot_p50_s),
                "-" if cell.tokens_per_s_p50 is None else f"{cell.tokens_per_s_p50:.1f}",
                f"{cell.failed}/{cell.requests}" if cell.failed else "0",
                self._cost(cell),
            ]
            if cell.failed:
                view.tones[(len(view.rows), len(row) - 2)] = "warn"
            if summary.objectives:
                row.append(f"{(cell.good or 0) / cell.requests:.0%}" if cell.requests else "-")
            view.rows.append(row)
        view.footer = self._footer()
        return view

    def _slo_lines(self) -> list[str]:
        summary = self.summary
        if not summary.objectives:
            return []
        labels = ", ".join(o.label for o in summary.objectives)
        breaches = summary.breaches
        verdict = "met in every cell" if not breaches else f"{len(breaches)} breach(es), listed below"
        good = summary.good or 0
        rate = f", {good / summary.duration_s:.2f} good requests/s" if summary.duration_s else ""
        share = f"{good / summary.measured:.0%}" if summary.measured else "-"
        return [
            f"SLO {labels}: {verdict}. Goodput: {good} of {summary.measured} requests ({share}) succeeded within "
            f"every limit{rate}."
        ]

    def _cost(self, cell: CellSummary) -> str:
        if cell.cost_per_request_usd is not None:
            return usd(cell.cost_per_request_usd)
        return "free" if self.result.is_free else "-"

    def _footer(self) -> list[str]:
        info = self.result.info
        s = info.settings
        lines = []
        if info.interrupted:
            done = sum(c.requests for c in self.summary.cells)
            lines.append(
                f"INTERRUPTED ({info.stop_reason or 'the run did not finish'}): these figures cover only the "
                f"{done} measured request(s) that finished."
            )
        rate, concurrency = s.get("rate"), s.get("concurrency")
        load = (
            f"open loop at {rate:g} req/s ({s.get('arrival')} arrivals, latency from the scheduled send)"
            if isinstance(rate, (int, float)) and rate
            else f"concurrency {concurrency}"
        )
        warm = f" (+{s['warmup']} warmup, excluded)" if s.get("warmup") else ""
        rows = sorted({c.requests for c in self.summary.cells})
        if not rows:
            per_row = "no requests finished"
        else:
            per_row = f"{rows[0]} runs per row" if len(rows) == 1 else f"{rows[0]}-{rows[-1]} runs per row"
        design = (
            "cells interleaved in randomised blocks"
            if s.get("order") == "interleaved"
            else "cells one after another"
            if s.get("order") == "sequential"
            else None
        )
        lines += [
            f"{per_row}{warm}; {load}; {'streaming' if s.get('stream', True) else 'not streaming'}; "
            f"{info.provider} wire format{'; ' + design if design else ''}.",
            "e2e latency in seconds; percentiles by linear interpolation; ± is the 95% confidence interval "
            "(distribution-free, the wider side), shown where there are samples enough for one; n: successes.",
            _fit_words(self.summary),
        ]
        if s.get("cache_prefix"):
            cached = [c.cached_input_tokens_mean for c in self.summary.cells if c.cached_input_tokens_mean]
            reported = (
                f"; the endpoint reported {sum(cached) / len(cached):.0f} cached tokens per request" if cached else ""
            )
            lines.append(
                f"Every prompt starts with the same {s['cache_prefix']}-token prefix (--cache-prefix){reported}."
            )
        lines += self._slo_lines()
        client = info.client or {}
        if "loop_lag_p99_ms" in client:
            cpu = f", CPU {client['cpu_share']:.0%} of a core" if "cpu_share" in client else ""
            lines.append(f"Client: event-loop lag p99 {client['loop_lag_p99_ms']:.1f} ms{cpu}.")
        measured = sum(c.requests for c in self.summary.cells)
        if info.duration_s:
            lines.append(
                f"{measured} requests in {info.duration_s:.1f} s: "
                f"{measured / info.duration_s:.1f} requests/s at the client."
            )
        retries = sum(c.retries for c in self.summary.cells)
        if retries:
            waited = sum(c.throttled_s for c in self.summary.cells)
            lines.append(
                f"{retries} retr{'y' if retries == 1 else 'ies'} after 429/5xx/connect errors; {waited:.1f} s spent "
                "waiting (Retry-After or backoff), counted in those requests' latency."
            )
        errors = self.summary.errors
        if errors:
            kinds = ", ".join(f"{n} {kind}" for kind, n in errors.most_common())
            lines.append(f"Failed requests, left out of every percentile: {self.summary.failed} ({kinds}).")
        if info.price_as:
            lines.append(f"Cost priced as {info.price_as} (pricing table {info.pricing_version}, {info.pricing_date}).")
        local = sum(c.local_counts for c in self.summary.cells)
        if local:
            lines.append(f"{local} output count(s) are local tiktoken counts: the endpoint reported no usage.")
        return lines


def _fit_words(summary: Summary) -> str:
    fit = summary.fit
    if fit is None:
        if sum(c.ok for c in summary.cells) < 4:
            return "Latency model: not enough successful requests to fit one."
        return (
            "Latency model: not fitted: across these cells input and output length vary together, so their "
            "effects cannot be told apart; add a cell that changes only one of them."
        )
    method = "robust (Huber) fit" if fit is summary.robust and fit is not summary.least_squares else "least squares"
    medians = [c.e2e_s[50.0] for c in summary.cells if 50.0 in c.e2e_s]
    typical = sum(medians) / len(medians) if medians else 0.0
    spans = _spans(summary)
    parts = [
        _effect(
            "output", "each output token", "per token", fit.per_output_s, fit.per_output_se, 1e3, spans[1], typical
        ),
        _effect(
            "input", "each 1K input tokens", "per 1K tokens", fit.per_input_s, fit.per_input_se, 1e6, spans[0], typical
        ),
        f"fixed overhead {fit.fixed_s:.2f} s",
    ]
    caveat = " (see the warnings)" if summary.fit_warnings else ""
    return (
        f"Latency model ({method} over {fit.n} successful requests, R² = {fit.r_squared:.2f}){caveat}: "
        + "; ".join(parts)
        + "."
    )


def _spans(summary: Summary) -> tuple[float, float]:
    """How far input and output length ranged over the cells (tokens)."""
    if not summary.cells:
        return 0.0, 0.0
    ins = [c.input_tokens for c in summary.cells]
    outs = [c.output_tokens for c in summary.cells]
    return float(max(ins) - min(ins)), float(max(outs) - min(outs))


def _effect(
    length: str,
    unit: str,
    per: str,
    value: float | None,
    error: float | None,
    scale: float,
    span: float,
    typical_s: float,
) -> str:
    """One coefficient in words, in ms. An effect is stated when it is clear of zero (three
    standard errors) and material (over the lengths measured it moves latency by 5% of a typical
    request or more). "No measurable effect" is said only when the data bound it: even its upper
    end adds under 5%. Anything else is undetermined, with its uncertainty."""
    if value is None or error is None:
        return f"{length} length did not vary, so its effect is not estimated"
    figures = f"{value * scale:+.1f} ± {error * scale:.1f} ms {per}"
    material = 0.05 * typical_s
    if clear_of_zero(value, error) and abs(value) * span >= material:
        verb = "adds" if value > 0 else "takes off"
        return f"{unit} {verb} {abs(value) * scale:.1f} ms (± {error * scale:.1f})"
    if (abs(value) + 2 * error) * span < material:
        return f"{length} length has no measurable effect ({figures})"
    return f"{length} length's effect is undetermined ({figures}: too noisy to tell)"
