"""Throughput of the batch engine versus one Mesa model per run (benchmarks/README.md).

Both are measured in the same process, alternating, so machine noise hits both alike; we
report medians over repeats and their ratio. Usage:

    python benchmarks/bench_engine.py [--runs 100000] [--single-runs 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np

import sim
from sim.model.shell import NegotiationModel

ROOT = Path(__file__).resolve().parents[1]


def batch_rate(scenario: sim.Scenario, runs: int, seed: int) -> float:
    start = time.perf_counter()
    sim.simulate(scenario, runs=runs, seed=seed)
    return runs / (time.perf_counter() - start)


def single_rate(scenario: sim.Scenario, runs: int, seed: int) -> float:
    """The same runs, one NegotiationModel(runs=1) each (what a Mesa batch_run would do)."""
    start = time.perf_counter()
    for i in range(runs):
        NegotiationModel(scenario, runs=1, seed=seed, first_run=i, collect=False).run()
    return runs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default=str(ROOT / "configs" / "ukraine_2025.yaml"))
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--single-runs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_engine.json"))
    args = parser.parse_args()
    scenario = sim.load_scenario(args.scenario)
    # Warm up: the package loads the engine's libraries on first use, which no repeat should pay.
    sim.simulate(scenario, runs=100, seed=0)
    single_rate(scenario, 2, seed=0)
    batch, single = [], []
    for rep in range(args.repeats):
        batch.append(batch_rate(scenario, args.runs, seed=rep))
        single.append(single_rate(scenario, args.single_runs, seed=rep))
    result = {
        "scenario": scenario.name,
        "horizon": scenario.horizon,
        "batch_runs": args.runs,
        "single_runs": args.single_runs,
        "repeats": args.repeats,
        "batch_runs_per_s_median": statistics.median(batch),
        "single_model_runs_per_s_median": statistics.median(single),
        "ratio_median": statistics.median(b / s for b, s in zip(batch, single, strict=True)),
        "batch_runs_per_s_all": batch,
        "single_model_runs_per_s_all": single,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cores_used": 1,
    }
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
