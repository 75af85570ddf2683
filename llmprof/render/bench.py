"""A bench run as the reference-style table. Its JSON is the result document that
:mod:`llmprof.bench.resultfile` defines (schema ``llmprof.bench``), and CSV one line per cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmprof.bench.records import BenchResult
from llmprof.bench.resultfile import cell_record, to_document
from llmprof.bench.summary import CellSummary, Summary
from llmprof.render.view import Column, View
from llmprof.stats import LatencyFit, clear_of_zero
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
        stopped = " (INTERRUPTED)" if info.interrupted else ""
        view = View(f"Latency by input and output length: {info.model} at {info.endpoint}{stopped}", columns)
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
        lines += [
            f"{per_row}{warm}; {load}; {'streaming' if s.get('stream', True) else 'not streaming'}; "
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
