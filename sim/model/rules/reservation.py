"""Phase 4, reservation values (docs/model.md §3.4) and ripeness (§3.5)."""

from __future__ import annotations

import numpy as np

from sim.model import bargaining
from sim.model.outcomes import Status
from sim.model.rows import take
from sim.model.rules.axes import both
from sim.model.rules.context import Context, take_path
from sim.model.rules.valuation import valuations, war_cost
from sim.model.state import RunState


def reservation_values(state: RunState, ctx: Context, t: int) -> None:
    """Each side's value of fighting on, its estimate of the other's, and whether the war
    is ripe for settlement."""
    parties, talks = state.parties, state.talks
    cost = war_cost(state, ctx)
    reservation, estimate, net_gain = valuations(state, ctx, parties.belief_mean, cost)
    parties.reservation, parties.estimate, parties.net_gain = reservation, estimate, net_gain
    # Stalemate (the "S" of Zartman's MHS): fighting on is expected to buy less than it
    # costs, on each side's own reckoning.
    parties.stalemate = net_gain < 0.0
    # Ripeness (Zartman 2000): a mutually hurting stalemate (both expect fighting to buy
    # less than it costs) plus a perceived way out: each side, on its own reckoning,
    # prefers some deal on the Pareto frontier to fighting on, net of its domestic hurdle.
    stalemate = both(parties.stalemate) & (state.status == Status.WAR)
    # The way out is looked for where there is a stalemate at all.
    rows = np.flatnonzero(stalemate)
    need = take(reservation + parties.hurdle_base, rows)
    ones, zeros = np.ones(rows.size), np.zeros(rows.size)
    found = np.zeros(rows.size, dtype=bool)
    for whole in ctx.frontiers:
        frontier = take_path(whole, rows, state.n)
        lam_a, ok_a = bargaining.last_acceptable(frontier, 0, ones, zeros, need[:, 0], zeros, zeros)
        u_b = bargaining.interpolate(frontier.u[..., 1], lam_a)
        found |= ok_a & (u_b >= need[:, 1])
    talks.ripe = np.zeros(state.n, dtype=bool)
    talks.ripe[rows] = found
    newly = talks.ripe & (talks.first_ripe_round < 0)
    talks.first_ripe_round[newly] = t
