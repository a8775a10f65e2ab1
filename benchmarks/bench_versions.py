"""Runs per second of the engine now against the engine at an earlier commit, side by side.

The earlier commit is checked out into a temporary git worktree; each measurement is a fresh
Python process on one core that simulates the scenario (after a warm-up batch) and prints
its rate. The two versions alternate, A B A B, so that drift in the machine's speed hits
both alike; we report the median rate of each and the median of the pairwise ratios.
Both must produce the same table (checked on the first pair). Usage:

    python benchmarks/bench_versions.py --base c8c7c71 [--runs 65536] [--pairs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# One measurement: warm up, then time `simulate` and print the rate and a digest of each
# column of the table (the same runs must give the same numbers in both versions, in the
# columns both have: a later version may add columns).
PROBE = """
import hashlib, json, sys, time
import pandas as pd
import sim
sc = sim.load_scenario(sys.argv[1])
runs = int(sys.argv[2])
sim.simulate(sc, runs=2000, seed=99)
start = time.perf_counter()
table = sim.simulate(sc, runs=runs, seed=1).table
rate = runs / (time.perf_counter() - start)
digests = {
    str(c): hashlib.sha256(pd.util.hash_pandas_object(table[c], index=False).values.tobytes())
    .hexdigest()
    for c in table.columns
}
print(rate, json.dumps(digests, separators=(",", ":")))
"""


def measure(tree: Path, scenario: str, runs: int) -> tuple[float, dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, scenario, str(runs)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split(maxsplit=1)
    return float(out[0]), json.loads(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--scenario", default="configs/ukraine_2025.yaml")
    parser.add_argument("--runs", type=int, default=65536)
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_versions.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
            check=True,
            capture_output=True,
        )
        try:
            now, before = [], []
            for _ in range(args.pairs):
                rate_base, digest_base = measure(base, args.scenario, args.runs)
                rate_now, digest_now = measure(ROOT, args.scenario, args.runs)
                before.append(rate_base)
                now.append(rate_now)
            common = [c for c in digest_base if c in digest_now]
            same = all(digest_base[c] == digest_now[c] for c in common)
            added = [c for c in digest_now if c not in digest_base]
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
            )
    ratios = [a / b for a, b in zip(now, before, strict=True)]
    result = {
        "scenario": args.scenario,
        "runs": args.runs,
        "pairs": args.pairs,
        "base": args.base,
        "base_runs_per_s_median": statistics.median(before),
        "now_runs_per_s_median": statistics.median(now),
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "same_table": same,  # in the columns both versions have
        "columns_added": added,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
