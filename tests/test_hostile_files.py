"""File names and file-system failures: one line naming the file, exit 2, never a traceback."""

from __future__ import annotations

import errno
import pathlib

import pytest

from sim.cli import main


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("negsim: error: ") and "\n" not in err, captured.err
    return err


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "a" * 300 + ".yaml"],
        ["run", "b" * 10_000],
        ["sweep", "c" * 10_000, "--out", "o"],
        ["sensitivity", "d" * 300 + ".yaml", "--out", "o"],
    ],
    ids=["scenario_300", "scenario_10000", "sweep_spec", "sensitivity_spec"],
)
def test_a_name_too_long_for_the_file_system_is_one_short_line(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = _one_line(capsys)
    assert len(err) < 800 and "..." in err  # the name is cut in the middle


def test_an_unreadable_file_is_one_line(capsys, tmp_path, monkeypatch):
    scenario = tmp_path / "war.yaml"
    scenario.write_text("name: x\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "read_text", refuse)
    assert main(["run", str(scenario)]) == 2
    err = _one_line(capsys)
    assert err.startswith(f"negsim: error: {scenario}: <top level> = '")
    assert err.endswith("war.yaml': expected a readable file (Permission denied)")


def test_a_full_disk_while_writing_is_one_line(capsys, tmp_path, monkeypatch):
    import sim.experiments.storage

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out/runs.parquet"))

    monkeypatch.setattr(sim.experiments.storage.RunsWriter, "write", full)
    assert main(["run", "ukraine_2025", "--runs", "20", "--out", str(tmp_path / "out")]) == 2
    assert _one_line(capsys) == (
        f"negsim: error: {tmp_path / 'out/runs.parquet'}: No space left on device"
    )


def test_a_lone_surrogate_in_a_value_is_one_line(capsys):
    assert main(["run", "ukraine_2025", "--set", 'name="\\ud800"', "--runs", "5"]) == 2
    assert "a lone surrogate escape" in _one_line(capsys)


def test_an_undecodable_byte_in_a_path_is_one_line(capsys, tmp_path):
    out = str(tmp_path / "bad\udcff")  # how a byte that is not UTF-8 arrives in argv
    assert main(["run", "ukraine_2025", "--runs", "5", "--out", out]) == 2
    assert "--out = " in _one_line(capsys)


@pytest.mark.slow
def test_a_batch_streams_so_its_memory_does_not_grow_with_runs(tmp_path):
    """negsim run --runs N --out: each chunk goes to disk and into the summary's tally, so
    ten times the runs (each row about 0.6 kB) takes no more memory."""
    import subprocess
    import sys

    code = (
        "import resource, sys\n"
        "from sim.cli import main\n"
        "assert main(sys.argv[1:]) == 0\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    peaks = {}
    for runs in (20_000, 200_000):
        argv = ["run", "ukraine_2025", "--runs", str(runs), "--set", "horizon=3",
                "--chunk-size", "4000", "--out", str(tmp_path / str(runs)), "--json"]  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=600
        )
        assert proc.returncode == 0, proc.stderr
        peaks[runs] = int(proc.stderr.strip().splitlines()[-1]) / 1024  # MB
    # Kept whole, the larger batch would hold about 100 MB more rows.
    assert peaks[200_000] < peaks[20_000] + 40, peaks
    import pandas as pd

    assert len(pd.read_parquet(tmp_path / "200000" / "runs.parquet")) == 200_000


@pytest.mark.parametrize("text", ["a\fb", "a\x1db", "a\u2028b", "a\nb", "a\x85b"])
def test_a_character_that_does_not_print_keeps_the_message_one_line(capsys, tmp_path, text):
    """A key or a file name may hold a form feed, a group separator or a line separator,
    which str.splitlines() (and a terminal) would break the message on."""
    assert main(["run", "ukraine_2025", "--set", f"{text}=1"]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    check = tmp_path / "check.yaml"
    check.write_text(f"title: t\nscenario: {text!r}\nexpect: []\n".replace("'", '"'))
    assert main(["validate", str(check)]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
