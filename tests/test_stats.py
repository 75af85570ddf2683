"""Expected values were computed with numpy.percentile and scipy.stats.mannwhitneyu
(asymptotic, continuity-corrected, two-sided), so llmprof's numbers compare with tools that use them."""

from __future__ import annotations

import random

import pytest

from llmprof.stats import clear_of_zero, fit_latency, mann_whitney, percentile, percentiles

SAMPLE = [0.58, 0.61, 0.55, 0.75, 0.53, 0.62, 0.59, 0.70, 0.66, 0.57]


@pytest.mark.parametrize(("q", "expected"), [(0, 0.53), (50, 0.60), (75, 0.65), (90, 0.705), (99, 0.7455), (100, 0.75)])
def test_percentile_matches_numpy_linear(q: float, expected: float) -> None:
    assert percentile(SAMPLE, q) == pytest.approx(expected, abs=1e-12)


def test_percentile_edge_cases() -> None:
    assert percentile([2.0], 90) == 2.0
    assert percentiles([], [50]) == {}
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_fit_recovers_a_known_latency_model() -> None:
    rng = random.Random(3)
    ins, outs, e2e = [], [], []
    for n_in, n_out in [(51, 1), (232, 1), (228, 26), (1000, 100)]:
        for _ in range(50):
            ins.append(n_in)
            outs.append(n_out)
            e2e.append(0.52 + 0.000012 * n_in + 0.036 * n_out + rng.gauss(0, 0.001))
    fit = fit_latency(ins, outs, e2e)
    assert fit is not None
    assert fit.fixed_s == pytest.approx(0.52, abs=0.002)
    assert fit.per_output_s == pytest.approx(0.036, abs=0.0002)
    assert fit.per_input_s == pytest.approx(0.000012, abs=0.000005)
    assert fit.r_squared > 0.99
    assert fit.n == 200


def test_fit_leaves_out_what_never_varies() -> None:
    fit = fit_latency([100, 100, 100, 100], [1, 1, 10, 10], [0.5, 0.52, 0.87, 0.87])
    assert fit is not None
    assert fit.per_input_s is None
    assert fit.per_output_s == pytest.approx(0.04, abs=1e-9)
    assert fit_latency([1], [1], [1.0]) is None


def test_mann_whitney_matches_scipy() -> None:
    result = mann_whitney([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5])
    assert result is not None
    assert result.u == 36.0
    assert result.p_value == pytest.approx(0.03831876314941356, rel=1e-9)
    with_ties = mann_whitney([1, 2, 2, 3, 3, 3, 4], [3, 3, 4, 4, 5, 5, 6])
    assert with_ties is not None
    assert with_ties.u == 43.0
    assert with_ties.p_value == pytest.approx(0.01785429278938296, rel=1e-9)


def test_mann_whitney_identical_samples_are_not_significant() -> None:
    result = mann_whitney([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    assert result is not None and result.p_value == 1.0
    assert mann_whitney([1.0], [2.0, 3.0]) is None


def test_fit_matches_numpy_lstsq_with_standard_errors() -> None:
    # numpy.linalg.lstsq on the same data; SE = sqrt(diag(s^2 (X'X)^-1)), s^2 = RSS / (n - 3)
    fit = fit_latency(
        [51, 51, 232, 232, 228, 228, 1000, 1000],
        [1, 1, 1, 1, 26, 26, 100, 100],
        [0.55, 0.61, 0.52, 0.56, 1.40, 1.47, 4.1, 4.3],
    )
    assert fit is not None
    assert (fit.fixed_s, fit.per_input_s, fit.per_output_s) == pytest.approx(
        (0.5086785490399894, 2.298181136669783e-05, 0.03660593974113251), rel=1e-9
    )
    assert (fit.fixed_se, fit.per_input_se, fit.per_output_se) == pytest.approx(
        (0.04630522536699282, 0.00031898108101865297, 0.00288288440576968), rel=1e-9
    )
    assert fit.r_squared == pytest.approx(0.9983471470294171, rel=1e-12)
    assert clear_of_zero(fit.per_output_s, fit.per_output_se)
    assert not clear_of_zero(fit.per_input_s, fit.per_input_se)


def test_holm_adjustment() -> None:
    from llmprof.compare import holm

    # statsmodels.stats.multitest.multipletests(p, method="holm") gives the same
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([]) == []
    assert holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])
