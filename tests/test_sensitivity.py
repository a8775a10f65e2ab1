"""Global sensitivity analysis: spec validation, the indices of a tiny design, resume, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.errors import ConfigError
from sim.experiments import sensitivity
from sim.experiments.simulate import simulate
from sim.model.config import apply_overrides, scenario_from_dict
from tests.conftest import ROOT, minimal_scenario_dict, shipped_specs

# A parameter the model cannot feel: the share of a mediator's aid cut that a backer
# replaces, in a scenario without a mediator (so there are no aid cuts to replace).
NULL = "stakeholders.backer.compensates_aid_cut"
MATTERS = ("parties.a.trust", "parties.b.cost_per_month")


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _scenario(folder: Path) -> Path:
    data = minimal_scenario_dict()
    data["horizon"] = 12
    data["stakeholders"] = {"backer": {"supports": "b"}}
    data["provenance"] = {"parties.a.trust": {"assumption": [0.0, 1.0]}}
    return _write(folder / "scenario.yaml", data)


def _spec(folder: Path, **changes: Any) -> Path:
    _scenario(folder)
    data: dict[str, Any] = {
        "base": "scenario.yaml",
        "samples": 8,
        "runs_per_point": 60,
        "seed": 1,
        "parameters": {
            "parties.a.trust": "assumption",
            "parties.b.cost_per_month": {"range": [0.0, 0.05]},
            NULL: {"range": [0.0, 1.0]},
        },
    }
    data.update(changes)
    return _write(folder / "spec.yaml", data)


@pytest.fixture(scope="module")
def sobol_run(tmp_path_factory: pytest.TempPathFactory) -> sensitivity.SensitivityResult:
    folder = tmp_path_factory.mktemp("sobol")
    return sensitivity.run_sensitivity(_spec(folder), folder / "out")


def test_sobol_table_shape_and_columns(sobol_run: sensitivity.SensitivityResult) -> None:
    indices = sobol_run.indices
    assert list(indices.columns) == ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(indices) == len(sensitivity.OUTPUTS) * 3
    assert set(indices["output"]) == set(sensitivity.OUTPUTS)
    # Saltelli's design without second-order terms: N x (D + 2) points.
    assert len(sobol_run.points) == 8 * (3 + 2)
    assert (sobol_run.points["runs"] == 60).all()
    on_disk = pd.read_parquet(sobol_run.files[1])
    pd.testing.assert_frame_equal(on_disk, indices)
    assert (sobol_run.files[0].parent / "indices.csv").is_file()


def test_a_parameter_without_effect_gets_zero_indices(
    sobol_run: sensitivity.SensitivityResult,
) -> None:
    # Common random numbers make the outputs identical at points that differ only in the
    # inert parameter, so its indices are zero up to round-off, not just small.
    indices = sobol_run.indices.set_index(["output", "parameter"])
    for output in sensitivity.OUTPUTS:
        assert abs(indices.loc[(output, NULL), "ST"]) < 1e-12
        assert abs(indices.loc[(output, NULL), "S1"]) < 1e-12
        assert max(indices.loc[(output, p), "ST"] for p in MATTERS) > 0.1
    assert sobol_run.points["p_settlement"].std() > 0


def test_outputs_are_consistent_per_point(sobol_run: sensitivity.SensitivityResult) -> None:
    points = sobol_run.points
    horizon = 12
    assert (points["p_settlement"] == points["settled"] / points["runs"]).all()
    assert points["median_settlement_round"].between(1, horizon).all()
    assert points["restricted_mean_settlement_round"].between(1, horizon).all()
    # Fewer than half settled: the median reads as the horizon.
    few = points["p_settlement"] < 0.5
    assert (points.loc[few, "median_settlement_round"] == horizon).all()


def test_morris_table_and_out_of_order_executor(tmp_path: Path) -> None:
    spec = _spec(tmp_path, samples=6, method="morris")

    def reversed_map(fn: Any, tasks: Any) -> Any:
        # An executor may hand results back in any order.
        return [fn(t) for t in reversed(list(tasks))]

    result = sensitivity.run_sensitivity(spec, tmp_path / "out", map_fn=reversed_map)
    serial = sensitivity.run_sensitivity(spec, tmp_path / "serial")
    assert list(result.indices.columns) == [
        "output",
        "parameter",
        "mu",
        "mu_star",
        "mu_star_conf",
        "sigma",
    ]
    assert len(result.points) == 6 * (3 + 1)
    pd.testing.assert_frame_equal(result.indices, serial.indices)
    null = result.indices[result.indices["parameter"] == NULL]
    assert (null["mu_star"].abs() < 1e-12).all()


def test_interrupted_run_resumes_to_the_same_table(
    tmp_path: Path, sobol_run: sensitivity.SensitivityResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sensitivity, "BATCH_RUNS", 16 * 60)  # blocks of 16 points
    block = sensitivity.points_per_block(60)
    assert block == 16
    spec = _spec(tmp_path)
    out = tmp_path / "out"

    class Interrupted(Exception):
        pass

    def dies_after_two_blocks(fn: Any, blocks: Any) -> Any:
        for i, block in enumerate(blocks):
            if i == 2:
                raise Interrupted
            yield fn(block)

    with pytest.raises(Interrupted):
        sensitivity.run_sensitivity(spec, out, map_fn=dies_after_two_blocks)
    saved = pd.read_parquet(out / "design.parquet")
    assert saved["p_settlement"].notna().sum() == 2 * block
    evaluated: list[int] = []

    def counting_map(fn: Any, blocks: Any) -> Any:
        for block in blocks:
            evaluated.extend(task.point for task in block)
            yield fn(block)

    result = sensitivity.run_sensitivity(spec, out, map_fn=counting_map)
    assert result.resumed == 2 * block
    assert len(evaluated) == len(result.points) - 2 * block
    pd.testing.assert_frame_equal(result.points, sobol_run.points)
    pd.testing.assert_frame_equal(result.indices, sobol_run.indices)


def test_a_folder_of_another_analysis_is_refused(tmp_path: Path) -> None:
    spec = _spec(tmp_path, samples=4)
    sensitivity.run_sensitivity(spec, tmp_path / "out")
    with pytest.raises(ConfigError, match="--out"):
        sensitivity.run_sensitivity(spec, tmp_path / "out", "morris")


def test_integer_settings_are_rounded_within_their_range(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        parameters={"parties.a.planning_horizon": {"range": [6, 8]}, **{NULL: {"range": [0, 1]}}},
    )
    spec = sensitivity.load_spec(path)
    assert spec.parameters[0].integer and not spec.parameters[1].integer
    tasks = sensitivity.point_tasks(spec, sensitivity.design(spec, "sobol"))
    values = {t.overrides["parties.a.planning_horizon"] for t in tasks}
    assert values == {6, 7, 8}
    assert all(isinstance(v, int) for v in values)


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"sampels": 8}, r"sampels.*did you mean 'samples'"),
        ({"samples": 12}, r"samples = 12: expected a power of 2"),
        ({"runs_per_point": 0}, r"runs_per_point = 0"),
        ({"method": "fast"}, r"method = 'fast'"),
        ({"base": "missing.yaml"}, r"base = 'missing.yaml': expected an existing scenario"),
        ({"parameters": {}}, r"parameters = \{\}: expected at least one parameter"),
        (
            {"parameters": {"parties.a.trustt": {"range": [0, 1]}}},
            r"parameters.parties.a.trustt.*did you mean 'trust'",
        ),
        ({"parameters": {"name": {"range": [0, 1]}}}, r"parameters.name.*numeric setting"),
        (
            {"parameters": {"parties.a.trust": [0.0, 0.5]}},
            r"parameters.parties.a.trust = \[0.0, 0.5\].*bare list is a sweep",
        ),
        (
            {"parameters": {"parties.a.trust": {"range": [0.5, 0.1]}}},
            r"parameters.parties.a.trust.range = \[0.5, 0.1\]: expected finite bounds",
        ),
        (
            {"parameters": {"parties.a.trust": {"range": [0.0, 2.0]}}},
            r"parameters.parties.a.trust = \[0.0, 2.0\]: expected a range the scenario accepts",
        ),
        (
            {"parameters": {"parties.a.trust": {"rang": [0, 1]}}},
            r"parameters.parties.a.trust.rang.*did you mean 'range'",
        ),
        (
            {"parameters": {"parties.b.trust": "assumption"}},
            r"parameters.parties.b.trust = 'assumption'.*no assumption range",
        ),
        (
            {"parameters": {"parties.a.planning_horizon": {"range": [6.5, 8]}}},
            r"whole-number bounds",
        ),
        (
            {"set": {"parties.a.trust": 0.2}},
            r"parameters.parties.a.trust.*not also fixed under `set`",
        ),
        ({"set": {"horizon": -1}}, r"set = .*horizon"),
        ({"morris_levels": 3, "method": "morris"}, r"morris_levels = 3: expected an even"),
        ({"outputs": ["p_ceasfire"]}, r"outputs\[0\] = 'p_ceasfire'.*did you mean 'p_ceasefire'"),
        ({"outputs": []}, r"outputs = \[\]: expected a non-empty list"),
        ({"outputs": ["p_collapse", "p_collapse"]}, r"outputs = .*without repeats"),
    ],
)
def test_bad_specs_get_one_clear_error(tmp_path: Path, changes: dict[str, Any], match: str) -> None:
    path = _spec(tmp_path, **changes)
    with pytest.raises(ConfigError, match=match) as info:
        sensitivity.load_spec(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_morris_accepts_any_number_of_trajectories(tmp_path: Path) -> None:
    spec = sensitivity.load_spec(_spec(tmp_path, samples=12), "morris")
    assert spec.spec.method == "morris"
    with pytest.raises(ConfigError, match="--method"):
        sensitivity.load_spec(_spec(tmp_path), "fast")


def test_relative_base_resolves_against_the_spec_file(tmp_path: Path) -> None:
    _scenario(tmp_path / "configs")
    spec = _spec(tmp_path / "experiments", base="../configs/scenario.yaml")
    loaded = sensitivity.load_spec(spec)
    assert Path(loaded.scenario_file).resolve() == (tmp_path / "configs/scenario.yaml").resolve()


def test_cli_runs_prints_and_rejects_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path, samples=4)
    out = tmp_path / "out"
    assert main(["sensitivity", str(spec), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "sobol sensitivity over 3 parameters" in text
    for output in sensitivity.OUTPUTS:
        assert output in text
    assert (out / "indices.csv").is_file()
    assert (out / "figures" / "sensitivity.png").is_file()
    assert main(["sensitivity", str(spec), "--out", str(out), "--method", "fast"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--method = 'fast'" in err
    assert main(["sensitivity", str(tmp_path / "nope.yaml"), "--out", str(out)]) == 2


def test_an_interval_wider_than_its_index_is_flagged_with_the_samples_to_halve_it() -> None:
    indices = pd.DataFrame(
        {
            "output": ["p_settlement"] * 3,
            "parameter": ["a", "b", "c"],
            "S1": [0.30, 0.05, np.nan],
            "S1_conf": [0.10, 0.20, np.nan],  # b: width 0.40 > 0.05
            "ST": [0.50, 0.02, 0.40],
            "ST_conf": [0.26, 0.005, 0.10],  # a: width 0.52 > 0.50; b: 0.01 < 0.02
        }
    )
    wide = sensitivity.wide_intervals(indices, "sobol", samples=16)
    assert [(w["parameter"], w["index"]) for w in wide] == [("a", "ST"), ("b", "S1")]
    assert all(w["more_samples_to_halve"] == 48 for w in wide)
    morris = pd.DataFrame(
        {"output": ["o", "o"], "parameter": ["a", "b"], "mu_star": [0.1, 0.1]}
    ).assign(mu_star_conf=[0.04, 0.06])
    assert [w["parameter"] for w in sensitivity.wide_intervals(morris, "morris", 10)] == ["b"]


def test_cli_json_and_manifest_carry_the_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path, samples=4)
    out = tmp_path / "out"
    assert main(["sensitivity", str(spec), "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["samples"] == 4 and len(data["indices"]) == 3 * len(sensitivity.OUTPUTS)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["warnings"] == data["warnings"]
    # At 4 samples some interval is wider than its index, and the text says so.
    assert data["warnings"]
    assert main(["sensitivity", str(spec), "--out", str(out)]) == 0
    assert "more samples (16 in all) would halve" in capsys.readouterr().out


# Every sensitivity spec shipped in experiments/ (sweep specs are run in test_sweep.py).
SHIPPED_SPECS = shipped_specs(sensitivity=True)


def test_every_sensitivity_spec_is_tested() -> None:
    names = {p.stem for p in SHIPPED_SPECS}
    assert {"sensitivity_ukraine", "sensitivity_korea", "sensitivity_minsk"} <= names


@pytest.mark.parametrize("path", SHIPPED_SPECS, ids=[p.stem for p in SHIPPED_SPECS])
def test_shipped_sensitivity_specs_run_at_small_size(tmp_path: Path, path: Path) -> None:
    full = sensitivity.load_spec(path)
    assert len(full.parameters) >= 8
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # A parameter marked `assumption` is drawn over the scenario's declared range, any other
    # over the range written in the spec.
    provenance = full.base_scenario.provenance
    for p in full.parameters:
        declared = data["parameters"][p.path]
        if declared == "assumption":
            assert [p.low, p.high] == list(provenance[p.path].assumption)
        else:
            assert [p.low, p.high] == declared["range"]
    data.update(
        base=str((path.parent / data["base"]).resolve()),
        samples=2,
        runs_per_point=8,
        set={"horizon": 6},
    )
    small = _write(tmp_path / "small.yaml", data)
    result = sensitivity.run_sensitivity(small, tmp_path / "out")
    assert len(result.points) == 2 * (len(full.parameters) + 2)
    assert set(result.indices["parameter"]) == {p.path for p in full.parameters}
    # Each output the spec names is analysed, per parameter, and every point has it.
    assert set(result.indices["output"]) == set(full.outputs)
    for output in full.outputs:
        values = result.points[output].to_numpy(dtype=float)
        assert np.isfinite(values).all()
        if output.startswith("p_"):
            assert ((values >= 0.0) & (values <= 1.0)).all()
        else:  # a restricted mean round lies within the horizon
            assert ((values >= 1.0) & (values <= 6.0)).all()


def test_a_block_run_as_one_batch_equals_its_points_run_alone(tmp_path: Path) -> None:
    spec = sensitivity.load_spec(_spec(tmp_path))
    points = sensitivity.design(spec, "sobol")
    tasks = sensitivity.point_tasks(spec, points[["point", *spec.names]])[:10]
    together = sensitivity.evaluate_points(tasks)
    alone = [sensitivity.evaluate_point(t) for t in tasks]
    assert together == alone
    assert len({r["restricted_mean_settlement_round"] for r in together}) > 1


MINSK = ROOT / "configs" / "cases" / "minsk_2014.yaml"


def _ceasefire_spec(folder: Path, **changes: Any) -> Path:
    data: dict[str, Any] = {
        "base": str(MINSK),
        "samples": 4,
        "runs_per_point": 40,
        "seed": 2,
        "parameters": {
            "parties.russia.regroup": {"range": [0.0, 0.6]},
            "parties.ukraine.capacity": "assumption",
        },
        "outputs": ["p_ceasefire", "restricted_mean_ceasefire_round", "p_ceasefire_breach"],
    }
    data.update(changes)
    return _write(folder / "spec.yaml", data)


def test_ceasefire_outputs_are_those_of_the_runs(tmp_path: Path) -> None:
    """Outputs chosen in the spec are analysed alone, and each is what the point's runs
    give; a regroup reserve is what drives breaches, so it leads their indices."""
    result = sensitivity.run_sensitivity(_ceasefire_spec(tmp_path), tmp_path / "out")
    wanted = ["p_ceasefire", "restricted_mean_ceasefire_round", "p_ceasefire_breach"]
    assert list(dict.fromkeys(result.indices["output"])) == wanted
    assert "p_settlement" not in result.points.columns
    spec = sensitivity.load_spec(_ceasefire_spec(tmp_path))
    task = sensitivity.point_tasks(spec, result.points[["point", *spec.names]])[5]
    scenario = scenario_from_dict(apply_overrides(task.base, task.overrides), file=str(MINSK))
    table = simulate(scenario, runs=40, seed=2).table
    row = result.points.set_index("point").loc[task.point]
    first = table["first_ceasefire_round"].astype("Float64")
    assert row["p_ceasefire"] == first.notna().mean()
    assert row["restricted_mean_ceasefire_round"] == pytest.approx(
        float(first.fillna(scenario.horizon).mean())
    )
    assert row["p_ceasefire_breach"] == (table["ceasefire_breaches"] > 0).mean()
    breach = result.indices[result.indices["output"] == "p_ceasefire_breach"]
    leader = breach.sort_values("ST", ascending=False)["parameter"].iloc[0]
    assert leader == "parties.russia.regroup"


def test_other_outputs_reuse_a_folder_and_run_its_points_again(tmp_path: Path) -> None:
    """The outputs do not change the design: the same folder is accepted, and points that
    lack an output now asked for are run again, giving what a fresh folder gives."""
    settle = _spec(tmp_path / "a", samples=4)
    first = sensitivity.run_sensitivity(settle, tmp_path / "out")
    assert first.resumed == 0
    more = _spec(tmp_path / "a", samples=4, outputs=["p_settlement", "p_collapse"])
    again = sensitivity.run_sensitivity(more, tmp_path / "out")
    assert again.resumed == 0
    fresh = sensitivity.run_sensitivity(more, tmp_path / "fresh")
    pd.testing.assert_frame_equal(again.indices, fresh.indices)
    assert sensitivity.run_sensitivity(more, tmp_path / "out").resumed == len(fresh.points)
