"""The age of the peace (docs/model.md 3.11): with `agreement.hazard_shape` k, the collapse
hazard of an agreement or a ceasefire in its a-th round is the constant-hazard value times
a^(k - 1), a counted from the round the fighting stopped. k = 1 (the default) is the
constant hazard."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiments.simulate import replay, simulate
from sim.model.config import load_scenario
from sim.model.shell import NegotiationModel
from tests.conftest import ROOT

FEARON = ROOT / "validation" / "scenarios" / "fearon_benchmark.yaml"
DAYTON = ROOT / "configs" / "cases" / "dayton_1995.yaml"
INTERSTATE = ROOT / "validation" / "scenarios" / "interstate_war.yaml"
# Every run settles in round 1 (complete information); no mediator, no assurance, full
# trust: the first agreement's hazard is base_hazard * exp(-trust_effect), 0.3 / e.
FRAGILE = {"agreement.base_hazard": 0.3, "horizon": 24}
H0 = 0.3 * np.exp(-1.0)


def _first_deal_hazard(shape: float, runs: int = 20000) -> tuple[np.ndarray, np.ndarray]:
    sc = load_scenario(FEARON, {**FRAGILE, "agreement.hazard_shape": shape})
    table = simulate(sc, runs=runs, seed=5).table
    assert (table["settlement_round"] == 1).all()
    gap = (table["collapse_round"].astype("Float64") - 1).fillna(np.inf).to_numpy(float)
    ages = np.arange(1, 9)
    at_risk = np.array([(gap >= a).sum() for a in ages], dtype=float)
    falls = np.array([(gap == a).sum() for a in ages], dtype=float)
    return falls / at_risk, at_risk


@pytest.mark.slow
@pytest.mark.parametrize("shape", [1.0, 0.5, 1.5])
def test_the_hazard_of_a_peace_follows_its_age(shape):
    observed, at_risk = _first_deal_hazard(shape)
    ages = np.arange(1, 9)
    expected = np.minimum(H0 * ages ** (shape - 1.0), 1.0)
    sd = np.sqrt(expected * (1.0 - expected) / at_risk)
    assert np.all(np.abs(observed - expected) < 4.0 * sd), (observed, expected)


@pytest.mark.slow
def test_the_default_shape_is_the_constant_hazard():
    default = simulate(load_scenario(DAYTON), runs=400, seed=1).table
    one = simulate(load_scenario(DAYTON, {"agreement.hazard_shape": 1.0}), runs=400, seed=1)
    assert default.equals(one.table)
    # A falling hazard keeps more of the same deals standing: the draws are shared, and each
    # round's hazard is lower after the first.
    falling = simulate(load_scenario(DAYTON, {"agreement.hazard_shape": 0.6}), runs=400, seed=1)
    assert falling.table["collapses"].sum() < default["collapses"].sum()
    assert falling.table["settlement_round"].equals(default["settlement_round"])


def test_an_agreement_under_a_ceasefire_continues_the_same_peace():
    # A ceasefire first, the settlement later under it (most runs), with a guarantee.
    mediator = {"strategy": "ceasefire_first", "guarantee": 0.6}
    sc = load_scenario(INTERSTATE, {"mediator": mediator, "agreement.hazard_shape": 0.6})
    e = NegotiationModel(sc, runs=600, seed=1, collect=False).run().engine.state
    kept = (
        (e.ceasefire.first_round > 0)
        & (e.agreement.first_round > e.ceasefire.first_round)
        & (e.ceasefire.collapses == 0)
        & (e.agreement.collapses == 0)
    )
    assert kept.sum() > 200
    assert (e.peace_since[kept] == e.ceasefire.first_round[kept]).all()
    assert (e.peace_since[e.status == 0] == -1).all()  # at war: no peace to age


def test_a_lone_replay_collapses_in_its_batch_round():
    sc = load_scenario(FEARON, {**FRAGILE, "agreement.hazard_shape": 0.5})
    table = simulate(sc, runs=300, seed=9).table
    rows = table.index[table["collapse_round"].notna()][:5]
    assert len(rows) == 5
    for i in rows:
        lone = replay(sc, 9, int(table.loc[i, "run"])).engine
        assert lone.state.agreement.first_collapse_round[0] == table.loc[i, "collapse_round"]
