"""Many points with few runs each: one model per point against points batched together.

A sweep of 160 points x 250 runs on the Ukraine scenario (a Latin hypercube over four of the
scenario's assumptions, full 60-round horizon), run with `negsim sweep --backend serial`
(one core) twice per repeat, alternating:

    chunk_size 250:  every point is its own unit, one Mesa model per point
    chunk_size 8192: 32 points per unit, their parameters stacked on the runs axis

The two summaries (and run tables) must be identical; the wall times are reported as the
median of the repeats, with the ratio taken within each repeat.

    python benchmarks/bench_batching.py            # writes benchmarks/results_batching.json
    python benchmarks/bench_batching.py --quick    # 20 points, one repeat
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sweep import ROOT, SCENARIO, machine, run_one  # noqa: E402

RUNS_PER_POINT = 250


def spec_for(points: int, chunk: int) -> dict[str, Any]:
    return {
        "name": "bench_batching",
        "base": str(SCENARIO),
        "runs_per_point": RUNS_PER_POINT,
        "seed": 5,
        "chunk_size": chunk,
        "design": "latin_hypercube",
        "samples": points,
        "parameters": {
            "parties.russia.trust": {"range": [0.0, 0.3]},
            "parties.russia.cost_per_month": {"range": [0.003, 0.012]},
            "mediator.leverage.russia": {"range": [0.0, 0.8]},
            "mediator.guarantee": {"range": [0.0, 0.6]},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 points, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_batching.json"))
    args = parser.parse_args()
    points, repeats = (20, 1) if args.quick else (160, args.repeats)
    configs = {"one_point_per_unit": RUNS_PER_POINT, "batched_points": 8192}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
    identical = True
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(repeats):
            summaries = []
            for name, chunk in configs.items():
                spec_path = Path(tmp) / f"{name}.yaml"
                spec_path.write_text(
                    yaml.safe_dump(spec_for(points, chunk), sort_keys=False), encoding="utf-8"
                )
                out = Path(tmp) / f"{name}-{rep}"
                row = run_one(spec_path, out, "serial", 1)
                print(json.dumps({"config": name, "repeat": rep, **row}))
                rows[name].append(row)
                summaries.append(pd.read_parquet(out / "summary.parquet"))
                runs = pd.read_parquet(out / "runs").sort_values(["point", "run"])
                summaries.append(runs.reset_index(drop=True))
            identical &= summaries[0].equals(summaries[2]) and summaries[1].equals(summaries[3])
    ratios = [
        a["wall_s"] / b["wall_s"]
        for a, b in zip(rows["one_point_per_unit"], rows["batched_points"], strict=True)
    ]
    report = {
        "benchmark": "many points, few runs: one model per point vs batched points",
        "spec": spec_for(points, 0) | {"base": "configs/ukraine_2025.yaml", "chunk_size": configs},
        "points": points,
        "runs": points * RUNS_PER_POINT,
        "repeats": repeats,
        "median_wall_s": {k: statistics.median(r["wall_s"] for r in v) for k, v in rows.items()},
        "median_runs_per_s": {
            k: statistics.median(r["runs_per_s"] for r in v) for k, v in rows.items()
        },
        "speedup_per_repeat": [round(r, 2) for r in ratios],
        "median_speedup": round(statistics.median(ratios), 2),
        "tables_identical": bool(identical),
        "results": rows,
        "machine": machine(),
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps({k: report[k] for k in ("median_wall_s", "median_speedup", "tables_identical")})
    )


if __name__ == "__main__":
    main()
