"""Compile a validated Scenario into the numeric arrays the engine reads.

Party quantities are arrays over the party axis (A, B), issue quantities over the issue axis.
Any numeric one may instead carry a leading runs axis (`stack_params`), which is how many
scenarios that differ only in their numbers run as one batch without a Python loop over
them: the rules broadcast.

A scenario writes its rates per month; the rules read them per round. Each such field says
how it scales (`param(per_month=...)`), and is converted here to the scenario's round length
(docs/model.md §1, Time).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining import either_holds, trust_in_mediator
from sim.model.config import Scenario
from sim.model.config.scenario import (
    ROLES,
    CoMediator,
    Domestic,
    Mediator,
    Party,
    Stakeholder,
)
from sim.model.config.timeline import epochs

F = NDArray[np.float64]

# The month a rate is written for, in days: the round of every shipped scenario, so that
# their numbers are the same per month and per round.
DAYS_PER_MONTH = 30

# How a value written for a month becomes the value for a round of k months.
TIME_SCALINGS: dict[str, Callable[[Any, float], Any]] = {
    # accrues in proportion to time: a cost, a trend, sanctions
    "amount": lambda x, k: np.multiply(x, k),
    # sd of a sum of k months of independent changes
    "sd": lambda x, k: np.multiply(x, math.sqrt(k)),
    # the chance that it happens at least once in k months
    "probability": lambda q, k: 1.0 - np.power(1.0 - np.asarray(q, dtype=float), k),
    # a length of time: months to rounds
    "duration": lambda x, k: np.divide(x, k),
    "discount": lambda d, k: np.power(d, k),
}

# The per-round names the rules read, where they differ from the per-month names written.
_ROUND_NAMES = {
    "cost_per_month": "cost_per_round",
    "patience_months": "patience_rounds",
    "regroup_months": "regroup_rounds",
    "ripe_months_to_freeze": "ripe_rounds_to_freeze",
}


@functools.cache
def _scaling(section: type, name: str) -> str | None:
    """How field `name` of a config section scales with time (`param(per_month=)`)."""
    return next(f for f in dataclasses.fields(section) if f.name == name).metadata.get("per_month")


def per_round(section: type, name: str, value: Any, months: float) -> Any:
    """`value` of field `name` of a config section, for a round of `months` months."""
    scaling = _scaling(section, name)
    if scaling is None or months == 1.0:
        return value
    converted = TIME_SCALINGS[scaling](value, months)
    return float(converted) if np.ndim(converted) == 0 else converted


@dataclass
class ModelParams:
    horizon: int
    months_per_round: float  # the round's length in months (rates are written per month)
    issue_names: tuple[str, ...]
    party_names: tuple[str, str]
    # issues (2, K) / (K,)
    ideal: F
    salience: F
    span: F
    assures: F
    deferrable: NDArray[np.bool_]
    indivisible: NDArray[np.bool_]
    open_position: F
    # parties (2,)
    capacity: F
    cost_per_round: F
    breaking_point: F
    optimism: F
    belief_sd: F
    trust: F
    exploitation_loss: F
    planning_horizon: F
    regroup: F
    discount_factor: F
    concession_exponent: F
    patience_rounds: F
    screening_z: F
    decision_noise: F
    entrapment: F
    grievance: F
    audience_cost: F
    victory_threshold: F
    hardliner_cost: F
    payoff_of_fighting: F
    # camp members (M,), (M, K) with ideals and saliences: the parties beside the two leads
    # (§3.15); every array is empty in a two-party scenario
    member_names: tuple[str, ...]
    member_camp: NDArray[np.int64]  # 0: A's camp, 1: B's
    member_ideal: F
    member_salience: F
    member_capacity: F
    member_cost_per_round: F
    member_breaking_point: F
    member_trust: F
    member_exploitation_loss: F
    member_decision_noise: F
    member_audience_cost: F
    member_victory_threshold: F
    member_hardliner_cost: F
    member_payoff_of_fighting: F
    member_at_table: F  # 1 at the table, 0 kept out
    member_spoiler_hazard_ratio: F
    member_stakeholder_aid: F  # its patrons' aid, and what they do with it (§3.10)
    member_patron_share: F
    member_patron_follow_through: F
    member_veto_floor: F  # nan where no stakeholder protects it
    # battlefield
    initial_state: str
    initial_ceasefire_provisions: float
    initial_control: float
    control_at_a_victory: float
    control_at_b_victory: float
    drift_scale: float
    noise_sd: float
    breakthrough_probability: float
    breakthrough_size: float
    exhaustion_drag: float
    ceasefire_violence: float
    ceasefire_cost_share: float
    regroup_rounds: float
    # mediator
    has_mediator: bool
    bias: float
    mediator_trust: F  # (2,) each side's trust in the mediators' word
    leverage: F
    credibility: float
    follow_through: float
    information_noise: float
    mediator_aid: F
    mediator_sanctions: F
    sanctions_step: float
    partial_chance: float
    guarantee_cover: F  # (K,) the share of each issue's clause the guarantee enforces
    partial_trust: float
    guarantee: float
    credibility_update: float
    # stakeholders, aggregated over all of them
    stakeholder_aid: F
    stakeholder_sanctions: F
    cover: F
    compensates_aid_cut: F
    veto_floor: F  # nan where no stakeholder protects that party
    patron_share: F  # share of its patrons' aid they threaten to withhold if it refuses
    patron_follow_through: F  # the chance they do, weighted by the aid at stake
    # agreements
    base_hazard: float
    guarantee_effect: float
    trust_effect: float
    imposed_hazard_ratio: float
    framework_hazard_ratio: float
    trust_loss_on_collapse: float
    ripe_rounds_to_freeze: float
    ceasefire_hazard_ratio: float
    hazard_shape: float
    ceasefire_exploitation: float
    violation_probability: float
    violation_hazard_ratio: float
    thaw_hazard: float
    talks_while_frozen: bool
    # the timeline: the parameters in force from later rounds on
    later: tuple[Epoch, ...] = ()

    @property
    def n_issues(self) -> int:
        return len(self.issue_names)

    @property
    def trust_in_mediator(self) -> F:
        """Perceived bias lowers the disfavoured side's trust in the mediator's word; with
        co-mediators, each side trusts the member it trusts most."""
        return self.mediator_trust

    @property
    def stakes_at_risk(self) -> F:
        """D_i: utility a party loses if the other side gets all it wants (sum of the
        saliences of the issues actually in dispute; 1 when every issue is)."""
        disputed = self.span[..., None, :] > 1e-12
        return (self.salience * disputed).sum(axis=-1)


@dataclass
class Epoch:
    """The parameters in force from round `round` on (a scenario's timeline); `varying`
    names those with a runs axis in a stacked batch."""

    round: int
    params: ModelParams
    varying: tuple[str, ...] = ()


def _numbers(section: type) -> tuple[str, ...]:
    """The fields of a party's config section that the parameters hold one value per side
    (A, B): its numbers that ModelParams declares under the same name, or its per-round
    name."""
    declared = {f.name for f in dataclasses.fields(ModelParams)}
    return tuple(
        f.name
        for f in dataclasses.fields(section)
        if _ROUND_NAMES.get(f.name, f.name) in declared and f.type in ("float", "int", float, int)
    )


_PARTY_NUMBERS = _numbers(Party)
_DOMESTIC_NUMBERS = _numbers(Domestic)


def compile_params(sc: Scenario) -> ModelParams:
    names = (sc.a, sc.b)
    months = sc.round_days / DAYS_PER_MONTH
    return ModelParams(
        horizon=sc.horizon,
        months_per_round=months,
        issue_names=sc.issue_names,
        party_names=names,
        **_issue_params(sc, names),
        **_party_params(sc, names, months),
        **_member_params(sc, months),
        **_section_values(sc.battlefield, months),
        **_mediator_params(sc, names, months),
        **_stakeholder_params(sc, names, months),
        **_section_values(sc.agreement, months),
        later=tuple(Epoch(when, compile_params(esc)) for when, esc in epochs(sc)),
    )


def _section_values(section: Any, months: float) -> dict[str, Any]:
    """A config section whose every field is a ModelParams field, per round."""
    return {
        _ROUND_NAMES.get(f.name, f.name): per_round(
            type(section), f.name, getattr(section, f.name), months
        )
        for f in dataclasses.fields(section)
    }


def _issue_params(sc: Scenario, names: tuple[str, str]) -> dict[str, Any]:
    issues = sc.issue_names
    pa, pb = sc.parties[names[0]], sc.parties[names[1]]
    ideal = np.array([[p.ideal[i] for i in issues] for p in (pa, pb)], dtype=float)
    salience = np.array([[p.salience[i] for i in issues] for p in (pa, pb)], dtype=float)
    assures = np.array(
        [[sc.issues[i].assures.get(n, 0.0) for i in issues] for n in names], dtype=float
    )
    return {
        "ideal": ideal,
        "salience": salience,
        "span": np.abs(ideal[0] - ideal[1]),
        "assures": assures,
        "deferrable": np.array([sc.issues[i].deferrable for i in issues], dtype=bool),
        "indivisible": np.array([sc.issues[i].indivisible for i in issues], dtype=bool),
        "open_position": np.array(
            [
                sc.issues[i].open_position if sc.issues[i].open_position is not None else 0.0
                for i in issues
            ],
            dtype=float,
        ),
    }


def _party_params(sc: Scenario, names: tuple[str, str], months: float) -> dict[str, Any]:
    pa, pb = sc.parties[names[0]], sc.parties[names[1]]
    out = {
        _ROUND_NAMES.get(name, name): per_round(
            Party, name, np.array([float(getattr(pa, name)), float(getattr(pb, name))]), months
        )
        for name in _PARTY_NUMBERS
    }
    for name in _DOMESTIC_NUMBERS:
        pair = np.array([float(getattr(pa.domestic, name)), float(getattr(pb.domestic, name))])
        out[name] = per_round(Domestic, name, pair, months)
    return out


# What a camp member reads of its party section (§3.15): its own preferences, forces, costs,
# trust and domestic constraints; it reads the war with its lead's beliefs.
_MEMBER_NUMBERS = (
    "capacity",
    "cost_per_month",
    "breaking_point",
    "trust",
    "exploitation_loss",
    "decision_noise",
    "spoiler_hazard_ratio",
)


def _member_params(sc: Scenario, months: float) -> dict[str, Any]:
    members = [sc.parties[name] for name in sc.members]
    issues = sc.issue_names

    def column(section: type, owner: Any, name: str) -> F:
        values = np.array([float(getattr(owner(m), name)) for m in members], dtype=float)
        return np.asarray(per_round(section, name, values, months), dtype=float)

    out: dict[str, Any] = {
        "member_names": sc.members,
        "member_camp": np.array([ROLES.index(m.role) for m in members], dtype=np.int64),
        "member_ideal": np.array(
            [[m.ideal[i] for i in issues] for m in members], dtype=float
        ).reshape(len(members), len(issues)),
        "member_salience": np.array(
            [[m.salience[i] for i in issues] for m in members], dtype=float
        ).reshape(len(members), len(issues)),
        "member_at_table": np.array([float(m.at_table) for m in members]),
    }
    for name in _MEMBER_NUMBERS:
        out[f"member_{_ROUND_NAMES.get(name, name)}"] = column(Party, lambda m: m, name)
    for name in _DOMESTIC_NUMBERS:
        out[f"member_{name}"] = column(Domestic, lambda m: m.domestic, name)
    return out


def _mediator_params(sc: Scenario, names: tuple[str, str], months: float) -> dict[str, Any]:
    med = sc.mediator

    def med_pair(section: str) -> F:
        if med is None:
            return np.zeros(2)
        mapping = getattr(med, section)
        pair = np.array([float(mapping.get(n, 0.0)) for n in names])
        return per_round(Mediator, section, pair, months)

    out = {
        "has_mediator": med is not None and (med.strategy != "none" or bool(med.schedule)),
        "bias": med.bias if med is not None else 0.0,
        "mediator_trust": trust_in_mediator(med.bias if med is not None else 0.0),
        "leverage": med_pair("leverage"),
        "credibility": med.credibility if med is not None else 0.0,
        "follow_through": med.follow_through if med is not None else 0.0,
        "information_noise": med.information_noise if med is not None else 0.0,
        "mediator_aid": med_pair("aid"),
        "mediator_sanctions": med_pair("sanctions"),
        "sanctions_step": (
            per_round(Mediator, "sanctions_step", med.sanctions_step, months)
            if med is not None
            else 0.0
        ),
        "guarantee": med.guarantee if med is not None else 0.0,
        "credibility_update": med.credibility_update if med is not None else 0.0,
        "partial_chance": (
            per_round(Mediator, "partial_chance", med.partial_chance, months)
            if med is not None
            else 0.0
        ),
        "partial_trust": med.partial_trust if med is not None else 0.0,
        "guarantee_cover": np.array(
            [1.0 if med is None else float(med.guarantee_covers.get(i, 1.0)) for i in sc.issues]
        ),
    }
    if med is not None and med.co_mediators:
        out.update(_team(med, names, months, out))
    return out


def _team(
    med: Mediator, names: tuple[str, str], months: float, lead: dict[str, Any]
) -> dict[str, Any]:
    """A lead mediator and its co-mediators as one team (docs/model.md §3.6, co-mediation):
    one text, tilted by their mean lean; each side trusts the member it trusts most; leverage
    and guarantees combine as independent sources, aid and sanctions add up, and the
    team's threats are as credible as its members' credibility weighted by their leverage."""
    members = list(med.co_mediators.values())

    def pair(member: CoMediator, section: str) -> F:
        values = np.array([float(getattr(member, section).get(n, 0.0)) for n in names])
        return per_round(CoMediator, section, values, months)

    leverage, guarantee = lead["leverage"], lead["guarantee"]
    aid, sanctions = lead["mediator_aid"], lead["mediator_sanctions"]
    trust = lead["mediator_trust"]
    weights, credibilities = [float(leverage.sum())], [med.credibility]
    for m in members:
        leverage = either_holds(leverage, pair(m, "leverage"))
        guarantee = either_holds(guarantee, m.guarantee)
        aid, sanctions = aid + pair(m, "aid"), sanctions + pair(m, "sanctions")
        trust = np.maximum(trust, trust_in_mediator(m.bias))
        weights.append(float(sum(m.leverage.values())))
        credibilities.append(m.credibility)
    w = np.array(weights) if sum(weights) > 0 else np.ones(len(weights))
    return {
        "bias": (med.bias + sum(m.bias for m in members)) / (1 + len(members)),
        "mediator_trust": trust,
        "leverage": leverage,
        "guarantee": guarantee,
        "mediator_aid": aid,
        "mediator_sanctions": sanctions,
        "credibility": float(np.dot(w, credibilities) / w.sum()),
    }


def _stakeholder_params(sc: Scenario, names: tuple[str, str], months: float) -> dict[str, Any]:
    """Every stakeholder's effect, aggregated per party (docs/model.md §7, Stakeholder): the
    two leads first, then the camps' members (§3.15). Sanctions fall on the other camp's
    lead; a member's stakeholder covers nothing and compensates no aid (`checks`)."""
    supported = (*names, *sc.members)
    n = len(supported)
    aid, sanctions, cover = np.zeros(n), np.zeros(2), np.zeros(n)
    comp, veto = np.zeros(n), np.full(n, np.nan)
    stake, follow = np.zeros(n), np.zeros(n)
    for st in sc.stakeholders.values():
        j = supported.index(st.supports)
        camp = ROLES.index(sc.parties[st.supports].role)
        aid[j] += st.aid
        sanctions[1 - camp] += per_round(Stakeholder, "sanctions", st.sanctions, months)
        cover[j] = either_holds(cover[j], st.cover)
        comp[j] = min(1.0, comp[j] + st.compensates_aid_cut)
        if st.veto_utility_floor is not None:
            veto[j] = np.fmax(veto[j], st.veto_utility_floor)
        stake[j] += st.pressure * st.aid
        follow[j] += st.pressure * st.aid * st.follow_through
    share = np.divide(stake, aid, out=np.zeros(n), where=aid > 0)
    follows = np.divide(follow, stake, out=np.zeros(n), where=stake > 0)
    return {
        "stakeholder_aid": aid[:2],
        "stakeholder_sanctions": sanctions,
        "cover": cover[:2],
        "compensates_aid_cut": comp[:2],
        "veto_floor": veto[:2],
        "patron_share": share[:2],
        "patron_follow_through": follows[:2],
        "member_stakeholder_aid": aid[2:],
        "member_patron_share": share[2:],
        "member_patron_follow_through": follows[2:],
        "member_veto_floor": veto[2:],
    }


# What shapes the rules rather than feeding them: these must agree between stacked scenarios.
STRUCTURAL = frozenset(
    {
        "horizon",
        "issue_names",
        "party_names",
        "member_names",
        "member_camp",
        "deferrable",
        "open_position",
        "indivisible",
        "has_mediator",
        "ripe_rounds_to_freeze",
        "talks_while_frozen",
        "initial_state",
    }
)


def stack_params(
    params: Sequence[ModelParams], counts: Sequence[int]
) -> tuple[ModelParams, tuple[str, ...]]:
    """One set of parameters for several scenarios run as one batch: scenario j's values
    repeated for its counts[j] runs, in order.

    Values every scenario shares stay as they are (the rules' shared fast paths still
    apply); a value that differs gets a leading runs axis of length sum(counts). Returns
    the stacked parameters and the names of the fields that got a runs axis.
    """
    if not params or len(params) != len(counts):
        raise ValueError("stack_params needs one run count per scenario, and at least one")
    first = params[0]
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(ModelParams):
        values = [getattr(q, f.name) for q in params]
        if f.name == "later":
            if any(epoch_rounds(q) != epoch_rounds(first) for q in params):
                raise ValueError("scenarios stacked together must share their timeline's rounds")
            if first.later:
                changes["later"] = tuple(
                    Epoch(e.round, *stack_params([q.later[k].params for q in params], counts))
                    for k, e in enumerate(first.later)
                )
            continue
        if f.name in STRUCTURAL:
            if any(not np.array_equal(np.asarray(v), np.asarray(values[0])) for v in values):
                raise ValueError(f"scenarios stacked together must share {f.name}")
            continue
        arrays = [np.asarray(v, dtype=float) for v in values]
        if all(np.array_equal(a, arrays[0], equal_nan=True) for a in arrays[1:]):
            continue
        changes[f.name] = np.repeat(np.stack(arrays), counts, axis=0)
    return dataclasses.replace(first, **changes), tuple(changes)


def epoch_rounds(p: ModelParams) -> tuple[int, ...]:
    """The rounds at which the timeline changes the parameters."""
    return tuple(e.round for e in p.later)


def take_runs(params: ModelParams, rows: np.ndarray, names: Sequence[str]) -> ModelParams:
    """The parameters of some runs of a stacked batch (`names`: its per-run fields)."""
    if not names:
        return params
    cut = {n: getattr(params, n)[rows] for n in names if n != "later"}
    if "later" in names:
        cut["later"] = tuple(
            Epoch(e.round, take_runs(e.params, rows, e.varying), e.varying) for e in params.later
        )
    return dataclasses.replace(params, **cut)
