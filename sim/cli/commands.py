"""The commands that run the model or read its results: `negsim run`, `compare`, `plot` and
`sensitivity`.

Each reads and checks its input first and imports the engine, pandas and the rest only
after (function-level imports on purpose): a bad input is reported without loading them,
which benchmarks/bench_startup.py measures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from sim.cli import sweep as sweep_cli
from sim.errors import ConfigError

EXIT_INTERRUPTED = sweep_cli.EXIT_INTERRUPTED


def cmd_run(args: argparse.Namespace) -> int:
    """`negsim run`: one run told as a story, or many summarised (streamed to --out)."""
    from sim.model.config import load_scenario

    for name in ("seed", "runs", "run_index", "chunk_size"):
        value = getattr(args, name)
        if value is not None and value < (1 if name in ("runs", "chunk_size") else 0):
            raise ConfigError(
                f"--{name.replace('_', '-')}",
                value,
                "a non-negative integer" if name in ("seed", "run_index") else "a positive integer",
            )
    scenario = load_scenario(args.scenario, args.set)
    single = args.runs is None or args.run_index is not None
    _check_out(args.out, "trace" if single else "run")
    # Only now the engine and its libraries: a bad input is reported without loading them.
    from sim.experiments.simulate import DEFAULT_CHUNK, replay, run_metadata, simulate_summary
    from sim.experiments.storage import RunsWriter, folder_lock

    if single:
        index = args.run_index if args.run_index is not None else 0
        model = replay(scenario, args.seed, index)
        if args.json:
            from sim.reports.results import engine_table

            row = engine_table(model.engine).iloc[0].to_dict()
            print(json.dumps(_jsonable(row), indent=2))
        else:
            from sim.reports.story import story

            print(story(model, index))
        if args.out is not None:
            from sim.experiments.storage import write_trace

            path = write_trace(model, args.seed, index, Path(args.out))
            if not args.json:
                print(f"wrote {path} and manifest.json")
        return 0
    # The runs stream through: each chunk goes to runs.parquet and into the summary's
    # tally, and is dropped, so memory stays at one chunk whatever --runs is.
    bar = sweep_cli.progress_bar("run", quiet=args.quiet, total=args.runs)
    with contextlib.ExitStack() as stack:
        writer = None
        if args.out is not None:
            stack.enter_context(folder_lock(Path(args.out)))
            meta = run_metadata(scenario, args.seed, args.runs)
            writer = RunsWriter(Path(args.out), meta)
        try:
            summary = simulate_summary(
                scenario,
                runs=args.runs,
                seed=args.seed,
                chunk_size=args.chunk_size or DEFAULT_CHUNK,
                on_chunk=writer.write if writer is not None else None,
                progress=bar.add,
            )
        finally:
            bar.close()
        if writer is not None:
            writer.close(summary)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(_summary_text(summary, scenario.name, args.out))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """`negsim compare`: strategies on common random numbers, each against the first."""
    from sim.experiments.compare import compare, write_comparison
    from sim.model.config import load_scenario

    if args.runs < 2:
        raise ConfigError("--runs", args.runs, "an integer of at least 2")
    if args.seed < 0:
        raise ConfigError("--seed", args.seed, "a non-negative integer")
    names = [n.strip() for n in args.strategies.split(",") if n.strip()]
    scenario = load_scenario(args.scenario, args.set)
    _check_out(args.out, "compare")
    bar = sweep_cli.progress_bar("compare", quiet=args.quiet, total=args.runs * len(names))
    try:
        result = compare(scenario, names, runs=args.runs, seed=args.seed, progress=bar.add)
    finally:
        bar.close()
    if args.out is not None:
        write_comparison(result, Path(args.out), args.format)
    if args.json:
        print(json.dumps(_jsonable(result.to_dict()), indent=2))
        return 0
    table = result.summary_table()
    ref = names[0]
    print(f"{scenario.name}: {args.runs:,} runs per strategy, seed {args.seed}, common draws")
    header = (
        f"  {'strategy':<24}{'p_settle':>9} {'95% CI':>13}{'median':>8}{'collapse':>9}"
        f"  {'diff vs ' + ref:>22}"
    )
    print(header)
    for row in table.itertuples():
        median = "-" if _is_na(row.median_settlement_round) else str(row.median_settlement_round)
        collapse = (
            "-"
            if _is_na(row.p_collapse_given_settlement)
            else f"{row.p_collapse_given_settlement:.3f}"
        )
        print(
            f"  {row.strategy:<24}{row.p_settlement:>9.3f} "
            f"{row.p_settlement_low:.3f}-{row.p_settlement_high:.3f}{median:>8}{collapse:>9}"
            f"  {row.diff_p_settlement:+.3f} ({row.diff_low:+.3f}, {row.diff_high:+.3f})"
        )
    print("  outcome shares:")
    shares = [c for c in table.columns if c.startswith("share_")]
    for row in table.to_dict("records"):
        parts = [f"{c.removeprefix('share_')} {row[c]:.1%}" for c in shares if row[c] > 0]
        print(f"    {row['strategy']:<22}" + ", ".join(parts))
    if args.out is not None:
        print(f"  wrote {args.out}/runs.parquet, summary.parquet and figures/*.{args.format}")
    return 0


# What each kind of results folder holds, as a refusal names it.
_HOLDS = {
    "run": "a batch of runs (negsim run --runs)",
    "trace": "a single run (negsim run --run-index, or without --runs)",
    "compare": "a comparison (negsim compare)",
    "sweep": "a sweep",
    "sensitivity": "a sensitivity analysis",
}


def _check_out(out: str | None, kind: str) -> None:
    """`--out` is a new folder or one with earlier results of the same kind, which a rerun
    replaces. A folder of another kind is refused, as sweep and sensitivity refuse it:
    overwriting its manifest would leave it unreadable, and a sweep unresumable."""
    if out is None:
        return
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ConfigError("--out", out, "a directory (or a path to create)")
    if not (folder / "manifest.json").is_file():
        return
    from sim.experiments.storage import read_manifest  # only now: it loads pyarrow

    found = read_manifest(folder).get("kind")
    if found is None and (folder / "runs.parquet").is_file():
        found = "run"  # written before kinds were recorded
    if found != kind:
        holds = _HOLDS.get(found, "other results") if isinstance(found, str) else "other results"
        raise ConfigError(
            "--out",
            out,
            f"a new or empty folder, or one holding {_HOLDS[kind]}, which is replaced "
            f"(this one holds {holds})",
        )


def _jsonable(obj: Any) -> Any:
    import numpy as np  # here, not at the top: a bad input is reported without numpy

    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        return None if np.isnan(obj) else float(obj)
    if obj is None or (not isinstance(obj, str) and _is_na(obj)):
        return None
    return obj if isinstance(obj, int | str | bool) else str(obj)


def _is_na(obj: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(obj))
    except (TypeError, ValueError):
        return False


def _summary_text(summary: Any, name: str, out: str | None) -> str:
    s = summary
    low, high = s.p_settlement_ci
    median = s.median_settlement_round
    lines = [
        f"{name}: {s.runs:,} runs, seed {s.seed}, horizon {s.horizon} rounds",
        f"  settlement within the horizon: {s.p_settlement:.3f} (95% CI {low:.3f}-{high:.3f})",
        "  median round of settlement: "
        + (f"{median}" if median is not None else "not reached (under half settle)"),
    ]
    by_year = s.settlement_by_year
    if by_year is not None:
        month = s.median_settlement_month
        lines.append(
            "  median month of settlement: "
            + (month if month is not None else "not reached (under half settle)")
        )
        for entry in by_year:
            when = (
                f"the end of {entry['year']}"
                if entry["whole_year"]
                else f"the horizon ({entry['through']}, part of {entry['year']})"
            )
            y_low, y_high = entry["p_settlement_ci"]
            lines.append(
                f"  settled by {when}: {entry['p_settlement']:.3f} "
                f"(95% CI {y_low:.3f}-{y_high:.3f})"
            )
    if s.p_collapse_given_settlement is not None:
        lines.append(f"  agreements that later collapsed: {s.p_collapse_given_settlement:.3f}")
    lines.append("  outcomes at the horizon:")
    for outcome, count in s.outcomes.items():
        lines.append(f"    {outcome:<24} {count:>9,}  {count / s.runs:6.1%}")
    if s.left_war:
        lines.append("  camp members that left the war on their own:")
        for member, count in s.left_war.items():
            lines.append(f"    {member:<24} {count:>9,}  {count / s.runs:6.1%}")
    if out is not None:
        lines.append(f"  wrote {Path(out) / 'runs.parquet'} and manifest.json")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------


def cmd_app(args: argparse.Namespace) -> int:
    """`negsim app`: the browser app, served on 127.0.0.1 until Ctrl-C."""
    from sim.app import serve

    if not 0 < args.port < 65536:
        raise ConfigError("--port", args.port, "a port number, 1 to 65535")
    missing = serve.missing_extra()
    if missing:
        sys.stderr.write(
            f"negsim: error: the app needs its extra ({', '.join(missing)} missing): "
            f"{serve.EXTRA}\n"
        )
        return 2
    from sim.model.config import load_scenario

    load_scenario(args.scenario)  # bad input is reported here, in one line, not in the page
    print(f"negsim app: http://{serve.HOST}:{args.port}/ (Ctrl-C stops it)", flush=True)
    return serve.serve(args.scenario, args.port)


def cmd_plot(args: argparse.Namespace) -> int:
    """`negsim plot`: the figures that fit a results folder."""
    from sim.experiments.figures import make_figures

    for path in make_figures(args.folder, args.format):
        print(f"wrote {path}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """`negsim sensitivity`: run (or resume) the analysis, print it, draw it."""
    from sim.experiments.figures import make_figures
    from sim.experiments.sensitivity import run_sensitivity

    bar = sweep_cli.progress_bar("sensitivity", quiet=args.quiet, unit="point")
    try:
        with sweep_cli.interrupt_guard() as interrupted:

            def after_block(done: int, total: int) -> None:
                bar.update(done, total)
                interrupted()  # a Ctrl-C swallowed by a finalizer stops here

            result = run_sensitivity(
                args.spec,
                Path(args.out),
                args.method,
                progress=after_block,
                samples=args.samples,
                runs_per_point=args.runs,
                confirmed=args.yes,
            )
    except KeyboardInterrupt:
        bar.close()
        # Each block is written to design.parquet when it finishes, and a rerun into the
        # same folder picks them up.
        sys.stderr.write(
            f"negsim: interrupted; the finished blocks of points are kept in {args.out}: "
            "rerun the same command to resume\n"
        )
        return EXIT_INTERRUPTED
    finally:
        bar.close()
    figures = make_figures(args.out)
    if args.json:
        print(json.dumps(_jsonable(result.to_dict()), indent=2))
        return 0
    print(result.text())
    for path in figures:
        print(f"  wrote {path}")
    return 0
