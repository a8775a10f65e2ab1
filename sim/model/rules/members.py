"""The camps' members beside their leads (docs/model.md §3.15): the forces they bring, the
costs they bear and when they leave the war, their value of fighting on, their consent to
a text, and the spoilers among them.

Every function here is called only where the scenario has members (`has_members`), so a
two-party scenario runs exactly as without them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining import Seats, utilities
from sim.model.bargaining.seats import over_runs
from sim.model.outcomes import Status
from sim.model.rules import valuation
from sim.model.rules.axes import by_side, sides
from sim.model.rules.context import Context
from sim.model.rules.valuation import share_of_stakes
from sim.model.state import RunState

F = NDArray[np.float64]
B = NDArray[np.bool_]

# Acceptance draws of member m come from stream MEMBER_STREAM + m (`sim.model.rng`): far
# from the named streams, so that adding a member never shifts another draw.
MEMBER_STREAM = 1000
# The mediator's estimate of member m's value of fighting on: stream ESTIMATE_STREAM + m.
ESTIMATE_STREAM = 2000
# Whether member m's patrons carry out their threat: stream PATRON_STREAM + m.
PATRON_STREAM = 3000
# Member m's taste for a ceasefire offered: stream CEASEFIRE_STREAM + m.
CEASEFIRE_STREAM = 4000


def has_members(ctx: Context) -> bool:
    return len(ctx.p.member_names) > 0


def _of_camp(a: F, camp: NDArray[np.int64], n: int) -> F:
    """A per-side array (2,) or (R, 2) at each member's camp, (R, M)."""
    return np.broadcast_to(sides(np.asarray(a, dtype=float), n), (n, 2))[:, camp]


def _any_in_camp(flags: B, camp: NDArray[np.int64]) -> B:
    """For each camp (R, 2), whether any of its members is flagged in `flags` (R, M)."""
    return np.stack([flags[:, camp == c].any(axis=1) for c in (0, 1)], axis=-1)


def capacity(state: RunState, ctx: Context) -> F:
    """The capacity the members still fighting bring to their camps (R, 2), worn by their
    own exhaustion as a lead's is by its own."""
    p, m = ctx.p, state.members
    n = m.exhaustion.shape[0]
    worn = np.clip(m.exhaustion / over_runs(p.member_breaking_point, n), 0.0, 1.0)
    own = over_runs(p.member_capacity, n) * (1.0 - by_side(p.exhaustion_drag) * worn) + m.aid
    own = own * m.fighting
    out = np.zeros((n, 2))
    for c in (0, 1):
        out[:, c] = own[:, p.member_camp == c].sum(axis=1)
    return out


def costs(state: RunState, ctx: Context, t: int, intensity: F) -> None:
    """Each member still fighting pays its cost at its camp's intensity; one past its
    breaking point while the war goes on leaves it on its own (its camp fights on)."""
    p, m = ctx.p, state.members
    n = m.exhaustion.shape[0]
    m.exhaustion += over_runs(p.member_cost_per_round, n) * intensity[:, None] * m.fighting
    at_war = (state.status == Status.WAR)[:, None]
    leaves = m.fighting & at_war & (m.exhaustion >= over_runs(p.member_breaking_point, n))
    if leaves.any():
        m.exit_round = np.where(leaves, t, m.exit_round)


def _war_utilities(ctx: Context, share: F) -> F:
    """Each member's utility (R, M) of the terms the battlefield implies at its camp's
    share of the stakes (R, M): every issue a fraction of the way from B's ideal to A's
    (the text of that progress on every issue)."""
    p, k = ctx.p, ctx.p.n_issues
    ideal, salience = np.asarray(p.member_ideal), np.asarray(p.member_salience)
    out = np.empty(share.shape)
    for j in range(share.shape[1]):
        x = ctx.space.positions(np.repeat(share[:, j : j + 1], k, axis=1))
        one = slice(j, j + 1)
        out[:, j] = utilities(x, ideal[..., one, :], salience[..., one, :], p.span)[:, 0]
    return out


def values(state: RunState, ctx: Context, shift: F | None = None) -> F:
    """Each member's value of fighting on (R, M): the terms its camp's lead expects the
    war to bring over the lead's planning horizon, less the member's own costs over that
    horizon, plus its private payoff of fighting (§3.4). `shift` (R, M) moves the trend
    each member expects from its lead's belief."""
    p, parties = ctx.p, state.parties
    n, camp = state.n, p.member_camp
    horizon = _of_camp(np.asarray(p.planning_horizon, dtype=float), camp, n)
    believed = parties.belief_mean[:, camp] + (0.0 if shift is None else shift)
    share = share_of_stakes(ctx, state.front.control[:, None] + horizon * believed)
    future = over_runs(p.member_cost_per_round, n) * _of_camp(ctx.annuity, camp, n)
    return _war_utilities(ctx, share) - future + over_runs(p.member_payoff_of_fighting, n)


def trust(state: RunState, ctx: Context) -> F:
    """Each member's trust (R, M): its own at the start, moving with its lead's since (what
    the lead learns of the other camp, the member learns too)."""
    p, n = ctx.p, state.n
    camp = p.member_camp
    lead_now = state.parties.trust[:, camp]
    moved = lead_now - _of_camp(p.trust, camp, n)
    return np.asarray(np.clip(over_runs(p.member_trust, n) + moved, 0.0, 1.0))


def _signing(state: RunState, ctx: Context) -> B:
    """Members at the table and still fighting (R, M): a ceasefire needs their signature
    and holds only while they would still sign it."""
    return (over_runs(ctx.p.member_at_table, state.n) > 0.5) & state.members.fighting


def seats(state: RunState, ctx: Context, reservation: F) -> Seats:
    """The members as `Seats`, with these values of fighting on (true or estimated)."""
    p = ctx.p
    return Seats(
        camp=p.member_camp,
        seated=_signing(state, ctx),
        ideal=np.asarray(p.member_ideal),
        salience=np.asarray(p.member_salience),
        span=np.asarray(p.span),
        reservation=reservation,
        trust=trust(state, ctx),
        exploitation_loss=np.asarray(p.member_exploitation_loss),
        hardliner_cost=np.asarray(p.member_hardliner_cost),
        audience_cost=np.asarray(p.member_audience_cost),
        victory_threshold=np.asarray(p.member_victory_threshold),
    )


@dataclass
class Consent:
    """The members' answers to the texts on the table (§3.15)."""

    camp_refuses: B  # (R, 2) some member of the camp at the table refused
    refused: B  # (R, M)
    pressed: B  # (R, M) pressed by its patrons to sign the mediator's text
    vetoed: B  # (R,) a stakeholder protecting a member blocks the text


def patron_loss(state: RunState, ctx: Context, value: F) -> F:
    """What each member would lose (R, M), as it reckons it, if its patrons withheld the
    aid they stake on its signing: its value of fighting on `value`, less its value with
    the trend its camp would have without that aid (§3.10, patrons, as for a lead)."""
    p, parties = ctx.p, state.parties
    stake = over_runs(p.member_patron_share, state.n) * state.members.aid
    support = parties.aid_mediator + parties.aid_stakeholders
    now = valuation.trend(state, ctx, parties.exhaustion)
    shift = np.zeros_like(stake)
    for j, camp in enumerate(p.member_camp):
        # The member's aid lost to its camp, as a lead's aid cut would be.
        without = support.copy()
        without[:, camp] -= stake[:, j]
        shift[:, j] = valuation.trend(state, ctx, parties.exhaustion, without) - now
    return np.where(stake > 0, np.maximum(value - values(state, ctx, shift), 0.0), 0.0)


def consent(
    state: RunState,
    ctx: Context,
    t: int,
    positions: F,
    enforced: F,
    hurdle_scale: F,
    loss_share: F,
    mediated: B,
) -> Consent:
    """Which members at the table refuse the texts at `positions`, and which camps they
    stop from signing. A member signs on the lead's reckoning with its own values, up to
    its own misjudgement (`Seats.scores`); its patrons' pressure, on a mediator's text,
    makes the aid they stake part of what refusing costs it (§3.15)."""
    p, d, n = ctx.p, ctx.draws, state.n
    value = values(state, ctx)
    pressed = mediated[:, None] & (over_runs(p.member_patron_share, n) > 0)
    if pressed.any():
        staked = patron_loss(state, ctx, value) * over_runs(p.member_patron_follow_through, n)
        value = value - np.where(pressed, staked, 0.0)
    seats_now = seats(state, ctx, value)
    utility, score = seats_now.scores(positions, enforced, hurdle_scale, loss_share)
    noise = np.stack(
        [d.logistic(t, MEMBER_STREAM + j) for j in range(len(p.member_names))], axis=-1
    ) * over_runs(p.member_decision_noise, n)
    refused = seats_now.seated & (score + noise < 0.0)
    camp_refuses = _any_in_camp(refused, p.member_camp)
    floor = np.nan_to_num(over_runs(p.member_veto_floor, n), nan=-1.0)
    vetoed = np.asarray((utility < floor).any(axis=1))
    return Consent(camp_refuses, refused, pressed & seats_now.seated, vetoed)


def ceasefire_scores(state: RunState, ctx: Context, enforcement: F, taste: F) -> F:
    """Each member's score for a ceasefire under this enforcement (R, M), as a lead's
    without a reserve to bring up (§3.7): less what fighting on would buy it beyond the
    line as it stands, net of its costs, and its fear that a distrusted enemy uses the
    pause, plus its taste `taste` (a logistic draw, scaled by its decision noise)."""
    p, n = ctx.p, state.n
    camp = p.member_camp
    line = share_of_stakes(ctx, np.broadcast_to(state.front.control[:, None], (n, camp.size)))
    now = _war_utilities(ctx, line) + over_runs(p.member_payoff_of_fighting, n)
    net_gain = values(state, ctx) - now
    fear = (
        (1.0 - trust(state, ctx))
        * over_runs(p.member_exploitation_loss, n)
        * _of_camp(np.asarray(p.ceasefire_exploitation, dtype=float), camp, n)
        * (1.0 - enforcement)[:, None]
    )
    return np.asarray(taste * over_runs(p.member_decision_noise, n) - net_gain - fear)


def ceasefire_refusals(state: RunState, ctx: Context, t: int, enforcement: F) -> tuple[B, F]:
    """Which camps have a member at the table that refuses the ceasefire offered (R, 2),
    and every member's taste for it (R, M), kept while a ceasefire signed lasts."""
    d, camp = ctx.draws, ctx.p.member_camp
    taste = np.stack([d.logistic(t, CEASEFIRE_STREAM + j) for j in range(camp.size)], axis=-1)
    refused = _signing(state, ctx) & (ceasefire_scores(state, ctx, enforcement, taste) < 0.0)
    return _any_in_camp(refused, camp), taste


def ceasefire_breakers(state: RunState, ctx: Context, enforcement: F) -> B:
    """Which camps have a member at the table that would no longer sign the ceasefire
    standing, its taste kept from the signing (R, 2): it breaks it, as a lead would (§3.8)."""
    score = ceasefire_scores(state, ctx, enforcement, state.members.ceasefire_taste)
    return _any_in_camp(_signing(state, ctx) & (score < 0.0), ctx.p.member_camp)


def patrons_follow_through(state: RunState, ctx: Context, t: int, called: B) -> None:
    """A member's patron whose client refused the mediator's text withholds the aid it
    staked, with its chance (as a lead's patron does)."""
    p, d, m = ctx.p, ctx.draws, state.members
    n = state.n
    follow = np.stack(
        [d.uniform(t, PATRON_STREAM + j) for j in range(len(p.member_names))], axis=-1
    ) < over_runs(p.member_patron_follow_through, n)
    kept = np.where(called & follow, 1.0 - over_runs(p.member_patron_share, n), 1.0)
    m.aid = m.aid * kept


def spoiling(state: RunState, ctx: Context) -> F:
    """The hazard ratio (R,) that members fighting on outside the talks put on the
    agreement or ceasefire standing: each that expects more from fighting than from the
    terms in force (or, under a bare ceasefire, from the line as it stands) multiplies it
    by its spoiler_hazard_ratio (Stedman 1997; Kydd & Walter 2002)."""
    p, n = ctx.p, state.n
    ratio = over_runs(p.member_spoiler_hazard_ratio, n)
    outside = ~_signing(state, ctx) & state.members.fighting & (ratio > 1.0)
    if not outside.any():
        return np.ones(n)
    terms = state.agreement.terms
    line = share_of_stakes(ctx, state.front.control)
    at_line = ctx.space.positions(np.repeat(line[:, None], p.n_issues, axis=1))
    x = np.where(np.isnan(terms), at_line, terms)
    worth = utilities(x, np.asarray(p.member_ideal), np.asarray(p.member_salience), p.span)
    spoils = outside & (values(state, ctx) > worth)
    return np.asarray(np.prod(np.where(spoils, ratio, 1.0), axis=1))
