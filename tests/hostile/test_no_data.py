"""No gate passes on no data: bench, compare and check each fail (exit 1, with the reason) when
requests failed, cells are empty or the run was interrupted, and never print "passed"."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import Run
from tests.hostile.conftest import Handler, Server


def html(handler: Handler, key: str) -> None:
    handler.send(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")


def storm(handler: Handler, key: str) -> None:
    handler.error(429, "slow down", retry_after="0")


def server_error(handler: Handler, key: str) -> None:
    handler.error(500, "boom")


def slow(handler: Handler, key: str) -> None:
    time.sleep(1.0)
    handler.error(500, "too late")


def empty_stream(handler: Handler, key: str) -> None:
    handler.stream([b'data: {"choices": []}\n\n', b"data: [DONE]\n\n"])


def garbage_stream(handler: Handler, key: str) -> None:
    handler.stream([b"data: {not json\n\n", b"data: [DONE]\n\n"])


FAILING = {
    "html page": (html, "malformed"),
    "429 storm": (storm, "http_429"),
    "500s": (server_error, "http_500"),
    "timeouts": (slow, "timeout"),
    "empty stream": (empty_stream, "empty"),
    "garbage stream": (garbage_stream, "malformed"),
}


@pytest.mark.parametrize("name", list(FAILING))
def test_bench_fails_when_every_request_fails(run: Run, serve: Callable[..., Server], name: str) -> None:
    behaviour, kind = FAILING[name]
    server = serve(behaviour)
    done = run(
        "bench", "-e", server.url + "/v1", "-m", "m", "--cells", "20x2,40x2", "--runs", "2",
        "--max-retries", "1", "--timeout", "0.3", "--warmup", "0", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert {k for c in doc["summary"]["cells"] for k in c["errors"]} == {kind}
    assert "error: the bench failed (3 reasons):" in done.stderr
    assert "cell 20x2: none of its 2 request(s) succeeded" in done.stderr
    assert "4 of 4 requests failed (100%), above --max-error-rate 50%" in done.stderr


def test_some_failures_pass_only_within_max_error_rate(run: Run, serve: Callable[..., Server]) -> None:
    calls = 0

    def every_third_fails(handler: Handler, key: str) -> None:
        nonlocal calls
        calls += 1
        if calls % 3 == 0:
            handler.error(500, "boom")
        else:
            handler.stream([b'data: {"choices": [{"delta": {"content": "hi"}}]}\n\n', b"data: [DONE]\n\n"])

    server = serve(every_third_fails)
    args = ["bench", "-e", server.url + "/v1", "-m", "m", "--cells", "20x1", "--runs", "6", "--warmup", "0"]
    assert run(*args, "--max-retries", "0", "--concurrency", "1").returncode == 0
    strict = run(*args, "--max-retries", "0", "--concurrency", "1", "--max-error-rate", "0.1")
    assert strict.returncode == 1 and "above --max-error-rate 10%" in strict.stderr


def test_a_non_http_endpoint_is_a_usage_error(run: Run) -> None:
    done = run("bench", "-e", "ftp://127.0.0.1/v1", "-m", "m")
    assert done.returncode == 2 and "llmprof speaks http and https, not ftp" in done.stderr


# -- saved results: check --bench-results and compare --------------------------------------------------

HEADER = {
    "type": "header", "schema_version": 2, "kind": "llmprof.bench", "llmprof_version": "0.2.0",
    "pricing_version": None, "pricing_date": None, "endpoint": "mock (built in)", "endpoint_kind": "mock",
    "provider": "openai", "model": "m", "price_as": None, "settings": {}, "started_at": "2026-11-21T00:00:00+00:00",
}  # fmt: skip


def _request(i: int, ok: bool = True, cell: str = "51x1") -> dict[str, object]:
    return {
        "type": "request", "id": i, "cell": cell, "input_target": 51, "output_target": 1, "ok": ok,
        "e2e_s": 0.5 if ok else None, "ttft_s": 0.4 if ok else None, "error_kind": None if ok else "http_500",
    }  # fmt: skip


FOOTER = {"type": "footer", "finished_at": "2026-11-21T00:01:00+00:00", "duration_s": 60.0, "interrupted": False}


def _jsonl(path: Path, *lines: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


RESULTS = {
    "header only, finished": lambda p: _jsonl(p, HEADER, FOOTER),
    "no footer (killed)": lambda p: _jsonl(p, HEADER, *[_request(i) for i in range(10)]),
    "interrupted": lambda p: _jsonl(
        p, HEADER, *[_request(i) for i in range(10)], {**FOOTER, "interrupted": True, "stop_reason": "Ctrl-C"}
    ),
    "every request failed": lambda p: _jsonl(p, HEADER, *[_request(i, ok=False) for i in range(10)], FOOTER),
    "one cell empty": lambda p: _jsonl(
        p, HEADER, *[_request(i) for i in range(10)], *[_request(10 + i, False, "228x26") for i in range(5)], FOOTER
    ),
    "empty document": lambda p: _document(p, []),
}


def _document(path: Path, requests: list[dict[str, object]]) -> Path:
    path = path.with_suffix(".json")
    path.write_text(json.dumps({"schema_version": 2, "kind": "llmprof.bench", "run": HEADER, "requests": requests}))
    return path


CONFIG = """\
prompt_sets:
  s:
    paths: [p.txt]
    models: [gpt-4o-mini]
budgets:
  latency:
    p90_e2e_s: 2.0
"""


@pytest.fixture
def project(tmp_path: Path, run: Run) -> Path:
    (tmp_path / "p.txt").write_text("hello there")
    (tmp_path / "llmprof.yaml").write_text(CONFIG)
    assert run("check", "--update-baseline", cwd=tmp_path).returncode == 0
    return tmp_path


@pytest.mark.parametrize("case", list(RESULTS))
def test_check_never_passes_latency_on_missing_data(run: Run, project: Path, case: str) -> None:
    result = RESULTS[case](project / "bench.jsonl")
    done = run("check", "--bench-results", str(result), "--format", "json", cwd=project)
    assert done.returncode == 1, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["passed"] is False
    assert any(b["status"] == "fail" for b in doc["budgets"] if b["budget"] != "max_cost_increase_pct")
    assert "passed" not in done.stdout.split('"passed"')[0]


def test_check_latency_budgets_without_results_fail_unless_skipped(run: Run, project: Path) -> None:
    done = run("check", cwd=project)
    assert done.returncode == 1
    assert "latency (budgets.latency): not evaluated: no --bench-results given" in done.stderr
    skipped = run("check", "--no-latency", cwd=project)
    assert skipped.returncode == 0 and "Warning [latency-skipped]" in skipped.stdout


@pytest.mark.parametrize("case", ["no footer (killed)", "interrupted", "every request failed", "one cell empty"])
def test_compare_never_passes_on_missing_data(run: Run, tmp_path: Path, case: str) -> None:
    good = RESULTS["one cell empty"](tmp_path / "good.jsonl").read_text()
    good_lines = [line for line in good.splitlines() if '"228x26"' not in line]
    base = tmp_path / "base.jsonl"
    base.write_text("\n".join(good_lines) + "\n")
    other = RESULTS[case](tmp_path / "other.jsonl")
    for args in ((), ("--fail-on-regression", "10")):
        done = run("compare", str(base), str(other), *args)
        assert done.returncode == 1, (case, done.stdout, done.stderr)
        assert "Cannot compare:" in done.stdout and "error: compare failed" in done.stderr


def test_report_names_an_unfinished_run_and_shows_samples_per_row(run: Run, tmp_path: Path) -> None:
    log = _jsonl(tmp_path / "run.jsonl", {**HEADER, "settings": {"runs": 50}}, *[_request(i) for i in range(7)])
    done = run("report", str(log))
    assert done.returncode == 0
    assert "(INTERRUPTED)" in done.stdout and "7 runs per row" in done.stdout and "50 runs" not in done.stdout
    assert "INTERRUPTED (unfinished: its log has no end line)" in done.stdout
    assert "is from an interrupted run (unfinished: its log has no end line)" in done.stderr
