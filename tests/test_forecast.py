"""Coded-case forecasts of ICB crises: the coding rule, bad rows, the scores, the command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.experiments.forecast import coding, reading, scoring
from sim.experiments.forecast.running import base_data, code_rows
from sim.model.config import apply_overrides, scenario_from_dict

HEADER = (
    "crisno,crisname,yrtrig,motrig,datrig,yrterm,moterm,daterm,"
    "sevviosy,powdissy,gravcr,protrac,medstyle,forout,outesr"
)
# Made-up crises (not ICB rows): two per period, one of each outcome at least.
TINY = [
    "1,ALPHA,1950,1,10,1950,3,1,1,2,2,1,1,4,2",
    "2,BETA,1955,5,1,1956,1,1,4,10,6,3,4,1,1",
    "3,GAMMA,1960,2,2,1960,2,20,3,0,3,2,2,1,2",
    "4,DELTA,1975,3,3,1975,9,9,2,5,5,1,3,2,2",
    "5,EPSILON,1980,7,7,1981,7,7,4,15,6,3,1,1,1",
    "6,ZETA,1985,1,1,1985,2,1,,3,2,1,1,7,2",
    "7,ETA,1986,1,1,1986,2,1,2,3,9,1,1,7,2",
]


def _row(text: str) -> dict[str, str]:
    return dict(zip(HEADER.split(","), text.split(","), strict=True))


def _write(tmp_path: Path, lines: list[str], name: str = "crises.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


# --- the coding rule, checked by hand -------------------------------------------------------


def test_a_mediated_war_of_existence_is_coded_as_the_table_says() -> None:
    crisis = coding.code_crisis(_row(TINY[1]))  # BETA: war, score 10, existence, long war, manip.
    assert (crisis.violence, crisis.gravity, crisis.protracted, crisis.mediation) == (4, 6, 3, 4)
    assert crisis.period == "calibration"
    points = coding.scenario_overrides(crisis, 32, seed=0)
    for point in points:
        assert 0.02 <= point["parties.a.cost_per_month"] <= 0.04
        assert 0.02 <= point["parties.b.cost_per_month"] <= 0.04
        assert 1.0 <= point["parties.b.breaking_point"] <= 2.0
        assert 0.0 <= point["parties.a.trust"] <= 0.1
        assert point["mediator.strategy"] == "manipulative"
        # A score of 10 is half way to the most lopsided war: the weaker side has 0.65.
        assert sorted([point["parties.a.capacity"], point["parties.b.capacity"]]) == pytest.approx(
            [0.65, 1.0]
        )
    weaker_a = [p["parties.a.capacity"] < 1 for p in points]
    assert 0 < sum(weaker_a) < len(points)  # the rule does not say which side is weaker


def test_an_unmediated_crisis_without_violence_has_no_mediator() -> None:
    crisis = coding.code_crisis(_row(TINY[0]))  # ALPHA: no violence, score 2, political, none
    points = coding.scenario_overrides(crisis, 8, seed=0)
    for point in points:
        assert not any(path.startswith("mediator") for path in point)
        assert 0.002 <= point["parties.b.cost_per_month"] <= 0.005
        assert 0.3 <= point["parties.b.breaking_point"] <= 0.8
        assert 0.1 <= point["parties.b.trust"] <= 0.5
    assert math.isclose(coding.weaker_capacity(2.0), 0.93)
    assert math.isclose(coding.weaker_capacity(40.0), coding.WEAKEST_CAPACITY)


@pytest.mark.parametrize("line", [TINY[1], TINY[2], TINY[3]])
def test_every_point_is_a_valid_scenario(line: str) -> None:
    base = base_data()
    crisis = coding.code_crisis(_row(line))
    for point in coding.scenario_overrides(crisis, 4, seed=1):
        scenario = scenario_from_dict(apply_overrides(base, point))
        expected = coding.STRATEGIES[crisis.mediation]
        assert (scenario.mediator is None) == (expected is None)
        if expected is not None:
            assert scenario.mediator is not None
            assert scenario.mediator.strategy == expected


def test_a_crisis_ensemble_depends_on_the_seed_and_its_number_alone() -> None:
    crisis = coding.code_crisis(_row(TINY[2]))
    assert coding.scenario_overrides(crisis, 4, 3) == coding.scenario_overrides(crisis, 4, 3)
    assert coding.scenario_overrides(crisis, 4, 3) != coding.scenario_overrides(crisis, 4, 4)


# --- bad rows -------------------------------------------------------------------------------


def test_bad_rows_get_one_line_each_and_are_skipped() -> None:
    rows = [_row(line) for line in TINY]
    rows.append(_row("8,THETA,1962,1,1,1962,4,1,2,-1,4,1,3,3,1"))
    rows.append(_row("9,IOTA,1962,1,1,1962,4,1,2,1,4,1,x,3,1"))
    rows.append(_row("1,ALPHA AGAIN,1950,1,10,1950,3,1,1,2,2,1,1,4,2"))
    rows.append(_row(",,1962,1,1,1962,4,1,2,1,4,1,1,3,1"))
    coded, skipped = code_rows(rows)
    assert [c.crisno for c in coded] == [1, 2, 3, 4, 5]
    assert skipped == [
        "crisis 6 (ZETA): skipped, sevviosy is missing",
        "crisis 7 (ETA): skipped, gravcr = 9 is not a code of the codebook "
        "(0, 1, 2, 3, 4, 5, 6, 7)",
        "crisis 8 (THETA): skipped, powdissy = -1 is negative",
        "crisis 9 (IOTA): skipped, medstyle = 'x' is not a number",
        "crisis 1 (ALPHA AGAIN): skipped, crisno 1 appears twice",
        "line 12: skipped, crisno is missing",
    ]


def test_the_recorded_outcomes_are_read_from_their_codes() -> None:
    assert reading.recorded_formal({"forout": "1"}) == 1
    assert reading.recorded_formal({"forout": "7"}) == 0
    assert reading.recorded_formal({"forout": "9"}) is None
    assert reading.recorded_reduction({"outesr": "2"}) == 1
    assert reading.recorded_reduction({"outesr": "1"}) == 0
    assert reading.recorded_reduction({"outesr": ""}) is None
    assert reading.recorded_duration(_row(TINY[0])) == 50.0  # 10 Jan to 1 Mar 1950
    assert reading.recorded_duration({**_row(TINY[0]), "daterm": "31", "moterm": "2"}) is None


# --- scores against a hand computation ------------------------------------------------------

P = np.array([0.9, 0.2, 0.6, 0.4])
Y = np.array([1, 0, 0, 1])


def test_scores_equal_the_hand_computation() -> None:
    # (0.1^2 + 0.2^2 + 0.6^2 + 0.6^2) / 4
    assert math.isclose(scoring.brier(P, Y), 0.1925)
    # Always 0.5 scores 0.25, so the skill is 1 - 0.1925 / 0.25.
    assert math.isclose(scoring.brier_skill(P, Y, 0.5), 0.23)
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4) + math.log(0.4)) / 4
    assert math.isclose(scoring.log_loss(P, Y), expected)
    # Positives 0.9 and 0.4 against negatives 0.2 and 0.6: three pairs of four ranked right.
    assert scoring.auc(P, Y) == 0.75
    assert scoring.auc(np.array([0.5, 0.5]), np.array([1, 0])) == 0.5
    assert math.isclose(scoring.log_loss(np.array([0.0]), np.array([1])), -math.log(0.005))
    assert math.isclose(
        scoring.median_abs_log_error(np.array([10.0, 100.0, 10.0]), np.array([10.0, 10.0, 10.0])),
        0.0,
    )


def test_the_roc_curve_and_the_reliability_bins() -> None:
    fpr, tpr = scoring.roc_curve(P, Y)
    assert fpr.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0]
    assert tpr.tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]
    assert math.isclose(float(np.trapezoid(tpr, fpr)), scoring.auc(P, Y))
    bins = scoring.reliability(P, Y, bins=2)
    assert bins["count"].tolist() == [2, 2]
    assert bins["observed"].tolist() == [0.5, 0.5]


def test_the_logit_recovers_the_log_odds_of_a_single_indicator() -> None:
    # x = 0: one positive in four; x = 1: three in four. The MLE is log(1/3) and log(9).
    x = np.array([[0], [0], [0], [0], [1], [1], [1], [1]])
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    fit = scoring.fit_logit(x, y, ridge=1e-9)
    assert np.allclose(fit.coefficients, [math.log(1 / 3), math.log(9)], atol=1e-4)
    assert np.allclose(fit.predict(np.array([[0], [1]])), [0.25, 0.75], atol=1e-5)


# --- the command ----------------------------------------------------------------------------


def test_the_command_writes_forecasts_and_scores(tmp_path, capsys) -> None:
    path = _write(tmp_path, TINY)
    out = tmp_path / "out"
    argv = ["forecast", "icb", str(path), "--out", str(out), "--points", "3", "--runs", "4"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "5 crises coded, 2 skipped" in captured.out
    assert captured.err.splitlines() == [
        "negsim: crisis 6 (ZETA): skipped, sevviosy is missing",
        "negsim: crisis 7 (ETA): skipped, gravcr = 9 is not a code of the codebook "
        "(0, 1, 2, 3, 4, 5, 6, 7)",
    ]
    report = json.loads((out / "scores.json").read_text())
    assert set(report["periods"]) == {"calibration", "holdout"}
    calibration = report["periods"]["calibration"]["formal_agreement"]
    assert calibration["crises"] == 3 and math.isclose(calibration["base_rate"], 2 / 3)
    assert set(calibration) >= {"model", "base_rate_forecast", "logit"}
    table = (out / "forecasts.csv").read_text().splitlines()
    assert len(table) == 6 and "p_formal_agreement" in table[0]


@pytest.mark.slow
def test_plot_draws_reliability_and_roc_of_a_forecast_folder(tmp_path, capsys) -> None:
    path = _write(tmp_path, TINY)
    out = tmp_path / "out"
    assert (
        main(["forecast", "icb", str(path), "--out", str(out), "--points", "2", "--runs", "3"]) == 0
    )
    assert main(["plot", str(out)]) == 0
    names = sorted(p.name for p in (out / "figures").iterdir())
    assert names == [
        "reliability_formal_agreement.png",
        "reliability_tension_reduction.png",
        "roc_formal_agreement.png",
        "roc_tension_reduction.png",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("crisno,crisname\n1,ALPHA\n", "columns = "),
        ("", "<empty file>"),
        (HEADER + "\n" + TINY[0] + ",extra\n", "<extra fields>"),
    ],
)
def test_a_malformed_file_is_one_line_and_exit_2(tmp_path, capsys, content, expected) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    assert main(["forecast", "icb", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("negsim: error: ")
    assert expected in err
    assert not (tmp_path / "o").exists()


def test_a_missing_or_binary_file_is_one_line_and_exit_2(tmp_path, capsys) -> None:
    assert main(["forecast", "icb", str(tmp_path / "none.csv"), "--out", str(tmp_path)]) == 2
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00crisno")
    assert main(["forecast", "icb", str(binary), "--out", str(tmp_path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and all(line.startswith("negsim: error: ") for line in lines)
