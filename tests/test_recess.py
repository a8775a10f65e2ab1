"""A recess of the talks (`recess_rounds` of a text-drafting strategy): no session, so no
text, no offers of the parties' own and no relaying, while the war goes on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.cli import main
from sim.experiments.simulate import replay, simulate
from sim.model.config import load_scenario
from sim.model.shell import NegotiationModel
from tests.conftest import ROOT

KOREA = ROOT / "configs" / "cases" / "korea_1951.yaml"
INTERSTATE = ROOT / "validation" / "scenarios" / "interstate_war.yaml"
RECESS = [3, 4, 16, 17, 18, 19, 20, 21, 22]


def _korea(recess: list[int]) -> Any:
    return load_scenario(KOREA, {"mediator.options.recess_rounds": recess})


@pytest.fixture(scope="module")
def pair() -> tuple[Any, Any]:
    runs = 3000
    return (
        simulate(_korea([]), runs=runs, seed=5).table,
        simulate(_korea(RECESS), runs=runs, seed=5).table,
    )


@pytest.mark.slow
def test_nothing_is_signed_in_a_recess(pair):
    _, recess = pair
    rounds = recess["settlement_round"].dropna().astype(int)
    assert len(rounds) > 1000
    assert not set(rounds) & set(RECESS)


def test_runs_are_the_same_until_the_first_recess_and_later_after_it(pair):
    talks, recess = pair
    # Common random numbers: the same runs, the same draws, until round 3.
    early = talks["settlement_round"] < 3
    assert early.sum() > 50
    assert (recess.loc[early, "settlement_round"] == talks.loc[early, "settlement_round"]).all()
    # A deal the recess prevented comes later, not earlier.
    later = recess["settlement_round"].fillna(10**6) >= talks["settlement_round"].fillna(10**6)
    assert later.mean() > 0.99


def test_a_recess_throughout_leaves_no_session_at_all():
    # Without any session, neither the mediator's texts nor the parties' own offers are on
    # the table: nothing is ever signed, although direct talks alone do sign deals here.
    base = {"parties.b.capacity": 0.3, "battlefield.drift_scale": 0.05}
    horizon = 60
    always = {"recess_rounds": list(range(1, horizon + 1))}

    def table(mediator: dict[str, Any]) -> Any:
        return simulate(load_scenario(INTERSTATE, {**base, "mediator": mediator}), 1000, 2).table

    quiet = table({"strategy": "formulative", "options": always})
    talks = table({"strategy": "none"})
    fighting = table({"strategy": "talking_while_fighting", "options": always})
    assert talks["settlement_round"].notna().mean() > 0.03
    for silent in (quiet, fighting):
        assert silent["settlement_round"].isna().all()
        assert (silent["mediator_texts"] == 0).all()
    # Direct talks let this lopsided war freeze on the line, and so does a suspended
    # conference: ripe sides expect nothing from fighting on. A strategy that holds the
    # ceasefire back until the armistice keeps the front open through its recesses too.
    assert (talks["outcome"] == "frozen").mean() > 0.5
    assert (quiet["outcome"] == "frozen").mean() > 0.5
    assert (fighting["outcome"] == "frozen").sum() == 0


def test_recess_rounds_count_from_the_start_of_a_schedules_phase():
    sc = load_scenario(
        KOREA,
        {
            "mediator": {
                "name": "armistice_conference",
                "schedule": [
                    {"strategy": "talking_while_fighting", "rounds": 5},
                    {
                        "strategy": "talking_while_fighting",
                        "options": {"recess_rounds": [1, 2, 3]},
                    },
                ],
            }
        },
    )
    rounds = simulate(sc, runs=2000, seed=1).table["settlement_round"].dropna().astype(int)
    assert (rounds <= 5).sum() > 0 and (rounds > 8).sum() > 0
    assert not set(rounds) & {6, 7, 8}


def test_the_story_says_when_the_talks_are_in_recess(capsys):
    table = simulate(load_scenario(KOREA), runs=50, seed=1).table
    index = int(table.index[table["settlement_round"].fillna(99) > 4][0])
    assert main(["run", str(KOREA), "--seed", "1", "--run-index", str(index)]) == 0
    lines = capsys.readouterr().out.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("round  3 ")]
    assert heads, lines[:5]
    block = lines[heads[0] : heads[0] + 4]
    assert "    no session: the talks are in recess" in block
    assert not any("proposes" in line for line in block)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[0]", "a number in [1, 100000]"),
        ("3", "a list"),
        ("[3, 4, 3]", "recess_rounds[2] = 3: expected each round listed once"),
    ],
)
def test_bad_recess_rounds_are_one_line(capsys, value, expected):
    assert main(["run", str(KOREA), "--set", f"mediator.options.recess_rounds={value}"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and expected in err and "recess_rounds" in err


def _beliefs_after_two_rounds(mediator: dict[str, Any]) -> tuple[Any, Any]:
    sc = load_scenario(INTERSTATE, {"mediator": mediator})
    model = NegotiationModel(sc, seed=4, run_indices=np.arange(400), collect=False)
    model.step()
    model.step()
    return model.engine.state.parties.belief_mean.copy(), model.engine.state.status.copy()


def test_the_mediators_relaying_stops_in_a_recess():
    # What a mediator relays in one round's talks weighs in the next round's updating
    # (docs/model.md 3.3). After a recess in round 1, round 2's beliefs are those of
    # unmediated fighting; after a session, they are not.
    recess, s1 = _beliefs_after_two_rounds(
        {"strategy": "formulative", "options": {"recess_rounds": [1]}}
    )
    session, s2 = _beliefs_after_two_rounds({"strategy": "formulative"})
    alone, s3 = _beliefs_after_two_rounds({"strategy": "none"})
    war = (s1 == 0) & (s2 == 0) & (s3 == 0)
    assert war.sum() > 300
    assert np.array_equal(recess[war], alone[war])
    assert not np.allclose(session[war], alone[war])


def _staggered(strategy: str, options: dict[str, Any]) -> Any:
    # The second phase starts when the first deadlocks: in different rounds in different
    # runs, so a batch holds runs in recess next to runs in session.
    return load_scenario(
        KOREA,
        {
            "mediator": {
                "name": "m",
                "schedule": [
                    {
                        "strategy": "talking_while_fighting",
                        "until": "deadlock",
                        "deadlock_after": 2,
                    },
                    {"strategy": strategy, "options": options},
                ],
            }
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("strategy", "options"),
    [
        ("withdrawal", {"after_rounds": 1, "recess_rounds": [2, 3]}),
        ("side_with", {"recess_rounds": [1, 2]}),
        ("normalization_carrot", {"pressure": 0.05, "recess_rounds": [1, 2, 3]}),
    ],
)
def test_a_run_in_recess_is_the_same_in_a_batch_and_alone(strategy, options):
    sc = _staggered(strategy, options)
    batch = simulate(sc, runs=120, seed=1).table
    for i in range(0, 120, 7):
        alone = simulate(sc, runs=1, seed=1, first_run=i).table.iloc[0]
        row = batch.iloc[i]
        assert [str(row[c]) for c in batch.columns] == [str(alone[c]) for c in batch.columns], i


def test_a_recess_neither_ends_nor_extends_a_run_of_refused_texts():
    # Korea's texts are refused round after round; a recess in round 3 keeps the count.
    def counts(recess: list[int]) -> Any:
        model = NegotiationModel(_korea(recess), seed=1, run_indices=np.arange(300), collect=False)
        out = []
        for _ in range(4):
            model.step()
            out.append(model.engine.state.talks.failed_texts.copy())
        return out, model.engine.state.status == 0

    (r1, r2, r3, r4), war = counts([3])
    (s1, s2, s3, _), war_s = counts([])
    both = war & war_s & (r2 == 2)
    assert both.sum() > 100
    assert (r3[both] == r2[both]).all()  # round 3 in recess: the count stands
    assert (s3[both] == 3).all()
    assert (r4[both] == 3).all()  # round 4: one more refusal


def test_in_a_recess_round_no_one_accepts_refuses_or_is_offered_a_ceasefire():
    sc = load_scenario(
        INTERSTATE,
        {"mediator": {"strategy": "ceasefire_first", "options": {"recess_rounds": [2, 3, 4, 5]}}},
    )
    table = simulate(sc, runs=1500, seed=3).table
    started = table["first_ceasefire_round"].dropna().astype(int)
    assert len(started) > 100  # ceasefires are proposed and taken, outside the recess
    model = replay(sc, seed=3, run_index=0)
    for record in model.engine.records[1:5]:
        v = record.values
        assert bool(np.asarray(v["recess"])[0])
        assert not np.asarray(v["accept"]).any()
        assert (np.asarray(v["reason"]) == 0).all()
        assert not np.asarray(v["ceasefire_accept"]).any()
    assert not set(started) & {2, 3, 4, 5}
