"""A 1,000,000-run sweep on the Ukraine scenario: wall time, runs/s, peak memory, scaling.

Runs `negsim sweep` as a subprocess (the way a user runs it) on a 25 x 5 grid over the US
leverage on Russia and Russia's trust, 8,000 runs per point (125 chunks of 8,000 runs, full
60-round horizon), once per configuration:

    processes backend, 1 worker
    processes backend, 2 workers
    dask backend (LocalCluster), 2 workers

Then the engine alone (`iter_chunks`, no sweep machinery) runs 8 chunks of the same size on
one core, as a yardstick for the sweep's overhead. While each sweep runs, the resident memory
of the whole process tree (the driver plus every worker process) is sampled every 0.2 s; the
peak of the sum is reported. It overstates a little (pages shared between processes count
once per process). The three summary tables must be identical.

    python benchmarks/bench_sweep.py            # writes benchmarks/results_sweep.json
    python benchmarks/bench_sweep.py --quick    # 20,000 runs, to check the script
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "configs" / "ukraine_2025.yaml"
CONFIGS = [("processes", 1), ("processes", 2), ("dask", 2)]


def spec_for(runs_per_point: int, leverage_points: int, trust: list[float]) -> dict[str, Any]:
    return {
        "name": "bench_1m",
        "base": str(SCENARIO),
        "runs_per_point": runs_per_point,
        "seed": 2025,
        "chunk_size": runs_per_point,
        "parameters": {
            "mediator.leverage.russia": {"range": [0.0, 1.0], "points": leverage_points},
            "parties.russia.trust": trust,
        },
    }


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        # A process may end between listing and sampling.
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_one(spec_path: Path, out: Path, backend: str, workers: int) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "sim.cli",
        "sweep",
        str(spec_path),
        "--out",
        str(out),
        "--backend",
        backend,
        "--workers",
        str(workers),
        "--quiet",
        "--json",
    ]
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watched = psutil.Process(proc.pid)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                peak = max(peak, tree_rss(watched))
            except psutil.Error:
                return
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"sweep failed ({backend}, {workers}): {stderr.strip()}")
    runs = sum(p["runs"] for p in json.loads(stdout)["points"])
    return {
        "backend": backend,
        "workers": workers,
        "runs": runs,
        "wall_s": round(wall, 2),
        "runs_per_s": round(runs / wall),
        "peak_memory_tree_mb": round(peak / 2**20),
        # Other jobs on a shared machine slow a run down: the 1-minute load average before
        # and after it says how busy the machine was.
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.machine(),
    }


def engine_alone(runs: int, chunk: int) -> dict[str, Any]:
    """The engine without the sweep machinery, on one core in this process, as a yardstick
    for the sweep's own overhead (same scenario, chunk size and horizon)."""
    from sim import load_scenario
    from sim.experiments.simulate import iter_chunks

    scenario = load_scenario(SCENARIO)
    start = time.perf_counter()
    for _ in iter_chunks(scenario, runs, 2025, chunk_size=chunk):
        pass
    wall = time.perf_counter() - start
    return {
        "runs": runs,
        "chunk_size": chunk,
        "wall_s": round(wall, 2),
        "runs_per_s": round(runs / wall),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 runs, not 1,000,000")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_sweep.json"))
    args = parser.parse_args()
    if args.quick:
        spec = spec_for(2000, 5, [0.0, 0.4])
    else:
        spec = spec_for(8000, 25, [0.0, 0.1, 0.2, 0.3, 0.4])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "bench.yaml"
        spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        summaries = []
        for backend, workers in CONFIGS:
            out = Path(tmp) / f"{backend}-{workers}"
            row = run_one(spec_path, out, backend, workers)
            print(json.dumps(row))
            results.append(row)
            summaries.append(pd.read_parquet(out / "summary.parquet"))
        identical = all(s.equals(summaries[0]) for s in summaries[1:])
    yardstick = engine_alone(8 * spec["runs_per_point"], spec["runs_per_point"])
    print(json.dumps({"engine_alone": yardstick}))
    one = next(r for r in results if r["backend"] == "processes" and r["workers"] == 1)
    two = next(r for r in results if r["backend"] == "processes" and r["workers"] == 2)
    speedup = one["wall_s"] / two["wall_s"]
    report = {
        "benchmark": "1,000,000-run sweep" if not args.quick else "quick check",
        "spec": spec | {"base": "configs/ukraine_2025.yaml"},
        "points": len(summaries[0]),
        "results": results,
        "speedup_1_to_2_workers": round(speedup, 2),
        "parallel_efficiency_2_workers": round(speedup / 2, 2),
        "summaries_identical_across_configs": bool(identical),
        "engine_alone_one_core": yardstick,
        "sweep_1_worker_vs_engine_alone": round(one["runs_per_s"] / yardstick["runs_per_s"], 2),
        "machine": machine(),
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {k: report[k] for k in ("speedup_1_to_2_workers", "summaries_identical_across_configs")}
        )
    )


if __name__ == "__main__":
    main()
