"""A workload as data: tasks (jobs, conversations, agent loops), their traffic, the models to
compare, the limits they run under and the levers to try. Pure values, no I/O: the YAML reader
(:mod:`llmprof.plan.parse`) and the command line both build these.

Sizes are token counts given as numbers, or files counted later on each model's tokenizer
(:class:`Text`). Output lengths are a distribution (:class:`Dist`): every figure is computed at
its p50 and at its p90. Times are :class:`~decimal.Decimal` seconds, so durations are exact
sums, like money.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

Q = Literal["p50", "p90"]
QS: tuple[Q, Q] = ("p50", "p90")
Kind = Literal["job", "conversation", "agent"]
Switch = Literal["auto", "on", "off"]
#: A month, for per-month figures: 30 days (said in every footer that shows one).
MONTH_DAYS = 30
DAY_S = Decimal(86_400)


@dataclass(frozen=True)
class Dist:
    """A size at its p50 and p90 (equal when one number was given), and where it came from."""

    p50: int
    p90: int
    source: str = "given"

    def at(self, q: Q) -> int:
        return self.p50 if q == "p50" else self.p90

    @classmethod
    def of(cls, n: int, source: str = "given") -> Dist:
        return cls(n, n, source)

    def describe(self) -> str:
        return f"{self.p50:,}" if self.p50 == self.p90 else f"{self.p50:,} (p50) / {self.p90:,} (p90)"


@dataclass(frozen=True)
class Seconds:
    """A time at its p50 and p90 (e.g. a request's latency, a user's pause between turns)."""

    p50: Decimal
    p90: Decimal

    def at(self, q: Q) -> Decimal:
        return self.p50 if q == "p50" else self.p90


@dataclass(frozen=True)
class Text:
    """Something sent in the prompt whose size is given in tokens, or read from files (then
    counted on each model; several files are samples: their p50 and p90 are used)."""

    tokens: Dist | None = None
    files: tuple[Path, ...] = ()
    where: str = ""


@dataclass(frozen=True, kw_only=True)
class Chat:
    """A conversation (``steps`` = 0) or an agent loop: ``turns`` user messages; in each turn,
    ``steps`` model calls that end in a tool call whose result is sent back, then the reply.
    Every call re-sends the whole history (unless trimmed)."""

    system: Text | None = None
    tools: Path | None = None  # a JSON list of tool definitions (OpenAI or Anthropic form)
    turns: int = 1
    user: Text
    reply: Dist | None = None  # None: from a profile or responses file
    reasoning: Dist | None = None  # hidden reasoning per call; None: what the model does by default
    steps: int = 0
    tool_call: Dist = Dist(0, 0)
    tool_result: Text = Text(Dist(0, 0))
    think_time: Seconds | None = None  # a user's pause between a reply and the next message
    tool_time: Seconds | None = None  # a tool's run time between a call and its result


@dataclass(frozen=True, kw_only=True)
class Job:
    """A set of prompts (files, globs, JSONL request bodies), each sent ``repeat`` times."""

    prompts: tuple[str, ...]
    repeat: int = 1
    system: Text | None = None  # a shared system prompt put before every prompt (cacheable)
    output: Dist | None = None  # None: from a profile or responses file, else 0
    reasoning: Dist | None = None
    deadline: Decimal | None = None  # seconds; a deadline shorter than a batch window rules batch out
    batch: bool = True  # False: results are needed at once (never batched)


@dataclass(frozen=True, kw_only=True)
class Task:
    name: str
    kind: Kind
    spec: Chat | Job
    per_day: int | None = None  # tasks a day
    total: int | None = None  # tasks in all (a one-off); neither: one task
    where: str = ""  # "plan.yaml:3: tasks.support", for errors found later

    @property
    def interactive(self) -> bool:
        return self.kind != "job" or not isinstance(self.spec, Job) or not self.spec.batch


@dataclass(frozen=True, kw_only=True)
class Limits:
    rpm: int | None = None
    tpm: int | None = None  # input + output tokens a minute
    concurrency: int | None = None  # requests in flight at once

    def over(self, other: Limits) -> Limits:
        """These limits, with ``other``'s where these have none."""
        return Limits(
            rpm=self.rpm if self.rpm is not None else other.rpm,
            tpm=self.tpm if self.tpm is not None else other.tpm,
            concurrency=self.concurrency if self.concurrency is not None else other.concurrency,
        )


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    name: str
    profile: Path | None = None  # a bench result for this model
    limits: Limits = field(default_factory=Limits)
    latency: Seconds | None = None  # per request, when no profile says
    where: str = ""


@dataclass(frozen=True, kw_only=True)
class Levers:
    caching: Switch = "auto"  # auto: shown where it applies; on: must be priced; off: not shown
    cache_ttl: str | None = None  # None: the cheapest lifetime the model offers
    batch: Switch = "auto"
    max_tokens: int | None = None  # an output cap to try
    keep_last_turns: int | None = None  # a history window to try

    @property
    def asked(self) -> tuple[str, ...]:
        """The levers the user asked for by name: a rate they need that is missing is an error."""
        names = ["caching"] if self.caching == "on" else []
        names += ["batch"] if self.batch == "on" else []
        names += ["max_tokens"] if self.max_tokens is not None else []
        names += ["keep_last_turns"] if self.keep_last_turns is not None else []
        return tuple(names)


@dataclass(frozen=True, kw_only=True)
class Budgets:
    """Limits ``llmprof plan`` and ``llmprof check`` gate (exit 1 when one is exceeded)."""

    max_cost_per_task: Decimal | None = None
    max_cost_per_day: Decimal | None = None
    max_cost_per_month: Decimal | None = None
    max_job_duration: Decimal | None = None  # seconds
    percentile: Q = "p90"
    levers: tuple[str, ...] = ()  # the figure gated includes these levers (e.g. caching)
    where: str = "budgets"
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # budget -> line; "": the section's

    @property
    def any(self) -> bool:
        return any(
            v is not None
            for v in (self.max_cost_per_task, self.max_cost_per_day, self.max_cost_per_month, self.max_job_duration)
        )


@dataclass(frozen=True, kw_only=True)
class Workload:
    name: str
    source: str | None  # the file it was read from; None: built from the command line
    tasks: tuple[Task, ...]
    models: tuple[ModelSpec, ...]
    limits: Limits = field(default_factory=Limits)
    latency: Seconds | None = None
    profiles: tuple[Path, ...] = ()  # bench results, each for the model it names
    responses: tuple[Path, ...] = ()  # saved API responses: output lengths from their usage
    levers: Levers = field(default_factory=Levers)
    max_p90_latency: Decimal | None = None  # seconds: model selection
    budgets: Budgets = field(default_factory=Budgets)
    reasoning: Dist | None = None  # hidden reasoning per call, for every task that does not say
    where_models: str = "models"
    where_profiles: str = "profiles"


def long_seconds(value: Decimal) -> str:
    """Seconds, and as people read them when that is over a minute: 12,000 s (200 min = 3 h 20 min)."""
    if value < 60:
        return seconds_text(value)
    exact = f"{(value if value == value.to_integral_value() else round(value, 2)).normalize():,f}"
    minutes = f"{round(value / 60, 1).normalize():,f} min"
    return f"{exact} s ({minutes})" if value < 3600 else f"{exact} s ({minutes} = {seconds_text(value)})"


def seconds_text(value: Decimal) -> str:
    """A duration as people read it: 1.4 s, 3 min 20 s, 3 h 53 min 20 s, 2 d 1 h."""
    if value < 60:
        shown = value if value == value.to_integral_value() else round(value, 2)
        return f"{shown.normalize():f} s"
    whole = int(value.to_integral_value())
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")) if n]
    return " ".join(parts[:3])
