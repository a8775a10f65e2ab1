"""`negsim validate`: declared checks, their statistics and intervals, and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.errors import ConfigError
from sim.experiments import validation as v
from sim.experiments.validation import bootstrap, checks, stats
from tests.conftest import ROOT, negsim

CHECKS = ROOT / "validation"


def _write(tmp_path: Path, text: str, name: str = "check.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


SMALL = """
title: small
claim: a mediator raises settlement
source: test
scenario: {scenario}
runs: 240
seed: 3
set: {{horizon: 12}}
ensemble:
  points: 6
  seed: 1
  parameters:
    parties.a.trust: {{range: [0.0, 0.5]}}
arms:
  mediated: {{set: {{mediator.strategy: manipulative}}}}
  none: {{without: [mediator]}}
expect:
  - {{stat: p_settlement, difference: [mediated, none], above: 0.0}}
  - {{stat: p_settlement, arm: none, between: [0.0, 1.0]}}
"""


def _small(tmp_path: Path, **fmt: str) -> Path:
    scenario = ROOT / "validation" / "scenarios" / "interstate_war.yaml"
    return _write(tmp_path, SMALL.format(scenario=scenario, **fmt))


@pytest.mark.slow
def test_every_declared_check_loads_with_a_unique_name():
    checks = v.load_checks([CHECKS])
    names = [c.name for c in checks]
    assert len(names) == len(set(names)) >= 15
    groups = {c.group for c in checks}
    assert {"analytic", "stylized", "case"} <= groups
    for c in checks:
        assert c.source and c.claim and c.conditions


def test_run_frame_classifies_how_the_fighting_first_stopped():
    table = pd.DataFrame(
        {
            "settlement_round": pd.array([3, None, None, None, 5], dtype="Int64"),
            "first_ceasefire_round": pd.array([None, 2, None, None, 4], dtype="Int64"),
            "end_round": pd.array([None, None, 7, 9, None], dtype="Int64"),
            "outcome": ["comprehensive", "ceasefire", "frozen", "capitulation_b", "framework"],
            "collapse_round": pd.array([6, None, None, None, None], dtype="Int64"),
            "first_ceasefire_collapse_round": pd.array([None, 5, None, None, None], dtype="Int64"),
            "collapses": [1, 0, 0, 0, 0],
            "agreement_rounds": [3, 0, 0, 0, 7],
            "collapses_after_exit": [0, 0, 0, 0, 0],
            "agreement_rounds_after_exit": [0, 0, 0, 0, 0],
            "ceasefire_collapses": [0, 1, 0, 0, 0],
            "ceasefire_rounds": [0, 3, 0, 0, 1],
        }
    )
    f = v.run_frame(table, horizon=12)
    assert f["ending"].tolist() == ["agreement", "ceasefire", "frozen", "victory", "ceasefire"]
    assert f["war_duration"].tolist() == [3, 2, 7, 9, 4]
    assert f["settlement_round"].tolist() == [3, 13, 13, 13, 5]  # 13: censored at 12
    assert f["first_collapse_gap"][0] == 3 and f["truce_gap"][1] == 3


def _arms(frames: dict[str, pd.DataFrame], horizon: int = 12) -> dict[str, v.ArmResult]:
    return {k: v.ArmResult(f, horizon, len(f)) for k, f in frames.items()}


def _frame(settled: list[bool], cluster: list[int]) -> pd.DataFrame:
    n = len(settled)
    return pd.DataFrame(
        {
            "settled": settled,
            "settlement_round": [1 if s else 13 for s in settled],
            "war_duration": [1 if s else 13 for s in settled],
            "ending": ["agreement" if s else "ongoing" for s in settled],
            "collapses": np.zeros(n),
            "agreement_rounds": np.zeros(n),
            "cluster": cluster,
        }
    )


def test_ratio_and_difference_are_computed_per_bootstrap_replicate():
    hi = _frame([True, True, True, False] * 5, list(range(20)))
    lo = _frame([True, False, False, False] * 5, list(range(20)))
    sampler = bootstrap.Sampler(_arms({"hi": hi, "lo": lo}), seed=1)
    stat = v.parse_stat("p_settlement")
    rep_hi, rep_lo = sampler.values("hi", stat), sampler.values("lo", stat)
    assert rep_hi[0] == pytest.approx(0.75) and rep_lo[0] == pytest.approx(0.25)
    # Paired clusters: the same weights resample both arms, so the difference of the
    # replicates is never below the smallest per-cluster difference (here 0).
    assert np.all(rep_hi[1:] - rep_lo[1:] >= 0.0)
    with np.errstate(divide="ignore"):  # a replicate may draw no settled run in `lo`
        est = bootstrap.interval(rep_hi / rep_lo)
    assert est.value == pytest.approx(3.0) and est.low < 3.0 < est.high


def test_weibull_shape_is_recovered_from_monthly_interval_censored_durations():
    rng = np.random.default_rng(7)
    for shape in (0.7, 1.0, 1.6):
        t = 8.0 * rng.weibull(shape, size=40000)
        months = np.ceil(t).astype(int)
        horizon = 60
        months = np.minimum(months, horizon + 1)
        hist = np.bincount(months - 1, minlength=horizon + 1).astype(float)
        assert v.weibull_shape(hist, horizon) == pytest.approx(shape, rel=0.04)


def test_duration_functionals_on_a_hand_built_histogram():
    horizon = 4
    hist = np.array([4.0, 2.0, 1.0, 1.0, 2.0])  # 10 wars: ended in rounds 1-4, 2 censored
    med = stats.duration_value(v.parse_stat("war_duration.median"), hist, horizon)
    assert med == 2.0  # S(1) = 0.6, S(2) = 0.4
    longer = stats.duration_value(v.parse_stat("war_duration.longer_than:3"), hist, horizon)
    assert longer == pytest.approx(0.3)
    # Hazard per round at risk: rounds 1-2: 6 events / (10 + 6) at risk; rounds 3-4: 2 / (4 + 3).
    late = stats.duration_value(v.parse_stat("war_duration.hazard_ratio_late:2"), hist, horizon)
    assert late == pytest.approx((2 / 7) / (6 / 16))


@pytest.mark.parametrize("name", ["analytic_fearon", "analytic_nash", "analytic_rubinstein"])
def test_analytic_benchmarks_pass(name):
    check = v.load_check(CHECKS / f"{name}.yaml")
    outcomes = v.run_check(check)
    assert outcomes and all(o.passed for o in outcomes), [o.to_dict() for o in outcomes]
    # The names a check file is held to when read are the ones the benchmark returns.
    from sim.experiments import analytic

    names = analytic.stat_names(check.kind, check.parameters)
    assert sorted(names) == sorted(analytic.run(check, runs=5))


@pytest.mark.slow
def test_a_small_ensemble_check_is_deterministic_and_backend_free(tmp_path):
    check = v.load_check(_small(tmp_path))
    one = [o.to_dict() for o in v.run_check(check, workers=1)]
    two = [o.to_dict() for o in v.run_check(check, workers=2)]
    assert one == two
    assert all(o["passed"] for o in one), one
    # Arms share run indices: the difference is paired by scenario.
    arms = v.run_check_arms(check)
    assert set(arms) == {"mediated", "none"}
    for arm in arms.values():
        assert arm.runs == 240 and arm.frame["cluster"].nunique() == 6


@pytest.mark.slow
def test_cli_validate_json_and_exit_codes(tmp_path):
    ok = negsim("validate", str(CHECKS / "analytic_nash.yaml"), "--json")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["passed"] is True
    row = data["results"][0]
    assert {"check", "expected", "value", "ci", "passed", "source"} <= set(row)
    # An expectation the model cannot meet makes the command fail (exit 1), with the table.
    text = _small(tmp_path).read_text()
    impossible = text.replace("between: [0.0, 1.0]", "between: [0.999, 1.0]")
    path = _write(tmp_path, impossible, "impossible.yaml")
    bad = negsim("validate", str(path), "--runs", "60")
    assert bad.returncode == 1
    assert "FAIL" in bad.stdout and "1/2 expectations met" in bad.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "edit, where",
    [
        (("title: small", "titel: small"), "titel"),
        (("stat: p_settlement, arm: none", "stat: p_setlement, arm: none"), "expect[1].stat"),
        (("arm: none", "arm: nobody"), "expect[1].arm"),
        (("mediator.strategy: manipulative", "mediator.strategy: bogus"), "mediator.strategy"),
        (("range: [0.0, 0.5]", "range: [0.5, 0.0]"), "parties.a.trust.range"),
        (("between: [0.0, 1.0]", "between: [1.0, 0.0]"), "expect[1].between"),
    ],
)
def test_bad_checks_get_one_line_and_exit_code_2(tmp_path, edit, where):
    text = _small(tmp_path).read_text().replace(*edit)
    path = _write(tmp_path, text, "bad.yaml")
    with pytest.raises(ConfigError) as err:
        v.load_check(path)
    assert where in str(err.value) and str(path) in str(err.value)
    proc = negsim("validate", str(path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_only_reads_just_the_checks_it_names(tmp_path):
    broken = tmp_path / "zz_broken.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    fearon = tmp_path / "analytic_fearon.yaml"
    text = (CHECKS / "analytic_fearon.yaml").read_text(encoding="utf-8")
    scenario = CHECKS / "scenarios" / "fearon_benchmark.yaml"
    fearon.write_text(text.replace("scenarios/fearon_benchmark.yaml", str(scenario)))
    # A broken check is refused when read, and not read at all when not chosen.
    with pytest.raises(ConfigError, match="zz_broken"):
        v.load_checks([tmp_path])
    checks = v.load_checks([tmp_path], only=["analytic_fearon"])
    assert [c.name for c in checks] == ["analytic_fearon"]
    # The names are still checked against every file.
    with pytest.raises(ConfigError, match="unique check name"):
        v.load_checks([CHECKS, tmp_path], only=["analytic_nash"])
    with pytest.raises(ConfigError, match="did you mean 'analytic_fearon'"):
        v.load_checks([tmp_path], only=["analytic_fearonn"])


@pytest.mark.slow
def test_cli_rejects_missing_files_and_unknown_names(tmp_path):
    missing = negsim("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr
    unknown = negsim("validate", str(CHECKS), "--only", "analytic_fearonn")
    assert unknown.returncode == 2 and "analytic_fearon" in unknown.stderr


def test_statistic_names_are_checked():
    for good in (
        "p_settlement",
        "ending:agreement+ceasefire",
        "war_duration.weibull_shape",
        "collapse_within:24",
        "settlement_round.longer_than:3",
        "outcome:frozen",
    ):
        v.parse_stat(good)
    for bad in ("ending:peace", "collapse_within:x", "war_duration.mean", "p_settlement:3"):
        with pytest.raises(ConfigError):
            v.parse_stat(bad)
    assert math.isnan(stats.duration_value(v.parse_stat("war_duration.median"), np.zeros(5), 4))


@pytest.mark.parametrize(
    "edit, where",
    [
        # Arguments that would crash, or count nothing, once the runs are done.
        (
            ("stat: p_settlement, arm: none", 'stat: "war_duration.longer_than:inf", arm: none'),
            "expect[1].stat",
        ),
        (
            ("stat: p_settlement, arm: none", 'stat: "collapse_within:2.5", arm: none'),
            "expect[1].stat",
        ),
        (
            ("stat: p_settlement, arm: none", 'stat: "war_duration.longer_than:13", arm: none'),
            "from 1 to 12 (horizon 12)",
        ),
        (
            ("stat: p_settlement, arm: none", 'stat: "collapse_within:12", arm: none'),
            "from 1 to 11 (horizon 12)",
        ),
        # Bounds no share can reach, and a bound meant for analytic checks.
        (("between: [0.0, 1.0]", "between: [1.5, 2.0]"), "expect[1].between"),
        (("between: [0.0, 1.0]", "at_most: 0.5"), "expect[1].at_most"),
        # An arm that sets what it removes; names and texts of the wrong type.
        (
            (
                "none: {without: [mediator]}",
                "none: {without: [mediator], set: {mediator.strategy: bogus}}",
            ),
            "arms.none.set.mediator.strategy",
        ),
        (("none: {without: [mediator]}", "1: {without: [mediator]}"), "arms.1"),
        (("title: small", "title: [a, b]"), "title"),
        # A drawn value the scenario refuses is named as the distribution written.
        (("range: [0.0, 0.5]", "range: [0.5, 3.0]"), "ensemble.parameters.parties.a.trust"),
        (("points: 6", "points: 100000000"), "ensemble.points"),
    ],
)
def test_bad_checks_are_refused_before_anything_runs(tmp_path, edit, where):
    text = _small(tmp_path).read_text()
    assert edit[0] in text
    path = _write(tmp_path, text.replace(*edit), "bad.yaml")
    with pytest.raises(ConfigError) as err:
        v.load_check(path)
    assert where in str(err.value) and str(path) in str(err.value)


def test_a_drawn_value_out_of_range_names_the_range_and_the_draw(tmp_path):
    text = _small(tmp_path).read_text().replace("range: [0.0, 0.5]", "range: [0.5, 3.0]")
    with pytest.raises(ConfigError) as err:
        v.load_check(_write(tmp_path, text, "bad.yaml"))
    assert err.value.value == {"range": [0.5, 3.0]} and "drawn " in str(err.value)


def _analytic(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = (CHECKS / f"{name}.yaml").read_text(encoding="utf-8")
    scenario = CHECKS / "scenarios" / "fearon_benchmark.yaml"
    text = text.replace("scenarios/fearon_benchmark.yaml", str(scenario))
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    return _write(tmp_path, text, f"{name}.yaml")


@pytest.mark.parametrize(
    "name, edit, where",
    [
        ("analytic_nash", ("biases: [0.0, 0.4, -0.5]", "biases: [0.0, 7]"), "parameters.biases[1]"),
        ("analytic_nash", ("biases:", "biasses:"), "parameters.biasses"),
        (
            "analytic_nash",
            ("parties.a.screening_z: 0.0", "parties.a.screenin_z: 0.0"),
            "set.parties.a.screenin_z",
        ),
        ("analytic_fearon", ("runs: 200", "runs: 200\narms: {x: {}}"), "arms"),
        ("analytic_fearon", ("stat: belief_gap,", "stat: belief_gap, arm: x,"), "expect[2].arm"),
        (
            "analytic_rubinstein",
            ("stat: agreement_period", "stat: agreement_perod"),
            "expect[0].stat",
        ),
        ("analytic_rubinstein", ("grids:", "grid:"), "parameters.grid"),
        ("analytic_rubinstein", ("kind: rubinstein", "kind: rubinstein\nset: {horizon: 3}"), "set"),
    ],
)
def test_analytic_checks_refuse_what_they_would_ignore_or_fail_on(tmp_path, name, edit, where):
    path = _analytic(tmp_path, name, edit)
    with pytest.raises(ConfigError) as err:
        v.load_check(path)
    # Named in the check file, where the value was written, not in the scenario it reached.
    assert str(err.value).startswith(f"{path}: {where} ")


@pytest.mark.slow
def test_only_with_no_name_and_json_infinities(tmp_path):
    proc = negsim("validate", str(CHECKS), "--only", ",")
    assert proc.returncode == 2 and "--only" in proc.stderr and "Traceback" not in proc.stderr
    # JSON has no infinity: a median never reached is "inf", an undefined value null.
    assert checks.json_value(math.inf) == "inf" and checks.json_value(-math.inf) == "-inf"
    assert checks.json_value(math.nan) is None and checks.json_value(2.5) == 2.5
    # No war ended: the Weibull shape is undefined, not a number the optimiser wandered to.
    hist = np.zeros(13)
    hist[-1] = 50.0
    assert math.isnan(v.weibull_shape(hist, 12))


@pytest.mark.slow
def test_checks_already_run_are_reported_when_a_later_one_fails(tmp_path):
    fearon = _analytic(tmp_path, "analytic_fearon", ("runs: 200", "runs: 20"))
    # Found only by running it: with no mediator, no text is drafted in round 1.
    nash = _analytic(
        tmp_path,
        "analytic_nash",
        ("strategy: formulative", "strategy: none"),
        ("runs: 50", "runs: 5"),
    )
    proc = negsim("validate", str(fearon), str(nash))
    assert proc.returncode == 2 and "drafts in round 1" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "PASS  expected round_one_share" in proc.stdout and "incomplete" in proc.stdout
    as_json = negsim("validate", str(fearon), str(nash), "--json")
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 2 and data["complete"] is False and data["passed"] is False
    assert {r["check"] for r in data["results"]} == {"analytic_fearon"}


def test_round_arguments_are_checked_against_the_arms_they_read(tmp_path):
    # The long arm's horizon bounds its own statistic, whatever the short arm's.
    text = _small(tmp_path).read_text()
    text = text.replace("set: {{horizon: 12}}".format(), "set: {}").replace(
        "mediated: {set: {mediator.strategy: manipulative}}",
        "mediated: {set: {mediator.strategy: manipulative, horizon: 36}}",
    )
    text = text.replace(
        "none: {without: [mediator]}", "none: {without: [mediator], set: {horizon: 12}}"
    )
    ok = text.replace(
        "stat: p_settlement, arm: none", 'stat: "war_duration.longer_than:24", arm: mediated'
    )
    v.load_check(_write(tmp_path, ok, "ok.yaml"))
    bad = text.replace(
        "stat: p_settlement, arm: none", 'stat: "war_duration.longer_than:24", arm: none'
    )
    with pytest.raises(ConfigError, match="from 1 to 12"):
        v.load_check(_write(tmp_path, bad, "bad.yaml"))


@pytest.mark.parametrize(
    "edit, where",
    [
        # A section written whole: the error names the override as written.
        (
            (
                "mediated: {set: {mediator.strategy: manipulative}}",
                "mediated: {set: {mediator: {strategy: manipulatve}}}",
            ),
            "arms.mediated.set.mediator ",
        ),
        (
            (
                "none: {without: [mediator]}",
                "none: {without: [mediator], draw: {mediator.bias: {range: [-0.3, 0.3]}}}",
            ),
            "arms.none.draw.mediator.bias",
        ),
        (("between: [0.0, 1.0]", "above: 1.0"), "expect[1].above"),
    ],
)
def test_overrides_are_named_as_written(tmp_path, edit, where):
    text = _small(tmp_path).read_text()
    assert edit[0] in text
    with pytest.raises(ConfigError) as err:
        v.load_check(_write(tmp_path, text.replace(*edit), "bad.yaml"))
    assert where in str(err.value)


def test_a_shared_ensembles_bad_draw_is_named_in_its_own_file(tmp_path):
    ensemble = tmp_path / "shared.yaml"
    ensemble.write_text("points: 4\nparameters:\n  parties.a.trust: {range: [0.5, 3.0]}\n")
    text = _small(tmp_path).read_text()
    start, end = text.index("ensemble:"), text.index("arms:")
    text = text[:start] + f"ensemble: {ensemble}\n" + text[end:]
    with pytest.raises(ConfigError) as err:
        v.load_check(_write(tmp_path, text, "check.yaml"))
    assert str(err.value).startswith(f"{ensemble}: parameters.parties.a.trust = ")
    ensemble.write_text("points: 4\nparameters:\n  parties.a.trust: {range: [0.5, 0.1]}\n")
    with pytest.raises(ConfigError) as err:
        v.load_check(tmp_path / "check.yaml")
    assert str(err.value).startswith(f"{ensemble}: parameters.parties.a.trust.range = ")


def test_the_assumption_report_shows_a_median_never_reached(tmp_path):
    check = v.load_check(_small(tmp_path))
    cond = v.Condition("war_duration.median", "arm", ("none",), between=(1.0, 5.0))
    spread = v.Spread(cond, np.array([3.0, math.inf, math.nan]), np.array([True, False, False]))
    res = v.Robustness(check, ("parties.a.trust",), 3, 10, [spread])
    text = v.format_robustness([res])
    assert "not reached at 1 points" in text
    d = spread.to_dict()
    assert d["max"] is None and d["min"] is None and d["median"] == 3.0
