"""A fuzzing campaign: thousands of generated inputs through `negsim`, the contract checked.

Runs the strategies of tests/fuzz/strategies.py (scenario files, `--set` overrides, sweep
specs, sensitivity specs, validation check files), each case in its own temporary folder,
in this one process, and counts per kind how many exited 0, 1 (validate only) or 2, and how
many broke the contract (docs/cli.md, "Bad input": an exception out of `main`, a traceback,
more than one line on stderr, another exit code, no answer within 20 s, NaN in the JSON or
in a sweep's summary.csv). Each finding is kept with its input. The tests in
tests/fuzz/test_fuzz_inputs.py run a small deterministic slice of the same strategies.

    python benchmarks/bench_fuzz.py              # ~10,000 cases; benchmarks/results_fuzz.json
    python benchmarks/bench_fuzz.py --scale 0.01 # a hundred cases, to check the script
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import hypothesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.configuration import set_hypothesis_home_dir

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Hypothesis's caches (written as soon as a strategy is built) go to a temporary folder,
# not `.hypothesis/` in the working directory.
_HOME = tempfile.TemporaryDirectory(prefix="negsim-hypothesis-")
set_hypothesis_home_dir(_HOME.name)

from tests.fuzz import strategies  # noqa: E402
from tests.fuzz.harness import Case, run_case  # noqa: E402

# Cases per kind: the cheap kinds get more; together at least 10,000.
CASES = {"scenario": 3600, "set": 3000, "sweep": 2000, "sensitivity": 600, "validate": 1000}
SEED = 20251203

settings.register_profile(
    "campaign",
    deadline=None,
    database=None,
    # Generation only: a finding is recorded, not shrunk, so that the counting goes on.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def campaign(kind: str, examples: int) -> tuple[Counter, list[dict], float]:
    """Run `examples` cases of one kind; return the counts, the findings and the seconds."""
    counts: Counter = Counter()
    findings: list[dict] = []

    @seed(SEED)
    @settings(settings.get_profile("campaign"), max_examples=examples)
    @given(strategies.KINDS[kind]())
    def one(case: Case) -> None:
        with tempfile.TemporaryDirectory(prefix="negsim-fuzz-") as folder:
            outcome = run_case(case, Path(folder))
        if outcome.problems:
            counts["finding"] += 1
            findings.append({"case": case.describe(), "problems": outcome.problems})
        else:
            counts[f"exit {outcome.code}"] += 1

    start = time.perf_counter()
    one()
    return counts, findings, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the cases to run")
    parser.add_argument("--only", default=None, help="comma-separated kinds")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results_fuzz.json"))
    args = parser.parse_args()
    kinds = args.only.split(",") if args.only else list(CASES)
    results: dict[str, dict] = {}
    all_findings: list[dict] = []
    total_start = time.perf_counter()
    for kind in kinds:
        examples = max(1, round(CASES[kind] * args.scale))
        counts, findings, seconds = campaign(kind, examples)
        results[kind] = {
            "cases": sum(counts.values()),
            "exit 0": counts["exit 0"],
            "exit 1": counts["exit 1"],
            "exit 2": counts["exit 2"],
            "finding": counts["finding"],
            "seconds": round(seconds, 1),
        }
        all_findings.extend(findings)
        print(f"{kind}: {results[kind]}", flush=True)
    seconds = time.perf_counter() - total_start
    header = (
        f"{'kind':<12}{'cases':>7}{'exit 0':>8}{'exit 1':>8}{'exit 2':>8}{'finding':>9}{'s':>8}"
    )
    print(header)
    for kind, row in results.items():
        print(
            f"{kind:<12}{row['cases']:>7}{row['exit 0']:>8}{row['exit 1']:>8}{row['exit 2']:>8}"
            f"{row['finding']:>9}{row['seconds']:>8}"
        )
    total = sum(r["cases"] for r in results.values())
    print(f"{total} cases in {seconds:.0f} s, {len(all_findings)} findings")
    for finding in all_findings:
        print(json.dumps(finding, ensure_ascii=False)[:2000])
    body = {
        "cases": total,
        "seconds": round(seconds, 1),
        "seed": SEED,
        "kinds": results,
        "findings": all_findings,
        "python": platform.python_version(),
        "hypothesis": hypothesis.__version__,
        "platform": platform.platform(),
    }
    Path(args.out).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    return 1 if all_findings else 0


if __name__ == "__main__":
    sys.exit(main())
