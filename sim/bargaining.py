"""Multi-issue bargaining geometry, vectorised over runs.

Terms are a vector x in [0, 1]^K. Party i's utility is additive and linear in the distance
from its ideal point, measured in units of the disputed range of the issue (the distance
between the two ideals, d_k) and weighted by salience:
    U_i(x) = sum_k w_ik (1 - |x_k - ideal_ik| / d_k).
Salience thus weighs the whole dispute on an issue, whatever the width of its scale, and
U_i runs from 0 (the other side's ideal on everything) to 1 (its own).
With linear utilities the Pareto set is traced by moving issues one at a time from one side's
ideal to the other's, in order of the ratio of what the receiver gains to what the giver loses;
conceding first where you care least is exactly logrolling (Raiffa 1982). A concession path
is therefore piecewise linear in a scalar lambda in [0, K]; everything below works on its K+1
breakpoints, shape (R, K+1), and solves within one segment in closed form.

Arrays: R runs, K issues, parties indexed 0 = A, 1 = B.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]

# Guard against division by zero when a party gives an issue no weight at all.
_TINY = 1e-12


def utilities(x: F, ideal: F, salience: F, span: F) -> F:
    """U_i(x) for both parties. x: (R, K); ideal, salience: (2, K) or (R, 2, K);
    span: (K,) or (R, K) -> (R, 2). An issue on which the ideals coincide is not in dispute
    and counts fully for both."""
    gap = np.abs(x[:, None, :] - ideal) / np.maximum(span, _TINY)[..., None, :]
    return (salience * (1.0 - np.minimum(gap, 1.0))).sum(axis=-1)


def assurance(x: F, ideal: F, span: F, assures: F) -> F:
    """Enforcement the text gives each party: sum_k assures_ik * (closeness to its ideal).

    span: |ideal_A - ideal_B| per issue, (K,) or (R, K). Returns (R, 2).
    """
    gap = np.abs(x[:, None, :] - ideal)
    closeness = 1.0 - gap / np.maximum(span, _TINY)[..., None, :]
    return (assures * np.clip(closeness, 0.0, 1.0)).sum(axis=-1)


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
    """Breakpoints of a concession path from the giver's ideal toward the receiver's."""

    order: NDArray[np.int64]  # (R, K) issue order of concession
    u_giver: F  # (R, K+1)
    u_receiver: F
    g_giver: F  # text assurance at breakpoints
    g_receiver: F

    def point(self, lam: F, start: F, target: F) -> F:
        """Terms at path position lam (R,), given start/target positions (R, K)."""
        ranks = np.empty_like(self.order)
        np.put_along_axis(ranks, self.order, np.arange(self.order.shape[1])[None, :], axis=1)
        moved = np.clip(lam[:, None] - ranks, 0.0, 1.0)
        return start + moved * (target - start)


def concession_path(
    giver: int,
    ideal: F,
    salience: F,
    span: F,
    assures: F,
    movable: NDArray[np.bool_],
    start: F,
    value_of_assurance: F,
) -> Path:
    """Build the giver's logrolling path toward the receiver.

    Args:
        giver: 0 (A concedes to B) or 1 (B concedes to A).
        ideal, salience, assures: (2, K) or (R, 2, K).
        span: (K,) or (R, K) distance between the ideals.
        movable: (K,) or (R, K) issues the text may move (deferred issues stay at `start`).
        start: (R, K) terms at lambda = 0 (giver's ideal, deferred issues at their open position).
        value_of_assurance: (R, 2) utility-equivalent of a unit of enforcement to each party,
            so guarantees are conceded where they buy the receiver most assurance.
    """
    receiver = 1 - giver
    n_runs = start.shape[0]
    sal = np.broadcast_to(salience, (n_runs, *salience.shape[-2:]))
    asr = np.broadcast_to(assures, (n_runs, *assures.shape[-2:]))
    spn = np.broadcast_to(span, (n_runs, span.shape[-1]))
    mov = np.broadcast_to(movable, (n_runs, spn.shape[-1]))
    du_r = np.where(mov, sal[:, receiver], 0.0)
    du_g = np.where(mov, sal[:, giver], 0.0)
    dg_r = np.where(mov, asr[:, receiver], 0.0)
    dg_g = np.where(mov, asr[:, giver], 0.0)
    gain = du_r + dg_r * value_of_assurance[:, receiver, None]
    loss = du_g + dg_g * value_of_assurance[:, giver, None]
    # Best ratio first; issues that cannot move sort last (ratio -1).
    ratio = np.where(mov, gain / np.maximum(loss, _TINY), -1.0)
    order = np.argsort(-ratio, axis=1, kind="stable")
    u_start = utilities(start, ideal, salience, span)
    g_start = assurance(start, ideal, span, assures)

    def cum(start_val: F, step: F, sign: float) -> F:
        steps = np.take_along_axis(step, order, axis=1)
        out = np.empty((n_runs, steps.shape[1] + 1))
        out[:, 0] = start_val
        np.cumsum(steps, axis=1, out=out[:, 1:])
        out[:, 1:] *= sign
        out[:, 1:] += start_val[:, None]
        return out

    return Path(
        order=order,
        u_giver=cum(u_start[:, giver], du_g, -1.0),
        u_receiver=cum(u_start[:, receiver], du_r, 1.0),
        g_giver=cum(g_start[:, giver], dg_g, -1.0),
        g_receiver=cum(g_start[:, receiver], dg_r, 1.0),
    )


def _segment_root(f0: F, f1: F, u0: F, du: F, p0: F, dp: F, v: F, loss: F, hurdle: F) -> F:
    """Root in [0, 1] of f(s) = (p0 + s dp)(u0 + s du - v + loss) - loss - hurdle.

    The score is the product of two affine functions of s, so f is quadratic; we take the
    root where f crosses between f0 = f(0) and f1 = f(1), which have opposite signs.
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
    s_quad = np.where(in1, r1, r2)
    s = np.where(linear, s_lin, s_quad)
    s = np.where(np.isfinite(s), s, np.where(f1 >= 0, 1.0, 0.0))
    return np.clip(s, 0.0, 1.0)


def path_scores(path_u: F, path_g: F, trust: F, external: F, v: F, loss: F, hurdle: F) -> F:
    """Acceptance score at every breakpoint for one party. All (R,) except path_* (R, K+1)."""
    pi = compliance(trust[:, None], path_g, external[:, None])
    return acceptance_score(path_u, v[:, None], pi, loss[:, None], hurdle[:, None])


def first_acceptable(
    path_u: F, path_g: F, trust: F, external: F, v: F, loss: F, hurdle: F
) -> tuple[F, NDArray[np.bool_]]:
    """Smallest lambda at which the receiver's score reaches 0 (it rises along the path).

    Returns (lambda, feasible); infeasible runs get lambda = K (everything conceded).
    """
    f = path_scores(path_u, path_g, trust, external, v, loss, hurdle)
    k = f.shape[1] - 1
    ok = f >= 0.0
    feasible = ok[:, -1]
    idx = np.argmax(ok, axis=1)  # first breakpoint with f >= 0
    at_start = ok[:, 0]
    seg = np.clip(idx - 1, 0, k - 1)
    lam = _solve_on_segment(f, path_u, path_g, trust, external, v, loss, hurdle, seg)
    lam = np.where(at_start, 0.0, lam)
    lam = np.where(feasible, lam, float(k))
    return lam, feasible


def last_acceptable(
    path_u: F, path_g: F, trust: F, external: F, v: F, loss: F, hurdle: F
) -> tuple[F, NDArray[np.bool_]]:
    """Largest lambda at which the giver's own score is still >= 0 (it falls along the path)."""
    f = path_scores(path_u, path_g, trust, external, v, loss, hurdle)
    k = f.shape[1] - 1
    ok = f >= 0.0
    feasible = ok[:, 0]
    # last breakpoint with f >= 0: reverse argmax
    last = k - np.argmax(ok[:, ::-1], axis=1)
    at_end = ok[:, -1]
    seg = np.clip(last, 0, k - 1)
    lam = _solve_on_segment(f, path_u, path_g, trust, external, v, loss, hurdle, seg)
    lam = np.where(at_end, float(k), lam)
    lam = np.where(feasible, lam, 0.0)
    return lam, feasible


def _solve_on_segment(
    f: F, path_u: F, path_g: F, trust: F, external: F, v: F, loss: F, hurdle: F, seg: F
) -> F:
    s_idx = seg[:, None]
    e_idx = s_idx + 1

    def at(a: F, i: NDArray[np.int64]) -> F:
        return np.take_along_axis(a, i, axis=1)[:, 0]

    u0, u1 = at(path_u, s_idx), at(path_u, e_idx)
    g0, g1 = at(path_g, s_idx), at(path_g, e_idx)
    p0 = compliance(trust, g0, external)
    p1 = compliance(trust, g1, external)
    f0, f1 = at(f, s_idx), at(f, e_idx)
    s = _segment_root(f0, f1, u0, u1 - u0, p0, p1 - p0, v, loss, hurdle)
    return seg + s


def nash_point(
    u_a: F, u_b: F, d_a: F, d_b: F, power_b: F
) -> tuple[F, NDArray[np.bool_]]:
    """Generalised Nash bargaining point on a piecewise-linear frontier.

    Maximises (U_A - d_A)^(1 - beta) * (U_B - d_B)^beta (Nash 1950; Kalai 1977 for beta != 1/2)
    over the frontier given by breakpoints u_a, u_b (R, K+1), U_A falling and U_B rising.
    When no frontier point gives both sides their disagreement value, returns the point that
    leaves them equally short (the mediator splits the difference).

    Returns (lambda, feasible).
    """
    a0, a1 = u_a[:, :-1] - d_a[:, None], u_a[:, 1:] - d_a[:, None]
    b0, b1 = u_b[:, :-1] - d_b[:, None], u_b[:, 1:] - d_b[:, None]
    da, db = a1 - a0, b1 - b0
    beta = power_b[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        s_star = -((1 - beta) * da * b0 + beta * db * a0) / (da * db)
    s_star = np.where(np.isfinite(s_star), np.clip(s_star, 0.0, 1.0), 0.0)
    a_s, b_s = a0 + s_star * da, b0 + s_star * db
    feasible_seg = (a_s >= -1e-12) & (b_s >= -1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_obj = (1 - beta) * np.log(np.maximum(a_s, 1e-300)) + beta * np.log(
            np.maximum(b_s, 1e-300)
        )
    # Segments that move nothing (da = db = 0) are legitimate but add no information.
    log_obj = np.where(feasible_seg, log_obj, -np.inf)
    best = np.argmax(log_obj, axis=1)
    feasible = np.isfinite(np.take_along_axis(log_obj, best[:, None], axis=1)[:, 0])
    lam_nash = best + np.take_along_axis(s_star, best[:, None], axis=1)[:, 0]

    # Equal-shortfall point: where (U_A - d_A) - (U_B - d_B) changes sign along the path.
    gap = (u_a - d_a[:, None]) - (u_b - d_b[:, None])  # falls along the path
    k = gap.shape[1] - 1
    cross = gap <= 0.0
    idx = np.argmax(cross, axis=1)
    seg = np.clip(idx - 1, 0, k - 1)
    g0 = np.take_along_axis(gap, seg[:, None], axis=1)[:, 0]
    g1 = np.take_along_axis(gap, seg[:, None] + 1, axis=1)[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(g0 != g1, g0 / (g0 - g1), 0.0)
    lam_eq = np.where(cross[:, 0], 0.0, np.where(cross.any(axis=1), seg + frac, float(k)))
    return np.where(feasible, lam_nash, lam_eq), feasible


def interpolate(path_vals: F, lam: F) -> F:
    """Value of a piecewise-linear breakpoint array (R, K+1) at lambda (R,)."""
    k = path_vals.shape[1] - 1
    seg = np.clip(np.floor(lam).astype(np.int64), 0, k - 1)
    s = lam - seg
    v0 = np.take_along_axis(path_vals, seg[:, None], axis=1)[:, 0]
    v1 = np.take_along_axis(path_vals, seg[:, None] + 1, axis=1)[:, 0]
    return v0 + s * (v1 - v0)
