"""What the mediator sees at the start of the talks (docs/model.md §4): the state as it is,
and each side's reservation value through its own noisy estimate."""

from __future__ import annotations

import numpy as np

from sim.model.bargaining import Seats
from sim.model.outcomes import Status
from sim.model.rng import Stream
from sim.model.rules import members
from sim.model.rules.axes import by_side
from sim.model.rules.context import Context
from sim.model.state import RunState
from sim.model.strategies.base import Observation


def observe(state: RunState, ctx: Context, t: int) -> Observation:
    p, d = ctx.p, ctx.draws
    noise = np.stack(
        [d.normal(t, Stream.MEDIATOR_ESTIMATE_A), d.normal(t, Stream.MEDIATOR_ESTIMATE_B)],
        axis=-1,
    )
    status, parties, mediation, talks = state.status, state.parties, state.mediation, state.talks
    fighting = status == Status.WAR
    in_ceasefire = status == Status.CEASEFIRE
    return Observation(
        round=t,
        horizon=p.horizon,
        at_war=(fighting | in_ceasefire) & mediation.active,
        fighting=fighting,
        in_ceasefire=in_ceasefire,
        agreed=(status == Status.FRAMEWORK) | (status == Status.COMPREHENSIVE),
        ripe=talks.ripe.copy(),
        control=state.front.control.copy(),
        reservation_estimate=parties.reservation + by_side(p.information_noise) * noise,
        trust=parties.trust.copy(),
        exploitation_loss=p.exploitation_loss,
        framework_loss_share=p.ceasefire_exploitation,
        hardliner_cost=p.hardliner_cost,
        audience_cost=p.audience_cost,
        victory_threshold=p.victory_threshold,
        ideal=p.ideal,
        salience=p.salience,
        span=p.span,
        assures=p.assures,
        deferrable=p.deferrable,
        open_position=p.open_position,
        space=ctx.space,
        leverage=np.asarray(p.leverage, dtype=float),
        credibility=mediation.credibility.copy(),
        bias=np.asarray(p.bias, dtype=float),
        mediator_trust=np.asarray(p.mediator_trust, dtype=float),
        guarantee=np.asarray(p.guarantee, dtype=float),
        refused_last_round=parties.refused_last.copy(),
        failed_texts=talks.failed_texts.copy(),
        rounds_talking=talks.rounds_talking.copy(),
        agreement_round=state.agreement.last_round.copy(),
        phase_round=np.full(state.n, t, dtype=np.int64),
        seats=_seats(state, ctx, t) if members.has_members(ctx) else None,
    )


def _seats(state: RunState, ctx: Context, t: int) -> Seats:
    """The members as the mediator sees them: their values of fighting on through its own
    noisy estimate, as for the leads."""
    p, d = ctx.p, ctx.draws
    noise = np.stack(
        [d.normal(t, members.ESTIMATE_STREAM + j) for j in range(len(p.member_names))], axis=-1
    )
    estimate = members.values(state, ctx) + by_side(p.information_noise) * noise
    return members.seats(state, ctx, estimate)
