"""How fast does llmprof count a corpus, against tiktoken used as tightly as llmprof uses it.

The reference is the tightest plain use of tiktoken for counting a folder: every file read and
decoded on a pool of as many threads as llmprof uses (``min(32, cores)``), each counted with the
call llmprof makes (``CoreBPE.encode_to_tiktoken_buffer``, which releases the GIL and builds no
Python list), the counts summed. The two sides run interleaved (A B, then B A, ...) and each
ratio is the median over rounds of (reference time / llmprof time) in that round, so machine drift
cannot favour either. Ratios above 1 mean llmprof is faster. The target is on wall time; the ratio
of CPU time (user + sys, all threads) is printed too: on a machine shared with other work, it is
the steadier measure of the work each side does, though blind to how well it spreads over cores.

1. Counting, in one process: llmprof's counting pipeline (``collect_sources`` + ``count_sources``:
   walk, sniff, read, decode, count each request) against the reference; both encodings are
   loaded before the clock starts. Target: ratio >= 1.0 on >= 100 MB. Then the same at 1, 2, ...
   threads up to the core count: the scaling with cores, for both.
2. End to end: the installed CLI (``llmprof estimate CORPUS -m gpt-4o --format json``) against a
   Python process running the reference from ``import tiktoken`` on: start-up, loading, counting.
3. Memory: peak RSS of that CLI run against the same CLI on a one-line prompt; the extra must be
   bounded by the files in flight (under 20 MB + 20 x threads x the largest file), never by the corpus.

Usage: python benchmarks/perf/estimate_throughput.py [--mb 100] [--files 1000] [--rounds 5]
Exits 1 when a target is missed. Numbers vary with the machine; the ratios are what matter.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

BIN = Path(sys.executable).parent
LLMPROF = shutil.which("llmprof", path=str(BIN)) or "llmprof"
URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
TARGET = 1.0
THREADS = min(32, os.cpu_count() or 1)  # what llmprof's count_sources uses

WORDS = (  # noqa: SIM905 - a sentence reads better than a list of strings
    "the of and to in is for that with on as are this be by from at or an was it not can have "
    "latency token prompt model cost request budget cache throughput percentile benchmark deployment "
    "inference streaming gateway retry timeout endpoint embedding context window"
).split()
SNIPPETS = [
    "def handler(event, context):\n    return {'status': 200, 'body': json.dumps(event)}\n",
    "for (let i = 0; i < items.length; i++) { total += items[i].price * items[i].qty; }\n",
    "東京の天気は晴れです。明日は雨が降るでしょう。",
    "Résumé: naïve café owner, 12 años de experiencia — ¡excelente!",
    "🚀 launch ✅ done ⚠️ careful 👩‍💻 coding",
    "    \n\t\t\n   ",
    "<|endoftext|> appears in user text sometimes.",
    "SELECT id, name FROM users WHERE created_at > '2026-01-01' ORDER BY id;\n",
]

# The reference as a program of its own (for the end-to-end comparison): plain tiktoken.
REFERENCE_PROGRAM = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tiktoken

encode = tiktoken.get_encoding("o200k_base")._core_bpe.encode_to_tiktoken_buffer

def count(path):
    return memoryview(encode(path.read_bytes().decode("utf-8"), set())).nbytes // 4

paths = sorted(p for p in Path(sys.argv[1]).rglob("*") if p.is_file())
with ThreadPoolExecutor(int(sys.argv[2])) as pool:
    print(sum(pool.map(count, paths)))
"""


def make_corpus(root: Path, megabytes: int, files: int, seed: int = 42) -> tuple[list[Path], int, int]:
    """Deterministic mixed text: prose, code, CJK, emoji, whitespace runs, special-token look-alikes."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(2000):
        words = rng.choices(WORDS, k=rng.randint(40, 160))
        text = " ".join(words).capitalize() + ". "
        if rng.random() < 0.5:
            text += rng.choice(SNIPPETS)
        paragraphs.append(text + "\n\n")
    target = megabytes * 1_000_000
    mean = target // files
    paths, total, largest = [], 0, 0
    for i in range(files):
        size = rng.randint(mean // 5, mean * 9 // 5) if i < files - 1 else max(target - total, 1)
        parts, length = [], 0
        while length < size:
            chunk = rng.choice(paragraphs)
            parts.append(chunk)
            length += len(chunk.encode())
        data = "".join(parts).encode()
        path = root / f"d{i % 10}" / f"prompt{i:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
        total += len(data)
        largest = max(largest, len(data))
    return paths, total, largest


def reference_env(root: Path) -> dict[str, str]:
    """A tiktoken cache holding o200k_base, so raw tiktoken loads it offline, as llmprof does."""
    cache = root / "tiktoken-cache"
    cache.mkdir()
    source = resources.files("llmprof") / "encodings" / "o200k_base.tiktoken"
    (cache / hashlib.sha1(URL.encode()).hexdigest()).write_bytes(source.read_bytes())
    return {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache)}


def reference_counter(corpus: Path) -> Callable[[int], int]:
    import tiktoken

    encode = tiktoken.get_encoding("o200k_base")._core_bpe.encode_to_tiktoken_buffer

    def count(path: Path) -> int:
        return memoryview(encode(path.read_bytes().decode("utf-8"), set())).nbytes // 4

    def run(threads: int) -> int:
        paths = sorted(p for p in corpus.rglob("*") if p.is_file())
        if threads <= 1:  # as llmprof: on the calling thread
            return sum(map(count, paths))
        with ThreadPoolExecutor(threads) as pool:
            return sum(pool.map(count, paths))

    encode("warm-up", set())  # first used on this thread, as llmprof's (its regex is fastest there)
    return run


def llmprof_counter(corpus: Path) -> Callable[[int], int]:
    from llmprof import tokens
    from llmprof.estimate import Settings, count_sources
    from llmprof.inputs import collect_sources
    from llmprof.pricing import load_table

    model = load_table().resolve("gpt-4o")
    tokens.counter(model.encoding)  # loaded before the clock starts, as the reference's is
    settings = Settings()

    def run(threads: int) -> int:
        sources = collect_sources([str(corpus)])
        counted = count_sources(sources, lambda request: [model], settings, workers=threads)
        return sum(counts[model.name].total for source in counted for _, counts in source.requests)

    return run


Timing = tuple[float, float]  # wall seconds, CPU seconds (all threads of this process)


def interleaved(rounds: int, a: Callable[[], int], b: Callable[[], int]) -> tuple[list[Timing], list[Timing], int, int]:
    """``rounds`` timings of each, alternating which goes first; and their last results."""
    times_a: list[Timing] = []
    times_b: list[Timing] = []
    result_a = result_b = 0
    for round_ in range(rounds):
        order = [(a, times_a), (b, times_b)] if round_ % 2 == 0 else [(b, times_b), (a, times_a)]
        for fn, times in order:
            wall, cpu = time.perf_counter(), time.process_time()
            result = fn()
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
            if fn is a:
                result_a = result
            else:
                result_b = result
    return times_a, times_b, result_a, result_b


def pair_ratio(reference: list[float], candidate: list[float]) -> float:
    return statistics.median(r / c for r, c in zip(reference, candidate, strict=True))


# Runs one command and reports its wall time, CPU time and peak RSS. It is a small process of its
# own: a child forked from this (large) benchmark process would count this process's memory as its own.
LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
sys.stderr.write("\\n" + json.dumps([os.waitstatus_to_exitcode(status), wall, cpu, usage.ru_maxrss]))
"""


def run_child(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak RSS (bytes) and stdout of one child process."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *argv], env=env, capture_output=True, text=True)
    code, wall, cpu, rss = json.loads(done.stderr.strip().splitlines()[-1])
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(argv)}")
    return wall, cpu, rss * 1024, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=100, help="corpus size in MB (default 100)")
    parser.add_argument("--files", type=int, default=1000, help="number of files (default 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per comparison, medians taken (default 5)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the runs at fewer threads")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")

    ok = True
    with tempfile.TemporaryDirectory(prefix="llmprof-perf-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir()
        paths, total, largest = make_corpus(corpus, args.mb, args.files)
        print(f"corpus: {len(paths):,} files, {total / 1e6:.1f} MB, largest file {largest / 1e6:.2f} MB")
        env = reference_env(root)
        os.environ["TIKTOKEN_CACHE_DIR"] = env["TIKTOKEN_CACHE_DIR"]
        env["XDG_CACHE_HOME"] = os.environ["XDG_CACHE_HOME"] = str(root / "cache")

        # 1. counting, in one process
        reference, llmprof = reference_counter(corpus), llmprof_counter(corpus)
        counts = {reference(THREADS), llmprof(THREADS)}  # warm-up: the page cache, both sides
        if len(counts) != 1:
            print(f"MISMATCH: token counts differ: {sorted(counts)}")
            ok = False
        thread_counts = [THREADS] if args.no_scaling else sorted({1, *range(2, THREADS + 1), THREADS})
        print(
            f"\ncounting in one process ({args.rounds} interleaved rounds per row, medians; ratio > 1: llmprof faster)"
        )
        print(
            f"{'threads':>7} {'tiktoken s':>10} {'MB/s':>6} {'llmprof s':>10} {'MB/s':>6} {'ratio':>6} {'cpu ratio':>9}"
        )
        rows = {}
        for threads in reversed(thread_counts):
            ref_t, llm_t, ref_n, llm_n = interleaved(
                args.rounds, lambda n=threads: reference(n), lambda n=threads: llmprof(n)
            )
            if ref_n != llm_n:
                print(f"MISMATCH at {threads} threads: tiktoken {ref_n:,}, llmprof {llm_n:,}")
                ok = False
            r = statistics.median(t[0] for t in ref_t)
            c = statistics.median(t[0] for t in llm_t)
            ratio = pair_ratio([t[0] for t in ref_t], [t[0] for t in llm_t])
            cpu = pair_ratio([t[1] for t in ref_t], [t[1] for t in llm_t])
            rows[threads] = (r, c, ratio)
            speeds = f"{r:10.2f} {total / 1e6 / r:6.1f} {c:10.2f} {total / 1e6 / c:6.1f}"
            print(f"{threads:7} {speeds} {ratio:5.2f}x {cpu:8.2f}x")
        ratio = rows[THREADS][2]
        verdict = "ok" if ratio >= TARGET else "MISSED"
        ok &= ratio >= TARGET
        print(f"tokens: {counts.pop():,} on both sides")
        print(f"counting ratio llmprof / tight tiktoken at {THREADS} threads: {ratio:.2f}x ", end="")
        print(f"(target >= {TARGET}: {verdict})")
        if len(rows) > 1:
            one = rows[1]
            scaling = ", ".join(
                f"{n} threads {one[0] / rows[n][0]:.2f}x / {one[1] / rows[n][1]:.2f}x" for n in sorted(rows) if n > 1
            )
            print(f"scaling with threads (tiktoken / llmprof, against 1 thread): {scaling}")

        # 2. end to end: the CLI against a plain-tiktoken program, each a fresh process
        cli = [LLMPROF, "estimate", str(corpus), "-m", "gpt-4o", "--format", "json", "--quiet"]
        program = [sys.executable, "-c", REFERENCE_PROGRAM, str(corpus), str(THREADS)]
        run_child(cli, env)  # warm-up (fills llmprof's price-table cache)
        runs: dict[str, list[tuple[float, float, int, str]]] = {"cli": [], "ref": []}
        for round_ in range(args.rounds):
            order = ["ref", "cli"] if round_ % 2 == 0 else ["cli", "ref"]
            for side in order:
                runs[side].append(run_child(cli if side == "cli" else program, env))
        counted = json.loads(runs["cli"][0][3])["totals"][0]["input_tokens"]
        if counted != int(runs["ref"][0][3]):
            print(f"MISMATCH end to end: llmprof {counted:,}, tiktoken {runs['ref'][0][3].strip()}")
            ok = False
        cli_wall = statistics.median(r[0] for r in runs["cli"])
        ref_wall = statistics.median(r[0] for r in runs["ref"])
        e2e = pair_ratio([r[0] for r in runs["ref"]], [r[0] for r in runs["cli"]])
        e2e_cpu = pair_ratio([r[1] for r in runs["ref"]], [r[1] for r in runs["cli"]])
        print(
            f"\nend to end, fresh processes ({args.rounds} interleaved rounds): llmprof CLI {cli_wall:.2f} s, "
            f"plain tiktoken program {ref_wall:.2f} s; ratio {e2e:.2f}x (CPU time {e2e_cpu:.2f}x)"
        )

        # 3. memory
        small = root / "small.txt"
        small.write_text("What will this prompt cost, and how slow will the call be?\n")
        tiny = run_child([LLMPROF, "estimate", str(small), "-m", "gpt-4o", "--quiet"], env)[2]
        big = max(r[2] for r in runs["cli"])
        ref_rss = max(r[2] for r in runs["ref"])
        extra = big - tiny
        print(
            f"peak RSS: llmprof on the corpus {big / 1e6:.0f} MB, on a one-line prompt {tiny / 1e6:.0f} MB "
            f"(plain tiktoken program {ref_rss / 1e6:.0f} MB); extra {extra / 1e6:.0f} MB = "
            f"{extra / largest:.1f}x the largest file, {extra / total:.2f}x the corpus"
        )
        bounded = extra < 20e6 + 20 * THREADS * largest  # a few files in flight per thread, whatever the corpus
        ok &= bounded
        print(f"memory bounded by files in flight, not the corpus: {'ok' if bounded else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
