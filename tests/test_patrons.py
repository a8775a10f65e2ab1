"""Patrons over clients (docs/model.md §3.10): a stakeholder presses its own party to sign
the mediator's text with the aid it stakes, and withholds it after a refusal."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim import load_scenario, simulate
from sim.experiments.simulate import replay
from sim.model.shell import NegotiationModel
from tests.conftest import UKRAINE

RUNS = 3000
SEED = 1


def _scenario(**overrides: Any):
    return load_scenario(UKRAINE, overrides={"horizon": 24, **overrides})


def _settled(**overrides: Any) -> np.ndarray:
    table = simulate(_scenario(**overrides), runs=RUNS, seed=SEED).table
    return table["settlement_round"].notna().to_numpy(dtype=float)


@pytest.mark.parametrize(("patron", "client"), [("europe", 1), ("china", 0)])
def test_a_patrons_pressure_raises_the_chance_its_client_signs(patron, client):
    """The first round's texts are the same with and without the patron, and so are the
    draws: its client accepts every text it accepted without the pressure, and more."""
    backed = {f"stakeholders.{patron}.aid": 0.2}
    pressed = {**backed, f"stakeholders.{patron}.pressure": 1.0}

    def first_round(**overrides: Any) -> tuple[np.ndarray, np.ndarray]:
        model = NegotiationModel(_scenario(**overrides), runs=RUNS, seed=SEED, trace=True)
        model.step()
        talks = model.engine.records[0].talks
        return talks.proposer == 2, talks.accept[:, client]

    texts, free = first_round(**backed)
    same_texts, under_pressure = first_round(**pressed)
    assert np.array_equal(texts, same_texts) and texts.sum() > 100
    assert (under_pressure[texts] >= free[texts]).all()
    assert under_pressure[texts].mean() > free[texts].mean() + 0.05


def test_pressure_from_europe_brings_more_settlements():
    pressure = {"stakeholders.europe.pressure": 1.0}
    gap = _settled(**pressure) - _settled()
    assert gap.mean() > 4 * gap.std(ddof=1) / np.sqrt(gap.size)


def test_a_patron_that_follows_through_withholds_its_aid_after_a_refusal():
    # A mediator without sticks of its own: every cut of Ukraine's aid is Europe's.
    sc = _scenario(
        **{
            "mediator.strategy": "formulative",
            "stakeholders.europe.pressure": 0.5,
            "stakeholders.europe.follow_through": 1.0,
        }
    )
    cuts = 0
    for run in range(20):
        aid = 0.2 + 0.15  # the United States' and Europe's
        for now in replay(sc, SEED, run).engine.records:
            refused = now.talks.proposer[0] == 2 and not now.talks.accept[0, 1]
            # Each refusal costs Ukraine half of what Europe still gives; the US's 0.2 stays.
            expected = aid - 0.5 * (aid - 0.2) if refused else aid
            assert now.state.aid[0, 1] == pytest.approx(expected)
            aid, cuts = expected, cuts + refused
            if now.state.status[0] != 0:
                break
    assert cuts > 5


def test_without_pressure_nothing_changes():
    assert _scenario().stakeholders["europe"].pressure == 0.0
    quiet = simulate(_scenario(), runs=500, seed=SEED).table
    explicit = simulate(
        _scenario(**{"stakeholders.europe.follow_through": 0.9}), runs=500, seed=SEED
    ).table
    assert quiet.equals(explicit)  # follow-through without pressure is never used
