"""Phases 5-7, the talks (docs/model.md §3.6-§3.10): the mediator's moves, a ceasefire
offer, the text on the table (the mediator's or a party's own offer), each side's answer,
the mediator's follow-through, and what a deal or a ripe stalemate brings."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.outcomes import Status
from sim.model.rules import mediation, members
from sim.model.rules.acceptance import inducements, weigh
from sim.model.rules.agreement import left_open, sign
from sim.model.rules.axes import count, flag, pair
from sim.model.rules.ceasefire import offer_ceasefire
from sim.model.rules.context import Context
from sim.model.rules.events import Talking
from sim.model.rules.freezing import freeze
from sim.model.rules.offers import own_offer
from sim.model.state import RunState
from sim.model.strategies.base import Decision

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]


def talks(state: RunState, ctx: Context, t: int, decision: Decision) -> Talking:
    """Put a text on the table, let both sides decide, and apply the consequences."""
    n = state.n
    fighting = state.status == Status.WAR
    # Talks go on while fighting and under a bare ceasefire, and across a frozen front
    # where the scenario says so (§3.5); `at_war` below means "no agreement yet", the runs
    # where a text can be signed.
    at_war = fighting | (state.status == Status.CEASEFIRE)
    if ctx.p.talks_while_frozen:
        at_war |= state.status == Status.FROZEN
    mediating = at_war & state.mediation.active
    # In a recess no session is held: nothing is proposed, so nothing is signed or
    # refused, while the war (and its clock of rounds at war) goes on.
    recess = mediating & flag(decision.recess, n)
    talking = at_war & ~recess
    # Whatever else the mediator does waits for the next session too: relaying, trust
    # building, aid and sanctions, partial deals, withdrawal. A run's moves then do not
    # depend on which other runs share its batch (a schedule's phases start in
    # different rounds in different runs).
    mediating = mediating & ~recess
    partial = mediation.moves(state, ctx, t, decision, mediating)
    offered, ceasefire_accept = offer_ceasefire(state, ctx, t, decision, mediating & fighting)
    mediated_text, framework, progress, proposer = on_the_table(
        state, ctx, t, decision, mediating, talking
    )
    text = ctx.space.positions(progress)
    ind = inducements(state, ctx, decision, mediating, mediated_text)
    verdict = weigh(state, ctx, t, progress, framework, talking, at_war, ind)
    deal = verdict.deal

    # The mediator follows through on threats against a side that refused, or not.
    refused = pair(talking) & ~verdict.accept
    called = ind.threatened & refused & pair(mediating)
    if called.any():
        mediation.follow_through(state, ctx, t, ind.threats, called)
    if ind.pressed.any():
        mediation.patrons_follow_through(state, ctx, t, ind.pressed & refused)
    if verdict.members is not None and verdict.members.pressed.any():
        members.patrons_follow_through(
            state, ctx, t, verdict.members.pressed & verdict.members.refused
        )
    _record(state, mediating, mediated_text, recess, deal, refused, ind.carrots, ind.threatened)
    state.talks.rounds_talking += at_war
    if decision.withdraw is not None:
        mediation.withdraw(state, t, decision.withdraw & ~recess)

    steps_left = np.zeros(n, dtype=bool)
    if deal.any():
        steps_left = sign(
            state, ctx, t, decision, mediating, text, progress, framework, ind.external, verdict
        )
    still = fighting & ~deal & (state.status == Status.WAR)
    freeze(state, ctx, t, decision, still, mediated_text | recess)
    return Talking(
        partial=partial,
        ceasefire_offered=offered,
        text=text,
        proposer=proposer,
        framework=framework,
        utility=verdict.utility,
        score=verdict.score,
        accept=verdict.accept,
        reason=verdict.reason,
        deal=deal,
        vetoed=verdict.vetoed,
        carrots=ind.carrots,
        threats=ind.threats,
        stick_loss=ind.stick_loss,
        comply=verdict.comply,
        imposed=verdict.imposed,
        ceasefire_accept=ceasefire_accept,
        steps_left=steps_left,
        recess=recess,
    )


def on_the_table(
    state: RunState, ctx: Context, t: int, decision: Decision, mediating: B, talking: B
) -> tuple[B, B, F, I]:
    """The text on the table in each run, in progress coordinates: the mediator's where it
    drafted one, else the proposer's own offer. Returns (mediated, framework, progress,
    proposer: 0 = A, 1 = B, 2 = the mediator)."""
    n, space = state.n, ctx.space
    mediated_text = np.zeros(n, dtype=bool)
    if decision.text is not None:
        drafted_text = np.asarray(decision.text, dtype=float)
        mediated_text = mediating & ~np.isnan(drafted_text).any(axis=-1)
    framework = np.zeros(n, dtype=bool)
    if decision.framework is not None:
        framework = mediated_text & decision.framework
    # Texts are evaluated in progress coordinates; the parties' own offers are needed
    # only where some run still talking has no mediator's text.
    if mediated_text.any():
        # A text cannot split an indivisible issue: one drafted elsewhere is placed at
        # the nearer end (the built-in strategies draft only such texts), except where
        # a framework leaves the issue open at its open position.
        drafted_t = space.progress(np.nan_to_num(drafted_text))
        if space.indivisible is not None:
            drafted_t = space.whole(drafted_t)
        # A framework leaves its deferrable issues at their open position, whatever a
        # strategy drafted there (§3.10): a framework has no steps to carry out (§3.12).
        if framework.any():
            drafted_t = np.where(framework[:, None], left_open(ctx, drafted_t), drafted_t)
    if not (talking & ~mediated_text).any():
        progress = drafted_t if mediated_text.any() else np.zeros((n, ctx.p.n_issues))
        return mediated_text, framework, progress, np.full(n, 2)
    own, giver = own_offer(state, ctx, t)
    if not mediated_text.any():
        return mediated_text, framework, own, np.full(n, giver)
    # The mask made whole (R, K): numpy then picks in one pass, not R passes of K.
    chosen = np.repeat(mediated_text, ctx.p.n_issues).reshape(n, ctx.p.n_issues)
    progress = np.where(chosen, drafted_t, own)
    return mediated_text, framework, progress, np.where(mediated_text, 2, giver)


def _record(
    state: RunState,
    mediating: B,
    mediated_text: B,
    recess: B,
    deal: B,
    refused: B,
    carrots: F,
    threatened: B,
) -> None:
    """The mediator's record and the course of the talks."""
    med, talks = state.mediation, state.talks
    med.texts_proposed += mediated_text
    in_session = pair(mediating)
    med.carrots_offered += count(in_session & (carrots > 0))
    med.threats_made += count(in_session & threatened)
    # A recess neither ends nor extends a run of refused texts.
    talks.failed_texts = np.where(
        recess, talks.failed_texts, np.where(mediated_text & ~deal, talks.failed_texts + 1, 0)
    )
    state.parties.refused_last = np.where(pair(recess), state.parties.refused_last, refused)
