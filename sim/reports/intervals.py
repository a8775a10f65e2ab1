"""Confidence intervals: a binomial proportion (Wilson score, Clopper–Pearson) and a mean
(Student's t), vectorised over numpy arrays.

The arithmetic is the one statsmodels 0.14–0.15 uses (`proportion_confint` with method
"wilson" and "beta", `DescrStatsW(x).tconfint_mean`), operation for operation, so results
are the same to the last digit as when negsim used statsmodels; tests/test_intervals.py
checks the formulas against values computed by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Bounds = tuple[NDArray[np.float64], NDArray[np.float64]]


def _counts(successes: Any, n: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    return np.broadcast_arrays(x, m)  # type: ignore[return-value]


def wilson(successes: Any, n: Any, alpha: float = 0.05) -> Bounds:
    """Wilson score interval, without continuity correction (Wilson 1927; recommended by
    Brown, Cai & DasGupta 2001), clipped to [0, 1] against round-off. NaN where n is 0.

    As statsmodels computes it, the bounds at 0 and n successes are a rounding error inside
    0 and 1; callers that need them exact set them (see `sim.reports.results.wilson_interval`).
    """
    # scipy.special alone, not scipy.stats: this runs on every batch summary, and
    # scipy.stats costs ~0.4 s to import. norm.isf(q) is -ndtri(q) in scipy.stats.
    from scipy.special import ndtri

    x, m = _counts(successes, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = x / m
        crit = -ndtri(alpha / 2.0)
        crit2 = crit**2
        denom = 1 + crit2 / m
        center = (q + crit2 / (2 * m)) / denom
        dist = crit * np.sqrt(q * (1.0 - q) / m + crit2 / (4.0 * m**2))
        dist /= denom
        low = np.clip(center - dist, 0, 1)
        high = np.clip(center + dist, 0, 1)
    return low, high


def clopper_pearson(successes: Any, n: Any, alpha: float = 0.05) -> Bounds:
    """Clopper–Pearson "exact" interval (Clopper & Pearson 1934) from beta quantiles, alpha/2
    in each tail: exactly 0 at 0 successes and exactly 1 at n. NaN where n is 0."""
    from scipy import stats  # only analyses ask for this interval (start-up time)

    x, m = _counts(successes, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.asarray(stats.beta.ppf(alpha / 2.0, x, m - x + 1), dtype=float)
        high = np.asarray(stats.beta.isf(alpha / 2.0, x + 1, m - x), dtype=float)
        q = x / m
    low = np.where(q == 0, 0.0, low)
    high = np.where(q == 1, 1.0, high)
    return low, high


def t_interval_mean(values: Any, alpha: float = 0.05) -> tuple[float, float]:
    """Two-sided Student-t interval of the mean of `values` (1-d, at least two of them):
    mean ± t(1 - alpha/2, n - 1) · s / sqrt(n), s the sample standard deviation."""
    from scipy import stats  # only comparisons ask for this interval (start-up time)

    d = np.asarray(values, dtype=float)
    if d.ndim != 1 or d.size < 2:
        raise ValueError(f"a t-interval needs a 1-d array of at least 2 values, got {d.shape}")
    # statsmodels' order of operations (DescrStatsW with unit weights), kept so that the
    # bounds are the same to the last digit: sums as dot products with the weights, the
    # variance with divisor n, then the standard error divided by sqrt(n - 1).
    weights = np.ones(d.shape[0])
    n = weights.sum(0)
    mean = np.dot(d, weights) / n
    var = np.dot((d - mean) ** 2, weights) / n
    std_mean = np.sqrt(var) / np.sqrt(n - 1)
    tcrit = stats.t.ppf(1 - alpha / 2.0, n - 1)
    return float(mean - tcrit * std_mean), float(mean + tcrit * std_mean)
