"""A request's latency at p50 and p90: given, or from a bench's requests."""

from __future__ import annotations

from decimal import Decimal

from llmprof.plan.latency import given, measured


def test_given_latency_does_not_depend_on_length() -> None:
    model = given(Decimal("1.4"), Decimal("2.1"))
    assert (model.seconds(100, 10, "p50"), model.seconds(100_000, 4000, "p90")) == (Decimal("1.4"), Decimal("2.1"))
    assert model.describe() == "1.4 s (p50) / 2.1 s (p90) per request (given)"


def test_a_clear_output_effect_is_fitted_with_its_scatter() -> None:
    outputs = [10.0, 10.0, 10.0, 50.0, 50.0, 50.0]
    noise = [0.0, 0.02, -0.02, 0.0, 0.02, -0.02]
    e2e = [0.5 + 0.01 * o + n for o, n in zip(outputs, noise, strict=True)]
    model, note = measured([100.0] * 6, outputs, e2e, "run.json")
    assert note is None
    assert (model.fixed, model.per_output, model.per_input) == (Decimal("0.5"), Decimal("0.01"), Decimal(0))
    assert model.offset.p50 == Decimal(0) and model.offset.p90 == Decimal("0.02")
    assert model.seconds(100, 200, "p50") == Decimal("2.5")
    assert model.seconds(100, 200, "p90") == Decimal("2.52")


def test_no_clear_effect_uses_the_measured_percentiles() -> None:
    model, note = measured([100.0] * 4, [20.0, 40.0, 20.0, 40.0], [0.031, 0.030, 0.032, 0.029], "run.json")
    assert note == "run.json: latency does not depend measurably on length there; its e2e p50 and p90 are used"
    assert not model.by_length
    assert (model.offset.p50, model.offset.p90) == (Decimal("0.0305"), Decimal("0.0317"))
