"""The model inside the EMA Workbench: one model per point against the batched evaluator.

One design of 128 points x 200 runs of the Ukraine scenario over its provenance ranges
(`sim.experiments.ema.negsim_model`; horizon and round length fixed at the scenario's 60
rounds of 30 days, so that the points can share a batch), evaluated on one core in this
process, alternating within each repeat:

    one_model_per_point: EMA's SequentialEvaluator, which calls the model once per point
                         (each point one batch of its own runs), as a hand-made wrapper does
    batched:             sim.experiments.ema.BatchEvaluator, which hands the design to
                         simulate_points in blocks of 32,768 runs

The outcomes of the two must be identical; the wall times are reported as the median of
the repeats (after an untimed warm-up), the ratio taken within each repeat. Needs the
extra: pip install -e ".[ema]".

    python benchmarks/bench_ema.py            # writes benchmarks/results_ema.json
    python benchmarks/bench_ema.py --quick    # 16 points x 50 runs, one repeat
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sweep import ROOT, SCENARIO, machine  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import ema_workbench
    from ema_workbench import SequentialEvaluator, perform_experiments

from sim.experiments.ema import BatchEvaluator, NegsimModel, negsim_model  # noqa: E402

SEED = 5


def design(model: NegsimModel, points: int) -> tuple[list[Any], list[Any]]:
    """`points` scenarios and as many policies (zipped: combine="sample"), drawn uniformly
    from the ranges with a seeded generator, as EMA's own point objects."""
    rng = np.random.default_rng(SEED)
    sample = getattr(ema_workbench, "Sample", None)  # EMA 3; EMA 2.5 has Scenario, Policy
    out: dict[bool, list[Any]] = {False: [], True: []}
    for lever in (False, True):
        cls = sample or (ema_workbench.Policy if lever else ema_workbench.Scenario)
        for i in range(points):
            values = {
                r.name: int(rng.integers(r.low, r.high + 1))
                if r.integer
                else float(rng.uniform(r.low, r.high))
                for r in model.ranges
                if r.lever == lever
            }
            out[lever].append(cls(name=f"{'policy' if lever else 'scenario'}{i}", **values))
    return out[False], out[True]


def timed(model: NegsimModel, evaluator: Any, scenarios: list[Any], policies: list[Any]) -> Any:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, outcomes = perform_experiments(
            model, scenarios=scenarios, policies=policies, combine="sample", evaluator=evaluator
        )
    return time.perf_counter() - start, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 points x 50 runs, one repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_ema.json"))
    args = parser.parse_args()
    points, runs, repeats = (16, 50, 1) if args.quick else (128, 200, args.repeats)
    model = negsim_model(
        SCENARIO, runs_per_point=runs, seed=SEED, overrides={"horizon": 60, "round_days": 30}
    )
    scenarios, policies = design(model, points)
    evaluators = {
        "one_model_per_point": lambda: SequentialEvaluator(model),
        "batched": lambda: BatchEvaluator(model),
    }
    # Warm-up, untimed: the first model built in a process pays for imports and caches.
    for make in evaluators.values():
        timed(model, make(), scenarios[:2], policies[:2])
    walls: dict[str, list[float]] = {name: [] for name in evaluators}
    identical = True
    for rep in range(repeats):
        outcomes = {}
        for name, make in evaluators.items():
            wall, outcomes[name] = timed(model, make(), scenarios, policies)
            walls[name].append(wall)
            print(json.dumps({"config": name, "repeat": rep, "wall_s": round(wall, 2)}))
        identical &= all(
            np.array_equal(outcomes["one_model_per_point"][k], outcomes["batched"][k])
            for k in outcomes["batched"]
        )
    ratios = [a / b for a, b in zip(walls["one_model_per_point"], walls["batched"], strict=True)]
    total = points * runs
    report = {
        "benchmark": "EMA Workbench: one model per point vs BatchEvaluator (simulate_points)",
        "scenario": "configs/ukraine_2025.yaml (horizon 60, round_days 30)",
        "ema_workbench": ema_workbench.__version__,
        "uncertainties": len(model.uncertainties),
        "levers": len(model.levers),
        "points": points,
        "runs_per_point": runs,
        "runs": total,
        "repeats": repeats,
        "wall_s": {k: [round(w, 2) for w in v] for k, v in walls.items()},
        "median_wall_s": {k: round(statistics.median(v), 2) for k, v in walls.items()},
        "median_runs_per_s": {k: round(total / statistics.median(v)) for k, v in walls.items()},
        "ratio_per_repeat": [round(r, 2) for r in ratios],
        "median_ratio": round(statistics.median(ratios), 2),
        "outcomes_identical": bool(identical),
        "machine": machine(),
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps({k: report[k] for k in ("median_wall_s", "median_ratio", "outcomes_identical")})
    )


if __name__ == "__main__":
    main()
