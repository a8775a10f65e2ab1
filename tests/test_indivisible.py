"""Indivisible issues (Fearon 1995): a text places such an issue at one ideal or the other.

The checks: with one indivisible issue and war still worth something to both sides, no
text is acceptable to both, so rational sides that settle at once over a divisible issue
never settle; no offer, mediator's text or agreement ever splits such an issue; the
mediator's Nash text is the best feasible text, found by brute force over the issue
space; and making the Korean prisoner question indivisible delays the armistice.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import NegotiationModel, load_scenario, simulate
from sim.errors import ConfigError
from sim.experiments.simulate import simulate_points
from sim.model.config import apply_overrides, read_yaml, scenario_from_dict
from tests.conftest import ROOT, UKRAINE, build_scenario, minimal_scenario_dict
from tests.test_bargaining_benchmarks import fearon_dict
from tests.test_stacking import RUNS, SEED, _alone, _points

KOREA = ROOT / "configs" / "cases" / "korea_1951.yaml"


@pytest.mark.parametrize(
    "mediator",
    [None, {"strategy": "formulative", "information_noise": 0.0}],
    ids=["direct", "formulative"],
)
def test_an_indivisible_stake_leaves_no_bargaining_range(mediator):
    divisible = fearon_dict(mediator, screening_z=0.0)
    whole = fearon_dict(mediator, screening_z=0.0)
    whole["issues"]["stakes"]["indivisible"] = True
    split = simulate(build_scenario(divisible), runs=200, seed=5).table
    assert (split["settlement_round"] == 1).all()
    # Both reservation values are positive (each side expects a share of the stakes worth
    # more than its costs), so neither accepts the other's ideal, the only other text.
    model = NegotiationModel(build_scenario(whole), runs=200, seed=5, trace=True)
    model.step()
    rec = model.engine.records[0].values
    assert (rec["reservation"] > 0.05).all()
    assert not rec["deal"].any()
    assert np.isin(rec["text"][:, 0], (0.0, 1.0)).all()
    table = simulate(build_scenario(whole), runs=200, seed=5).table
    assert table["settlement_round"].isna().all()


def _three_issue_dict(strategy: str | None) -> dict[str, Any]:
    data = minimal_scenario_dict(("x", "y", "z"))
    data["issues"]["x"]["indivisible"] = True
    data["parties"]["a"]["salience"] = {"x": 0.5, "y": 0.3, "z": 0.2}
    data["parties"]["b"]["salience"] = {"x": 0.4, "y": 0.2, "z": 0.4}
    for name in ("a", "b"):
        data["parties"][name].update(cost_per_month=0.03, trust=0.6)
    data["battlefield"] = {"initial_control": 0.5}
    if strategy is not None:
        data["mediator"] = {"strategy": strategy, "leverage": {"a": 0.5, "b": 0.5}}
    return data


@pytest.mark.parametrize(
    "strategy", [None, "facilitative", "formulative", "manipulative", "talking_while_fighting"]
)
def test_no_text_or_agreement_splits_an_indivisible_issue(strategy):
    sc = build_scenario(_three_issue_dict(strategy))
    model = NegotiationModel(sc, runs=300, seed=2, trace=True)
    while model.running:
        model.step()
    talked = 0
    for record in model.engine.records:
        v = record.values
        on_table = v["text"][:, 0][~np.isnan(v["text"][:, 0])]
        assert np.isin(on_table, (0.0, 1.0)).all(), np.unique(on_table)
        talked += on_table.size
    assert talked > 0
    table = simulate(sc, runs=300, seed=2).table
    agreed = table["outcome"].isin(["comprehensive", "framework"])
    assert agreed.any()
    assert np.isin(table.loc[agreed, "terms_x"], (0.0, 1.0)).all()


def test_the_mediator_drafts_the_best_text_that_keeps_the_issue_whole():
    # Full trust and no hurdles: scores are U_i - V_i, linear in the text, so the drafted
    # text can be checked against every text on a grid of the issue space.
    data = _three_issue_dict("formulative")
    data["mediator"] = {"strategy": "formulative", "information_noise": 0.0}
    for name in ("a", "b"):
        data["parties"][name].update(trust=1.0, decision_noise=0.0)
    sc = scenario_from_dict(data, file="test")
    model = NegotiationModel(sc, runs=50, seed=4, trace=True)
    model.step()
    rec = model.engine.records[0].values
    space = model.engine.space
    grid = np.linspace(0.0, 1.0, 201)
    texts = np.array(list(itertools.product((0.0, 1.0), grid, grid)))
    u = space.utilities(texts)  # ideals at 0 and 1: progress equals position for A
    checked = 0
    for r in range(50):
        v = rec["reservation"][r]
        surplus = u - v
        ok = (surplus >= 0).all(axis=1)
        if not ok.any():
            continue
        best = np.max(np.sqrt(surplus[ok, 0] * surplus[ok, 1]))
        drafted = space.utilities(rec["text"][r][None, :])[0] - v
        assert rec["text"][r][0] in (0.0, 1.0)
        assert (drafted >= -1e-9).all()
        # The grid is a lower bound on the best; the drafted text may beat it slightly.
        assert np.sqrt(drafted[0] * drafted[1]) >= best - 1e-9
        checked += 1
    assert checked > 10


def test_an_indivisible_prisoner_question_delays_the_korean_armistice():
    whole = load_scenario(KOREA)
    assert whole.issues["prisoners"].indivisible
    raw = yaml.safe_load(KOREA.read_text())
    raw["issues"]["prisoners"]["indivisible"] = False
    split = scenario_from_dict(raw, file=str(KOREA))
    # Runs that never settle count as later than any round (the median of the time to a
    # first agreement, censored at the horizon).
    late = simulate(whole, runs=400, seed=1).table["settlement_round"].fillna(10**6)
    soon = simulate(split, runs=400, seed=1).table["settlement_round"].fillna(10**6)
    assert late.median() >= soon.median() + 2
    assert (late > soon).mean() > (late < soon).mean()


def test_more_than_four_indivisible_issues_is_refused():
    names = tuple(f"i{k}" for k in range(5))
    data = minimal_scenario_dict(names)
    for name in names:
        data["issues"][name]["indivisible"] = True
    with pytest.raises(ConfigError) as err:
        build_scenario(data)
    assert "issues.i4.indivisible" in str(err.value)
    assert "at most 4" in str(err.value)


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["none", "formulative", "manipulative", "working_groups"])
def test_stacked_points_with_an_indivisible_issue_equal_each_point_alone(strategy):
    # Saliences, thresholds and the rest vary per point, so every text search runs on
    # per-run geometry; each point's table must still be the one it gives alone.
    base = read_yaml(UKRAINE)
    base["mediator"]["strategy"] = strategy
    base["issues"]["nato"]["indivisible"] = True
    scenarios = [
        scenario_from_dict(apply_overrides(copy.deepcopy(base), p), file=str(UKRAINE))
        for p in _points(4, np.random.default_rng(7))
    ]
    firsts = [0, RUNS, 2 * RUNS, 3 * RUNS]
    together = simulate_points(scenarios, RUNS, SEED, first_runs=firsts)
    for alone, stacked in zip(_alone(scenarios, RUNS, firsts), together, strict=True):
        pd.testing.assert_frame_equal(alone, stacked, check_exact=True)
        agreed = alone["outcome"].isin(["comprehensive", "framework"])
        assert np.isin(alone.loc[agreed, "terms_nato"], (0.0, 1.0)).all()


def test_a_framework_leaves_a_deferred_indivisible_issue_at_its_open_position():
    # Deferred and indivisible: while a framework leaves it open it stays at the open
    # position, between the ideals; the parties weigh the text the mediator drafted.
    data = _three_issue_dict("working_groups")
    data["issues"]["x"].update(deferrable=True, open_position=0.5)
    table = simulate(build_scenario(data), runs=300, seed=1).table
    framework = table["outcome"] == "framework"
    assert framework.sum() > 50
    assert (table.loc[framework, "terms_x"] == 0.5).all()
    comprehensive = table["outcome"] == "comprehensive"
    assert np.isin(table.loc[comprehensive, "terms_x"], (0.0, 1.0)).all()


@pytest.mark.parametrize("case", ["three_issues", "korea"])
def test_a_proposer_never_offers_less_than_it_would_itself_accept(case):
    # As on a single path (docs/model.md §3.6): an offer other than the proposer's own
    # ideal leaves it a non-negative score (its hurdle in the text is at most the maximal
    # one it reckons with, and direct talks carry no carrots, threats or refusal costs).
    if case == "korea":
        data = yaml.safe_load(KOREA.read_text())
        data.pop("mediator")
    else:
        data = _three_issue_dict(None)
    sc = scenario_from_dict(data, file=case)
    model = NegotiationModel(sc, runs=300, seed=2, trace=True)
    while model.running:
        model.step()
    space = model.engine.space
    offers = 0
    for record in model.engine.records:
        v = record.values
        rows = np.flatnonzero((v["proposer"] < 2) & ~np.isnan(v["text"][:, 0]))
        giver = v["proposer"][rows]
        t = space.progress(v["text"][rows])
        ideal = np.all(t == np.where(giver == 0, 1.0, 0.0)[:, None], axis=1)
        own = v["score"][rows, giver]
        assert (own[~ideal] >= -1e-9).all(), own[~ideal].min()
        offers += rows.size
    assert offers > 1000
