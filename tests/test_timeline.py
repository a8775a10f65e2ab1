"""A scenario's timeline (docs/model.md §3.13): numbers that change at known dates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate, simulate_points
from sim.errors import ConfigError
from sim.experiments.simulate import replay
from sim.model.calendar import first_round_in
from sim.model.params import compile_params
from sim.reports.results import engine_table
from tests.conftest import UKRAINE

RUNS = 2000
SEED = 7
# Ukraine's backers stop their aid in July 2025, round 7 of the monthly scenario.
AID_ENDS = {"at": "2025-07", "set": {"mediator.aid.ukraine": 0.0, "stakeholders.europe.aid": 0.0}}


def _scenario(*changes: dict[str, Any], **overrides: Any):
    return load_scenario(UKRAINE, overrides={"horizon": 24, **overrides, "timeline": list(changes)})


def test_a_change_holds_from_the_first_round_of_its_month():
    assert first_round_in("2025-01", "2025-07") == 7
    # July begins 181 days in; round 27 is the first to begin after that (day 182).
    assert first_round_in("2025-01", "2025-07", round_days=7) == 27
    p = compile_params(_scenario(AID_ENDS))
    (epoch,) = p.later
    assert epoch.round == 7
    assert list(epoch.params.mediator_aid) == [0.0, 0.0]
    assert list(epoch.params.stakeholder_aid) == [0.0, 0.0]
    assert epoch.params.cost_per_round.tolist() == p.cost_per_round.tolist()


def test_nothing_changes_before_the_date():
    """Runs cut at the round before the change are those of the scenario without it."""
    before = {"horizon": 6}
    with_change = simulate(_scenario(AID_ENDS, **before), runs=RUNS, seed=SEED).table
    without = simulate(_scenario(**before), runs=RUNS, seed=SEED).table
    pd.testing.assert_frame_equal(with_change, without)


def test_an_aid_cut_turns_the_war_against_the_side_that_loses_it():
    with_cut = simulate(_scenario(AID_ENDS), runs=RUNS, seed=SEED).table
    without = simulate(_scenario(), runs=RUNS, seed=SEED).table
    gap = with_cut["final_control"].to_numpy() - without["final_control"].to_numpy()
    se = gap.std(ddof=1) / np.sqrt(gap.size)
    assert gap.mean() > 4 * se  # Russia (A) holds more of Ukraine at the end


def test_later_changes_win_and_a_change_after_the_horizon_does_nothing():
    later = {"at": "2025-10", "set": {"mediator.aid.ukraine": 0.4}}
    p = compile_params(_scenario(AID_ENDS, later))
    assert [e.round for e in p.later] == [7, 10]
    assert p.later[1].params.mediator_aid.tolist() == [0.0, 0.4]
    assert p.later[1].params.stakeholder_aid.tolist() == [0.0, 0.0]  # the first still holds
    beyond = {"at": "2030-01", "set": {"mediator.aid.ukraine": 0.4}}
    assert compile_params(_scenario(beyond)).later == ()


def test_a_higher_hazard_from_a_date_on_breaks_more_of_the_deals_standing():
    shaken = {"at": "2025-07", "set": {"agreement.base_hazard": 0.1}}
    calm = simulate(_scenario(), runs=RUNS, seed=SEED).table
    shaky = simulate(_scenario(shaken), runs=RUNS, seed=SEED).table
    assert shaky["collapses"].sum() > 1.5 * calm["collapses"].sum()
    # Deals that collapsed before July are the same ones either way.
    early = lambda t: t["collapse_round"].fillna(99).lt(7)  # noqa: E731
    pd.testing.assert_series_equal(early(calm), early(shaky))


def test_a_new_leader_with_other_aims_changes_the_texts_and_replays_alone():
    """A change of position rebuilds the issue space mid-run; one run replayed alone is the
    same as in its batch."""
    hawk = {
        "at": "2025-04",
        "set": {
            "parties.ukraine.ideal.territory": 0.0,
            "parties.ukraine.salience.territory": 0.5,
            "parties.ukraine.salience.security_guarantees": 0.05,
        },
    }
    sc = _scenario(hawk)
    table = simulate(sc, runs=50, seed=SEED).table
    base = simulate(_scenario(), runs=50, seed=SEED).table
    assert not table.equals(base)
    for run in (3, 17):
        alone = engine_table(replay(sc, SEED, run).engine)
        row = table[table["run"] == run].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, row, check_dtype=False)


def test_points_with_timelines_batch_like_single_scenarios():
    scenarios = [
        _scenario(AID_ENDS),
        _scenario({"at": "2025-07", "set": {"mediator.aid.ukraine": 0.1}}),
        _scenario({"at": "2025-09", "set": {"mediator.aid.ukraine": 0.1}}),
        _scenario(),
    ]
    tables = simulate_points(scenarios, runs=300, seed=SEED)
    for sc, table in zip(scenarios, tables, strict=True):
        pd.testing.assert_frame_equal(table, simulate(sc, runs=300, seed=SEED).table)


@pytest.mark.parametrize(
    ("path", "value", "at", "where", "expected"),
    [
        ("parties.russia.trust", 0.5, "2025-04", "set.parties.russia.trust", "the runs start"),
        ("mediator.strategy", "pressure", "2025-04", "set.mediator.strategy", "shapes the model"),
        ("parties.russia.cost_per_month", 5, "2025-04", "set.parties.russia.cost_per_month",
         "[0, 1]"),
        ("mediator.guarantee", 0.0, "2024-12", "at", "after start"),
        ("mediator.guarantee", 0.0, "2025-4", "at", "YYYY-MM"),
        ("parties.russia", {}, "2025-04", "set.parties.russia", "a number"),
        (None, None, "2025-04", "set", "at least one"),
    ],
)  # fmt: skip
def test_a_bad_change_is_named_by_its_path(path, value, at, where, expected):
    change = {"at": at, "set": {} if path is None else {path: value}}
    with pytest.raises(ConfigError) as info:
        _scenario(change)
    assert info.value.path == f"timeline[0].{where}"
    assert expected in info.value.expected
