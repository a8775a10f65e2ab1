"""`negsim sweep SPEC --out DIR`: the command-line shell around sim.experiments.sweep.

Prints the per-point summary table (or JSON) on stdout and a progress bar on stderr when
stderr is a terminal. Bad input is a ConfigError (one line, exit 2, from sim.cli.main); a
unit that fails twice is one line and exit 1; Ctrl-C is one line and exit 130. Either way
the finished chunks stay on disk for `--resume`.

`sim.cli` imports this module as it starts, and a mistyped command must be refused in well
under a second: what only a running command needs (numpy, pandas, tqdm, the sweep itself,
the executor) is imported inside the functions that use it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.experiments.limits import check_total

EXIT_RUN_FAILED = 1
EXIT_INTERRUPTED = 130


def interrupt_guard() -> contextlib.AbstractContextManager[Callable[[], None]]:
    """`sim.experiments.executor.interrupt_guard`, for the commands of `sim.cli`."""
    from sim.experiments.executor import (
        interrupt_guard as guard,  # start-up: it loads multiprocessing
    )

    return guard()


class _ExamplesFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples as written, one command a line; wraps the description as usual."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("examples:"):
            return super()._fill_text(text, width, indent)
        return argparse.HelpFormatter._fill_text(self, text, width, indent)


def examples(*commands: str) -> dict[str, Any]:
    """The keywords (for `add_parser`) that end a command's help with an "examples:"
    section, one command a line, as git and pip do."""
    lines = "\n".join(f"  {c}" for c in commands)
    return {"epilog": f"examples:\n{lines}", "formatter_class": _ExamplesFormatter}


YES_HELP = "run a design of more than 20 million runs (refused without it; docs/cli.md, Limits)"


def add_parser(sub: Any) -> None:
    """Register the `sweep` subcommand on the `negsim` subparsers."""
    sweep = sub.add_parser(
        "sweep",
        help="run a parameter sweep from a spec (grid, random, Latin hypercube, Sobol)",
        description="Run a parameter sweep: every point of a design times its runs, streamed "
        "to a folder in chunks (rerun with --resume to finish an interrupted one).",
        **examples(
            "negsim sweep guarantee --out results/guarantee --runs 500",
            "negsim sweep guarantee --out results/guarantee --resume",
            "negsim sweep my_sweep.yaml --out results/mine --backend processes --workers 4",
        ),
    )
    sweep.add_argument(
        "spec", help="sweep spec: a shipped experiment's name or a YAML file (see experiments/)"
    )
    sweep.add_argument("--out", required=True, help="sweep folder (new, or one to --resume)")
    sweep.add_argument(
        "--backend",
        choices=("serial", "processes", "dask"),
        default="serial",
        help="where chunks run (default serial; --scheduler implies dask)",
    )
    sweep.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: CPU count)"
    )
    sweep.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    sweep.add_argument(
        "--runs",
        type=int,
        default=None,
        metavar="N",
        help="runs per point instead of the spec's runs_per_point (a folder is resumed only "
        "with the runs it started with)",
    )
    sweep.add_argument("--resume", action="store_true", help="finish an interrupted sweep")
    sweep.add_argument("--yes", action="store_true", help=YES_HELP)
    sweep.add_argument("--json", action="store_true", help="print the summary as JSON")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a base scenario value for every point (repeatable; recorded)",
    )


def command(args: argparse.Namespace) -> int:
    from sim.experiments.designs import load_spec
    from sim.experiments.sweep import SweepError, run_sweep

    backend = args.backend
    if args.scheduler is not None:
        if backend not in ("serial", "dask"):
            raise ConfigError("--scheduler", args.scheduler, "the dask backend (not processes)")
        backend = "dask"
    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers", args.workers, "a positive integer")
    workers = args.workers or (1 if backend == "serial" else _cpus())
    spec = load_spec(args.spec, args.set, runs_per_point=args.runs)
    check_total(spec.n_points, spec.runs_per_point, file=spec.file, confirmed=args.yes)
    # This process only drives the sweep (or runs it, serially): freeze what exists now so
    # the per-chunk garbage collection scans only what a chunk makes.
    gc.collect()
    gc.freeze()
    bar = progress_bar("sweep", quiet=args.quiet)
    try:
        with interrupt_guard() as interrupted:

            def progress(state: Any) -> None:
                bar.update(
                    state.runs_done,
                    state.runs_total,
                    f"points {state.points_done}/{state.points_total}",
                )
                interrupted()  # a Ctrl-C swallowed by a finalizer stops the sweep here

            result = run_sweep(
                spec,
                Path(args.out),
                backend=backend,
                workers=workers,
                scheduler=args.scheduler,
                resume=args.resume,
                progress=progress,
            )
    except SweepError as err:
        bar.close()
        sys.stderr.write(f"negsim: error: sweep stopped: {err}\n")
        return EXIT_RUN_FAILED
    except KeyboardInterrupt:
        bar.close()
        done = len(list((Path(args.out) / "runs").glob("point*.parquet")))
        sys.stderr.write(
            f"negsim: interrupted; {done} finished chunks are on disk in {args.out}: "
            "rerun with --resume to finish\n"
        )
        return EXIT_INTERRUPTED
    bar.close()
    if args.json:
        sys.stdout.write(json.dumps(_json_summary(result), indent=2) + "\n")
    else:
        sys.stdout.write(summary_text(result) + "\n")
    return 0


def _cpus() -> int:
    # The CPUs this process may use (a batch job or container may get fewer than the host).
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


class ProgressBar:
    """A tqdm bar on stderr (done, rate, time left), made on first use; inert if disabled.

    The one bar of every long command (run, compare, sweep, sensitivity, validate): the
    library reports progress through callbacks and never imports tqdm.
    """

    def __init__(
        self, desc: str, *, enabled: bool, unit: str = "run", total: int | None = None
    ) -> None:
        self.desc, self.unit, self.enabled = desc, unit, enabled
        self.bar: Any = None
        if total is not None:
            self.update(0, total)

    def update(self, done: int, total: int, postfix: str | None = None) -> None:
        """Move the bar to `done` of `total`."""
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                initial=done,
                unit=self.unit,
                unit_scale=self.unit == "run",  # 12.3k runs; but 3 checks, not 3.00
                file=sys.stderr,
                desc=self.desc,
                dynamic_ncols=True,
            )
        else:
            self.bar.total = total
            self.bar.update(done - self.bar.n)
        if postfix is not None:
            self.bar.set_postfix_str(postfix)

    def add(self, count: int) -> None:
        """Move the bar on by `count` (a library's progress callback: runs just finished)."""
        if self.bar is not None:
            self.bar.update(count)

    def postfix(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def progress_bar(
    desc: str, *, quiet: bool, unit: str = "run", total: int | None = None
) -> ProgressBar:
    """The bar of a long command: shown only when stderr is a terminal and not `--quiet`
    (pipes, logs and tests see no change)."""
    return ProgressBar(desc, enabled=not quiet and sys.stderr.isatty(), unit=unit, total=total)


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def summary_text(result: Any) -> str:
    """The per-point table, with a header that says what ran and where it is."""
    from sim.experiments.designs import override_strings

    m, table = result.manifest, result.summary
    params = m["parameters"]
    runs = int(table["runs"].sum())
    lines = [
        f"{m['name']}: {m['n_points']:,} points x {m['runs_per_point']:,} runs = {runs:,} runs, "
        f"{m['design']} design, seed {m['seed']}, base {m['scenario_name']} "
        f"(horizon {m['horizon']} rounds)"
    ]
    if result.units_resumed or result.units_rejected:
        lines.append(
            f"resumed: {result.units_resumed} chunks were on disk, {result.units_run} were run"
        )
    if result.units_rejected:
        lines.append(
            f"{result.units_rejected} chunks on disk failed their checksum or identity check "
            "(altered, truncated, replaced or unrecorded) and were run again"
        )
    shares = [c for c in table.columns if c.startswith("share_") and float(table[c].max()) > 0.0]
    header = ["point", *params, "p_settlement (95% CI)", "median", *(c[6:] for c in shares)]
    header.append("collapsed")
    rows = []
    for rec in table.to_dict(orient="records"):
        median = rec["median_settlement_round"]
        collapsed = rec["collapsed"] / rec["settled"] if rec["settled"] else math.nan
        rows.append(
            [
                str(rec["point"]),
                *(_value(rec[p]) for p in params),
                f"{rec['p_settlement']:.3f} ({rec['p_settlement_low']:.3f}-"
                f"{rec['p_settlement_high']:.3f})",
                "-" if _missing(median) else str(int(median)),
                *(f"{rec[c]:.1%}" for c in shares),
                "-" if math.isnan(collapsed) else f"{collapsed:.2f}",
            ]
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        lines.append("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
    lines.append(
        "p_settlement: first agreement within the horizon; median: round of first agreement "
        "('-' when under half settle); shares: outcome at the horizon; collapsed: share of "
        "agreements that later collapsed"
    )
    out = result.out
    lines.append(f"wrote {out}/summary.parquet, summary.csv, points.parquet and runs/")
    first = result.points.iloc[0].to_dict()
    sets = " ".join(
        f"--set {s}" for s in [*m["set"], *override_strings({p: first[p] for p in params})]
    )
    lines.append(
        f"replay point 0, run 0 alone: negsim run {m['scenario_file']} {sets} "
        f"--seed {m['seed']} --run-index 0"
    )
    return "\n".join(lines)


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _json_summary(result: Any) -> dict[str, Any]:
    import numpy as np

    def plain(v: Any) -> Any:
        if _missing(v):
            return None
        if isinstance(v, np.generic):
            return v.item()
        return v

    m = result.manifest
    return {
        "kind": "sweep",
        "out": str(result.out),
        "name": m["name"],
        "seed": m["seed"],
        "version": m["version"],
        "design": m["design"],
        "parameters": m["parameters"],
        "runs_per_point": m["runs_per_point"],
        "points": [
            {k: plain(v) for k, v in rec.items()}
            for rec in result.summary.to_dict(orient="records")
        ],
    }
