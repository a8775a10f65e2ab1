"""Phase 8, the fate of standing agreements and ceasefires (docs/model.md §3.11), and the
deferred steps a guarantor has carried out (§3.12)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.outcomes import Status
from sim.model.rng import Stream
from sim.model.rules import members
from sim.model.rules.axes import by_side, either, mean
from sim.model.rules.battlefield import truce_enforcement
from sim.model.rules.ceasefire import ceasefire_score
from sim.model.rules.context import Context
from sim.model.rules.events import Standing
from sim.model.rules.members import has_members
from sim.model.state import RunState

F = NDArray[np.float64]
B = NDArray[np.bool_]


def durability(state: RunState, ctx: Context, t: int, new_deal: B, new_ceasefire: B) -> Standing:
    """Agreements and bare ceasefires made in earlier rounds may collapse (`new_deal` and
    `new_ceasefire`: those of this round, which stand from the next).

    The hazard falls with enforcement and trust (Fortna 2003, 2004); it rises for
    frameworks that leave core issues open, for bare ceasefires, and for deals that were
    signed only under the mediator's carrots and sticks once the mediator has left and
    its leverage with it (Beardsley 2008, 2011). A strategy may scale the hazard of the
    deals it brokers (public commitments bind more, private ones less).
    """
    status, ag, cf, active = state.status, state.agreement, state.ceasefire, state.mediation.active
    thaw(state, ctx, t)
    agreed = (status == Status.FRAMEWORK) | (status == Status.COMPREHENSIVE)
    standing = agreed & ~new_deal
    truce = (status == Status.CEASEFIRE) & ~new_ceasefire
    # An agreement signed under a ceasefire continues the same peace.
    started = (agreed | (status == Status.CEASEFIRE)) & (state.peace_since < 0)
    state.peace_since[started] = t
    ag.rounds += standing
    cf.rounds += truce
    ag.rounds_after_exit += standing & ~active
    if not (standing.any() or truce.any()):
        nothing = np.zeros((state.n, 2), dtype=bool)
        return Standing(
            steps_carried=standing, collapse=standing, ceasefire_collapse=None,
            ceasefire_breach=nothing,
        )  # fmt: skip
    carried = carry_out_steps(state, ctx, t, standing)
    truce_enforced = truce_enforcement(state)
    violated = violations(state, ctx, t, truce)
    falls = ctx.draws.uniform(t, Stream.COLLAPSE) < hazard(
        state, ctx, t, truce, truce_enforced, violated
    )
    collapse = standing & falls
    # A ceasefire holds only while both sides would still sign it (§3.8): a side
    # whose score has fallen below zero, its taste kept from the signing, breaks it;
    # a side that signed to regroup first takes the rounds its build-up needs.
    breaker = np.zeros((state.n, 2), dtype=bool)
    if truce.any():
        score = ceasefire_score(state, ctx, truce_enforced, cf.disposition)
        building = cf.regrouping & ((t - cf.signed_round < ctx.p.regroup_rounds)[:, None])
        breaker = truce[:, None] & (score < 0.0) & ~building
        if has_members(ctx):
            # A member at the table that would no longer sign it breaks it too (§3.15).
            breaker |= truce[:, None] & members.ceasefire_breakers(state, ctx, truce_enforced)
    breach = either(breaker)
    truce_ends = truce & (falls | breach)
    cf.breaches += breach
    if (collapse | truce_ends).any():
        _back_to_war(state, ctx, t, collapse, truce_ends)
    return Standing(
        steps_carried=carried,
        collapse=collapse,
        ceasefire_collapse=truce_ends,
        ceasefire_breach=breaker,
    )


def thaw(state: RunState, ctx: Context, t: int) -> None:
    """A frozen front thaws into war with the scenario's chance per round (§3.5): the
    frozen line is no longer in force, and the talks start over."""
    if not np.any(ctx.p.thaw_hazard):
        return
    frozen = (state.status == Status.FROZEN) & (state.end_round < t)  # not this round's
    thawed = frozen & (ctx.draws.uniform(t, Stream.THAW) < ctx.p.thaw_hazard)
    if not thawed.any():
        return
    state.status[thawed] = Status.WAR
    state.end_round[thawed] = -1
    state.agreement.terms[thawed] = np.nan
    state.talks.thaws += thawed
    _talks_start_over(state, np.flatnonzero(thawed))


def _talks_start_over(state: RunState, rows: NDArray[np.int64]) -> None:
    """Where the war resumes, the talks start over: no rounds of talks, refused texts or
    ripe rounds counted."""
    talks = state.talks
    talks.rounds_talking[rows] = 0
    talks.failed_texts[rows] = 0
    talks.ripe_streak[rows] = 0


def carry_out_steps(state: RunState, ctx: Context, t: int, standing: B) -> B:
    """A guarantor still engaged has the steps left of a comprehensive agreement carried
    out, each round with a chance equal to its guarantee (§3.12; Walter 2002)."""
    ag = state.agreement
    carried = np.zeros(state.n, dtype=bool)
    owed = standing & ag.steps_pending & state.mediation.active
    if not owed.any():
        return carried
    chance = np.where(owed, ag.steps_guarantee, 0.0)
    carried = owed & (ctx.draws.uniform(t, Stream.STEPS) < chance)
    if carried.any():
        state.status[carried] = Status.COMPREHENSIVE
        ag.terms[carried] = ag.signed_terms[carried]
        ag.enforcement[carried] = ag.steps_enforcement[carried]
        ag.text_enforcement[carried] = ag.steps_text_enforcement[carried]
        ag.steps_pending[carried] = False
        ag.steps_carried_round[carried] = t
    return carried


def violations(state: RunState, ctx: Context, t: int, truce: B) -> B:
    """A serious violation of a bare ceasefire this round: the scenario's chance, less the
    share its monitors and guarantee deter (§3.7)."""
    p = ctx.p
    if not np.any(p.violation_probability):
        return np.zeros(state.n, dtype=bool)
    chance = p.violation_probability * (1.0 - truce_enforcement(state))
    violated = truce & (ctx.draws.uniform(t, Stream.VIOLATION) < chance)
    state.ceasefire.violations += violated
    return violated


def hazard(
    state: RunState, ctx: Context, t: int, truce: B, truce_enforced: F, violated: B | None = None
) -> F:
    """The chance this round that a standing agreement (or, in `truce`, a bare ceasefire)
    collapses; a serious violation this round raises a ceasefire's (`violated`)."""
    p, ag, active = ctx.p, state.agreement, state.mediation.active
    unpropped = ag.imposed & ~active
    common = np.log(p.base_hazard + 1e-300) - p.trust_effect * mean(state.parties.trust)
    deal_h = (
        common
        - p.guarantee_effect * np.where(active, ag.enforcement, ag.text_enforcement)
        + np.log(ag.hazard_ratio)
        + np.log(p.imposed_hazard_ratio) * unpropped
        + np.log(p.framework_hazard_ratio) * (state.status == Status.FRAMEWORK)
    )
    truce_h = common - p.guarantee_effect * truce_enforced + np.log(p.ceasefire_hazard_ratio)
    if violated is not None and violated.any():
        truce_h = truce_h + np.log(p.violation_hazard_ratio) * violated
    log_h = np.where(truce, truce_h, deal_h)
    if has_members(ctx):
        # Members fighting on outside the talks attack what the others signed (§3.15).
        log_h = log_h + np.log(members.spoiling(state, ctx))
    shape = np.asarray(p.hazard_shape, dtype=float)  # per run in a stacked batch
    if np.any(shape != 1.0):
        # Weibull duration dependence in the age of the peace (Werner 1999; Fortna 2003,
        # 2004): base_hazard is the hazard in the first month after the fighting stopped,
        # and the age is counted in months.
        age = np.maximum((t - state.peace_since) * np.asarray(p.months_per_round), 1)
        log_h = log_h + (shape - 1.0) * np.log(age)
    return np.minimum(np.exp(log_h), 1.0)


def _back_to_war(state: RunState, ctx: Context, t: int, collapse: B, truce_ends: B) -> None:
    """The war resumes where an agreement collapsed or a ceasefire ended: distrust grows
    and the talks start over."""
    p, ag, cf, active = ctx.p, state.agreement, state.ceasefire, state.mediation.active
    # By the few rows concerned (their positions), not by masks over every run.
    back = np.flatnonzero(collapse | truce_ends)
    fell = np.flatnonzero(collapse)
    ended = np.flatnonzero(truce_ends)
    state.status[back] = Status.WAR
    state.peace_since[back] = -1
    ag.terms[fell] = np.nan
    ag.steps_pending[fell] = False
    keep = np.broadcast_to(1.0 - by_side(p.trust_loss_on_collapse), (state.n, 1))
    state.parties.trust[back] *= keep[back]
    first = fell[ag.first_collapse_round[fell] < 0]
    ag.first_collapse_round[first] = t
    ag.collapses[fell] += 1
    ag.collapses_after_exit[fell[~active[fell]]] += 1
    cf.collapses[ended] += 1
    first_truce = ended[cf.first_collapse_round[ended] < 0]
    cf.first_collapse_round[first_truce] = t
    _talks_start_over(state, back)
