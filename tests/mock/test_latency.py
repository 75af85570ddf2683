"""The latency model: presets, overrides, the per-request schedule, and the calibration of the
default preset against the reference table in DESIGN.md."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from llmprof.errors import UsageError
from llmprof.mock import MockSettings
from llmprof.mock.faults import request_rng
from llmprof.mock.latency import DEFAULT_PRESET, PRESETS, LatencyModel, latency_model_for
from llmprof.stats import percentile


def test_default_settings_use_the_reference_preset() -> None:
    assert MockSettings().preset == DEFAULT_PRESET == "gpt-3.5-turbo-2023"
    assert latency_model_for(MockSettings()) == PRESETS[DEFAULT_PRESET]


def test_presets() -> None:
    assert PRESETS["gpt-3.5-turbo-2023"] == LatencyModel(550.0, 35.0, 10.0, 0.18)
    assert PRESETS["fast"] == LatencyModel(ttft_ms=50.0, itl_ms=5.0, prefill_ms_per_1k=5.0, jitter=0.1)
    assert PRESETS["instant"] == LatencyModel(0.0, 0.0, 0.0, 0.0)


def test_explicit_fields_override_the_preset() -> None:
    settings = MockSettings(preset="fast", ttft_ms=100, jitter=0)
    assert latency_model_for(settings) == LatencyModel(ttft_ms=100.0, itl_ms=5.0, prefill_ms_per_1k=5.0, jitter=0.0)


def test_unknown_preset_suggests_close_names() -> None:
    with pytest.raises(UsageError) as info:
        latency_model_for(MockSettings(preset="fats"))
    assert info.value.message == "unknown preset 'fats'"
    assert info.value.hint is not None
    assert info.value.hint.startswith("did you mean fast? presets: gpt-3.5-turbo-2023, fast, instant")


def test_unknown_preset_without_close_names_lists_them_all() -> None:
    with pytest.raises(UsageError) as info:
        latency_model_for(MockSettings(preset="zzzzzzzz"))
    assert info.value.hint is not None
    assert info.value.hint.startswith("presets: gpt-3.5-turbo-2023, fast, instant")


@pytest.mark.parametrize("field", ["ttft_ms", "itl_ms", "prefill_ms_per_1k", "jitter"])
def test_negative_or_nan_values_are_refused(field: str) -> None:
    for bad in (-1.0, math.nan):
        with pytest.raises(UsageError, match=f"{field} must be >= 0"):
            latency_model_for(MockSettings(preset="instant", **{field: bad}))  # type: ignore[arg-type]


def test_schedule_without_jitter_is_exact() -> None:
    model = LatencyModel(ttft_ms=100.0, itl_ms=10.0, prefill_ms_per_1k=20.0, jitter=0.0)
    times = list(model.schedule(prompt_tokens=500, output_tokens=4, rng=random.Random(0)))
    assert times == pytest.approx([0.110, 0.120, 0.130, 0.140], abs=1e-12)


def test_schedule_without_jitter_leaves_the_generator_alone() -> None:
    rng = random.Random(5)
    state = rng.getstate()
    list(PRESETS["instant"].schedule(10, 50, rng))
    assert rng.getstate() == state
    assert list(PRESETS["instant"].schedule(10, 3, rng)) == [0.0, 0.0, 0.0]


def test_schedule_lengths() -> None:
    model = PRESETS["fast"]
    assert list(model.schedule(10, 0, random.Random(0))) == []
    times = list(model.schedule(10, 200, random.Random(0)))
    assert len(times) == 200
    assert all(later > earlier for earlier, later in itertools.pairwise(times))


def test_schedule_is_reproducible_from_the_seed() -> None:
    model = PRESETS[DEFAULT_PRESET]
    first = list(model.schedule(100, 30, request_rng(3, 17, "latency")))
    assert list(model.schedule(100, 30, request_rng(3, 17, "latency"))) == first
    assert list(model.schedule(100, 30, request_rng(3, 18, "latency"))) != first


def test_noise_preserves_the_median() -> None:
    model = LatencyModel(ttft_ms=100.0, itl_ms=0.0, prefill_ms_per_1k=0.0, jitter=0.5)
    ttfts = [next(model.schedule(0, 1, request_rng(0, n, "latency"))) for n in range(4001)]
    assert percentile(ttfts, 50) == pytest.approx(0.100, rel=0.05)
    assert min(ttfts) > 0


# Chip Huyen (2023), gpt-3.5-turbo, 20 runs per row: (input, output) -> p50, p75, p90 seconds.
REFERENCE = {
    (51, 1): (0.58, 0.63, 0.75),
    (232, 1): (0.53, 0.58, 0.64),
    (228, 26): (1.43, 1.49, 1.62),
}


@pytest.mark.parametrize(("cell", "expected"), REFERENCE.items(), ids=["51-1", "232-1", "228-26"])
def test_default_preset_reproduces_the_reference_table(cell: tuple[int, int], expected: tuple[float, ...]) -> None:
    prompt_tokens, output_tokens = cell
    model = latency_model_for(MockSettings())
    e2e = [list(model.schedule(prompt_tokens, output_tokens, request_rng(0, n, "latency")))[-1] for n in range(2000)]
    p50, _, p90 = expected
    assert percentile(e2e, 50) == pytest.approx(p50, rel=0.10)
    assert percentile(e2e, 90) == pytest.approx(p90, rel=0.15)


def test_default_preset_output_length_drives_latency_input_barely_does() -> None:
    model = latency_model_for(MockSettings())

    def p50(prompt_tokens: int, output_tokens: int) -> float:
        runs = [
            list(model.schedule(prompt_tokens, output_tokens, request_rng(1, n, "latency")))[-1] for n in range(500)
        ]
        return percentile(runs, 50)

    assert p50(228, 26) - p50(232, 1) > 0.8  # 25 more output tokens: most of a second
    assert abs(p50(232, 1) - p50(51, 1)) < 0.01  # 181 more input tokens: under 10 ms
