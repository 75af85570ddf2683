"""How accurate and how fast is `llmprof bench`, measured against known truth in the same run.

1. Accuracy: the mock (in its own process) with jitter 0 and a known latency model: TTFT 100 ms,
   then one token every 10 ms, 50 tokens, so e2e = 100 + 49 x 10 = 590 ms and every gap between
   chunks is 10 ms. For each concurrency (1, 64, 256) and worker count, the p50 TTFT, p50 e2e and
   median chunk gap that `llmprof bench` reports are printed as errors against that truth, with the
   client's own event-loop lag. Targets: p50 TTFT within 2 ms and ITL within 0.5 ms at
   concurrency 1; within 5 ms / 1 ms at concurrency 64 on a quiet machine.
2. Capacity: against a zero-delay mock, the request rate `llmprof bench` sustains and, in the same
   run and interleaved (llmprof, raw, llmprof, raw, ...), a minimal raw-httpx loop over the same
   number of worker processes doing the same streamed requests: the ratio, median of the pairs.
   If AIPerf is installed (`aiperf` on PATH), it is measured the same way.

``--hog`` runs a busy loop on every core during the accuracy runs, as when people bench a local
server on the same laptop: the gaps llmprof reports should stay near the truth, and when they
cannot, its lag figures and warnings must say so.

Usage: python benchmarks/perf/bench_accuracy.py [--runs 200] [--capacity-requests 3000] [--hog] [--reps 3]
Exits 1 when an accuracy target is missed (quiet machine only). Figures vary with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess

LLMPROF = shutil.which("llmprof", path=str(Path(sys.executable).parent)) or "llmprof"
TTFT_MS, ITL_MS, TOKENS = 100.0, 10.0, 50
TARGETS = {1: (2.0, 0.5), 64: (5.0, 1.0)}  # concurrency -> (TTFT ms, ITL ms)


def bench(url: str, *args: str) -> dict[str, Any]:
    command = [LLMPROF, "bench", "--endpoint", url, "--model", "mock-model", "--format", "json", "-q", "--no-log"]
    done = subprocess.run([*command, *args], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if done.returncode != 0:
        sys.exit(f"bench failed: {' '.join(command + list(args))}\n{done.stderr}")
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def _spin() -> None:
    while True:
        pass


@contextmanager
def hog(on: bool) -> Iterator[None]:
    """A busy loop on every core, for the length of the block."""
    if not on:
        yield
        return
    procs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(os.cpu_count() or 1)]
    for p in procs:
        p.start()
    try:
        yield
    finally:
        for p in procs:
            p.terminate()
            p.join()


def accuracy(runs: int, reps: int, hogged: bool) -> bool:
    truth_ttft, truth_itl = TTFT_MS, ITL_MS
    truth_e2e = TTFT_MS + (TOKENS - 1) * ITL_MS
    settings = MockSettings(preset="instant", ttft_ms=TTFT_MS, itl_ms=ITL_MS, prefill_ms_per_1k=0.0, jitter=0.0)
    condition = "CPU shared with a busy loop on every core" if hogged else "quiet"
    print(
        f"accuracy ({condition}): truth TTFT {truth_ttft:.0f} ms, chunk gap {truth_itl:.0f} ms, "
        f"e2e {truth_e2e:.0f} ms ({TOKENS} tokens); errors are reported minus truth, median of {reps} repetitions"
    )
    heads = ("concurrency", "workers", "TTFT p50 err", "e2e p50 err", "gap p50", "loop lag p99")
    print("  " + " ".join(f"{h:>{w}}" for h, w in zip(heads, (11, 7, 12, 11, 8, 12), strict=True)))
    ok = True
    with MockProcess(settings) as mock, hog(hogged):
        for concurrency in (1, 64, 256):
            for workers in sorted({1, max(1, min(os.cpu_count() or 1, concurrency // 32))}):
                rows = []
                for _ in range(reps):
                    n = max(runs, concurrency * 4)
                    doc = bench(
                        mock.url, "--cells", f"64x{TOKENS}", "--runs", str(n), "--concurrency", str(concurrency),
                        "--warmup", str(concurrency), "--ramp-up", f"{truth_e2e / 1000:.3f}", "--percentiles", "50",
                        "--workers", str(workers),
                    )  # fmt: skip
                    [cell] = doc["summary"]["cells"]
                    lag = (doc["run"].get("client") or {}).get("loop_lag_p99_ms", float("nan"))
                    rows.append(
                        (
                            cell["ttft_s"]["p50"] * 1000 - truth_ttft,
                            cell["e2e_s"]["p50"] * 1000 - truth_e2e,
                            cell["itl_p50_s"] * 1000,
                            lag,
                        )
                    )
                ttft, e2e, gap, lag = (statistics.median(col) for col in zip(*rows, strict=True))
                verdict = ""
                if concurrency in TARGETS and not hogged:
                    ttft_limit, itl_limit = TARGETS[concurrency]
                    within = abs(ttft) <= ttft_limit and abs(gap - truth_itl) <= itl_limit
                    ok &= within or workers > 1  # the target is for the default; other rows inform
                    verdict = f"  (target {ttft_limit:g} / {itl_limit:g} ms: {'ok' if within else 'MISSED'})"
                print(
                    f"  {concurrency:>11} {workers:>7} {ttft:>+10.2f} ms {e2e:>+9.2f} ms {gap:>6.2f} ms "
                    f"{lag:>9.1f} ms{verdict}"
                )
    return ok


def _raw_worker(args: tuple[str, int, int]) -> tuple[int, float, float]:
    url, requests, concurrency = args
    return asyncio.run(_raw(url, requests, concurrency))


async def _raw(url: str, requests: int, concurrency: int) -> tuple[int, float, float]:
    """The least a client can do: POST, stream the body to the end. (count, first start, last end)."""
    body = {
        "model": "mock-model",
        "max_tokens": 8,
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "hello " * 25}],
    }
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        async with httpx.AsyncClient(timeout=60) as client:
            while remaining > 0:
                remaining -= 1
                async with client.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
                    async for _ in response.aiter_bytes():
                        pass

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return requests, start, time.monotonic()


def raw_rate(url: str, requests: int, concurrency: int, workers: int) -> float:
    """A raw httpx loop over ``workers`` processes: requests per second over all of them."""
    share = [(url, requests // workers, max(1, concurrency // workers)) for _ in range(workers)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        parts = pool.map(_raw_worker, share)
    done = sum(n for n, _, _ in parts)
    return done / (max(end for _, _, end in parts) - min(start for _, start, _ in parts))


def aiperf_rate(url: str, requests: int, concurrency: int) -> float | None:
    exe = shutil.which("aiperf")
    if exe is None:
        return None
    start = time.monotonic()
    done = subprocess.run(
        [exe, "profile", "--url", url, "--model", "mock-model", "--endpoint-type", "chat", "--streaming",
         "--request-count", str(requests), "--concurrency", str(concurrency), "--output-tokens-mean", "8"],
        capture_output=True, text=True,
    )  # fmt: skip
    return requests / (time.monotonic() - start) if done.returncode == 0 else None


def capacity(requests: int, reps: int) -> None:
    print(f"capacity: zero-delay mock, {requests} streamed requests of 8 tokens per measurement, {reps} pairs")
    with MockProcess(MockSettings(preset="instant")) as mock:
        for concurrency in (64, 256):
            for workers in sorted({1, os.cpu_count() or 1}):
                ratios, ours, raws = [], [], []
                for _ in range(reps):  # interleaved: llmprof, raw, llmprof, raw ...
                    doc = bench(
                        mock.url, "--cells", "32x8", "--runs", str(requests), "--concurrency", str(concurrency),
                        "--percentiles", "50", "--workers", str(workers),
                    )  # fmt: skip
                    rate = requests / doc["run"]["duration_s"]
                    raw = raw_rate(mock.url, requests, concurrency, workers)
                    ours.append(rate)
                    raws.append(raw)
                    ratios.append(rate / raw)
                mine, theirs = statistics.median(ours), statistics.median(raws)
                print(
                    f"  concurrency {concurrency:>3}, {workers} worker(s): llmprof {mine:6.0f} req/s, "
                    f"raw httpx {theirs:6.0f} req/s: ratio {statistics.median(ratios):.2f} (median of pairs)"
                )
            other = aiperf_rate(mock.url, requests, concurrency)
            if other is not None:
                print(f"  concurrency {concurrency:>3}: AIPerf {other:6.0f} req/s (start-up included)")
        if shutil.which("aiperf") is None:
            print("  AIPerf: not installed (pip install aiperf), not measured")
    print(f"  on {os.cpu_count()} cores shared with the mock")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="requests per accuracy measurement (default 200)")
    parser.add_argument("--capacity-requests", type=int, default=3000, help="requests per capacity run")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each measurement (default 3)")
    parser.add_argument("--hog", action="store_true", help="also measure accuracy with every core busy")
    parser.add_argument("--no-capacity", action="store_true", help="accuracy only")
    args = parser.parse_args()
    ok = accuracy(args.runs, args.reps, hogged=False)
    if args.hog:
        accuracy(args.runs, args.reps, hogged=True)
    if not args.no_capacity:
        capacity(args.capacity_requests, args.reps)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
