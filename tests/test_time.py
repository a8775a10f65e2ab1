"""Rates are written per month and converted to the round (docs/model.md §1, Time): the same
war told in rounds of 10 or 30 days runs at the same speed in days."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from sim import load_scenario, simulate
from sim.model.config import scenario_from_dict
from sim.model.params import compile_params
from tests.conftest import UKRAINE


def _ukraine(round_days: int):
    return load_scenario(UKRAINE, overrides={"round_days": round_days})


def test_thirty_day_rounds_take_the_rates_as_written():
    sc = _ukraine(30)
    p = compile_params(sc)
    russia, ukraine = sc.parties["russia"], sc.parties["ukraine"]
    assert p.months_per_round == 1.0
    assert list(p.cost_per_round) == [russia.cost_per_month, ukraine.cost_per_month]
    assert list(p.patience_rounds) == [russia.patience_months, ukraine.patience_months]
    assert p.noise_sd == sc.battlefield.noise_sd
    assert p.base_hazard == sc.agreement.base_hazard
    assert p.ripe_rounds_to_freeze == sc.agreement.ripe_months_to_freeze


@pytest.mark.parametrize("round_days", [7, 15, 90])
def test_each_kind_of_rate_scales_to_the_round(round_days):
    month, other = compile_params(_ukraine(30)), compile_params(_ukraine(round_days))
    k = round_days / 30
    assert other.months_per_round == pytest.approx(k)
    # amounts that accrue: costs, trends, sanctions
    np.testing.assert_allclose(other.cost_per_round, k * month.cost_per_round)
    np.testing.assert_allclose(other.optimism, k * month.optimism)
    np.testing.assert_allclose(other.belief_sd, k * month.belief_sd)
    assert other.drift_scale == pytest.approx(k * month.drift_scale)
    np.testing.assert_allclose(other.mediator_sanctions, k * month.mediator_sanctions)
    np.testing.assert_allclose(other.stakeholder_sanctions, k * month.stakeholder_sanctions)
    assert other.sanctions_step == pytest.approx(k * month.sanctions_step)
    # the sd of a sum of independent monthly changes
    assert other.noise_sd == pytest.approx(math.sqrt(k) * month.noise_sd)
    # chances: at least once in k months
    assert 1 - other.breakthrough_probability == pytest.approx(
        (1 - month.breakthrough_probability) ** k
    )
    assert 1 - other.base_hazard == pytest.approx((1 - month.base_hazard) ** k)
    # lengths of time, in rounds
    np.testing.assert_allclose(other.planning_horizon, month.planning_horizon / k)
    np.testing.assert_allclose(other.patience_rounds, month.patience_rounds / k)
    assert other.regroup_rounds == pytest.approx(month.regroup_rounds / k)
    assert other.ripe_rounds_to_freeze == pytest.approx(month.ripe_rounds_to_freeze / k)
    np.testing.assert_allclose(other.discount_factor, month.discount_factor**k)
    # not rates: shares, capacities, utilities
    np.testing.assert_array_equal(other.capacity, month.capacity)
    assert other.breakthrough_size == month.breakthrough_size
    np.testing.assert_array_equal(other.hardliner_cost, month.hardliner_cost)


def _deadlocked_war(round_days: int, months: int, **party: Any):
    """Two sides that can never sign (hardliners demand all the surplus there is), with no
    mediator and a front that never freezes: nothing but the war and its costs moves."""
    side = {
        "ideal": {"land": 0.0},
        "salience": {"land": 1.0},
        "cost_per_month": 0.01,
        "breaking_point": 100.0,
        "domestic": {"hardliner_cost": 1.0},
        **party,
    }
    data = {
        "name": "deadlock",
        "round_days": round_days,
        "horizon": months * 30 // round_days,
        "issues": {"land": {}},
        "parties": {
            "a": {**side, "role": "A", "ideal": {"land": 1.0}, "capacity": 1.2},
            "b": {**side, "role": "B"},
        },
        "battlefield": {"initial_control": 0.3, "breakthrough_probability": 0.05},
        "agreement": {"ripe_months_to_freeze": 1000.0},
    }
    return scenario_from_dict(data)


def _days_to_capitulation(round_days: int) -> np.ndarray:
    sc = _deadlocked_war(round_days, 12, cost_per_month=0.1, breaking_point=0.55)
    table = simulate(sc, runs=200, seed=5).table
    capitulated = table["outcome"].astype(str).str.startswith("capitulation")
    assert capitulated.mean() > 0.95  # a ripe front may still freeze, rarely
    return table.loc[capitulated, "end_round"].to_numpy(dtype=float) * round_days


def test_costs_exhaust_a_side_after_the_same_number_of_days_whatever_the_round():
    # 0.1 a month against a breaking point of 0.55: the sixth month, in 30- or 10-day rounds.
    monthly, ten_day = _days_to_capitulation(30), _days_to_capitulation(10)
    assert np.all(monthly == 180)
    assert np.all(np.abs(ten_day - 180) <= 10)


@pytest.mark.slow
def test_the_front_moves_as_far_in_a_year_in_weekly_as_in_monthly_rounds():
    runs = 4000
    finals = {}
    for days in (30, 6):
        table = simulate(_deadlocked_war(days, 12), runs=runs, seed=11).table
        assert (table["end_round"].isna()).all()  # still at war at the horizon
        finals[days] = table["final_control"].to_numpy(dtype=float)
    monthly, weekly = finals[30], finals[6]
    se = math.sqrt(monthly.var() / runs + weekly.var() / runs)
    assert abs(monthly.mean() - weekly.mean()) < 4 * se
    assert monthly.mean() > 0.3 + 4 * se  # the stronger side gains: the trend is there
    assert 0.85 < weekly.std() / monthly.std() < 1.15
