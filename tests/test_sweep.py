"""Parameter sweeps: designs, validation, backends, streaming, resume, retry, replay."""

from __future__ import annotations

import dataclasses
import gc
import json
import math
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import load_scenario, replay
from sim.errors import ConfigError
from sim.experiments import sweep as sweep_module
from sim.experiments.designs import design_points, load_spec, override_strings, unit_sample
from sim.experiments.sweep import SweepError, plan_units, read_runs, run_sweep
from sim.model.shell import NegotiationModel
from sim.reports.results import engine_table, summarise
from tests.conftest import ROOT, UKRAINE, negsim, shipped_specs

# Sweep specs (sensitivity specs, which name a `method`, are tested in test_sensitivity.py).
EXPERIMENTS = shipped_specs(sensitivity=False)


def write_spec(folder: Path, **fields: Any) -> Path:
    """A small spec on the Ukraine scenario (horizon 12), with `fields` overriding."""
    spec: dict[str, Any] = {
        "base": str(UKRAINE),
        "runs_per_point": 150,
        "seed": 11,
        "chunk_size": 64,
        "set": {"horizon": 12},
        "parameters": {
            "mediator.leverage.russia": {"range": [0.0, 1.0], "points": 3},
            "parties.russia.trust": [0.0, 0.4],
        },
    }
    spec.update(fields)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_runs(out), pd.read_parquet(out / "summary.parquet")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """The small sweep run serially: (spec path, folder)."""
    folder = tmp_path_factory.mktemp("reference")
    spec = write_spec(folder)
    out = folder / "out"
    run_sweep(load_spec(spec), out)
    return spec, out


# --------------------------------------------------------------------------------------------
# Designs


def test_grid_points_are_the_product_in_spec_order(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    points = design_points(spec)
    leverage = [0.0, 0.5, 1.0]
    expected = [(lev, trust) for lev in leverage for trust in (0.0, 0.4)]
    assert [(p["mediator.leverage.russia"], p["parties.russia.trust"]) for p in points] == expected


def test_grid_range_gives_the_declared_values(tmp_path):
    params = {"mediator.leverage.russia": {"range": [0.0, 1.0], "points": 21}}
    points = design_points(load_spec(write_spec(tmp_path, parameters=params)))
    values = [p["mediator.leverage.russia"] for p in points]
    # 0.15, not 0.15000000000000002: the values a user wrote, verbatim in --set commands.
    assert values == [k / 20 for k in range(21)]


def test_integer_fields_take_whole_numbers(tmp_path):
    params = {"parties.russia.planning_horizon": {"range": [6, 24]}}
    spec = load_spec(write_spec(tmp_path, parameters=params, design="latin_hypercube", samples=19))
    values = [p["parties.russia.planning_horizon"] for p in design_points(spec)]
    assert all(isinstance(v, int) for v in values)
    # A Latin hypercube of 19 points over the 19 integers 6..24 hits each exactly once.
    assert sorted(values) == list(range(6, 25))
    grid = {"parties.russia.planning_horizon": {"range": [6, 24], "points": 4}}
    values = [
        p["parties.russia.planning_horizon"]
        for p in design_points(load_spec(write_spec(tmp_path, parameters=grid)))
    ]
    assert values == [6, 12, 18, 24]


def test_latin_hypercube_has_one_point_per_stratum():
    unit = unit_sample("latin_hypercube", 3, 50, seed=4)
    for column in unit.T:
        assert sorted(np.floor(column * 50).astype(int)) == list(range(50))


@pytest.mark.parametrize("design", ["random", "latin_hypercube", "sobol"])
def test_sampled_designs_are_reproducible_and_seeded(tmp_path, design):
    params = {
        "parties.russia.trust": {"range": [0.1, 0.3]},
        "parties.ukraine.breaking_point": {"distribution": "loguniform", "range": [0.4, 2.0]},
        "parties.russia.optimism": {
            "distribution": "triangular",
            "range": [0, 0.008],
            "mode": 0.003,
        },
        "parties.ukraine.trust": {
            "distribution": "normal",
            "mean": 0.2,
            "sd": 0.1,
            "range": [0.0, 0.3],
        },
        "mediator.strategy": ["facilitative", "manipulative"],
    }
    path = write_spec(tmp_path, parameters=params, design=design, samples=64)
    first, again = design_points(load_spec(path)), design_points(load_spec(path))
    assert first == again
    other = design_points(
        load_spec(write_spec(tmp_path, parameters=params, design=design, samples=64, seed=12))
    )
    assert other != first
    frame = pd.DataFrame(first)
    assert frame["parties.russia.trust"].between(0.1, 0.3).all()
    assert frame["parties.ukraine.breaking_point"].between(0.4, 2.0).all()
    assert frame["parties.russia.optimism"].between(0.0, 0.008).all()
    assert frame["parties.ukraine.trust"].between(0.0, 0.3).all()  # truncated normal
    assert set(frame["mediator.strategy"]) == {"facilitative", "manipulative"}
    assert frame["parties.russia.trust"].nunique() == 64


def test_override_strings_read_back_exactly(tmp_path):
    values = {
        "a.b": 1e-05,
        "a.c": 0.15000000000000002,
        "a.d": 3,
        "a.e": "manipulative",
        "a.f": "0.5",
    }
    parsed = {}
    for item in override_strings(values):
        key, _, raw = item.partition("=")
        parsed[key] = yaml.safe_load(raw)
    assert parsed == values


# --------------------------------------------------------------------------------------------
# Bad specs: one line, exit 2, nothing run


def _error(tmp_path: Path, **fields: Any) -> str:
    spec = write_spec(tmp_path, **fields)
    with pytest.raises(ConfigError) as info:
        run_sweep(load_spec(spec), tmp_path / "out")
    assert not (tmp_path / "out").exists(), "nothing may run before the spec is valid"
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(spec))
    return message


def test_invalid_point_names_the_dotted_path_and_point(tmp_path):
    params = {"parties.russia.trust": [0.2, 1.5]}
    message = _error(tmp_path, parameters=params)
    assert "parameters.parties.russia.trust = 1.5" in message
    assert "[0, 1]" in message and "design point 1" in message


def test_misspelled_parameter_gets_a_suggestion(tmp_path):
    message = _error(tmp_path, parameters={"parties.russia.trsut": [0.1]})
    assert "parameters.parties.russia.trsut" in message and "did you mean 'trust'" in message
    message = _error(tmp_path, parameters={"parties.rusia.trust": [0.1]})
    assert "did you mean 'russia'" in message


def test_invalid_sampled_point_is_caught_before_running(tmp_path):
    params = {"parties.russia.trust": {"distribution": "normal", "mean": 0.5, "sd": 1.0}}
    message = _error(tmp_path, parameters=params, design="random", samples=16)
    assert "parameters.parties.russia.trust" in message


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"runs_per_pont": 10}, "runs_per_pont = 10: expected one of the keys"),
        ({"runs_per_pont": 10}, "did you mean 'runs_per_point'"),
        ({"base": "nowhere.yaml"}, "base = 'nowhere.yaml': expected an existing scenario file"),
        ({"design": "latin"}, "design = 'latin'"),
        ({"design": "sobol", "samples": 100}, "samples = 100: expected a power of 2"),
        ({"design": "latin_hypercube"}, "samples = None"),
        ({"samples": 10}, "no samples for a grid"),
        ({"runs_per_point": 0}, "runs_per_point = 0: expected a positive integer"),
        (
            {"parameters": {"parties.russia.trust": {"range": [0.5, 0.1], "points": 3}}},
            "parameters.parties.russia.trust.range",
        ),
        (
            {"parameters": {"parties.russia.trust": {"range": [0, 1], "pionts": 3}}},
            "did you mean 'points'",
        ),
        (
            {
                "parameters": {
                    "parties.russia.trust": {"distribution": "normal", "mean": 0, "sd": 1}
                }
            },
            "distributions belong to",
        ),
        ({"parameters": {"parties.russia.trust": [0.1, 0.1]}}, "distinct values"),
        ({"set": {"parties.russia.trust": 0.2}}, "either swept or set"),
        ({"set": {"horizon": 0}}, "horizon = 0"),
    ],
)
def test_bad_spec_values(tmp_path, fields, fragment):
    spec = write_spec(tmp_path, **fields)
    with pytest.raises(ConfigError) as info:
        load_spec(spec)
    message = str(info.value)
    assert "\n" not in message and fragment in message, message


@pytest.mark.slow
def test_cli_reports_bad_spec_in_one_line(tmp_path):
    spec = write_spec(tmp_path, parameters={"parties.russia.trust": [0.2, 1.5]})
    proc = negsim("sweep", str(spec), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "parameters.parties.russia.trust = 1.5" in proc.stderr
    with pytest.raises(
        ConfigError,
        match="missing.yaml: <top level> = '.*missing.yaml': expected an existing sweep spec file",
    ):
        load_spec(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("base: [unclosed\n", encoding="utf-8")
    proc = negsim("sweep", str(tmp_path / "bad.yaml"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "malformed YAML" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_relative_base_is_relative_to_the_spec(tmp_path):
    folder = tmp_path / "deep" / "experiments"
    folder.mkdir(parents=True)
    rel = os.path.relpath(UKRAINE, folder)
    spec = load_spec(write_spec(folder, base=rel))
    assert spec.base.resolve() == UKRAINE.resolve()


# --------------------------------------------------------------------------------------------
# Results: format, summary, replay


def test_folder_format(reference):
    spec_path, out = reference
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["status"] == "complete"
    assert manifest["seed"] == 11 and manifest["horizon"] == 12
    assert manifest["scenario_name"] == "Russia-Ukraine 2025" and "version" in manifest
    assert manifest["parameters"] == ["mediator.leverage.russia", "parties.russia.trust"]
    assert len(manifest["points"]) == 6
    points = pd.read_parquet(out / "points.parquet")
    assert list(points.columns) == ["point", *manifest["parameters"]]
    assert points["point"].tolist() == list(range(6))
    runs = pd.read_parquet(out / "runs")  # the partitioned dataset reads as one table
    assert len(runs) == 6 * 150 and pd.api.types.is_integer_dtype(runs["point"])
    assert runs.groupby("point")["run"].apply(sorted).map(list).tolist() == [list(range(150))] * 6
    summary = pd.read_parquet(out / "summary.parquet")
    expected = [
        "point",
        *manifest["parameters"],
        "runs",
        "settled",
        "p_settlement",
        "p_settlement_low",
        "p_settlement_high",
        "median_settlement_round",
        "collapsed",
    ]
    assert list(summary.columns[: len(expected)]) == expected
    assert all(c.startswith("share_") for c in summary.columns[len(expected) :])
    assert str(summary["median_settlement_round"].dtype) == "Int64"
    csv = pd.read_csv(out / "summary.csv")
    assert len(csv) == 6 and list(csv.columns) == list(summary.columns)


def test_summary_matches_the_runs(reference):
    _, out = reference
    runs, summary = tables(out)
    for row in summary.to_dict(orient="records"):
        table = runs[runs["point"] == row["point"]]
        s = summarise(table, seed=11, horizon=12)
        assert row["runs"] == s.runs == 150
        assert row["settled"] == s.settled and row["collapsed"] == s.collapsed
        assert row["p_settlement"] == s.p_settlement
        assert (row["p_settlement_low"], row["p_settlement_high"]) == s.p_settlement_ci
        median = row["median_settlement_round"]
        assert (None if pd.isna(median) else int(median)) == s.median_settlement_round
        for name, count in s.outcomes.items():
            assert row[f"share_{name}"] == count / s.runs
        assert math.isclose(sum(row[f"share_{n}"] for n in s.outcomes), 1.0)


def test_any_row_replays_alone(reference):
    spec_path, out = reference
    spec = load_spec(spec_path)
    runs = read_runs(out)
    points = design_points(spec)
    for point, run in ((4, 0), (1, 97), (5, 149)):
        sets = override_strings(spec.fixed) + override_strings(points[point])
        model = replay(load_scenario(spec.base, sets), spec.seed, run)
        alone = engine_table(model.engine)
        row = runs[(runs["point"] == point) & (runs["run"] == run)].drop(columns="point")
        pd.testing.assert_frame_equal(row.reset_index(drop=True), alone)


@pytest.mark.slow
def test_replay_through_negsim_run(reference):
    spec_path, out = reference
    spec = load_spec(spec_path)
    point, run = 3, 42
    sets = override_strings(spec.fixed) + override_strings(design_points(spec)[point])
    args = [a for s in sets for a in ("--set", s)]
    proc = negsim("run", str(spec.base), *args, "--seed", "11", "--run-index", str(run), "--json")
    assert proc.returncode == 0, proc.stderr
    alone = json.loads(proc.stdout)
    row = read_runs(out, point=point).set_index("run").loc[run]
    assert alone["outcome"] == row["outcome"]
    assert alone["final_control"] == row["final_control"]
    settle = row["settlement_round"]
    assert alone["settlement_round"] == (None if pd.isna(settle) else int(settle))


# --------------------------------------------------------------------------------------------
# Backends and worker counts: bit for bit


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "workers", "start_method"),
    # Importing mesa makes 'spawn' the default start method; 'fork' is checked too.
    [("processes", 2, None), ("processes", 2, "fork")],
)
def test_backends_give_identical_tables(tmp_path, reference, backend, workers, start_method):
    spec_path, ref_out = reference
    out = tmp_path / "out"
    run_sweep(
        load_spec(spec_path), out, backend=backend, workers=workers, start_method=start_method
    )
    for got, want in zip(tables(out), tables(ref_out), strict=True):
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.slow
def test_existing_dask_cluster(tmp_path, reference):
    from distributed import LocalCluster

    spec_path, ref_out = reference
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        run_sweep(
            load_spec(spec_path),
            tmp_path / "out",
            backend="dask",
            scheduler=cluster.scheduler_address,
        )
    for got, want in zip(tables(tmp_path / "out"), tables(ref_out), strict=True):
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.slow
@pytest.mark.parametrize(("chunk_size", "units"), [(1000, 1), (400, 3), (150, 6)])
def test_chunk_size_does_not_change_results(tmp_path, reference, chunk_size, units):
    """Chunks of one point (the reference: 64 runs) or points batched together (150 runs
    a point: six to a unit, two, or one) give the same tables."""
    _, ref_out = reference
    spec = load_spec(write_spec(tmp_path, chunk_size=chunk_size))
    assert len(plan_units(6, 150, chunk_size)) == units
    run_sweep(spec, tmp_path / "out")
    for got, want in zip(tables(tmp_path / "out"), tables(ref_out), strict=True):
        pd.testing.assert_frame_equal(got, want)
    for point in (0, 3, 5):
        pd.testing.assert_frame_equal(read_runs(tmp_path / "out", point), read_runs(ref_out, point))
    assert len(list((tmp_path / "out" / "runs").glob("*.parquet"))) == units


def test_batched_points_resume_and_report_progress(tmp_path, reference):
    _, ref_out = reference
    spec = load_spec(write_spec(tmp_path, chunk_size=400))  # units of two points
    out = tmp_path / "out"
    run_sweep(spec, out)
    victim = sorted((out / "runs").glob("points-*.parquet"))[1]
    assert victim.name.startswith("points-000002-000003_")
    victim.unlink()
    seen = []
    result = run_sweep(
        spec, out, resume=True, progress=lambda s: seen.append((s.points_done, s.runs_done))
    )
    assert result.units_run == 1 and result.units_resumed == 2
    assert seen == [(4, 600), (6, 900)]
    for got, want in zip(tables(out), tables(ref_out), strict=True):
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.slow
def test_unreachable_scheduler_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_module, "SCHEDULER_TIMEOUT", 1.0)
    with pytest.raises(ConfigError, match="--scheduler = 'tcp://127.0.0.1:9'"):
        run_sweep(
            load_spec(write_spec(tmp_path)),
            tmp_path / "out",
            backend="dask",
            scheduler="tcp://127.0.0.1:9",
        )
    assert not list((tmp_path / "out" / "runs").glob("*.parquet"))


# --------------------------------------------------------------------------------------------
# Resume


@pytest.mark.slow
def test_resume_after_kill_gives_the_identical_tables(tmp_path, reference):
    # 36 chunks, each short: what is tested is the bookkeeping of chunks, not the war.
    spec_path = write_spec(tmp_path, runs_per_point=300, chunk_size=50, set={"horizon": 4})
    full = tmp_path / "full"
    run_sweep(load_spec(spec_path), full)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(spec_path), "--out", str(out), "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            runs_dir = out / "runs"
            if runs_dir.is_dir() and len(list(runs_dir.glob("point-*.parquet"))) >= 4:
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    done = sorted((out / "runs").glob("point-*.parquet"))
    assert 4 <= len(done) < 36, "the kill must land mid-sweep"
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    assert not (out / "summary.parquet").exists()
    # What a kill in mid-write leaves: a temporary file, which resume discards.
    (out / "runs" / ".tmp-1-point-000005_runs-0000000000-0000000049.parquet").write_bytes(b"x")
    proc = negsim("sweep", str(spec_path), "--out", str(out), "--resume", "--json")
    assert proc.returncode == 0, proc.stderr
    for got, want in zip(tables(out), tables(full), strict=True):
        pd.testing.assert_frame_equal(got, want)
    assert not list((out / "runs").glob(".tmp-*"))
    printed = json.loads(proc.stdout)["points"]
    want = pd.read_parquet(full / "summary.parquet")
    assert [p["settled"] for p in printed] == want["settled"].tolist()


@pytest.mark.slow
def test_resume_reruns_a_damaged_chunk(tmp_path, reference):
    spec_path, ref_out = reference
    out = tmp_path / "out"
    run_sweep(load_spec(spec_path), out)
    victim = sorted((out / "runs").glob("point-*.parquet"))[3]
    victim.write_bytes(victim.read_bytes()[:100])  # cut short (e.g. power loss, no fsync)
    result = run_sweep(load_spec(spec_path), out, resume=True)
    assert result.units_run == 1
    for got, want in zip(tables(out), tables(ref_out), strict=True):
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.slow
def test_resume_refuses_a_different_sweep(tmp_path):
    spec_path = write_spec(tmp_path)
    out = tmp_path / "out"
    run_sweep(load_spec(spec_path), out)
    with pytest.raises(ConfigError, match="add --resume"):
        run_sweep(load_spec(spec_path), out)
    changes = [
        ({"runs_per_point": 200}, "identity.runs_per_point = 150"),
        ({"set": {"horizon": 13}}, "identity.set"),
        ({"parameters": {"parties.russia.trust": [0.0, 0.4]}}, "identity.parameters"),
    ]
    for fields, fragment in changes:
        with pytest.raises(ConfigError, match=fragment):
            run_sweep(load_spec(write_spec(tmp_path, **fields)), out, resume=True)
    other = write_spec(tmp_path, seed=12)
    proc = negsim("sweep", str(other), "--out", str(out), "--resume")
    assert proc.returncode == 2, proc.stderr
    assert "seed = 11: expected 12" in proc.stderr and proc.stderr.count("\n") == 1
    assert "manifest.json" in proc.stderr
    write_spec(tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["version"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match="version = '0.0.1'"):
        run_sweep(load_spec(spec_path), out, resume=True)


@pytest.mark.slow
def test_resume_of_a_new_folder_starts_it(tmp_path, reference):
    spec_path, ref_out = reference
    run_sweep(load_spec(spec_path), tmp_path / "new", resume=True)
    for got, want in zip(tables(tmp_path / "new"), tables(ref_out), strict=True):
        pd.testing.assert_frame_equal(got, want)


# --------------------------------------------------------------------------------------------
# Failures at run time


@pytest.mark.slow
def test_a_failing_chunk_is_retried_once(tmp_path, allow_import):
    marker = tmp_path / "failed-once"
    params = {"mediator.leverage.russia": [0.2, 0.6]}
    options = {
        "mediator.strategy": "tests.sweep_failing:Exploding",
        "mediator.options": {"marker": str(marker)},
        "horizon": 12,
    }
    spec = load_spec(write_spec(tmp_path, parameters=params, set=options))
    run_sweep(spec, tmp_path / "retried")
    assert marker.exists()  # it did fail once
    run_sweep(spec, tmp_path / "clean")  # the marker exists now: never fails
    for got, want in zip(tables(tmp_path / "retried"), tables(tmp_path / "clean"), strict=True):
        pd.testing.assert_frame_equal(got, want)


@pytest.mark.slow
def test_a_chunk_failing_twice_stops_the_sweep_and_keeps_the_rest(tmp_path, allow_import):
    params = {"mediator.strategy": ["facilitative", "tests.sweep_failing:Exploding"]}
    spec_path = write_spec(tmp_path, parameters=params, chunk_size=50)
    out = tmp_path / "out"
    with pytest.raises(SweepError, match="point 1, runs 0-49 failed twice"):
        run_sweep(load_spec(spec_path), out)
    kept = sorted(p.name for p in (out / "runs").glob("point-*.parquet"))
    assert kept == [u.filename for u in plan_units(1, 150, 50)]  # point 0, all of it
    proc = negsim("sweep", str(spec_path), "--out", str(tmp_path / "cli"), "--quiet")
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "RuntimeError: the mediator exploded" in proc.stderr
    assert "--resume" in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------------------------
# Streaming: memory does not grow with the size of the sweep


def _live_models() -> set[int]:
    gc.collect()
    return {id(o) for o in gc.get_objects() if isinstance(o, NegotiationModel)}


def _peak_bytes(spec_path: Path, out: Path) -> int:
    spec = load_spec(spec_path)
    tracemalloc.start()
    try:
        run_sweep(spec, out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_stays_bounded_as_runs_grow(tmp_path):
    run_sweep(load_spec(write_spec(tmp_path / ".", runs_per_point=10)), tmp_path / "warm")

    def spec(points: int) -> Path:
        folder = tmp_path / f"p{points}"
        folder.mkdir()
        trust = [round(0.05 * i, 2) for i in range(points)]
        return write_spec(
            folder,
            runs_per_point=100,
            chunk_size=25,
            set={"horizon": 6},
            parameters={"parties.russia.trust": trust},
        )

    before = _live_models()
    small = _peak_bytes(spec(2), tmp_path / "small")  # 200 runs
    large = _peak_bytes(spec(8), tmp_path / "large")  # 800 runs, 4x as many
    assert len(read_runs(tmp_path / "large")) == 800
    # Holding the rows (or the finished engines) would need ~4x the memory; streaming needs
    # about the same.
    assert large < 1.5 * small, (small, large)
    assert _live_models() <= before  # no finished chunk's model is kept alive


# --------------------------------------------------------------------------------------------
# CLI and the shipped experiments


@pytest.mark.slow
def test_cli_prints_the_table_and_json(tmp_path, reference):
    spec_path, ref_out = reference
    out = tmp_path / "out"
    # A Dask LocalCluster of its own (one worker process), from the command line.
    proc = negsim("sweep", str(spec_path), "--out", str(out), "--backend", "dask", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    lines = proc.stdout.splitlines()
    header = next(ln for ln in lines if ln.lstrip().startswith("point"))
    assert "mediator.leverage.russia" in header and "p_settlement (95% CI)" in header
    assert "--run-index 0" in proc.stdout
    summary = pd.read_parquet(ref_out / "summary.parquet")
    first = f"{summary.loc[0, 'p_settlement']:.3f}"
    assert first in lines[lines.index(header) + 1]
    proc = negsim("sweep", str(spec_path), "--out", str(out), "--resume", "--json")
    data = json.loads(proc.stdout)
    assert data["kind"] == "sweep" and len(data["points"]) == 6
    assert [p["p_settlement"] for p in data["points"]] == summary["p_settlement"].tolist()


@pytest.mark.slow
@pytest.mark.parametrize("path", EXPERIMENTS, ids=[p.stem for p in EXPERIMENTS])
def test_shipped_experiments_run(tmp_path, path):
    spec = load_spec(path, ["horizon=12"])
    small = dataclasses.replace(spec, runs_per_point=40)
    result = run_sweep(small, tmp_path / "out")
    summary = result.summary
    points = design_points(spec)
    assert len(summary) == len(points) and (summary["runs"] == 40).all()
    for path_name in spec.paths:
        assert summary[path_name].tolist() == [p[path_name] for p in points]
    shares = summary[[c for c in summary.columns if c.startswith("share_")]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    assert (summary["p_settlement_low"] <= summary["p_settlement"]).all()
    assert (summary["p_settlement"] <= summary["p_settlement_high"]).all()


def test_leverage_vs_trust_is_the_documented_grid():
    spec = load_spec(ROOT / "experiments" / "leverage_vs_trust.yaml")
    assert spec.paths == ("mediator.leverage.russia", "parties.russia.trust")
    assert len(design_points(spec)) == 84 and spec.runs_per_point == 2000


def test_cluster_workers_must_run_this_version():
    from sim import __version__
    from sim.experiments.sweep import _check_cluster

    class Cluster:
        def __init__(self, versions):
            self.versions = versions

        def run(self, fn):
            return self.versions

    _check_cluster(Cluster({"tcp://w1": __version__}), "tcp://s:8786")
    with pytest.raises(ConfigError, match=r"--scheduler = 'tcp://s:8786'.*found \['0.0.1'\]"):
        _check_cluster(Cluster({"tcp://w1": __version__, "tcp://w2": "0.0.1"}), "tcp://s:8786")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_ctrl_c_stops_in_one_line_and_keeps_the_chunks(tmp_path):
    # Enough chunks (6 points x 120) that the sweep cannot finish between the poll that sees
    # three of them and the signal, even on a fast, idle machine.
    spec_path = write_spec(tmp_path, runs_per_point=6000, chunk_size=50)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(spec_path), "--out", str(out), "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A shell without job control (a CI script run in the background) starts its
        # children with SIGINT ignored, and Python then installs no KeyboardInterrupt
        # handler; a terminal's Ctrl-C reaches a sweep with the default one.
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "runs").glob("point-*"))) < 3:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
    _, stderr = proc.communicate(timeout=60)
    kept = list((out / "runs").glob("point-*.parquet"))
    assert proc.returncode == 130, stderr
    assert stderr.count("\n") == 1 and "--resume" in stderr and "Traceback" not in stderr
    assert 3 <= len(kept) < 720 and f"{len(kept)} finished chunks" in stderr


_SWALLOWED = """
import signal, sys
import sim.experiments.sweep as sweep
from sim.cli import main

write, calls = sweep.write_chunk, []


class Finalized:
    def __del__(self):
        # Ctrl-C arriving while a finalizer runs: Python reports it as "Exception ignored"
        # and carries on, unless the sweep checks for it.
        signal.raise_signal(signal.SIGINT)
        calls.append("signalled")


def write_then_interrupt(*args, **kwargs):
    path = write(*args, **kwargs)
    calls.append(path)
    if len(calls) == 2:
        Finalized()
    return path


sweep.write_chunk = write_then_interrupt
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_ctrl_c_in_a_finalizer_still_stops_the_sweep(tmp_path):
    spec_path = write_spec(tmp_path, runs_per_point=600, chunk_size=50)
    out = tmp_path / "out"
    script = tmp_path / "swallowed.py"
    script.write_text(_SWALLOWED, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), "sweep", str(spec_path), "--out", str(out), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_default_sigint,
    )
    kept = list((out / "runs").glob("point-*.parquet"))
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Exception ignored" not in proc.stderr
    # It stops after the chunk in whose wake the signal came, not at the end of the sweep.
    assert len(kept) == 2 and "2 finished chunks" in proc.stderr
