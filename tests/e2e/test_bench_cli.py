"""`llmprof bench`, `report` and `compare` end to end: the installed CLI against mocks on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmprof.mock import MockSettings
from llmprof.mock.server import MockProcess
from llmprof.stats import percentile
from tests.e2e.conftest import Run

SENTINEL = "sk-llmprof-SENTINEL-7f3a9c"


def _bench(run: Run, args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """`llmprof bench` with its arguments written as on a command line (paths have no spaces)."""
    return run("bench", *args.split(), **kwargs)


@pytest.fixture(scope="module")
def quick_mock() -> Iterator[MockProcess]:
    with MockProcess(MockSettings(preset="fast", ttft_ms=20.0, itl_ms=2.0, jitter=0.1, seed=5)) as mock:
        yield mock


def test_default_bench_is_the_reference_table_on_the_builtin_mock(run: Run, tmp_path: Path) -> None:
    done = run("bench", "--runs", "20")  # the README's main command, offline, no key
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Latency by input and output length: gpt-3.5-turbo at mock (built in)"
    header = [c.strip() for c in lines[2].split("┃")[1:-1]]
    assert header == [
        "# tokens",
        "n",
        "p50 latency (sec)",
        "p75 latency",
        "p90 latency",
        "TTFT p50",
        "TPOT p50",
        "tokens/s",
        "errors",
        "cost/request",
    ]
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]] for line in lines[4:7]}
    assert list(rows) == [
        "input: 51 tokens, output: 1 token",
        "input: 232 tokens, output: 1 token",
        "input: 228 tokens, output: 26 tokens",
    ]
    assert all(r[0] == "20" for r in rows.values())  # successes per row
    one, two, long = (float(r[1].split(" ±")[0]) for r in rows.values())
    # The calibrated preset keeps the reference table's lesson: output length drives latency
    # (25 more tokens at 35 ms each; a busy machine adds to every row alike).
    assert long - max(one, two) > 0.5
    assert all(r[7] == "0" and r[8] == "free" for r in rows.values())
    assert all(" ±" in r[1] and " ±" not in r[3] for r in rows.values())  # p50 has an interval; p90 of 20 does not
    assert "20 runs per row (+4 warmup, excluded); concurrency 4; streaming" in done.stdout
    assert "cells interleaved in randomised blocks" in done.stdout
    assert "each output token adds" in done.stdout
    assert "note: no --endpoint: starting the built-in mock" in done.stderr
    log = next((tmp_path / "llmprof-runs").glob("bench-*.jsonl"))
    kinds = [json.loads(line)["type"] for line in log.read_text().splitlines()]
    assert kinds == ["header"] + ["request"] * 64 + ["footer"]  # 4 warmup + 60 measured, each kept as it finished


def test_out_file_report_and_formats(run: Run, tmp_path: Path, quick_mock: MockProcess) -> None:
    out = tmp_path / "result.json"
    done = _bench(
        run,
        f"-e {quick_mock.url} -m gpt-4o-mini --cells 40x5,300x20 --runs 6 --price-as gpt-4o-mini --out {out} --format json --percentiles 50,99",
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert json.loads(out.read_text()) == doc
    assert doc["kind"] == "llmprof.bench" and doc["schema_version"] == 2
    assert doc["run"]["endpoint"] == quick_mock.url and doc["run"]["price_as"] == "gpt-4o-mini"
    first, second = doc["summary"]["cells"]
    assert (first["cell"], first["requests"], first["ok"]) == ("40x5", 6, 6)
    assert set(first["e2e_s"]) == {"p50", "p99"}
    measured = [r for r in doc["requests"] if not r["warmup"] and r["cell"] == "300x20"]
    # exact lengths: the mock reports the prompt and completion it was sent and made
    assert {
        (r["input_tokens_api"], r["input_tokens_local"], r["output_tokens"], r["output_tokens_local"]) for r in measured
    } == {(300, 300, 20, 20)}
    assert second["e2e_s"]["p50"] == percentile([r["e2e_s"] for r in measured], 50)
    # 300 in + 20 out on gpt-4o-mini ($0.15 / $0.60 per 1M) = $0.000057 per request
    assert second["cost_per_request_usd"] == "0.000057"
    assert all(r["cost_usd"] == "0.000057" for r in measured)
    assert (tmp_path / "result.jsonl").exists()

    for fmt, check in (
        ("markdown", "### Latency by input and output length"),
        ("csv", "cell,input_tokens,output_tokens"),
    ):
        again = run("report", str(out), "--format", fmt)
        assert again.returncode == 0 and again.stdout.startswith(check), again.stdout
    from_log = run("report", str(tmp_path / "result.jsonl"), "--format", "json")
    assert json.loads(from_log.stdout)["summary"]["cells"] == doc["summary"]["cells"]


def test_faults_are_reported_by_kind_and_kept_out_of_percentiles(run: Run, tmp_path: Path) -> None:
    settings = MockSettings(
        preset="instant",
        ttft_ms=5.0,
        itl_ms=1.0,
        error_rate=0.15,
        stall_rate=0.15,
        stall_s=0.6,
        drop_rate=0.15,
        malformed_rate=0.15,
        seed=3,
    )
    with MockProcess(settings) as mock:
        done = _bench(
            run,
            f"-e {mock.url} -m mock --cells 32x10 --runs 60 --warmup 0 --concurrency 4 --max-retries 0 --timeout 0.4 --format json",
        )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    [cell] = doc["summary"]["cells"]
    requests = doc["requests"]
    failed = [r for r in requests if not r["ok"]]
    assert cell["requests"] == 60 and cell["failed"] == len(failed) > 0
    assert set(cell["errors"]) == {"http_500", "dropped", "malformed", "timeout"}
    assert sum(cell["errors"].values()) == cell["failed"]
    ok = [r["e2e_s"] for r in requests if r["ok"]]
    assert cell["e2e_s"]["p90"] == percentile(ok, 90)
    assert max(ok) < 0.4  # nothing that timed out or failed leaked in
    table = run("report", "--format", "table", str(tmp_path / "missing.json"))
    assert table.returncode == 2 and "no such file" in table.stderr


def test_rate_limits_are_counted_as_429s(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "limited.json"
    with MockProcess(MockSettings(preset="instant", rate_limit_rpm=5)) as mock:
        done = _bench(
            run,
            f"-e {mock.url} -m mock --cells 16x2 --runs 7 --warmup 0 --concurrency 1 --max-retries 0 --out {out}",
        )
    assert done.returncode == 0, done.stderr
    [cell] = json.loads(out.read_text())["summary"]["cells"]
    assert (cell["ok"], cell["errors"]) == (5, {"http_429": 2})
    assert "Failed requests, left out of every percentile: 2 (2 http_429)." in done.stdout
    assert "│ 2/7 │" in done.stdout.replace(" ", "").replace("│2/7│", "│ 2/7 │")


def test_the_api_key_appears_nowhere(run: Run, tmp_path: Path) -> None:
    with MockProcess(MockSettings(preset="instant", error_rate=0.3, seed=1)) as mock:
        outputs = []
        for provider, variable in (
            ("openai", "OPENAI_API_KEY"),
            ("anthropic", "ANTHROPIC_API_KEY"),
            ("gemini", "GEMINI_API_KEY"),
        ):
            out = tmp_path / f"{provider}.json"
            done = _bench(
                run,
                f"-e {mock.url} --provider {provider} -m claude-haiku-4-5 --cells 20x3 --runs 5 --out {out}",
                env={variable: SENTINEL},
            )
            assert done.returncode == 0, done.stderr
            outputs += [done.stdout, done.stderr, out.read_text(), out.with_suffix(".jsonl").read_text()]
        mock.stop()
        outputs.append(mock.stderr_tail())
    assert all(SENTINEL not in text for text in outputs)
    assert all(SENTINEL[:12] not in text for text in outputs)


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(("signum", "name", "code"), [(signal.SIGINT, "Ctrl-C", 130), (signal.SIGTERM, "SIGTERM", 143)])
def test_ctrl_c_and_sigterm_keep_what_finished(
    llmprof_exe: str, offline_env: dict[str, str], tmp_path: Path, signum: int, name: str, code: int, workers: str
) -> None:
    out = tmp_path / "partial.json"
    process = subprocess.Popen(
        [llmprof_exe, "bench", "--runs", "500", "--mock-preset", "fast", "--out", str(out), "--workers", workers],
        cwd=tmp_path,
        env=offline_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = out.with_suffix(".jsonl")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 15):
        time.sleep(0.1)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "Latency by input and output length" in stdout  # the table for what finished
    assert f"INTERRUPTED ({name}): these figures cover only the" in stdout
    assert f"error: stopped by {name}: the requests that finished are kept" in stderr
    assert f"hint: re-render them any time with: llmprof report {log}" in stderr and "Traceback" not in stderr
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    records = lines[1:-1]
    assert len(records) >= 14 and all(r["type"] == "request" for r in records)
    assert lines[-1]["type"] == "footer" and lines[-1]["stop_reason"] == name
    doc = json.loads(out.read_text())
    assert doc["run"]["interrupted"] is True and doc["run"]["stop_reason"] == name
    assert len(doc["requests"]) == len(records) and doc["run"]["settings"]["workers"] == int(workers)
    assert len({r["id"] for r in records}) == len(records)
    again = subprocess.run([llmprof_exe, "report", str(log)], env=offline_env, capture_output=True, text=True)
    assert f"INTERRUPTED ({name})" in again.stdout
    assert f"warning: {log} is from an interrupted run ({name}): its cells are incomplete" in again.stderr


def _result(path: Path, e2e_by_cell: dict[str, list[float]], **run: object) -> str:
    """A bench result document with exactly these successful e2e (and TTFT = e2e / 2) samples."""
    requests: list[dict[str, object]] = []
    for cell, samples in e2e_by_cell.items():
        i, o = (int(v) for v in cell.split("x"))
        for e2e in samples:
            requests.append(
                {"id": len(requests), "cell": cell, "input_target": i, "output_target": o, "ok": e2e > 0,
                 "e2e_s": e2e if e2e > 0 else None, "ttft_s": e2e / 2 if e2e > 0 else None,
                 "error_kind": None if e2e > 0 else "http_500"}
            )  # fmt: skip
    info = {"llmprof_version": "0.2.0", "pricing_version": None, "pricing_date": None, "endpoint": "mock (built in)",
            "provider": "openai", "model": "m", "price_as": None, "settings": {}, "started_at": "2026-11-21T10:00:00+00:00",
            "endpoint_kind": "mock", **run}  # fmt: skip
    path.write_text(json.dumps({"schema_version": 2, "kind": "llmprof.bench", "run": info, "requests": requests}))
    return str(path)


def test_compare_exit_codes_on_known_samples(run: Run, tmp_path: Path) -> None:
    fast = [0.50 + 0.01 * i for i in range(20)]
    a = _result(tmp_path / "a.json", {"51x1": fast, "228x26": [1.4 + x for x in fast]})
    same = _result(tmp_path / "same.json", {"51x1": fast[::-1], "228x26": [1.4 + x for x in fast]})
    slow = _result(tmp_path / "slow.json", {"51x1": [x * 1.3 for x in fast], "228x26": [1.4 + x for x in fast]})
    done = run("compare", a, same, "--fail-on-regression", "10")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("no significant change") == 4  # 2 cells x (e2e, TTFT)
    slower = run("compare", a, slow, "--fail-on-regression", "10", "--format", "json")
    assert slower.returncode == 1
    doc = json.loads(slower.stdout)
    assert doc["test"] == "mann-whitney-u" and doc["regressions"] == 2 and doc["passed"] is False
    verdicts = {(c["cell"], c["metric"]): c["verdict"] for c in doc["cells"]}
    assert verdicts == {
        ("51x1", "e2e"): "REGRESSION",
        ("51x1", "ttft"): "REGRESSION",
        ("228x26", "e2e"): "no significant change",
        ("228x26", "ttft"): "no significant change",
    }
    assert [round(c["change_pct"], 6) for c in doc["cells"][:2]] == [30.0, 30.0]
    assert slower.stderr.startswith("error: latency regressed in 2 place(s):\n  - 51x1 e2e p50 +30.0% (p=")
    assert run("compare", a, slow, "--fail-on-regression", "40").returncode == 0


def test_compare_never_passes_on_no_data(run: Run, tmp_path: Path) -> None:
    ok = [0.5 + 0.01 * i for i in range(20)]
    a = _result(tmp_path / "a.json", {"51x1": ok})
    failed = _result(tmp_path / "failed.json", {"51x1": [0.0] * 20})
    done = run("compare", a, failed, "--fail-on-regression", "5")
    assert done.returncode == 1
    assert "cell 51x1: 0 successful request(s) in the second result; 2 needed" in done.stderr
    assert "NO DATA" in done.stdout
    interrupted = _result(tmp_path / "int.json", {"51x1": ok}, interrupted=True, stop_reason="SIGTERM")
    done = run("compare", a, interrupted)
    assert done.returncode == 1 and "the second result is from an interrupted run (SIGTERM)" in done.stderr
    other = _result(tmp_path / "other.json", {"99x9": ok})
    done = run("compare", a, other)
    assert done.returncode == 1 and "the two results share no cells" in done.stderr


def test_bench_then_compare_pipeline(run: Run, tmp_path: Path) -> None:
    settings = MockSettings(preset="instant", ttft_ms=30.0, itl_ms=3.0, prefill_ms_per_1k=0.0, jitter=0.15, seed=9)
    outs = []
    for name in ("a", "b"):
        with MockProcess(settings) as mock:
            out = tmp_path / f"{name}.json"
            done = _bench(run, f"-e {mock.url} -m mock --cells 64x1,64x12 --runs 10 --concurrency 1 --out {out} -q")
            assert done.returncode == 0, done.stderr
            outs.append(str(out))
    done = run("compare", *outs, "--format", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 0 and doc["passed"] is True and doc["problems"] == []
    assert [(c["cell"], c["metric"], c["n_before"], c["n_after"]) for c in doc["cells"]] == [
        ("64x1", "e2e", 10, 10),
        ("64x1", "ttft", 10, 10),
        ("64x12", "e2e", 10, 10),
        ("64x12", "ttft", 10, 10),
    ]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["-e", "http://127.0.0.1:9/v1", "-m", "x"], {}, "error: cannot connect to http://127.0.0.1:9/v1"),
        (
            ["-e", "https://api.openai.com/v1", "-m", "gpt-4o"],
            {},
            "error: no API key found for openai\n  hint: set the OPENAI_API_KEY environment variable",
        ),
        (
            ["-e", "https://api.openai.com/v1", "-m", "gpt-4o", "--cells", "100000x4000", "--runs", "50"],
            {"OPENAI_API_KEY": SENTINEL},
            "error: worst-case spend $",
        ),
        (
            ["-e", "https://api.openai.com/v1", "-m", "my-finetune"],
            {"OPENAI_API_KEY": SENTINEL},
            "error: cannot bound the spend: my-finetune has no price",
        ),
        (["--cells", "51x1,nope"], {}, "error: 'nope' is not a cell"),
        (["-e", "prod"], {}, "error: endpoint 'prod' is neither a URL nor a named endpoint"),
        (["--mock-preset", "gpt5"], {}, "error: unknown preset 'gpt5'"),
    ],
)
def test_bench_errors_are_clear(run: Run, args: list[str], env: dict[str, str], message: str) -> None:
    done = run("bench", "--runs", "2", *args, env=env)
    assert done.returncode in (1, 2)
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert SENTINEL not in done.stderr + done.stdout


def test_budget_guard_says_the_worst_case_before_refusing(run: Run) -> None:
    done = _bench(
        run, "-e https://api.openai.com/v1 -m gpt-4o --cells 100000x4000 --runs 50", env={"OPENAI_API_KEY": SENTINEL}
    )
    # 100,000 in + 4,000 out at $2.50 / $10 per 1M = $0.29 a request; 54 requests (4 warmup)
    assert "note: worst-case spend: $15.66 for 54 requests priced as gpt-4o" in done.stderr
    assert done.returncode == 1
    assert os.environ.get("OPENAI_API_KEY") != SENTINEL


def test_retries_back_off_and_the_wait_is_reported(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "retried.json"
    with MockProcess(MockSettings(preset="instant", error_rate=0.4, seed=4)) as mock:
        done = _bench(
            run,
            f"-e {mock.url} -m mock --cells 16x2 --runs 6 --warmup 0 --concurrency 1 --max-retries 2 --out {out}",
        )
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    [cell] = doc["summary"]["cells"]
    retried = [r for r in doc["requests"] if r["attempts"] > 1]
    assert retried and cell["retries"] == sum(r["attempts"] - 1 for r in doc["requests"])
    assert all(r["throttled_s"] >= 0.25 * (r["attempts"] - 1) for r in retried)  # jittered backoff from 0.5 s
    assert cell["throttled_s"] == pytest.approx(sum(r["throttled_s"] for r in doc["requests"]))
    assert f"{cell['retries']} retr" in done.stdout and "spent waiting (Retry-After or backoff)" in done.stdout


def test_a_long_retry_after_is_not_sat_out(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "banned.json"
    with MockProcess(MockSettings(preset="instant", rate_limit_rpm=2)) as mock:
        done = _bench(
            run,
            f"-e {mock.url} -m mock --cells 16x2 --runs 3 --warmup 0 --concurrency 1 --max-retries 3 --out {out}",
        )
    assert done.returncode == 0, done.stderr
    refused = [r for r in json.loads(out.read_text())["requests"] if not r["ok"]]
    assert len(refused) == 1 and refused[0]["attempts"] == 1
    assert "longer than bench waits: not retried" in refused[0]["error"]


def test_the_cli_exits_1_on_a_breach_and_reports_goodput(run: Run) -> None:
    # No jitter: 1-token cells take 100 ms, the 26-token cell 100 + 25 x 10 = 350 ms (at least).
    done = run(
        "bench", "--mock-preset", "instant", "--mock-ttft-ms", "100", "--mock-itl-ms", "10", "--mock-jitter", "0",
        "--runs", "5", "--slo", "e2e_p50<0.3", "--no-log",
    )  # fmt: skip
    assert done.returncode == 1
    assert "error: the bench failed (1 reason):\n  - cell 228x26: SLO e2e_p50<0.3 not met (e2e p50 0." in done.stderr
    assert "SLO e2e_p50<0.3: 1 breach(es), listed below. Goodput: 10 of 15 requests (67%)" in done.stdout
    rows = [line for line in done.stdout.splitlines() if line.startswith("│ input")]
    assert [row.rstrip(" │").rsplit("│", 1)[1].strip() for row in rows] == ["100%", "100%", "0%"]
    met = run(
        "bench", "--mock-preset", "instant", "--mock-ttft-ms", "100", "--mock-itl-ms", "10", "--mock-jitter", "0",
        "--runs", "5", "--slo", "e2e_p50<5", "--no-log", "--format", "json",
    )  # fmt: skip
    assert met.returncode == 0, met.stderr
    assert '"goodput": {\n      "good": 15,\n      "requests": 15,\n      "share": 1.0' in met.stdout


@pytest.mark.parametrize(("provider", "source"), [("openai", "api"), ("anthropic", "local"), ("gemini", "api")])
def test_a_reasoning_model_shows_its_first_answer_token_and_reasoning(run: Run, provider: str, source: str) -> None:
    # 20 reasoning tokens, then the answer, one every 5 ms after a 50 ms first token: the mock sends
    # on a schedule from the request's arrival, the first token at 50 ms and the first answer token
    # 20 intervals later, at 150 ms; a client starts its clock before that, so neither reads less
    done = run(
        "bench", "--provider", provider, "--mock-preset", "instant", "--mock-ttft-ms", "50", "--mock-itl-ms", "5",
        "--mock-jitter", "0", "--mock-reasoning-tokens", "20", "--cells", "51x5", "--runs", "4", "--no-log",
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    [cell] = doc["summary"]["cells"]
    assert cell["reasoning_tokens_mean"] == 20
    assert cell["ttft_s"]["p50"] >= 0.050 and cell["ttfa_p50_s"] >= 0.150
    records = [r for r in doc["requests"] if not r["warmup"]]
    assert all(r["reasoning_tokens"] == 20 and r["reasoning_source"] == source for r in records)
    assert all(r["output_tokens"] == 25 for r in records)  # reasoning bills as output
    table = run(
        "bench", "--provider", provider, "--mock-preset", "instant", "--mock-reasoning-tokens", "20", "--cells",
        "51x5", "--runs", "2", "--no-log",
    ).stdout  # fmt: skip
    assert "answer p50" in table and "reasoning" in table


def test_a_shared_prefix_is_cached_and_priced_as_cache_reads(run: Run, tmp_path: Path) -> None:
    suite = tmp_path / "cache.yaml"
    suite.write_text(
        "cells: [4096x1]\nruns: 4\nconcurrency: 1\nprice_as: gpt-4o-mini\n"
        "mock: {preset: instant, ttft_ms: 10, prefill_ms_per_1k: 100, jitter: 0, prompt_cache: true}\n"
    )
    shared = run("bench", str(suite), "--cache-prefix", "3072", "--no-log", "--format", "json")
    assert shared.returncode == 0, shared.stderr
    records = [r for r in json.loads(shared.stdout)["requests"] if not r["warmup"]]
    # the 3,072 shared tokens are 24 whole 128-token blocks: cached; the rest is prefilled
    assert [r["cached_input_tokens"] for r in records] == [3072] * 4
    # gpt-4o-mini: those at the cache-read rate ($0.075 / 1M), the other 1,024 at $0.15, 1 output at $0.60
    assert [r["input_tokens_api"] for r in records] == [4096] * 4
    assert {r["cost_usd"] for r in records} == {"0.0003846"}  # (3,072 x 0.075 + 1,024 x 0.15 + 0.6) / 1M
    unique = run("bench", str(suite), "--no-log", "--format", "json")
    plain = [r for r in json.loads(unique.stdout)["requests"] if not r["warmup"]]
    assert [r["cached_input_tokens"] for r in plain] == [0] * 4  # unique prompts: nothing to reuse
    # (the latency it saves, exactly the cached tokens' prefill, is checked on virtual time in tests/mock)
