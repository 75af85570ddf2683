"""One result type for a bench run, fed to every output format, and its files on disk.

Records are appended to a ``.jsonl`` file as they complete (a header line first), so Ctrl-C or a
crash keeps every finished request; ``--out FILE`` also writes one JSON document at the end.
Times are seconds, money is USD as exact decimal strings, and no secret is ever written.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from llmprof.errors import InputError
from llmprof.files import expect_document, read_text

SCHEMA_VERSION = 1
KIND = "llmprof.bench"


@dataclass
class RequestRecord:
    id: int
    cell: str  # "51x1"
    input_target: int
    output_target: int
    warmup: bool = False
    scheduled_s: float = 0.0  # when it was due, from the start of the run
    ok: bool = False
    status: int | None = None
    error_kind: str | None = None  # http_429, http_500, timeout, connect, dropped, malformed, ...
    error: str | None = None
    attempts: int = 0
    throttled_s: float = 0.0  # waiting before retries (Retry-After / backoff)
    ttfb_s: float | None = None  # response headers
    ttft_s: float | None = None  # first chunk with generated content
    e2e_s: float | None = None  # last byte
    itl_s: list[float] = field(default_factory=list)  # gaps between content chunks
    tpot_s: float | None = None  # (e2e - ttft) / (output_tokens - 1)
    output_tokens: int | None = None  # the API's count when reported, else the local count
    output_tokens_api: int | None = None
    output_tokens_local: int | None = None
    input_tokens_api: int | None = None
    input_tokens_local: int | None = None
    tokens_source: str | None = None  # "api" or "local"
    tokens_per_s: float | None = None  # output_tokens / e2e
    cost_usd: str | None = None

    def to_json(self) -> dict[str, Any]:
        # vars() rather than dataclasses.asdict: this runs once per request while measuring,
        # and asdict's deep copy cost more than the request's own bookkeeping.
        return {"type": "request", **vars(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RequestRecord:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class RunInfo:
    """What was measured and how: everything needed to read the numbers, no secrets."""

    llmprof_version: str
    pricing_version: str | None
    pricing_date: str | None
    endpoint: str  # without credentials; "mock" details in settings
    provider: str
    model: str
    price_as: str | None
    settings: dict[str, Any]
    started_at: str
    finished_at: str | None = None
    duration_s: float | None = None  # measured requests only: first scheduled to last finished
    interrupted: bool = False


@dataclass
class BenchResult:
    info: RunInfo
    records: list[RequestRecord]

    @property
    def measured(self) -> list[RequestRecord]:
        return [r for r in self.records if not r.warmup]


class RecordSink:
    """Appends the header and then each record to a JSONL file, flushed line by line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot write results there ({exc.strerror or exc})") from exc

    def header(self, info: RunInfo) -> None:
        self._write({"type": "header", "schema_version": SCHEMA_VERSION, "kind": KIND, **dataclasses.asdict(info)})

    def add(self, record: RequestRecord) -> None:
        self._write(record.to_json())

    def _write(self, data: dict[str, Any]) -> None:
        self._file.write(json.dumps(data, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def info_from(data: dict[str, Any]) -> RunInfo:
    names = {f.name for f in dataclasses.fields(RunInfo)}
    return RunInfo(**{k: v for k, v in data.items() if k in names})


def load(path: Path) -> BenchResult:
    """Read a saved result: the ``--out`` JSON document or the run's ``.jsonl`` log."""
    text = read_text(path, InputError, "pass a file written by llmprof bench --out")
    stripped = text.lstrip()
    if stripped.startswith("{") and '"type": "header"' not in stripped[:200]:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
        return _from_document(document, path)
    return _from_jsonl(text, path)


def _from_document(document: Any, path: Path) -> BenchResult:
    hint = "pass a file written by llmprof bench --out (by this version of llmprof or an earlier one)"
    document = expect_document(document, path, KIND, SCHEMA_VERSION, InputError, "bench result", hint)
    return BenchResult(
        info_from(document.get("run", {})),
        [RequestRecord.from_json(r) for r in document.get("requests", [])],
    )


def _from_jsonl(text: str, path: Path) -> BenchResult:
    info: RunInfo | None = None
    records = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):  # a crash mid-write: the last line may be cut short
                break
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if data.get("type") == "header":
            info = info_from(data)
        elif data.get("type") == "request":
            records.append(RequestRecord.from_json(data))
    if info is None:
        raise InputError(f"{path}: no llmprof header line", "pass a .jsonl file written by llmprof bench")
    return BenchResult(info, records)
