"""Ceasefires with violence (docs/model.md §3.7): low-intensity war under a bare ceasefire,
serious violations counted, and violations that raise the chance of breakdown."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import simulate
from sim.model.config import scenario_from_dict
from tests.test_start_states import _even_war

RUNS = 4000
SEED = 1


def _ceasefire(violence: float, provisions: float = 0.0, **agreement: Any) -> pd.DataFrame:
    """A standing ceasefire between two equal sides that can never sign."""
    sc = _even_war(
        initial_state="ceasefire",
        ceasefire_violence=violence,
        initial_ceasefire_provisions=provisions,
    )
    data = sc.to_dict()
    data["agreement"].update(agreement)
    return simulate(scenario_from_dict(data), runs=RUNS, seed=SEED).table


def _held(table: pd.DataFrame) -> pd.Series:
    return table["ceasefire_collapses"] == 0


def test_a_quiet_ceasefire_holds_the_line_and_a_violent_one_moves_it():
    quiet, violent = _ceasefire(0.0), _ceasefire(0.3)
    assert (quiet.loc[_held(quiet), "final_control"] == 0.3).all()
    moved = violent.loc[_held(violent), "final_control"]
    assert moved.std() > 0.005
    assert (quiet["ceasefire_violations"] == 0).all()


@pytest.mark.parametrize("provisions", [0.0, 0.6])
def test_serious_violations_come_at_the_documented_rate(provisions):
    """q a month, less what the monitors deter: q (1 - e) per round of a standing ceasefire
    (the round it breaks down included)."""
    table = _ceasefire(0.0, provisions, violation_probability=0.3)
    rate = table["ceasefire_violations"].sum() / table["ceasefire_rounds"].sum()
    expected = 0.3 * (1.0 - provisions)
    se = np.sqrt(expected * (1 - expected) / table["ceasefire_rounds"].sum())
    assert abs(rate - expected) < 4 * se


def test_violations_raise_the_chance_of_breakdown():
    harmless = _ceasefire(0.3, violation_probability=0.5, violation_hazard_ratio=1.0)
    spiralling = _ceasefire(0.3, violation_probability=0.5, violation_hazard_ratio=5.0)
    assert _held(spiralling).mean() < _held(harmless).mean() - 0.1
    # The same rounds are violated until a breakdown ends one of the two runs' ceasefires.
    assert (spiralling["ceasefire_violations"] <= harmless["ceasefire_violations"]).all()


def test_monitors_deter_violence_and_with_it_violations():
    bare = _ceasefire(0.3, violation_probability=0.5)
    monitored = _ceasefire(0.3, provisions=0.8, violation_probability=0.5)
    rate = lambda t: t["ceasefire_violations"].sum() / t["ceasefire_rounds"].sum()  # noqa: E731
    assert rate(monitored) < 0.5 * rate(bare)
    assert np.std(monitored.loc[_held(monitored), "final_control"]) < np.std(
        bare.loc[_held(bare), "final_control"]
    )
