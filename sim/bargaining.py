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

from dataclasses import dataclass

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

    @classmethod
    def build(cls, ideal: F, salience: F, assures: F) -> IssueSpace:
        lower, upper = ideal[..., 1, :], ideal[..., 0, :]
        disputed = np.abs(upper - lower) > _TINY
        d = disputed[..., None, :]
        weights = np.concatenate([salience * d, assures * d], axis=-2)
        total_b = salience[..., 1, :].sum(axis=-1)
        undisputed_a = (salience[..., 0, :] * ~disputed).sum(axis=-1)
        assures_b = (assures[..., 1, :] * disputed).sum(axis=-1)
        offset = np.stack([undisputed_a, total_b, np.zeros_like(total_b), assures_b], axis=-1)
        return cls(lower=lower, upper=upper, weights=weights, offset=offset)

    def take(self, rows: NDArray[np.int64]) -> IssueSpace:
        """The space of some runs (itself when every run shares it)."""
        if self.weights.ndim != 3:
            return self
        return IssueSpace(
            lower=self.lower[rows],
            upper=self.upper[rows],
            weights=self.weights[rows],
            offset=self.offset[rows],
        )

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
    mov = np.broadcast_to(movable, ratio.shape)
    # Per-issue change of (U_A, U_B, g_A, g_B) when the giver concedes the issue fully.
    sign_u = np.array([-1.0, 1.0]) if giver == 0 else np.array([1.0, -1.0])
    steps = np.stack(
        [w[..., 0, :], w[..., 1, :], w[..., 2, :], w[..., 3, :]], axis=-1
    ) * np.concatenate([sign_u, sign_u])
    steps = np.where(mov[..., None], np.broadcast_to(steps, (*ratio.shape, 4)), 0.0)
    steps = np.take_along_axis(steps, order[..., None], axis=1)
    u0, g0 = space.evaluate(t_start)
    start = np.concatenate([u0, g0], axis=-1)  # (R, 4)
    n = max(start.shape[0], steps.shape[0])
    values = np.empty((n, steps.shape[1] + 1, 4))
    values[:, 0] = start
    np.cumsum(np.broadcast_to(steps, (n, *steps.shape[1:])), axis=1, out=values[:, 1:])
    values[:, 1:] += start[:, None, :]
    return Path(giver=giver, ranks=ranks, u=values[..., :2], g=values[..., 2:])


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


def nash_on_segments(a0: F, a1: F, b0: F, b1: F, power_b: F) -> tuple[F, NDArray[np.bool_]]:
    """The Nash point of surpluses that are linear on each of K segments of a path.

    a0, a1 (R, K): A's surplus at the start and end of each segment (falling along the
    path); b0, b1 likewise for B (rising). The ends of adjacent segments need not agree (a
    surplus may jump between segments). Returns (lambda = segment + fraction, feasible); an
    infeasible run gets the first point where the two shortfalls are equal.
    """
    da, db = a1 - a0, b1 - b0
    beta = power_b[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        s_star = -((1 - beta) * da * b0 + beta * db * a0) / (da * db)
    s_star = np.where(np.isfinite(s_star), np.clip(s_star, 0.0, 1.0), 0.0)
    a_s = a0 + s_star * da
    b_s = b0 + s_star * db
    feasible_seg = (a_s >= -1e-12) & (b_s >= -1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        objective = (1 - beta) * np.log(np.maximum(a_s, 1e-300)) + beta * np.log(
            np.maximum(b_s, 1e-300)
        )
    objective = np.where(feasible_seg, objective, -np.inf)
    best = np.argmax(objective, axis=1)
    feasible = np.isfinite(_pick(objective, best))
    lam_nash = best + _pick(s_star, best)

    # Equal-shortfall point: the first segment that ends with A's surplus at or below B's.
    # If the difference jumped below zero at the segment's start, the point is that start,
    # a hair back toward A so the jump is not triggered (the most-balanced text there).
    g0, g1 = a0 - b0, a1 - b1
    k = g0.shape[1]
    below = g1 <= 0.0
    seg = np.argmax(below, axis=1)
    h0, h1 = _pick(g0, seg), _pick(g1, seg)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(h0 > 0.0, h0 / (h0 - h1), -1e-9)
    lam_eq = np.where(below.any(axis=1), np.clip(seg + frac, 0.0, float(k)), float(k))
    return np.where(feasible, lam_nash, lam_eq), feasible


def interpolate(values: F, lam: F) -> F:
    """Value of a piecewise-linear breakpoint array (R or 1, K+1) at lambda (R,)."""
    k = values.shape[1] - 1
    seg = np.clip(np.floor(lam).astype(np.int64), 0, k - 1)
    v0, v1 = _pick(values, seg), _pick(values, seg + 1)
    return v0 + (lam - seg) * (v1 - v0)
