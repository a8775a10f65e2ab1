"""Progress bars of the long commands: on stderr when it is a terminal, off with --quiet,
and nothing changes on a pipe."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import ROOT, negsim

SCENARIO = str(ROOT / "configs" / "ukraine_2025.yaml")


def _sweep_spec(tmp_path: Path) -> str:
    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"base: {SCENARIO}\nruns_per_point: 20\nseed: 3\n"
        "parameters:\n  mediator.guarantee: {range: [0.0, 1.0], points: 2}\n"
    )
    return str(path)


def _sensitivity_spec(tmp_path: Path) -> str:
    path = tmp_path / "sens.yaml"
    path.write_text(
        f"base: {SCENARIO}\nmethod: sobol\nsamples: 2\nruns_per_point: 8\nseed: 1\n"
        "parameters:\n  parties.russia.trust: {range: [0.0, 0.3]}\n"
    )
    return str(path)


def _commands(tmp_path: Path, out: str = "out") -> dict[str, list[str]]:
    return {
        "run": ["run", SCENARIO, "--runs", "60", "--seed", "7"],
        "compare": ["compare", SCENARIO, "--strategies", "none,facilitative", "--runs", "40"],
        "sweep": ["sweep", _sweep_spec(tmp_path), "--out", str(tmp_path / "sweep" / out)],
        "sensitivity": [
            *("sensitivity", _sensitivity_spec(tmp_path)),
            *("--out", str(tmp_path / "sensitivity" / out)),
        ],
        "validate": ["validate", "--only", "analytic_nash", "--workers", "1"],
    }


COMMANDS = ["run", "compare", "sweep", "sensitivity", "validate"]


def _as_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bar_on_a_terminal_and_none_with_quiet(monkeypatch, capsys, tmp_path, command):
    _as_terminal(monkeypatch)
    assert main(_commands(tmp_path, "bar")[command]) == 0
    shown = capsys.readouterr()
    assert f"{command}: 100%|" in shown.err, shown.err  # tqdm's bar, finished
    if command == "validate":
        assert "negsim validate:" not in shown.err  # the bar stands for the lines
    assert main([*_commands(tmp_path, "quiet")[command], "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""
    # The bar is on stderr only: stdout is the same with and without it.
    assert quiet.out == shown.out.replace("/bar", "/quiet")


@pytest.mark.parametrize("command", ["run", "compare", "validate"])
def test_a_pipe_sees_the_same_output_as_before(tmp_path, command):
    # stderr a pipe: no bar, stdout the same as with --quiet, stderr as it always was.
    args = _commands(tmp_path)[command]
    piped = negsim(*args)
    quiet = negsim(*args, "--quiet")
    assert piped.returncode == quiet.returncode == 0, piped.stderr
    assert piped.stdout == quiet.stdout
    expected = "negsim validate: analytic_nash ...\n" if command == "validate" else ""
    assert piped.stderr == expected and quiet.stderr == ""


def test_a_bar_in_a_real_terminal():
    # stderr a pseudo-terminal, stdout a pipe: the bar goes to the terminal only.
    leader, follower = pty.openpty()
    # 24 rows, 100 columns (a new pseudo-terminal has none, and tqdm fits the bar to them).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the terminal closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", SCENARIO, "--runs", "50"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=120,
    )
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    assert proc.returncode == 0
    assert b"run: 100%|" in b"".join(chunks)
    assert b"100%" not in proc.stdout and proc.stdout.startswith(b"Russia-Ukraine 2025: 50 runs")
