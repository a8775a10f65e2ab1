"""The consequences of a deal (docs/model.md §3.10): the terms in force, how well they are
enforced, and the steps on deferrable issues a side would not carry out (§3.12)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining import either_holds
from sim.model.outcomes import Status
from sim.model.rules.acceptance import Verdict
from sim.model.rules.axes import either, mean
from sim.model.rules.context import Context
from sim.model.rules.mediation import per_run
from sim.model.state import RunState
from sim.model.strategies.base import Decision

F = NDArray[np.float64]
B = NDArray[np.bool_]


def left_open(ctx: Context, progress: F) -> F:
    """A text (progress coordinates) with its deferrable issues at their open position:
    a framework's text, and what stands of a comprehensive text until its steps are
    carried out (§3.12)."""
    return np.where(ctx.p.deferrable, ctx.open_progress, progress)


def sign(
    state: RunState,
    ctx: Context,
    t: int,
    decision: Decision,
    mediating: B,
    text: F,
    progress: F,
    framework: B,
    external: F,
    verdict: Verdict,
) -> B:
    """Put the deals of `verdict` in force (`mediating`: the runs where the mediator is in
    session, whose strategy sets the hazard ratio of the deals it brokers). Returns the
    runs whose comprehensive text stands as a framework until its steps are carried out."""
    deal, ag = verdict.deal, state.agreement
    signed_kind = np.where(framework, Status.FRAMEWORK, Status.COMPREHENSIVE)
    ag.terms[deal] = text[deal]
    kept = np.clip(verdict.held_by_text, 0, 1)
    enforcement = mean(either_holds(kept, external))
    text_enforcement = mean(kept)
    steps_left, kind, enforcement, text_enforcement = _steps(
        state,
        ctx,
        text,
        progress,
        deal & ~framework,
        external,
        verdict,
        (signed_kind.astype(np.int8), enforcement, text_enforcement),
    )
    ag.steps_pending = np.where(deal, steps_left, ag.steps_pending)
    # The round recorded is that of the agreement standing now, not of an earlier one.
    ag.steps_carried_round = np.where(deal, -1, ag.steps_carried_round)
    state.status = np.where(deal, kind, state.status)
    ag.enforcement = np.where(deal, enforcement, ag.enforcement)
    ag.text_enforcement = np.where(deal, text_enforcement, ag.text_enforcement)
    ag.imposed = np.where(deal, verdict.imposed, ag.imposed)
    ratio = per_run(decision.hazard_ratio, 1.0, mediating)
    ag.hazard_ratio = np.where(deal, ratio, ag.hazard_ratio)
    first = deal & (ag.first_round < 0)
    ag.first_round[first] = t
    ag.first_kind[first] = signed_kind[first]
    ag.last_round[deal] = t
    ag.count += deal
    return steps_left


def _steps(
    state: RunState,
    ctx: Context,
    text: F,
    progress: F,
    comprehensive: B,
    external: F,
    verdict: Verdict,
    signed: tuple[NDArray[np.int8], F, F],
) -> tuple[B, NDArray[np.int8], F, F]:
    """Steps on deferrable issues are carried out after signing (§3.12). A side they cost
    carries them out only if it would sign for them alone, with the taste it signed with;
    otherwise the agreement stands as a framework, those issues where they were left,
    until a guarantor has the steps carried out."""
    kind, enforcement, text_enforcement = signed
    ag = state.agreement
    steps_left = np.zeros(state.n, dtype=bool)
    in_effect = left_open(ctx, progress)
    moved = np.abs(progress - in_effect) > 1e-12
    if not (comprehensive[:, None] & moved).any():
        return steps_left, kind, enforcement, text_enforcement
    utility_now, assurance_now = ctx.space.evaluate(in_effect)
    steps_value = verdict.utility - utility_now
    balks = (steps_value < 0.0) & (steps_value + verdict.noise < 0.0)
    steps_left = comprehensive & moved.any(axis=1) & either(balks)
    if not steps_left.any():
        return steps_left, kind, enforcement, text_enforcement
    kind = np.where(steps_left, Status.FRAMEWORK, kind).astype(np.int8)
    ag.signed_terms[steps_left] = text[steps_left]
    ag.terms[steps_left] = ctx.space.positions(in_effect)[steps_left]
    ag.steps_guarantee = np.where(steps_left, mean(external), ag.steps_guarantee)
    ag.steps_enforcement = np.where(steps_left, enforcement, ag.steps_enforcement)
    ag.steps_text_enforcement = np.where(steps_left, text_enforcement, ag.steps_text_enforcement)
    kept_now = np.clip(verdict.held(assurance_now), 0, 1)
    enforcement = np.where(steps_left, mean(either_holds(kept_now, external)), enforcement)
    text_enforcement = np.where(steps_left, mean(kept_now), text_enforcement)
    return steps_left, kind, enforcement, text_enforcement
