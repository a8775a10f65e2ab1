"""A guarantee clause by clause (docs/model.md §3.10): a guarantor enforces the issues it
covers, and has carried out only the deferred steps on those."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate
from sim.errors import ConfigError
from sim.model.params import compile_params
from sim.model.rng import Draws
from sim.model.rules.acceptance import guarantee_coverage
from sim.model.rules.context import Context
from tests.conftest import UKRAINE

RUNS = 4000
SEED = 1
ISSUES = ("territory", "recognition", "nato", "security_guarantees", "military_limits",
          "sanctions_relief")  # fmt: skip


def _table(covers: dict[str, float]) -> pd.DataFrame:
    overrides: dict[str, Any] = {"mediator.guarantee_covers": covers}
    return simulate(load_scenario(UKRAINE, overrides=overrides), runs=RUNS, seed=SEED).table


def test_coverage_is_the_salience_weighted_share_of_the_disputed_issues_covered():
    sc = load_scenario(UKRAINE, overrides={"mediator.guarantee_covers": {"territory": 0.5}})
    ctx = Context.build(compile_params(sc), Draws(0, np.arange(1)))
    got = guarantee_coverage(ctx)
    for side, name in enumerate(("russia", "ukraine")):
        w = sc.parties[name].salience
        assert got[side] == pytest.approx(1.0 - 0.5 * w["territory"] / sum(w.values()))


def test_a_guarantee_of_no_clause_settles_less_than_one_of_every_clause():
    every, none = _table({}), _table({i: 0.0 for i in ISSUES})
    gap = every["settlement_round"].notna().to_numpy(float) - none[
        "settlement_round"
    ].notna().to_numpy(float)
    assert gap.mean() > 4 * gap.std(ddof=1) / np.sqrt(gap.size)


def test_steps_on_a_clause_nobody_enforces_are_never_carried_out():
    covered = _table({})
    uncovered = _table({"recognition": 0.0})  # the deferrable issue
    assert covered["steps_carried_round"].notna().sum() > 50
    assert uncovered["steps_carried_round"].isna().all()
    assert uncovered["steps_pending"].sum() > covered["steps_pending"].sum()


def test_a_clause_of_an_unknown_issue_is_refused():
    with pytest.raises(ConfigError) as info:
        load_scenario(UKRAINE, overrides={"mediator.guarantee_covers": {"teritory": 0.5}})
    assert info.value.path == "mediator.guarantee_covers.teritory"
    assert "did you mean 'territory'" in str(info.value)
