"""The `negsim` argument parser: one function per command, each with its help and examples.

Only the standard library and the light modules the parser needs: `negsim -h` and a bad
option are answered without loading numpy or pandas.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from sim.cli import discover as discover_cli
from sim.cli import forecast as forecast_cli
from sim.cli import sweep as sweep_cli
from sim.errors import printable
from sim.version import __version__

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: bad input gets one clear line.
        _usage_error(message, self.prog)


def _usage_error(message: str, prog: str) -> NoReturn:
    sys.stderr.write(f"negsim: error: {printable(message)} (see {prog} -h)\n")
    sys.exit(EXIT_BAD_INPUT)


SCENARIO_HELP = "a shipped scenario's name (e.g. ukraine_2025) or a scenario YAML file"
SET_HELP = "override a scenario value, e.g. parties.russia.trust=0.3 (repeatable)"
examples = sweep_cli.examples

# The commands that read a scenario, and so may meet a 'module:Class' strategy name.
READS_SCENARIOS = ("run", "compare", "provenance", "sweep", "sensitivity", "validate")


def _parser() -> argparse.ArgumentParser:
    """The `negsim` parser with every command."""
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
    _add_run(sub)
    _add_provenance(sub)
    _add_strategies(sub)
    _add_scenarios(sub)
    _add_compare(sub)
    _add_plot(sub)
    _add_sensitivity(sub)
    discover_cli.add_parser(sub)
    sweep_cli.add_parser(sub)
    _add_validate(sub)
    forecast_cli.add_parser(sub)
    _add_app(sub)
    for name in READS_SCENARIOS:
        sub.choices[name].add_argument(
            "--allow-import",
            action="store_true",
            help="import the modules that files name as 'module:Class' strategies, running "
            "their code (docs/cli.md); the default refuses them",
        )
    return parser


def _add_run(sub: Any) -> None:
    """negsim run: one run (the story) or many (the summary)."""
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


def _add_app(sub: Any) -> None:
    """negsim app: the strategy lab and one war in the browser."""
    app = sub.add_parser(
        "app",
        help="the strategy lab and one war, round by round, in the browser",
        description="Serve the browser app on 127.0.0.1: the strategy lab (sliders over the "
        "scenario's assumption ranges, strategies compared, downloads) and one war stepped "
        'round by round. Needs the app extra: pip install -e ".[app]" (docs/app.md).',
        **examples(
            "negsim app",
            "negsim app ukraine_2025_us_schedule --port 8800",
            "negsim app my_war.yaml",
        ),
    )
    app.add_argument(
        "scenario",
        nargs="?",
        default="ukraine_2025",
        help=SCENARIO_HELP + " (default ukraine_2025)",
    )
    app.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")


def _add_provenance(sub: Any) -> None:
    """negsim provenance: every parameter with its sources."""
    prov = sub.add_parser(
        "provenance",
        help="every parameter, its value and its sources",
        description="List every parameter of a scenario with its value, the facts it rests "
        "on, its plausible range and whether it is a model default.",
        **examples("negsim provenance ukraine_2025", "negsim provenance my_war.yaml"),
    )
    prov.add_argument("scenario", help=SCENARIO_HELP)
    prov.add_argument("--seeds", default=None, help="seeds folder (default: beside configs/)")


def _add_strategies(sub: Any) -> None:
    """negsim strategies: the registered mediator strategies."""
    sub.add_parser(
        "strategies",
        help="list the registered mediator strategies",
        description="List the registered mediator strategies, one line each.",
        **examples(
            "negsim strategies",
            "negsim compare ukraine_2025 --strategies none,facilitative,manipulative",
        ),
    )


def _add_scenarios(sub: Any) -> None:
    """negsim scenarios [show NAME]: what ships, or one of them as written."""
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


def _add_compare(sub: Any) -> None:
    """negsim compare: strategies head to head."""
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


def _add_plot(sub: Any) -> None:
    """negsim plot: the figures of a results folder."""
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


def _add_sensitivity(sub: Any) -> None:
    """negsim sensitivity: a global sensitivity analysis."""
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
    sens.add_argument("--json", action="store_true", help="print the indices and warnings as JSON")
    sens.add_argument("--yes", action="store_true", help=sweep_cli.YES_HELP)


def _add_validate(sub: Any) -> None:
    """negsim validate: the checks against theory and the record."""
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
