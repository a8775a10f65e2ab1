"""The parties' own offers in direct talks (docs/model.md §3.6)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model import bargaining
from sim.model.rules.context import Context
from sim.model.state import RunState

F = NDArray[np.float64]

_SWEETENER = 1e-9


def own_offer(state: RunState, ctx: Context, t: int) -> tuple[F, int]:
    """The proposer's offer in direct talks (alternating: A in odd rounds), as progress t.

    The proposer concedes along its logrolling path until the receiver's acceptance
    score, as the proposer reckons it, reaches zero. Its reckoning of the receiver's
    reservation value uses its own belief about the war, shaded by a screening margin
    that shrinks on a Boulware/Conceder path (Faratin et al. 1998): early offers
    undercut, later ones overshoot. It never offers what it would itself refuse.
    """
    p, n, space, parties = ctx.p, state.n, ctx.space, state.parties
    giver = 0 if t % 2 == 1 else 1
    recv = 1 - giver
    start = np.full((1, p.n_issues), 1.0 if giver == 0 else 0.0)
    trust = parties.trust
    value_of_assurance = (1.0 - trust) * p.exploitation_loss

    def col(param: F, i: int) -> F:
        return np.broadcast_to(param, (n, 2))[:, i]

    guess = _guess(state, ctx, giver)
    no_guarantee = np.zeros(n)
    hurdle = parties.hurdle_base
    offers, reckoned, own, good, bearables = [], [], [], [], []
    movable = np.ones(p.n_issues, dtype=bool)
    for placed in bargaining.whole_starts(space, start, movable):
        path = bargaining.concession_path(giver, space, ctx.divisible, placed, value_of_assurance)
        lam_need, enough = bargaining.first_acceptable(
            path,
            recv,
            trust[:, recv],
            no_guarantee,
            guess,
            col(p.exploitation_loss, recv),
            hurdle[:, recv],
        )
        lam_max, bearable = bargaining.last_acceptable(
            path,
            giver,
            trust[:, giver],
            no_guarantee,
            parties.reservation[:, giver],
            col(p.exploitation_loss, giver),
            hurdle[:, giver],
        )
        offer = path.point(np.minimum(lam_need, lam_max), placed, ctx.divisible)
        offers.append(offer)
        if space.indivisible is None:
            return offer, giver
        # Which placement of the indivisible issues to offer: the best for the
        # proposer among those it reckons the receiver accepts and it can bear; if
        # none, the one it reckons comes closest to acceptance.
        u, g = space.evaluate(offer)
        pi = bargaining.compliance(trust[:, recv], g[:, recv], no_guarantee)
        reckoned.append(
            bargaining.acceptance_score(
                u[:, recv], guess, pi, col(p.exploitation_loss, recv), hurdle[:, recv]
            )
        )
        own.append(u[:, giver])
        bearables.append(bearable)
        good.append(enough & bearable & (lam_need <= lam_max))
    # The best for the proposer among the offers it reckons accepted and can bear; else
    # the bearable one it reckons comes closest; else, as on one path, its own ideal
    # (the placement that keeps every indivisible issue: the last for A, the first for B).
    good_any, bearable_any = np.any(good, axis=0), np.any(bearables, axis=0)
    best_own = np.argmax(np.where(good, own, -np.inf), axis=0)
    closest = np.argmax(np.where(bearables, reckoned, -np.inf), axis=0)
    ideal = len(offers) - 1 if giver == 0 else 0
    pick = np.where(good_any, best_own, np.where(bearable_any, closest, ideal))
    return np.stack(offers)[pick, np.arange(n)], giver


def _guess(state: RunState, ctx: Context, giver: int) -> F:
    """The proposer's reckoning of the receiver's reservation value: its estimate, shaded
    by a screening margin of its own uncertainty that shrinks as it concedes."""
    p, n, parties = ctx.p, state.n, state.parties
    recv = 1 - giver

    def col(param: F, i: int) -> F:
        return np.broadcast_to(param, (n, 2))[:, i]

    # Uncertainty of the proposer's estimate, carried from its belief over the horizon.
    width = p.control_at_a_victory - p.control_at_b_victory
    sd = (
        col(p.stakes_at_risk, recv)
        * col(p.planning_horizon, recv)
        / width
        / np.sqrt(parties.belief_precision[:, giver])
    )
    progress = np.maximum(
        state.talks.rounds_talking / col(p.patience_rounds, giver),
        parties.exhaustion[:, giver] / col(p.breaking_point, giver),
    )
    conceded = np.clip(progress, 0.0, 1.0) ** (1.0 / col(p.concession_exponent, giver))
    guess = parties.estimate[:, recv] + col(p.screening_z, giver) * sd * (2.0 * conceded - 1.0)
    # Aim a hair above the receiver's threshold: an offer solved to leave the receiver
    # exactly indifferent would otherwise be refused or not on the last bit of round-off.
    return guess + _SWEETENER
