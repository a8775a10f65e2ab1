"""Analysis tables against hand-computed cases: intervals, Kaplan–Meier, hazard, shares,
and the single-run trace."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.experiments.simulate import replay
from sim.reports import analysis
from sim.reports import trace as run_trace
from sim.reports.results import engine_table, wilson_interval

Z = stats.norm.ppf(0.975)
HORIZON = 5


def _table(rows: list[tuple[str, int | None, int | None]]) -> pd.DataFrame:
    """Per-run rows (outcome, settlement_round, end_round) as an engine_table would have."""
    labels = [
        "ongoing",
        "framework",
        "comprehensive",
        "frozen",
        "capitulation_a",
        "capitulation_b",
    ]
    return pd.DataFrame(
        {
            "run": np.arange(len(rows)),
            "outcome": pd.Categorical([r[0] for r in rows], categories=labels),
            "settlement_round": pd.array([r[1] for r in rows], dtype="Int64"),
            "collapse_round": pd.array([None] * len(rows), dtype="Int64"),
            "end_round": pd.array([r[2] for r in rows], dtype="Int64"),
        }
    )


# Seven runs, horizon 5: settlements in rounds 1, 2, 2 and 4; a freeze in round 1 (after the
# talks), a capitulation in round 3 (before the talks), one run still at war at the horizon.
HAND = _table(
    [
        ("comprehensive", 1, None),
        ("framework", 2, None),
        ("comprehensive", 2, None),
        ("frozen", None, 1),
        ("ongoing", None, None),
        ("framework", 4, None),
        ("capitulation_b", None, 3),
    ]
)


def _wilson(x: int, n: int) -> tuple[float, float]:
    centre = (x + Z**2 / 2) / (n + Z**2)
    half = Z / (n + Z**2) * math.sqrt(x * (n - x) / n + Z**2 / 4)
    return centre - half, centre + half


# --------------------------------------------------------------------------------------------
# Intervals


@pytest.mark.parametrize("x,n", [(0, 10), (3, 10), (10, 10), (57, 200)])
def test_wilson_interval_matches_the_formula(x: int, n: int) -> None:
    low, high = analysis.proportion_interval(x, n, method="wilson")
    want = _wilson(x, n)
    assert low[0] == pytest.approx(max(want[0], 0.0), abs=1e-12)
    assert high[0] == pytest.approx(min(want[1], 1.0), abs=1e-12)
    assert (low[0], high[0]) == pytest.approx(wilson_interval(x, n))


def test_wilson_with_no_success_has_closed_form_upper_bound() -> None:
    low, high = analysis.proportion_interval(0, 10)
    assert low[0] == 0.0
    assert high[0] == pytest.approx(Z**2 / (10 + Z**2))


def test_clopper_pearson_matches_exact_beta_bounds() -> None:
    # Zero and all successes have closed forms: 1 - (alpha/2)^(1/n) and (alpha/2)^(1/n).
    low, high = analysis.proportion_interval([0, 10], [10, 10], method="clopper-pearson")
    assert low[0] == 0.0
    assert high[0] == pytest.approx(1 - 0.025 ** (1 / 10))
    assert low[1] == pytest.approx(0.025 ** (1 / 10))
    assert high[1] == 1.0
    # 3 of 10: the beta quantiles that define the interval.
    low, high = analysis.proportion_interval(3, 10, method="clopper-pearson")
    assert low[0] == pytest.approx(stats.beta.ppf(0.025, 3, 8))
    assert high[0] == pytest.approx(stats.beta.ppf(0.975, 4, 7))


def test_interval_of_an_empty_group_is_nan_and_method_is_checked() -> None:
    low, high = analysis.proportion_interval([0, 1], [0, 2])
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert not np.isnan(low[1])
    with pytest.raises(ValueError, match="method"):
        analysis.proportion_interval(1, 2, method="wald")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Settlement probability


def test_settlement_probability_per_group_counts_and_intervals() -> None:
    table = pd.concat(
        [HAND.assign(group="x"), HAND.iloc[[3, 4, 6, 0]].assign(group="y")], ignore_index=True
    )
    out = analysis.settlement_probability(table, by="group")
    assert list(out["group"]) == ["x", "y"]
    assert list(out["runs"]) == [7, 4]
    assert list(out["settled"]) == [4, 1]
    assert out["p_settlement"].tolist() == pytest.approx([4 / 7, 1 / 4])
    assert out.loc[0, "p_settlement_low"] == pytest.approx(_wilson(4, 7)[0])
    assert out.loc[1, "p_settlement_high"] == pytest.approx(_wilson(1, 4)[1])
    # 4 of 7 settle by round 4: the median is the 4th time; group y has fewer than half.
    assert out.loc[0, "median_settlement_round"] == 4
    assert out["median_settlement_round"].isna().tolist() == [False, True]
    exact = analysis.settlement_probability(table, by="group", method="clopper-pearson")
    assert exact.loc[0, "p_settlement_low"] == pytest.approx(stats.beta.ppf(0.025, 4, 4))


def test_settlement_probability_ungrouped_has_one_row() -> None:
    out = analysis.settlement_probability(HAND)
    assert len(out) == 1 and out.loc[0, "runs"] == 7


def test_settlement_against_one_and_two_parameters() -> None:
    rows = []
    for i, (x, y) in enumerate([(0.2, 1), (0.1, 1), (0.2, 2), (0.1, 2)]):
        part = HAND.copy()
        part["x"], part["y"], part["point"] = x, y, i
        # Point 3 settles everything: cells differ.
        if i == 3:
            part["settlement_round"] = pd.array([1] * len(part), dtype="Int64")
        rows.append(part)
    table = pd.concat(rows, ignore_index=True)
    one = analysis.settlement_vs_parameter(table, "x")
    assert one["x"].tolist() == [0.1, 0.2]  # sorted
    assert one["runs"].tolist() == [14, 14]
    assert one["settled"].tolist() == [4 + 7, 8]
    grid = analysis.settlement_grid(table, "x", "y")
    assert len(grid) == 4
    matrix = analysis.grid_matrix(grid, "x", "y")
    assert matrix.loc[2, 0.1] == pytest.approx(1.0)
    assert matrix.loc[1, 0.2] == pytest.approx(4 / 7)
    with pytest.raises(ValueError):
        analysis.settlement_grid(table, "x", "x")
    with pytest.raises(KeyError, match="nope"):
        analysis.settlement_probability(table, by="nope")


# --------------------------------------------------------------------------------------------
# Time to settlement


def test_censoring_keeps_ended_runs_at_risk_until_the_horizon() -> None:
    tts = analysis.time_to_settlement(HAND, HORIZON)
    assert tts["duration"].tolist() == [1, 2, 2, 5, 5, 4, 5]
    assert tts["settled"].tolist() == [True, True, True, False, False, True, False]
    # Last round each run could have settled: the freeze comes after round 1's talks, the
    # capitulation in round 3 before its talks.
    assert tts["at_war_until"].tolist() == [1, 2, 2, 1, 5, 4, 2]


@pytest.mark.slow
def test_kaplan_meier_matches_hand_computation_and_greenwood_interval() -> None:
    surv = analysis.survival_table(HAND, HORIZON)
    assert surv["round"].tolist() == [0, 1, 2, 3, 4, 5]
    assert surv["at_risk"].tolist() == [7, 7, 6, 4, 4, 3]
    assert surv["settled"].tolist() == [0, 1, 2, 0, 1, 0]
    want = [1.0, 6 / 7, 4 / 7, 4 / 7, 3 / 7, 3 / 7]
    assert surv["survival"].tolist() == pytest.approx(want)
    # Censoring only at the horizon: 1 - KM is the share settled by each round.
    assert surv["cumulative_incidence"].tolist() == pytest.approx([1 - s for s in want])
    # Exponential Greenwood ("log-log") interval by hand at round 4.
    greenwood = 1 / (7 * 6) + 2 / (6 * 4) + 1 / (4 * 3)
    s = 3 / 7
    v = greenwood / math.log(s) ** 2
    low, high = s ** math.exp(Z * math.sqrt(v)), s ** math.exp(-Z * math.sqrt(v))
    row = surv[surv["round"] == 4].iloc[0]
    assert row["survival_low"] == pytest.approx(low)
    assert row["survival_high"] == pytest.approx(high)
    assert row["cumulative_incidence_low"] == pytest.approx(1 - high)
    # Before any event the curve is known exactly.
    assert (surv.loc[0, "survival_low"], surv.loc[0, "survival_high"]) == (1.0, 1.0)


def test_kaplan_meier_curve_is_the_product_of_one_minus_the_subdistribution_hazard() -> None:
    surv = analysis.survival_table(HAND, HORIZON)
    haz = analysis.hazard_table(HAND, HORIZON, risk_set="unsettled")
    assert np.cumprod(1 - haz["hazard"]).tolist() == pytest.approx(surv["survival"][1:].tolist())


def test_hazard_matches_hand_computation_on_both_risk_sets() -> None:
    war = analysis.hazard_table(HAND, HORIZON)
    assert war["round"].tolist() == [1, 2, 3, 4, 5]
    assert war["at_risk"].tolist() == [7, 5, 2, 2, 1]
    assert war["settled"].tolist() == [1, 2, 0, 1, 0]
    assert war["hazard"].tolist() == pytest.approx([1 / 7, 2 / 5, 0, 1 / 2, 0])
    assert war.loc[1, "hazard_low"] == pytest.approx(_wilson(2, 5)[0])
    assert war.loc[1, "hazard_high"] == pytest.approx(_wilson(2, 5)[1])
    unsettled = analysis.hazard_table(HAND, HORIZON, risk_set="unsettled")
    assert unsettled["at_risk"].tolist() == [7, 6, 4, 4, 3]
    assert unsettled["hazard"].tolist() == pytest.approx([1 / 7, 2 / 6, 0, 1 / 4, 0])
    with pytest.raises(ValueError, match="risk_set"):
        analysis.hazard_table(HAND, HORIZON, risk_set="all")  # type: ignore[arg-type]


def test_restricted_mean_and_imputed_median() -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    table = pd.concat(
        [HAND.assign(group="x"), HAND.iloc[[3, 4, 6, 0]].assign(group="y")], ignore_index=True
    )
    out = analysis.settlement_time_summary(table, HORIZON, by="group").set_index("group")
    assert out.loc["x", "restricted_mean_settlement_round"] == pytest.approx(
        (1 + 2 + 2 + 5 + 5 + 4 + 5) / 7
    )
    assert out.loc["y", "restricted_mean_settlement_round"] == pytest.approx((5 + 5 + 5 + 1) / 4)
    assert out.loc["x", "median_settlement_round"] == 4
    assert out.loc["x", "median_settlement_round_imputed"] == 4
    assert pd.isna(out.loc["y", "median_settlement_round"])
    assert out.loc["y", "median_settlement_round_imputed"] == HORIZON
    # The restricted mean is the area under the Kaplan–Meier curve up to the horizon.
    tts = analysis.time_to_settlement(HAND, HORIZON)
    kmf = KaplanMeierFitter().fit(tts["duration"], tts["settled"])
    assert restricted_mean_survival_time(kmf, t=HORIZON) == pytest.approx(
        out.loc["x", "restricted_mean_settlement_round"]
    )


def test_per_row_horizon_column_wins_and_bad_rounds_are_refused() -> None:
    table = HAND.copy()
    table["horizon"] = [5, 5, 5, 3, 5, 5, 3]
    tts = analysis.time_to_settlement(table)
    assert tts["duration"].tolist() == [1, 2, 2, 3, 5, 4, 3]
    with pytest.raises(ValueError, match="horizon"):
        analysis.time_to_settlement(HAND, 3)  # a settlement in round 4 > horizon 3
    with pytest.raises(ValueError, match="horizon"):
        analysis.time_to_settlement(HAND)


def test_survival_on_simulated_runs_equals_the_share_settled(ukraine: sim.Scenario) -> None:
    results = sim.simulate(ukraine, runs=300, seed=3)
    table = results.table
    surv = analysis.survival_table(table, ukraine.horizon)
    for t in (1, 6, 24, ukraine.horizon):
        share = (table["settlement_round"].fillna(10**6) <= t).mean()
        got = surv.loc[surv["round"] == t, "cumulative_incidence"].iloc[0]
        assert got == pytest.approx(share)
    summary = results.summary()
    p = analysis.settlement_probability(table).iloc[0]
    assert p["p_settlement"] == pytest.approx(summary.p_settlement)
    assert (p["p_settlement_low"], p["p_settlement_high"]) == pytest.approx(summary.p_settlement_ci)
    median = p["median_settlement_round"]
    assert (None if pd.isna(median) else int(median)) == summary.median_settlement_round


# --------------------------------------------------------------------------------------------
# Outcome shares


def test_outcome_shares_cover_every_outcome_in_stacking_order() -> None:
    table = pd.concat([HAND.assign(g=1), HAND.iloc[:3].assign(g=2)], ignore_index=True)
    out = analysis.outcome_shares(table, by="g")
    first = out[out["g"] == 1]
    assert first["outcome"].astype(str).tolist() == [
        "comprehensive",
        "framework",
        "frozen",
        "capitulation_a",
        "capitulation_b",
        "ongoing",
    ]
    assert first["runs"].tolist() == [2, 2, 1, 0, 1, 1]
    assert first["share"].sum() == pytest.approx(1.0)
    second = out[out["g"] == 2].set_index(out[out["g"] == 2]["outcome"].astype(str))
    assert second.loc["comprehensive", "share"] == pytest.approx(2 / 3)
    assert second.loc["frozen", "runs"] == 0


def test_unknown_outcomes_sort_after_known_ones() -> None:
    assert analysis.outcome_order(["ongoing", "zeta", "frozen", "capitulation_x"]) == [
        "frozen",
        "capitulation_x",
        "ongoing",
        "zeta",
    ]


# --------------------------------------------------------------------------------------------
# One run


def test_trace_table_follows_the_engine_records(ukraine: sim.Scenario) -> None:
    model = replay(ukraine, 7, 1)
    trace = analysis.trace_table(model)
    records = model.engine.records
    assert len(trace) == len(records)
    assert trace["round"].tolist() == [r.round for r in records]
    assert trace["control"].tolist() == [float(r.values["control"][0]) for r in records]
    assert trace["exhaustion_ukraine"].tolist() == [
        float(r.values["exhaustion"][0, 1]) for r in records
    ]
    assert {f"text_{i}" for i in ukraine.issue_names} <= set(trace.columns)
    # One calendar month per round (of 30 days) from the scenario's start.
    months = pd.period_range("2025-01", periods=len(trace), freq="M").astype(str).tolist()
    assert trace["month"].tolist() == months and len(months) > 1
    row = engine_table(model.engine).iloc[0]
    # The last status is the outcome; the first deal is the settlement round.
    assert str(trace["status"].iloc[-1]) == str(row["outcome"])
    deals = trace.loc[trace["deal"].fillna(False).astype(bool), "round"]
    if pd.isna(row["settlement_round"]):
        assert deals.empty
    else:
        assert deals.iloc[0] == row["settlement_round"]
    # Talks records exist only in rounds with talks; refusals carry a named constraint.
    no_talks = ~trace["talks"]
    assert trace.loc[no_talks, "proposer"].isna().all()
    assert trace.loc[no_talks, "utility_russia"].isna().all()
    refused = trace["talks"] & ~trace["accept_russia"].fillna(True).astype(bool)
    assert (
        trace.loc[refused, "refusal_russia"]
        .isin(["terms", "trust", "domestic", "noise", "veto"])
        .all()
    )
    assert (
        trace.loc[trace["accept_russia"].fillna(False).astype(bool), "refusal_russia"].isna().all()
    )


def test_trace_needs_a_traced_single_run(ukraine: sim.Scenario) -> None:
    model = sim.NegotiationModel(ukraine, runs=2, seed=0, collect=False)
    model.step()
    with pytest.raises(ValueError, match="trace"):
        analysis.trace_table(model)


def test_calendar_months_count_rounds_from_the_start_across_years() -> None:
    sc = SimpleNamespace(start="2025-11", round_days=30)
    assert [run_trace._calendar_month(sc, r) for r in (1, 2, 3, 14)] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-12",
    ]
    weekly = SimpleNamespace(start="2025-01", round_days=7)
    assert run_trace._calendar_month(weekly, 5) == "2025-01"  # 28 days in: still January
    assert run_trace._calendar_month(weekly, 6) == "2025-02"


def test_the_stacking_order_derived_from_the_outcomes_is_the_figures_order() -> None:
    # Derived from sim.model.outcomes; pinned here because every stacked figure depends on it.
    assert analysis.OUTCOME_ORDER == (
        "comprehensive",
        "framework",
        "ceasefire",
        "frozen",
        "capitulation",
        "ongoing",
    )
