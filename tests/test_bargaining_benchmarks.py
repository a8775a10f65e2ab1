"""Fearon (1995) benchmark: with complete information and costly war, a bargaining range
exists and rational parties settle at once, on terms inside it.

One issue, A's ideal 1 and B's ideal 0, so a text x gives U_A = x and U_B = 1 - x. With
A's battlefield-implied share p and war costs C_i = cost_per_month * annuity, the
reservation values are V_A = p - C_A and V_B = 1 - p - C_B, and the range is
[p - C_A, p + C_B]. Everything below is computed by hand from the traced round-1 state
(front line and beliefs), not read back from the engine's own reservation values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim import NegotiationModel, load_scenario, simulate
from sim.model import bargaining
from sim.model.strategies.builtin import score_nash_point
from tests.conftest import UKRAINE, build_scenario, minimal_scenario_dict

COST = {"A": 0.01, "B": 0.012}
HORIZON_H = 12
DELTA = 0.99
CONTROL_A_WIN, CONTROL_B_WIN = 0.9, 0.1
TOL = 1e-9


def fearon_dict(
    mediator: dict[str, Any] | None, *, screening_z: float | None, belief_sd: float = 1e-6
) -> dict[str, Any]:
    data = minimal_scenario_dict()
    data["horizon"] = 24
    for name, role, capacity in (("a", "A", 1.0), ("b", "B", 0.6)):
        party = data["parties"][name]
        party.update(
            capacity=capacity,
            cost_per_month=COST[role],
            optimism=0.0,
            belief_sd=belief_sd,
            trust=1.0,
            decision_noise=0.0,
            planning_horizon=HORIZON_H,
            discount_factor=DELTA,
            domestic={
                "audience_cost": 0.0,
                "victory_threshold": 0.0,
                "hardliner_cost": 0.0,
                "payoff_of_fighting": 0.0,
            },
        )
        if screening_z is not None:
            party["screening_z"] = screening_z
    data["battlefield"] = {
        "initial_control": 0.5,
        "control_at_a_victory": CONTROL_A_WIN,
        "control_at_b_victory": CONTROL_B_WIN,
        "noise_sd": 1e-3,
        "breakthrough_probability": 0.0,
    }
    # Agreements never collapse, so the table's final terms are the round-1 terms.
    data["agreement"] = {"base_hazard": 0.0}
    if mediator is not None:
        data["mediator"] = mediator
    return data


MEDIATORS = {
    "no_mediator": None,
    "strategy_none": {"strategy": "none"},
    "formulative": {"strategy": "formulative", "information_noise": 0.0},
    "manipulative_no_leverage": {"strategy": "manipulative", "information_noise": 0.0},
}


def _check_fearon(data: dict[str, Any], runs: int = 400, seed: int = 5) -> None:
    sc = build_scenario(data)
    table = simulate(sc, runs=runs, seed=seed).table
    rounds = table["settlement_round"]
    assert rounds.notna().all(), f"{int(rounds.isna().sum())}/{runs} runs never settled"
    assert (rounds == 1).all(), f"settlement rounds: {rounds.value_counts().to_dict()}"

    model = NegotiationModel(sc, runs=runs, seed=seed, trace=True)
    model.step()
    rec = model.engine.records[0].values
    assert rec["deal"].all()

    annuity = (1.0 - DELTA**HORIZON_H) / (1.0 - DELTA)
    c_a, c_b = COST["A"] * annuity, COST["B"] * annuity
    expected = rec["control"][:, None] + HORIZON_H * rec["belief"]  # each side's projection
    share = np.clip((expected - CONTROL_B_WIN) / (CONTROL_A_WIN - CONTROL_B_WIN), 0.0, 1.0)
    # Complete information: both sides see the same war.
    np.testing.assert_allclose(share[:, 0], share[:, 1], atol=1e-6)
    p = share[:, 0]
    v_a, v_b = p - c_a, 1.0 - p - c_b
    np.testing.assert_allclose(rec["reservation"][:, 0], v_a, atol=1e-9)
    np.testing.assert_allclose(rec["reservation"][:, 1], v_b, atol=1e-9)
    assert np.all(v_a + v_b < 1.0)  # costly war: a bargaining range exists

    x = rec["text"][:, 0]
    np.testing.assert_allclose(table["terms_stakes"].to_numpy(), x)
    u_a, u_b = x, 1.0 - x
    assert np.all(u_a >= v_a - TOL), np.min(u_a - v_a)
    assert np.all(u_b >= v_b - TOL), np.min(u_b - v_b)
    assert np.all(x >= p - c_a - TOL) and np.all(x <= p + c_b + TOL)
    # Utilities in the table agree with the terms.
    np.testing.assert_allclose(table["utility_a"].to_numpy(), u_a, atol=1e-12)
    np.testing.assert_allclose(table["utility_b"].to_numpy(), u_b, atol=1e-12)


@pytest.mark.parametrize("belief_sd", [0.0, 1e-6], ids=["exact", "sd1e-6"])
@pytest.mark.parametrize("mediator", list(MEDIATORS.values()), ids=list(MEDIATORS))
def test_complete_information_settles_in_round_one_inside_range(mediator, belief_sd):
    """No screening (a proposer who knows the other's value does not undercut it)."""
    _check_fearon(fearon_dict(mediator, screening_z=0.0, belief_sd=belief_sd))


@pytest.mark.parametrize("mediator", list(MEDIATORS.values()), ids=list(MEDIATORS))
def test_exact_complete_information_with_default_screening(mediator):
    """belief_sd = 0: the proposer has no uncertainty, so nothing to screen for."""
    _check_fearon(fearon_dict(mediator, screening_z=None, belief_sd=0.0))


# Not tested: belief_sd -> 0 with the default screening margin. With zero decision noise,
# acceptance is a step function, so any positive undercut, however small, is refused; the
# margin then shrinks along the concession path while the (ripe) front may freeze first.
# The Fearon outcome is a property of exact complete information, tested above.


def test_no_bargaining_range_without_costs():
    """Control: with free war and no uncertainty, V_A + V_B = 1 (no surplus to share)."""
    data = fearon_dict(None, screening_z=0.0)
    for name in ("a", "b"):
        data["parties"][name]["cost_per_month"] = 0.0
    model = NegotiationModel(build_scenario(data), runs=50, seed=1, trace=True)
    model.step()
    res = model.engine.records[0].values["reservation"]
    np.testing.assert_allclose(res.sum(axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("bias", [0.0, 0.4, -0.5])
def test_formulative_mediator_with_perfect_information_proposes_the_nash_point(bias):
    """With exact estimates, full trust and no domestic hurdles, the mediator's text is the
    generalised Nash point: maximise (x - V_A)^(1 - eta) (1 - x - V_B)^eta with
    eta = (1 + bias)/2, whose closed form is x* = V_A + (1 - eta)(1 - V_A - V_B)."""
    mediator = {"strategy": "formulative", "information_noise": 0.0, "bias": bias}
    sc = build_scenario(fearon_dict(mediator, screening_z=0.0, belief_sd=0.0))
    model = NegotiationModel(sc, runs=50, seed=2, trace=True)
    model.step()
    rec = model.engine.records[0].values
    assert (rec["proposer"] == 2).all()
    v_a, v_b = rec["reservation"][:, 0], rec["reservation"][:, 1]
    eta = (1.0 + bias) / 2.0
    expected = v_a + (1.0 - eta) * (1.0 - v_a - v_b)
    np.testing.assert_allclose(rec["text"][:, 0], expected, atol=1e-9)
    assert rec["deal"].all()


@pytest.mark.parametrize("framework", [False, True])
def test_shared_frontier_solver_equals_the_per_run_one(framework):
    """With parameters shared by every run, the mediator's Nash text is solved on the
    frontier's real pieces only (segments no victory threshold crosses are not cut); the
    per-run solver cuts every segment into three. Both must draft the same texts."""
    model = NegotiationModel(load_scenario(UKRAINE), runs=3000, seed=17, collect=False)
    for _ in range(3):
        model.step()
    engine = model.engine
    obs = engine.observe()
    n = obs.control.shape[0]
    obs = obs.for_framework(np.full(n, framework))
    movable = ~obs.deferrable if framework else np.ones_like(obs.deferrable)
    start = np.where(movable, 1.0, obs.space.progress(obs.open_position))[None, :]
    shared = bargaining.concession_path(0, obs.space, movable, start)
    per_run = bargaining.Path(
        giver=0,
        ranks=shared.ranks,
        u=np.broadcast_to(shared.u, (n, *shared.u.shape[1:])),
        g=np.broadcast_to(shared.g, (n, *shared.g.shape[1:])),
    )
    power = np.full(n, 0.5 * (1.0 + 0.1))
    external = np.full(n, 0.3)
    lam_shared, ok_shared = score_nash_point(obs, shared, external, power)
    lam_per_run, ok_per_run = score_nash_point(obs, per_run, external, power)
    assert ok_shared.any() and (~ok_shared).any()  # both branches of the solver are exercised
    np.testing.assert_array_equal(ok_shared, ok_per_run)
    np.testing.assert_array_equal(lam_shared, lam_per_run)
