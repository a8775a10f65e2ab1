"""Scenarios stepped as one batch, their parameters stacked on the runs axis, give exactly
the tables they give alone: for every strategy, with every kind of parameter varied."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.experiments.simulate import simulate, simulate_points
from sim.model.config import apply_overrides, read_yaml, scenario_from_dict
from sim.model.params import compile_params, stack_params, take_runs
from sim.model.rules.mediation import stick_loss
from sim.model.strategies import registry
from tests.conftest import UKRAINE

SEED = 11
RUNS = 30  # per point; 4 points make a batch big enough for the compact sub-engines


def _points(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Overrides that move party, issue, battlefield, mediator, stakeholder and agreement
    numbers at once, each within its valid range."""
    points = []
    for _ in range(n):
        u = rng.uniform(size=43)
        sal = np.array([0.25, 0.1, 0.25, 0.15, 0.15, 0.1]) * (0.5 + u[:6])
        sal /= sal.sum()
        issues = ["territory", "recognition", "nato", "security_guarantees"]
        issues += ["military_limits", "sanctions_relief"]
        point: dict[str, Any] = {
            f"parties.russia.salience.{name}": float(s) for name, s in zip(issues, sal, strict=True)
        }
        point.update(
            {
                "parties.russia.ideal.territory": 0.3 + 0.1 * u[6],
                "parties.ukraine.capacity": 0.4 + 0.8 * u[7],
                "parties.russia.cost_per_month": 0.002 + 0.01 * u[8],
                "parties.ukraine.trust": 0.4 * u[9],
                "parties.russia.domestic.audience_cost": 0.1 * u[10],
                "parties.ukraine.domestic.victory_threshold": 0.4 + 0.3 * u[11],
                "parties.russia.planning_horizon": 6 + int(12 * u[12]),
                "parties.ukraine.decision_noise": 0.05 * u[13],
                "battlefield.initial_control": 0.1 + 0.2 * u[14],
                "battlefield.drift_scale": 0.01 + 0.04 * u[15],
                "mediator.bias": 0.6 * u[16] - 0.3,
                "mediator.leverage.russia": 0.8 * u[17],
                "mediator.guarantee": 0.5 * u[18],
                "stakeholders.europe.aid": 0.3 * u[19],
                "agreement.base_hazard": 0.005 + 0.02 * u[0],
                "issues.nato.assures.russia": 0.5 * u[1],
                # Every scenario-level number, so that each rule that combines one with
                # per-side arrays is exercised with a per-run value.
                "battlefield.control_at_a_victory": 0.35 + 0.5 * u[20],
                "battlefield.control_at_b_victory": 0.05 * u[21],
                "battlefield.noise_sd": 0.001 + 0.009 * u[22],
                "battlefield.breakthrough_probability": 0.1 * u[23],
                "battlefield.breakthrough_size": 0.01 + 0.09 * u[24],
                "battlefield.exhaustion_drag": 0.1 + 0.8 * u[25],
                "battlefield.ceasefire_cost_share": 0.5 * u[26],
                "mediator.credibility": 0.1 + 0.8 * u[27],
                "mediator.follow_through": 0.1 + 0.8 * u[28],
                "mediator.information_noise": 0.2 * u[29],
                "mediator.sanctions_step": 0.01 * u[30],
                "mediator.credibility_update": 0.1 + 0.8 * u[31],
                "agreement.guarantee_effect": 0.5 + 2.5 * u[32],
                "agreement.trust_effect": 0.5 + 1.5 * u[33],
                "agreement.imposed_hazard_ratio": 1.0 + 3.0 * u[34],
                "agreement.framework_hazard_ratio": 1.0 + 2.0 * u[35],
                "agreement.trust_loss_on_collapse": 0.1 + 0.8 * u[36],
                "agreement.ceasefire_hazard_ratio": 1.0 + 3.0 * u[37],
                "agreement.ceasefire_exploitation": 0.1 + 0.8 * u[38],
                "parties.russia.regroup": 0.5 * u[39],
                "parties.ukraine.regroup": 0.5 * u[40],
                "battlefield.regroup_months": 1.0 + 5.0 * u[41],
                "agreement.hazard_shape": 0.5 + 0.7 * u[42],
            }
        )
        points.append(point)
    return points


def _scenarios(strategy: str, points: list[dict[str, Any]]) -> list:
    base = read_yaml(UKRAINE)
    base["mediator"]["strategy"] = strategy
    return [
        scenario_from_dict(apply_overrides(copy.deepcopy(base), p), file=str(UKRAINE))
        for p in points
    ]


def _alone(scenarios, runs: int, firsts: list[int]) -> list[pd.DataFrame]:
    return [
        simulate(sc, runs=runs, seed=SEED, first_run=f).table
        for sc, f in zip(scenarios, firsts, strict=True)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("strategy", registry.names())
def test_stacked_points_equal_each_point_run_alone(strategy):
    scenarios = _scenarios(strategy, _points(4, np.random.default_rng(5)))
    firsts = [0, RUNS, 5 * RUNS, 2 * RUNS]  # any numbering, even out of order
    together = simulate_points(scenarios, RUNS, SEED, first_runs=firsts)
    for alone, stacked in zip(_alone(scenarios, RUNS, firsts), together, strict=True):
        pd.testing.assert_frame_equal(alone, stacked, check_exact=True)


def test_stacking_varies_the_runs_and_only_what_differs():
    """The check above means something only if the points behave differently, and the
    stacked parameters carry a runs axis exactly where the points disagree."""
    points = _points(4, np.random.default_rng(5))
    scenarios = _scenarios("manipulative", points)
    params, varying = stack_params([compile_params(sc) for sc in scenarios], [3, 1, 2, 4])
    assert "trust" in varying and "salience" in varying and "bias" in varying
    assert "breaking_point" not in varying and "screening_z" not in varying
    assert "noise_sd" in varying and params.noise_sd.shape == (10,)
    assert params.trust.shape == (10, 2) and params.salience.shape == (10, 2, 6)
    assert params.bias.shape == (10,)
    np.testing.assert_array_equal(params.bias[3:4], [compile_params(scenarios[1]).bias])
    part = take_runs(params, np.array([4, 5]), varying)
    np.testing.assert_array_equal(
        part.trust, np.repeat(compile_params(scenarios[2]).trust[None], 2, 0)
    )
    tables = simulate_points(scenarios, 200, SEED)
    shares = [t["outcome"].value_counts(normalize=True).sort_index() for t in tables]
    assert any(not shares[0].equals(s) for s in shares[1:])


@pytest.mark.slow
def test_mixed_strategies_are_grouped_and_chunks_split_stacked_batches():
    """Points with different strategies cannot share a batch; each keeps its own table, in
    order, whatever the chunking."""
    points = _points(3, np.random.default_rng(9))
    scenarios = _scenarios("manipulative", points) + _scenarios("facilitative", points)
    scenarios.insert(2, _scenarios("none", points[:1])[0])
    runs = [25, 40, 10, 33, 0, 70, 20]
    firsts = [0, 25, 65, 75, 108, 108, 178]
    small = simulate_points(scenarios, runs, SEED, first_runs=firsts, chunk_size=37)
    whole = simulate_points(scenarios, runs, SEED, first_runs=firsts)
    for sc, n, f, a, b in zip(scenarios, runs, firsts, small, whole, strict=True):
        assert len(a) == n
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        if n:
            pd.testing.assert_frame_equal(
                a, simulate(sc, runs=n, seed=SEED, first_run=f).table, check_exact=True
            )


def test_stacking_refuses_scenarios_of_different_shape():
    a = _scenarios("manipulative", _points(1, np.random.default_rng(1)))[0]
    short = read_yaml(UKRAINE)
    short["horizon"] = 12
    b = scenario_from_dict(short, file=str(UKRAINE))
    with pytest.raises(ValueError, match="horizon"):
        stack_params([compile_params(a), compile_params(b)], [1, 1])


def test_an_empty_threat_costs_nothing_and_a_real_one_does():
    """A side's reckoning of a stick depends on its own threat alone, so a run's decisions
    cannot depend on whether other runs of its batch are threatened."""
    from sim import NegotiationModel, load_scenario

    model = NegotiationModel(load_scenario(UKRAINE), runs=50, seed=SEED, collect=False)
    engine = model.engine
    for _ in range(3):  # a few rounds in, exhaustion has moved since the front did
        engine.battlefield()
        engine.costs()
        engine.beliefs()
        engine.reservation_values()
    none = stick_loss(engine.state, engine.ctx, np.zeros((50, 2)))
    np.testing.assert_array_equal(none, 0.0)
    threats = np.zeros((50, 2))
    threats[:25, 0] = 1.0  # sanctions on Russia in half the runs
    loss = stick_loss(engine.state, engine.ctx, threats)
    assert (loss[:25, 0] > 0).all()
    np.testing.assert_array_equal(loss[25:], 0.0)
    np.testing.assert_array_equal(loss[:, 1], 0.0)


@pytest.mark.slow
def test_points_that_differ_in_one_issue_weight_only_stack():
    # Assurance per run while the saliences are shared (and the reverse): the issue space
    # gives both the runs axis, and each point still equals itself alone.
    for path in (
        "issues.nato.assures.russia",
        "parties.russia.salience.nato",
        "parties.russia.ideal.territory",
    ):
        points = []
        for x in (0.1, 0.2, 0.3, 0.4):
            point = {path: x + 0.05 if "ideal" in path else x}
            if "salience" in path:
                point["parties.russia.salience.territory"] = 0.5 - x
            points.append(point)
        scenarios = _scenarios("formulative", points)
        firsts = [0, RUNS, 2 * RUNS, 3 * RUNS]
        together = simulate_points(scenarios, RUNS, SEED, first_runs=firsts)
        for alone, stacked in zip(_alone(scenarios, RUNS, firsts), together, strict=True):
            pd.testing.assert_frame_equal(alone, stacked, check_exact=True)


@pytest.mark.parametrize("strategy", ["manipulative", "working_groups"])
def test_the_mediators_fallback_text_is_the_same_in_a_batch_and_alone(strategy):
    # With pieces of the frontier per run (saliences differ), the equal-shortfall text must
    # pass over empty pieces as the shared solver drops them; it once stopped on one and
    # drafted another text in runs 60, 63, 69 and 73 of this batch.
    points = [
        {"parties.ukraine.salience.territory": x, "parties.ukraine.salience.nato": 0.45 - x}
        for x in (0.25, 0.30)
    ]
    scenarios = _scenarios(strategy, points)
    firsts = [60, 0]
    together = simulate_points(scenarios, RUNS, SEED, first_runs=firsts)
    for alone, stacked in zip(_alone(scenarios, RUNS, firsts), together, strict=True):
        pd.testing.assert_frame_equal(alone, stacked, check_exact=True)
