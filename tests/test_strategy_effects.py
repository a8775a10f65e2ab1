"""Each strategy's distinctive effect, in the direction the literature and the articles give.

Arms share the seed (common random numbers) and differences are tested against the standard
error of the paired per-run differences, as in test_directions.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate
from tests.conftest import UKRAINE

RUNS = 2000
SEED = 424242
Z = 4.0
BASE = {"horizon": 24}
OPTIMISTIC = {"parties.russia.optimism": 0.008, "parties.ukraine.optimism": 0.006}
SOBER = {"parties.russia.optimism": 0.0, "parties.ukraine.optimism": 0.0}
# A's momentum: a steep trend in its favour that it also believes in.
MOMENTUM = {"battlefield.drift_scale": 0.1, "parties.russia.optimism": 0.008}
# A stable front: the scenario's near-flat trend, and no side expecting better.
STABLE = SOBER


def _table(overrides: dict[str, Any], runs: int = RUNS) -> pd.DataFrame:
    sc = load_scenario(UKRAINE, overrides={**BASE, **overrides})
    return simulate(sc, runs=runs, seed=SEED).table


def _settled(table: pd.DataFrame, by: int | None = None) -> np.ndarray:
    rounds = table["settlement_round"]
    if by is None:
        return rounds.notna().to_numpy(dtype=float)
    return (rounds.fillna(10**9) <= by).to_numpy(dtype=float)


def _greater(high: np.ndarray, low: np.ndarray, what: str) -> None:
    diff = high - low
    se = float(diff.std(ddof=1) / np.sqrt(diff.size))
    assert se > 0, f"{what}: the two arms are identical"
    assert diff.mean() > Z * se, f"{what}: {diff.mean():.4f} not > {Z} SE ({se:.4f})"


def _collapse_share(table: pd.DataFrame) -> tuple[float, int]:
    settled = table["settlement_round"].notna()
    return float(table.loc[settled, "collapse_round"].notna().mean()), int(settled.sum())


def test_manipulation_beats_facilitation_and_facilitation_beats_none():
    man = _settled(_table({"mediator.strategy": "manipulative"}))
    fac = _settled(_table({"mediator.strategy": "facilitative"}))
    none = _settled(_table({"mediator.strategy": "none"}))
    _greater(man, fac, "manipulative - facilitative")
    _greater(fac, none, "facilitative - none")


def test_deadline_deal_without_a_shift_rarely_succeeds():
    """Within its deadline, the push works when no side still expects the war to pay
    (beliefs have been brought to earth, as by a battlefield shift) and rarely otherwise."""
    shifted = _table({"mediator.strategy": "deadline_deal", **SOBER})
    stuck = _table({"mediator.strategy": "deadline_deal", **OPTIMISTIC})
    in_time_shifted, in_time_stuck = _settled(shifted, by=3), _settled(stuck, by=3)
    _greater(in_time_shifted, in_time_stuck, "deal by the deadline: shifted - stuck")
    assert in_time_stuck.mean() < 0.5 * in_time_shifted.mean()
    # The mediator walks away when the deadline passes.
    assert (stuck["mediator_withdrawal_round"] == 4).all()


def test_ceasefire_first_stalls_while_one_side_has_momentum():
    momentum = _table({"mediator.strategy": "ceasefire_first", **MOMENTUM})
    stable = _table({"mediator.strategy": "ceasefire_first", **STABLE})
    early = 6

    def ceasefire_by(table: pd.DataFrame) -> np.ndarray:
        return (table["first_ceasefire_round"].fillna(10**9) <= early).to_numpy(dtype=float)

    _greater(ceasefire_by(stable), ceasefire_by(momentum), "early ceasefire: stable - momentum")
    # Under momentum, waiting for a ceasefire delays agreement against talking while fighting.
    many = 3 * RUNS  # a smaller effect: more runs
    twf = _table({"mediator.strategy": "talking_while_fighting", **MOMENTUM}, runs=many)
    waits = _table({"mediator.strategy": "ceasefire_first", **MOMENTUM}, runs=many)
    _greater(_settled(twf, by=12), _settled(waits, by=12), "deal in a year: twf - cf-first")


def test_talking_while_fighting_ends_in_an_armistice():
    table = _table({"mediator.strategy": "talking_while_fighting"})
    firsts = table["first_agreement"].dropna()
    assert len(firsts) > 0
    assert (firsts == "framework").all()
    assert (table["ceasefires"] == 0).all()  # no bare ceasefire is ever proposed


def test_public_formula_binds_more_and_private_channel_less():
    public = _table({"mediator.strategy": "public_formula"})
    private = _table({"mediator.strategy": "private_channel"})
    # Quiet talks lower the domestic price of concessions: more agreements...
    _greater(_settled(private), _settled(public), "p_settlement: private - public")
    # ...that are easier to walk away from.
    share_public, n_public = _collapse_share(public)
    share_private, n_private = _collapse_share(private)
    se = np.sqrt(
        share_public * (1 - share_public) / n_public
        + share_private * (1 - share_private) / n_private
    )
    assert share_private - share_public > 3 * se, (share_private, share_public)


def test_working_groups_build_trust_through_partial_agreements():
    groups = _table({"mediator.strategy": "working_groups"})
    formulative = _table({"mediator.strategy": "formulative"})
    assert groups["partial_agreements"].mean() > 1.0
    assert (formulative["partial_agreements"] == 0).all()
    # Both settle almost surely within two years; the trust the partial deals build shows
    # in how soon: within a year.
    _greater(_settled(groups, by=12), _settled(formulative, by=12), "working_groups - formulative")
    assert (groups["first_agreement"].dropna() == "framework").all()  # framework first


def test_withdrawn_carrots_raise_the_collapse_hazard():
    """Deals propped up by a carrot fail more often once the mediator (and carrot) leaves."""
    overrides = {"horizon": 60, "mediator.strategy": "normalization_carrot"}
    stays = _table(overrides)
    leaves = _table({**overrides, "mediator.options.exit_after": 2})
    # The same runs settle the same way until the exit (common random numbers).
    assert np.array_equal(_settled(stays), _settled(leaves))
    settled = _settled(stays) > 0
    broke_stays = stays.loc[settled, "collapse_round"].notna().to_numpy(dtype=float)
    broke_leaves = leaves.loc[settled, "collapse_round"].notna().to_numpy(dtype=float)
    _greater(broke_leaves, broke_stays, "collapse after settlement: exit - stay")


def test_side_with_moves_the_front_and_the_terms_toward_its_ally():
    ally = _table({"mediator.strategy": "side_with"})
    neutral = _table({"mediator.strategy": "formulative"})
    _greater(neutral["final_control"].to_numpy(), ally["final_control"].to_numpy(), "A's control")
    # Runs where both arms end with agreed terms (not fighting again at the horizon).
    both = ally["first_agreement"].notna() & neutral["first_agreement"].notna()
    both &= ally["utility_ukraine"].notna() & neutral["utility_ukraine"].notna()
    both &= ally["outcome"].isin(["framework", "comprehensive"])
    both &= neutral["outcome"].isin(["framework", "comprehensive"])
    assert both.sum() > 100
    _greater(
        ally.loc[both, "utility_ukraine"].to_numpy(),
        neutral.loc[both, "utility_ukraine"].to_numpy(),
        "B's utility of the terms",
    )


def test_withdrawal_leaves_and_stops_drafting():
    leaves = _table({"mediator.strategy": "withdrawal", "mediator.options.after_rounds": 3})
    stays = _table({"mediator.strategy": "formulative"})
    at_war_then = leaves["settlement_round"].fillna(10**9) > 3
    assert (leaves.loc[at_war_then, "mediator_withdrawal_round"] == 4).all()
    assert leaves["mediator_texts"].max() <= 3
    _greater(_settled(stays), _settled(leaves), "p_settlement: stays - leaves")


@pytest.mark.parametrize("name", ["facilitative", "formulative", "manipulative"])
def test_every_mediator_beats_no_mediator(name):
    _greater(
        _settled(_table({"mediator.strategy": name})),
        _settled(_table({"mediator.strategy": "none"})),
        f"{name} - none",
    )


def test_a_credible_mediator_buys_more_deals_with_the_same_carrots():
    """Carrots are promises: a side discounts them by the mediator's credibility (docs/model.md
    §3.6). With threats switched off, only the carrots' worth differs between the arms."""
    carrots_only = {
        "mediator.strategy": "manipulative",
        "mediator.options": {"threat_intensity": 0.0},
        "mediator.guarantee": 0.0,
    }
    believed = _table({**carrots_only, "mediator.credibility": 0.9})
    doubted = _table({**carrots_only, "mediator.credibility": 0.1})
    _greater(_settled(believed, by=12), _settled(doubted, by=12), "credible - doubted carrots")
    # Nominal promises grow as credibility falls; they are capped by leverage, so a doubted
    # mediator cannot fully make up for it.
    assert doubted["mediator_carrots"].sum() > 0


def test_armistice_provisions_make_armistices_likelier_and_more_durable():
    """Monitors and a buffer zone written into an armistice guard the armies it leaves in
    place (docs/model.md §3.9): each side expects it to be kept more, and it collapses less."""
    bare = _table({"mediator.strategy": "talking_while_fighting"})
    guarded = _table(
        {
            "mediator.strategy": "talking_while_fighting",
            "mediator.options": {"monitors": 0.5, "buffer_zone": 0.5},
        }
    )
    _greater(_settled(guarded, by=6), _settled(bare, by=6), "armistice by round 6: guarded - bare")

    def hazard(table: pd.DataFrame) -> float:
        return float(table["collapses"].sum() / table["agreement_rounds"].sum())

    assert hazard(guarded) < 0.8 * hazard(bare)


def test_a_settlement_with_ceasefire_provisions_outlasts_its_mediator():
    """The provisions a deadline push writes into its settlement (an implementation force, a
    zone of separation: Dayton's military annex) stay when the mediator walks away, where
    its guarantee lapses: deals concluded with them collapse less after the exit."""
    bare = _table({"mediator.strategy": "deadline_deal"})
    guarded = _table(
        {
            "mediator.strategy": "deadline_deal",
            "mediator.options": {"monitors": 0.5, "buffer_zone": 0.5},
        }
    )

    def hazard_after_exit(table: pd.DataFrame) -> float:
        return float(
            table["collapses_after_exit"].sum() / table["agreement_rounds_after_exit"].sum()
        )

    assert guarded["agreement_rounds_after_exit"].sum() > 1000
    assert hazard_after_exit(guarded) < 0.8 * hazard_after_exit(bare)
    _greater(_settled(guarded, by=3), _settled(bare, by=3), "deal by round 3: guarded - bare")
