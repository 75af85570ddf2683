"""Was the client the bottleneck? The load generator's own lag and CPU, read beside the results.

A starved client takes every timestamp late and reads chunks in bursts: its TTFT grows and its
inter-token gaps collapse, and without this check that would be blamed on the endpoint. The
runner samples how late its event loop wakes (a timer every 10 ms) and the process's CPU time;
an open-loop run also knows how far behind its schedule each request went out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from llmprof.bench.records import RequestRecord
from llmprof.stats import percentile

#: Event-loop lag (p99) above this delays timestamps by more than llmprof aims to resolve.
LAG_LIMIT_MS = 10.0
#: A client using more than this share of one core is near its limit (one event loop, one core).
CPU_LIMIT = 0.9
#: An open-loop request sent later than this after its due time was sent late by the client.
BEHIND_LIMIT_MS = 10.0


def client_stats(lags_s: Sequence[float], cpu_s: float | None, duration_s: float | None) -> dict[str, float]:
    """Loop lag percentiles (ms), CPU seconds and the share of one core, as recorded in results."""
    stats: dict[str, float] = {}
    if lags_s:
        stats["loop_lag_p50_ms"] = round(percentile(lags_s, 50) * 1000, 3)
        stats["loop_lag_p99_ms"] = round(percentile(lags_s, 99) * 1000, 3)
        stats["loop_lag_max_ms"] = round(max(lags_s) * 1000, 3)
    if cpu_s is not None and math.isfinite(cpu_s):
        stats["cpu_s"] = round(cpu_s, 3)
        if duration_s:
            stats["cpu_share"] = round(cpu_s / duration_s, 3)
    return stats


def client_warnings(stats: dict[str, float], records: Sequence[RequestRecord], open_loop: bool) -> list[str]:
    warnings = []
    lag = stats.get("loop_lag_p99_ms")
    cpu = stats.get("cpu_share")
    busy = []
    if lag is not None and lag > LAG_LIMIT_MS:
        busy.append(f"its event loop woke {lag:.0f} ms late (p99; max {stats.get('loop_lag_max_ms', lag):.0f} ms)")
    if cpu is not None and cpu > CPU_LIMIT:
        busy.append(f"it used {cpu:.0%} of a CPU core")
    if busy:
        warnings.append(
            "the client, not only the endpoint, limited this run: "
            + " and ".join(busy)
            + "; its timestamps are late by up to that much and chunk gaps read short. Lower --concurrency "
            "or --rate, or free the machine's CPU"
        )
    if open_loop:
        late = [r.sent_s - r.scheduled_s for r in records if not r.warmup and r.sent_s is not None and r.sent_s >= 0]
        if late:
            behind = percentile(late, 99) * 1000
            if behind > BEHIND_LIMIT_MS:
                warnings.append(
                    f"the client fell behind its schedule: requests went out up to {behind:.0f} ms late (p99). "
                    "Latency still counts from the scheduled time, so the queueing shows in the figures, but "
                    "part of it is the client's"
                )
    return warnings
