"""Start-up time of the command line, measured as whole processes (what a user waits for).

Three commands, run in turn within each repeat (alternating, so that a change in the
machine's load falls on all three alike), pinned to one core with `taskset -c 0` where
there is one:

    bad_input:  negsim run nope.yaml                   (target: under 1 s)
    run_1000:   negsim run ukraine_2025 --runs 1000    (target: under 2 s)
    import_cli: python -c "import sim.cli"

Reported: the median, min and max wall time of each over the repeats.

    python benchmarks/bench_startup.py             # 7 repeats, writes results_startup.json
    python benchmarks/bench_startup.py --quick     # 2 repeats, prints only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sweep import ROOT, machine  # noqa: E402

TARGETS_S = {"bad_input": 1.0, "run_1000": 2.0}


def negsim() -> list[str]:
    """The `negsim` console script of this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("negsim")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from sim.cli import main; sys.exit(main())"]


def commands() -> dict[str, tuple[list[str], int]]:
    """Each command with the exit code it must end with."""
    return {
        "bad_input": ([*negsim(), "run", "nope.yaml"], 2),
        "run_1000": ([*negsim(), "run", "ukraine_2025", "--runs", "1000"], 0),
        "import_cli": ([sys.executable, "-c", "import sim.cli"], 0),
    }


def time_one(argv: list[str], expect: int, pin: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([*pin, *argv], cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != expect:
        raise SystemExit(
            f"{' '.join(argv)} exited {proc.returncode}, expected {expect}:\n{proc.stderr}"
        )
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 repeats, write nothing")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_startup.json"))
    args = parser.parse_args()
    repeats = 2 if args.quick else args.repeats
    pin = [] if args.no_pin or shutil.which("taskset") is None else ["taskset", "-c", "0"]
    cmds = commands()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for argv, expect in cmds.values():  # one untimed pass: files into the page cache
        time_one(argv, expect, pin, ROOT)
    for rep in range(repeats):
        for name, (argv, expect) in cmds.items():
            wall = time_one(argv, expect, pin, ROOT)
            times[name].append(wall)
            print(json.dumps({"command": name, "repeat": rep, "wall_s": round(wall, 3)}))
    results: dict[str, Any] = {}
    for name, (argv, _) in cmds.items():
        walls = times[name]
        results[name] = {
            "command": " ".join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv)),
            "median_s": round(statistics.median(walls), 3),
            "min_s": round(min(walls), 3),
            "max_s": round(max(walls), 3),
            "target_s": TARGETS_S.get(name),
            "walls_s": [round(w, 3) for w in walls],
        }
    out = {
        "benchmark": "start-up time of the command line, whole processes",
        "repeats": repeats,
        "pinned": " ".join(pin) or None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "results": results,
        "machine": machine(),
    }
    print(json.dumps(out["results"], indent=2))
    if not args.quick:
        Path(args.out).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
