"""A ceasefire as a pause to regroup (docs/model.md §3.8).

The checks: the reserve comes in at the pace the ceasefire's enforcement allows, only under
a ceasefire, and only the side that brings it in sees the trend move; a ceasefire that lets
none in gives the same runs as no reserve at all; a ceasefire holds as long as nothing
changes for its signatories, and a guarantor's departure is such a change; a side with a
reserve signs sooner, keeps the ceasefire while it builds up and breaks it once its reserve
is in; stronger provisions mean fewer breaches; batches and runs alone agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import NegotiationModel, simulate
from sim.experiments.simulate import simulate_points
from sim.model.config import apply_overrides, read_yaml, scenario_from_dict
from sim.model.outcomes import Status
from sim.model.params import trust_in_mediator
from sim.model.rules.valuation import capacity
from tests.conftest import ROOT, UKRAINE, negsim

MINSK = ROOT / "configs" / "cases" / "minsk_2014.yaml"
RUNS = 1500


def minsk(**overrides: Any):
    """The Minsk case with a reserve for Russia's side (0.3 unless set) and none for
    Ukraine's, whatever the case file says."""
    data = read_yaml(MINSK)
    settings = {"parties.russia.regroup": 0.3, "parties.ukraine.regroup": 0.0, **overrides}
    return scenario_from_dict(apply_overrides(data, settings), file=str(MINSK))


def table(**overrides: Any) -> pd.DataFrame:
    return simulate(minsk(**overrides), runs=RUNS, seed=3).table


def traced_runs(runs: int, **overrides: Any) -> NegotiationModel:
    return NegotiationModel(minsk(**overrides), runs=runs, seed=3, trace=True).run()


def _ceasefire_rows(model: NegotiationModel):
    """(round record, run) pairs where the run stood under a ceasefire at the start of the
    round and still did at its end, with the previous record."""
    recs = model.engine.records
    for prev, rec in zip(recs, recs[1:], strict=False):
        both = (prev.state.status == Status.CEASEFIRE) & (rec.state.status == Status.CEASEFIRE)
        for run in np.flatnonzero(both):
            yield prev, rec, run


@pytest.mark.parametrize("monitors", [0.0, 0.4])
def test_the_reserve_comes_in_at_the_pace_enforcement_allows(monitors):
    pace = (1.0 - monitors) / 3.0  # regroup_months 3, no guarantee, no buffer zone
    model = traced_runs(
        200,
        **{"mediator.options.monitors": monitors, "battlefield.regroup_months": 3.0},
    )
    seen = 0
    for prev, rec, run in _ceasefire_rows(model):
        before, after = prev.state.reserve[run], rec.state.reserve[run]
        assert after[0] == pytest.approx(min(1.0, before[0] + pace), abs=1e-12)
        assert after[1] == before[1] == 0.0  # Ukraine has no reserve in the case
        seen += 1
    assert seen > 20
    # Nothing comes in during a round that began at war or under an agreement.
    recs = model.engine.records
    outside = 0
    for prev, rec in zip(recs, recs[1:], strict=False):
        other = prev.state.status != Status.CEASEFIRE
        np.testing.assert_array_equal(rec.state.reserve[other], prev.state.reserve[other])
        outside += int((other & (prev.state.status != Status.WAR)).sum())
    assert outside > 20  # runs under a framework or a settlement were among them


def test_a_guarantee_slows_the_build_up_as_it_enforces():
    """e_cf = 1 - (1 - monitors)(1 - guarantee x the sides' trust in the mediator)."""
    model = traced_runs(
        200,
        **{
            "mediator.options.monitors": 0.2,
            "mediator.options.guarantee": True,
            "mediator.guarantee": 0.5,
            "mediator.bias": 0.2,
        },
    )
    q = float(np.mean(trust_in_mediator(np.asarray(0.2))))
    pace = (1.0 - 0.2) * (1.0 - 0.5 * q) / 3.0
    seen = 0
    for prev, rec, run in _ceasefire_rows(model):
        before, after = prev.state.reserve[run][0], rec.state.reserve[run][0]
        assert after == pytest.approx(min(1.0, before + pace), abs=1e-12)
        seen += 1
    assert seen > 20


def test_only_the_side_that_regroups_sees_the_trend_move():
    # Without exhaustion drag the reserve is all that moves the trend under a ceasefire.
    model = traced_runs(200, **{"battlefield.exhaustion_drag": 0.0})
    seen = 0
    for prev, rec, run in _ceasefire_rows(model):
        moved = rec.state.trend[run] - prev.state.trend[run]
        shift = rec.state.belief[run] - prev.state.belief[run]
        if prev.state.reserve[run][0] < 1.0:
            assert moved > 0.0
            seen += 1
        assert shift[0] == pytest.approx(moved, abs=1e-12)
        assert shift[1] == 0.0
    assert seen > 20


def test_a_ceasefire_that_lets_no_reserve_in_changes_nothing():
    """A ceasefire whose provisions close every gap lets no reserve in; the run is then the
    same as with no reserve at all, bit for bit."""
    closed = {"mediator.options.monitors": 1.0}
    with_reserve = table(**closed, **{"parties.russia.regroup": 0.6})
    without = table(**closed, **{"parties.russia.regroup": 0.0})
    assert with_reserve["ceasefires"].sum() > 100  # the test means something
    pd.testing.assert_frame_equal(with_reserve, without)


def test_a_ceasefire_holds_while_nothing_changes_for_its_signatories():
    """Without a reserve, a guarantor who leaves or new sanctions, a ceasefire's score is
    the same every round it stands: no side breaks it (it may still break down by chance)."""
    quiet = table(**{"parties.russia.regroup": 0.0})
    assert quiet["ceasefires"].sum() > 200
    assert quiet["ceasefire_breaches"].sum() == 0
    assert quiet["ceasefire_collapses"].sum() > 0  # the accidental hazard still runs


def test_a_side_with_a_reserve_signs_sooner_and_breaks_the_ceasefire():
    none = table(**{"parties.russia.regroup": 0.0})
    some = table(**{"parties.russia.regroup": 0.3})

    def signed_early(t: pd.DataFrame) -> float:
        return float((t["first_ceasefire_round"].fillna(99) <= 2).mean())

    def broken_within(t: pd.DataFrame, rounds: int) -> float:
        signed = t["first_ceasefire_round"].notna()
        gap = t["first_ceasefire_collapse_round"] - t["first_ceasefire_round"]
        return float((gap[signed].fillna(99) <= rounds).mean())

    assert signed_early(some) > signed_early(none) + 0.2
    assert broken_within(some, 6) > broken_within(none, 6) + 0.5
    assert some["ceasefire_breaches"].sum() > 0.5 * some["ceasefires"].sum()


def test_the_side_that_breaks_is_the_one_that_regrouped():
    model = traced_runs(300)
    breakers = np.zeros(2, dtype=np.int64)
    for rec in model.engine.records:
        breakers += rec.values.get("ceasefire_breach", np.zeros((300, 2), bool)).sum(axis=0)
    assert breakers[0] > 50
    assert breakers[1] == 0


def test_provisions_that_hamper_regrouping_mean_fewer_breaches():
    rates = []
    for monitors in (0.0, 0.5, 0.9):
        t = table(**{"mediator.options.monitors": monitors})
        rates.append(t["ceasefire_breaches"].sum() / max(t["ceasefires"].sum(), 1))
    assert rates[0] > rates[1] > rates[2]


def test_the_reserve_stays_and_adds_to_capacity_after_the_war_resumes():
    """Once brought in the reserve stays, and adds regroup x capacity x share brought in to
    the side's capacity whatever its exhaustion."""
    model = traced_runs(200)
    engine = model.engine
    reserve = np.stack([r.state.reserve for r in engine.records])  # (rounds, runs, 2)
    assert (np.diff(reserve, axis=0) >= 0.0).all()
    status = np.stack([r.state.status for r in engine.records])
    resumed = (reserve[-1, :, 0] > 0.0) & (status[-1] == Status.WAR)
    assert resumed.sum() > 20
    with_reserve = capacity(engine.state, engine.ctx, engine.state.parties.exhaustion)
    kept = engine.state.parties.reserve_in.copy()
    engine.state.parties.reserve_in = np.zeros_like(kept)
    without = capacity(engine.state, engine.ctx, engine.state.parties.exhaustion)
    engine.state.parties.reserve_in = kept
    np.testing.assert_allclose(with_reserve[:, 0] - without[:, 0], 0.3 * 1.0 * kept[:, 0])
    np.testing.assert_array_equal(with_reserve[:, 1], without[:, 1])


def test_points_differing_in_their_reserves_stack_bit_for_bit():
    rng = np.random.default_rng(4)
    scenarios = [
        minsk(
            **{
                "parties.russia.regroup": float(rng.uniform(0.0, 0.8)),
                "parties.ukraine.regroup": float(rng.uniform(0.0, 0.3)),
                "battlefield.regroup_months": float(rng.uniform(1.0, 6.0)),
            }
        )
        for _ in range(4)
    ]
    together = simulate_points(scenarios, 60, 3)
    for sc, stacked in zip(scenarios, together, strict=True):
        alone = simulate(sc, runs=60, seed=3).table
        pd.testing.assert_frame_equal(alone, stacked, check_exact=True)
    assert sum(int(t["ceasefire_breaches"].sum()) for t in together) > 20


@pytest.mark.parametrize(("rounds", "monitors"), [(2.0, 0.0), (4.0, 0.0), (3.0, 0.4)])
def test_a_side_that_signed_to_regroup_keeps_the_ceasefire_while_it_builds_up(rounds, monitors):
    """It breaks the ceasefire, if at all, only once the rounds its build-up takes are over;
    most breaches come right then, when what it signed for is in: the rest of its reserve,
    which monitors keep out, no longer counts."""
    model = traced_runs(
        300,
        **{"battlefield.regroup_months": rounds, "mediator.options.monitors": monitors},
    )
    recs = model.engine.records
    status = np.stack([r.state.status for r in recs])  # (rounds, runs)
    lives = []
    for k, rec in enumerate(recs):
        for run in np.flatnonzero(rec.standing.ceasefire_breach[:, 0]):
            paused = 0  # rounds the run began under this ceasefire
            while k - 1 - paused >= 0 and status[k - 1 - paused, run] == Status.CEASEFIRE:
                paused += 1
            lives.append(paused)
    lives = np.array(lives)
    assert lives.size > 50
    assert lives.min() >= rounds
    assert np.mean(lives == np.ceil(rounds)) > 0.5


def test_a_guarantor_who_leaves_can_end_a_ceasefire_without_any_reserve():
    """The re-weighing reads the ceasefire's enforcement as it stands: once the guarantor has
    gone, the fear it had closed returns, and a side with no reserve may break the ceasefire;
    without a guarantee to lose nothing changes and no side breaks it."""

    def run(guarantee: bool) -> pd.DataFrame:
        data = read_yaml(UKRAINE)
        data["mediator"].pop("strategy", None)
        data["mediator"]["guarantee"] = 0.6
        data["mediator"]["schedule"] = [
            {"strategy": "ceasefire_first", "rounds": 3, "options": {"guarantee": guarantee}},
            {"strategy": "withdrawal", "options": {"after_rounds": 0}},
        ]
        return simulate(scenario_from_dict(data, file=str(UKRAINE)), runs=400, seed=5).table

    guaranteed, bare = run(True), run(False)
    assert guaranteed["ceasefires"].sum() > 100 and bare["ceasefires"].sum() > 20
    assert guaranteed["ceasefire_breaches"].sum() > 0.3 * guaranteed["ceasefires"].sum()
    assert bare["ceasefire_breaches"].sum() == 0


def test_a_batch_and_a_run_alone_hold_the_same_beliefs_round_by_round():
    """The compact engine skips settled beliefs; a build-up moves them, so they must be
    updated again, or their rounding would differ from an engine that never skips."""
    sc = minsk(**{"parties.ukraine.regroup": 0.1})
    fast = NegotiationModel(sc, runs=300, seed=3, collect=False)
    full = NegotiationModel(sc, runs=300, seed=3, collect=False, trace=True)
    while fast.running:
        fast.step()
        full.step()
        np.testing.assert_array_equal(
            fast.engine.state.parties.belief_mean, full.engine.state.parties.belief_mean
        )


@pytest.mark.slow
def test_the_story_shows_the_build_up_and_names_who_breaks_the_ceasefire():
    proc = negsim("run", str(MINSK), "--seed", "1", "--run-index", "3")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    built = [i for i, line in enumerate(lines) if "regroup reserve brought in: russia" in line]
    broken = [i for i, line in enumerate(lines) if ">> russia breaks the ceasefire" in line]
    assert broken and built
    assert "russia 100%" in lines[max(i for i in built if i < broken[0])]
