"""Compile a validated Scenario into the numeric arrays the engine reads.

Party quantities are arrays over the party axis (A, B), issue quantities over the issue axis.
Any numeric one may instead carry a leading runs axis (`stack_params`), which is how many
scenarios that differ only in their numbers run as one batch without a Python loop over
them: the rules broadcast.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.bargaining import either_holds, trust_in_mediator
from sim.config import Scenario

F = NDArray[np.float64]


@dataclass
class ModelParams:
    horizon: int
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
    audience_cost: F
    victory_threshold: F
    hardliner_cost: F
    payoff_of_fighting: F
    # battlefield
    initial_control: float
    control_at_a_victory: float
    control_at_b_victory: float
    drift_scale: float
    noise_sd: float
    breakthrough_probability: float
    breakthrough_size: float
    exhaustion_drag: float
    ceasefire_cost_share: float
    regroup_rounds: float
    # mediator
    has_mediator: bool
    bias: float
    leverage: F
    credibility: float
    follow_through: float
    information_noise: float
    mediator_aid: F
    mediator_sanctions: F
    sanctions_step: float
    guarantee: float
    credibility_update: float
    # stakeholders, aggregated over all of them
    stakeholder_aid: F
    stakeholder_sanctions: F
    cover: F
    compensates_aid_cut: F
    veto_floor: F  # nan where no stakeholder protects that party
    # agreements
    base_hazard: float
    guarantee_effect: float
    trust_effect: float
    imposed_hazard_ratio: float
    framework_hazard_ratio: float
    trust_loss_on_collapse: float
    ripe_rounds_to_freeze: int
    ceasefire_hazard_ratio: float
    hazard_shape: float
    ceasefire_exploitation: float

    @property
    def n_issues(self) -> int:
        return len(self.issue_names)

    @property
    def trust_in_mediator(self) -> F:
        """Perceived bias lowers the disfavoured side's trust in the mediator's word."""
        return trust_in_mediator(self.bias)

    @property
    def stakes_at_risk(self) -> F:
        """D_i: utility a party loses if the other side gets all it wants (sum of the
        saliences of the issues actually in dispute; 1 when every issue is)."""
        disputed = self.span[..., None, :] > 1e-12
        return (self.salience * disputed).sum(axis=-1)


def compile_params(sc: Scenario) -> ModelParams:
    names = (sc.a, sc.b)
    issues = sc.issue_names
    pa, pb = sc.parties[names[0]], sc.parties[names[1]]

    def pair(getter: Callable[[Any], Any]) -> F:
        return np.array([float(getter(pa)), float(getter(pb))])

    ideal = np.array([[p.ideal[i] for i in issues] for p in (pa, pb)], dtype=float)
    salience = np.array([[p.salience[i] for i in issues] for p in (pa, pb)], dtype=float)
    assures = np.array(
        [[sc.issues[i].assures.get(n, 0.0) for i in issues] for n in names], dtype=float
    )
    med = sc.mediator
    has_med = med is not None and (med.strategy != "none" or bool(med.schedule))

    def med_pair(section: str) -> F:
        if med is None:
            return np.zeros(2)
        mapping = getattr(med, section)
        return np.array([float(mapping.get(n, 0.0)) for n in names])

    st_aid, st_sanc, st_cover = np.zeros(2), np.zeros(2), np.zeros(2)
    st_comp, veto = np.zeros(2), np.full(2, np.nan)
    for st in sc.stakeholders.values():
        j = names.index(st.supports)
        st_aid[j] += st.aid
        st_sanc[1 - j] += st.sanctions
        st_cover[j] = either_holds(st_cover[j], st.cover)
        st_comp[j] = min(1.0, st_comp[j] + st.compensates_aid_cut)
        if st.veto_utility_floor is not None:
            veto[j] = np.fmax(veto[j], st.veto_utility_floor)
    bf, ag = sc.battlefield, sc.agreement
    return ModelParams(
        horizon=sc.horizon,
        issue_names=issues,
        party_names=names,
        ideal=ideal,
        salience=salience,
        span=np.abs(ideal[0] - ideal[1]),
        assures=assures,
        deferrable=np.array([sc.issues[i].deferrable for i in issues], dtype=bool),
        indivisible=np.array([sc.issues[i].indivisible for i in issues], dtype=bool),
        open_position=np.array(
            [
                sc.issues[i].open_position if sc.issues[i].open_position is not None else 0.0
                for i in issues
            ],
            dtype=float,
        ),
        capacity=pair(lambda p: p.capacity),
        cost_per_round=pair(lambda p: p.cost_per_round),
        breaking_point=pair(lambda p: p.breaking_point),
        optimism=pair(lambda p: p.optimism),
        belief_sd=pair(lambda p: p.belief_sd),
        trust=pair(lambda p: p.trust),
        exploitation_loss=pair(lambda p: p.exploitation_loss),
        planning_horizon=pair(lambda p: p.planning_horizon),
        regroup=pair(lambda p: p.regroup),
        discount_factor=pair(lambda p: p.discount_factor),
        concession_exponent=pair(lambda p: p.concession_exponent),
        patience_rounds=pair(lambda p: p.patience_rounds),
        screening_z=pair(lambda p: p.screening_z),
        decision_noise=pair(lambda p: p.decision_noise),
        audience_cost=pair(lambda p: p.domestic.audience_cost),
        victory_threshold=pair(lambda p: p.domestic.victory_threshold),
        hardliner_cost=pair(lambda p: p.domestic.hardliner_cost),
        payoff_of_fighting=pair(lambda p: p.domestic.payoff_of_fighting),
        initial_control=bf.initial_control,
        control_at_a_victory=bf.control_at_a_victory,
        control_at_b_victory=bf.control_at_b_victory,
        drift_scale=bf.drift_scale,
        noise_sd=bf.noise_sd,
        breakthrough_probability=bf.breakthrough_probability,
        breakthrough_size=bf.breakthrough_size,
        exhaustion_drag=bf.exhaustion_drag,
        ceasefire_cost_share=bf.ceasefire_cost_share,
        regroup_rounds=bf.regroup_rounds,
        has_mediator=has_med,
        bias=med.bias if med is not None else 0.0,
        leverage=med_pair("leverage"),
        credibility=med.credibility if med is not None else 0.0,
        follow_through=med.follow_through if med is not None else 0.0,
        information_noise=med.information_noise if med is not None else 0.0,
        mediator_aid=med_pair("aid"),
        mediator_sanctions=med_pair("sanctions"),
        sanctions_step=med.sanctions_step if med is not None else 0.0,
        guarantee=med.guarantee if med is not None else 0.0,
        credibility_update=med.credibility_update if med is not None else 0.0,
        stakeholder_aid=st_aid,
        stakeholder_sanctions=st_sanc,
        cover=st_cover,
        compensates_aid_cut=st_comp,
        veto_floor=veto,
        base_hazard=ag.base_hazard,
        guarantee_effect=ag.guarantee_effect,
        trust_effect=ag.trust_effect,
        imposed_hazard_ratio=ag.imposed_hazard_ratio,
        framework_hazard_ratio=ag.framework_hazard_ratio,
        trust_loss_on_collapse=ag.trust_loss_on_collapse,
        ripe_rounds_to_freeze=ag.ripe_rounds_to_freeze,
        ceasefire_hazard_ratio=ag.ceasefire_hazard_ratio,
        hazard_shape=ag.hazard_shape,
        ceasefire_exploitation=ag.ceasefire_exploitation,
    )


# What shapes the rules rather than feeding them: these must agree between stacked scenarios.
STRUCTURAL = frozenset(
    {
        "horizon",
        "issue_names",
        "party_names",
        "deferrable",
        "open_position",
        "indivisible",
        "has_mediator",
        "ripe_rounds_to_freeze",
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
        if f.name in STRUCTURAL:
            if any(not np.array_equal(np.asarray(v), np.asarray(values[0])) for v in values):
                raise ValueError(f"scenarios stacked together must share {f.name}")
            continue
        arrays = [np.asarray(v, dtype=float) for v in values]
        if all(np.array_equal(a, arrays[0], equal_nan=True) for a in arrays[1:]):
            continue
        changes[f.name] = np.repeat(np.stack(arrays), counts, axis=0)
    return dataclasses.replace(first, **changes), tuple(changes)


def take_runs(params: ModelParams, rows: np.ndarray, names: Sequence[str]) -> ModelParams:
    """The parameters of some runs of a stacked batch (`names`: its per-run fields)."""
    if not names:
        return params
    return dataclasses.replace(params, **{n: getattr(params, n)[rows] for n in names})
