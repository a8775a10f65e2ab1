"""`negsim forecast icb FILE --out DIR`: coded-case forecasts of ICB crises, scored.

The file is read and checked with the standard library (`forecast/reading.py`) before numpy,
pandas or the engine are loaded, so a malformed file gets its one line at once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from sim.cli import sweep as sweep_cli
from sim.errors import ConfigError
from sim.experiments.forecast.reading import read_rows

MAX_POINTS, MAX_RUNS = 1000, 10_000


def add_parser(sub: Any) -> None:
    """Register `forecast` (and its one source, `icb`) on the `negsim` subparsers."""
    forecast = sub.add_parser(
        "forecast",
        help="forecast coded historical cases and score the forecasts",
        description="Forecast coded historical cases with the model and score the forecasts "
        "against what was recorded, a base rate and a logistic regression (docs/forecasting.md).",
        **sweep_cli.examples(
            "negsim forecast icb icb1v14_1918-1989.csv --out results/icb",
            "negsim forecast icb -h",
        ),
    )
    sources = forecast.add_subparsers(
        dest="source", required=True, parser_class=type(forecast), help="where the cases come from"
    )
    icb = sources.add_parser(
        "icb",
        help="crises in the ICB v14 system-level format",
        description="Code each crisis of an ICB v14 system-level CSV into an ensemble of "
        "scenarios, run it, and write per-crisis forecasts and their scores to --out.",
        **sweep_cli.examples(
            "negsim forecast icb icb1v14_1918-1989.csv --out results/icb",
            "negsim forecast icb crises.csv --out results/few --points 8 --runs 10",
        ),
    )
    icb.add_argument("file", help="a CSV file in the ICB v14 system-level format")
    icb.add_argument("--out", required=True, help="results folder to write")
    icb.add_argument(
        "--points", type=int, default=16, help="scenario points per crisis (default 16)"
    )
    icb.add_argument("--runs", type=int, default=25, help="runs per point (default 25)")
    icb.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    icb.add_argument("--quiet", action="store_true", help="no progress bar")


def command(args: argparse.Namespace) -> int:
    """`negsim forecast icb`: code, run, score, write, print."""
    for name, value, most in (
        ("--points", args.points, MAX_POINTS),
        ("--runs", args.runs, MAX_RUNS),
    ):
        if not 1 <= value <= most:
            raise ConfigError(name, value, f"a whole number from 1 to {most:,}")
    rows = read_rows(args.file)
    if not rows:
        raise ConfigError("", "<no rows>", "at least one crisis", file=args.file)

    from sim.experiments.forecast.evaluation import evaluate, score_lines
    from sim.experiments.forecast.running import forecast_rows
    from sim.experiments.storage import write_atomic, write_manifest
    from sim.version import __version__

    bar = sweep_cli.progress_bar("forecast", quiet=args.quiet, unit="crisis", total=len(rows))
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        bar.update(done, len(rows))

    started = time.perf_counter()
    try:
        result = forecast_rows(
            rows, points=args.points, runs=args.runs, seed=args.seed, progress=step
        )
    finally:
        bar.close()
    elapsed = time.perf_counter() - started
    for line in result.skipped:
        sys.stderr.write(f"negsim: {line}\n")
    if result.predictions.empty:
        raise ConfigError("", "<no crisis coded>", "a row the coding rule can code", file=args.file)
    predictions, report = evaluate(result.predictions)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "forecasts.csv", lambda tmp: predictions.to_csv(tmp, index=False))
    report.update(
        {
            "file": str(args.file),
            "coded": int(len(predictions)),
            "skipped": result.skipped,
            "seconds": round(elapsed, 1),
        }
    )
    text = json.dumps(report, indent=2)
    write_atomic(out / "scores.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    write_manifest(
        out,
        {
            "kind": "forecast",
            "source": "icb",
            "file": str(args.file),
            "points": args.points,
            "runs": args.runs,
            "seed": args.seed,
            "horizon": result.horizon,
            "round_days": result.round_days,
            "version": __version__,
        },
    )
    print(
        f"{len(predictions)} crises coded, {len(result.skipped)} skipped; "
        f"{args.points} points x {args.runs} runs each in {elapsed:.0f} s"
    )
    for line in score_lines(report):
        print(line)
    print(f"wrote {out / 'forecasts.csv'} and {out / 'scores.json'}")
    return 0
