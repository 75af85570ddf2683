"""One result type for a bench run: every request as a :class:`RequestRecord`, and the run's
:class:`RunInfo`. Times are seconds, money is USD as exact decimal strings, no secret is ever here.

Records read back from a file are validated field by field (:func:`record_from_json`): a result
file edited by hand, truncated or written by something else is refused with the field that is
wrong, never half-read into numbers that look real.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from llmprof.errors import InputError


@dataclass
class RequestRecord:
    id: int
    cell: str  # "51x1"
    input_target: int
    output_target: int
    warmup: bool = False
    block: int | None = None  # the randomised block it ran in (interleaved designs)
    step: int | None = None  # the sweep step (offered rate) it belongs to
    scheduled_s: float = 0.0  # when it was due, from the start of the run
    sent_s: float | None = None  # when its first attempt really went out (client lag shows here)
    ok: bool = False
    status: int | None = None
    error_kind: str | None = None  # http_429, http_500, timeout, connect, dropped, malformed, ...
    error: str | None = None
    attempts: int = 0
    throttled_s: float = 0.0  # waiting before retries (Retry-After / backoff)
    ttfb_s: float | None = None  # response headers
    ttft_s: float | None = None  # first chunk with generated content (reasoning counts)
    ttfa_s: float | None = None  # first chunk with answer content (after any reasoning)
    e2e_s: float | None = None  # last byte
    itl_s: list[float] = field(default_factory=list)  # gaps between content chunks
    tpot_s: float | None = None  # (e2e - ttft) / (output_tokens - 1)
    output_tokens: int | None = None  # the API's count when reported, else the local count
    output_tokens_api: int | None = None
    output_tokens_local: int | None = None
    reasoning_tokens: int | None = None  # part of output_tokens: the API's count, else a local one
    reasoning_source: str | None = None  # "api" or "local" (counted from the reasoning text)
    input_tokens_api: int | None = None  # every prompt token, cache reads and writes included
    input_tokens_local: int | None = None
    cached_input_tokens: int | None = None  # cache reads, as the API reported them
    cache_write_tokens: int | None = None
    tokens_source: str | None = None  # "api", "timings" (llama.cpp), "length" (cut at max_tokens) or "local"
    finish_reason: str | None = None  # "length", "stop", ... as the API said (normalised)
    server_prefill_s: float | None = None  # the server's own account of its work (llama.cpp timings)
    server_decode_s: float | None = None
    reconnected: bool = False  # resent once on a fresh connection (a stale kept-alive one got no answer)
    tokens_per_s: float | None = None  # output_tokens / e2e
    cost_usd: str | None = None

    def to_json(self) -> dict[str, Any]:
        # vars() rather than dataclasses.asdict: this runs once per request while measuring,
        # and asdict's deep copy cost more than the request's own bookkeeping.
        return {"type": "request", **vars(self)}


@dataclass
class RunInfo:
    """What was measured and how: everything needed to read the numbers, no secrets."""

    llmprof_version: str
    pricing_version: str | None
    pricing_date: str | None
    endpoint: str  # without credentials: "mock (built in)" or the public URL
    provider: str
    model: str
    price_as: str | None
    settings: dict[str, Any]
    started_at: str
    endpoint_kind: str = "remote"  # mock | local | remote
    finished_at: str | None = None
    duration_s: float | None = None  # measured requests only: first scheduled to last finished
    interrupted: bool = False
    stop_reason: str | None = None  # why it stopped early: "Ctrl-C", "SIGTERM", "disk full", ...
    client: dict[str, float] | None = None  # the load generator's own lag and CPU (see bench.diagnose)
    steps: list[float] | None = None  # a sweep: the offered rate (requests/s) of each step, in order


@dataclass
class BenchResult:
    info: RunInfo
    records: list[RequestRecord]

    @property
    def measured(self) -> list[RequestRecord]:
        return [r for r in self.records if not r.warmup]

    @property
    def is_free(self) -> bool:
        return self.info.endpoint_kind == "mock" and self.info.price_as is None


# -- reading records back, checked --------------------------------------------------------------------

_INT = "int"
_FLOAT = "float"
_STR = "str"
_BOOL = "bool"
_FIELDS: dict[str, tuple[str, bool]] = {  # name -> (type, may be null)
    "id": (_INT, False),
    "cell": (_STR, False),
    "input_target": (_INT, False),
    "output_target": (_INT, False),
    "warmup": (_BOOL, False),
    "block": (_INT, True),
    "step": (_INT, True),
    "scheduled_s": (_FLOAT, False),
    "sent_s": (_FLOAT, True),
    "ok": (_BOOL, False),
    "status": (_INT, True),
    "error_kind": (_STR, True),
    "error": (_STR, True),
    "attempts": (_INT, False),
    "throttled_s": (_FLOAT, False),
    "ttfb_s": (_FLOAT, True),
    "ttft_s": (_FLOAT, True),
    "ttfa_s": (_FLOAT, True),
    "e2e_s": (_FLOAT, True),
    "tpot_s": (_FLOAT, True),
    "output_tokens": (_INT, True),
    "output_tokens_api": (_INT, True),
    "output_tokens_local": (_INT, True),
    "reasoning_tokens": (_INT, True),
    "input_tokens_api": (_INT, True),
    "input_tokens_local": (_INT, True),
    "cached_input_tokens": (_INT, True),
    "cache_write_tokens": (_INT, True),
    "tokens_source": (_STR, True),
    "reasoning_source": (_STR, True),
    "finish_reason": (_STR, True),
    "server_prefill_s": (_FLOAT, True),
    "server_decode_s": (_FLOAT, True),
    "reconnected": (_BOOL, False),
    "tokens_per_s": (_FLOAT, True),
    "cost_usd": (_STR, True),
}
_REQUIRED = ("id", "cell", "input_target", "output_target")


def record_from_json(data: Any, where: str) -> RequestRecord:
    """A record read from a file, every field checked; ``where`` names it in errors."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: a request record must be an object")
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "itl_s":
            values[name] = _gaps(value, where)
            continue
        spec = _FIELDS.get(name)
        if spec is None:
            continue  # written by a newer llmprof: not needed to read the numbers
        values[name] = _checked(value, spec, f"{where}: {name}")
    missing = [name for name in _REQUIRED if name not in values]
    if missing:
        raise InputError(f"{where}: a request record lacks {', '.join(missing)}")
    record = RequestRecord(**values)
    if record.ok and record.e2e_s is None:
        raise InputError(f"{where}: a successful request without its e2e latency")
    if record.cost_usd is not None:
        try:
            cost = Decimal(record.cost_usd)
        except InvalidOperation:
            cost = Decimal(-1)
        if not cost.is_finite() or cost < 0:
            raise InputError(f"{where}: cost_usd {record.cost_usd!r} is not an amount of USD")
    return record


def _checked(value: Any, spec: tuple[str, bool], where: str) -> Any:
    kind, nullable = spec
    if value is None:
        if nullable:
            return None
        raise InputError(f"{where} is missing")
    if kind == _BOOL:
        if not isinstance(value, bool):
            raise InputError(f"{where}: expected true or false, got {value!r}")
        return value
    if kind == _STR:
        if not isinstance(value, str):
            raise InputError(f"{where}: expected text, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}: expected a number, got {str(value)[:40]!r}")
    if kind == _INT:
        if not isinstance(value, int):
            raise InputError(f"{where}: expected a whole number, got {value!r}")
        if value < 0:
            raise InputError(f"{where}: must not be negative, got {value}")
        return value
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{where}: expected a finite number of seconds >= 0, got {value!r}")
    return float(value)


def _gaps(value: Any, where: str) -> list[float]:
    if not isinstance(value, list):
        raise InputError(f"{where}: itl_s must be a list of seconds")
    return [_checked(v, (_FLOAT, False), f"{where}: itl_s") for v in value]


def info_from_json(data: Any, where: str) -> RunInfo:
    if not isinstance(data, dict):
        raise InputError(f"{where}: the run description must be an object")
    names = {f.name: f for f in dataclasses.fields(RunInfo)}
    values = {k: v for k, v in data.items() if k in names}
    for key in ("endpoint", "provider", "model", "started_at", "llmprof_version"):
        if not isinstance(values.get(key), str):
            raise InputError(f"{where}: run.{key} is missing or not text")
    if not isinstance(values.get("settings", {}), dict):
        raise InputError(f"{where}: run.settings must be an object")
    values.setdefault("settings", {})
    for key in ("pricing_version", "pricing_date", "price_as"):
        values.setdefault(key, None)
    if not isinstance(values.get("interrupted", False), bool):
        raise InputError(f"{where}: run.interrupted must be true or false")
    duration = values.get("duration_s")
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, (int, float))
        or not math.isfinite(duration)
        or duration < 0
    ):
        raise InputError(f"{where}: run.duration_s is not a number of seconds")
    client = values.get("client")
    if client is not None and not (
        isinstance(client, dict)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in client.values())
    ):
        raise InputError(f"{where}: run.client must be an object of numbers")
    steps = values.get("steps")
    if steps is not None and not (
        isinstance(steps, list)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0 for v in steps)
    ):
        raise InputError(f"{where}: run.steps must be a list of request rates")
    return RunInfo(**values)
