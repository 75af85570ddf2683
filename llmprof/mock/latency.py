"""The mock's latency model: when each output token of a request is sent.

TTFT = (ttft_ms + prefill_ms_per_1k * prompt_tokens / 1000) * f0, and every later token follows
the previous one after itl_ms * f_i, where each f = exp(N(0, jitter)). That noise is a
median-preserving lognormal: it never goes negative, it skews slow like real endpoints, and
jitter 0 makes every f exactly 1, so a run is exactly deterministic.

The default preset is calibrated to the reference table in DESIGN.md (gpt-3.5-turbo, 2023):
output length drives latency, input length barely does. ``tests/mock/test_latency.py`` simulates
it and checks the table's percentiles.
"""

from __future__ import annotations

import difflib
import functools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from llmprof.errors import UsageError
from llmprof.mock import MockSettings


@dataclass(frozen=True)
class LatencyModel:
    """Milliseconds, and the sigma of the lognormal noise applied to each interval."""

    ttft_ms: float
    itl_ms: float
    prefill_ms_per_1k: float
    jitter: float

    def __post_init__(self) -> None:
        for name in ("ttft_ms", "itl_ms", "prefill_ms_per_1k", "jitter"):
            value = getattr(self, name)
            if not value >= 0:  # also refuses NaN
                raise UsageError(f"{name} must be >= 0, got {value}", f"give --{_flag(name)} 0 or more.")

    def schedule(self, prompt_tokens: int, output_tokens: int, rng: random.Random) -> Iterator[float]:
        """Send times of each output token, in seconds after the request arrived, made as they
        are needed (a huge ``max_tokens`` costs no memory up front).

        The first is the TTFT; the last is the end of generation. Draws from ``rng`` only when
        jitter is non-zero, so a deterministic model leaves the generator untouched.
        """
        if output_tokens < 1:
            return
        noise: Callable[[], float] = _one
        if self.jitter > 0:
            noise = functools.partial(rng.lognormvariate, 0.0, self.jitter)
        at = (self.ttft_ms + self.prefill_ms_per_1k * prompt_tokens / 1000) * noise() / 1000
        yield at
        itl_s = self.itl_ms / 1000
        for _ in range(1, output_tokens):
            at += itl_s * noise()
            yield at


def _one() -> float:
    return 1.0


def _flag(name: str) -> str:
    return name.replace("_", "-")


DEFAULT_PRESET = "gpt-3.5-turbo-2023"

PRESETS: dict[str, LatencyModel] = {
    # Chip Huyen's 2023 table: 51/1 tokens p50 0.58 s, 232/1 0.53 s, 228/26 1.43 s. A 0.55 s base
    # sits between the two one-token rows (input length is noise there); 25 gaps of 35 ms add the
    # 0.9 s of the 26-token row; sigma 0.18 gives p90 about 25% above p50, as the table does.
    DEFAULT_PRESET: LatencyModel(ttft_ms=550.0, itl_ms=35.0, prefill_ms_per_1k=10.0, jitter=0.18),
    # Quick but still shaped like an LLM: for tests and demos.
    "fast": LatencyModel(ttft_ms=50.0, itl_ms=5.0, prefill_ms_per_1k=5.0, jitter=0.1),
    # No waiting at all: measures the client's own capacity and overhead.
    "instant": LatencyModel(ttft_ms=0.0, itl_ms=0.0, prefill_ms_per_1k=0.0, jitter=0.0),
}


def latency_model_for(settings: MockSettings) -> LatencyModel:
    """The settings' preset with any explicit latency fields laid over it."""
    preset = PRESETS.get(settings.preset)
    if preset is None:
        close = difflib.get_close_matches(settings.preset, list(PRESETS), n=3, cutoff=0.4)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise UsageError(
            f"unknown preset {settings.preset!r}",
            f"{hint}presets: {', '.join(PRESETS)}; or set --ttft-ms, --itl-ms, --jitter yourself.",
        )
    overrides = {
        name: float(value)
        for name in ("ttft_ms", "itl_ms", "prefill_ms_per_1k", "jitter")
        if (value := getattr(settings, name)) is not None
    }
    return replace(preset, **overrides)
