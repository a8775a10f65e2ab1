"""Freezing of a ripe front (docs/model.md 3.5): with a constant chance each ripe round
without a deal, whoever drafts the texts, except while a strategy that holds the ceasefire
back until the agreement (talking while fighting) has its text on the table."""

from __future__ import annotations

from typing import Any

import pytest

from sim import analysis
from sim.config import load_scenario
from sim.simulate import replay, simulate
from tests.conftest import ROOT

INTERSTATE = ROOT / "validation" / "scenarios" / "interstate_war.yaml"
# A lopsided war between sides with no trust at all: it ripens around round 25, and the
# commitment problem then keeps many texts from being signed.
STUCK = {
    "parties.b.capacity": 0.3,
    "battlefield.drift_scale": 0.05,
    "parties.a.trust": 0.0,
    "parties.b.trust": 0.0,
}


def _table(mediator: dict[str, Any]) -> Any:
    sc = load_scenario(INTERSTATE, {**STUCK, "mediator": mediator})
    return simulate(sc, runs=1000, seed=2).table


@pytest.fixture(scope="module")
def tables() -> dict[str, Any]:
    return {
        "none": _table({"strategy": "none"}),
        "formulative": _table({"strategy": "formulative"}),
        "talking_while_fighting": _table({"strategy": "talking_while_fighting"}),
        "schedule": _table(
            {
                "schedule": [
                    {"strategy": "talking_while_fighting", "rounds": 30},
                    {"strategy": "formulative"},
                ]
            }
        ),
    }


def test_a_ripe_front_freezes_under_a_mediators_texts(tables):
    direct, texts = tables["none"], tables["formulative"]
    # Ripe sides expect nothing from fighting on, text or no text: some runs freeze while
    # the mediator's text is on the table, in the very round of the freeze.
    frozen = texts[texts["outcome"] == "frozen"]
    assert len(frozen) > 200 and (frozen["mediator_texts"] > 0).all()
    sc = load_scenario(INTERSTATE, {**STUCK, "mediator": {"strategy": "formulative"}})
    for run in frozen["run"].head(3):
        last = analysis.trace_table(replay(sc, 2, int(run))).iloc[-1]
        assert last["status"] == "frozen" and last["proposer"] == "mediator" and last["ripe"]
    # Freezing takes a ripe round, and the texts settle some runs first.
    assert (frozen["end_round"] >= frozen["first_ripe_round"]).all()
    assert (direct["outcome"] == "frozen").mean() > (texts["outcome"] == "frozen").mean()
    assert texts["settlement_round"].notna().mean() > 0.5


def test_talking_while_fighting_keeps_the_front_open_until_the_armistice(tables):
    fighting = tables["talking_while_fighting"]
    assert (fighting["outcome"] == "frozen").sum() == 0
    assert fighting["first_ripe_round"].notna().mean() > 0.5
    # The same sides under a formulative mediator freeze in the rounds this one fights on.
    texts = tables["formulative"]
    assert ((texts["outcome"] == "frozen") & (texts["end_round"] <= 30)).sum() > 50


def test_the_rule_follows_the_phase_of_a_schedule(tables):
    scheduled = tables["schedule"]
    rounds = scheduled.loc[scheduled["outcome"] == "frozen", "end_round"].astype(int)
    # No freeze in the 30 rounds of talking while fighting; freezes once the formulative
    # phase begins, on the same draws.
    assert len(rounds) > 100
    assert rounds.min() > 30
