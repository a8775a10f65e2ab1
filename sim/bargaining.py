"""Multi-issue bargaining geometry, vectorised over runs.

Terms are positions x in [0, 1]^K on substantive scales. Party i's utility is additive and
linear in the distance from its ideal point, measured in units of the disputed range of the
issue (the distance between the two ideals, d_k) and weighted by salience:
    U_i(x) = sum_k w_ik (1 - |x_k - ideal_ik| / d_k).
Salience thus weighs the whole dispute on an issue, whatever the width of its scale, and U_i
runs from 0 (the other side's ideal on everything) to 1 (its own).

Every text the model writes lies between the two ideals, so internally a text is its vector
of *progress* t in [0, 1]^K, t_k = 0 at B's ideal and 1 at A's ideal. In these coordinates
utilities and the enforcement a text provides are linear:
    U_A = c_A + sum_k w_Ak t_k          U_B = 1 - sum_k w_Bk t_k
    g_A = sum_k a_Ak t_k                g_B = sum_k a_Bk (1 - t_k)
(c_A: weight of issues not in dispute; a_ik: `assures`). One multiply-and-sum gives all four.

With linear utilities the Pareto set is traced by moving issues one at a time from one side's
ideal to the other's, in order of the ratio of what the receiver gains to what the giver
loses; conceding first where you care least is logrolling (Raiffa 1982). A concession path is
piecewise linear in a scalar lambda in [0, K]; the functions below work on its K+1
breakpoints and solve within one segment in closed form.

Arrays: R runs, K issues, parties indexed 0 = A, 1 = B. Parameter arrays may lack the runs
axis (shared by all runs) or carry it (a sweep varying them per run).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]
I = NDArray[np.int64]

# Guards against division by zero on issues that a party does not weigh or that are not
# in dispute.
_TINY = 1e-12
_SIGN = np.array([1.0, -1.0, 1.0, -1.0])


@dataclass(frozen=True)
class IssueSpace:
    """The issue space in progress coordinates, for one scenario (or per run in a sweep).

    Attributes:
        lower: (K,) B's ideal on each issue (t = 0).
        upper: (K,) A's ideal (t = 1).
        weights: (4, K) rows w_A, w_B, a_A, a_B restricted to disputed issues.
        offset: (4,) constants: U_A = c_A + ..., U_B = 1 - ..., g_A = ..., g_B = sum a_B - ...
    """

    lower: F
    upper: F
    weights: F
    offset: F
    # (K,) issues that cannot be split: a text places each at one ideal or the other
    # (Fearon 1995). None when every issue is divisible.
    indivisible: NDArray[np.bool_] | None = None

    @classmethod
    def build(
        cls, ideal: F, salience: F, assures: F, indivisible: NDArray[np.bool_] | None = None
    ) -> IssueSpace:
        # Ideals, saliences and assurance may vary per run apart (a batch of scenarios that
        # differ in one of them only): all then get the runs axis.
        ideal, salience, assures = np.broadcast_arrays(ideal, salience, assures)
        lower, upper = ideal[..., 1, :], ideal[..., 0, :]
        disputed = np.abs(upper - lower) > _TINY
        d = disputed[..., None, :]
        weights = np.concatenate([salience * d, assures * d], axis=-2)
        total_b = salience[..., 1, :].sum(axis=-1)
        undisputed_a = (salience[..., 0, :] * ~disputed).sum(axis=-1)
        assures_b = (assures[..., 1, :] * disputed).sum(axis=-1)
        offset = np.stack([undisputed_a, total_b, np.zeros_like(total_b), assures_b], axis=-1)
        whole = None
        if indivisible is not None and np.asarray(indivisible).any():
            whole = np.asarray(indivisible, dtype=bool)
        return cls(lower=lower, upper=upper, weights=weights, offset=offset, indivisible=whole)

    def take(self, rows: NDArray[np.int64]) -> IssueSpace:
        """The space of some runs (itself when every run shares it)."""
        if self.weights.ndim != 3:
            return self
        # The ideals may be shared while saliences or assurance vary per run.
        per_run = self.lower.ndim == 2
        return IssueSpace(
            lower=self.lower[rows] if per_run else self.lower,
            upper=self.upper[rows] if per_run else self.upper,
            weights=self.weights[rows],
            offset=self.offset[rows],
            indivisible=self.indivisible,
        )

    def whole(self, t: F) -> F:
        """Progress t (R, K) with every indivisible issue placed at the nearer ideal (A's
        when exactly halfway): the projection of a text that splits one onto the texts
        that can be written."""
        if self.indivisible is None:
            return t
        return np.where(self.indivisible, np.where(t >= 0.5, 1.0, 0.0), t)

    def evaluate(self, t: F) -> tuple[F, F]:
        """Utilities (R, 2) and text enforcement (R, 2) of texts t (R, K)."""
        v = (t[:, None, :] * self.weights).sum(axis=-1)
        v *= _SIGN
        v += self.offset
        return v[:, :2], v[:, 2:]

    def utilities(self, t: F) -> F:
        return self.evaluate(t)[0]

    def positions(self, t: F) -> F:
        """Substantive positions x of progress vectors t."""
        return self.lower + t * (self.upper - self.lower)

    def progress(self, x: F) -> F:
        """Progress t of positions x (clipped to the segment between the ideals)."""
        width = self.upper - self.lower
        safe = np.where(np.abs(width) > _TINY, width, 1.0)
        return np.clip(np.where(np.abs(width) > _TINY, (x - self.lower) / safe, 1.0), 0.0, 1.0)


def utilities(x: F, ideal: F, salience: F, span: F) -> F:
    """U_i(x) for both parties at any positions x (R, K), inside the segment or not."""
    gap = np.abs(x[:, None, :] - ideal) / np.maximum(span, _TINY)[..., None, :]
    disputed = (span > _TINY)[..., None, :]
    return (salience * np.where(disputed, 1.0 - np.minimum(gap, 1.0), 1.0)).sum(axis=-1)


def trust_in_mediator(bias: F | float) -> F:
    """Perceived bias toward B (+) or A (-) lowers the disfavoured side's trust in the
    mediator's word: (A's, B's) on a last axis of 2."""
    bias = np.asarray(bias, dtype=float)
    return np.stack([1.0 - np.maximum(bias, 0.0), 1.0 + np.minimum(bias, 0.0)], axis=-1)


def compliance(trust: F, text_assurance: F, external: F) -> F:
    """Chance the other side is expected to comply (or be made to).

    Trust covers part of the risk; of the rest, the text's own enforcement provisions and an
    outside guarantor each close a share, failing independently (Walter 1997; Fortna 2003).
    """
    enforced = 1.0 - (1.0 - np.clip(text_assurance, 0.0, 1.0)) * (1.0 - external)
    return trust + (1.0 - trust) * enforced


def acceptance_score(
    utility: F, reservation: F, compliance_prob: F, exploitation: F, hurdle: F
) -> F:
    """Expected gain of signing over fighting on, net of the domestic hurdle.

    Signing yields U with probability pi (the other side complies) and, if the other side
    reneges, the war resumes from a worse position: V - L (Powell 2006). Accept iff
        pi * U + (1 - pi) * (V - L) - V >= hurdle
    which rearranges to  pi * (U - V + L) - L - hurdle >= 0.
    """
    return compliance_prob * (utility - reservation + exploitation) - exploitation - hurdle


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
    have at most four: `sim.config.MAX_INDIVISIBLE`).
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
    if feasible_seg.any():
        weight = np.broadcast_to(beta, a_s.shape)[feasible_seg]
        with np.errstate(divide="ignore", invalid="ignore"):
            objective[feasible_seg] = (1 - weight) * np.log(
                np.maximum(a_s[feasible_seg], 1e-300)
            ) + weight * np.log(np.maximum(b_s[feasible_seg], 1e-300))
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


# ---------------------------------------------------------------------------------------------
# Analytic benchmark: alternating offers without a mediator (Rubinstein 1982).
#
# A pie of size 1 is split by two players who alternate proposals, A in odd periods and B in
# even ones, for at most `periods` periods; shares are A's and must lie on the grid
# {0, 1/N, ..., 1}, N = grid_points - 1. An agreement on A-share x in period t is worth
# delta_A^(t-1) x to A and delta_B^(t-1) (1 - x) to B; no agreement by the last period gives
# both 0. The subgame-perfect equilibrium is found by backward induction over periods, with
# every run of a batch solved at once (loops run over periods only).
# ---------------------------------------------------------------------------------------------

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
    truncation at T periods. Derivation (docs/model.md, section 5a): in every period the
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
    infinite grid game has many equilibria); see docs/model.md, section 5a.

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
