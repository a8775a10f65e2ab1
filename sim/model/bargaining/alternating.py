"""Analytic benchmark: alternating offers without a mediator (Rubinstein 1982).

A pie of size 1 is split by two players who alternate proposals, A in odd periods and B in
even ones, for at most `periods` periods; shares are A's and must lie on the grid
{0, 1/N, ..., 1}, N = grid_points - 1. An agreement on A-share x in period t is worth
delta_A^(t-1) x to A and delta_B^(t-1) (1 - x) to B; no agreement by the last period gives
both 0. The subgame-perfect equilibrium is found by backward induction over periods, with
every run of a batch solved at once (loops run over periods only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]
I = NDArray[np.int64]

# Ties in floating point: the responder accepts an offer worth at least its continuation value
# and the proposer prefers agreement to waiting when both are worth the same. Values are
# compared with this slack so that a tie computed with rounding error still counts as a tie;
# it is far below any grid step allowed (grid_points <= _MAX_GRID_POINTS).
_TIE = 1e-12
_MAX_GRID_POINTS = 10**8
_MAX_PERIODS = 10**6


@dataclass(frozen=True)
class AlternatingOffersOutcome:
    """Equilibrium (or played) outcome of the alternating-offers game, one entry per run.

    Attributes:
        share_a: (n,) A's share of the pie in the agreement (a grid point).
        period: (n,) period of agreement, 1-based (1 = A's opening offer is accepted).
        value_a: (n,) A's payoff in period-1 units, delta_A^(period-1) * share_a.
        value_b: (n,) B's payoff in period-1 units, delta_B^(period-1) * (1 - share_a).
    """

    share_a: F
    period: I
    value_a: F
    value_b: F


def rubinstein_share(delta_a: F | float, delta_b: F | float) -> F:
    """A's share in the unique SPE of the infinite game with a continuous pie, A first.

    (1 - delta_B) / (1 - delta_A delta_B) (Rubinstein 1982): B accepts x iff 1 - x is at
    least what it gets as the next proposer, delta_B (1 - y), and A accepts y iff y is at least
    delta_A x; both binding gives the closed form.
    """
    da, db = _check_discounts(delta_a, delta_b)
    return (1.0 - db) / (1.0 - da * db)


def finite_horizon_share(delta_a: F | float, delta_b: F | float, periods: int) -> F:
    """A's share in the SPE with a continuous pie and at most `periods` periods, A first.

    The last proposer takes everything, and two periods of backward induction give
    x_T = (1 - delta_B) + delta_A delta_B x_(T-2) with x_1 = 1 and x_0 = 0 (Stahl 1972), so
    x_T = x* + q^m (x_r - x*) with q = delta_A delta_B, m = floor(T / 2), r = T mod 2 and x* the
    Rubinstein share: the finite game approaches the infinite one geometrically, alternately
    from above (odd T) and below (even T).
    """
    da, db = _check_discounts(delta_a, delta_b)
    _check_periods(periods)
    x_star = (1.0 - db) / (1.0 - da * db)
    start = 1.0 if periods % 2 else 0.0
    return x_star + (da * db) ** (periods // 2) * (start - x_star)


def rubinstein_error_bound(
    delta_a: F | float, delta_b: F | float, grid_points: int, periods: int
) -> F:
    """Bound on |value_a - Rubinstein share| for the grid game solved by `alternating_offers`.

    h / (1 - q) + q^floor(T/2) max(x*, 1 - x*), with h = 1 / (grid_points - 1) the grid step,
    q = delta_A delta_B and x* the Rubinstein share. The first term is the grid, the second the
    truncation at T periods. Derivation (docs/model.md, section 5.2): in every period the
    responder ends with at least its continuation value and less than one grid step more, and
    the proposer with the rest or, if it waits, with no more than the rest; over one A-then-B
    pair of periods A's value therefore obeys the Rubinstein recursion up to an error in
    (-h, delta_B h), and the errors add up geometrically with ratio q. Agreement is always
    immediate (see `alternating_offers`), so the bound applies to A's share itself. Over a
    scan of discount factors and grids the error comes within 0.1% of the bound, so the
    order h / (1 - q) cannot be improved.
    """
    da, db = _check_discounts(delta_a, delta_b)
    _check_grid(grid_points)
    _check_periods(periods)
    q = da * db
    x_star = (1.0 - db) / (1.0 - q)
    step = 1.0 / (grid_points - 1)
    return step / (1.0 - q) + q ** (periods // 2) * np.maximum(x_star, 1.0 - x_star)


def rubinstein_periods(delta_a: F | float, delta_b: F | float, tolerance: float = 1e-12) -> int:
    """Smallest even horizon T whose truncation term (delta_A delta_B)^(T/2) is <= tolerance.

    Taken over all runs (the most patient pair decides). Raises ValueError when this needs more
    than a million periods (discount factors too close to 1 for the benchmark).
    """
    da, db = _check_discounts(delta_a, delta_b)
    if not 0.0 < tolerance < 1.0:
        raise ValueError(f"tolerance: expected a number in (0, 1), got {tolerance!r}")
    q = float(np.max(da * db))
    pairs = int(np.ceil(np.log(tolerance) / np.log(q)))
    periods = 2 * max(pairs, 1)
    if periods > _MAX_PERIODS:
        raise ValueError(
            f"delta_a * delta_b = {q!r}: truncation below {tolerance!r} needs {periods} periods "
            f"(more than {_MAX_PERIODS}); pass fewer periods explicitly"
        )
    return periods


def alternating_offers(
    delta_a: F | float, delta_b: F | float, grid_points: int, periods: int
) -> AlternatingOffersOutcome:
    """Subgame-perfect equilibrium of the alternating-offers game on a grid, by backward induction.

    In each period, going back from the last, the responder's continuation value is what it
    gets from the subgame that starts next period, discounted by one period. The responder
    accepts an offer iff it is worth at least that (ties: accept). The proposer offers the
    grid point best for itself that the responder accepts, unless waiting (its own discounted
    continuation value) is strictly better; then it demands the whole pie, which is rejected
    (were it acceptable, agreeing on it would be worth 1, the most waiting can give), and the
    game moves on. In the last period the proposer takes the whole pie and the responder,
    facing 0, accepts, so every run ends in agreement.

    With these tie rules the equilibrium of the finite game is unique. Waiting never pays,
    whatever the grid: if the subgame from period t + 1 ends at once on grid share s, offering
    s in period t is acceptable (the responder gets its share a period sooner) and worth at
    least waiting to the proposer, so by induction from the last period agreement comes in
    period 1. The rule for waiting is still applied, not assumed away, and the tests check
    the consequence. The grid does move the share, by up to `rubinstein_error_bound`, and the
    limit of long horizons depends on the parity of `periods` when the grid is coarse (the
    infinite grid game has many equilibria); see docs/model.md, section 5.2.

    Args:
        delta_a: A's discount factor per period, in (0, 1); scalar or (n,).
        delta_b: B's discount factor per period, in (0, 1); scalar or (n,), broadcast with A's.
        grid_points: number of admissible shares, 0 and 1 included (>= 2).
        periods: largest number of periods (>= 1); A proposes in period 1.

    Returns:
        The outcome per run, arrays of shape (n,) (n = 1 for two scalars).
    """
    da, db = _check_discounts(delta_a, delta_b)
    _check_grid(grid_points)
    _check_periods(periods)
    steps = grid_points - 1
    n = da.shape[0]
    value_a = np.zeros(n)  # continuation values after the last period: no agreement
    value_b = np.zeros(n)
    share_a = np.full(n, np.nan)
    period = np.zeros(n, dtype=np.int64)
    for t in range(periods, 0, -1):
        share, accepted = _period_play(t, da, db, value_a, value_b, steps)
        value_a = np.where(accepted, share, da * value_a)
        value_b = np.where(accepted, 1.0 - share, db * value_b)
        share_a = np.where(accepted, share, share_a)
        period = np.where(accepted, t, period)
    return AlternatingOffersOutcome(share_a, period, value_a, value_b)


def play_alternating_offers(
    delta_a: F | float, delta_b: F | float, grid_points: int, periods: int
) -> AlternatingOffersOutcome:
    """Play the grid game forward, period by period, with the equilibrium strategies.

    Each player's strategy needs only its continuation values, which come from the same
    backward induction as `alternating_offers`. From period 1 on, the proposer of each run
    still bargaining makes its offer, the responder compares the offer's worth to its own
    continuation value and accepts or rejects, and agreed runs leave the table. The outcome
    must equal `alternating_offers`; a difference would mean the strategies or the bookkeeping
    of the backward induction are wrong. Stores the values of every period: memory grows as
    periods * n.
    """
    da, db = _check_discounts(delta_a, delta_b)
    _check_grid(grid_points)
    _check_periods(periods)
    steps = grid_points - 1
    n = da.shape[0]
    # values[t] = continuation values (A, B) of the subgame starting in period t + 1, in
    # period-(t + 1) units; values[periods] is the disagreement point.
    values = np.zeros((periods + 1, 2, n))
    for t in range(periods, 0, -1):
        share, accepted = _period_play(t, da, db, values[t, 0], values[t, 1], steps)
        values[t - 1, 0] = np.where(accepted, share, da * values[t, 0])
        values[t - 1, 1] = np.where(accepted, 1.0 - share, db * values[t, 1])

    share_a = np.full(n, np.nan)
    period = np.zeros(n, dtype=np.int64)
    bargaining = np.ones(n, dtype=bool)
    for t in range(1, periods + 1):
        a_proposes = t % 2 == 1
        next_a, next_b = values[t, 0], values[t, 1]
        reservation = db * next_b if a_proposes else da * next_a
        waiting = da * next_a if a_proposes else db * next_b
        offer = _equilibrium_offer(a_proposes, reservation, waiting, steps) / steps
        accepted = bargaining & _accepts(1.0 - offer if a_proposes else offer, reservation)
        share_a = np.where(accepted, offer, share_a)
        period = np.where(accepted, t, period)
        bargaining &= ~accepted
        if not bargaining.any():
            break
    return AlternatingOffersOutcome(
        share_a, period, da ** (period - 1) * share_a, db ** (period - 1) * (1.0 - share_a)
    )


def rubinstein_benchmark(
    delta_a: F | float,
    delta_b: F | float,
    grids: tuple[int, ...] = (11, 101, 1001),
    periods: int | None = None,
) -> list[dict[str, Any]]:
    """Grid game against the Rubinstein (1982) share, one row per grid, coarse to fine.

    The game is played forward (`play_alternating_offers`) and checked against the backward
    induction (`alternating_offers`); a mismatch raises RuntimeError. `periods` defaults to
    `rubinstein_periods` (truncation below 1e-12).

    Returns:
        For each grid a dict: grid_points, periods, share_a, period (of agreement), value_a,
        closed_form, abs_error (|share_a - closed_form|), bound (`rubinstein_error_bound`) and
        within_bound (abs_error <= bound). Values are scalars when both discount factors are
        scalars, else (n,) arrays.
    """
    scalar = np.ndim(delta_a) == 0 and np.ndim(delta_b) == 0
    if periods is None:
        periods = rubinstein_periods(delta_a, delta_b)
    closed = rubinstein_share(delta_a, delta_b)
    rows: list[dict[str, object]] = []
    for grid_points in grids:
        played = play_alternating_offers(delta_a, delta_b, grid_points, periods)
        solved = alternating_offers(delta_a, delta_b, grid_points, periods)
        if not (
            np.array_equal(played.share_a, solved.share_a)
            and np.array_equal(played.period, solved.period)
        ):
            raise RuntimeError(
                f"grid_points={grid_points}: the played game and the backward induction differ"
            )
        error = np.abs(solved.share_a - closed)
        bound = rubinstein_error_bound(delta_a, delta_b, grid_points, periods)
        row = {
            "grid_points": grid_points,
            "periods": periods,
            "share_a": solved.share_a,
            "period": solved.period,
            "value_a": solved.value_a,
            "closed_form": closed,
            "abs_error": error,
            "bound": bound,
            "within_bound": error <= bound,
        }
        if scalar:
            row = {
                key: value.item() if isinstance(value, np.ndarray) else value
                for key, value in row.items()
            }
        rows.append(row)
    return rows


def _period_play(
    t: int, da: F, db: F, next_a: F, next_b: F, steps: int
) -> tuple[F, NDArray[np.bool_]]:
    """Period t of the equilibrium given next period's values: (offer as A's share, accepted)."""
    a_proposes = t % 2 == 1
    reservation = db * next_b if a_proposes else da * next_a
    waiting = da * next_a if a_proposes else db * next_b
    offer = _equilibrium_offer(a_proposes, reservation, waiting, steps) / steps
    return offer, _accepts(1.0 - offer if a_proposes else offer, reservation)


def _accepts(offered: F, reservation: F) -> NDArray[np.bool_]:
    """The responder's rule: accept iff the offer is worth at least its continuation value."""
    return offered >= reservation - _TIE


def _equilibrium_offer(a_proposes: bool, reservation: F, waiting: F, steps: int) -> I:
    """The proposer's rule: grid index k (A's share k / steps) of its offer.

    The best grid point for the proposer among those the responder accepts; if its own
    discounted continuation value `waiting` is strictly more, the whole pie instead.
    """
    if a_proposes:
        # Largest k with 1 - k/steps >= reservation; the floor can be one off in floating
        # point, so it is corrected both ways with the responder's own rule.
        k = np.clip(np.floor(steps * (1.0 - reservation)), 0, steps).astype(np.int64)
        k = np.where(_accepts(1.0 - k / steps, reservation), k, np.maximum(k - 1, 0))
        up = np.minimum(k + 1, steps)
        k = np.where(_accepts(1.0 - up / steps, reservation), up, k)
        own, whole_pie = k / steps, steps
    else:
        k = np.clip(np.ceil(steps * reservation), 0, steps).astype(np.int64)
        k = np.where(_accepts(k / steps, reservation), k, np.minimum(k + 1, steps))
        down = np.maximum(k - 1, 0)
        k = np.where(_accepts(down / steps, reservation), down, k)
        own, whole_pie = 1.0 - k / steps, 0
    return np.where(waiting > own + _TIE, whole_pie, k)


def _check_discounts(delta_a: F | float, delta_b: F | float) -> tuple[F, F]:
    try:
        da, db = np.broadcast_arrays(
            np.atleast_1d(np.asarray(delta_a, dtype=np.float64)),
            np.atleast_1d(np.asarray(delta_b, dtype=np.float64)),
        )
    except ValueError as error:
        raise ValueError(
            f"delta_a, delta_b: expected scalars or arrays of one shape (n,), got shapes "
            f"{np.shape(delta_a)} and {np.shape(delta_b)}"
        ) from error
    if da.ndim != 1:
        raise ValueError(f"delta_a, delta_b: expected at most one axis (runs), got {da.shape}")
    for name, value in (("delta_a", da), ("delta_b", db)):
        bad = ~((value > 0.0) & (value < 1.0))
        if bad.any():
            raise ValueError(f"{name}: expected discount factors in (0, 1), got {value[bad][0]!r}")
    return da.copy(), db.copy()


def _check_grid(grid_points: int) -> None:
    if isinstance(grid_points, bool) or not isinstance(grid_points, int | np.integer):
        raise ValueError(f"grid_points: expected an integer, got {grid_points!r}")
    if not 2 <= grid_points <= _MAX_GRID_POINTS:
        raise ValueError(
            f"grid_points: expected an integer in [2, {_MAX_GRID_POINTS}], got {grid_points!r}"
        )


def _check_periods(periods: int) -> None:
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer):
        raise ValueError(f"periods: expected an integer, got {periods!r}")
    if not 1 <= periods <= _MAX_PERIODS:
        raise ValueError(f"periods: expected an integer in [1, {_MAX_PERIODS}], got {periods!r}")
