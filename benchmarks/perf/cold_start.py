"""How fast does llmprof start, measured against raw tiktoken in the same run.

The reference is the least any exact o200k_base counter must do from a cold process::

    python -c "import tiktoken; tiktoken.get_encoding('o200k_base')"

(loaded offline from a tiktoken cache holding the same rank file llmprof ships). Each round runs
the reference and every llmprof command once, in an order that rotates from round to round, so
machine drift cannot favour either side; a command's ratio is the median over rounds of
(command / reference in that round). Wall time is the target; CPU time (user + sys of the child)
is printed too, as it is less disturbed by other work on a shared machine.

Commands: ``llmprof estimate small.txt -m gpt-4o`` (target: ratio <= 1.10, stretch <= 1.00),
``llmprof --help`` and ``llmprof pricing show gpt-4o``. One warm-up round is discarded (it also
fills llmprof's compiled price-table cache, as any first run does); the price table's cost
without that cache is shown by a fourth command, ``estimate`` with ``LLMPROF_NO_CACHE=1``.

``--breakdown`` shows where the time of one ``estimate`` goes instead: imports by top-level
package (``python -X importtime``) and the main phases under cProfile (which slows Python code
about twice as much as C code: read the phases as proportions).

Usage: python benchmarks/perf/cold_start.py [--rounds 15] [--breakdown]
Exits 1 when the estimate's ratio misses 1.10. Numbers vary with the machine; the ratios matter.
"""

from __future__ import annotations

import argparse
import collections
import compileall
import hashlib
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

BIN = Path(sys.executable).parent
LLMPROF = shutil.which("llmprof", path=str(BIN)) or "llmprof"
URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
REFERENCE = "import tiktoken; tiktoken.get_encoding('o200k_base')"
TARGET, STRETCH = 1.10, 1.00

# cProfile entries reported by --breakdown: (label, file suffix, function name); absent ones are skipped.
PHASES = (
    ("CLI: typer parses the options", "typer/core.py", "parse_args"),
    ("  typer builds option validators (pydantic)", "typer/_coercion.py", "build_runtime_param"),
    ("price table (load_table)", "llmprof/pricing/load.py", "load_table"),
    ("  YAML parse", "llmprof/yamlio.py", "parse_yaml"),
    ("  compiled-table cache read", "llmprof/pricing/compiled.py", "load_bundled"),
    ("encoding: verify + parse + CoreBPE", "llmprof/tokens.py", "_load"),
    ("  rank table: parse .tiktoken", "llmprof/tokens.py", "parse_ranks"),
    ("  rank table: read the pre-parsed .ranks", "llmprof/ranks.py", "loads"),
    ("  tiktoken CoreBPE construction", "tiktoken/core.py", "__init__"),
    ("count + price + render (estimate body)", "llmprof/cli/estimate.py", "estimate"),
)


@dataclass
class Command:
    label: str
    argv: list[str]
    env: dict[str, str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def reference_env(root: Path) -> dict[str, str]:
    """A tiktoken cache holding o200k_base, so raw tiktoken loads it offline, as llmprof does."""
    cache = root / "tiktoken-cache"
    cache.mkdir()
    source = resources.files("llmprof") / "encodings" / "o200k_base.tiktoken"
    (cache / hashlib.sha1(URL.encode()).hexdigest()).write_bytes(source.read_bytes())
    return {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache)}


def compile_llmprof() -> str:
    """Byte-compile llmprof as a wheel install is (pip compiles at install time). An editable install
    under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module on every run."""
    import llmprof

    package = Path(llmprof.__file__).parent
    try:
        ok = compileall.compile_dir(str(package), quiet=1)
    except OSError:
        ok = False
    return f"llmprof byte-compiled in {package}" if ok else f"could not byte-compile {package}"


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one child process; it must succeed."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        sys.exit(f"failed ({child.returncode}): {' '.join(argv)}\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(args: argparse.Namespace, root: Path) -> int:
    small = root / "small.txt"
    small.write_text("What will this prompt cost, and how slow will the call be?\n")
    ref_env = reference_env(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMPROF_")}
    env["XDG_CACHE_HOME"] = str(root / "cache")  # llmprof's own cache, filled by the warm-up round
    reference = Command("python: import tiktoken + load o200k_base", [sys.executable, "-c", REFERENCE], ref_env)
    commands = [
        reference,
        Command("llmprof estimate small.txt -m gpt-4o", [LLMPROF, "estimate", str(small), "-m", "gpt-4o"], env),
        Command("llmprof --help", [LLMPROF, "--help"], env),
        Command("llmprof pricing show gpt-4o", [LLMPROF, "pricing", "show", "gpt-4o"], env),
        Command(
            "  the same estimate, LLMPROF_NO_CACHE=1",
            [LLMPROF, "estimate", str(small), "-m", "gpt-4o"],
            {**env, "LLMPROF_NO_CACHE": "1"},
        ),
    ]
    for command in commands:  # warm-up: disk cache, llmprof's price-table cache
        timed(command.argv, command.env)
    for round_ in range(args.rounds):
        shift = round_ % len(commands)
        for command in commands[shift:] + commands[:shift]:
            wall, cpu = timed(command.argv, command.env)
            command.wall.append(wall)
            command.cpu.append(cpu)

    print(f"{args.rounds} rounds, each command once per round in a rotating order; medians:")
    print(f"{'command':45} {'wall s':>7} {'cpu s':>7} {'wall ratio':>10} {'cpu ratio':>9}")
    result = 0
    for command in commands:
        wall_ratio = statistics.median(w / r for w, r in zip(command.wall, reference.wall, strict=True))
        cpu_ratio = statistics.median(c / r for c, r in zip(command.cpu, reference.cpu, strict=True))
        print(
            f"{command.label:45} {statistics.median(command.wall):7.3f} {statistics.median(command.cpu):7.3f} "
            f"{wall_ratio:9.2f}x {cpu_ratio:8.2f}x"
        )
        if command is commands[1]:
            estimate_ratio = wall_ratio
    verdict = "ok" if estimate_ratio <= TARGET else "MISSED"
    stretch = " (stretch <= 1.00 reached)" if estimate_ratio <= STRETCH else ""
    print(f"cold start: estimate / raw tiktoken = {estimate_ratio:.2f}x (target <= {TARGET:.2f}: {verdict}){stretch}")
    if estimate_ratio > TARGET:
        result = 1
    return result


def importtime(argv: list[str], env: dict[str, str]) -> tuple[collections.Counter[str], float]:
    """Self time of imports by top-level package (llmprof by module), in seconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True, check=True
    )
    totals: collections.Counter[str] = collections.Counter()
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \| (\s*)(\S+)", line)
        if match:
            name = match[3]
            parts = name.split(".")
            key = ".".join(parts[:2]) if parts[0] == "llmprof" else parts[0]
            totals[key] += int(match[1]) / 1e6
    return totals, sum(totals.values())


def breakdown(root: Path) -> int:
    small = root / "small.txt"
    small.write_text("What will this prompt cost, and how slow will the call be?\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMPROF_")}
    env["XDG_CACHE_HOME"] = str(root / "cache")
    cli = ["-m", "llmprof", "estimate", str(small), "-m", "gpt-4o"]
    subprocess.run([sys.executable, *cli], env=env, capture_output=True, check=True)  # fill the cache
    for label, argv, child_env in (
        ("raw tiktoken", ["-c", REFERENCE], reference_env(root)),
        ("llmprof estimate small.txt -m gpt-4o", cli, env),
    ):
        totals, total = importtime(argv, child_env)
        print(f"\n{label}: imports {total:.3f} s (self time by package, python -X importtime)")
        for name, seconds in totals.most_common(14):
            print(f"  {seconds * 1000:7.1f} ms  {name}")
    profile = root / "estimate.prof"
    profiled = [sys.executable, "-m", "cProfile", "-o", str(profile), *cli]
    subprocess.run(profiled, env=env, capture_output=True, check=True)
    stats = pstats.Stats(str(profile))
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(ct for _, _, _, ct, _ in entries.values())
    print(f"\nllmprof estimate under cProfile: {total:.3f} s; phases (cumulative):")
    for label, suffix, name in PHASES:
        found = [v[3] for (file, _, func), v in entries.items() if func == name and file.endswith(suffix)]
        if found:
            print(f"  {max(found):6.3f} s  {label}")
    compile_ = [v for (_, _, func), v in entries.items() if func == "<built-in method builtins.compile>"]
    compiles, build = sum(v[1] for v in compile_), sum(v[3] for v in compile_)
    print(f"  {build:6.3f} s  builtins.compile ({compiles} calls: dataclass and namedtuple methods, pattern code)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15)")
    parser.add_argument("--breakdown", action="store_true", help="where the time goes, instead of ratios")
    args = parser.parse_args()
    print(compile_llmprof())
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="llmprof-cold-") as tmp:
        return breakdown(Path(tmp)) if args.breakdown else measure(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
