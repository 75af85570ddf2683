"""Never a raw traceback for bad input: every case gets a clear message and exit 2 (usage, input,
config), or is handled (a misbehaving server's reply is a measured failure, exit 1 as a gate)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import Run
from tests.hostile.conftest import Server

OPENAI_GOOD = b'data: {"choices": [{"index": 0, "delta": {"content": "hi"}}]}\n\n'
MALFORMED = {
    "openai": [
        b'data: {"choices": [1]}\n\n',
        b'data: {"choices": [{"delta": "abc"}]}\n\n',
        b'data: {"choices": {"0": {}}}\n\n',
        b'data: {"choices": [{"delta": {"content": 5}}]}\n\n',
        b'data: {"choices": [], "usage": {"completion_tokens": "12"}}\n\n',
        b'data: {"choices": [], "usage": {"completion_tokens": [1]}}\n\n',
        b'data: {"choices": [], "usage": {"prompt_tokens": -40, "completion_tokens": 2}}\n\n',
        b'data: {"choices": [], "usage": {"prompt_tokens": 4, "prompt_tokens_details": {"cached_tokens": 9}}}\n\n',
        b"data: [1, 2, 3]\n\n",
        b'data: "just a string"\n\n',
        b"data: " + b"[" * 50_000 + b"\n\n",
    ],
    "anthropic": [
        b'event: message_start\ndata: {"type": "message_start", "message": {"usage": {"input_tokens": "9"}}}\n\n',
        b'event: content_block_delta\ndata: {"type": "content_block_delta", "delta": ["text"]}\n\n',
        b'event: content_block_delta\ndata: {"type": "content_block_delta", "delta": {"text": {"a": 1}}}\n\n',
        b'event: message_delta\ndata: {"type": "message_delta", "usage": {"output_tokens": -1}}\n\n',
        b"event: message_start\ndata: []\n\n",
    ],
    "gemini": [
        b'data: {"candidates": {"0": 1}}\n\n',
        b'data: {"candidates": [{"content": {"parts": "text"}}]}\n\n',
        b'data: {"candidates": [{"content": {"parts": [{"text": 7}]}}]}\n\n',
        b'data: {"candidates": [], "usageMetadata": {"promptTokenCount": "9"}}\n\n',
        b'data: {"candidates": [], "usageMetadata": "lots"}\n\n',
    ],
}
CASES = [(provider, event) for provider, events in MALFORMED.items() for event in events]


@pytest.mark.parametrize(("provider", "event"), CASES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(CASES)])
def test_malformed_payloads_after_a_good_chunk_are_measured_failures(
    run: Run, serve: Callable[..., Server], provider: str, event: bytes
) -> None:
    good = OPENAI_GOOD if provider == "openai" else b""
    server = serve(lambda handler, key: handler.stream([good, event]))
    base = server.url + ("/v1" if provider == "openai" else "")
    done = run(
        "bench", "-e", base, "--provider", provider, "-m", "m", "--cells", "20x2", "--runs", "2",
        "--warmup", "0", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    [cell] = json.loads(done.stdout)["summary"]["cells"]
    assert cell["errors"] == {"malformed": 2}


@pytest.mark.parametrize("name", ["[/red]x", "[bold]model[/bold]", "model:smile:", "a|b", "m\\[x]"])
def test_names_are_never_markup(run: Run, tmp_path: Path, name: str) -> None:
    done = run("bench", "-m", name, "--mock-preset", "instant", "--runs", "1", "--cells", "20x1")
    assert done.returncode == 0, done.stderr
    assert f"Latency by input and output length: {name} at mock (built in)" in done.stdout
    prompt = tmp_path / f"prompt{name.replace('/', '_').replace(':', '_')}.txt"
    prompt.write_text("hello")
    shown = run("estimate", str(prompt), "-m", "gpt-4o")
    assert f"Cost estimate: {prompt}" in shown.stdout
    unknown = run("estimate", str(prompt), "-m", name)
    assert unknown.returncode == 2 and f"unknown model {name!r}" in unknown.stderr


BASELINE_ITEM = {
    "set": "s", "prompt": "p.txt", "model": "gpt-4o-mini", "count": "exact", "requests": 1, "input_tokens": 3,
    "output_tokens": 0, "cost_per_request_usd": "0.00000045", "requests_per_day": None,
    "cached_input_tokens": 0, "batch": False,
}  # fmt: skip


def _baseline(**changes: object) -> str:
    doc: dict[str, object] = {
        "schema_version": 1, "kind": "llmprof.baseline",
        "pricing": {"version": "v", "date": "2026-11-21", "files": []}, "items": [BASELINE_ITEM],
    }  # fmt: skip
    doc.update(changes)
    return json.dumps(doc).replace('"NAN"', "NaN")


BROKEN_BASELINES = {
    "not JSON": "{oops",
    "NaN cost": _baseline(items=[{**BASELINE_ITEM, "cost_per_request_usd": "NaN"}]),
    "NaN literal": _baseline(items=[{**BASELINE_ITEM, "input_tokens": "NAN"}]),
    "negative cost": _baseline(items=[{**BASELINE_ITEM, "cost_per_request_usd": "-1"}]),
    "cost as a number": _baseline(items=[{**BASELINE_ITEM, "cost_per_request_usd": 0.1}]),
    "tokens as text": _baseline(items=[{**BASELINE_ITEM, "input_tokens": "3"}]),
    "negative tokens": _baseline(items=[{**BASELINE_ITEM, "input_tokens": -3}]),
    "pricing as a list": _baseline(pricing=[]),
    "items as an object": _baseline(items={}),
    "item as a list": _baseline(items=[[1]]),
    "duplicated item": _baseline(items=[BASELINE_ITEM, BASELINE_ITEM]),
    "unknown count label": _baseline(items=[{**BASELINE_ITEM, "count": "guess"}]),
    "future schema": _baseline(schema_version=99),
    "another kind": _baseline(kind="llmprof.bench"),
    "a list": "[]",
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "not UTF-8": "\udcff",
}


@pytest.mark.parametrize("case", list(BROKEN_BASELINES))
def test_broken_baselines_are_refused_clearly(run: Run, tmp_path: Path, case: str) -> None:
    (tmp_path / "p.txt").write_text("hi there")
    (tmp_path / "llmprof.yaml").write_text("prompt_sets:\n  s:\n    paths: [p.txt]\n    models: [gpt-4o-mini]\n")
    text = BROKEN_BASELINES[case]
    (tmp_path / "llmprof-baseline.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    done = run("check", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert "llmprof-baseline.json" in done.stderr
    if case == "future schema":
        assert "upgrade llmprof" in done.stderr


HEADER = {
    "type": "header", "schema_version": 2, "kind": "llmprof.bench", "llmprof_version": "0.2.0",
    "pricing_version": None, "pricing_date": None, "endpoint": "mock (built in)", "provider": "openai",
    "model": "m", "price_as": None, "settings": {}, "started_at": "2026-11-21T00:00:00+00:00",
}  # fmt: skip
REQUEST = {"type": "request", "id": 1, "cell": "51x1", "input_target": 51, "output_target": 1, "ok": True, "e2e_s": 0.5}


def _log(*lines: object) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


BROKEN_RESULTS = {
    "empty file": "",
    "binary": "\x00\x01\x02",
    "NaN latency": _log(HEADER, REQUEST).replace('"e2e_s": 0.5', '"e2e_s": NaN'),
    "negative latency": _log(HEADER, {**REQUEST, "e2e_s": -0.5}),
    "latency as text": _log(HEADER, {**REQUEST, "e2e_s": "fast"}),
    "ok without latency": _log(HEADER, {**REQUEST, "e2e_s": None}),
    "id twice": _log(HEADER, REQUEST, REQUEST),
    "gaps not a list": _log(HEADER, {**REQUEST, "itl_s": 0.1}),
    "cost not money": _log(HEADER, {**REQUEST, "cost_usd": "cheap"}),
    "settings a list": _log({**HEADER, "settings": []}, REQUEST),
    "no header": _log(REQUEST),
    "future schema": _log({**HEADER, "schema_version": 9}, REQUEST),
    "another kind": _log({**HEADER, "kind": "llmprof.check"}, REQUEST),
    "document with requests as a dict": json.dumps(
        {"schema_version": 2, "kind": "llmprof.bench", "run": HEADER, "requests": {}}
    ),
    "document deeply nested": '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "a bare list": "[1, 2]",
}


@pytest.mark.parametrize("case", list(BROKEN_RESULTS))
@pytest.mark.parametrize("command", ["report", "compare", "check"])
def test_broken_bench_results_are_refused_clearly(run: Run, tmp_path: Path, case: str, command: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(BROKEN_RESULTS[case], encoding="utf-8")
    if command == "report":
        done = run("report", str(bad))
    elif command == "compare":
        good = tmp_path / "good.jsonl"
        good.write_text(_log(HEADER, REQUEST, {**REQUEST, "id": 2}))
        done = run("compare", str(good), str(bad))
    else:
        (tmp_path / "p.txt").write_text("hi")
        (tmp_path / "llmprof.yaml").write_text(
            "prompt_sets:\n  s:\n    paths: [p.txt]\n    models: [gpt-4o-mini]\nbudgets:\n  latency:\n    p90_e2e_s: 2\n"
        )
        assert run("check", "--update-baseline", cwd=tmp_path).returncode == 0
        done = run("check", "--bench-results", str(bad), cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr and "bad.jsonl" in done.stderr


CONFIGS = {
    "absolute path": (
        "llmprof.yaml",
        "prompt_sets:\n  s:\n    paths: [/etc/passwd]\n    models: [gpt-4o]\n",
        "absolute path",
    ),
    "home path": ("llmprof.yaml", "prompt_sets:\n  s:\n    paths: [~/p.txt]\n    models: [gpt-4o]\n", "absolute path"),
    "complex key": ("llmprof.yaml", "? [a, b]\n: 1\n", "a key must be a plain name"),
    "nested 5,000 deep": ("llmprof.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 64 levels"),
    "nested 100,000 deep": ("llmprof.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than 64"),
    "unknown key": ("llmprof.yaml", "prompt_set: {}\n", "unknown key"),
    "wrong type": ("llmprof.yaml", "prompt_sets: [1]\n", "expected a mapping"),
    "duplicate key": ("llmprof.yaml", "baseline: a\nbaseline: b\n", "duplicate key"),
    "not YAML": ("llmprof.yaml", "a: [\n", "llmprof.yaml:2"),
    "pyproject not UTF-8": ("pyproject.toml", "[tool.llmprof]\nbaseline = '\udcff'\n", "not UTF-8"),
    "pyproject not TOML": ("pyproject.toml", "[tool.llmprof\n", "pyproject.toml"),
    "an alias bomb": (
        "llmprof.yaml",
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        "unknown key",
    ),
}


@pytest.mark.parametrize("case", list(CONFIGS))
def test_broken_configs_name_the_file_and_the_fix(run: Run, tmp_path: Path, case: str) -> None:
    name, text, message = CONFIGS[case]
    (tmp_path / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    done = run("check", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and name in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["estimate", "-", "--requests", "1e32"], "Invalid value for '--requests'"),
        (["estimate", "-", "--requests", "1" + "0" * 30], "Invalid value for '--requests'"),
        (["estimate", "-", "--output-tokens", "1e25"], "Invalid value for '--output-tokens'"),
        (["estimate", "-", "--max-cost", "NaN"], "must be a non-negative amount"),
        (["estimate", "-", "--max-cost", "-1"], "must be a non-negative amount"),
        (["estimate", "-", "--as-of", "2026-13-01"], "is not a date"),
        (["estimate", "-", "--encoding", "klingon"], "unknown text encoding 'klingon'"),
        (["estimate", "-", "--format-in", "yaml"], "'yaml' is not one of"),
        (["bench", "--runs", "0"], "Invalid value for '--runs'"),
        (["bench", "--runs", "100000000000", "--cells", "20x1"], "requests in all"),
        (["bench", "--cells", "100000000x1"], "do not fit gpt-3.5-turbo's context window"),
        (["bench", "--cells", "20x0"], "output must be at least 1 token"),
        (["bench", "--output-tokens", "1e25", "--input-tokens", "20"], "is not a list of whole numbers"),
        (["bench", "--percentiles", "50,150"], "percentiles must be between 0 and 100"),
        (["bench", "-e", "http://127.0.0.1:99999/v1", "-m", "m"], "is not a valid URL"),
        (["bench", "-e", "http://[::1/v1", "-m", "m"], "is not a valid URL"),
        (["bench", "--provider", "cohere"], "'cohere' is not one of"),
        (["bench", "--timeout", "1e308", "--runs", "1", "--cells", "20x1", "--mock-preset", "instant"], None),
        (["bench", "--rate", "1e308", "--runs", "2", "--cells", "20x1", "--mock-preset", "instant"], None),
        (["mock", "serve", "--port", "99999"], "Invalid value for '--port'"),
        (["mock", "serve", "--preset", "nope"], "unknown preset 'nope'"),
        (["mock", "serve", "--host", "256.1.1.1", "--port", "0"], "cannot bind to host"),
        (["pricing", "show", "gpt-99"], "unknown model 'gpt-99'"),
        (["pricing", "list", "--as-of", "1999-01-01"], None),
    ],
)
def test_bad_values_on_the_command_line(run: Run, args: list[str], message: str | None) -> None:
    done = run(*args, input="a prompt")
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    if message is None:
        assert done.returncode == 0, done.stderr
    else:
        assert done.returncode == 2, done.stderr
        assert message in done.stderr


@pytest.mark.parametrize("value", ["soon", "2026-02-30", "", "2026-11-21T25:00"])
def test_a_bad_pinned_today(run: Run, value: str) -> None:
    done = run("estimate", "-", "-m", "gpt-4o", input="x", env={"LLMPROF_TODAY": value})
    if value == "":
        assert done.returncode == 0  # empty is unset
    else:
        assert done.returncode == 2 and "LLMPROF_TODAY" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [["estimate", "nope.txt"], ["check"], ["report", "nope.json"], ["bench", "-e", "http://127.0.0.1:9/v1", "-m", "m"]],
)
def test_debug_mode_adds_a_traceback_and_keeps_the_exit_code(run: Run, args: list[str]) -> None:
    plain = run(*args)
    debug = run(*args, env={"LLMPROF_DEBUG": "1"})
    assert plain.returncode == debug.returncode == 2
    assert "Traceback" in debug.stderr and "Traceback" not in plain.stderr
    assert debug.stderr.rstrip().splitlines()[-1] == plain.stderr.rstrip().splitlines()[-1]
