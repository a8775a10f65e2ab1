"""Phase 1, the battlefield (docs/model.md §3.1), and the regrouping of reserves under a
ceasefire (§3.8), which happens on the battlefield before the front moves."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.outcomes import Status
from sim.model.rng import Stream
from sim.model.rules.context import Context
from sim.model.rules.events import Battle
from sim.model.rules.valuation import capacity, trend
from sim.model.state import RunState

F = NDArray[np.float64]


def battlefield(state: RunState, ctx: Context, t: int) -> Battle:
    """The front moves by the trend of the capacities, noise and rare breakthroughs, where
    the fighting goes on."""
    p, d, front = ctx.p, ctx.draws, state.front
    fighting = state.status == Status.WAR
    regroup(state, ctx)
    cap = capacity(state, ctx, state.parties.exhaustion)
    total = np.maximum(cap[:, 0] + cap[:, 1], 1e-12)
    front.trend = p.drift_scale * (cap[:, 0] - cap[:, 1]) / total
    change = front.trend + p.noise_sd * d.normal(t, Stream.BATTLE_NOISE)
    # Breakthroughs are rare; which side breaks through is a capacity-weighted coin.
    breakthrough = d.uniform(t, Stream.BREAKTHROUGH) < p.breakthrough_probability
    a_side = d.uniform(t, Stream.BREAKTHROUGH_SIDE) < cap[:, 0] / total
    change += np.where(breakthrough, np.where(a_side, 1.0, -1.0) * p.breakthrough_size, 0.0)
    if np.any(p.ceasefire_violence):
        # Low-intensity war under a bare ceasefire (§3.7): the front moves at its intensity.
        violence = ceasefire_violence(state, ctx)
        change = change * np.where(fighting, 1.0, violence)
        fighting = fighting | (violence > 0)
    new = np.where(fighting, np.clip(front.control + change, 0.0, 1.0), front.control)
    front.change = new - front.control
    front.control = new
    return Battle(breakthrough=breakthrough & fighting)


def ceasefire_violence(state: RunState, ctx: Context) -> F:
    """The intensity of the fighting that goes on under a bare ceasefire, as a share of full
    war (§3.7): the scenario's, less the share its monitors and guarantee deter; 0 outside
    a bare ceasefire."""
    paused = state.status == Status.CEASEFIRE
    deterred = 1.0 - truce_enforcement(state)
    return np.where(paused, ctx.p.ceasefire_violence * deterred, 0.0)


def truce_enforcement(state: RunState) -> F:
    """What enforces a standing ceasefire: its provisions and the guarantee while the
    mediator is engaged, the provisions alone once it has left (§3.11)."""
    cf = state.ceasefire
    return np.where(state.mediation.active, cf.enforcement, cf.provisions)


def reserve_shift(state: RunState, ctx: Context, reach: F) -> F:
    """Change of the trend (A-positive) if side i alone had brought its reserve to the
    share reach[:, i], for each i (R, 2)."""
    exhaustion, reserve_in = state.parties.exhaustion, state.parties.reserve_in
    before = trend(state, ctx, exhaustion)
    shift = np.empty((state.n, 2))
    for i in (0, 1):
        alone = reserve_in.copy()
        alone[:, i] = reach[:, i]
        shift[:, i] = trend(state, ctx, exhaustion, reserve=alone) - before
    return shift


def regroup(state: RunState, ctx: Context) -> None:
    """Under a ceasefire each side brings in the share (1 - e_cf) / regroup_rounds of its
    reserve per round, e_cf being what enforces the ceasefire (§3.8). A side knows its
    own build-up, so its believed trend moves with the true trend; its enemy observes
    nothing until the fighting resumes."""
    p, parties = ctx.p, state.parties
    paused = state.status == Status.CEASEFIRE
    if not (paused.any() and np.any(p.regroup > 0)):
        return
    pace = (1.0 - truce_enforcement(state)) / p.regroup_rounds
    reach = np.where(
        paused[:, None] & (np.broadcast_to(p.regroup, (state.n, 2)) > 0),
        np.minimum(1.0, parties.reserve_in + pace[:, None]),
        parties.reserve_in,
    )
    shift = reserve_shift(state, ctx, reach)
    parties.belief_mean = parties.belief_mean + shift
    parties.reserve_in = reach
