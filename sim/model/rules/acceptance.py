"""Acceptance of a text (docs/model.md §3.9): what it is worth to each side with the
mediator's carrots, sticks and guarantee, whether each signs, and why a side refused."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model import bargaining
from sim.model.bargaining import either_holds
from sim.model.outcomes import Refusal
from sim.model.rng import Stream
from sim.model.rules import members
from sim.model.rules.axes import both, by_side, either, pair, sides
from sim.model.rules.context import Context
from sim.model.rules.mediation import patron_loss, per_run, stick_loss
from sim.model.rules.members import has_members
from sim.model.state import RunState
from sim.model.strategies.base import Decision

F = NDArray[np.float64]
B = NDArray[np.bool_]


@dataclass
class Inducements:
    """The mediator's carrots, threats and guarantee behind a text, per side (R, 2)."""

    carrots: F  # as the side values the promise
    threats: F
    threatened: B
    stick_loss: F  # what a threatened stick would cost, as the side reckons it
    external: F  # the guarantee, as the side perceives it
    refusal_cost: F
    pressed: B  # pressed by its patrons to sign (their staked aid is in stick_loss)
    hurdle_scale: F  # (R, 2), the same for both sides
    provisions: F | None  # (R,) the ceasefire provisions written into the text
    mediated: B  # (R,) the text is the mediator's


@dataclass
class Verdict:
    """Each side's answer to the text on the table."""

    utility: F
    provisions: F | None  # (R,) the ceasefire provisions written into the text
    held_by_text: F  # the text's enforcement, with its provisions
    comply: F
    score: F
    noise: F
    accept: B
    reason: NDArray[np.int8]
    deal: B
    vetoed: B
    imposed: B
    members: members.Consent | None = None  # the camps' members' answers (§3.15)


def inducements(
    state: RunState, ctx: Context, decision: Decision, mediating: B, mediated_text: B
) -> Inducements:
    p, n = ctx.p, state.n
    zeros2 = np.zeros((n, 2))
    credibility = state.mediation.credibility
    # A carrot is a promise: it is worth what the side believes of the mediator's word
    # (its trust in the mediator) and of its commitments (its credibility, which its
    # threats also carry; Schelling 1966 on promises and threats alike).
    carrots = (
        np.where(pair(mediating), decision.carrots, 0.0)
        * sides(p.trust_in_mediator, n)
        * pair(credibility)
        if decision.carrots is not None
        else zeros2
    )
    threats = (
        np.where(pair(mediating), decision.threats, 0.0) if decision.threats is not None else zeros2
    )
    external = (
        pair(np.where(mediating, decision.guarantee, 0.0)) * sides(p.trust_in_mediator, n)
        if decision.guarantee is not None
        else zeros2
    )
    if decision.guarantee is not None and np.any(p.guarantee_cover < 1.0):
        external = external * guarantee_coverage(ctx)
    refusal_cost = (
        np.where(pair(mediated_text), decision.refusal_cost, 0.0)
        if decision.refusal_cost is not None
        else zeros2
    )
    threatened = threats > 0
    loss = stick_loss(state, ctx, threats) * pair(credibility) if threatened.any() else zeros2
    # A patron presses its own party to sign the mediator's text: the aid it stakes, as
    # likely to be withheld as the patron is to follow through (§3.10, patrons).
    pressed = np.zeros((n, 2), dtype=bool)
    if np.any(p.patron_share):
        pressed = mediated_text[:, None] & (np.broadcast_to(p.patron_share, (n, 2)) > 0)
        if pressed.any():
            staked = patron_loss(state, ctx) * np.asarray(p.patron_follow_through)
            loss = loss + np.where(pressed, staked, 0.0)
    # A text may carry the provisions of the ceasefire it brings, monitors or peacekeepers
    # and a separation of forces (§3.9): they guard the armies (an armistice leaves them
    # in place; a settlement's withdrawal has to be watched too), so each side counts
    # them like a guarantee that fails independently, and they stay when the mediator
    # goes (Fortna 2003, 2004).
    provisions = (
        np.where(mediated_text, np.clip(decision.ceasefire_provisions, 0.0, 1.0), 0.0)
        if decision.ceasefire_provisions is not None
        else None
    )
    return Inducements(
        carrots=carrots,
        threats=threats,
        threatened=threatened,
        stick_loss=loss,
        external=external,
        refusal_cost=refusal_cost,
        pressed=pressed,
        hurdle_scale=pair(per_run(decision, "hurdle_scale", mediating)),
        provisions=provisions,
        mediated=mediated_text,
    )


def guarantee_coverage(ctx: Context) -> F:
    """How much of what each side stands to lose the guarantee covers (2,) or (R, 2): the
    salience-weighted share of the disputed issues whose clause it enforces (§3.10)."""
    p = ctx.p
    disputed = (np.asarray(p.span)[..., None, :] > 1e-12).astype(float)
    weight = np.asarray(p.salience) * disputed
    covered = (weight * np.asarray(p.guarantee_cover)[..., None, :]).sum(axis=-1)
    return np.asarray(covered / np.maximum(weight.sum(axis=-1), 1e-12))


def held(assurance: F, provisions: F | None) -> F:
    """A text's enforcement (R, 2) with the ceasefire provisions written into it (R,)."""
    if provisions is None:
        return assurance
    guarded = either_holds(np.clip(assurance, 0.0, 1.0), provisions[:, None])
    return np.where(provisions[:, None] > 0.0, guarded, assurance)


def weigh(
    state: RunState,
    ctx: Context,
    t: int,
    progress: F,
    framework: B,
    talking: B,
    at_war: B,
    ind: Inducements,
) -> Verdict:
    """Each side signs if the text, with its carrots and under the guarantee, beats
    fighting on net of what a reneging enemy would cost it and of its domestic hurdle,
    up to its own misjudgement (a logistic taste); a stakeholder may veto what both
    signed."""
    p, d, n, parties = ctx.p, ctx.draws, state.n, state.parties
    utility, text_assurance = ctx.space.evaluate(progress)
    held_by_text = held(text_assurance, ind.provisions)
    comply = bargaining.compliance(parties.trust, held_by_text, ind.external)
    hurdle = (
        bargaining.domestic_hurdle(
            sides(p.hardliner_cost, n),
            sides(p.audience_cost, n),
            sides(p.victory_threshold, n),
            utility,
        )
        * ind.hurdle_scale
    )
    reservation = parties.reservation - ind.stick_loss - ind.refusal_cost
    value = utility + ind.carrots
    # An armistice-style framework leaves both armies in place: reneging on it exposes a
    # side only as a ceasefire does (the share `ceasefire_exploitation`, §3.7), not as a
    # settlement that disarms or withdraws it.
    exploitation = sides(p.exploitation_loss, n)
    loss = np.where(pair(framework), exploitation * by_side(p.ceasefire_exploitation), exploitation)
    score = bargaining.acceptance_score(value, reservation, comply, loss, hurdle)
    noise = np.stack(
        [d.logistic(t, Stream.ACCEPT_A), d.logistic(t, Stream.ACCEPT_B)], axis=-1
    ) * sides(p.decision_noise, n)
    accept = (score + noise >= 0.0) & pair(talking)
    blocked, consent = None, None
    if has_members(ctx):
        # A camp signs only if its lead and every member at the table sign (§3.15).
        enforced = either_holds(np.clip(held_by_text, 0.0, 1.0), ind.external)
        share = np.where(framework, np.asarray(p.ceasefire_exploitation, dtype=float), 1.0)
        consent = members.consent(
            state,
            ctx,
            t,
            ctx.space.positions(progress),
            enforced,
            ind.hurdle_scale,
            share,
            ind.mediated,
        )
        consent.refused &= talking[:, None]
        consent.pressed &= talking[:, None]
        blocked = accept & consent.camp_refuses
        accept = accept & ~consent.camp_refuses

    floor = np.broadcast_to(sides(p.veto_floor, n), (n, 2))
    signed = both(accept)
    vetoed = at_war & signed & either(utility < np.nan_to_num(floor, nan=-1))
    if consent is not None:
        vetoed |= at_war & signed & consent.vetoed
    deal = at_war & signed & ~vetoed

    # Why each refusal happened: the first constraint that binds.
    trusting = comply * (value - reservation + loss) - loss
    # np.select's choice, written from the last constraint to the first on int8 codes.
    reason = np.full(accept.shape, Refusal.NOISE, dtype=np.int8)
    np.copyto(reason, Refusal.DOMESTIC, where=score < 0.0)
    np.copyto(reason, Refusal.TRUST, where=trusting < 0.0)
    np.copyto(reason, Refusal.TERMS, where=value < reservation)
    np.copyto(reason, Refusal.NONE, where=accept)
    if blocked is not None:
        np.copyto(reason, Refusal.MEMBER, where=blocked)
    reason = np.where(pair(talking), reason, Refusal.NONE)
    reason = np.where(pair(vetoed), Refusal.VETO, reason)

    # A deal is imposed when some side would not have signed without carrots or sticks.
    free = bargaining.acceptance_score(utility, parties.reservation, comply, loss, hurdle)
    pushed = (ind.carrots > 0) | ind.threatened | ind.pressed
    imposed = deal & either((free + noise < 0.0) & pushed)
    return Verdict(
        utility=utility,
        provisions=ind.provisions,
        held_by_text=held_by_text,
        comply=comply,
        score=score,
        noise=noise,
        accept=accept,
        reason=reason,
        deal=deal,
        vetoed=vetoed,
        imposed=imposed,
        members=consent,
    )
