"""Phase 2, costs, exhaustion and capitulation (docs/model.md §3.2)."""

from __future__ import annotations

import numpy as np

from sim.model.outcomes import Status
from sim.model.rules.battlefield import ceasefire_violence
from sim.model.rules.context import Context
from sim.model.rules.events import Costs
from sim.model.state import RunState


def costs(state: RunState, ctx: Context, t: int) -> Costs:
    """Each side pays the round's cost: full at war, a share under a ceasefire or a
    framework (armies in place), plus sanctions not covered by its backers. A side past its
    breaking point while fighting capitulates."""
    p, s, parties = ctx.p, state.status, state.parties
    fighting = s == Status.WAR
    ceasefire = (s == Status.CEASEFIRE) | (s == Status.FRAMEWORK) | (s == Status.FROZEN)
    intensity = np.where(fighting, 1.0, np.where(ceasefire, p.ceasefire_cost_share, 0.0))
    if np.any(p.ceasefire_violence):  # the fighting under a bare ceasefire costs as it goes
        intensity = np.maximum(intensity, ceasefire_violence(state, ctx))
    sanctions = (parties.sanctions_mediator + p.stakeholder_sanctions) * (1.0 - p.cover)
    cost = p.cost_per_round * intensity[:, None] + sanctions * (fighting | ceasefire)[:, None]
    parties.exhaustion += cost
    if np.any(p.grievance):  # losses breed hatred: trust falls with the round's cost
        parties.trust = parties.trust * np.exp(-p.grievance * cost)
    ratio = parties.exhaustion / p.breaking_point
    broken = fighting[:, None] & (ratio >= 1.0)
    # If both break in the same round, the one further past its breaking point yields.
    a_yields = broken[:, 0] & (~broken[:, 1] | (ratio[:, 0] >= ratio[:, 1]))
    b_yields = broken[:, 1] & ~a_yields
    winner_terms = np.broadcast_to(p.ideal, (state.n, 2, p.n_issues))
    for yields, status, winner in (
        (a_yields, Status.CAPITULATION_A, 1),
        (b_yields, Status.CAPITULATION_B, 0),
    ):
        if yields.any():
            state.status[yields] = status
            state.end_round[yields] = t
            state.agreement.terms[yields] = winner_terms[yields, winner]
    return Costs(cost=cost)
