"""What the war is worth to each side: capacities and the trend they drive (§3.1), the cost
of a round of war (§3.2), and the reservation values of fighting on (§3.4).

Shared by the phases that weigh the war: reservation values, the proposers' offers, a
ceasefire's pause, and the threatened sticks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.rules.axes import by_side, pair, sides
from sim.model.rules.context import Context
from sim.model.state import RunState

F = NDArray[np.float64]


def capacity(
    state: RunState,
    ctx: Context,
    exhaustion: F,
    aid: F | None = None,
    reserve: F | None = None,
) -> F:
    """Each side's fighting capacity (R, 2): its own, worn by exhaustion, plus the reserve
    brought in under a ceasefire (fresh: exhaustion does not wear it), plus its backers' aid."""
    p, parties, n = ctx.p, state.parties, exhaustion.shape[0]
    worn = np.clip(exhaustion / sides(p.breaking_point, n), 0.0, 1.0)
    brought = parties.reserve_in if reserve is None else reserve
    own = sides(p.capacity, n) * (
        1.0 - by_side(p.exhaustion_drag) * worn + sides(p.regroup, n) * brought
    )
    support = parties.aid_mediator + parties.aid_stakeholders if aid is None else aid
    if len(p.member_names):
        # Imported here: the members' rules read this module's valuations.
        from sim.model.rules import members

        own = own + members.capacity(state, ctx)
    return own + support


def trend(
    state: RunState,
    ctx: Context,
    exhaustion: F,
    aid: F | None = None,
    reserve: F | None = None,
) -> F:
    """Expected change of control per round: a Lanchester-style balance of capacities."""
    cap = capacity(state, ctx, exhaustion, aid, reserve)
    balance = (cap[:, 0] - cap[:, 1]) / np.maximum(cap[:, 0] + cap[:, 1], 1e-12)
    return ctx.p.drift_scale * balance


def war_cost(state: RunState, ctx: Context, sanctions: F | None = None) -> F:
    """Cost of one more round of full-scale war, per side (R, 2)."""
    p = ctx.p
    sanc = state.parties.sanctions_mediator if sanctions is None else sanctions
    n = sanc.shape[0]
    return sides(p.cost_per_round, n) + (sanc + sides(p.stakeholder_sanctions, n)) * (
        1.0 - sides(p.cover, n)
    )


def share_of_stakes(ctx: Context, control: F) -> F:
    """A's share of the stakes implied by a front line (Fearon's p, generalised)."""
    p = ctx.p
    low, high = p.control_at_b_victory, p.control_at_a_victory
    if control.ndim == 2:  # each side's projected front (R, 2)
        low, high = by_side(low), by_side(high)
    return np.clip((control - low) / (high - low), 0.0, 1.0)


def war_utilities(ctx: Context, share: F) -> F:
    """Utility of battlefield-implied terms to A and B, (R, 2) for share (R, 2) or (R,).

    The battlefield prices every issue alike: at share s of the stakes, each issue sits
    a fraction s of the way from B's ideal to A's. With linear utilities this gives
    U_A = 1 - (1 - s) D_A and U_B = 1 - s D_B, where D_i is the stake at risk.
    """
    d = ctx.p.stakes_at_risk
    s = share if share.ndim == 2 else share[:, None]
    a = 1.0 - (1.0 - s[:, 0]) * d[..., 0]
    b = 1.0 - s[:, -1] * d[..., 1]
    return np.stack([a, b], axis=-1)


def valuations(state: RunState, ctx: Context, belief_mean: F, cost: F) -> tuple[F, F, F]:
    """Reservation values under each side's own belief, and each side's estimate of the
    other's (made with its own belief: the root of mutual optimism; Fearon 1995).

    Returns (reservation, estimate, net_gain), each (R, 2) and indexed by the side
    valued: estimate[:, i] is what the OTHER side (1 - i) reckons i's reservation value
    to be; net_gain is what fighting on for the planning horizon is expected to buy
    beyond what it costs, on the side's own reckoning (§3.4).
    """
    p = ctx.p
    control, n = state.front.control, belief_mean.shape[0]
    horizon = sides(np.asarray(p.planning_horizon, dtype=float), n)
    expected = pair(control) + horizon * belief_mean  # (R, 2): each side's view
    share = share_of_stakes(ctx, expected)
    own_view = war_utilities(ctx, share)  # column i: i's value under i's belief
    # The other side's value under i's belief: A projects B's value with A's share, etc.
    other_view = war_utilities(ctx, share[:, ::-1])
    future_cost = cost * sides(ctx.annuity, n)
    held = sides(p.payoff_of_fighting, n)
    if np.any(p.entrapment):
        # Entrapment: the costs already suffered harden demands, in plain view of the other.
        held = held + sides(p.entrapment, n) * state.parties.exhaustion
    reservation = own_view - future_cost + held
    estimate = other_view - future_cost + held
    now = war_utilities(ctx, share_of_stakes(ctx, control))
    net_gain = own_view - now - future_cost
    return reservation, estimate, net_gain
