"""A check run over its scenario's declared assumption ranges (`negsim validate
--over-assumptions N`): which values are drawn, that each point's statistics are those of
the scenario with the point's values set, and the command line."""

from __future__ import annotations

import copy
import dataclasses
import json

import numpy as np
import pytest

from sim.experiments import validation as v
from sim.experiments.simulate import simulate
from sim.experiments.validation import running
from sim.model.config import apply_overrides, read_yaml, scenario_from_dict
from tests.conftest import ROOT, negsim

KOREA_CHECK = ROOT / "validation" / "case_korea_1951.yaml"


def test_the_drawn_values_are_the_scenarios_declared_assumptions():
    check = v.load_check(KOREA_CHECK)
    ens = v.assumption_ensemble(check, 8)
    assert ens is not None and ens.points == 8 and ens.design == "latin_hypercube"
    drawn = {p.path for p in ens.parameters}
    assert "parties.prc_dprk.trust" in drawn and "mediator.options.monitors" in drawn
    # The frame of time, per-weight ranges on a mapping, and facts without a range stay.
    assert not drawn & {"horizon", "round_days", "start"}
    assert "parties.prc_dprk.salience" not in drawn
    assert "parties.prc_dprk.capacity" not in drawn
    # What the check sets itself is never drawn; nor is a range fixed by convention.
    deadlines = v.load_check(ROOT / "validation" / "stylized_deadlines.yaml")
    ens = v.assumption_ensemble(deadlines, 8)
    assert ens is not None
    names = {p.path for p in ens.parameters}
    assert "parties.a.optimism" not in names and "parties.a.cost_per_month" not in names
    assert "parties.a.capacity" not in names  # declared [1.0, 1.0], the reference unit
    # Ensembles and analytic checks are not drawn this way.
    assert (
        v.assumption_ensemble(v.load_check(ROOT / "validation/stylized_duration.yaml"), 8) is None
    )
    assert v.assumption_ensemble(v.load_check(ROOT / "validation/analytic_nash.yaml"), 8) is None


@pytest.mark.slow
def test_each_point_is_the_scenario_with_its_drawn_values():
    check = v.load_check(KOREA_CHECK)
    res = v.run_over_assumptions(check, 4, runs=240, workers=1)
    assert res is not None and res.points == 4 and res.runs_per_point == 60
    ens = v.assumption_ensemble(check, 4)
    drawn = dataclasses.replace(check, ensemble=ens)
    points = running.ensemble_points(drawn)
    raw = read_yaml(check.scenario)
    for i, point in enumerate(points):
        sc = scenario_from_dict(apply_overrides(copy.deepcopy(raw), point), file=check.scenario)
        table = simulate(sc, runs=60, seed=check.seed, first_run=i * 60).table
        p = table["settlement_round"].notna().mean()
        spread = res.spreads[0]
        assert spread.condition.stat == "p_settlement"
        assert spread.values[i] == p
        assert spread.passed[i] == (0.5 <= p <= 1.0)
    assert res.all_met.tolist() == np.all([s.passed for s in res.spreads], axis=0).tolist()
    d = res.to_dict()
    assert 0.0 <= d["share_all_met"] <= 1.0 and len(d["expectations"]) == 3


@pytest.mark.slow
def test_cli_over_assumptions_reports_shares_and_exits_zero():
    out = negsim(
        "validate",
        str(KOREA_CHECK),
        str(ROOT / "validation" / "analytic_nash.yaml"),
        "--over-assumptions",
        "3",
        "--runs",
        "90",
        "--workers",
        "1",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["skipped"] == ["analytic_nash"]
    (result,) = data["results"]
    assert result["check"] == "case_korea_1951" and result["points"] == 3
    assert all(0.0 <= e["share_met"] <= 1.0 for e in result["expectations"])
    bad = negsim("validate", "--over-assumptions", "1")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "--over-assumptions" in bad.stderr


@pytest.mark.slow
def test_a_drawn_value_the_check_makes_invalid_is_one_line(tmp_path):
    # The check puts B's victory line inside the range over which A's is drawn (Dayton
    # declares 0.7 to 1.0 for A's): every point is built first, and the bad one is reported
    # in one line naming the check, before anything runs.
    source = (ROOT / "validation" / "case_dayton_1995.yaml").read_text()
    source = source.replace(
        "scenario: ../configs/cases/dayton_1995.yaml",
        f"scenario: {ROOT}/configs/cases/dayton_1995.yaml\n"
        "set: {battlefield.control_at_b_victory: 0.75}",
    )
    check = tmp_path / "cross.yaml"
    check.write_text(source)
    out = negsim("validate", str(check), "--over-assumptions", "8", "--runs", "80")
    assert out.returncode == 2, out.stdout + out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("negsim: error")]
    assert len(errors) == 1 and "cross.yaml" in errors[0] and "control_at" in errors[0]
    assert "Traceback" not in out.stderr
