"""``llmprof plan`` end to end: the issue's worked examples with exact figures, the minimal
workload file as written, profiles from a bench against the built-in mock, and bad workloads."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmprof.bench.resultfile import load
from llmprof.plan.latency import measured
from tests.e2e.conftest import Run
from tests.plan.profile_file import write_profile


def _doc(tmp_path: Path, name: str = "doc.txt", tokens: int = 500) -> Path:
    """A document of exactly ``tokens`` tokens in cl100k_base and o200k_base."""
    path = tmp_path / name
    path.write_text("hello" + " hello" * (tokens - 1), encoding="utf-8")
    return path


def _json(run: Run, *args: str, cwd: Path | None = None, code: int = 0) -> dict[str, Any]:
    done = run("plan", *args, "--format", "json", cwd=cwd)
    assert done.returncode == code, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


SPRING_2023 = ["-m", "gpt-3.5-turbo", "--as-of", "2023-04-01", "--output-tokens", "200", "--requests", "10000"]


def test_ten_thousand_documents_under_a_50_rpm_limit(run: Run, tmp_path: Path) -> None:
    # 10,000 x (500 in + 200 out) at $0.002 / 1K in and out: $14.00; 10,000 / 50 a minute = 200 min
    _doc(tmp_path)
    doc = _json(run, "doc.txt", *SPRING_2023, "--rpm", "50")
    [result] = doc["results"]
    p50 = result["p50"]
    assert (p50["calls"], p50["input_tokens"], p50["output_tokens"]) == (10_000, 5_000_000, 2_000_000)
    assert p50["cost_per_task_usd"] == result["p90"]["cost_per_task_usd"] == "14"
    assert p50["duration"]["seconds"] == "12000"  # 200 minutes
    assert p50["duration"]["binding"] == "rpm"
    assert p50["duration"]["verdict"] == (
        "RPM binds: 10,000 requests at 50 a minute take at least 12,000 s (200 min = 3 h 20 min)"
    )
    assert doc["pricing"]["as_of"] == "2023-04-01"

    table = run("plan", "doc.txt", *SPRING_2023, "--rpm", "50")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == "Workload plan: doc.txt (p50 / p90)"
    assert [c.strip() for c in lines[4].split("│")[1:-1]] == [
        "doc.txt", "gpt-3.5-turbo", "10,000", "5,000,000", "exact", "2,000,000", "$14.00", "3 h 20 min (RPM)",
    ]  # fmt: skip
    version = doc["pricing"]["version"]
    assert lines[6:9] == [
        f"Prices: pricing table {version} (checked {doc['pricing']['date']}), as of 2023-04-01; each call priced on "
        "its own (long-context tiers included), standard rates unless a lever says otherwise.",
        "p50 / p90: the whole task with every size and output at its p50, then at its p90 (one figure where they agree).",
        "doc.txt: output 200 tokens a request (given).",
    ]
    assert (
        "doc.txt │ gpt-3.5-turbo │ 10,000 │ 3 h 20 min │ RPM binds: 10,000 requests at 50 a minute take at least 12,000 s (200 min = 3 h 20 min) │"
        in table.stdout
    )
    assert "│ doc.txt │ gpt-3.5-turbo │ batch API │ a task │ $14.00 │       - │  not available │" in table.stdout
    assert (
        "doc.txt on gpt-3.5-turbo, batch API: gpt-3.5-turbo has no batch rates (prices since 2023-03-01)."
        in table.stdout
    )


def test_with_a_latency_of_1_4_s_at_concurrency_1_latency_binds(run: Run, tmp_path: Path) -> None:
    _doc(tmp_path)
    doc = _json(run, "doc.txt", *SPRING_2023, "--rpm", "50", "--latency", "1.4s", "--concurrency", "1")
    duration = doc["results"][0]["p50"]["duration"]
    assert duration["binding"] == "latency"
    assert Decimal(duration["seconds"]) == 10_000 * Decimal("1.4") == 14_000
    assert duration["verdict"] == (
        "latency binds: 10,000 requests × 1.4 s one at a time (concurrency 1) = 14,000 s (233.3 min = 3 h 53 min 20 s)"
    )
    assert [(b["name"], b["seconds"]) for b in duration["bounds"]] == [("latency", "14000"), ("rpm", "12000")]
    assert duration["pressure"] == ["RPM: at most 43 requests/min, 86% of the 50 limit: no 429 pressure"]
    assert doc["results"][0]["p50"]["cost_per_task_usd"] == "14"


def test_a_folder_of_prompts_each_once(run: Run, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for i in range(3):
        _doc(tmp_path / "docs", f"d{i}.txt", 500)
    doc = _json(run, "docs", "-m", "gpt-4o-mini", "--output-tokens", "200", "--rpm", "50")
    p50 = doc["results"][0]["p50"]
    # 3 x (500 x $0.15 + 200 x $0.60) per 1M
    assert (p50["calls"], p50["cost_per_task_usd"], p50["duration"]["seconds"]) == (3, "0.000585", "3.6")


CONVERSATION = """\
tasks:
  chat:
    conversation:
      system_tokens: 1000
      turns: 8
      user_tokens: 100
      reply_tokens: 200
      think_time: 30s
    per_day: 100
models: [gpt-4o-mini, claude-sonnet-5-5]
latency: 2s
"""


def test_an_8_turn_conversation_grows_and_caching_on_claude_matches_the_hand_computation(
    run: Run, tmp_path: Path
) -> None:
    (tmp_path / "chat.yaml").write_text(CONVERSATION)
    doc = _json(run, "chat.yaml", "--per-turn")
    mini, claude = doc["results"]
    # OpenAI framing: 3 tokens a message + its role (1 token) + 3 priming. Turn k sends the system
    # message (1,004), k user messages (104 each) and k-1 replies (204 each): 803 + 308 k.
    assert [t["input_tokens"] for t in mini["turns"]] == [803 + 308 * k for k in range(1, 9)]
    assert mini["p50"]["input_tokens"] == 8 * 803 + 308 * 36 == 17_512  # quadratic in the turns
    assert mini["count"] == "exact"
    # On Claude the framing is the same stand-in, its roles 2 tokens each (o200k_base x 1.65): 805 + 310 k
    claude_turns = [t["input_tokens"] for t in claude["turns"]]
    assert claude_turns == [803 + 310 * k for k in range(1, 9)]
    assert claude["count"] == "approx" and claude["count_range_pct"] == 18
    # Plain: 17,584 in at $2 + 1,600 out at $10 per 1M
    assert claude["p50"]["cost_per_task_usd"] == "0.051168"
    [caching] = [lever for lever in claude["levers"] if lever["lever"] == "caching"]
    assert caching["label"] == "caching (5m)"
    # Cached: call 1 writes its prompt (1,110 tokens); call k reads call k-1's (800 + 310 (k-1)) and
    # writes the last reply and the new message (310); the 3 priming tokens of each call stay input.
    reads = sum(800 + 310 * j for j in range(1, 8))
    writes = 1110 + 7 * 310
    assert (reads, writes) == (14_280, 3_280)
    assert [(t["cached_tokens"], t["written_tokens"]) for t in claude["turns"]] == [(0, 1110)] + [
        (800 + 310 * j, 310) for j in range(1, 8)
    ]
    by_hand = (24 * Decimal(2) + reads * Decimal("0.10") + writes * Decimal("2.50") + 1600 * Decimal(10)) / 10**6
    assert Decimal(caching["p50"]["cost_per_task_usd"]) == by_hand == Decimal("0.025676")
    assert Decimal(caching["saving_p50_usd"]) == Decimal("0.051168") - by_hand == Decimal("0.025492")
    assert caching["saving_pct"] == "49.8"
    assert caching["p50"]["cost_per_day_usd"] == "2.5676"
    assert caching["notes"] == [
        "writes cost more than input: a written token pays off after 1 read within 5m",
        "longest time between calls 32 s, within the 5m lifetime",
    ]
    assert claude["stacked"] == [
        {
            "lever": "caching",
            "label": "caching (5m)",
            "before_p50_usd": "0.051168",
            "after_p50_usd": "0.025676",
            "before_p90_usd": "0.051168",
            "after_p90_usd": "0.025676",
            "saving_pct_of_remaining": "49.8",
        }
    ]

    table = run("plan", "chat.yaml", "--per-turn")
    assert table.returncode == 0, table.stderr
    assert "Ranked, chat on claude-sonnet-5-5: caching (5m) saves 49.8% ($2.55 a day) at p50." in table.stdout
    assert (
        "Input grows by 310 tokens a turn (the last reply and the new message, framed): linear per call, quadratic in total."
        in table.stdout
    )
    assert (
        "│ TOTAL │       17,584 │         1,600 │  $0.05117 │     14,280 │       3,280 │           $0.02568 │"
        in table.stdout
    )


def test_the_minimal_workload_file_as_written(run: Run, tmp_path: Path) -> None:
    _doc(tmp_path, "sys.txt", 15)
    (tmp_path / "support.yaml").write_text(
        textwrap.dedent(
            """\
            tasks:
              support:
                conversation:
                  system: sys.txt
                  turns: 6
                  user_tokens: 80
                  reply_tokens: 150
                per_day: 1000
            models: [gpt-4o-mini]
            """
        )
    )
    doc = _json(run, "support.yaml")
    [result] = doc["results"]
    # the system message: 15 tokens + 4 framing; turn k: 19 + 84 k + 154 (k - 1) + 3
    assert [t["input_tokens"] for t in result["turns"]] == [-132 + 238 * k for k in range(1, 7)]
    p50 = result["p50"]
    assert (p50["calls"], p50["input_tokens"], p50["output_tokens"]) == (6, 4206, 900)
    assert p50["cost_per_task_usd"] == str((4206 * Decimal("0.15") + 900 * Decimal("0.60")) / 10**6)
    assert p50["cost_per_day_usd"] == "1.1709"
    assert p50["cost_per_month_usd"] == "35.127"
    assert doc["warnings"] == ["gpt-4o-mini shuts down on 2027-01-14, in 54 days"]


def test_a_profile_from_a_bench_against_the_mock_drives_output_and_duration(run: Run, tmp_path: Path) -> None:
    bench = run(
        "bench", "-m", "gpt-4o-mini", "--mock-preset", "fast", "--runs", "5", "--cells", "100x10,100x50",
        "--concurrency", "1", "--seed", "7", "--out", "run.json", "-q",
    )  # fmt: skip
    assert bench.returncode == 0, bench.stderr
    _doc(tmp_path)
    doc = _json(
        run, "doc.txt", "-m", "gpt-4o-mini", "--requests", "1000", "--profile", "run.json", "--concurrency", "4"
    )
    [result] = doc["results"]
    # the mock produced exactly 10 and 50 tokens, five of each: p50 30, p90 50
    assert (result["p50"]["output_tokens"], result["p90"]["output_tokens"]) == (30_000, 50_000)
    assert "doc.txt on gpt-4o-mini: output 30 (p50) / 50 (p90) tokens a call, measured in run.json" in result["notes"]
    # the duration is the profile's latency model, summed and shared by 4 connections
    ok = [r for r in load(tmp_path / "run.json").measured if r.ok]
    model, _ = measured(
        [float(r.input_tokens_api or 0) for r in ok], [float(r.output_tokens or 0) for r in ok],
        [float(r.e2e_s or 0) for r in ok], "run.json",
    )  # fmt: skip
    latency = result["latency_model"]
    assert (Decimal(latency["fixed_s"]), Decimal(latency["per_output_token_s"])) == (model.fixed, model.per_output)
    for q, out in (("p50", 30), ("p90", 50)):
        duration = result[q]["duration"]
        assert duration["binding"] == "concurrency"
        assert Decimal(duration["seconds"]) == 1000 * model.seconds(500, out, q) / 4  # type: ignore[arg-type]


def test_a_written_profile_gives_exact_durations(run: Run, tmp_path: Path) -> None:
    rows = [(500, out, 0.5 + 0.01 * out + noise) for out in (20, 60) for noise in (0.0, 0.02, -0.02)]
    write_profile(tmp_path / "run.json", "gpt-4o-mini", rows)
    _doc(tmp_path)
    doc = _json(
        run, "doc.txt", "-m", "gpt-4o-mini", "--requests", "1000", "--profile", "run.json", "--concurrency", "4"
    )
    [result] = doc["results"]
    assert result["latency_model"] == {
        "source": "run.json",
        "fixed_s": "0.5",
        "per_input_token_s": "0",
        "per_output_token_s": "0.01",
        "offset_p50_s": "0",
        "offset_p90_s": "0.02",
    }
    # p50: 40 tokens out, 0.5 + 0.4 = 0.9 s each; p90: 60 out, 0.5 + 0.6 + 0.02 = 1.12 s
    assert (result["p50"]["output_tokens"], result["p90"]["output_tokens"]) == (40_000, 60_000)
    assert (result["p50"]["duration"]["seconds"], result["p90"]["duration"]["seconds"]) == ("225", "280")


def _plan_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "plan.yaml").write_text(textwrap.dedent(text))


def _error(run: Run, tmp_path: Path, *args: str) -> list[str]:
    done = run("plan", *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.splitlines()


def test_bad_workloads_exit_2_with_file_key_and_fix(run: Run, tmp_path: Path) -> None:
    _plan_file(
        tmp_path,
        "tasks:\n  s:\n    conversation: {turns: 2, user_tokens: 80, reply_tokns: 150}\nmodels: [gpt-4o-mini]\n",
    )
    assert _error(run, tmp_path, "plan.yaml") == [
        "error: plan.yaml:3: tasks.s.conversation.reply_tokns: unknown key",
        "  hint: did you mean 'reply_tokens'?",
    ]
    _plan_file(tmp_path, "tasks:\n  s:\n    conversation:\n      turns: 2\n      user_tokens: -80\n")
    assert _error(run, tmp_path, "plan.yaml") == [
        "error: plan.yaml:5: tasks.s.conversation.user_tokens: must be at least 0, got -80",
        "  hint: write a whole number of tokens >= 0, or {p50: N, p90: M}",
    ]
    _plan_file(tmp_path, "tasks:\n  s:\n    conversation:\n      turns: 0\n      user_tokens: 80\n")
    assert _error(run, tmp_path, "plan.yaml") == [
        "error: plan.yaml:4: tasks.s.conversation.turns: must be at least 1, got 0",
        "  hint: a conversation has at least 1 turn: write turns: 1 or more",
    ]
    _plan_file(tmp_path, "tasks:\n  s:\n    conversation: {turns: 2, user_tokens: 80}\nmodels: [gpt-4o-mini]\n")
    assert _error(run, tmp_path, "plan.yaml") == [
        "error: plan.yaml:3: tasks.s.conversation: no reply length for gpt-4o-mini",
        "  hint: give reply_tokens: N (or {p50: N, p90: M}), or a --profile / responses: file to measure it.",
    ]
    _plan_file(
        tmp_path,
        "tasks:\n  s:\n    conversation: {turns: 2, user_tokens: 80, reply_tokens: 9}\nmodels: [gpt-4o-mimi]\n",
    )
    assert _error(run, tmp_path, "plan.yaml") == [
        "error: plan.yaml:4: models: unknown model 'gpt-4o-mimi'",
        "  hint: did you mean gpt-4o-mini, gpt-5.4-mini, gpt-4.1-mini?",
    ]


def test_a_profile_for_another_model_exits_2(run: Run, tmp_path: Path) -> None:
    write_profile(tmp_path / "run.json", "gpt-4o", [(100, 20, 0.5), (100, 60, 0.9), (100, 20, 0.52)])
    _plan_file(
        tmp_path,
        "tasks:\n  s:\n    conversation: {turns: 2, user_tokens: 80, reply_tokens: 9}\nmodels: [gpt-4o-mini]\n",
    )
    assert _error(run, tmp_path, "plan.yaml", "--profile", "run.json") == [
        "error: run.json: a profile for gpt-4o, which this plan does not compare (gpt-4o-mini)",
        "  hint: add -m gpt-4o (or list it in models:), or pass a bench result of a model you compare.",
    ]
    _plan_file(
        tmp_path,
        """\
        tasks:
          s:
            conversation: {turns: 2, user_tokens: 80, reply_tokens: 9}
        models:
          gpt-4o-mini: {profile: run.json}
        """,
    )
    assert _error(run, tmp_path, "plan.yaml") == [
        "error: plan.yaml:4: models: gpt-4o-mini: profile run.json is a bench of gpt-4o",
        "  hint: give gpt-4o-mini a bench result of gpt-4o-mini, or move the profile under gpt-4o.",
    ]


def test_a_missing_rate_asked_for_is_named_and_the_other_models_still_shown(run: Run, tmp_path: Path) -> None:
    _doc(tmp_path)
    done = run(
        "plan", "doc.txt", "-m", "gpt-3.5-turbo", "-m", "gpt-4-32k", "--as-of", "2024-06-01",
        "--output-tokens", "200", "--batch", "on",
    )  # fmt: skip
    assert done.returncode == 2
    assert "│ doc.txt │ gpt-3.5-turbo │ batch API │ a task │" in done.stdout
    assert "│ doc.txt │ gpt-4-32k     │ batch API │ a task │" in done.stdout
    assert done.stderr.splitlines()[-2:] == [
        "error: not priced: doc.txt on gpt-4-32k: batch API: not priced: gpt-4-32k has no batch rates (prices since "
        + done.stderr.split("prices since ")[1].split(")")[0]
        + ")",
        "  hint: drop those models or levers, or add the missing rate with --pricing.",
    ]


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_order",
            "description": "Look up an order by its id.",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string", "description": "The order id"}},
                "required": ["order_id"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "refund",
            "description": "Refund an order.",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string"}, "amount": {"type": "number"}},
            },
        },
    },
]
AGENT = """\
tasks:
  triage:
    agent:
      system_tokens: 200
      tools: tools.json
      user_tokens: 120
      steps: 2
      tool_call_tokens: 40
      tool_result_tokens: 600
      reply_tokens: 250
    per_day: 300
models: [gpt-4o-mini]
budgets: {max_cost_per_day: 0.10}
"""


def test_an_agent_loop_and_a_budget_that_fails(run: Run, tmp_path: Path) -> None:
    (tmp_path / "tools.json").write_text(json.dumps(TOOLS))
    (tmp_path / "agent.yaml").write_text(AGENT)
    doc = _json(run, "agent.yaml", "--cache", "off", code=1)
    [result] = doc["results"]
    # 69 tokens of tool definitions (the cookbook's rule) + system 204 + user 124 + 3; each step
    # adds its tool call (40 + 4) and the tool's result (600 + 4)
    assert [(t["step"], t["input_tokens"], t["output_tokens"]) for t in result["turns"]] == [
        (1, 400, 40),
        (2, 1048, 40),
        (0, 1696, 250),
    ]
    assert result["count"] == "approx"  # no provider publishes how tool calls are framed
    # (3,144 in x $0.15 + 330 out x $0.60) per 1M, 300 a day
    assert (result["p50"]["cost_per_task_usd"], result["p50"]["cost_per_day_usd"]) == ("0.0006696", "0.20088")
    assert doc["budgets"] == [
        {
            "budget": "max_cost_per_day",
            "subject": "triage on gpt-4o-mini (p90)",
            "limit": "0.1",
            "actual": "0.20088",
            "unit": "usd",
            "status": "fail",
            "note": None,
        }
    ]
    done = run("plan", "agent.yaml", "--cache", "off")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-2:] == [
        "error: 1 budget(s) exceeded: max_cost_per_day (triage on gpt-4o-mini (p90))",
        "  hint: see the Budgets table above.",
    ]
    markdown = run("plan", "agent.yaml", "--cache", "off", "--format", "markdown")
    assert markdown.stdout.startswith("### Workload plan: agent (p50 / p90)\n\n| Task | Model | Calls |")
    csv = run("plan", "agent.yaml", "--cache", "off", "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("task,model,count,lower_bound,pricing_version,as_of,variant,unavailable,")
    assert csv[1].startswith("triage,gpt-4o-mini,approx,,")


def test_output_lengths_from_saved_responses(run: Run, tmp_path: Path) -> None:
    lines = [
        {"model": "gpt-4o-mini", "usage": {"prompt_tokens": 9, "completion_tokens": n}} for n in range(100, 600, 100)
    ]
    (tmp_path / "replies.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    _doc(tmp_path)
    doc = _json(run, "doc.txt", "-m", "gpt-4o-mini", "--requests", "10", "--responses", "replies.jsonl")
    [result] = doc["results"]
    # 100 .. 500 tokens: p50 300, p90 460 (linear interpolation)
    assert (result["p50"]["output_tokens"], result["p90"]["output_tokens"]) == (3000, 4600)
    assert (
        "doc.txt on gpt-4o-mini: output 300 (p50) / 460 (p90) tokens a call, measured in replies.jsonl"
        in result["notes"]
    )


def test_model_selection_under_a_p90_latency_limit(run: Run, tmp_path: Path) -> None:
    (tmp_path / "pick.yaml").write_text(
        textwrap.dedent(
            """\
            tasks:
              chat:
                conversation: {turns: 4, user_tokens: 100, reply_tokens: 200}
                per_day: 1000
            models:
              gpt-4o-mini: {latency: {p50: 1s, p90: 3s}}
              gpt-4.1-mini: {latency: {p50: 0.8s, p90: 1.5s}}
              claude-sonnet-5-5: {}
            select: {max_p90_latency: 2s}
            """
        )
    )
    doc = _json(run, "pick.yaml")
    picks = {
        c["model"]: (c["meets_limits"], c["cheapest"], c["p90_latency_s"], c["problems"]) for c in doc["selection"]
    }
    assert picks == {
        "gpt-4o-mini": (False, False, "3", ["p90 latency 3 s is over 2 s"]),
        "gpt-4.1-mini": (True, True, "1.5", []),
        "claude-sonnet-5-5": (
            False,
            False,
            None,
            ["p90 latency unknown: give it a --profile (a bench result) or a latency"],
        ),
    }
    assert doc["selection"][0]["model"] == "gpt-4o-mini"  # ranked by cost: listed, not decided


def test_the_readme_profile_commands_run_as_shown(run: Run, tmp_path: Path) -> None:
    import re
    import shlex
    import shutil

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Profiles from a bench", 1)[1]
    [block] = re.findall(r"```bash\n(.*?)```", section, flags=re.S)[:1]
    (tmp_path / "examples" / "prompts").mkdir(parents=True)
    shutil.copy(root / "examples" / "prompts" / "review-500.txt", tmp_path / "examples" / "prompts")
    for line in block.strip().splitlines():
        done = run(*shlex.split(line.removeprefix("llmprof ")))
        assert done.returncode == 0, (line, done.stderr)
    assert (
        "review-500.txt on gpt-4o-mini: output 30 (p50) / 50 (p90) tokens a call, measured in run.json." in done.stdout
    )


def test_a_conversation_that_outgrows_the_context_window_is_warned_about(run: Run, tmp_path: Path) -> None:
    (tmp_path / "long.yaml").write_text(
        "tasks:\n  s:\n    conversation: {turns: 100, user_tokens: 500, reply_tokens: 1000}\nmodels: [gpt-4o-mini]\n"
    )
    done = run("plan", "long.yaml", "--keep-last-turns", "20")
    assert done.returncode == 0, done.stderr
    # turn 100: 100 messages of 500 + 4, 99 replies of 1,000 + 4, 3 to prime the reply
    assert done.stderr.splitlines()[-1] == (
        "warning: s on gpt-4o-mini: a call of 149,799 prompt + 1,000 output tokens (p90) exceeds its context window "
        "of 128,000: the API would refuse it (--keep-last-turns trims)"
    )
    assert "│ s    │ gpt-4o-mini │ last 20 turns │ a task │" in done.stdout
