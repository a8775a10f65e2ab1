"""Twenty SIGKILLs at random moments of a sweep and of a sensitivity analysis, each followed
by the same command resuming: the tables in the end are those of an uninterrupted run, with
no row lost or doubled. A kill lands wherever it lands: during start-up, a chunk, a write,
the summary; the seeded draw of the moments makes a failure repeatable."""

from __future__ import annotations

import random
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim.experiments.designs import load_spec
from sim.experiments.sensitivity import run_sensitivity
from sim.experiments.sweep import read_runs, run_sweep
from tests.conftest import ROOT, negsim
from tests.test_sweep import write_spec

KILLS = 20


def _kill_at_random_moments(argv: list[str], seed: int) -> int:
    """Start the command KILLS times, each killed outright after a random wait; return how
    many were killed while still running (the rest had finished by then)."""
    moments = random.Random(seed)
    killed = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", *argv],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(moments.uniform(0.2, 2.5))
        if proc.poll() is None:
            proc.kill()
            killed += 1
        proc.wait(timeout=60)
    return killed


@pytest.mark.slow
def test_a_sweep_killed_twenty_times_ends_as_if_never_killed(tmp_path):
    spec = write_spec(tmp_path, runs_per_point=1200, chunk_size=100, set={"horizon": 12})
    full = tmp_path / "full"
    run_sweep(load_spec(spec), full)
    out = tmp_path / "killed"
    argv = ["sweep", str(spec), "--out", str(out), "--resume", "--quiet"]
    killed = _kill_at_random_moments(argv, seed=20)
    # Each resumed start finishes more of the work, so the later ones may end before
    # their kill: on a fast machine a little under half land; a third is the floor.
    assert killed >= KILLS // 3, "kills must land while the sweep runs"
    finish = negsim(*argv)
    assert finish.returncode == 0, finish.stderr
    got, want = read_runs(out), read_runs(full)
    assert len(got) == len(want) == 6 * 1200
    assert not got.duplicated(["point", "run"]).any()
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "summary.parquet"), pd.read_parquet(full / "summary.parquet")
    )


@pytest.mark.slow
def test_a_sensitivity_analysis_killed_twenty_times_ends_as_if_never_killed(tmp_path):
    size = ["--samples", "8", "--runs", "300"]
    full = tmp_path / "full"
    run_sensitivity("sensitivity_minsk", full, samples=8, runs_per_point=300)
    out = tmp_path / "killed"
    argv = ["sensitivity", "sensitivity_minsk", "--out", str(out), *size, "--quiet"]
    killed = _kill_at_random_moments(argv, seed=21)
    assert killed >= KILLS // 3, "kills must land while the analysis runs"
    finish = negsim(*argv)
    assert finish.returncode == 0, finish.stderr
    for name in ("design.parquet", "indices.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(full / name))
