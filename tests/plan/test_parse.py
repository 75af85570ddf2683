"""Workload files: the issue's minimal file as written, richer forms, and every mistake named with
its file, line, key and fix."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmprof.errors import ConfigError
from llmprof.plan.parse import load
from llmprof.plan.workload import Chat, Dist, Job, Seconds

Write = Callable[[str, str], Path]
MINIMAL = """\
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


def test_the_minimal_workload_as_written(write: Write) -> None:
    write("sys.txt", "You are a support assistant.")
    workload = load(write("support.yaml", MINIMAL))
    [task] = workload.tasks
    assert (workload.name, task.name, task.kind, task.per_day) == ("support", "support", "conversation", 1000)
    assert isinstance(task.spec, Chat)
    assert (task.spec.turns, task.spec.user.tokens, task.spec.reply) == (6, Dist.of(80), Dist.of(150))
    assert task.spec.system is not None and task.spec.system.files[0].name == "sys.txt"
    assert [m.name for m in workload.models] == ["gpt-4o-mini"]


def test_a_richer_workload(write: Write) -> None:
    write("agent.txt", "You are an agent.")
    write("tools.json", "[]")
    write("docs/a.txt", "a")
    write("docs/b.txt", "b")
    workload = load(
        write(
            "plan.yaml",
            """\
            name: acme
            tasks:
              triage:
                agent: {system: agent.txt, tools: tools.json, user_tokens: {p50: 120, p90: 300}, steps: 3,
                        tool_call_tokens: 40, tool_result_tokens: 600, reply_tokens: 250, tool_time: 2s}
                per_day: 300
              digest:
                job: {prompts: ["docs/*.txt"], system_tokens: 2000, output_tokens: {p50: 200, p90: 350},
                      deadline: 2h}
                total: 1
            models:
              gpt-4o-mini: {rpm: 500, latency: {p50: 1.2s, p90: 2s}}
              claude-sonnet-5-5: {}
            limits: {tpm: 200000, concurrency: 8}
            levers: {caching: true, cache_ttl: 1h, batch: false, max_tokens: 300, keep_last_turns: 4}
            select: {max_p90_latency: 2500ms}
            budgets: {max_cost_per_day: 20, max_job_duration: 4h, percentile: p50, levers: [caching]}
            """,
        )
    )
    agent, digest = workload.tasks
    assert isinstance(agent.spec, Chat) and isinstance(digest.spec, Job)
    assert (agent.kind, agent.spec.turns, agent.spec.steps, agent.spec.user.tokens) == ("agent", 1, 3, Dist(120, 300))
    assert agent.spec.tool_time == Seconds(Decimal(2), Decimal(2))
    assert (digest.spec.prompts, digest.spec.deadline, digest.total) == (("docs/*.txt",), Decimal(7200), 1)
    mini, _ = workload.models
    assert (mini.limits.rpm, mini.latency) == (500, Seconds(Decimal("1.2"), Decimal(2)))
    assert (workload.limits.tpm, workload.limits.concurrency) == (200_000, 8)
    assert (workload.levers.caching, workload.levers.batch, workload.levers.cache_ttl) == ("on", "off", "1h")
    assert workload.max_p90_latency == Decimal("2.5")
    assert (workload.budgets.max_job_duration, workload.budgets.levers) == (Decimal(14400), ("caching",))


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "tasks:\n  s:\n    conversation: {turns: 2, user_tokens: 80, reply_tokens: 150, replies: 3}\n",
            "plan.yaml:3: tasks.s.conversation.replies: unknown key",
            "did you mean 'reply_tokens'?",
        ),
        (
            "tasks:\n  s:\n    conversation:\n      turns: 2\n      user_tokens: -80\n      reply_tokens: 150\n",
            "plan.yaml:5: tasks.s.conversation.user_tokens: must be at least 0, got -80",
            "write a whole number of tokens >= 0, or {p50: N, p90: M}",
        ),
        (
            "tasks:\n  s:\n    conversation:\n      turns: 0\n      user_tokens: 80\n      reply_tokens: 150\n",
            "plan.yaml:4: tasks.s.conversation.turns: must be at least 1, got 0",
            "a conversation has at least 1 turn: write turns: 1 or more",
        ),
        (
            "tasks:\n  s:\n    conversation: {user_tokens: 80, reply_tokens: 150}\n",
            "plan.yaml:3: tasks.s.conversation: missing required key 'turns'",
            "add turns: N, the user messages in one conversation",
        ),
        (
            "tasks:\n  s:\n    job: {prompts: [a.txt]}\n    conversation: {turns: 1, user_tokens: 1}\n",
            "plan.yaml:4: tasks.s.conversation: a task is exactly one of job, conversation or agent: it has job and conversation",
            "e.g. support: {conversation: {system: sys.txt, turns: 6, user_tokens: 80, reply_tokens: 150}}",
        ),
        (
            "tasks:\n  s:\n    conversation: {turns: 1, user_tokens: 1, reply_tokens: {p50: 300, p90: 200}}\n",
            "plan.yaml:3: tasks.s.conversation.reply_tokens.p90: p90 (200) is below p50 (300)",
            "the p90 is at least the p50.",
        ),
        (
            "tasks:\n  s:\n    conversation: {turns: 1, user_tokens: 1, think_time: soon}\n",
            "plan.yaml:3: tasks.s.conversation.think_time: expected a duration, got 'soon'",
            'write e.g. 1.4 (seconds), "250ms", "5m" or "2h"',
        ),
        (
            "tasks:\n  s:\n    conversation: {turns: 1, user_tokens: 1, system: nope.txt}\n",
            None,
            "check the path.",
        ),
        (
            "tasks:\n  s:\n    job: {prompts: [a.txt]}\n    per_day: 2\n    total: 3\n",
            "plan.yaml:5: tasks.s.total: give per_day or total, not both",
            "per_day: tasks a day; total: tasks in all.",
        ),
        (
            "tasks:\n  s:\n    job: {prompts: [a.txt]}\nbudgets: {levers: [cache]}\n",
            "plan.yaml:4: budgets.levers: unknown lever 'cache'",
            "use some of: caching, batch, max_tokens, keep_last_turns.",
        ),
    ],
)
def test_mistakes_name_file_line_key_and_fix(write: Write, text: str, message: str | None, hint: str | None) -> None:
    path = write("plan.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    shown = caught.value.message.replace(str(path), "plan.yaml")
    if message is None:
        assert shown.startswith("plan.yaml:3: tasks.s.conversation.system: no such file: nope.txt")
    else:
        assert shown == message
    assert caught.value.hint == hint


def test_a_conversation_too_long_to_plan_is_refused(write: Write) -> None:
    path = write("plan.yaml", "tasks:\n  s:\n    agent: {turns: 10, steps: 150, user_tokens: 1}\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert (
        caught.value.message == f"{path}:3: tasks.s.agent.steps: 10 turns of 151 calls each make more than 1,000 calls"
    )
    path = write("plan.yaml", "tasks:\n  s:\n    conversation: {turns: 5000, user_tokens: 1}\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert (caught.value.message, caught.value.hint) == (
        f"{path}:3: tasks.s.conversation.turns: must be at most 1,000, got 5,000",
        "write a whole number <= 1,000",
    )
