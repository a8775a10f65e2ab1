"""`negsim validate`: the checks, their progress and their report.

`sim.experiments.validation` is imported inside the functions, after the options are checked: a bad
option is reported without loading the engine (benchmarks/bench_startup.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from sim import shipped
from sim.cli import sweep as sweep_cli
from sim.errors import ConfigError
from sim.experiments.limits import MAX_POINTS


def cmd_validate(args: argparse.Namespace) -> int:
    """`negsim validate`: run the checks and report each verdict."""
    from sim.experiments import validation

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
    from sim.experiments import validation

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
    from sim.experiments import validation

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
