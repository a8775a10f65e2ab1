"""Phase 2, costs, exhaustion and capitulation (docs/model.md §3.2)."""

from __future__ import annotations

import numpy as np

from sim.model.outcomes import Status
from sim.model.rules import members
from sim.model.rules.axes import side
from sim.model.rules.battlefield import ceasefire_violence
from sim.model.rules.context import Context
from sim.model.rules.events import Costs
from sim.model.rules.members import has_members
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
    paying = fighting | ceasefire
    # Side by side, on (R,) columns: numpy is several times slower on (R, 2) arrays
    # broadcast against (R, 1) ones (its inner loop would run over the two sides).
    exhaustion = parties.exhaustion
    cost = np.empty_like(exhaustion)
    ratio = []
    for i in (0, 1):
        sanctions = (parties.sanctions_mediator[:, i] + side(p.stakeholder_sanctions, i)) * (
            1.0 - side(p.cover, i)
        )
        cost[:, i] = side(p.cost_per_round, i) * intensity + sanctions * paying
        exhaustion[:, i] += cost[:, i]
        ratio.append(exhaustion[:, i] / side(p.breaking_point, i))
    if has_members(ctx):
        members.costs(state, ctx, t, intensity * paying)
    if np.any(p.grievance):  # losses breed hatred: trust falls with the round's cost
        parties.trust = parties.trust * np.exp(-p.grievance * cost)
    broken = [fighting & (r >= 1.0) for r in ratio]
    # If both break in the same round, the one further past its breaking point yields.
    a_yields = broken[0] & (~broken[1] | (ratio[0] >= ratio[1]))
    b_yields = broken[1] & ~a_yields
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
