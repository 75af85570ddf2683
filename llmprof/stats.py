"""Pure statistics: percentiles, a least-squares latency model, and a two-sample significance test.

Percentiles interpolate linearly between order statistics, numpy's default method, so llmprof's
numbers compare directly with vLLM's benchmark_serving and llmperf.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation (numpy's ``method="linear"``)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    xs = sorted(values)
    position = (len(xs) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(xs) - 1)
    return xs[lower] + (xs[upper] - xs[lower]) * (position - lower)


def percentiles(values: Sequence[float], qs: Sequence[float]) -> dict[float, float]:
    xs = sorted(values)
    return {q: percentile(xs, q) for q in qs} if xs else {}


def mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


@dataclass(frozen=True)
class LatencyFit:
    """e2e ~ fixed + per_input * input_tokens + per_output * output_tokens (seconds)."""

    fixed_s: float
    per_input_s: float | None  # None when the data cannot separate input length's effect
    per_output_s: float | None
    r_squared: float
    n: int
    #: standard errors of the coefficients (None when a coefficient is None)
    fixed_se: float = 0.0
    per_input_se: float | None = None
    per_output_se: float | None = None


def clear_of_zero(value: float | None, se: float | None) -> bool:
    """More than two standard errors from zero: an effect worth stating as a number."""
    return value is not None and se is not None and abs(value) > 2 * se


def fit_latency(inputs: Sequence[float], outputs: Sequence[float], e2e: Sequence[float]) -> LatencyFit | None:
    """Ordinary least squares over every successful request.

    A predictor that never varies (e.g. every cell has the same output length) cannot be
    estimated; it is left out of the fit and reported as None rather than invented.
    """
    n = len(e2e)
    if n < 2 or not (len(inputs) == len(outputs) == n):
        return None
    columns = [[1.0] * n]
    names = ["fixed"]
    for name, column in (("input", inputs), ("output", outputs)):
        if max(column) != min(column):
            columns.append([float(v) for v in column])
            names.append(name)
    if n <= len(columns):
        return None
    solved = _least_squares(columns, [float(v) for v in e2e])
    if solved is None:
        return None
    coefficients, inverse = solved
    fitted = {name: c for name, c in zip(names, coefficients, strict=True)}
    predicted = [sum(c * col[i] for c, col in zip(coefficients, columns, strict=True)) for i in range(n)]
    average = mean(e2e)
    total = math.fsum((y - average) ** 2 for y in e2e)
    residual = math.fsum((y - p) ** 2 for y, p in zip(e2e, predicted, strict=True))
    variance = residual / (n - len(columns))
    errors = {name: math.sqrt(max(0.0, variance * inverse[i][i])) for i, name in enumerate(names)}
    return LatencyFit(
        fixed_s=fitted["fixed"],
        per_input_s=fitted.get("input"),
        per_output_s=fitted.get("output"),
        r_squared=1 - residual / total if total > 0 else 1.0,
        n=n,
        fixed_se=errors["fixed"],
        per_input_se=errors.get("input"),
        per_output_se=errors.get("output"),
    )


def _least_squares(columns: list[list[float]], y: list[float]) -> tuple[list[float], list[list[float]]] | None:
    """Solve the normal equations (X'X) b = X'y; also return (X'X)^-1 for standard errors.

    Gauss-Jordan elimination with partial pivoting on [X'X | X'y | I].
    """
    k = len(columns)
    a = [
        [math.fsum(ci * cj for ci, cj in zip(columns[i], columns[j], strict=True)) for j in range(k)]
        + [math.fsum(ci * yi for ci, yi in zip(columns[i], y, strict=True))]
        + [1.0 if i == j else 0.0 for j in range(k)]
        for i in range(k)
    ]
    for col in range(k):
        pivot = max(range(col, k), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        lead = a[col][col]
        a[col] = [x / lead for x in a[col]]
        for row in range(k):
            if row != col:
                factor = a[row][col]
                a[row] = [x - factor * p for x, p in zip(a[row], a[col], strict=True)]
    return [a[i][k] for i in range(k)], [a[i][k + 1 :] for i in range(k)]


@dataclass(frozen=True)
class MannWhitney:
    """Two-sided Mann-Whitney U test (normal approximation with tie correction)."""

    u: float
    p_value: float
    #: probability that a value from the second sample exceeds one from the first (ties count half)
    prob_greater: float


def mann_whitney(first: Sequence[float], second: Sequence[float]) -> MannWhitney | None:
    """Does ``second`` tend to be larger or smaller than ``first``? None with too little data."""
    n1, n2 = len(first), len(second)
    if n1 < 2 or n2 < 2:
        return None
    pooled = sorted([(v, 0) for v in first] + [(v, 1) for v in second])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        size = j - i + 1
        ties += size**3 - size
        i = j + 1
    rank_second = math.fsum(r for r, (_, group) in zip(ranks, pooled, strict=True) if group == 1)
    u_second = rank_second - n2 * (n2 + 1) / 2
    mu = n1 * n2 / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sigma == 0:
        return MannWhitney(u_second, 1.0, 0.5)
    z = (abs(u_second - mu) - 0.5) / sigma  # continuity correction
    p = math.erfc(max(z, 0.0) / math.sqrt(2))
    return MannWhitney(u_second, min(1.0, p), u_second / (n1 * n2))
