"""Entrapment, the opposite force to ripeness (docs/model.md §3.4): costs suffered harden
demands and breed distrust. Which force dominates decides whether a costlier war settles
more or less often; common random numbers, margins in standard errors of paired gaps."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim import load_scenario, simulate
from tests.conftest import UKRAINE

RUNS = 2000
SEED = 20250101
Z = 4.0
CHEAP = {"parties.russia.cost_per_month": 0.003, "parties.ukraine.cost_per_month": 0.004}
DEAR = {"parties.russia.cost_per_month": 0.012, "parties.ukraine.cost_per_month": 0.016}
# Short planning horizons (3 months of future costs weighed): with entrapment 0.5 the costs
# already paid outweigh those still ahead after six months, for most of the three years.
SHORT_SIGHTED = {"parties.russia.planning_horizon": 3, "parties.ukraine.planning_horizon": 3}


def _both(name: str, value: float) -> dict[str, float]:
    return {f"parties.russia.{name}": value, f"parties.ukraine.{name}": value}


def _settled(overrides: dict[str, Any]) -> np.ndarray:
    sc = load_scenario(UKRAINE, overrides={"horizon": 36, **SHORT_SIGHTED, **overrides})
    table = simulate(sc, runs=RUNS, seed=SEED).table
    return table["settlement_round"].notna().to_numpy(dtype=float)


def _gap(high: np.ndarray, low: np.ndarray) -> tuple[float, float]:
    diff = high - low
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(diff.size))


def test_without_entrapment_a_costlier_war_settles_more_often():
    gap, se = _gap(_settled(DEAR), _settled(CHEAP))
    assert gap > Z * se


def test_when_entrapment_dominates_heavier_losses_lower_the_chance_of_agreement():
    trapped = _both("entrapment", 0.5)
    gap, se = _gap(_settled({**CHEAP, **trapped}), _settled({**DEAR, **trapped}))
    assert gap > Z * se


def test_entrapment_hardens_demands_whatever_the_costs():
    gap, se = _gap(_settled(CHEAP), _settled({**CHEAP, **_both("entrapment", 0.5)}))
    assert gap > Z * se


def test_grievance_lowers_trust_and_with_it_the_chance_of_agreement():
    gap, se = _gap(_settled(CHEAP), _settled({**CHEAP, **_both("grievance", 50.0)}))
    assert gap > Z * se
