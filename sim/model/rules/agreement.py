"""The consequences of a deal (docs/model.md §3.10): the terms in force, how well they are
enforced, and the steps on deferrable issues a side would not carry out (§3.12)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining import either_holds
from sim.model.outcomes import Status
from sim.model.rules.acceptance import Verdict, held
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
    ag = state.agreement
    rows = np.flatnonzero(verdict.deal)  # the runs that signed
    # A text signed across a frozen front (§3.5) ends the frozen conflict: the run goes on.
    state.end_round[rows] = np.where(state.status[rows] == Status.FROZEN, -1, state.end_round[rows])
    signed = framework[rows]
    ext = external[rows]
    signed_kind = np.where(signed, Status.FRAMEWORK, Status.COMPREHENSIVE)
    ag.terms[rows] = text[rows]
    kept = np.clip(verdict.held_by_text[rows], 0, 1)
    steps = _Steps(
        rows=rows,
        text=text[rows],
        progress=progress[rows],
        comprehensive=~signed,
        external=ext,
        utility=verdict.utility[rows],
        noise=verdict.noise[rows],
        provisions=None if verdict.provisions is None else verdict.provisions[rows],
    )
    left, kind, enforcement, text_enforcement = _steps(
        state,
        ctx,
        steps,
        (signed_kind.astype(np.int8), mean(either_holds(kept, ext)), mean(kept)),
    )
    ag.steps_pending[rows] = left
    # The round recorded is that of the agreement standing now, not of an earlier one.
    ag.steps_carried_round[rows] = -1
    state.status[rows] = kind
    ag.enforcement[rows] = enforcement
    ag.text_enforcement[rows] = text_enforcement
    ag.imposed[rows] = verdict.imposed[rows]
    ag.hazard_ratio[rows] = per_run(decision, "hazard_ratio", mediating)[rows]
    first = ag.first_round[rows] < 0
    ag.first_round[rows[first]] = t
    ag.first_kind[rows[first]] = signed_kind[first]
    ag.last_round[rows] = t
    ag.count[rows] += 1
    steps_left = np.zeros(state.n, dtype=bool)
    steps_left[rows] = left
    return steps_left


@dataclass
class _Steps:
    """A deal's text and how its signatories weighed it, for the runs that signed."""

    rows: NDArray[np.int64]
    text: F
    progress: F
    comprehensive: B
    external: F
    utility: F
    noise: F
    provisions: F | None


def _steps_cover(ctx: Context, moved: B) -> F:
    """The share of the steps owed that the guarantee covers: its cover of the issues the
    steps move, the least covered binding (a guarantor has steps carried out together)."""
    cover = np.asarray(ctx.p.guarantee_cover)
    if not np.any(cover < 1.0):
        return np.ones(moved.shape[0])
    return np.asarray(np.where(moved, cover, 1.0).min(axis=1))


def _steps(
    state: RunState, ctx: Context, deal: _Steps, signed: tuple[NDArray[np.int8], F, F]
) -> tuple[B, NDArray[np.int8], F, F]:
    """Steps on deferrable issues are carried out after signing (§3.12). A side they cost
    carries them out only if it would sign for them alone, with the taste it signed with;
    otherwise the agreement stands as a framework, those issues where they were left,
    until a guarantor has the steps carried out."""
    kind, enforcement, text_enforcement = signed
    ag, rows = state.agreement, deal.rows
    left = np.zeros(rows.size, dtype=bool)
    open_t = ctx.open_progress
    in_effect = np.where(
        ctx.p.deferrable, open_t[rows] if open_t.ndim == 2 else open_t, deal.progress
    )
    moved = np.abs(deal.progress - in_effect) > 1e-12
    if not (deal.comprehensive[:, None] & moved).any():
        return left, kind, enforcement, text_enforcement
    space = ctx.space.take(rows)
    utility_now, assurance_now = space.evaluate(in_effect)
    steps_value = deal.utility - utility_now
    balks = (steps_value < 0.0) & (steps_value + deal.noise < 0.0)
    left = deal.comprehensive & moved.any(axis=1) & either(balks)
    if not left.any():
        return left, kind, enforcement, text_enforcement
    kind = np.where(left, Status.FRAMEWORK, kind).astype(np.int8)
    at = rows[left]
    ag.signed_terms[at] = deal.text[left]
    ag.terms[at] = space.positions(in_effect)[left]
    ag.steps_guarantee[at] = mean(deal.external)[left] * _steps_cover(ctx, moved[left])
    ag.steps_enforcement[at] = enforcement[left]
    ag.steps_text_enforcement[at] = text_enforcement[left]
    kept_now = np.clip(held(assurance_now, deal.provisions), 0, 1)
    enforcement = np.where(left, mean(either_holds(kept_now, deal.external)), enforcement)
    text_enforcement = np.where(left, mean(kept_now), text_enforcement)
    return left, kind, enforcement, text_enforcement
