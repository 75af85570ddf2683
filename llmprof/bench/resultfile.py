"""The bench result files, both directions, in one place.

* The run log (``.jsonl``): a header line, one line per request appended as it finishes
  (flushed, so Ctrl-C, SIGTERM or a crash keeps every finished request), and a footer line when
  the run ends. A log without a footer is a run that never finished, and is read as such.
* The result document (``--out FILE``, schema ``llmprof.bench``): the run, the summary and every
  request, written atomically at the end.

Schema version 2 added the endpoint kind, the stop reason, time to first answer token, the usage
buckets (reasoning, cache reads and writes) and the block of interleaved designs; version 1
files are still read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from llmprof import __version__
from llmprof.bench.records import BenchResult, RequestRecord, RunInfo, info_from_json, record_from_json
from llmprof.bench.summary import CellSummary, Summary
from llmprof.errors import InputError, WriteError
from llmprof.files import create_unique, expect_document, open_new, parse_json, read_text, write_atomic
from llmprof.net import kind_of
from llmprof.secrets import redact
from llmprof.stats import LatencyFit
from llmprof.units import decimal_str

SCHEMA_VERSION = 2
READABLE = (1, 2)
KIND = "llmprof.bench"
_HINT = "pass a file written by llmprof bench (its --out JSON, or a run's .jsonl log)"


class RecordSink:
    """Appends the header, each record and a footer to the run log, flushed line by line.

    A write that fails (a full disk) is remembered and reported through ``on_failure`` once; the
    lines written before it stay, and nothing more is attempted."""

    def __init__(self, file: IO[str], path: Path, on_failure: Callable[[WriteError], None] | None = None) -> None:
        self.path = path
        self._file = file
        self._on_failure = on_failure
        self.failure: WriteError | None = None

    @classmethod
    def create(cls, directory: Path, stem: str, on_failure: Callable[[WriteError], None] | None = None) -> RecordSink:
        """A new log with a name no other run uses (two runs in one second keep both)."""
        path, file = create_unique(directory, stem, ".jsonl")
        return cls(file, path, on_failure)

    @classmethod
    def at(cls, path: Path, on_failure: Callable[[WriteError], None] | None = None) -> RecordSink:
        return cls(open_new(path, "the run log"), path, on_failure)

    def header(self, info: RunInfo) -> None:
        self._write({"type": "header", "schema_version": SCHEMA_VERSION, "kind": KIND, **dataclasses.asdict(info)})

    def add(self, record: RequestRecord) -> None:
        self._write(record.to_json())

    def footer(self, info: RunInfo) -> None:
        self._write(
            {
                "type": "footer",
                "finished_at": info.finished_at,
                "duration_s": info.duration_s,
                "interrupted": info.interrupted,
                "stop_reason": info.stop_reason,
                "client": info.client,
            }
        )

    def _write(self, data: dict[str, Any]) -> None:
        if self.failure is not None:
            return
        try:
            self._file.write(redact(json.dumps(data, ensure_ascii=False)) + "\n")
            self._file.flush()
        except OSError as exc:
            self.failure = WriteError(
                f"{self.path}: writing the run log failed ({exc.strerror or exc}); "
                "the requests recorded before that are kept",
                "free some disk space; the run stopped so that nothing more is lost.",
            )
            if self._on_failure is not None:
                self._on_failure(self.failure)

    def finish(self, info: RunInfo) -> None:
        """The footer (unless a write already failed: then the log ends where the disk did), and close."""
        self.footer(info)
        with contextlib.suppress(OSError):  # the data that fit is flushed already
            self._file.close()


# -- the result document ------------------------------------------------------------------------------


def to_document(result: BenchResult, summary: Summary) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "llmprof_version": __version__,
        "run": dataclasses.asdict(result.info),
        "summary": {
            "percentiles": list(summary.percentiles),
            "cells": [cell_record(c) for c in summary.cells],
            "latency_model": fit_record(summary.fit),
            "least_squares_model": fit_record(summary.least_squares),
            "robust_model": fit_record(summary.robust),
            "slo": [o.label for o in summary.objectives],
            "goodput": _goodput(summary),
            "warnings": list(summary.warnings),
        },
        "requests": [r.to_json() for r in result.records],
    }


def write_document(path: Path, result: BenchResult, summary: Summary) -> None:
    write_atomic(path, json.dumps(to_document(result, summary), indent=2, ensure_ascii=False) + "\n", "the result")


def cell_record(cell: CellSummary) -> dict[str, Any]:
    return {
        "cell": cell.cell,
        "input_tokens": cell.input_tokens,
        "output_tokens": cell.output_tokens,
        "requests": cell.requests,
        "ok": cell.ok,
        "failed": cell.failed,
        "errors": dict(cell.errors),
        "e2e_s": {f"p{q:g}": v for q, v in cell.e2e_s.items()},
        "ttft_s": {f"p{q:g}": v for q, v in cell.ttft_s.items()},
        "e2e_ci95_s": {f"p{q:g}": list(ci) if ci else None for q, ci in cell.e2e_ci.items()},
        "ttft_ci95_s": {f"p{q:g}": list(ci) if ci else None for q, ci in cell.ttft_ci.items()},
        "ttfb_p50_s": cell.ttfb_p50_s,
        "ttfa_p50_s": cell.ttfa_p50_s,
        "tpot_p50_s": cell.tpot_p50_s,
        "itl_p50_s": cell.itl_p50_s,
        "tokens_per_s_p50": cell.tokens_per_s_p50,
        "output_tokens_mean": cell.output_tokens_mean,
        "reasoning_tokens_mean": cell.reasoning_tokens_mean,
        "cached_input_tokens_mean": cell.cached_input_tokens_mean,
        "shortfall": cell.shortfall,
        "retries": cell.retries,
        "throttled_s": cell.throttled_s,
        "cost_per_request_usd": None if cell.cost_per_request_usd is None else decimal_str(cell.cost_per_request_usd),
        "good": cell.good,
        "slo": [{"objective": r.objective.label, "actual_s": r.actual, "passed": r.passed} for r in cell.slo],
    }


def _goodput(summary: Summary) -> dict[str, Any] | None:
    """Requests that succeeded and met every SLO: their share, and their rate over the run."""
    good = summary.good
    if good is None:
        return None
    measured = summary.measured
    return {
        "good": good,
        "requests": measured,
        "share": good / measured if measured else None,
        "per_s": good / summary.duration_s if summary.duration_s else None,
    }


def fit_record(fit: LatencyFit | None) -> dict[str, Any] | None:
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


# -- reading ------------------------------------------------------------------------------------------


def load(path: Path) -> BenchResult:
    """Read a saved result: the ``--out`` JSON document or a run's ``.jsonl`` log."""
    text = read_text(path, InputError, _HINT)
    if not text.strip():
        raise InputError(f"{path}: the file is empty", _HINT)
    first = text.lstrip().split("\n", 1)[0]
    try:
        head = json.loads(first) if first.startswith("{") else None
    except (json.JSONDecodeError, RecursionError):
        head = None  # an indented document's first line is just "{"
    if isinstance(head, dict) and head.get("type") == "header":
        return _from_jsonl(text, path)
    document = parse_json(text, str(path), InputError, _HINT)
    return _from_document(document, path)


def _schema(data: dict[str, Any], path: Path) -> None:
    version = data.get("schema_version")
    if version not in READABLE:
        expect_document(data, path, KIND, SCHEMA_VERSION, InputError, "bench result", _HINT)


def _from_document(document: Any, path: Path) -> BenchResult:
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise InputError(f"{path}: not an llmprof bench result", _HINT)
    _schema(document, path)
    info = _info(document.get("run"), f"{path}: run")
    requests = document.get("requests", [])
    if not isinstance(requests, list):
        raise InputError(f"{path}: requests must be a list", _HINT)
    return BenchResult(
        info, _unique([record_from_json(r, f"{path}: requests[{i}]") for i, r in enumerate(requests)], path)
    )


def _from_jsonl(text: str, path: Path) -> BenchResult:
    info: RunInfo | None = None
    footer: dict[str, Any] | None = None
    records = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line, parse_constant=_refuse)
        except json.JSONDecodeError as exc:
            if number == len(lines):  # a crash mid-write: the last line may be cut short
                break
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})", _HINT) from exc
        except (RecursionError, ValueError) as exc:
            raise InputError(f"{path}:{number}: {exc or 'nested too deeply'}", _HINT) from exc
        if not isinstance(data, dict):
            raise InputError(f"{path}:{number}: not an llmprof log line", _HINT)
        kind = data.get("type")
        if kind == "header":
            if data.get("kind") != KIND:
                raise InputError(f"{path}: not an llmprof bench log", _HINT)
            _schema(data, path)
            info = _info(data, f"{path}:{number}")
        elif kind == "request":
            records.append(record_from_json(data, f"{path}:{number}"))
        elif kind == "footer":
            footer = data
    if info is None:
        raise InputError(f"{path}: no llmprof header line", _HINT)
    if footer is None:  # killed, crashed, or still running: say so wherever it is read
        info.interrupted = True
        info.stop_reason = info.stop_reason or "unfinished: its log has no end line"
    else:
        info.finished_at = footer.get("finished_at") if isinstance(footer.get("finished_at"), str) else None
        duration = footer.get("duration_s")
        info.duration_s = (
            float(duration) if isinstance(duration, (int, float)) and not isinstance(duration, bool) else None
        )
        info.interrupted = footer.get("interrupted") is True
        reason = footer.get("stop_reason")
        info.stop_reason = reason if isinstance(reason, str) else None
        client = footer.get("client")
        if isinstance(client, dict):
            info.client = info_from_json({**dataclasses.asdict(info), "client": client}, str(path)).client
    return BenchResult(info, _unique(records, path))


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _info(data: Any, where: str) -> RunInfo:
    info = info_from_json(data, where)
    if "endpoint_kind" not in data:  # schema 1 did not record it
        info.endpoint_kind = "mock" if info.endpoint.startswith("mock") else kind_of(info.endpoint)
    return info


def _unique(records: list[RequestRecord], path: Path) -> list[RequestRecord]:
    seen: set[int] = set()
    for record in records:
        if record.id in seen:
            raise InputError(f"{path}: request {record.id} appears twice", "a result file lists each request once.")
        seen.add(record.id)
    return records
