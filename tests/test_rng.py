"""The counter-based generator: uniform, uncorrelated, and a pure function of its key."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.model.rng import Draws, Stream

N = 100_000
SEED = 12345


@pytest.fixture(scope="module")
def draws() -> Draws:
    return Draws(SEED, np.arange(N, dtype=np.int64))


def test_uniform_in_open_unit_interval_and_uniform(draws):
    u = draws.uniform(1, Stream.BATTLE_NOISE)
    assert u.shape == (N,)
    assert u.dtype == np.float64
    assert np.all(u > 0.0) and np.all(u < 1.0)
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / N)
    assert abs(u.var() - 1 / 12) < 0.002
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert np.unique(u).size > N - 5  # no short cycles or stuck values


@pytest.mark.parametrize("stream", list(Stream))
def test_every_stream_is_uniform(draws, stream):
    u = draws.uniform(7, stream)
    assert stats.kstest(u, "uniform").pvalue > 1e-4


def test_normal_and_logistic_draws(draws):
    z = draws.normal(3, Stream.ACCEPT_A)
    assert np.all(np.isfinite(z))
    assert abs(z.mean()) < 5 / np.sqrt(N)
    assert abs(z.std() - 1.0) < 0.01
    assert stats.kstest(z, "norm").pvalue > 1e-3
    g = draws.logistic(3, Stream.ACCEPT_B)
    assert np.all(np.isfinite(g))
    assert stats.kstest(g, "logistic").pvalue > 1e-3


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


LIMIT = 0.01  # about 3 standard errors of a correlation at N = 100k


def test_streams_rounds_and_runs_uncorrelated(draws):
    base = draws.uniform(5, Stream.ACCEPT_A)
    others = {
        "next stream": draws.uniform(5, Stream.ACCEPT_B),
        "far stream": draws.uniform(5, Stream.STRATEGY),
        "next round": draws.uniform(6, Stream.ACCEPT_A),
        "round 0 vs 5": draws.uniform(0, Stream.ACCEPT_A),
        "next run": np.roll(base, 1),
        "other seed": Draws(SEED + 1, draws.runs).uniform(5, Stream.ACCEPT_A),
    }
    for name, other in others.items():
        assert not np.array_equal(base, other), name
        assert abs(_corr(base, other)) < LIMIT, name


def test_round_stream_offsets_do_not_alias(draws):
    """No (round, stream) pair collides with another for the same run."""
    seen = set()
    for round_ in range(0, 30):
        for stream in Stream:
            first = float(draws.uniform(round_, stream)[0])
            assert first not in seen
            seen.add(first)


def test_lagged_runs_and_rounds_uncorrelated(draws):
    u = draws.uniform(2, Stream.BATTLE_NOISE)
    for lag in (1, 2, 64, 1024):
        assert abs(_corr(u[:-lag], u[lag:])) < LIMIT, lag
    series = np.array([Draws(SEED, np.array([17])).uniform(t, 1)[0] for t in range(2000)])
    assert abs(_corr(series[:-1], series[1:])) < 0.1


def test_draw_for_a_run_is_independent_of_its_batch(draws):
    batch = draws.uniform(9, Stream.COLLAPSE)
    for i in (0, 1, 511, 512, 4095, 4096, 77_777, N - 1):
        alone = Draws(SEED, np.array([i])).uniform(9, Stream.COLLAPSE)
        assert alone[0] == batch[i]
    picked = np.array([N - 1, 3, 40_000, 3])
    np.testing.assert_array_equal(Draws(SEED, picked).uniform(9, Stream.COLLAPSE), batch[picked])
    # An offset batch (as a later chunk) sees the same numbers.
    chunk = Draws(SEED, np.arange(4096, 8192)).normal(4, Stream.VETO)
    np.testing.assert_array_equal(chunk, draws.normal(4, Stream.VETO)[4096:8192])


def test_same_key_same_draw_and_seed_validation():
    a = Draws(3, np.arange(10)).uniform(2, Stream.VETO)
    b = Draws(3, np.arange(10)).uniform(2, Stream.VETO)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        Draws(-1, np.arange(3))
