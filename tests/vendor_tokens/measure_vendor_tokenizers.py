"""Measure the vendor tokenizer families: cold load time, counting speed and token ratio to o200k_base.

Not a test (pytest does not collect it). Run with the extra installed:

    python tests/vendor_tokens/measure_vendor_tokenizers.py [--claude2 PATH/TO/anthropic/tokenizer.json]

``--claude2`` adds the Claude 2-era tokenizer that anthropic<0.39 wheels shipped (MIT), for the
calibration notes in docs/tokenizers.md. Text sources are local: this corpus plus files that the
Python standard library and the machine carry, so the numbers can be rerun offline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from llmprof import tokens
from llmprof import vendor_tokenizers as vt
from tests.vendor_tokens.vendor_corpus import (
    CHINESE,
    ENGLISH,
    JAPANESE,
    JAVASCRIPT,
    JSON_DOC,
    KOREAN,
    MIXED,
    PYTHON,
    RUST,
    SQL,
    long_document,
)


def _read(path: Path, limit: int = 400_000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="strict")[:limit]
    except (OSError, UnicodeDecodeError):
        return ""


def samples() -> dict[str, str]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    code = "".join(_read(p, 60_000) for p in sorted((stdlib / "asyncio").glob("*.py"))[:12])
    prose = ""
    for candidate in ("/usr/share/common-licenses/GPL-3", "/usr/share/common-licenses/Apache-2.0"):
        prose += _read(Path(candidate))
    if not prose:
        prose = (ENGLISH + "\n") * 200
    json_text = ""
    for p in sorted(Path(sysconfig.get_paths()["purelib"]).glob("jsonschema_specifications/schemas/**/*.json"))[:30]:
        json_text += _read(p)
    if not json_text:
        json_text = JSON_DOC * 50
    return {
        "english-prose": prose,
        "python-code": code or PYTHON * 100,
        "mixed-code": (PYTHON + JAVASCRIPT + RUST + SQL) * 40,
        "json": json_text,
        "cjk": (CHINESE + JAPANESE + KOREAN) * 40,
        "mixed-scripts": MIXED * 60,
    }


def cold_load_seconds(family: str) -> float:
    code = (
        "import time; t=time.perf_counter(); from llmprof import vendor_tokenizers as vt; "
        f"vt.counter({family!r}); print(time.perf_counter()-t)"
    )
    if family == "o200k_base":
        code = (
            "import time; t=time.perf_counter(); from llmprof import tokens; "
            "tokens.counter('o200k_base'); print(time.perf_counter()-t)"
        )
    runs = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(3)]
    return statistics.median(runs)


def speed(count: Callable[[str], int], text: str) -> tuple[int, float]:
    count(text[:1000])
    times = []
    n = 0
    for _ in range(5):
        t = time.perf_counter()
        n = count(text)
        times.append(time.perf_counter() - t)
    return n, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claude2", type=Path, help="anthropic<0.39 wheel's anthropic/tokenizer.json")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    args = parser.parse_args()

    counters: dict[str, Callable[[str], int]] = {"o200k_base": tokens.counter("o200k_base")}
    counters.update({f: vt.counter(f) for f in vt.FAMILIES if vt.available(f)})
    if args.claude2:
        from tokenizers import Tokenizer

        claude2 = Tokenizer.from_file(str(args.claude2))
        counters["claude2 (anthropic 0.34 tokenizer.json)"] = lambda s: len(claude2.encode(s).ids)

    text = long_document(90_000) * 11  # ~1 MB
    report: dict[str, dict[str, Any]] = {}
    for name, count in counters.items():
        n, secs = speed(count, text)
        cold = cold_load_seconds(name) if name in vt.FAMILIES or name == "o200k_base" else float("nan")
        report[name] = {
            "cold_load_s": round(cold, 3),
            "tokens": n,
            "count_s": round(secs, 4),
            "mb_per_s": round(len(text.encode()) / secs / 1e6, 1),
        }

    ratios: dict[str, dict[str, float]] = {}
    sample_texts = samples()
    base = {k: tokens.count_text(v, "o200k_base") for k, v in sample_texts.items()}
    for name, count in counters.items():
        ratios[name] = {k: round(count(v) / base[k], 3) for k, v in sample_texts.items()}

    if args.json:
        print(
            json.dumps(
                {
                    "speed": report,
                    "ratio_to_o200k": ratios,
                    "sample_chars": {k: len(v) for k, v in sample_texts.items()},
                    "o200k_tokens": base,
                },
                indent=2,
            )
        )
        return
    print(f"speed on {len(text.encode()) / 1e6:.2f} MB mixed text")
    print(f"{'family':42} {'cold load s':>11} {'tokens':>9} {'count s':>8} {'MB/s':>6}")
    for name, row in report.items():
        print(f"{name:42} {row['cold_load_s']:>11} {row['tokens']:>9} {row['count_s']:>8} {row['mb_per_s']:>6}")
    print()
    print("tokens / o200k_base tokens   (" + ", ".join(f"{k}: {len(v)} chars" for k, v in sample_texts.items()) + ")")
    print(f"{'family':42} " + " ".join(f"{k:>13}" for k in sample_texts))
    for name, row in ratios.items():
        print(f"{name:42} " + " ".join(f"{row[k]:>13}" for k in sample_texts))


if __name__ == "__main__":
    main()
