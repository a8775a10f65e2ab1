"""Concession paths over the issue space and the texts found on them, vectorised over runs.

With linear utilities (`sim.model.bargaining.space`) the Pareto set is traced by moving issues one
at a time from one side's ideal to the other's, in order of the ratio of what the receiver
gains to what the giver loses; conceding first where you care least is logrolling (Raiffa
1982). A concession path is piecewise linear in a scalar lambda in [0, K]; the functions below
work on its K+1 breakpoints and solve within one segment in closed form.

Arrays: R runs, K issues, parties indexed 0 = A, 1 = B.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining.space import _TINY, IssueSpace, acceptance_score, compliance

F = NDArray[np.float64]
I = NDArray[np.int64]


@dataclass
class Path:
    """Breakpoints of a concession path from the giver's ideal toward the receiver's.

    u and g are (R or 1, K+1, 2): utilities and text enforcement of both parties at each
    breakpoint. `ranks[k]` is the position of issue k in the order of concession.
    """

    giver: int
    ranks: I
    u: F
    g: F

    def point(self, lam: F, t_start: F, movable: NDArray[np.bool_]) -> F:
        """Progress vector at path position lam (R,)."""
        target = 0.0 if self.giver == 0 else 1.0
        moved = np.clip(lam[:, None] - self.ranks, 0.0, 1.0)
        return np.where(movable, t_start + moved * (target - t_start), t_start)


def concession_path(
    giver: int,
    space: IssueSpace,
    movable: NDArray[np.bool_],
    t_start: F,
    value_of_assurance: F | None = None,
) -> Path:
    """Build the giver's logrolling path toward the receiver.

    Args:
        giver: 0 (A concedes to B: t falls from 1 to 0) or 1 (B concedes: t rises to 1).
        space: The issue space.
        movable: (K,) or (R, K) issues the text may move (deferred issues stay at t_start).
        t_start: (R, K) or (1, K) progress at lambda = 0: giver's ideal on movable issues.
        value_of_assurance: (R, 2) or None: utility-equivalent of a unit of enforcement to
            each party, so guarantees are conceded where they buy the receiver most.
    """
    receiver = 1 - giver
    w = space.weights
    sal_r, sal_g = w[..., receiver, :], w[..., giver, :]
    asr_r, asr_g = w[..., 2 + receiver, :], w[..., 2 + giver, :]
    gain, loss = sal_r, sal_g
    if value_of_assurance is not None:
        gain = sal_r + asr_r * value_of_assurance[:, receiver, None]
        loss = sal_g + asr_g * value_of_assurance[:, giver, None]
    # Best ratio first; issues that cannot move sort last. The sort is stable, so ties
    # (and whole runs with equal parameters) give the same order in a batch and alone.
    ratio = np.where(movable, gain / np.maximum(loss, _TINY), -1.0)
    if ratio.ndim == 1:
        ratio = ratio[None, :]
    order = np.argsort(-ratio, axis=1, kind="stable")
    ranks = np.argsort(order, axis=1, kind="stable")
    rows, k = ratio.shape
    steps_order = np.ascontiguousarray(order.T)  # (K, R): the issue conceded at each step
    if movable.ndim == 1:
        mov = movable[steps_order]
    else:
        mov = np.ascontiguousarray(np.take_along_axis(movable, order, axis=1).T)
    # Per-issue change of (U_A, U_B, g_A, g_B) when the giver concedes the issue fully, in
    # the order of concession, laid out (quantity, step, run) so that numpy's inner loops
    # run over the runs (they would run over the four quantities otherwise).
    sign_u = (-1.0, 1.0) if giver == 0 else (1.0, -1.0)
    if w.ndim == 2:
        ordered = np.take(w, steps_order, axis=1)
    else:
        ordered = np.take_along_axis(w, order[:, None, :], axis=2).transpose(1, 2, 0)
    signs = np.array([*sign_u, *sign_u])[:, None, None]
    steps = np.where(mov, ordered * signs, 0.0)  # (4, K, R)
    u0, g0 = space.evaluate(t_start)
    start = np.concatenate([u0, g0], axis=-1).T  # (4, R)
    n = max(start.shape[1], rows)
    # Running sums step by step (the additions of np.cumsum, in its order), then the start.
    climbed = np.empty((4, k, n))
    if k:
        climbed[:, 0] = steps[:, 0]
    for j in range(1, k):
        np.add(climbed[:, j - 1], steps[:, j], out=climbed[:, j])
    values = np.empty((4, k + 1, n))
    values[:, 0] = start
    np.add(climbed, start[:, None, :], out=values[:, 1:])
    # Seen as (R, K+1, 4): the layout is internal, the values are the breakpoints'.
    values = values.transpose(2, 1, 0)
    return Path(giver=giver, ranks=ranks, u=values[..., :2], g=values[..., 2:])


def whole_starts(space: IssueSpace, start: F, movable: NDArray[np.bool_]) -> list[F]:
    """Starting points of the concession paths that cover the texts an indivisible issue
    allows: one per way of placing the indivisible issues that may move at an end (the
    paths then move only the divisible ones). `start` is (R or 1, K); `[start]` when every
    issue is divisible.

    With linear utilities the efficient texts that place such an issue at a given end are
    the logrolling path over the other issues from that placement; the texts one path
    cannot reach (a side keeping an indivisible issue while conceding part of another) lie
    on another. The number of paths doubles with each indivisible issue (a scenario may
    have at most four: `sim.model.config.MAX_INDIVISIBLE`).
    """
    if space.indivisible is None:
        return [start]
    cols = np.flatnonzero(space.indivisible)
    may_move = np.broadcast_to(movable, (start.shape[0], movable.shape[-1]))[:, cols]
    starts = []
    for bits in itertools.product((0.0, 1.0), repeat=cols.size):
        placed = np.array(start, dtype=float, copy=True)
        placed[:, cols] = np.where(may_move, np.array(bits), placed[:, cols])
        starts.append(placed)
    return starts


def _pick(a: F, idx: I) -> F:
    """a[r, idx[r]] for a of shape (R or 1, K+1) (fancy indexing: cheaper than
    take_along_axis for one element per row)."""
    if a.shape[0] == 1:
        return a[0, idx]
    return a[np.arange(idx.shape[0]), idx]


def _segment_root(f0: F, f1: F, u0: F, du: F, p0: F, dp: F, v: F, loss: F) -> F:
    """Root in [0, 1] of f(s) = (p0 + s dp)(u0 + s du - v + loss) - const, with f(0) = f0.

    The score is the product of two affine functions of s, so f is quadratic; we take the
    root where f crosses between f0 and f1, which have opposite signs.
    """
    a = dp * du
    b = p0 * du + dp * (u0 - v + loss)
    c = f0
    linear = np.abs(a) < 1e-14
    with np.errstate(divide="ignore", invalid="ignore"):
        s_lin = -c / b
        disc = np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0))
        # Numerically stable pair of roots (Press et al., Numerical Recipes §5.6).
        q = -0.5 * (b + np.copysign(disc, b))
        r1 = q / a
        r2 = c / q
    in1 = (r1 >= -1e-9) & (r1 <= 1 + 1e-9)
    s = np.where(linear, s_lin, np.where(in1, r1, r2))
    s = np.where(np.isfinite(s), s, np.where(f1 >= 0, 1.0, 0.0))
    return np.clip(s, 0.0, 1.0)


def _scores(path: Path, who: int, trust: F, external: F, v: F, loss: F, hurdle: F) -> F:
    pi = compliance(trust[:, None], path.g[..., who], external[:, None])
    return acceptance_score(path.u[..., who], v[:, None], pi, loss[:, None], hurdle[:, None])


def _solve(path: Path, who: int, f: F, seg: I, trust: F, external: F, v: F, loss: F) -> F:
    u, g = path.u[..., who], path.g[..., who]
    u0, u1 = _pick(u, seg), _pick(u, seg + 1)
    p0 = compliance(trust, _pick(g, seg), external)
    p1 = compliance(trust, _pick(g, seg + 1), external)
    s = _segment_root(_pick(f, seg), _pick(f, seg + 1), u0, u1 - u0, p0, p1 - p0, v, loss)
    return seg + s


def first_acceptable(
    path: Path, who: int, trust: F, external: F, v: F, loss: F, hurdle: F
) -> tuple[F, NDArray[np.bool_]]:
    """Smallest lambda at which `who`'s score reaches 0 (it rises along the path: receiver).

    Returns (lambda, feasible); infeasible runs get lambda = K (everything conceded).
    """
    f = _scores(path, who, trust, external, v, loss, hurdle)
    k = f.shape[1] - 1
    ok = f >= 0.0
    idx = np.argmax(ok, axis=1)
    seg = np.clip(idx - 1, 0, k - 1)
    lam = _solve(path, who, f, seg, trust, external, v, loss)
    lam = np.where(ok[:, 0], 0.0, lam)
    feasible = ok[:, -1]
    return np.where(feasible, lam, float(k)), feasible


def last_acceptable(
    path: Path, who: int, trust: F, external: F, v: F, loss: F, hurdle: F
) -> tuple[F, NDArray[np.bool_]]:
    """Largest lambda at which `who`'s score is still >= 0 (it falls along the path: giver)."""
    f = _scores(path, who, trust, external, v, loss, hurdle)
    k = f.shape[1] - 1
    ok = f >= 0.0
    last = k - np.argmax(ok[:, ::-1], axis=1)
    seg = np.clip(last, 0, k - 1)
    lam = _solve(path, who, f, seg, trust, external, v, loss)
    lam = np.where(ok[:, -1], float(k), lam)
    feasible = ok[:, 0]
    return np.where(feasible, lam, 0.0), feasible


def nash_point(path: Path, d_a: F, d_b: F, power_b: F) -> tuple[F, NDArray[np.bool_]]:
    """Generalised Nash bargaining point on the frontier traced by `path` (A giving to B).

    Maximises (U_A - d_A)^(1 - beta) (U_B - d_B)^beta (Nash 1950; Kalai 1977 for beta other
    than 1/2) segment by segment in closed form. When no frontier point gives both sides their
    disagreement value, returns the point that leaves them equally short (the mediator splits
    the difference). Returns (lambda, feasible).
    """
    ua = path.u[..., 0] - d_a[:, None]
    ub = path.u[..., 1] - d_b[:, None]
    return nash_on_segments(ua[:, :-1], ua[:, 1:], ub[:, :-1], ub[:, 1:], power_b)


def nash_on_segments(
    a0: F,
    a1: F,
    b0: F,
    b1: F,
    power_b: F,
    labels: I | None = None,
    total: int | None = None,
    ignore: NDArray[np.bool_] | None = None,
) -> tuple[F, NDArray[np.bool_]]:
    """The Nash point of surpluses that are linear on each of K segments of a path.

    a0, a1 (R, K): A's surplus at the start and end of each segment (falling along the
    path); b0, b1 likewise for B (rising). The ends of adjacent segments need not agree (a
    surplus may jump between segments). Returns (lambda = segment + fraction, feasible); an
    infeasible run gets the first point where the two shortfalls are equal.

    `labels` (K,) numbers the segments when they are a subset of `total` segments of a
    longer path (lambda is then counted on that path); by default they are 0 .. K-1.
    `ignore` (R, K) marks segments of zero width to pass over, as if they were not there
    (they only repeat an end of a real one), so that a solver with the same pieces for every
    run can drop them and one with pieces per run gives the same point.
    """
    da, db = a1 - a0, b1 - b0
    beta = power_b[:, None]
    # s* = -((1 - beta) da b0 + beta db a0) / (da db), worked out in place (same operations).
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s_star = (1 - beta) * da
        s_star *= b0
        term = beta * db
        term *= a0
        s_star += term
        np.negative(s_star, out=s_star)
        np.multiply(da, db, out=term)
        s_star /= term
    finite = np.isfinite(s_star)
    np.clip(s_star, 0.0, 1.0, out=s_star)
    np.copyto(s_star, 0.0, where=~finite)
    a_s = a0 + s_star * da
    b_s = b0 + s_star * db
    feasible_seg = (a_s >= -1e-12) & (b_s >= -1e-12)
    # The Nash product only where both surpluses are nonnegative (a few percent of the
    # pieces, so the logarithms are taken there only); -inf elsewhere.
    objective = np.full(a_s.shape, -np.inf)
    # The feasible pieces by their flat positions: one scan of the mask, not one a use.
    where = np.flatnonzero(feasible_seg)
    if where.size:
        if power_b.shape[0] == a_s.shape[0]:  # each piece's run's bargaining power
            weight = power_b[where // a_s.shape[1]]
        else:
            weight = np.broadcast_to(beta, a_s.shape).ravel()[where]
        with np.errstate(divide="ignore", invalid="ignore"):
            objective.ravel()[where] = (1 - weight) * np.log(
                np.maximum(a_s.ravel()[where], 1e-300)
            ) + weight * np.log(np.maximum(b_s.ravel()[where], 1e-300))
    if ignore is not None:
        objective[ignore] = -np.inf
    best = np.argmax(objective, axis=1)
    feasible = np.isfinite(_pick(objective, best))
    lam_nash = (best if labels is None else labels[best]) + _pick(s_star, best)

    # Equal-shortfall point: the first segment that ends with A's surplus at or below B's.
    # If the difference jumped below zero at the segment's start, the point is that start,
    # a hair back toward A so the jump is not triggered (the most-balanced text there).
    g0, g1 = a0 - b0, a1 - b1
    k = g0.shape[1] if total is None else total
    below = g1 <= 0.0
    if ignore is not None:
        below &= ~ignore
    seg = np.argmax(below, axis=1)
    h0, h1 = _pick(g0, seg), _pick(g1, seg)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(h0 > 0.0, h0 / (h0 - h1), -1e-9)
    start = seg if labels is None else labels[seg]
    lam_eq = np.where(below.any(axis=1), np.clip(start + frac, 0.0, float(k)), float(k))
    return np.where(feasible, lam_nash, lam_eq), feasible


def interpolate(values: F, lam: F) -> F:
    """Value of a piecewise-linear breakpoint array (R or 1, K+1) at lambda (R,)."""
    k = values.shape[1] - 1
    seg = np.clip(np.floor(lam).astype(np.int64), 0, k - 1)
    v0, v1 = _pick(values, seg), _pick(values, seg + 1)
    return v0 + (lam - seg) * (v1 - v0)
