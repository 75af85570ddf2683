"""Bench results written through llmprof.bench.resultfile, with chosen numbers (no clock)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from llmprof.bench.records import BenchResult, RequestRecord, RunInfo
from llmprof.bench.resultfile import write_document
from llmprof.bench.summary import summarize


def write_profile(
    path: Path,
    model: str,
    rows: Sequence[tuple[int, int, float]],  # (input tokens, output tokens, e2e seconds)
    reasoning: Sequence[int] | None = None,
    price_as: str | None = None,
) -> Path:
    records = [
        RequestRecord(
            id=i,
            cell=f"{inp}x{out}",
            input_target=inp,
            output_target=out,
            ok=True,
            status=200,
            attempts=1,
            e2e_s=e2e,
            ttft_s=e2e / 2,
            output_tokens=out,
            output_tokens_api=out,
            input_tokens_api=inp,
            reasoning_tokens=reasoning[i] if reasoning is not None else None,
            tokens_source="api",
        )
        for i, (inp, out, e2e) in enumerate(rows)
    ]
    info = RunInfo(
        llmprof_version="0.2.0",
        pricing_version=None,
        pricing_date=None,
        endpoint="https://api.example.test/v1",
        provider="openai",
        model=model,
        price_as=price_as,
        settings={},
        started_at="2026-11-21T10:00:00+00:00",
        endpoint_kind="remote",
        finished_at="2026-11-21T10:01:00+00:00",
        duration_s=60.0,
    )
    write_document(path, BenchResult(info, records), summarize(records))
    return path
