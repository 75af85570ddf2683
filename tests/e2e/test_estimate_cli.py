"""The installed CLI, end to end: worked examples from the seed material, exact output, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import BIN, Run


def _prompt(tmp_path: Path, name: str, tokens: int) -> Path:
    """A prompt of exactly ``tokens`` tokens in both cl100k_base and o200k_base."""
    path = tmp_path / name
    path.write_text("hello" + " hello" * (tokens - 1), encoding="utf-8")
    return path


def test_gpt4_32k_2023_worked_example(run: Run, tmp_path: Path) -> None:
    # 10,000 prompt tokens + 200 output on gpt-4-32k at 2023 prices ($0.06 / $0.12 per 1K):
    # $0.624 per request, $312 for 500 requests.
    _prompt(tmp_path, "prompt.txt", 10_000)
    args = [
        "prompt.txt",
        "-m",
        "gpt-4-32k",
        "--as-of",
        "2023-06-01",
        "--output-tokens",
        "200",
        "--requests",
        "500",
    ]
    done = run("estimate", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    [total] = doc["totals"]
    assert (total["input_tokens"], total["output_tokens"]) == (10_000, 200)
    assert (total["input_cost_usd"], total["output_cost_usd"]) == ("0.6", "0.024")
    assert total["cost_per_request_usd"] == "0.624"
    assert total["projected_usd"] == "312"
    assert doc["pricing"]["as_of"] == "2023-06-01"

    table = run("estimate", *args)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == "Cost estimate: prompt.txt"
    assert lines[4].split("│")[1:-1] == [
        " gpt-4-32k ",
        "    10,000 ",
        " exact ",
        "        200 ",
        " $0.60 ",
        " $0.024 ",
        "      $0.624 ",
        "        $312.00 ",
    ]
    version = doc["pricing"]["version"]
    assert lines[6:] == [
        f"Prices: pricing table {version} (checked {doc['pricing']['date']}), as of 2023-06-01.",
        "Output tokens: 200 per request (your --output-tokens estimate).",
    ]


def test_gpt35_turbo_10k_requests_cost_14_dollars(run: Run, tmp_path: Path) -> None:
    # 10,000 requests of 500 input + 200 output tokens at $0.002 / 1K (spring 2023): $14.00.
    prompt = _prompt(tmp_path, "p.txt", 500)
    done = run(
        "estimate",
        str(prompt),
        "-m",
        "gpt-3.5-turbo",
        "--as-of",
        "2023-04-01",
        "--output-tokens",
        "200",
        "--requests",
        "10000",
        "--format",
        "csv",
    )
    assert done.returncode == 0, done.stderr
    header, _row, total = done.stdout.splitlines()
    record = dict(zip(header.split(","), total.split(","), strict=True))
    assert record["projected_usd"] == "14"
    assert record["cost_per_request_usd"] == "0.0014"
    assert (
        "$14.00"
        in run(
            "estimate",
            str(prompt),
            "-m",
            "gpt-3.5-turbo",
            "--as-of",
            "2023-04-01",
            "--output-tokens",
            "200",
            "--requests",
            "10000",
        ).stdout
    )


def test_works_offline_with_an_empty_tiktoken_cache(run: Run, tmp_path: Path, offline_env: dict[str, str]) -> None:
    prompt = tmp_path / "p.txt"
    prompt.write_text("The quick brown fox jumps over the lazy dog.")
    done = run("estimate", str(prompt), "-m", "gpt-4o", "-m", "gpt-3.5-turbo", "--format", "json")
    assert done.returncode == 0, done.stderr
    counts = {r["model"]: r["input_tokens"] for r in json.loads(done.stdout)["rows"]}
    assert counts == {"gpt-4o": 10, "gpt-3.5-turbo": 10}
    assert list(Path(offline_env["TIKTOKEN_CACHE_DIR"]).iterdir()) == []


def test_the_network_guard_really_blocks(offline_env: dict[str, str]) -> None:
    code = "import socket; socket.create_connection(('93.184.216.34', 80), timeout=1)"
    done = subprocess.run([sys.executable, "-c", code], env=offline_env, capture_output=True, text=True)
    assert "network access blocked by the test" in done.stderr


def test_stdout_is_clean_json_and_notes_go_to_stderr(run: Run, tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "a.txt").write_text("hello")
    (prompts / "logo.png").write_bytes(b"\x89PNG\x00\x00")
    done = run("estimate", str(prompts), "-m", "gpt-4o-mini", "--format", "json")
    assert done.returncode == 0
    doc = json.loads(done.stdout)
    assert doc["rows"][0]["input_tokens"] == 1
    assert doc["warnings"] == ["gpt-4o-mini shuts down on 2027-01-14, in 54 days"]
    assert done.stderr == (
        f"note: skipped 1 binary file(s) under {prompts}: {prompts / 'logo.png'}\n"
        "warning: gpt-4o-mini shuts down on 2027-01-14, in 54 days\n"
    )
    quiet = run("estimate", str(prompts), "-m", "gpt-4o-mini", "--quiet")
    assert quiet.stderr == "warning: gpt-4o-mini shuts down on 2027-01-14, in 54 days\n"  # warnings still speak


def test_stdin_and_chat_jsonl(run: Run, tmp_path: Path) -> None:
    done = run("estimate", "-", "-m", "gpt-4o", "--format", "json", input="hello world")
    assert json.loads(done.stdout)["rows"][0]["input_tokens"] == 2
    batch = tmp_path / "batch.jsonl"
    line = {
        "custom_id": "1",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello world"}]},
    }
    batch.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n")
    doc = json.loads(run("estimate", str(batch), "--format", "json").stdout)
    [row] = doc["rows"]
    assert (row["model"], row["requests"], row["input_tokens"]) == ("gpt-4o-mini", 2, 2 * (3 + 1 + 2 + 3))


def test_unknown_model_exits_2_with_suggestions_and_no_traceback(run: Run, tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("x")
    done = run("estimate", "p.txt", "-m", "gpt-4-32kk")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: unknown model 'gpt-4-32kk'\n  hint: did you mean gpt-4-32k")
    assert "Traceback" not in done.stderr


def test_max_cost_exits_1_naming_model_and_excess(run: Run, tmp_path: Path) -> None:
    prompt = _prompt(tmp_path, "p.txt", 10_000)
    done = run(
        "estimate",
        str(prompt),
        "-m",
        "gpt-4-32k",
        "--as-of",
        "2023-06-01",
        "--output-tokens",
        "200",
        "--requests",
        "500",
        "--max-cost",
        "300",
    )
    assert done.returncode == 1
    assert "$312.00" in done.stdout  # the table still prints
    assert "error: projected cost exceeds --max-cost $300.00: gpt-4-32k $312.00 is $12.00 over" in done.stderr


def test_bad_input_messages(run: Run, tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes(b"caf\xe9")
    done = run("estimate", "latin.txt", "-m", "gpt-4o")
    assert done.returncode == 2
    assert "error: latin.txt:1: not valid utf-8 text" in done.stderr
    assert run("estimate", "latin.txt", "-m", "gpt-4o", "--encoding", "latin-1").returncode == 0
    assert run("estimate", "missing.txt", "-m", "gpt-4o").stderr == (
        "error: missing.txt: no such file or directory\n  hint: check the path.\n"
    )
    bad_date = run("estimate", "latin.txt", "--as-of", "2023-02-30")
    assert bad_date.returncode == 2 and "is not a date" in bad_date.stderr
    negative = run("estimate", "latin.txt", "--requests", "-1")
    assert negative.returncode == 2 and "--requests" in negative.stderr


def test_empty_prompt_is_zero_tokens_and_says_output_is_zero(run: Run, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    done = run("estimate", "empty.txt", "-m", "gpt-4o")
    assert done.returncode == 0
    assert "│ gpt-4o │         0 │" in done.stdout
    assert "Output tokens: 0, so no completion is priced; pass --output-tokens N for the reply." in done.stdout


def test_broken_user_pricing_file_names_file_and_line(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "schema_version: 1\nmodels:\n  gpt-4o:\n    prices:\n      - since: 2026-01-01\n        input: two\n        output: 8\n"
    )
    done = run("estimate", "-", "-m", "gpt-4o", "--pricing", str(bad), input="x")
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {bad}:6: models.gpt-4o.prices[0].input: expected a number, got 'two'")
    assert run("pricing", "validate", str(bad)).returncode == 2


def test_user_pricing_overlay_is_recorded_in_the_output(run: Run, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "schema_version: 1\nversion: acme\nmodels:\n  gpt-4o:\n    prices:\n"
        "      - {since: 2026-01-01, input: 1.00, output: 4.00}\n"
    )
    doc = json.loads(
        run(
            "estimate",
            "-",
            "-m",
            "gpt-4o",
            "--pricing",
            str(mine),
            "--format",
            "json",
            "--as-of",
            "2026-06-01",
            input="hello",
        ).stdout
    )
    assert doc["pricing"]["version"].endswith("+acme")
    assert doc["pricing"]["files"][1]["path"] == str(mine)
    assert doc["totals"][0]["input_cost_usd"] == "0.000001"


def test_pricing_commands(run: Run) -> None:
    listed = run("pricing", "list", "--format", "json")
    assert listed.returncode == 0
    names = {m["model"] for m in json.loads(listed.stdout)["models"]}
    assert {"gpt-4o", "gpt-4o-mini"} <= names
    shown = run("pricing", "show", "gpt-3.5-turbo", "--as-of", "2023-04-01")
    assert "2023-03-01" in shown.stdout and "in force on 2023-04-01" in shown.stdout
    assert run("pricing", "validate").stdout.startswith("ok: ")
    assert run("pricing", "show", "nope-model").returncode == 2


def test_help_does_not_load_a_tokenizer() -> None:
    code = (
        "import sys\nfrom llmprof.cli.app import run\n"
        "assert run(['--help']) == 0\nassert run(['pricing', 'show', 'gpt-4o']) == 0\n"
        "print('tiktoken' in sys.modules, 'httpx' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "False False"


def test_python_dash_m_and_version() -> None:
    done = subprocess.run([sys.executable, "-m", "llmprof", "--version"], capture_output=True, text=True)
    assert done.stdout.startswith("llmprof ")
    assert (BIN / "llmprof").exists()


def test_the_project_configs_pricing_applies_to_estimate(run: Run, tmp_path: Path) -> None:
    (tmp_path / "rates.yaml").write_text(
        "schema_version: 1\nversion: team\nmodels:\n  gpt-4o:\n    prices:\n      - {since: 2026-01-01, input: 1.00, output: 4.00}\n"
    )
    (tmp_path / "llmprof.yaml").write_text("pricing: rates.yaml\n")
    doc = json.loads(run("estimate", "-", "-m", "gpt-4o", "--format", "json", input="hello").stdout)
    assert doc["pricing"]["version"].endswith("+team")
    assert doc["totals"][0]["input_cost_usd"] == "0.000001"


def test_embedding_models_bill_input_only(run: Run) -> None:
    done = run(
        "estimate", "-m", "text-embedding-3-small", "--output-tokens", "100", "--format", "json", input="hello world"
    )
    [row] = json.loads(done.stdout)["rows"]
    assert (row["kind"], row["input_tokens"], row["output_tokens"], row["count"]) == ("embedding", 2, 0, "exact")
    assert (row["input_cost_usd"], row["output_cost_usd"]) == ("0.00000004", "0")  # 2 x $0.02 / 1M
    table = run("estimate", "-m", "text-embedding-3-small", input="hello world").stdout
    assert "│ text-embedding-3-small │         2 │ exact │          - │ $0.00000004 │      - │" in table
    assert "text-embedding-3-small: embedding model, input only." in table
    assert "Output tokens" not in table


def test_the_table_lists_at_least_120_models_with_history(run: Run) -> None:
    models = json.loads(run("pricing", "list", "--format", "json").stdout)["models"]
    assert len(models) >= 120
    shown = run("pricing", "show", "deepseek-flash").stdout
    assert "│ 2026-09-10 │ standard" in shown and "│ 2026-04-24 │ standard" in shown
