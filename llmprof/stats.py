"""Pure statistics: percentiles and their confidence intervals, a latency model fitted two ways
(least squares and a robust Huber fit), a trend test, and a two-sample significance test.

Percentiles interpolate linearly between order statistics, numpy's default method, so llmprof's
numbers compare directly with vLLM's benchmark_serving and llmperf. Their confidence intervals are
distribution-free: two order statistics chosen by the binomial distribution, so no assumption
about the shape of latency is needed, and too few samples give no interval rather than a false one.
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


def quantile_ci(values: Sequence[float], q: float, confidence: float = 0.95) -> tuple[float, float] | None:
    """A distribution-free ``confidence`` interval for the q-th percentile: the order statistics
    ``X(l) <= X(u)`` with P(l <= B < u) >= confidence for B ~ Binomial(n, q/100), the number of
    samples below the true percentile. None when n is too small for one (e.g. p90 from 20)."""
    n = len(values)
    if n == 0:
        return None
    p, tail = q / 100, (1 - confidence) / 2
    low = _binomial_quantile(tail, n, p)  # 1-based rank of the lower bound
    high = _binomial_quantile(1 - tail, n, p) + 1
    if low < 1 or high > n:
        return None
    xs = sorted(values)
    return xs[low - 1], xs[high - 1]


def _binomial_quantile(prob: float, n: int, p: float) -> int:
    """The smallest k with P(B <= k) >= prob, B ~ Binomial(n, p)."""
    if n > 50_000:  # normal approximation: exact sums over this many terms gain nothing
        z = _normal_quantile(prob)
        return max(0, min(n, math.ceil(n * p + z * math.sqrt(n * p * (1 - p)) - 0.5)))
    log_p, log_q = math.log(p), math.log1p(-p)
    cdf = 0.0
    for k in range(n + 1):
        cdf += math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q)
        if cdf >= prob - 1e-12:
            return k
    return n


def _normal_quantile(prob: float) -> float:
    """Inverse of the standard normal CDF, by bisection on erf (ample for interval ranks)."""
    low, high = -10.0, 10.0
    for _ in range(100):
        mid = (low + high) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < prob:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def enough_for(q: float, n: int) -> bool:
    """At least two samples beyond the q-th percentile: fewer and it is one sample's accident
    (p90 from 10 samples is the largest or second largest; p99 needs 200)."""
    return n * (1 - q / 100) >= 2 - 1e-9


@dataclass(frozen=True)
class Trend:
    """y ~ a + slope * x by least squares, with the slope's standard error."""

    slope: float
    se: float
    span: float  # max(x) - min(x)

    @property
    def clear(self) -> bool:
        return abs(self.slope) > 3 * self.se


def trend(xs: Sequence[float], ys: Sequence[float]) -> Trend | None:
    n = len(xs)
    if n < 3 or max(xs) == min(xs):
        return None
    mx, my = mean(xs), mean(ys)
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    slope = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    residual = math.fsum((y - my - slope * (x - mx)) ** 2 for x, y in zip(xs, ys, strict=True))
    return Trend(slope, math.sqrt(residual / (n - 2) / sxx), max(xs) - min(xs))


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
    """More than three standard errors from zero: an effect worth stating as a number. Three,
    not two: a bench states two effects per run, and at two standard errors one run in ten
    would announce an effect that is not there."""
    return value is not None and se is not None and abs(value) > 3 * se


def fit_latency(
    inputs: Sequence[float], outputs: Sequence[float], e2e: Sequence[float], robust: bool = False
) -> LatencyFit | None:
    """e2e against input and output length over every successful request: ordinary least
    squares, or (``robust``) a Huber M-estimate, which down-weights the slow outliers that real
    endpoints produce instead of letting them pull the line.

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
    y = [float(v) for v in e2e]
    weights = [1.0] * n
    solved = _least_squares(columns, y, weights)
    if solved is None:
        return None
    if robust:
        for _ in range(50):
            residuals = [yi - _predict(solved[0], columns, i) for i, yi in enumerate(y)]
            scale = _mad(residuals) / 0.6745
            if scale <= 0:
                break
            weights = [min(1.0, HUBER_K * scale / abs(r)) if r else 1.0 for r in residuals]
            again = _least_squares(columns, y, weights)
            if again is None:
                return None
            moved = max(abs(a - b) for a, b in zip(again[0], solved[0], strict=True))
            solved = again
            if moved <= 1e-12 * max(1.0, max(abs(c) for c in solved[0])):
                break
    coefficients, inverse = solved
    fitted = {name: c for name, c in zip(names, coefficients, strict=True)}
    predicted = [_predict(coefficients, columns, i) for i in range(n)]
    average = mean(y)
    total = math.fsum((v - average) ** 2 for v in y)
    residual = math.fsum((v - p) ** 2 for v, p in zip(y, predicted, strict=True))
    weighted = math.fsum(w * (v - p) ** 2 for w, v, p in zip(weights, y, predicted, strict=True))
    variance = weighted / (n - len(columns))
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


#: Huber's tuning constant: 95% efficiency when the noise is normal.
HUBER_K = 1.345


def _predict(coefficients: Sequence[float], columns: list[list[float]], i: int) -> float:
    return math.fsum(c * col[i] for c, col in zip(coefficients, columns, strict=True))


def _mad(values: Sequence[float]) -> float:
    middle = percentile(values, 50)
    return percentile([abs(v - middle) for v in values], 50)


def _least_squares(
    columns: list[list[float]], y: list[float], weights: list[float]
) -> tuple[list[float], list[list[float]]] | None:
    """Solve the weighted normal equations (X'WX) b = X'Wy; also return (X'WX)^-1 for standard
    errors. Gauss-Jordan elimination with partial pivoting on [X'WX | X'Wy | I]."""
    k = len(columns)
    a = [
        [math.fsum(w * ci * cj for w, ci, cj in zip(weights, columns[i], columns[j], strict=True)) for j in range(k)]
        + [math.fsum(w * ci * yi for w, ci, yi in zip(weights, columns[i], y, strict=True))]
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
