"""Frozen fronts that thaw, and talks across a frozen front (docs/model.md §3.5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import load_scenario, simulate
from sim.model.outcomes import Status
from sim.model.params import compile_params
from sim.model.rng import Draws
from sim.model.rules.context import Context
from sim.model.rules.durability import thaw
from sim.model.state import RunState
from tests.conftest import UKRAINE

RUNS = 4000
SEED = 3


def test_a_frozen_front_thaws_at_the_documented_rate_per_month():
    """0.1 a month, in rounds of 15 days: 1 - 0.9 ** 0.5 of the frozen fronts each round."""
    sc = load_scenario(UKRAINE, overrides={"agreement.thaw_hazard": 0.1, "round_days": 15})
    runs = np.arange(20000)
    ctx = Context.build(compile_params(sc), Draws(SEED, runs))
    state = RunState.blank(runs, 2, len(sc.issues))
    state.status[:] = Status.FROZEN
    state.end_round[:] = 0
    frozen = []
    for t in range(1, 13):
        thaw(state, ctx, t)
        frozen.append((state.status == Status.FROZEN).mean())
    expected = 0.9 ** (np.arange(1, 13) / 2)  # six months in twelve rounds
    np.testing.assert_allclose(frozen, expected, atol=4 * np.sqrt(0.25 / runs.size))
    assert (state.talks.thaws == (state.status == Status.WAR)).all()
    assert (state.end_round[state.status == Status.WAR] == -1).all()


def _table(**overrides: float | bool) -> pd.DataFrame:
    sc = load_scenario(UKRAINE, overrides=overrides)
    return simulate(sc, runs=RUNS, seed=SEED).table


def test_without_a_thaw_hazard_freezing_is_final():
    table = _table()
    frozen = table["outcome"].astype(str) == "frozen"
    assert frozen.any() and (table["thaws"] == 0).all()


def test_thawed_fronts_fight_again_and_leave_fewer_frozen_conflicts_at_the_horizon():
    final, thawing = _table(), _table(**{"agreement.thaw_hazard": 0.05})
    assert (thawing["thaws"] > 0).mean() > 0.2
    frozen = lambda t: (t["outcome"].astype(str) == "frozen").mean()  # noqa: E731
    assert frozen(thawing) < frozen(final) / 2
    # A thawed war is fought again: the front of a thawed run moves on after the thaw.
    moved = thawing.loc[thawing["thaws"] > 0, "final_control"]
    assert not np.allclose(moved, final.loc[thawing["thaws"] > 0, "final_control"])


def test_talks_across_a_frozen_front_settle_some_frozen_conflicts():
    final, talking = _table(), _table(**{"agreement.talks_while_frozen": True})
    settled = lambda t: t["settlement_round"].notna()  # noqa: E731
    # Runs that settled before any freeze are the same; some that froze settle later.
    assert (settled(final) <= settled(talking)).all()
    assert settled(talking).mean() > settled(final).mean() + 0.1
    froze_then_signed = settled(talking) & (final["outcome"].astype(str) == "frozen")
    assert froze_then_signed.any()
