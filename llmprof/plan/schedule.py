"""A task on one model -> the calls it makes, each as the blocks of its prompt. Pure.

A prompt is a sequence of :class:`Block` s (tool definitions, the system message, each user
message, reply, tool call and tool result, each with its chat framing), then the tokens that
prime the reply. Blocks have names, so the prompt cache can see which prefix two calls share.

* A conversation's call in turn *k* sends the system message, every earlier turn and the new
  user message: input grows linearly with the turn, and the total quadratically.
* An agent loop is a conversation whose turns have ``steps`` tool calls: each call's output (a
  tool call) and the tool's result join the history before the next call.
* A job sends each prompt once (``repeat`` times), after a shared system message if it has one.

Levers that change the calls: an output cap (``max_tokens``: replies are cut, so later
history is shorter too) and a history window (``keep_last_turns``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from llmprof.plan.workload import Chat, Dist, Q


@dataclass(frozen=True)
class Block:
    key: str  # its identity: "tools", "system", "u3", "a3", "c3.1", "r3.1", "p17"
    tokens: int


@dataclass(frozen=True)
class Framing:
    """A model's chat framing: tokens per message, tokens that prime the reply, and each
    role's name as counted by its tokenizer (the role is part of every message)."""

    per_message: int
    priming: int
    roles: Mapping[str, int]

    def message(self, role: str) -> int:
        return self.per_message + self.roles[role]


@dataclass(frozen=True)
class Call:
    """One request: its prompt's blocks, the priming, and what it bills as output."""

    blocks: tuple[Block, ...]
    priming: int
    output: int  # billed output: visible + reasoning (times choices)
    reasoning: int
    turn: int = 1
    step: int = 0  # 0: the reply; 1..steps: a tool call
    static: int = 0  # leading blocks every call of the task shares (tool definitions, system)
    count: int = 1  # identical sends (a job's repeats)

    @functools.cached_property
    def input(self) -> int:
        return sum(b.tokens for b in self.blocks) + self.priming

    @property
    def visible(self) -> int:
        return self.output - self.reasoning


@dataclass(frozen=True)
class ChatSizes:
    """A chat task's sizes on one model, in its tokens (framing not included)."""

    framing: Framing
    system: Dist | None
    tools: int
    user: Dist
    tool_result: Dist


@dataclass(frozen=True)
class JobPrompt:
    """One prompt of a job, as counted on one model."""

    tokens: int  # everything it bills as input, its own framing and priming included
    chat: bool  # a chat request (framed, primed) rather than plain text
    reasoning: int  # hidden reasoning per send
    choices: int = 1


def capped(visible: int, reasoning: int, cap: int | None) -> tuple[int, int]:
    """(visible, reasoning) under an output cap: reasoning is generated first and counts
    against the cap, then the visible reply is cut at what is left."""
    if cap is None:
        return visible, reasoning
    reasoning = min(reasoning, cap)
    return min(visible, cap - reasoning), reasoning


def chat_calls(
    spec: Chat,
    sizes: ChatSizes,
    q: Q,
    reply: Dist,
    reasoning: int,
    cap: int | None = None,
    keep_last_turns: int | None = None,
) -> list[Call]:
    """Every call of one conversation (or agent loop) at percentile ``q`` of each size."""
    f = sizes.framing
    static = [Block("tools", sizes.tools)] if sizes.tools else []
    if sizes.system is not None:
        static.append(Block("system", f.message("system") + sizes.system.at(q)))
    history: list[tuple[int, Block]] = []
    calls: list[Call] = []
    for turn in range(1, spec.turns + 1):
        history.append((turn, Block(f"u{turn}", f.message("user") + sizes.user.at(q))))
        for step in range(1, spec.steps + 2):
            final = step == spec.steps + 1
            visible, think = capped(reply.at(q) if final else spec.tool_call.at(q), reasoning, cap)
            kept = [b for t, b in history if keep_last_turns is None or t >= turn - keep_last_turns]
            calls.append(
                Call(tuple(static + kept), f.priming, visible + think, think, turn, 0 if final else step, len(static))
            )
            if final:
                history.append((turn, Block(f"a{turn}", f.message("assistant") + visible)))
            else:
                history.append((turn, Block(f"c{turn}.{step}", f.message("assistant") + visible)))
                history.append((turn, Block(f"r{turn}.{step}", f.message("tool") + sizes.tool_result.at(q))))
    return calls


def job_calls(
    prompts: Sequence[JobPrompt],
    framing: Framing,
    system: Dist | None,
    output: Dist,
    q: Q,
    repeat: int = 1,
    cap: int | None = None,
) -> list[Call]:
    """Every prompt of a job, sent ``repeat`` times each (one :class:`Call` with that count)."""
    static = [Block("system", framing.message("system") + system.at(q))] if system is not None else []
    calls = []
    for index, prompt in enumerate(prompts):
        body = prompt.tokens - (framing.priming if prompt.chat else 0)
        if static and not prompt.chat:  # plain text becomes the user message after the system one
            body += framing.message("user")
        priming = framing.priming if prompt.chat or static else 0
        visible, think = capped(output.at(q), prompt.reasoning, cap)
        calls.append(
            Call(
                (*static, Block(f"p{index}", body)),
                priming,
                (visible + think) * prompt.choices,
                think * prompt.choices,
                static=len(static),
                count=repeat,
            )
        )
    return calls
