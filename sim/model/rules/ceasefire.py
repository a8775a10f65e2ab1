"""An unconditional ceasefire (docs/model.md §3.7) and a ceasefire as a pause to regroup
(§3.8): what it is worth to each side, and whether both sign."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining import either_holds
from sim.model.outcomes import Status
from sim.model.rng import Stream
from sim.model.rules import members
from sim.model.rules.axes import both, by_side, mean
from sim.model.rules.battlefield import reserve_shift
from sim.model.rules.context import Context
from sim.model.rules.members import has_members
from sim.model.rules.valuation import share_of_stakes, war_utilities
from sim.model.state import RunState
from sim.model.strategies.base import Decision

F = NDArray[np.float64]
B = NDArray[np.bool_]


def pause_value(state: RunState, ctx: Context, enforcement: F) -> F:
    """What a ceasefire under this enforcement is worth to each side's war effort: the
    gain, over its planning horizon and at its own belief, from the trend its reserve
    still to come would add, were the share 1 - e_cf of it brought in (R, 2)."""
    p, parties = ctx.p, state.parties
    if not np.any(p.regroup > 0):
        return np.zeros((state.n, 2))
    reach = np.minimum(1.0, parties.reserve_in + (1.0 - enforcement)[:, None])
    horizon = np.asarray(p.planning_horizon, dtype=float)
    expected = state.front.control[:, None] + horizon * parties.belief_mean
    regrouped = expected + horizon * reserve_shift(state, ctx, reach)
    return war_utilities(ctx, share_of_stakes(ctx, regrouped)) - war_utilities(
        ctx, share_of_stakes(ctx, expected)
    )


def ceasefire_score(
    state: RunState, ctx: Context, enforcement: F, noise: F, pause: F | float = 0.0
) -> F:
    """Each side's score for a ceasefire under this enforcement (§3.7, §3.8): the
    pause's worth to its war effort `pause`, less the gain it forgoes by not fighting on
    and its fear that a distrusted enemy regroups, plus its taste `noise` (R, 2)."""
    p, parties = ctx.p, state.parties
    fear = (
        (1.0 - parties.trust)
        * p.exploitation_loss
        * by_side(p.ceasefire_exploitation)
        * (1.0 - enforcement)[:, None]
    )
    return pause - parties.net_gain - fear + noise * p.decision_noise


def offer_ceasefire(
    state: RunState, ctx: Context, t: int, decision: Decision, offered: B
) -> tuple[B | None, B]:
    """An unconditional ceasefire, proposed to runs still fighting.

    Each side weighs what fighting on is expected to buy over its planning horizon
    against what it costs (`net_gain`), and fears that a distrusted enemy will use the
    pause to regroup. The side with momentum (net gain > 0) refuses.
    Returns the runs it was offered in (None: nowhere) and the acceptance flags (R, 2).
    """
    p, n = ctx.p, state.n
    if decision.ceasefire is None or not (offered & decision.ceasefire).any():
        return None, np.zeros((n, 2), dtype=bool)
    offered = offered & decision.ceasefire
    guarantee = (
        np.broadcast_to(decision.guarantee, (n,)) if decision.guarantee is not None else np.zeros(n)
    )
    provisions = (
        np.clip(np.broadcast_to(decision.ceasefire_provisions, (n,)), 0.0, 1.0)
        if decision.ceasefire_provisions is not None
        else np.zeros(n)
    )
    # Monitors and a buffer zone close part of the risk; a guarantee, as its target
    # side perceives it, closes part of the rest (as for agreements, §3.9). The same
    # provisions make a surprise attack during the pause less rewarding.
    perceived = guarantee * mean(np.broadcast_to(p.trust_in_mediator, (n, 2)))
    enforcement = either_holds(provisions, perceived)
    draws = ctx.draws
    noise = np.stack(
        [draws.logistic(t, Stream.CEASEFIRE_A), draws.logistic(t, Stream.CEASEFIRE_B)], axis=-1
    )
    pause = pause_value(state, ctx, enforcement)
    accept = (ceasefire_score(state, ctx, enforcement, noise, pause) >= 0.0) & offered[:, None]
    taste = None
    if has_members(ctx):
        # Every party at the table signs the ceasefire, as it signs a text (§3.15).
        refuses, taste = members.ceasefire_refusals(state, ctx, t, enforcement)
        accept &= ~refuses
    agreed = both(accept)
    if agreed.any():
        cf = state.ceasefire
        state.status[agreed] = Status.CEASEFIRE
        cf.enforcement = np.where(agreed, enforcement, cf.enforcement)
        cf.provisions = np.where(agreed, provisions, cf.provisions)
        cf.count += agreed
        cf.disposition = np.where(agreed[:, None], noise, cf.disposition)
        if taste is not None:
            kept = state.members
            kept.ceasefire_taste = np.where(agreed[:, None], taste, kept.ceasefire_taste)
        cf.signed_round = np.where(agreed, t, cf.signed_round)
        cf.regrouping = np.where(agreed[:, None], pause > 0.0, cf.regrouping)
        first = agreed & (cf.first_round < 0)
        cf.first_round[first] = t
        state.talks.ripe_streak[agreed] = 0
    return offered, accept
