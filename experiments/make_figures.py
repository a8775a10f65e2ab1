"""Regenerate every figure the README shows, from the specs in experiments/.

    python3 experiments/make_figures.py                 # full size, copies into docs/figures
    python3 experiments/make_figures.py --quick         # small runs, a smoke test
    python3 experiments/make_figures.py --only run,sensitivity

Each step runs `negsim` commands into results/readme/<step> (or --out), then
`negsim plot` on the folder, and copies the figures the README embeds into docs/figures/
(full-size runs only, or wherever --docs points). The commands run in this process, from
the repository root. A step whose command this installation
does not have (say, `negsim sweep` before it exists) is reported and skipped, and the
script then exits with status 1. Everything is seeded: the same installation gives the same
figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "configs/ukraine_2025.yaml"
US_SCHEDULE = "configs/ukraine_2025_us_schedule.yaml"
STRATEGIES = (
    "scenario,none,facilitative,formulative,manipulative,deadline_deal,ceasefire_first,"
    "working_groups"
)
QUICK_RUNS = 400
# README figures are PNGs at most this large.
MAX_PNG_BYTES = 200_000


@dataclass
class Step:
    name: str
    command: str  # the negsim subcommand the step needs
    args: list[str]  # after `negsim <command>`; {out} is the step's folder
    figures: dict[str, str] = field(default_factory=dict)  # figures/<file> -> docs name
    spec: str | None = None  # a spec file to shrink in --quick mode


STEPS = [
    Step(
        "run",
        "run",
        [SCENARIO, "--seed", "7", "--run-index", "1", "--out", "{out}"],
        {"run.png": "single_run.png"},
    ),
    Step(
        "base",
        "run",
        [SCENARIO, "--runs", "{runs:20000}", "--seed", "7", "--out", "{out}"],
        {"time_to_settlement.png": "time_to_settlement.png"},
    ),
    Step(
        "compare",
        "compare",
        [US_SCHEDULE, "--strategies", STRATEGIES, "--runs", "{runs:20000}", "--seed", "3"]
        + ["--out", "{out}"],
        {
            "settlement_by_strategy.png": "settlement_by_strategy.png",
            "time_to_settlement.png": "time_to_settlement_by_strategy.png",
            "outcomes.png": "outcomes_by_strategy.png",
        },
    ),
    Step(
        "sweep_guarantee",
        "sweep",
        ["{spec}", "--out", "{out}", "--backend", "processes", "--workers", "2"],
        {
            "settlement_vs_mediator_guarantee.png": "sweep_guarantee.png",
            "outcomes.png": "sweep_guarantee_outcomes.png",
        },
        spec="experiments/guarantee.yaml",
    ),
    Step(
        "sensitivity",
        "sensitivity",
        ["{spec}", "--out", "{out}"],
        {"sensitivity.png": "sensitivity.png"},
        spec="experiments/sensitivity_ukraine.yaml",
    ),
]


def negsim(*args: str, quiet: bool = False) -> int:
    """Run one `negsim` command in this process (its exit status; output to the terminal
    unless quiet)."""
    from sim.cli import main as negsim_main

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        try:
            return negsim_main(list(args))
        except SystemExit as exit_:  # argparse: -h, or an unknown command
            return int(exit_.code or 0)


def available(command: str) -> bool:
    with contextlib.redirect_stderr(io.StringIO()):
        return negsim(command, "-h", quiet=True) == 0


def quick_spec(spec: str, out: Path) -> str:
    """A shrunken copy of a spec (few samples, few runs, absolute base path)."""
    path = ROOT / spec
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["base"] = str((path.parent / data["base"]).resolve())
    data["runs_per_point"] = 16
    if "samples" in data:
        data["samples"] = 4
    data.setdefault("set", {})
    if isinstance(data["set"], dict):
        data["set"]["horizon"] = 24
    for name, value in list(data.get("parameters", {}).items()):
        if isinstance(value, dict) and "points" in value:
            data["parameters"][name] = {**value, "points": 3}
    out.mkdir(parents=True, exist_ok=True)
    target = out / Path(spec).name
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(target)


def expand(args: list[str], out: Path, spec: str | None, quick: bool) -> list[str]:
    expanded = []
    for arg in args:
        if arg.startswith("{runs:"):
            expanded.append(str(QUICK_RUNS) if quick else arg[len("{runs:") : -1])
        else:
            expanded.append(arg.replace("{out}", str(out)).replace("{spec}", spec or ""))
    return expanded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="results root (default results/readme)")
    parser.add_argument(
        "--docs", default=None, help="copy README figures here (default docs/figures)"
    )
    parser.add_argument("--quick", action="store_true", help="small runs (a smoke test)")
    parser.add_argument("--only", default=None, help="comma-separated step names")
    args = parser.parse_args(argv)
    names = [s.name for s in STEPS]
    only = args.only.split(",") if args.only else names
    unknown = [n for n in only if n not in names]
    if unknown:
        parser.error(f"unknown step(s) {unknown}; the steps are {names}")
    # Defaults live in the repository; paths given on the command line are the user's.
    root = ROOT / "results/readme" if args.out is None else (Path.cwd() / args.out).resolve()
    if args.docs is not None:
        docs_dir: Path | None = (Path.cwd() / args.docs).resolve()
    else:
        docs_dir = None if args.quick else ROOT / "docs/figures"
    # The step arguments are paths from the repository root.
    with contextlib.chdir(ROOT):
        return _run_steps(only, root, docs_dir, args.quick)


def _run_steps(only: list[str], root: Path, docs_dir: Path | None, quick: bool) -> int:
    skipped = []
    for step in STEPS:
        if step.name not in only:
            continue
        if not available(step.command):
            print(f"[{step.name}] skipped: this installation has no `negsim {step.command}`")
            skipped.append(step.name)
            continue
        out = root / step.name
        if out.exists():
            shutil.rmtree(out)  # a rerun starts clean (sensitivity would otherwise resume)
        spec = step.spec
        if spec is not None:
            spec = quick_spec(spec, root / "specs") if quick else str(ROOT / spec)
        command = [step.command, *expand(step.args, out, spec, quick)]
        print(f"[{step.name}] negsim {' '.join(command)}", flush=True)
        if negsim(*command, quiet=True) != 0 or negsim("plot", str(out)) != 0:
            print(f"[{step.name}] failed (the error is above)")
            return 2
        if docs_dir is None:
            continue
        docs_dir.mkdir(parents=True, exist_ok=True)
        for source, target in step.figures.items():
            made = out / "figures" / source
            shutil.copyfile(made, docs_dir / target)
            size = made.stat().st_size
            note = "" if size <= MAX_PNG_BYTES else f"  (over {MAX_PNG_BYTES:,} bytes)"
            print(f"[{step.name}] {docs_dir / target}: {size:,} bytes{note}")
    if skipped:
        print(f"skipped steps: {', '.join(skipped)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
