"""Rubinstein (1982) benchmark: alternating offers on a grid converge to the closed form.

A pie of size 1, A proposes first, offers on the grid {0, 1/N, ..., 1}. Expected values are
computed by hand from the closed forms (Rubinstein 1982; Stahl 1972 for finite horizons) or by
walking the backward induction on a small grid by hand; none is read back from the code.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from sim.model.bargaining import (
    alternating_offers,
    finite_horizon_share,
    play_alternating_offers,
    rubinstein_benchmark,
    rubinstein_error_bound,
    rubinstein_periods,
    rubinstein_share,
)
from sim.model.bargaining.alternating import _accepts, _equilibrium_offer

CASES = ((0.9, 0.9), (0.95, 0.8))


def random_discounts(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.05, 0.97, n), rng.uniform(0.05, 0.97, n)


def test_closed_form_by_hand() -> None:
    assert rubinstein_share(0.9, 0.9)[0] == pytest.approx(1 / 1.9, abs=1e-15)
    assert rubinstein_share(0.95, 0.8)[0] == pytest.approx(0.2 / 0.24, abs=1e-15)
    assert rubinstein_share(0.5, 0.5)[0] == pytest.approx(2 / 3, abs=1e-15)
    # Vectorised over runs, scalars broadcast.
    np.testing.assert_allclose(
        rubinstein_share(np.array([0.9, 0.5]), 0.5), [0.5 / 0.55, 0.5 / 0.75], atol=1e-15
    )


def test_first_mover_advantage() -> None:
    deltas = np.array([0.3, 0.5, 0.8, 0.9])
    assert (rubinstein_share(deltas, deltas) > 0.5).all()
    # On a fine grid the bound is smaller than x* - 1/2, so the grid game must show it too.
    solved = alternating_offers(deltas, deltas, 1001, rubinstein_periods(deltas, deltas))
    bound = rubinstein_error_bound(deltas, deltas, 1001, rubinstein_periods(deltas, deltas))
    assert (rubinstein_share(deltas, deltas) - 0.5 > bound).all()
    assert (solved.share_a > 0.5).all()


def test_more_patient_side_gets_more() -> None:
    deltas = np.arange(0.5, 0.951, 0.05)
    fixed = np.full_like(deltas, 0.8)
    periods = rubinstein_periods(0.95, 0.95)
    # A's share rises with A's patience and falls with B's. On a grid of 100001 points the
    # bound (under 1e-4) is far below the closed form's change between neighbouring deltas,
    # so the grid game must order them the same way.
    assert (np.diff(rubinstein_share(deltas, fixed)) > 0).all()
    assert (np.diff(rubinstein_share(fixed, deltas)) < 0).all()
    assert (np.diff(alternating_offers(deltas, fixed, 100_001, periods).share_a) > 0).all()
    assert (np.diff(alternating_offers(fixed, deltas, 100_001, periods).share_a) < 0).all()


@pytest.mark.parametrize(("delta_a", "delta_b"), CASES)
def test_error_shrinks_as_grid_refines(delta_a: float, delta_b: float) -> None:
    rows = rubinstein_benchmark(delta_a, delta_b, grids=(11, 101, 1001))
    errors = [row["abs_error"] for row in rows]
    assert errors[0] > errors[1] > errors[2]
    x_star = (1 - delta_b) / (1 - delta_a * delta_b)
    for row in rows:
        assert row["closed_form"] == pytest.approx(x_star, abs=1e-15)
        assert row["abs_error"] == pytest.approx(abs(row["share_a"] - x_star), abs=1e-15)
        # Grid part of the bound by hand: one grid step / (1 - delta_A delta_B).
        step = 1 / (row["grid_points"] - 1)
        assert row["bound"] == pytest.approx(step / (1 - delta_a * delta_b), abs=1e-10)
        assert row["within_bound"] and row["abs_error"] <= row["bound"]
        assert row["period"] == 1
        assert row["value_a"] == row["share_a"]
        # Shares are grid points.
        assert row["share_a"] / step == pytest.approx(round(row["share_a"] / step), abs=1e-6)
    assert rows[-1]["abs_error"] <= 1 / (1000 * (1 - delta_a * delta_b))


def test_bound_holds_and_agreement_is_immediate_everywhere() -> None:
    delta_a, delta_b = random_discounts(400, seed=1)
    for grid_points in (2, 3, 5, 11, 51):
        for periods in (1, 2, 3, 8, 61, 120):
            solved = alternating_offers(delta_a, delta_b, grid_points, periods)
            bound = rubinstein_error_bound(delta_a, delta_b, grid_points, periods)
            assert (np.abs(solved.share_a - rubinstein_share(delta_a, delta_b)) <= bound).all()
            # Waiting never pays, whatever the grid.
            assert (solved.period == 1).all()
            np.testing.assert_array_equal(solved.value_a, solved.share_a)
            np.testing.assert_array_equal(solved.value_b, 1 - solved.share_a)


def test_finite_horizon_by_hand() -> None:
    delta_a, delta_b = np.array([0.9, 0.6, 0.3]), np.array([0.7, 0.95, 0.4])
    by_hand = {
        1: np.ones(3),
        2: 1 - delta_b,
        3: 1 - delta_b * (1 - delta_a),
        4: 1 - delta_b * (1 - delta_a * (1 - delta_b)),
        5: 1 - delta_b * (1 - delta_a * (1 - delta_b * (1 - delta_a))),
    }
    grid_points = 1_000_001
    for periods, expected in by_hand.items():
        np.testing.assert_allclose(
            finite_horizon_share(delta_a, delta_b, periods), expected, atol=1e-15
        )
        solved = alternating_offers(delta_a, delta_b, grid_points, periods)
        # Each period's rounding moves A's share by under one step of 1e-6.
        np.testing.assert_allclose(solved.share_a, expected, atol=periods * 1e-6)
        assert (solved.period == 1).all()


def test_finite_horizon_converges_to_rubinstein() -> None:
    delta_a, delta_b = random_discounts(20, seed=2)
    x_star = rubinstein_share(delta_a, delta_b)
    gaps = [np.abs(finite_horizon_share(delta_a, delta_b, t) - x_star) for t in (1, 3, 5)]
    assert (gaps[1] < gaps[0]).all() and (gaps[2] < gaps[1]).all()
    # Odd horizons approach from above, even ones from below.
    assert (finite_horizon_share(delta_a, delta_b, 7) >= x_star).all()
    assert (finite_horizon_share(delta_a, delta_b, 8) <= x_star).all()
    periods = rubinstein_periods(delta_a, delta_b)
    np.testing.assert_allclose(finite_horizon_share(delta_a, delta_b, periods), x_star, atol=1e-12)


def test_ties_are_accepted() -> None:
    # delta = 1/2 and grid step 1/4: with two periods B can take the whole pie in period 2, so
    # its continuation value is exactly 1/2 and A's offer of 1/2 is a tie. Accepting ties gives
    # A 1/2; rejecting them would force A down to 1/4.
    solved = alternating_offers(0.5, 0.5, 5, 2)
    assert solved.share_a[0] == 0.5
    assert solved.period[0] == 1
    # Three periods: A takes all in period 3, so in 2 B must give A 1/2 (tie) and keeps 1/2;
    # in 1 A must leave B 1/4 (tie) and keeps 3/4.
    assert alternating_offers(0.5, 0.5, 5, 3).share_a[0] == 0.75


def test_coarse_grid_outcome_depends_on_horizon_parity() -> None:
    # delta = 0.9, step 0.1, by hand. Even horizon: B takes all last, then each earlier
    # proposer keeps as much as the grid allows, and the pair of periods settles at A = 0.1
    # (B, proposing, must give A ceil(0.09) = 0.1; A, proposing, must leave B 0.81 -> 0.9).
    # Odd horizon: A takes all last, and it settles at A = 0.9 (B must give A 0.81 -> 0.9;
    # A must leave B 0.09 -> 0.1). Both long-horizon limits are equilibria of the infinite
    # grid game, both within the bound 0.1 / 0.19 of the Rubinstein share 0.526.
    even = alternating_offers(0.9, 0.9, 11, 200).share_a[0]
    odd = alternating_offers(0.9, 0.9, 11, 201).share_a[0]
    assert even == pytest.approx(0.1, abs=1e-12)
    assert odd == pytest.approx(0.9, abs=1e-12)
    bound = rubinstein_error_bound(0.9, 0.9, 11, 200)[0]
    assert abs(even - 1 / 1.9) <= bound and abs(odd - 1 / 1.9) <= bound


def test_vectorised_equals_per_run() -> None:
    delta_a, delta_b = random_discounts(40, seed=3)
    for grid_points, periods in ((3, 9), (21, 40), (1001, 101)):
        batch = alternating_offers(delta_a, delta_b, grid_points, periods)
        for i in range(len(delta_a)):
            one = alternating_offers(delta_a[i], delta_b[i], grid_points, periods)
            assert one.share_a[0] == batch.share_a[i]
            assert one.period[0] == batch.period[i]
            assert one.value_a[0] == batch.value_a[i]
        # A scalar broadcasts against an array.
        mixed = alternating_offers(delta_a, 0.7, grid_points, periods)
        np.testing.assert_array_equal(
            mixed.share_a,
            alternating_offers(delta_a, np.full(40, 0.7), grid_points, periods).share_a,
        )


def test_played_equals_solved() -> None:
    delta_a, delta_b = random_discounts(300, seed=4)
    for grid_points in (2, 4, 11, 101, 1001):
        for periods in (1, 2, 7, 50, 51):
            played = play_alternating_offers(delta_a, delta_b, grid_points, periods)
            solved = alternating_offers(delta_a, delta_b, grid_points, periods)
            np.testing.assert_array_equal(played.share_a, solved.share_a)
            np.testing.assert_array_equal(played.period, solved.period)
            np.testing.assert_allclose(played.value_a, solved.value_a, atol=1e-15)
            np.testing.assert_allclose(played.value_b, solved.value_b, atol=1e-15)


def test_periods_for_truncation() -> None:
    periods = rubinstein_periods(0.9, 0.9)
    assert periods % 2 == 0
    assert 0.81 ** (periods // 2) <= 1e-12 < 0.81 ** (periods // 2 - 1)
    # The most patient run decides for a batch.
    assert rubinstein_periods(np.array([0.5, 0.9]), np.array([0.5, 0.9])) == periods
    with pytest.raises(ValueError, match="periods"):
        rubinstein_periods(0.999999, 0.999999)


def test_benchmark_shapes() -> None:
    rows = rubinstein_benchmark(0.9, 0.9, grids=(11, 101))
    assert [row["grid_points"] for row in rows] == [11, 101]
    expected_keys = {
        "grid_points",
        "periods",
        "share_a",
        "period",
        "value_a",
        "closed_form",
        "abs_error",
        "bound",
        "within_bound",
    }
    for row in rows:
        assert set(row) == expected_keys
        assert isinstance(row["share_a"], float) and isinstance(row["bound"], float)
        assert row["within_bound"] is True
    rows = rubinstein_benchmark(np.array([0.9, 0.95]), np.array([0.9, 0.8]), grids=(101,))
    assert rows[0]["share_a"].shape == (2,)
    np.testing.assert_allclose(rows[0]["closed_form"], [1 / 1.9, 0.2 / 0.24], atol=1e-15)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: alternating_offers(1.0, 0.9, 11, 10), "delta_a.*\\(0, 1\\).*1.0"),
        (lambda: alternating_offers(0.9, 0.0, 11, 10), "delta_b.*\\(0, 1\\)"),
        (lambda: alternating_offers(np.nan, 0.9, 11, 10), "delta_a"),
        (lambda: alternating_offers(np.ones(3) * 0.5, np.ones(2) * 0.5, 11, 10), "shape"),
        (lambda: alternating_offers(0.5, 0.5, 1, 10), "grid_points"),
        (lambda: alternating_offers(0.5, 0.5, 11.0, 10), "grid_points"),
        (lambda: alternating_offers(0.5, 0.5, 11, 0), "periods"),
        (lambda: play_alternating_offers(0.5, 0.5, 11, True), "periods"),
    ],
)
def test_bad_input(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_grid_solution_by_hand() -> None:
    # delta = 0.9, step 0.01. Even horizon: the backward induction climbs from A = 0 to the
    # first split that repeats: from A = 0.5, B proposing must give A 0.9 * 0.5 = 0.45 (a
    # grid point, so a tie, accepted) and keeps 0.55; A proposing must leave B
    # 0.9 * 0.55 = 0.495 and keeps the grid point below 0.505, 0.5. Odd horizon: it falls from
    # A = 1 to A = 0.55 (B gives A ceil(0.495) = 0.5, A leaves B 0.45 and keeps 0.55).
    assert alternating_offers(0.9, 0.9, 101, 200).share_a[0] == pytest.approx(0.5, abs=1e-12)
    assert alternating_offers(0.9, 0.9, 101, 201).share_a[0] == pytest.approx(0.55, abs=1e-12)


def exact_backward_induction(delta_a: str, delta_b: str, steps: int, periods: int) -> Fraction:
    """A's share by backward induction in exact rational arithmetic (no waiting, as proved)."""
    da, db = Fraction(delta_a), Fraction(delta_b)
    value_a = value_b = Fraction(0)  # after the last period: disagreement
    for t in range(periods, 0, -1):
        if t % 2:  # A proposes and keeps the most that leaves B its continuation value
            share = Fraction(math.floor((1 - db * value_b) * steps), steps)
        else:  # B proposes and gives A the least that meets A's continuation value
            share = Fraction(math.ceil(da * value_a * steps), steps)
        value_a, value_b = share, 1 - share
    return value_a


def test_matches_exact_rational_backward_induction() -> None:
    # Decimal discount factors make many offers exact ties on the grid (0.75 * 0.8 = 0.6, a
    # grid point, is 0.6000000000000001 in floating point). The float code must treat them
    # as the rational arithmetic does.
    names = [f"{k * 0.05:.2f}" for k in range(1, 20)]
    pairs = [(a, b) for a in names for b in names]
    delta_a = np.array([float(a) for a, _ in pairs])
    delta_b = np.array([float(b) for _, b in pairs])
    for grid_points in (11, 21, 101):
        for periods in (1, 2, 3, 4, 6, 7, 20, 21):
            solved = alternating_offers(delta_a, delta_b, grid_points, periods)
            exact = [exact_backward_induction(a, b, grid_points - 1, periods) for a, b in pairs]
            np.testing.assert_allclose(solved.share_a, [float(x) for x in exact], atol=1e-12)


def test_proposer_who_prefers_waiting_demands_the_whole_pie() -> None:
    # Waiting never pays in equilibrium, so the rule is checked directly: A's best acceptable
    # offer leaves B at least 0.5, i.e. A keeps 0.5; if waiting is worth 0.6 to A, it demands
    # everything (index 10 of 10), which B rejects; at 0.5 (a tie) it makes the offer.
    reservation = np.array([0.5, 0.5])
    offer = _equilibrium_offer(True, reservation, np.array([0.6, 0.5]), 10)
    np.testing.assert_array_equal(offer, [10, 5])
    np.testing.assert_array_equal(_accepts(1 - offer / 10, reservation), [False, True])
    # B proposing: A needs 0.3, so B offers A 0.3 unless waiting beats keeping 0.7.
    offer = _equilibrium_offer(False, np.array([0.3, 0.3]), np.array([0.8, 0.7]), 10)
    np.testing.assert_array_equal(offer, [0, 3])
