"""What a camp member at the table costs: the Nagorno-Karabakh case (three parties, docs/cases.md
§9) as shipped, with Armenia kept out of the talks, and without Armenia (two parties).

With a member at the table the mediator's text is the Nash product over every signatory,
searched numerically (docs/model.md §3.15); without one it is the two-party point, solved in
closed form. The three variants run in turn within each repeat, in one process on one core;
the figures are medians over the repeats, the ratios taken within each repeat.

    python benchmarks/bench_camps.py            # writes benchmarks/results_camps.json
    python benchmarks/bench_camps.py --quick    # 2,000 runs, one repeat
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sweep import ROOT, machine  # noqa: E402

CASE = ROOT / "configs" / "cases" / "nagorno_karabakh_1994.yaml"
MEMBER = "armenia"


def variants() -> dict[str, Any]:
    from sim.model.config import scenario_from_dict

    data = yaml.safe_load(CASE.read_text())
    out = copy.deepcopy(data)
    out["parties"][MEMBER]["at_table"] = False
    two = copy.deepcopy(data)
    del two["parties"][MEMBER]
    two["provenance"] = {k: v for k, v in two["provenance"].items() if MEMBER not in k}
    two["timeline"] = [
        {**c, "set": {k: v for k, v in c["set"].items() if MEMBER not in k}}
        for c in two.get("timeline", [])
    ]
    two["timeline"] = [c for c in two["timeline"] if c["set"]]
    return {
        "member at the table": scenario_from_dict(data),
        "member kept out": scenario_from_dict(out),
        "two parties": scenario_from_dict(two),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 runs, one repeat")
    parser.add_argument("--runs", type=int, default=16000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_camps.json"))
    args = parser.parse_args()
    runs, repeats = (2000, 1) if args.quick else (args.runs, args.repeats)

    from sim import simulate

    scenarios = variants()
    for sc in scenarios.values():
        simulate(sc, runs=200, seed=1)  # warm up: imports, caches
    times: dict[str, list[float]] = {name: [] for name in scenarios}
    for _ in range(repeats):
        for name, sc in scenarios.items():
            start = time.perf_counter()
            simulate(sc, runs=runs, seed=1)
            times[name].append(time.perf_counter() - start)
    base = times["two parties"]
    result = {
        "machine": machine(),
        "runs": runs,
        "repeats": repeats,
        "variants": {
            name: {
                "seconds_median": statistics.median(t),
                "runs_per_s": runs / statistics.median(t),
                "ratio_to_two_parties": statistics.median(
                    [a / b for a, b in zip(t, base, strict=True)]
                ),
            }
            for name, t in times.items()
        },
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    for name, r in result["variants"].items():
        print(
            f"{name:<22} {r['runs_per_s']:>9,.0f} runs/s  "
            f"{r['ratio_to_two_parties']:.2f}x the time of two parties"
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
