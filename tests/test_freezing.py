"""Freezing of a ripe front (docs/model.md 3.5): with a constant chance each ripe round
without a deal, whoever drafts the texts, except while a strategy that holds the ceasefire
back until the agreement (talking while fighting) has its text on the table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.experiments.simulate import replay, simulate
from sim.model.config import load_scenario
from sim.model.strategies import Decision, Observation, Strategy
from sim.model.strategies.schedule import merge
from sim.reports import analysis
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
    texts = tables["formulative"]
    # Ripe sides expect nothing from fighting on, text or no text: many runs freeze while
    # the mediator's text is on the table, in the very round of the freeze, and a run
    # replayed alone freezes in the same round as in its batch.
    frozen = texts[texts["outcome"] == "frozen"]
    assert len(frozen) > 200
    sc = load_scenario(INTERSTATE, {**STUCK, "mediator": {"strategy": "formulative"}})
    for _, row in frozen.head(3).iterrows():
        trace = analysis.trace_table(replay(sc, 2, int(row["run"])))
        last = trace.iloc[-1]
        assert last["status"] == "frozen" and last["proposer"] == "mediator" and last["ripe"]
        assert last["round"] == row["end_round"]
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


class KeepFightingWithoutText(Strategy):
    """Asks for the fighting to go on but drafts no text (not registered)."""

    name = "keep_fighting_without_text"
    summary = "no text, the fighting to go on"

    def decide(self, obs: Observation) -> Decision:
        return Decision(keep_fighting=np.ones(obs.at_war.shape[0], dtype=bool))


def test_keeping_the_front_open_takes_a_text_on_the_table_or_a_recess(tables, allow_import):
    # Without a text of its own (and outside a recess) the move holds nothing back: the
    # parties talk directly, and the front freezes exactly as under no mediator.
    table = _table({"strategy": "tests.test_freezing:KeepFightingWithoutText"})
    assert table["outcome"].tolist() == tables["none"]["outcome"].tolist()
    assert table["end_round"].equals(tables["none"]["end_round"])


def test_a_schedule_keeps_the_move_run_by_run():
    n = 6
    choice = np.array([0, 1, 0, 1, 1, 0])
    keep = Decision(keep_fighting=np.ones(n, dtype=bool))
    merged = merge([keep, Decision()], choice, n, 2)
    assert merged.keep_fighting.tolist() == (choice == 0).tolist()
    assert merge([Decision(), Decision()], choice, n, 2).keep_fighting is None
