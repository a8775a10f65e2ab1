"""`negsim sweep --runs` and `negsim sensitivity --samples --runs`: a spec made smaller (or
larger) from the command line, checked as the spec is, and resumed only as it started."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from tests.conftest import ROOT

SCENARIO = ROOT / "configs" / "ukraine_2025.yaml"


def _sweep_spec(tmp_path: Path) -> str:
    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"base: {SCENARIO}\nruns_per_point: 2000\nseed: 3\n"
        "parameters:\n  mediator.guarantee: {range: [0.0, 1.0], points: 3}\n"
    )
    return str(path)


def _sensitivity_spec(tmp_path: Path, method: str = "sobol") -> str:
    path = tmp_path / "sens.yaml"
    path.write_text(
        f"base: {SCENARIO}\nmethod: {method}\nsamples: 128\nruns_per_point: 256\nseed: 1\n"
        "parameters:\n"
        "  parties.russia.trust: {range: [0.0, 0.3]}\n"
        "  parties.ukraine.trust: {range: [0.0, 0.3]}\n"
    )
    return str(path)


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("negsim: error: ")
    return lines[0]


def test_sweep_runs_replaces_the_specs_runs_per_point(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", _sweep_spec(tmp_path), "--out", str(out), "--runs", "12"]) == 0
    assert "3 points x 12 runs = 36 runs" in capsys.readouterr().out
    summary = pd.read_parquet(out / "summary.parquet")
    assert summary["runs"].tolist() == [12, 12, 12]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs_per_point"] == 12 and manifest["identity"]["runs_per_point"] == 12
    # Resumed with the same --runs: the same sweep.
    assert (
        main(["sweep", _sweep_spec(tmp_path), "--out", str(out), "--runs", "12", "--resume"]) == 0
    )
    capsys.readouterr()
    # With another --runs, or without (the spec's 2000), it is another design: refused.
    for other in (["--runs", "20"], []):
        args = ["sweep", _sweep_spec(tmp_path), "--out", str(out), "--resume", *other]
        assert main(args) == 2
        assert "identity.runs_per_point = 12" in _one_error(capsys)


@pytest.mark.parametrize("value", ["0", "-5"])
def test_sweep_bad_runs_is_one_line_naming_the_option(tmp_path, capsys, value):
    args = ["sweep", _sweep_spec(tmp_path), "--out", str(tmp_path / "o"), "--runs", value]
    assert main(args) == 2
    assert _one_error(capsys).startswith(f"negsim: error: --runs = {value}: expected")
    assert not (tmp_path / "o").exists()


def test_sensitivity_samples_and_runs_replace_the_specs(tmp_path, capsys):
    out = tmp_path / "sens"
    args = ["sensitivity", _sensitivity_spec(tmp_path), "--out", str(out)]
    assert main([*args, "--samples", "4", "--runs", "8"]) == 0
    assert "16 points x 8 runs" in capsys.readouterr().out  # N x (D + 2) = 4 x 4
    design = pd.read_parquet(out / "design.parquet")
    assert len(design) == 16 and (design["runs"] == 8).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["spec"]["samples"] == 4 and manifest["runs_per_point"] == 8
    # The same options resume (nothing left to run); other ones are another design.
    assert main([*args, "--samples", "4", "--runs", "8"]) == 0
    assert "(16 points resumed)" in capsys.readouterr().out
    for other in (["--samples", "4", "--runs", "16"], ["--samples", "8", "--runs", "8"]):
        assert main([*args, *other]) == 2
        assert "--out = " in _one_error(capsys)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--samples", "6"], "--samples = 6: expected a power of 2"),
        (["--samples", "1"], "--samples = 1: expected"),
        (["--runs", "0"], "--runs = 0: expected"),
    ],
)
def test_sensitivity_bad_values_are_one_line_naming_the_option(tmp_path, capsys, options, expected):
    args = ["sensitivity", _sensitivity_spec(tmp_path), "--out", str(tmp_path / "o"), *options]
    assert main(args) == 2
    assert _one_error(capsys).startswith(f"negsim: error: {expected}")


def test_morris_samples_need_not_be_a_power_of_2(tmp_path, capsys):
    spec = _sensitivity_spec(tmp_path, "morris")
    args = ["sensitivity", spec, "--out", str(tmp_path / "o"), "--samples", "3", "--runs", "4"]
    assert main(args) == 0
    assert "9 points x 4 runs" in capsys.readouterr().out  # N x (D + 1) = 3 x 3
