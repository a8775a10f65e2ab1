"""Co-mediation (docs/model.md §3.6): a lead mediator and co-mediators of their own lean,
leverage and credibility, drafting one text as a team."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim import load_scenario, simulate
from sim.errors import ConfigError
from sim.model.bargaining import either_holds
from sim.model.params import compile_params
from tests.conftest import UKRAINE

RUNS = 4000
SEED = 1
LEANS_TO_B = {"mediator.bias": 0.5}
OTHER_LEANS_TO_A = {**LEANS_TO_B, "mediator.co_mediators": {"other": {"bias": -0.5}}}


def _scenario(**overrides: Any):
    return load_scenario(UKRAINE, overrides={"horizon": 24, **overrides})


def test_the_team_is_trusted_by_each_side_as_its_most_trusted_member_is():
    sc = _scenario(
        **{
            "mediator.bias": 0.5,
            "mediator.co_mediators": {
                "other": {"bias": -0.5, "leverage": {"russia": 0.5}, "guarantee": 0.2,
                          "credibility": 0.9, "aid": {"russia": 0.1}},
            },
        }
    )  # fmt: skip
    p, lead = compile_params(sc), compile_params(_scenario(**LEANS_TO_B))
    assert p.trust_in_mediator.tolist() == [1.0, 1.0]  # each side has its friend in the room
    assert lead.trust_in_mediator.tolist() == [0.5, 1.0]
    assert p.bias == 0.0  # one text, tilted by their mean lean
    np.testing.assert_allclose(p.leverage, either_holds(lead.leverage, np.array([0.5, 0.0])))
    assert p.guarantee == pytest.approx(either_holds(lead.guarantee, 0.2))
    np.testing.assert_allclose(p.mediator_aid, lead.mediator_aid + np.array([0.1, 0.0]))
    w_lead, w_other = float(lead.leverage.sum()), 0.5
    expected = (w_lead * sc.mediator.credibility + w_other * 0.9) / (w_lead + w_other)
    assert p.credibility == pytest.approx(expected)


def _settled(**overrides: Any) -> np.ndarray:
    table = simulate(_scenario(**overrides), runs=RUNS, seed=SEED).table
    return table["settlement_round"].notna().to_numpy(dtype=float)


def _greater(high: np.ndarray, low: np.ndarray) -> None:
    gap = high - low
    assert gap.mean() > 4 * gap.std(ddof=1) / np.sqrt(gap.size)


def test_mediators_leaning_to_opposite_sides_settle_more_than_one_biased_mediator():
    _greater(_settled(**OTHER_LEANS_TO_A), _settled(**LEANS_TO_B))


def test_a_co_mediator_with_leverage_over_the_side_it_leans_to_adds_pressure():
    with_leverage = {
        **LEANS_TO_B,
        "mediator.co_mediators": {"other": {"bias": -0.5, "leverage": {"russia": 0.5}}},
    }
    _greater(_settled(**with_leverage), _settled(**OTHER_LEANS_TO_A))


def test_a_co_mediator_naming_an_unknown_party_is_refused():
    with pytest.raises(ConfigError) as info:
        _scenario(**{"mediator.co_mediators": {"other": {"leverage": {"rusia": 0.5}}}})
    assert info.value.path == "mediator.co_mediators.other.leverage.rusia"
