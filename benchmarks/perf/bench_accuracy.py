"""How accurate and how fast is `llmprof bench`, measured against known truth in the same run.

1. Accuracy: the mock with jitter 0 and a known latency model (TTFT 100 ms, one token every
   10 ms, 30 tokens, so e2e = 100 + 29 * 10 = 390 ms). The p50 TTFT and e2e that `llmprof bench`
   reports must be within 2 ms of the truth at concurrency 1 and within 5 ms at concurrency 64.
   One warmup per connection; at 64 the workers ramp up over one request's duration, so that a
   jitter-free mock does not answer all 64 streams in lockstep bursts.
2. Client capacity: against a zero-delay mock, the highest request rate `llmprof bench` sustains
   (closed loop, several concurrencies), and its ratio to a minimal raw-httpx client loop doing the
   same streamed requests against the same mock in the same run.

Usage: python benchmarks/perf/bench_accuracy.py [--runs 40] [--capacity-requests 3000]
Exits 1 when an accuracy target is missed. Both mock and client share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess

LLMPROF = shutil.which("llmprof", path=str(Path(sys.executable).parent)) or "llmprof"
TTFT_MS, ITL_MS, TOKENS = 100.0, 10.0, 30


def bench(url: str, *args: str) -> dict:  # type: ignore[type-arg]
    command = [LLMPROF, "bench", "--endpoint", url, "--model", "mock-model", "--format", "json", "--quiet", *args]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if done.returncode != 0:
        sys.exit(f"bench failed: {' '.join(command)}\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def accuracy(runs: int) -> bool:
    truth_ttft = TTFT_MS / 1000
    truth_e2e = (TTFT_MS + (TOKENS - 1) * ITL_MS) / 1000
    settings = MockSettings(preset="instant", ttft_ms=TTFT_MS, itl_ms=ITL_MS, prefill_ms_per_1k=0.0, jitter=0.0)
    ok = True
    print(
        f"accuracy: mock with TTFT {TTFT_MS:g} ms, ITL {ITL_MS:g} ms, {TOKENS} tokens, jitter 0 "
        f"-> truth TTFT {truth_ttft * 1000:.1f} ms, e2e {truth_e2e * 1000:.1f} ms"
    )
    with MockProcess(settings) as mock:
        for concurrency, n, limit in ((1, runs, 2.0), (64, max(512, runs), 5.0)):
            doc = bench(
                mock.url,
                "--cells",
                f"64x{TOKENS}",
                "--runs",
                str(n),
                "--concurrency",
                str(concurrency),
                "--warmup",
                str(max(4, concurrency)),
                "--ramp-up",
                f"{truth_e2e:.3f}",
                "--percentiles",
                "50,90",
            )
            [cell] = doc["summary"]["cells"]
            ttft_err = (cell["ttft_s"]["p50"] - truth_ttft) * 1000
            e2e_err = (cell["e2e_s"]["p50"] - truth_e2e) * 1000
            within = abs(ttft_err) <= limit and abs(e2e_err) <= limit and cell["failed"] == 0
            ok &= within
            print(
                f"  concurrency {concurrency:>2} ({n} requests): p50 TTFT error {ttft_err:+.2f} ms, "
                f"p50 e2e error {e2e_err:+.2f} ms, p90 e2e {cell['e2e_s']['p90'] * 1000:.1f} ms "
                f"(target within {limit:g} ms: {'ok' if within else 'MISSED'})"
            )
    return ok


async def raw_client(url: str, requests: int, concurrency: int, shared: bool) -> float:
    """The least a client can do: POST, stream the body to the end, count. Requests per second.
    ``shared``: one AsyncClient for all workers (the obvious loop); else one per worker."""
    body = {
        "model": "mock-model",
        "max_tokens": 8,
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "hello " * 25}],
    }
    remaining = requests
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    tls = httpx.create_ssl_context()
    shared_client = httpx.AsyncClient(limits=limits, timeout=60, verify=tls)

    async def worker() -> None:
        nonlocal remaining
        client = shared_client if shared else httpx.AsyncClient(timeout=60, verify=tls)
        while remaining > 0:
            remaining -= 1
            async with client.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
                async for _ in response.aiter_bytes():
                    pass
        if not shared:
            await client.aclose()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    await shared_client.aclose()
    return requests / elapsed


def capacity(requests: int) -> None:
    print(f"capacity: zero-delay mock, {requests} streamed requests of 8 tokens per measurement")
    with MockProcess(MockSettings(preset="instant")) as mock:
        best_bench = best_raw = 0.0
        for concurrency in (8, 32, 64):
            doc = bench(
                mock.url,
                "--cells",
                "32x8",
                "--runs",
                str(requests),
                "--concurrency",
                str(concurrency),
                "--percentiles",
                "50",
            )
            rate = requests / doc["run"]["duration_s"]
            shared = asyncio.run(raw_client(mock.url, requests, concurrency, shared=True))
            apart = asyncio.run(raw_client(mock.url, requests, concurrency, shared=False))
            raw = max(shared, apart)
            best_bench, best_raw = max(best_bench, rate), max(best_raw, raw)
            print(
                f"  concurrency {concurrency:>2}: llmprof bench {rate:6.0f} req/s; raw httpx loop {shared:6.0f} req/s "
                f"(one shared client), {apart:6.0f} req/s (a client per worker); ratio to the faster {rate / raw:.2f}"
            )
        print(
            f"  highest sustained: llmprof bench {best_bench:.0f} req/s vs raw httpx {best_raw:.0f} req/s "
            f"(ratio {best_bench / best_raw:.2f}) on {os.cpu_count()} cores shared with the mock"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="requests at concurrency 1 (default 40)")
    parser.add_argument("--capacity-requests", type=int, default=3000, help="requests per capacity run")
    args = parser.parse_args()
    ok = accuracy(args.runs)
    capacity(args.capacity_requests)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
