"""The humanitarian track under any mediator (docs/model.md §3.6): prisoner exchanges and
humanitarian or energy pauses that build trust, with common random numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim import load_scenario, simulate
from tests.conftest import UKRAINE

RUNS = 3000
SEED = 5


def _table(**overrides: Any) -> pd.DataFrame:
    sc = load_scenario(UKRAINE, overrides={"horizon": 24, **overrides})
    return simulate(sc, runs=RUNS, seed=SEED).table


def test_a_mediator_that_only_drafts_texts_concludes_partial_deals_too():
    plain = _table(**{"mediator.strategy": "formulative"})
    humane = _table(**{"mediator.strategy": "formulative", "mediator.partial_chance": 0.3})
    assert (plain["partial_agreements"] == 0).all()
    assert humane["partial_agreements"].mean() > 1.0
    # Each deal removes some distrust: more settlements, run by run on the same draws.
    gap = humane["settlement_round"].notna().to_numpy(float) - plain[
        "settlement_round"
    ].notna().to_numpy(float)
    assert gap.mean() > 4 * gap.std(ddof=1) / np.sqrt(gap.size)


def test_without_a_mediator_in_session_there_is_no_partial_track():
    direct = _table(**{"mediator.strategy": "none", "mediator.partial_chance": 0.5})
    assert (direct["partial_agreements"] == 0).all()


def test_the_scenario_track_adds_to_a_strategy_track():
    groups = _table(**{"mediator.strategy": "working_groups"})
    both = _table(**{"mediator.strategy": "working_groups", "mediator.partial_chance": 0.3})
    assert both["partial_agreements"].mean() > groups["partial_agreements"].mean() + 0.5
