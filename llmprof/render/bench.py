"""A bench run as the reference-style table, and as the versioned JSON document.

JSON schema ``llmprof.bench`` version 1 (times in seconds, money as decimal strings of USD)::

    {"schema_version": 1, "kind": "llmprof.bench", "llmprof_version",
     "run": {llmprof_version, pricing_version, pricing_date, endpoint, provider, model, price_as,
             settings, started_at, finished_at, interrupted},
     "summary": {"percentiles": [50, 75, 90],
                 "cells": [{"cell", "input_tokens", "output_tokens", "requests", "ok", "failed",
                            "errors": {kind: n}, "e2e_s": {"p50": ...}, "ttft_s": {"p50": ...},
                            "ttfb_p50_s", "tpot_p50_s", "itl_p50_s", "tokens_per_s_p50",
                            "output_tokens_mean", "shortfall", "retries", "throttled_s",
                            "cost_per_request_usd"}],
                 "latency_model": {"fixed_s", "per_input_token_s", "per_output_token_s",
                                   "r_squared", "n"} | null},
     "requests": [every request record, warmups included and flagged]}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmprof import __version__
from llmprof.bench.records import KIND, SCHEMA_VERSION, BenchResult
from llmprof.bench.summary import CellSummary, Summary
from llmprof.render.money import decimal_str, usd
from llmprof.render.view import Column, View
from llmprof.stats import LatencyFit, clear_of_zero


def _q(q: float) -> str:
    return f"p{q:g}"


def _s(value: float | None) -> str:
    """Seconds, as the reference table prints them (more digits for sub-100 ms values)."""
    if value is None:
        return "-"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f} ms"


@dataclass
class BenchOutput:
    result: BenchResult
    summary: Summary

    def document(self) -> dict[str, Any]:
        result = self.result
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "llmprof_version": __version__,
            "run": vars(result.info).copy(),
            "summary": {
                "percentiles": list(self.summary.percentiles),
                "cells": [_cell_record(c) for c in self.summary.cells],
                "latency_model": _fit_record(self.summary.fit),
            },
            "requests": [r.to_json() for r in result.records],
        }

    def records(self) -> list[dict[str, Any]]:
        flat = []
        for cell in self.summary.cells:
            record = _cell_record(cell)
            e2e, ttft, errors = record.pop("e2e_s"), record.pop("ttft_s"), record.pop("errors")
            record.update({f"e2e_{k}_s": v for k, v in e2e.items()})
            record.update({f"ttft_{k}_s": v for k, v in ttft.items()})
            record["errors"] = ";".join(f"{k}={v}" for k, v in sorted(errors.items()))
            flat.append(record)
        return flat

    def view(self) -> View:
        info = self.result.info
        qs = self.summary.percentiles
        columns = [Column("# tokens", "left")]
        columns += [Column(f"{_q(q)} latency (sec)" if i == 0 else f"{_q(q)} latency") for i, q in enumerate(qs)]
        columns += [
            Column("TTFT p50"),
            Column("TPOT p50"),
            Column("tokens/s"),
            Column("errors"),
            Column("cost/request"),
        ]
        view = View(f"Latency by input and output length: {info.model} at {info.endpoint}", columns)
        for cell in self.summary.cells:
            view.rows.append(
                [
                    f"input: {cell.input_tokens} tokens, output: {cell.output_tokens} token"
                    + ("s" if cell.output_tokens != 1 else ""),
                    *[_s(cell.e2e_s.get(q)) for q in qs],
                    _s(cell.ttft_s.get(50.0)),
                    _ms(cell.tpot_p50_s),
                    "-" if cell.tokens_per_s_p50 is None else f"{cell.tokens_per_s_p50:.1f}",
                    f"{cell.failed}/{cell.requests}" if cell.failed else "0",
                    self._cost(cell),
                ]
            )
        view.footer = self._footer()
        return view

    def _cost(self, cell: CellSummary) -> str:
        if cell.cost_per_request_usd is not None:
            return usd(cell.cost_per_request_usd)
        return "free" if self.result.info.endpoint.startswith("mock") else "-"

    def _footer(self) -> list[str]:
        info = self.result.info
        s = info.settings
        load = (
            f"concurrency {s['concurrency']}"
            if not s.get("rate")
            else (f"open loop at {s['rate']:g} req/s ({s['arrival']} arrivals, latency from the scheduled send)")
        )
        warm = f" (+{s['warmup']} warmup, excluded)" if s.get("warmup") else ""
        lines = [
            f"{s['runs']} runs per row{warm}; {load}; {'streaming' if s['stream'] else 'not streaming'}; "
            f"{info.provider} wire format; e2e latency in seconds, percentiles by linear interpolation.",
            _fit_words(self.summary.fit),
        ]
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
        if info.interrupted:
            done = sum(c.requests for c in self.summary.cells)
            lines.append(f"Interrupted: these figures cover the {done} request(s) that finished.")
        return lines


def _fit_words(fit: LatencyFit | None) -> str:
    if fit is None:
        return "Latency model: not enough successful requests to fit one."
    parts = [
        _effect("output", "each output token", "per token", fit.per_output_s, fit.per_output_se, 1e3),
        _effect("input", "each 1K input tokens", "per 1K tokens", fit.per_input_s, fit.per_input_se, 1e6),
        f"fixed overhead {fit.fixed_s:.2f} s",
    ]
    return (
        f"Latency model (least squares over {fit.n} successful requests, R² = {fit.r_squared:.2f}): "
        + "; ".join(parts)
        + "."
    )


def _effect(length: str, unit: str, per: str, value: float | None, error: float | None, scale: float) -> str:
    """One coefficient in words, in ms; within two standard errors of zero it is called no effect."""
    if value is None or error is None:
        return f"{length} length did not vary, so its effect is not estimated"
    if clear_of_zero(value, error):
        return f"{unit} adds {value * scale:.1f} ms (± {error * scale:.1f})"
    return f"{length} length has no measurable effect ({value * scale:+.1f} ± {error * scale:.1f} ms {per})"


def _cell_record(cell: CellSummary) -> dict[str, Any]:
    return {
        "cell": cell.cell,
        "input_tokens": cell.input_tokens,
        "output_tokens": cell.output_tokens,
        "requests": cell.requests,
        "ok": cell.ok,
        "failed": cell.failed,
        "errors": dict(cell.errors),
        "e2e_s": {_q(q): v for q, v in cell.e2e_s.items()},
        "ttft_s": {_q(q): v for q, v in cell.ttft_s.items()},
        "ttfb_p50_s": cell.ttfb_p50_s,
        "tpot_p50_s": cell.tpot_p50_s,
        "itl_p50_s": cell.itl_p50_s,
        "tokens_per_s_p50": cell.tokens_per_s_p50,
        "output_tokens_mean": cell.output_tokens_mean,
        "shortfall": cell.shortfall,
        "retries": cell.retries,
        "throttled_s": cell.throttled_s,
        "cost_per_request_usd": decimal_str(cell.cost_per_request_usd)
        if cell.cost_per_request_usd is not None
        else None,
    }


def _fit_record(fit: LatencyFit | None) -> dict[str, Any] | None:
    if fit is None:
        return None
    return {
        "fixed_s": fit.fixed_s,
        "per_input_token_s": fit.per_input_s,
        "per_output_token_s": fit.per_output_s,
        "r_squared": fit.r_squared,
        "n": fit.n,
        "fixed_se_s": fit.fixed_se,
        "per_input_token_se_s": fit.per_input_se,
        "per_output_token_se_s": fit.per_output_se,
    }
