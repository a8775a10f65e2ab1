"""Phase 3, beliefs about the trend (docs/model.md §3.3)."""

from __future__ import annotations

import numpy as np

from sim.model.outcomes import Status
from sim.model.rules.axes import by_side, pair, sides
from sim.model.rules.context import Context
from sim.model.state import RunState


def beliefs(state: RunState, ctx: Context, t: int) -> None:
    """Normal-normal updating on the observed change of control (Slantchev 2003's
    principle of convergence); shared information from a mediator adds precision. The
    change is observed where the war goes on and in the round a run ends."""
    p, parties, n = ctx.p, state.parties, state.n
    observed = (state.status == Status.WAR) | (state.end_round == t)
    information = state.mediation.information
    gain = (1.0 + pair(information) * sides(p.trust_in_mediator, n)) / by_side(p.noise_sd) ** 2
    gain = np.where(pair(observed), gain, 0.0)
    post = parties.belief_precision + gain
    known = np.isinf(parties.belief_precision)
    with np.errstate(invalid="ignore"):
        updated = (
            parties.belief_precision * parties.belief_mean + gain * pair(state.front.change)
        ) / post
    parties.belief_mean = np.where(known, parties.belief_mean, updated)
    parties.belief_precision = post
