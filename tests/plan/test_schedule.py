"""A task -> its calls: conversations grow linearly per call and quadratically in total."""

from __future__ import annotations

import itertools

from llmprof.plan.schedule import JobPrompt, capped, chat_calls, job_calls
from llmprof.plan.workload import Chat, Dist, Text
from llmprof.pricing import PriceTable
from tests.plan.helpers import FRAMING, conversation


def test_each_turn_resends_the_history_framing_included(table: PriceTable) -> None:
    inputs = conversation(table.resolve("mini"))
    assert inputs.chat is not None and isinstance(inputs.task.spec, Chat)
    calls = chat_calls(inputs.task.spec, inputs.chat, "p50", Dist.of(200), 0)
    # system 1,000 + 4 framing; each user turn 100 + 4; each reply 200 + 4; 3 to prime the reply
    inputs_by_turn = [c.input for c in calls]
    assert inputs_by_turn == [1111, 1419, 1727, 2035, 2343, 2651, 2959, 3267]
    assert {b - a for a, b in itertools.pairwise(inputs_by_turn)} == {308}  # linear
    assert sum(inputs_by_turn) == 8 * 803 + 308 * (8 * 9 // 2) == 17_512  # quadratic in the turns
    assert [c.output for c in calls] == [200] * 8
    assert [b.key for b in calls[2].blocks] == ["system", "u1", "a1", "u2", "a2", "u3"]
    assert calls[2].static == 1


def test_agent_steps_add_tool_calls_and_results(table: PriceTable) -> None:
    inputs = conversation(table.resolve("mini"), turns=1, steps=2, tool_call=40, tool_result=600, reply=Dist.of(250))
    assert inputs.chat is not None and isinstance(inputs.task.spec, Chat)
    calls = chat_calls(inputs.task.spec, inputs.chat, "p50", Dist.of(250), 0)
    assert [(c.turn, c.step, c.output) for c in calls] == [(1, 1, 40), (1, 2, 40), (1, 0, 250)]
    assert [c.input for c in calls] == [1111, 1111 + 44 + 604, 1111 + 2 * (44 + 604)]
    assert [b.key for b in calls[2].blocks] == ["system", "u1", "c1.1", "r1.1", "c1.2", "r1.2"]


def test_keeping_the_last_turns_drops_older_ones(table: PriceTable) -> None:
    inputs = conversation(table.resolve("mini"), turns=4)
    assert inputs.chat is not None and isinstance(inputs.task.spec, Chat)
    calls = chat_calls(inputs.task.spec, inputs.chat, "p50", Dist.of(200), 0, keep_last_turns=1)
    assert [b.key for b in calls[3].blocks] == ["system", "u3", "a3", "u4"]
    assert [c.input for c in calls] == [1111, 1419, 1419, 1419]


def test_an_output_cap_cuts_replies_and_the_history_they_join(table: PriceTable) -> None:
    inputs = conversation(table.resolve("mini"), turns=3)
    assert inputs.chat is not None and isinstance(inputs.task.spec, Chat)
    calls = chat_calls(inputs.task.spec, inputs.chat, "p50", Dist.of(200), 0, cap=150)
    assert [c.output for c in calls] == [150, 150, 150]
    assert [c.input for c in calls] == [1111, 1111 + 154 + 104, 1111 + 2 * (154 + 104)]


def test_reasoning_counts_against_the_cap_first() -> None:
    assert capped(200, 120, 150) == (30, 120)
    assert capped(200, 400, 150) == (0, 150)
    assert capped(200, 10, None) == (200, 10)


def test_percentiles_pick_each_size() -> None:
    spec = Chat(user=Text(Dist(100, 300)), turns=2, reply=Dist(200, 500))
    from llmprof.plan.schedule import ChatSizes

    sizes = ChatSizes(FRAMING, None, 0, Dist(100, 300), Dist.of(0))
    p90 = chat_calls(spec, sizes, "p90", Dist(200, 500), 0)
    assert [c.input for c in p90] == [307, 307 + 504 + 304]
    assert [c.output for c in p90] == [500, 500]


def test_job_calls_text_and_chat_prompts_with_a_shared_system_prompt() -> None:
    prompts = [JobPrompt(500, False, 0), JobPrompt(120, True, 0, choices=2)]
    plain = job_calls(prompts, FRAMING, None, Dist.of(200), "p50", repeat=3)
    assert [(c.input, c.output, c.count, c.static) for c in plain] == [(500, 200, 3, 0), (120, 400, 3, 0)]
    shared = job_calls(prompts, FRAMING, Dist.of(2000), Dist.of(200), "p50")
    # a text prompt becomes the user message (framed, primed) after the system one
    assert [(c.input, c.static) for c in shared] == [(2004 + 504 + 3, 1), (2004 + 120, 1)]
