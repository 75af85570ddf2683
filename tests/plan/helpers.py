"""Inputs for the plan's pure core, built by hand: a framing of 3 tokens a message plus a
one-token role (OpenAI's published rule on o200k_base), sizes given in tokens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from llmprof.plan.figures import Inputs
from llmprof.plan.latency import given
from llmprof.plan.schedule import ChatSizes, Framing, JobPrompt
from llmprof.plan.workload import Chat, Dist, Job, Limits, Seconds, Task, Text
from llmprof.pricing import ModelPrice

FRAMING = Framing(3, 3, {"system": 1, "user": 1, "assistant": 1, "tool": 1})
DAY = dt.date(2026, 11, 21)
REPLY, NONE, NO_LIMITS = Dist.of(200), Dist.of(0), Limits()


def conversation(
    model: ModelPrice,
    *,
    turns: int = 8,
    system: int = 1000,
    user: int = 100,
    reply: Dist = REPLY,
    think: Seconds | None = None,
    latency: Decimal | None = None,
    per_day: int | None = None,
    steps: int = 0,
    tool_call: int = 0,
    tool_result: int = 0,
    reasoning: Dist = NONE,
) -> Inputs:
    spec = Chat(
        system=Text(Dist.of(system)),
        turns=turns,
        user=Text(Dist.of(user)),
        reply=reply,
        steps=steps,
        tool_call=Dist.of(tool_call),
        tool_result=Text(Dist.of(tool_result)),
        think_time=think,
    )
    return Inputs(
        task=Task(name="chat", kind="agent" if steps else "conversation", spec=spec, per_day=per_day),
        model=model,
        as_of=DAY,
        framing=FRAMING,
        output=reply,
        reasoning=reasoning,
        chat=ChatSizes(FRAMING, Dist.of(system), 0, Dist.of(user), Dist.of(tool_result)),
        latency=given(latency, latency) if latency is not None else None,
    )


def job(
    model: ModelPrice,
    *,
    prompt: int = 500,
    output: int = 200,
    repeat: int = 10_000,
    system: int | None = None,
    latency: Decimal | None = None,
    limits: Limits = NO_LIMITS,
    as_of: dt.date = DAY,
    deadline: Decimal | None = None,
) -> Inputs:
    spec = Job(prompts=("doc.txt",), repeat=repeat, output=Dist.of(output), deadline=deadline)
    return Inputs(
        task=Task(name="docs", kind="job", spec=spec),
        model=model,
        as_of=as_of,
        framing=FRAMING,
        output=Dist.of(output),
        reasoning=Dist.of(0),
        prompts=(JobPrompt(prompt, False, 0),),
        job_system=Dist.of(system) if system is not None else None,
        latency=given(latency, latency) if latency is not None else None,
        limits=limits,
    )
