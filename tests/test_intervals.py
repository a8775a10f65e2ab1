"""The confidence intervals of sim.reports.intervals against values computed by hand or published.

Before statsmodels was dropped, these functions were checked equal to its
`proportion_confint` ("wilson", "beta") and `DescrStatsW.tconfint_mean` to the last digit
over ~49,000 (successes, n, alpha) cases, edges included; these tests keep the formulas
honest without it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.reports.analysis import proportion_interval
from sim.reports.intervals import clopper_pearson, t_interval_mean, wilson

Z975 = 1.959963984540054  # the standard normal's 0.975 quantile

# Newcombe (1998), Statistics in Medicine 17:857-872, Table II: the Wilson score
# (method 3) and Clopper-Pearson (method 5) 95% intervals, to four decimals.
NEWCOMBE = [
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize(("k", "n", "wilson_ref", "exact_ref"), NEWCOMBE)
def test_published_intervals(k, n, wilson_ref, exact_ref):
    assert [round(float(b), 4) for b in wilson(k, n)] == list(wilson_ref)
    assert [round(float(b), 4) for b in clopper_pearson(k, n)] == list(exact_ref)


@pytest.mark.parametrize("n", [1, 2, 7, 100, 100_000])
def test_wilson_at_zero_and_n(n):
    # At p = 0 the centre and the half-width are both z^2 / (2 (n + z^2)).
    z2 = Z975**2
    low, high = wilson(0, n)
    assert low == pytest.approx(0.0, abs=1e-15)
    assert high == pytest.approx(z2 / (n + z2), rel=1e-12)
    low, high = wilson(n, n)
    assert low == pytest.approx(n / (n + z2), rel=1e-12)
    assert high == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(("k", "n"), [(7, 20), (1, 1000), (512, 1000), (62_989, 100_000)])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_wilson_formula(k, n, alpha):
    z = -float(np.asarray(_normal_quantile(alpha / 2)))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert [float(b) for b in wilson(k, n, alpha)] == pytest.approx(
        [centre - half, centre + half], rel=1e-12
    )


def _normal_quantile(q: float) -> float:
    # Bisection on the normal CDF written with math.erf: independent of scipy.
    lo, hi = -10.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def test_normal_quantile_helper():
    assert _normal_quantile(0.975) == pytest.approx(Z975, abs=1e-12)


@pytest.mark.parametrize("n", [1, 5, 20, 1000])
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_clopper_pearson_closed_forms(n, alpha):
    # With 0 successes the upper bound solves (1 - p)^n = alpha/2; with n, p^n = alpha/2
    # gives the lower; with 1 success the lower bound solves 1 - (1 - p)^n = alpha/2.
    h = alpha / 2
    assert tuple(map(float, clopper_pearson(0, n, alpha))) == pytest.approx(
        (0.0, 1 - h ** (1 / n)), rel=1e-10
    )
    assert tuple(map(float, clopper_pearson(n, n, alpha))) == pytest.approx(
        (h ** (1 / n), 1.0), rel=1e-10
    )
    if n > 1:
        assert float(clopper_pearson(1, n, alpha)[0]) == pytest.approx(
            1 - (1 - h) ** (1 / n), rel=1e-10
        )
    # Exactly 0 and 1 at the edges, not a rounding error inside.
    assert float(clopper_pearson(0, n, alpha)[0]) == 0.0
    assert float(clopper_pearson(n, n, alpha)[1]) == 1.0


def test_vectorised_and_empty():
    k = np.array([0, 3, 5, 0])
    n = np.array([5, 5, 5, 0])
    for method in (wilson, clopper_pearson):
        low, high = method(k, n)
        assert low.shape == high.shape == (4,)
        assert np.isnan(low[3]) and np.isnan(high[3])
        for i in range(3):
            assert (low[i], high[i]) == (float(method(k[i], 5)[0]), float(method(k[i], 5)[1]))
    low, high = proportion_interval(k, n, method="clopper-pearson")
    assert low[0] == 0.0 and high[2] == 1.0 and np.isnan(low[3])


def test_t_interval_by_hand():
    # 1..5: mean 3, sample sd sqrt(2.5), standard error sqrt(0.5); t(0.975, 4) = 2.7764451.
    low, high = t_interval_mean([1.0, 2.0, 3.0, 4.0, 5.0])
    half = 2.7764451051977987 * math.sqrt(0.5)
    assert (low, high) == pytest.approx((3 - half, 3 + half), rel=1e-12)
    # Paired 0/1 differences as a comparison makes them: t(0.95, 9) = 1.8331129.
    d = np.array([1, 0, 0, 1, 0, 0, 0, -1, 1, 0], dtype=float)
    mean, se = d.mean(), d.std(ddof=1) / math.sqrt(d.size)
    low, high = t_interval_mean(d, alpha=0.1)
    assert (low, high) == pytest.approx(
        (mean - 1.8331129326536335 * se, mean + 1.8331129326536335 * se), rel=1e-12
    )


def test_t_interval_needs_two_values():
    with pytest.raises(ValueError, match="at least 2"):
        t_interval_mean([1.0])
