"""Runs that start under a standing ceasefire or on a frozen front (docs/model.md §3.14)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from sim import load_scenario, simulate
from sim.errors import ConfigError
from sim.experiments.simulate import replay
from sim.model.config import scenario_from_dict
from tests.conftest import UKRAINE
from tests.test_time import _deadlocked_war

RUNS = 4000
SEED = 1


def _even_war(**battlefield: Any):
    """Two equal sides that can never sign: only the ceasefire's own hazard ends it."""
    data = _deadlocked_war(30, 36).to_dict()
    data["parties"]["a"]["capacity"] = 1.0
    data["battlefield"].update(battlefield)
    return scenario_from_dict(data)


def _table(sc) -> pd.DataFrame:
    return simulate(sc, runs=RUNS, seed=SEED).table


def test_a_standing_ceasefire_holds_the_front_until_it_breaks_down():
    table = _table(_even_war(initial_state="ceasefire"))
    held = table["ceasefire_collapses"] == 0
    assert 0.1 < held.mean() < 0.9
    assert (table.loc[held, "final_control"] == 0.3).all()  # not a metre moved
    assert (table.loc[held, "outcome"].astype(str) == "ceasefire").all()
    assert (table.loc[~held, "outcome"].astype(str) == "ongoing").all()
    assert table["first_ceasefire_round"].isna().all()  # none was signed during the runs
    assert (table["ceasefire_rounds"] > 0).all()


def test_monitors_and_buffer_zones_make_a_standing_ceasefire_last():
    bare = _table(_even_war(initial_state="ceasefire"))
    monitored = _table(_even_war(initial_state="ceasefire", initial_ceasefire_provisions=0.8))
    assert monitored["ceasefire_collapses"].mean() < 0.6 * bare["ceasefire_collapses"].mean()


def test_the_first_round_of_a_ceasefire_start_is_a_ceasefire():
    sc = load_scenario(UKRAINE, overrides={"battlefield.initial_state": "ceasefire"})
    for run in range(5):
        first = replay(sc, SEED, run).engine.records[0]
        # The front did not move in round 1: whatever happens then happens under the
        # ceasefire (at war from the start, it moves every round).
        assert first.state.control[0] == sc.battlefield.initial_control
    at_war = replay(load_scenario(UKRAINE), SEED, 0).engine.records[0]
    assert at_war.state.control[0] != sc.battlefield.initial_control


def test_a_frozen_start_is_the_initial_line_until_it_thaws_or_is_talked_across():
    sc = load_scenario(
        UKRAINE,
        overrides={"battlefield.initial_state": "frozen", "agreement.thaw_hazard": 0.05},
    )
    table = _table(sc)
    never_thawed = table["thaws"] == 0
    assert never_thawed.any() and (~never_thawed).any()
    assert (table.loc[never_thawed, "outcome"].astype(str) == "frozen").all()
    assert (table.loc[never_thawed, "final_control"] == sc.battlefield.initial_control).all()
    # Every settlement came after a thaw: nobody talks across this frozen line.
    assert (~table.loc[never_thawed, "settlement_round"].notna()).all()


def test_talks_across_a_frozen_start_can_settle_it():
    sc = load_scenario(
        UKRAINE,
        overrides={"battlefield.initial_state": "frozen", "agreement.talks_while_frozen": True},
    )
    table = _table(sc)
    assert table["settlement_round"].notna().mean() > 0.02
    # No fighting, unless a deal signed across the line collapsed into war.
    calm = table["collapses"] == 0
    assert calm.mean() > 0.9
    assert (table.loc[calm, "final_control"] == sc.battlefield.initial_control).all()


def test_a_frozen_start_that_nothing_could_move_is_refused():
    with pytest.raises(ConfigError) as info:
        load_scenario(UKRAINE, overrides={"battlefield.initial_state": "frozen"})
    assert info.value.path == "battlefield.initial_state"
