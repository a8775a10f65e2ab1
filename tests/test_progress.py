"""Progress callbacks of the library: they count every run once and change nothing computed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.experiments import validation
from sim.experiments.compare import compare
from sim.experiments.sensitivity import run_sensitivity
from sim.experiments.simulate import simulate
from tests.conftest import ROOT

UKRAINE = ROOT / "configs" / "ukraine_2025.yaml"


def test_simulate_reports_each_chunk_and_computes_the_same(ukraine):
    seen: list[int] = []
    watched = simulate(ukraine, runs=250, seed=7, chunk_size=100, progress=seen.append)
    assert seen == [100, 100, 50]
    plain = simulate(ukraine, runs=250, seed=7, chunk_size=100)
    pd.testing.assert_frame_equal(watched.table, plain.table)


def test_compare_reports_the_runs_of_every_strategy(ukraine):
    seen: list[int] = []
    result = compare(
        ukraine, ["none", "facilitative"], runs=120, seed=1, chunk_size=50, progress=seen.append
    )
    assert sum(seen) == 2 * 120 and len(seen) == 6
    plain = compare(ukraine, ["none", "facilitative"], runs=120, seed=1, chunk_size=50)
    for name in ("none", "facilitative"):
        pd.testing.assert_frame_equal(result.tables[name], plain.tables[name])


def test_validation_reports_the_runs_of_every_arm(tmp_path: Path):
    scenario = ROOT / "validation" / "scenarios" / "interstate_war.yaml"
    path = tmp_path / "check.yaml"
    path.write_text(
        f"""
title: small
claim: a mediator raises settlement
source: test
scenario: {scenario}
runs: 60
seed: 3
set: {{horizon: 6}}
ensemble:
  points: 3
  seed: 1
  parameters:
    parties.a.trust: {{range: [0.0, 0.5]}}
arms:
  mediated: {{set: {{mediator.strategy: manipulative}}}}
  none: {{without: [mediator]}}
expect:
  - {{stat: p_settlement, arm: none, between: [0.0, 1.0]}}
"""
    )
    (check,) = validation.load_checks([path])
    seen: list[int] = []
    arms = validation.run_check_arms(check, workers=2, progress=seen.append)
    assert sum(seen) == sum(arm.runs for arm in arms.values()) == 2 * 60
    plain = validation.run_check_arms(check, workers=1)
    for name, arm in arms.items():
        pd.testing.assert_frame_equal(arm.frame, plain[name].frame)


def test_sensitivity_reports_points_from_the_start(tmp_path: Path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"""
base: {UKRAINE}
method: sobol
samples: 2
runs_per_point: 8
seed: 1
parameters:
  parties.russia.trust: {{range: [0.0, 0.3]}}
"""
    )
    seen: list[tuple[int, int]] = []
    result = run_sensitivity(spec, tmp_path / "out", progress=lambda d, t: seen.append((d, t)))
    points = len(result.points)  # N x (D + 2) = 2 x 3
    assert points == 6
    assert seen[0] == (0, points) and seen[-1] == (points, points)
