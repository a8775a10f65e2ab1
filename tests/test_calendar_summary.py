"""The batch summary in calendar terms: the median month of settlement and the share settled
by the end of each year (sim.model.calendar, sim.reports.results.summarise)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim import simulate
from sim.cli import _summary_text
from sim.experiments.storage import write_results
from sim.model.calendar import round_month, year_ends
from sim.reports.results import summarise, wilson_interval
from tests.conftest import build_scenario, minimal_scenario_dict


def _table(settlement_rounds: list[int | None]) -> pd.DataFrame:
    """A per-run table with just what `summarise` reads."""
    n = len(settlement_rounds)
    return pd.DataFrame(
        {
            "outcome": pd.Categorical(
                ["framework" if r is not None else "ongoing" for r in settlement_rounds]
            ),
            "settlement_round": pd.array(settlement_rounds, dtype="Int64"),
            "collapse_round": pd.array([None] * n, dtype="Int64"),
        }
    )


def _old_month(start: str, offset: int, round_days: int) -> str:
    # The mapping for 30-day rounds, written out month by month.
    year, month = (int(x) for x in start.split("-")[:2])
    months = (offset - 1) * round_days // 30
    year, month = year + (month - 1 + months) // 12, (month - 1 + months) % 12 + 1
    return f"{year:04d}-{month:02d}"


@pytest.mark.parametrize("start", ["2025-01", "2024-12", "1951-07", "0001-01"])
def test_thirty_day_rounds_are_calendar_months_as_before(start):
    for t in range(1, 400):
        assert round_month(start, t, 30) == _old_month(start, t, 30)
    assert round_month("2025-01", 12) == "2025-12"
    assert round_month("2025-01", 13) == "2026-01"


def test_other_round_lengths_count_days_on_the_calendar():
    # Weekly rounds from 2025-12-01: round 5 begins on 29 December, round 6 on 5 January.
    assert round_month("2025-12", 5, 7) == "2025-12"
    assert round_month("2025-12", 6, 7) == "2026-01"
    # 52 weeks are 364 days: round 53 of a year starting 1 January begins on 31 December
    # (30-day months would have put it in January of the next year).
    assert round_month("2025-01", 53, 7) == "2025-12"
    # Quarterly (91-day) rounds: 1 Jan, 2 Apr, 2 Jul, 1 Oct, 31 Dec, 1 Apr 2026.
    assert [round_month("2025-01", t, 91) for t in range(1, 7)] == [
        "2025-01",
        "2025-04",
        "2025-07",
        "2025-10",
        "2025-12",
        "2026-04",
    ]


def test_year_ends_and_a_partial_last_year():
    ends = year_ends("2025-01", 30)
    assert [(e["year"], e["last_round"], e["through"], e["whole_year"]) for e in ends] == [
        (2025, 12, "2025-12", True),
        (2026, 24, "2026-12", True),
        (2027, 30, "2027-06", False),
    ]
    # A horizon that ends in December covers the whole year.
    assert year_ends("2025-01", 24)[-1]["whole_year"] is True
    # Starting in November: two rounds in 2025, then January 2026 is the horizon.
    assert [(e["year"], e["last_round"], e["whole_year"]) for e in year_ends("2025-11", 3)] == [
        (2025, 2, True),
        (2026, 3, False),
    ]


def test_settled_by_year_on_a_hand_built_table():
    # Start 2025-01, monthly rounds, horizon 30 (to 2027-06). Round 12 is December 2025 and
    # counts by the end of 2025; round 13 is January 2026 and does not.
    table = _table([12, 13, None, 5, 30, None])
    s = summarise(table, seed=0, horizon=30, start="2025-01", round_days=30)
    by_year = s.settlement_by_year
    assert by_year is not None
    assert [(e["year"], e["settled"]) for e in by_year] == [(2025, 2), (2026, 3), (2027, 4)]
    assert [e["p_settlement"] for e in by_year] == [2 / 6, 3 / 6, 4 / 6]
    for entry in by_year:
        assert entry["p_settlement_ci"] == wilson_interval(entry["settled"], 6)
    assert by_year[-1]["whole_year"] is False and by_year[-1]["through"] == "2027-06"
    # The last year ends at the horizon: its share is p_settlement, interval and all.
    assert by_year[-1]["p_settlement"] == s.p_settlement
    assert by_year[-1]["p_settlement_ci"] == s.p_settlement_ci
    # Median over all six runs, the unsettled censored: the third time is round 13.
    assert s.median_settlement_round == 13
    assert s.median_settlement_month == "2026-01"


def test_weekly_rounds_count_in_the_year_they_begin():
    # Start 2025-12, 7-day rounds: round 5 begins on 29 December 2025, round 6 in 2026.
    table = _table([5, 6, None])
    s = summarise(table, seed=0, horizon=10, start="2025-12", round_days=7)
    by_year = s.settlement_by_year
    assert by_year is not None
    assert [(e["year"], e["last_round"], e["settled"]) for e in by_year] == [
        (2025, 5, 1),
        (2026, 10, 2),
    ]
    assert s.median_settlement_round == 6
    assert s.median_settlement_month == "2026-01"


def test_median_month_not_reached_when_under_half_settle():
    s = summarise(_table([3, None, None]), seed=0, horizon=12, start="2025-01")
    assert s.median_settlement_round is None
    assert s.median_settlement_month is None
    text = _summary_text(s, "tiny", None)
    assert "  median month of settlement: not reached (under half settle)" in text.splitlines()
    assert "  settled by the end of 2025: 0.333 (95% CI 0.061-0.792)" in text.splitlines()


def test_without_a_start_the_summary_is_as_before():
    s = summarise(_table([3, 4, None]), seed=0, horizon=12)
    data = s.to_dict()
    assert "median_settlement_month" not in data and "settlement_by_year" not in data
    assert "median month" not in _summary_text(s, "tiny", None)


@pytest.fixture(scope="module")
def batch():
    data = minimal_scenario_dict()
    data["start"] = "2025-07"
    data["horizon"] = 20  # to 2027-02: 2025 (6 rounds), 2026 (18), part of 2027 (20)
    return simulate(build_scenario(data), runs=400, seed=5)


def test_median_month_matches_the_median_round(batch, ukraine):
    for results in (batch, simulate(ukraine, runs=300, seed=2)):
        s = results.summary()
        sc = results.scenario
        if s.median_settlement_round is None:
            assert s.median_settlement_month is None
        else:
            assert s.median_settlement_month == round_month(
                sc.start, s.median_settlement_round, sc.round_days
            )
        rounds = results.table["settlement_round"].dropna().to_numpy(dtype=int)
        assert s.settlement_by_year is not None
        for entry in s.settlement_by_year:
            assert entry["settled"] == np.count_nonzero(rounds <= entry["last_round"])


def test_json_manifest_and_screen_carry_the_calendar(batch, tmp_path):
    data = batch.summary().to_dict()
    assert [(e["year"], e["last_round"], e["whole_year"]) for e in data["settlement_by_year"]] == [
        (2025, 6, True),
        (2026, 18, True),
        (2027, 20, False),
    ]
    for entry in data["settlement_by_year"]:
        assert set(entry) == {
            "year",
            "last_round",
            "through",
            "whole_year",
            "settled",
            "p_settlement",
            "p_settlement_ci",
        }
        assert isinstance(entry["p_settlement_ci"], list)
    assert "median_settlement_month" in data
    json.dumps(data)  # plain JSON

    write_results(batch, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["summary"] == json.loads(json.dumps(data))

    lines = _summary_text(batch.summary(), "tiny", None).splitlines()
    years = [line for line in lines if line.startswith("  settled by ")]
    assert [line.split(":")[0] for line in years] == [
        "  settled by the end of 2025",
        "  settled by the end of 2026",
        "  settled by the horizon (2027-02, part of 2027)",
    ]
    at = lines.index(next(line for line in lines if line.startswith("  median round")))
    assert lines[at + 1].startswith("  median month of settlement: ")
    assert lines[at + 2 : at + 5] == years
