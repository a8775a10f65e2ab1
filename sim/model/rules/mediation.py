"""The mediator's moves besides the text (docs/model.md §3.6, §3.10): relaying information,
building trust, aid and sanctions, partial agreements, threatened and carried-out sticks,
and leaving for good."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining import either_holds
from sim.model.rng import Stream
from sim.model.rules.axes import by_side, count, either, pair, sides
from sim.model.rules.context import Context
from sim.model.rules.valuation import trend, valuations, war_cost
from sim.model.state import RunState, absorbing
from sim.model.strategies.base import Decision

F = NDArray[np.float64]
B = NDArray[np.bool_]


_NEUTRAL = {m.name: m.neutral for m in Decision.moves()}


def per_run(decision: Decision, name: str, mediating: B) -> F:
    """A decision's per-run move `name` where the mediator is in session; elsewhere, or
    where the strategy makes no such move, its neutral value (`Decision.moves`)."""
    value, neutral = getattr(decision, name), float(_NEUTRAL[name])
    if value is None:
        return np.full(mediating.shape[0], neutral)
    return np.where(mediating, value, neutral)


def moves(state: RunState, ctx: Context, t: int, decision: Decision, mediating: B) -> B | None:
    """Trust building, relayed information, aid and sanctions, and the partial track, where
    the mediator is in session. Returns the partial agreements concluded (None: no track)."""
    p, parties = ctx.p, state.parties
    if decision.trust_building is not None:
        rate = pair(np.where(mediating, decision.trust_building, 0.0))
        parties.trust += rate * (1.0 - parties.trust) * sides(p.trust_in_mediator, state.n)
    state.mediation.information = per_run(decision, "information", mediating)
    support(state, decision, mediating)
    return partial_track(state, ctx, t, decision, mediating)


def support(state: RunState, decision: Decision, mediating: B) -> None:
    """A mediator that takes sides changes its aid and sanctions (never below zero)."""
    parties = state.parties
    if decision.aid_change is not None:
        change = np.where(mediating[:, None], decision.aid_change, 0.0)
        parties.aid_mediator = np.maximum(parties.aid_mediator + change, 0.0)
    if decision.sanctions_change is not None:
        change = np.where(mediating[:, None], decision.sanctions_change, 0.0)
        parties.sanctions_mediator = np.maximum(parties.sanctions_mediator + change, 0.0)


def partial_track(
    state: RunState, ctx: Context, t: int, decision: Decision, mediating: B
) -> B | None:
    """Self-enforcing partial agreements (prisoner exchanges, humanitarian pauses): each
    one concluded is a costly signal that removes some distrust (Osgood 1962; Kydd 2000).
    A strategy may run its own track; the scenario's humanitarian track (§3.6) runs under
    any mediator in session, alongside it."""
    p = ctx.p
    own = decision.partial_track
    if own is None and not np.any(p.partial_chance):
        return None
    if own is None:
        chance = np.where(mediating, p.partial_chance, 0.0)
    elif np.any(p.partial_chance):
        chance = np.where(mediating, either_holds(own, p.partial_chance), 0.0)
    else:
        chance = np.where(mediating, own, 0.0)
    success = ctx.draws.uniform(t, Stream.PARTIAL) < chance
    trust_gain = decision.partial_trust if own is not None else p.partial_trust
    gain = np.zeros(state.n) if trust_gain is None else np.where(success, trust_gain, 0.0)
    state.parties.trust += pair(gain) * (1.0 - state.parties.trust)
    state.agreement.partial += success
    return success


def stick_loss(state: RunState, ctx: Context, threats: F) -> F:
    """What a threatened stick would cost each side, as it reckons it (R, 2).

    A stick against a side the mediator arms is an aid cut; against the other, more
    sanctions. The loss is the fall in the side's reservation value if carried out.
    """
    p, parties, n = ctx.p, state.parties, state.n
    cut = threats * sides(p.leverage, n)
    armed = parties.aid_mediator > 0
    new_aid = parties.aid_mediator * np.where(armed, 1.0 - cut, 1.0)
    replaced = (parties.aid_mediator - new_aid) * sides(p.compensates_aid_cut, n)
    aid = new_aid + replaced + parties.aid_stakeholders
    new_sanctions = parties.sanctions_mediator + np.where(
        armed, 0.0, cut * by_side(p.sanctions_step)
    )
    # The shift the stick makes to the trend, both trends taken at this round's
    # exhaustion (the front's trend was read before this round's costs wore the sides
    # down): an empty threat shifts nothing and costs nothing.
    exhaustion = parties.exhaustion
    shift = pair(trend(state, ctx, exhaustion, aid) - trend(state, ctx, exhaustion))
    after = valuations(
        state, ctx, parties.belief_mean + shift, war_cost(state, ctx, new_sanctions)
    )[0]
    return np.where(threats > 0, np.maximum(parties.reservation - after, 0.0), 0.0)


def patron_loss(state: RunState, ctx: Context) -> F:
    """What each side would lose, as it reckons it, if its patrons withheld the aid they
    stake on its signing (R, 2): the fall in its reservation value (§3.10, patrons)."""
    p, parties = ctx.p, state.parties
    stake = np.asarray(p.patron_share) * parties.aid_stakeholders
    aid = parties.aid_mediator + parties.aid_stakeholders - stake
    exhaustion = parties.exhaustion
    shift = (trend(state, ctx, exhaustion, aid) - trend(state, ctx, exhaustion))[:, None]
    after = valuations(state, ctx, parties.belief_mean + shift, war_cost(state, ctx))[0]
    return np.where(stake > 0, np.maximum(parties.reservation - after, 0.0), 0.0)


def patrons_follow_through(state: RunState, ctx: Context, t: int, called: B) -> None:
    """A patron whose party refused withholds the aid it staked, with its chance."""
    p, d, parties = ctx.p, ctx.draws, state.parties
    streams = (Stream.PATRON_A, Stream.PATRON_B)
    follow = np.stack([d.uniform(t, s) for s in streams], -1) < np.asarray(p.patron_follow_through)
    carried = called & follow
    kept = np.where(carried, 1.0 - np.asarray(p.patron_share), 1.0)
    parties.aid_stakeholders = parties.aid_stakeholders * kept


def apply_sticks(state: RunState, ctx: Context, intensity: F) -> None:
    """Carry out sticks: cut the aid of an armed side (its backers replace a share), or
    tighten sanctions on the other."""
    p, parties, n = ctx.p, state.parties, state.n
    cut = intensity * sides(p.leverage, n)
    armed = parties.aid_mediator > 0
    removed = np.where(armed, parties.aid_mediator * cut, 0.0)
    parties.aid_mediator = parties.aid_mediator - removed
    parties.aid_stakeholders = parties.aid_stakeholders + removed * sides(p.compensates_aid_cut, n)
    parties.sanctions_mediator = parties.sanctions_mediator + np.where(
        armed, 0.0, cut * by_side(p.sanctions_step)
    )


def follow_through(state: RunState, ctx: Context, t: int, threats: F, called: B) -> None:
    """The mediator carries out its threats against a side that refused, or not; each
    carried-out stick adds to its credibility, each bluff called takes from it."""
    p, d, mediation = ctx.p, ctx.draws, state.mediation
    streams = (Stream.FOLLOW_THROUGH_A, Stream.FOLLOW_THROUGH_B)
    follow = np.stack([d.uniform(t, s) for s in streams], -1) < by_side(p.follow_through)
    carried = called & follow
    apply_sticks(state, ctx, np.where(carried, threats, 0.0))
    step = p.credibility_update
    any_carried, any_bluff = either(carried), either(called & ~follow)
    credibility = mediation.credibility
    credibility = np.where(any_carried, credibility + step * (1.0 - credibility), credibility)
    mediation.credibility = np.where(any_bluff, credibility * (1.0 - step), credibility)
    mediation.sticks_applied += count(carried)
    mediation.bluffs_called += count(called & ~follow)


def withdraw(state: RunState, t: int, wanted: B) -> None:
    """The mediator leaves the runs in `wanted` for good. Not a run that can no longer
    change (frozen or capitulated): a lone run in that state is not stepped any more, so
    its record must not depend on its batch."""
    mediation = state.mediation
    leaving = mediation.active & wanted & ~absorbing(state.status)
    mediation.withdrawal_round[leaving] = t
    mediation.active &= ~leaving
