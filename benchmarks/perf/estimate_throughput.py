"""How fast is `llmprof estimate`, measured against raw tiktoken in the same run.

1. Throughput: the installed CLI estimates a generated corpus (>= 100 MB over ~1,000 files) and is
   compared with tiktoken's own ``encode_ordinary_batch`` over the same texts already in memory
   (the reference does no file I/O; llmprof does). The reference's encoding is loaded before its
   clock starts, so the CLI's start-up (measured on a one-line prompt) is taken out of the ratio,
   which is also printed end to end. Target: ratio >= 0.8.
2. Memory: peak RSS of that run against the same CLI on a tiny prompt: the extra memory should be
   bounded by the largest file (a few of them in flight), never by the corpus.
3. Cold start: ``llmprof estimate small.txt -m gpt-4o`` against ``python -c "import tiktoken;
   load o200k_base"`` (the least any exact counter must do), medians of several runs.

Usage: python benchmarks/perf/estimate_throughput.py [--mb 100] [--files 1000] [--runs 3] [--repeat 5]
Exits 1 when a target is missed. Numbers vary with the machine; the ratios are what matter.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

BIN = Path(sys.executable).parent
LLMPROF = shutil.which("llmprof", path=str(BIN)) or "llmprof"
URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"

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


def reference_cache(root: Path) -> dict[str, str]:
    """A tiktoken cache holding o200k_base, so raw tiktoken loads it offline, as llmprof does."""
    cache = root / "tiktoken-cache"
    cache.mkdir()
    source = resources.files("llmprof") / "encodings" / "o200k_base.tiktoken"
    (cache / hashlib.sha1(URL.encode()).hexdigest()).write_bytes(source.read_bytes())
    return {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache)}


def timed_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall time, peak RSS (bytes) and stdout of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) * 1024, done.stdout


def child_rss(cmd: list[str]) -> int:
    """Peak RSS of one child, measured in a fresh process so earlier children do not mask it."""
    probe = (
        "import resource, subprocess, sys\n"
        f"subprocess.run({cmd!r}, stdout=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)"
    )
    return int(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=100, help="corpus size in MB (default 100)")
    parser.add_argument("--files", type=int, default=1000, help="number of files (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="cold-start runs per command (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="corpus runs per side, median taken (default 3)")
    args = parser.parse_args()

    import tiktoken

    ok = True
    with tempfile.TemporaryDirectory(prefix="llmprof-perf-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir()
        paths, total, largest = make_corpus(corpus, args.mb, args.files)
        print(f"corpus: {len(paths):,} files, {total / 1e6:.1f} MB, largest file {largest / 1e6:.2f} MB")

        env = reference_cache(root)
        os.environ["TIKTOKEN_CACHE_DIR"] = env["TIKTOKEN_CACHE_DIR"]
        encoding = tiktoken.get_encoding("o200k_base")
        texts = [p.read_text(encoding="utf-8") for p in paths]
        runs = []
        for _ in range(args.runs):
            start = time.perf_counter()
            expected = sum(len(ids) for ids in encoding.encode_ordinary_batch(texts))
            runs.append(time.perf_counter() - start)
        reference = statistics.median(runs)
        del texts
        print(
            f"raw tiktoken encode_ordinary_batch (texts in memory):  {reference:6.2f} s  "
            f"{total / 1e6 / reference:6.1f} MB/s  {expected:,} tokens  (median of {args.runs})"
        )

        small = root / "small.txt"
        small.write_text("What will this prompt cost, and how slow will the call be?\n")
        tiny_cmd = [LLMPROF, "estimate", str(small), "-m", "gpt-4o", "--quiet"]
        cold = statistics.median(timed_child(tiny_cmd)[0] for _ in range(args.repeat))

        cmd = [LLMPROF, "estimate", str(corpus), "-m", "gpt-4o", "--format", "json", "--quiet"]
        timings = [timed_child(cmd) for _ in range(args.runs)]
        elapsed = statistics.median(t[0] for t in timings)
        counted = json.loads(timings[0][2])["totals"][0]["input_tokens"]
        counting = elapsed - cold
        print(
            f"llmprof estimate, the installed CLI reading the files: {elapsed:6.2f} s  "
            f"{total / 1e6 / elapsed:6.1f} MB/s  {counted:,} tokens  (median of {args.runs}; "
            f"{cold:.2f} s of it is start-up, as for a one-line prompt)"
        )
        if counted != expected:
            print(f"MISMATCH: llmprof counted {counted:,} tokens, tiktoken {expected:,}")
            ok = False
        ratio = reference / counting
        verdict = "ok" if ratio >= 0.8 else "MISSED"
        ok &= ratio >= 0.8
        print(
            f"throughput ratio llmprof / raw tiktoken: {ratio:.2f} counting (start-up excluded; target >= 0.80: "
            f"{verdict}), {reference / elapsed:.2f} end to end"
        )

        big_rss, tiny_rss = child_rss(cmd), child_rss(tiny_cmd)
        extra = big_rss - tiny_rss
        print(
            f"peak RSS: corpus run {big_rss / 1e6:.0f} MB, tiny prompt {tiny_rss / 1e6:.0f} MB; "
            f"extra {extra / 1e6:.0f} MB = {extra / largest:.1f}x the largest file, "
            f"{extra / total:.2f}x the corpus"
        )
        bounded = extra < 0.25 * total
        ok &= bounded
        print(f"memory bounded by files in flight, not the corpus: {'ok' if bounded else 'MISSED'}")

        load = "import tiktoken; tiktoken.get_encoding('o200k_base')"
        cold_ref = statistics.median(timed_child([sys.executable, "-c", load], env)[0] for _ in range(args.repeat))
        print(
            f"cold start: llmprof estimate small.txt -m gpt-4o {cold:.3f} s; "
            f"python import tiktoken + load o200k_base {cold_ref:.3f} s; ratio {cold / cold_ref:.2f}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
