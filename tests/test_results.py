"""Summaries: probabilities with Wilson intervals, and a censored median time to settle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import simulate
from sim.reports.results import median_settlement_round, wilson_interval
from tests.conftest import SUMMARY_KEYS as REQUIRED
from tests.conftest import build_scenario, minimal_scenario_dict


def _wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(7, 20), (0, 15), (15, 15), (1, 1000), (512, 1000)])
def test_wilson_interval(k, n):
    low, high = wilson_interval(k, n)
    assert (low, high) == pytest.approx(_wilson_by_hand(k, n), abs=1e-9)
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_wilson_interval_hand_value():
    # 7 of 20: p = 0.35, Wilson 95% interval ~ (0.1812, 0.5671).
    low, high = wilson_interval(7, 20)
    assert low == pytest.approx(0.18117, abs=5e-5)
    assert high == pytest.approx(0.56713, abs=5e-5)
    wide = wilson_interval(7, 20, alpha=0.01)
    assert wide[0] < low and wide[1] > high


def _series(values: list[int | None]) -> pd.Series:
    return pd.Series(pd.array(values, dtype="Int64"))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3, None, 1, 5, None], 5),  # sorted (censored last): 1 3 5 . . -> 3rd of 5
        ([2, 4, None, None], 4),  # 2 of 4 settled by round 4: S(4) = 0.5
        ([9, 2, 7, 1], 2),  # all settle: lower median
        ([4], 4),
        ([1, None, None], None),  # fewer than half settle
        ([None, None], None),
        ([6, None], 6),
    ],
)
def test_median_settlement_round(values, expected):
    result = median_settlement_round(_series(values), len(values))
    assert result == expected


def test_median_settlement_round_empty():
    assert median_settlement_round(_series([]), 0) is None


def test_summary_of_a_simulation_matches_its_table(ukraine):
    results = simulate(ukraine, runs=1500, seed=9)
    table = results.table
    summary = results.summary()
    data = summary.to_dict()
    assert set(data) >= REQUIRED
    assert data["runs"] == 1500 and data["seed"] == 9 and data["horizon"] == ukraine.horizon
    assert sum(data["outcomes"].values()) == 1500
    settled = int(table["settlement_round"].notna().sum())
    assert data["p_settlement"] == pytest.approx(settled / 1500)
    low, high = data["p_settlement_ci"]
    assert low <= data["p_settlement"] <= high and low < high
    assert (low, high) == pytest.approx(_wilson_by_hand(settled, 1500), abs=1e-9)
    times = np.sort(table["settlement_round"].dropna().to_numpy(dtype=int))
    assert settled >= 750  # the scenario settles more often than not
    assert data["median_settlement_round"] == times[750 - 1]
    outcome_counts = table["outcome"].value_counts()
    for name, count in data["outcomes"].items():
        assert outcome_counts.get(name, 0) == count


def test_table_columns_and_types(ukraine):
    table = simulate(ukraine, runs=200, seed=1).table
    issues = ukraine.issue_names
    expected = {
        "run",
        "outcome",
        "settlement_round",
        "first_agreement",
        "collapse_round",
        "end_round",
        *(f"terms_{i}" for i in issues),
        "utility_russia",
        "utility_ukraine",
    }
    assert expected <= set(table.columns)
    assert any(c.startswith("mediator_") for c in table.columns)
    assert str(table["settlement_round"].dtype) == "Int64"
    assert len(table) == 200
    assert table["run"].tolist() == list(range(200))
    # Settlement happens within the horizon; a collapse can only follow a settlement.
    rounds = table["settlement_round"].dropna()
    assert rounds.between(1, ukraine.horizon).all()
    collapsed = table["collapse_round"].notna()
    assert table.loc[collapsed, "settlement_round"].notna().all()
    assert (table.loc[collapsed, "collapse_round"] > table.loc[collapsed, "settlement_round"]).all()
    # Runs that never settled have no first agreement.
    never = table["settlement_round"].isna()
    assert table.loc[never, "first_agreement"].isna().all()
    # Terms, where present, are positions in [0, 1].
    terms = table[[f"terms_{i}" for i in issues]].to_numpy(dtype=float)
    present = terms[~np.isnan(terms)]
    assert np.all((present >= 0) & (present <= 1))


def test_p_settlement_none_settle():
    """A summary where nothing settles: p = 0, CI starts at 0, no median."""
    data = minimal_scenario_dict()
    data["horizon"] = 5
    for name in ("a", "b"):
        data["parties"][name].update(breaking_point=1000.0, decision_noise=0.0)
        data["parties"][name]["domestic"] = {"hardliner_cost": 1.0}
    summary = simulate(build_scenario(data), runs=50, seed=0).summary().to_dict()
    assert summary["p_settlement"] == 0.0
    assert summary["p_settlement_ci"][0] == pytest.approx(0.0, abs=1e-12)
    assert 0.0 < summary["p_settlement_ci"][1] < 0.1
    assert summary["median_settlement_round"] is None
