"""Worker processes: they die with the process that started them, and the processes backend
works from a plain script (importing negsim changes no global multiprocessing state)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import ROOT

SPEC = """\
name: tiny
base: {base}
runs_per_point: 40
seed: 3
chunk_size: 20
set: {{horizon: 4}}
parameters:
  mediator.guarantee: [0.2, 0.8]
"""


def test_importing_negsim_leaves_the_start_method_alone():
    code = (
        "import multiprocessing as mp\n"
        "before = mp.get_start_method(allow_none=True)\n"
        "import sim, sim.experiments.simulate, sim.experiments.sweep\n"
        "print(before, mp.get_start_method(allow_none=True))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "None"]


@pytest.mark.slow
@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="the platform's default is not fork"
)
def test_a_plain_script_runs_a_sweep_on_processes(tmp_path):
    """No `if __name__ == "__main__":`: with the platform's fork start method, the workers
    do not import the script again."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(base=ROOT / "configs" / "ukraine_2025.yaml"))
    script = tmp_path / "plain.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from pathlib import Path
            from sim.experiments.designs import load_spec
            from sim.experiments.sweep import run_sweep

            result = run_sweep(load_spec({str(spec)!r}), Path({str(tmp_path / "out")!r}),
                               backend="processes", workers=2)
            print(len(result.summary))
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_workers_die_with_a_parent_killed_outright(tmp_path):
    psutil = pytest.importorskip("psutil")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC.format(base=ROOT / "configs" / "ukraine_2025.yaml")
        .replace("runs_per_point: 40", "runs_per_point: 400000")
        .replace("chunk_size: 20", "chunk_size: 20000")
        .replace("{horizon: 4}", "{horizon: 60}")
    )
    parent = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(spec), "--out", str(tmp_path / "out"),
         "--backend", "processes", "--workers", "2", "--quiet"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        workers: list = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = psutil.Process(parent.pid).children(recursive=True)
        assert len(workers) >= 2, "the sweep did not start its workers"
        os.kill(parent.pid, signal.SIGKILL)  # as the out-of-memory killer does
        parent.wait(timeout=10)
        gone, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"{len(alive)} workers outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
