"""Command-line interface: `negsim run`, `compare`, `provenance`, `strategies`.

The only module that prints. Bad input ends with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sim import schema, shipped, sweep_cli
from sim.errors import FILE_WIDTH, ConfigError, printable, shorten

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = sweep_cli.EXIT_INTERRUPTED


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: bad input gets one clear line.
        _usage_error(message, self.prog)


def _usage_error(message: str, prog: str) -> NoReturn:
    sys.stderr.write(f"negsim: error: {printable(message)} (see {prog} -h)\n")
    sys.exit(EXIT_BAD_INPUT)


SCENARIO_HELP = "a shipped scenario's name (e.g. ukraine_2025) or a scenario YAML file"
SET_HELP = "override a scenario value, e.g. parties.russia.trust=0.3 (repeatable)"


def _parser() -> argparse.ArgumentParser:
    from sim import __version__

    examples = sweep_cli.examples
    parser = _Parser(
        prog="negsim",
        description="War-termination negotiation simulator.",
        **examples(
            "negsim run ukraine_2025 --runs 10000 --seed 7",
            "negsim compare ukraine_2025 --strategies none,facilitative,manipulative",
            "negsim COMMAND -h",
        ),
    )
    parser.add_argument("--version", action="version", version=f"negsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser(
        "run",
        help="run a scenario once (the story) or many times (summary)",
        description="Run a scenario: once, printing the story round by round, or --runs "
        "times, printing the summary.",
        **examples(
            "negsim run ukraine_2025 --runs 10000 --seed 7",
            "negsim run ukraine_2025 --run-index 31337 --seed 7",
            "negsim run my_war.yaml --runs 2000 --set parties.russia.trust=0.3",
        ),
    )
    run.add_argument("scenario", help=SCENARIO_HELP)
    run.add_argument("--seed", type=int, default=0, help="experiment seed (default 0)")
    run.add_argument("--runs", type=int, default=None, help="number of runs (default: one)")
    run.add_argument("--run-index", type=int, default=None, help="replay this run alone")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument("--out", default=None, help="write runs.parquet and manifest.json here")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help=SET_HELP,
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--chunk-size", type=int, default=None, help=argparse.SUPPRESS)

    prov = sub.add_parser(
        "provenance",
        help="every parameter, its value and its sources",
        description="List every parameter of a scenario with its value, the facts it rests "
        "on, its plausible range and whether it is a model default.",
        **examples("negsim provenance ukraine_2025", "negsim provenance my_war.yaml"),
    )
    prov.add_argument("scenario", help=SCENARIO_HELP)
    prov.add_argument("--seeds", default=None, help="seeds folder (default: beside configs/)")

    sub.add_parser(
        "strategies",
        help="list the registered mediator strategies",
        description="List the registered mediator strategies, one line each.",
        **examples(
            "negsim strategies",
            "negsim compare ukraine_2025 --strategies none,facilitative,manipulative",
        ),
    )

    scen = sub.add_parser(
        "scenarios",
        help="list the shipped scenarios and specs, or print one to copy",
        description="List the scenarios and experiment specs that ship with negsim, by the "
        "names every command takes; 'show NAME' prints one as written, to copy and edit.",
        **examples(
            "negsim scenarios",
            "negsim scenarios show ukraine_2025 > my_war.yaml",
            "negsim run my_war.yaml --runs 10000",
        ),
    )
    scen_sub = scen.add_subparsers(
        dest="action", parser_class=_Parser, help="without one: list what ships"
    )
    show = scen_sub.add_parser(
        "show",
        help="print a shipped scenario or spec as written",
        description="Print a shipped scenario or spec exactly as written.",
        **examples(
            "negsim scenarios show ukraine_2025 > my_war.yaml",
            "negsim scenarios show guarantee > my_sweep.yaml",
        ),
    )
    show.add_argument("name", help="a name from the list, e.g. ukraine_2025")

    cmp = sub.add_parser(
        "compare",
        help="strategies head to head on common random numbers",
        description="Run mediator strategies on the same runs (common random numbers) and "
        "print each one's settlement with its difference from the first.",
        **examples(
            "negsim compare ukraine_2025 --strategies none,facilitative,manipulative --runs 5000",
            "negsim compare ukraine_2025 --strategies scenario,formulative --out results/cmp",
            "negsim compare my_war.yaml --strategies none,facilitative --json",
        ),
    )
    cmp.add_argument("scenario", help=SCENARIO_HELP)
    cmp.add_argument(
        "--strategies",
        required=True,
        help="comma-separated strategy names; 'scenario' is the mediator as the file sets it "
        "up (e.g. its schedule); differences are against the first",
    )
    cmp.add_argument("--runs", type=int, default=20000, help="runs per strategy (default 20000)")
    cmp.add_argument("--seed", type=int, default=0, help="experiment seed (default 0)")
    cmp.add_argument("--json", action="store_true", help="print the comparison as JSON")
    cmp.add_argument("--out", default=None, help="write tables and a figure here")
    cmp.add_argument("--format", default="png", choices=["png", "svg", "pdf"], help="figure format")
    cmp.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help=SET_HELP)
    cmp.add_argument("--quiet", action="store_true", help="no progress bar")
    plot = sub.add_parser(
        "plot",
        help="write the figures that fit a results folder",
        description="Write the figures that fit a results folder into its figures/ folder.",
        **examples(
            "negsim plot results/guarantee",
            "negsim plot results/sens --format svg",
        ),
    )
    plot.add_argument("folder", help="results folder (run, compare, sweep, trace, sensitivity)")
    plot.add_argument(
        "--format", default="png", help="figure file format: png (default), svg or pdf"
    )

    sens = sub.add_parser(
        "sensitivity",
        help="global sensitivity analysis (Sobol or Morris)",
        description="Global sensitivity analysis of a scenario: which parameters matter for "
        "whether and when the war settles (rerun the same command to resume).",
        **examples(
            "negsim sensitivity sensitivity_ukraine --out results/sens --samples 16 --runs 64",
            "negsim sensitivity sensitivity_ukraine --out results/morris --method morris",
            "negsim sensitivity my_spec.yaml --out results/mine",
        ),
    )
    sens.add_argument(
        "spec",
        help="sensitivity spec: a shipped experiment's name (e.g. sensitivity_ukraine) or a "
        "YAML file (see experiments/)",
    )
    sens.add_argument("--out", required=True, help="write the design, indices and figure here")
    sens.add_argument("--method", default=None, help="sobol or morris (default: the spec's)")
    sens.add_argument(
        "--samples",
        type=int,
        default=None,
        metavar="N",
        help="base samples (Sobol, a power of 2) or trajectories (Morris) instead of the "
        "spec's samples",
    )
    sens.add_argument(
        "--runs",
        type=int,
        default=None,
        metavar="N",
        help="runs per point instead of the spec's runs_per_point (a folder is resumed "
        "only with the samples and runs it started with)",
    )
    sens.add_argument("--quiet", action="store_true", help="no progress bar")
    sens.add_argument("--yes", action="store_true", help=sweep_cli.YES_HELP)
    sweep_cli.add_parser(sub)

    val = sub.add_parser(
        "validate",
        help="check the model against theory and the record",
        description="Run the validation checks (analytic benchmarks, stylized facts, "
        "historical cases) and print each expectation with its verdict.",
        **examples(
            "negsim validate",
            "negsim validate --only case_korea_1951",
            "negsim validate --only case_korea_1951 --over-assumptions 8 --runs 400",
        ),
    )
    val.add_argument(
        "checks",
        nargs="*",
        default=None,
        help="check files or folders (default: the shipped checks, validation/)",
    )
    val.add_argument("--runs", type=int, default=None, help="runs per arm (default: each check's)")
    val.add_argument("--json", action="store_true", help="print the results as JSON")
    val.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    val.add_argument("--only", default=None, help="comma-separated check names to run")
    val.add_argument(
        "--over-assumptions",
        type=int,
        default=None,
        metavar="N",
        help="instead of the checks' verdicts: run each single-scenario check at N points "
        "drawn over its scenario's assumption ranges and report where each expectation holds",
    )
    val.add_argument(
        "--allow-known-failures",
        action="store_true",
        help="exit 0 if every miss is a check declared known_failure (a regression guard)",
    )
    val.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (nor, when stderr is not a terminal, a line per check)",
    )
    # Every command that reads a scenario may meet a 'module:Class' strategy name.
    for name in ("run", "compare", "provenance", "sweep", "sensitivity", "validate"):
        sub.choices[name].add_argument(
            "--allow-import",
            action="store_true",
            help="import the modules that files name as 'module:Class' strategies, running "
            "their code (docs/cli.md); the default refuses them",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Arguments left over are reported here, where the command they followed is known
    # (argparse reports them from the top-level parser, as if no command had been given).
    args, extra = _parser().parse_known_args(argv)
    if extra:
        _usage_error(f"unrecognized arguments: {' '.join(extra)}", f"negsim {args.command}")
    # Whatever a message quotes (a file name with a byte that is not UTF-8, say) is written
    # with escapes rather than ending the command in an encoding error.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if getattr(args, "allow_import", False):
        from sim.strategies.registry import allow_imports

        allow_imports()
    try:
        _check_text_arguments(args)
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "provenance":
            return _cmd_provenance(args)
        if args.command == "strategies":
            return _cmd_strategies()
        if args.command == "scenarios":
            return _cmd_scenarios(args)
        if args.command == "compare":
            return _cmd_compare(args)
        if args.command == "plot":
            return _cmd_plot(args)
        if args.command == "sensitivity":
            return _cmd_sensitivity(args)
        if args.command == "sweep":
            return sweep_cli.command(args)
        if args.command == "validate":
            return _cmd_validate(args)
    except ConfigError as err:
        sys.stderr.write(f"negsim: error: {err}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        # Ctrl-C is the user's choice, not a failure: one line, no traceback. A sweep and a
        # sensitivity analysis say what they keep on their own.
        sys.stderr.write("negsim: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error of ours.
        sys.stderr.close()
        return 0
    except OSError as err:
        # The file system said no (a name too long, no permission, a full disk, a read-only
        # folder, an I/O error): one line naming the file. What was finished is on disk; a
        # sweep or a sensitivity analysis resumes from it.
        where = f"{shorten(str(err.filename), FILE_WIDTH)}: " if err.filename is not None else ""
        sys.stderr.write(f"negsim: error: {printable(f'{where}{err.strerror or err}')}\n")
        return EXIT_BAD_INPUT
    return 0


def _check_text_arguments(args: argparse.Namespace) -> None:
    """A command-line value that is not valid text (a byte that is not UTF-8 arrives as a
    lone surrogate) could not be written into a manifest or a table: refused at the door."""
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    option = name if name in ("scenario", "spec", "folder") else f"--{name}"
                    raise ConfigError(
                        option.replace("_", "-"), item, "text in UTF-8 (no undecodable bytes)"
                    ) from None


# --------------------------------------------------------------------------------------------
# run


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.config import load_scenario

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
    from sim.simulate import DEFAULT_CHUNK, replay, run_metadata, simulate_summary
    from sim.storage import RunsWriter, folder_lock

    if single:
        index = args.run_index if args.run_index is not None else 0
        model = replay(scenario, args.seed, index)
        if args.json:
            from sim.results import engine_table

            row = engine_table(model.engine).iloc[0].to_dict()
            print(json.dumps(_jsonable(row), indent=2))
        else:
            from sim.story import story

            print(story(model, index))
        if args.out is not None:
            from sim.storage import write_trace

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


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.compare import compare, write_comparison
    from sim.config import load_scenario

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
    from sim.storage import read_manifest  # only now: it loads pyarrow

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
    if out is not None:
        lines.append(f"  wrote {Path(out) / 'runs.parquet'} and manifest.json")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# provenance and strategies


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim import validation
    from sim.limits import MAX_POINTS

    if args.runs is not None and args.runs < 1:
        raise ConfigError("--runs", args.runs, "a positive number of runs per arm")
    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers", args.workers, "a positive number of processes")
    if args.over_assumptions is not None and not 2 <= args.over_assumptions <= MAX_POINTS:
        raise ConfigError(
            "--over-assumptions", args.over_assumptions, f"from 2 to {MAX_POINTS} points"
        )
    wanted = None
    if args.only is not None:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        if not wanted:
            raise ConfigError("--only", args.only, "one or more check names, separated by commas")
    checks = validation.load_checks(args.checks or [shipped.folder("validation")], only=wanted)
    workers = args.workers or validation.default_workers()
    if args.over_assumptions is not None:
        return _validate_over_assumptions(args, checks, workers)
    outcomes: list = []
    bar = _checks_bar(args, checks)
    try:
        with sweep_cli.interrupt_guard() as interrupted:
            for i, check in enumerate(checks):
                runs = bar.start_check(i, check.name, "")
                outcomes.extend(
                    validation.run_check(check, runs=args.runs, workers=workers, progress=runs)
                )
                bar.check_done(i)
                interrupted()  # a Ctrl-C swallowed by a finalizer stops here
    except BaseException:
        bar.close()
        # The checks already run are reported before the error or the interruption is.
        if outcomes:
            _validate_report(args, outcomes, complete=False)
        raise
    bar.close()
    _validate_report(args, outcomes, complete=True)
    return validation.exit_code(outcomes, allow_known=args.allow_known_failures)


class _ChecksBar:
    """Validation's progress: a bar over the checks, the current one and its runs in the
    postfix; where stderr is not a terminal, the line per check it always wrote (not with
    --json or --quiet)."""

    def __init__(self, bar: sweep_cli.ProgressBar, total: int, lines: bool) -> None:
        self.bar, self.total, self.lines = bar, total, lines

    def start_check(self, index: int, name: str, how: str) -> Callable[[int], None]:
        """Report that check `index` starts; return its runs callback."""
        if self.lines:
            sys.stderr.write(f"negsim validate: {name}{how} ...\n")
        self.bar.update(index, self.total, name)
        done = 0

        def runs(count: int) -> None:
            nonlocal done
            done += count
            self.bar.postfix(f"{name}: {done:,} runs")

        return runs

    def check_done(self, index: int) -> None:
        self.bar.update(index + 1, self.total)

    def close(self) -> None:
        self.bar.close()


def _checks_bar(args: argparse.Namespace, checks: list) -> _ChecksBar:
    bar = sweep_cli.progress_bar("validate", quiet=args.quiet, unit="check")
    return _ChecksBar(bar, len(checks), lines=not bar.enabled and not args.json and not args.quiet)


def _validate_report(args: argparse.Namespace, outcomes: list, *, complete: bool) -> None:
    from sim import validation

    if args.json:
        passed = complete and all(o.passed for o in outcomes)
        body = {"passed": passed, "complete": complete, "results": [o.to_dict() for o in outcomes]}
        print(json.dumps(body, indent=2))
    else:
        print(validation.format_table(outcomes))
        if not complete:
            print("(stopped before the remaining checks; the verdict is incomplete)")


def _validate_over_assumptions(args: argparse.Namespace, checks: list, workers: int) -> int:
    """Where in the plausible values each check holds: an exploration, not a verdict, so it
    exits 0 whatever the shares."""
    from sim import validation

    results, skipped = [], []
    bar = _checks_bar(args, checks)
    try:
        with sweep_cli.interrupt_guard() as interrupted:
            for i, check in enumerate(checks):
                runs = bar.start_check(i, check.name, " over its assumptions")
                res = validation.run_over_assumptions(
                    check, args.over_assumptions, runs=args.runs, workers=workers, progress=runs
                )
                if res is None:
                    skipped.append(check.name)
                else:
                    results.append(res)
                bar.check_done(i)
                interrupted()  # a Ctrl-C swallowed by a finalizer stops here
    finally:
        bar.close()
    if args.json:
        print(json.dumps({"results": [r.to_dict() for r in results], "skipped": skipped}, indent=2))
    else:
        print(validation.format_robustness(results))
        if skipped:
            print(
                "not drawn (an ensemble or an analytic check, or no assumption range): "
                + ", ".join(skipped)
            )
    return 0


def _cmd_provenance(args: argparse.Namespace) -> int:
    from sim.provenance import provenance_rows

    rows = provenance_rows(args.scenario, args.seeds)
    for row in rows:
        print(f"{row.path} = {row.value}")
        if row.facts:
            for fact_id, text in row.facts:
                print(f"    [{fact_id}] {text}")
        if row.assumption is not None:
            print(f"    assumption, plausible range {row.assumption[0]} to {row.assumption[1]}")
            if row.outside:
                print("    the value is outside this range")
        if row.note:
            print(f"    note: {row.note}")
        if row.default:
            print("    model default (docs/model.md)")
    return 0


def _cmd_strategies() -> int:
    from sim.strategies import get, names

    for name in names():
        print(f"{name:<24} {get(name).summary}")
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from sim.config import read_yaml

    if args.action == "show":
        for kind in ("scenario", "spec"):
            found = shipped.names(kind).get(args.name)
            if found is not None:
                sys.stdout.write(found.read_text(encoding="utf-8"))
                return 0
        known = [*shipped.names("scenario"), *shipped.names("spec")]
        raise ConfigError(
            "name",
            args.name,
            f"a shipped name, one of {known}",
            hint=schema.suggest(args.name, known),
        )
    sections = (
        ("scenarios (negsim run NAME, negsim compare NAME ...)", "scenario"),
        ("experiment specs (negsim sweep NAME, negsim sensitivity NAME)", "spec"),
    )
    for title, kind in sections:
        print(f"{title}:")
        for name, path in shipped.names(kind).items():
            data = read_yaml(path)
            about = _about_scenario(data) if kind == "scenario" else _about_spec(data)
            print(f"  {name:<26} {about}".rstrip())
    print("negsim scenarios show NAME > my_war.yaml copies one out as a starting point")
    return 0


def _about_scenario(data: Any) -> str:
    return str(data.get("name", "")) if isinstance(data, dict) else ""


def _about_spec(data: Any) -> str:
    """A spec in a few words: what it varies and on which scenario."""
    if not isinstance(data, dict):
        return ""
    params = data.get("parameters") or {}
    base = Path(str(data.get("base", ""))).stem
    if "method" in data:
        return f"sensitivity ({data['method']}) over {len(params)} parameters of {base}"
    design = data.get("design", "grid")
    varied = ", ".join(map(str, params)) if len(params) <= 2 else f"{len(params)} parameters"
    return f"sweep ({design}) of {varied} on {base}"


def _cmd_plot(args: argparse.Namespace) -> int:
    from sim.figures import make_figures

    for path in make_figures(args.folder, args.format):
        print(f"wrote {path}")
    return 0


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.figures import make_figures
    from sim.sensitivity import run_sensitivity

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
    print(result.text())
    for path in make_figures(args.out):
        print(f"  wrote {path}")
    return 0


if __name__ == "__main__":
    # `python -m sim.cli` puts the current directory first on the import path, where a file
    # could shadow a module a command imports later or answer a 'module:Class' strategy name.
    # The `negsim` command never has it there; neither does this.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    sys.exit(main())
