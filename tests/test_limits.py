"""Sizes past the stated limits are refused when the spec is read, within a second or two;
a design of more runs than a working day's needs --yes."""

from __future__ import annotations

import time

import pytest

from sim.cli import main
from sim.experiments import limits


def _spec(tmp_path, body: str) -> str:
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: big\nbase: ukraine_2025\n" + body)
    return str(spec)


def _refused(capsys, argv: list[str]) -> str:
    start = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - start < 5.0
    err = capsys.readouterr().err.strip()
    assert err.startswith("negsim: error: ") and "\n" not in err
    return err


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            "runs_per_point: 10\nparameters:\n"
            "  mediator.guarantee: {range: [0, 1], points: 1000000000}\n",
            "points = 1000000000: expected an integer from 2 to 10,000",
        ),
        (
            "runs_per_point: 10\nparameters:\n  mediator.guarantee: {range: [0, 1], points: 1000}\n"
            "  parties.russia.trust: {range: [0, 0.5], points: 1000}\n",
            "parameters = 1000000: expected a design of at most 10,000 points",
        ),
        (
            "runs_per_point: 10\ndesign: random\nsamples: 1000000000000\n"
            "parameters:\n  mediator.guarantee: {range: [0, 1]}\n",
            "samples = 1000000000000: expected a design of at most 10,000 points",
        ),
        (
            "runs_per_point: 1000000000\nparameters:\n  mediator.guarantee: [0.1, 0.2]\n",
            "runs_per_point = 1000000000: expected an integer from 1 to 100,000,000",
        ),
        (
            "runs_per_point: 1e30\nparameters:\n  mediator.guarantee: [0.1, 0.2]\n",
            "runs_per_point = 1e+30: expected a positive integer",
        ),
        (
            "runs_per_point: 100\nchunk_size: 2\nparameters:\n  mediator.guarantee: [0.1, 0.2]\n",
            "chunk_size = 2: expected an integer of at least 10",
        ),
    ],
    ids=["grid_points", "grid_product", "samples", "runs", "runs_float", "chunk"],
)
def test_a_sweep_past_a_limit_is_refused_at_once(capsys, tmp_path, body, needle):
    err = _refused(capsys, ["sweep", _spec(tmp_path, body), "--out", str(tmp_path / "o")])
    assert needle in err
    assert not (tmp_path / "o").exists()


def test_a_sensitivity_design_past_the_limit_is_refused_at_once(capsys, tmp_path):
    argv = ["sensitivity", "sensitivity_ukraine", "--out", str(tmp_path / "o")]
    err = _refused(capsys, [*argv, "--samples", "65536"])
    assert "--samples = 65536: expected a design of at most 10,000 points, not 917,504" in err


def test_a_long_sweep_needs_yes(capsys, tmp_path, monkeypatch):
    body = "runs_per_point: 20000000\nparameters:\n  mediator.guarantee: [0.1, 0.2]\n"
    err = _refused(capsys, ["sweep", _spec(tmp_path, body), "--out", str(tmp_path / "o")])
    assert "'<2 points x 20,000,000 runs = 40,000,000 runs>': expected at most 20,000,000" in err
    assert "or --yes to run them" in err
    # Under a small threshold, a small sweep shows both sides: refused, then run with --yes.
    monkeypatch.setattr(limits, "CONFIRM_RUNS", 30)
    spec = _spec(
        tmp_path,
        "runs_per_point: 20\nset: {horizon: 3}\nparameters:\n  mediator.guarantee: [0.1, 0.2]\n",
    )
    assert "40 runs" in _refused(capsys, ["sweep", spec, "--out", str(tmp_path / "a")])
    assert main(["sweep", spec, "--out", str(tmp_path / "b"), "--yes", "--quiet"]) == 0
    assert (tmp_path / "b" / "summary.csv").is_file()
    capsys.readouterr()


def test_a_long_sensitivity_analysis_needs_yes(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CONFIRM_RUNS", 100)
    argv = ["sensitivity", "sensitivity_ukraine", "--out", str(tmp_path / "o")]
    err = _refused(capsys, [*argv, "--samples", "4", "--runs", "8"])
    assert "'<56 points x 8 runs = 448 runs>'" in err and "--yes" in err
