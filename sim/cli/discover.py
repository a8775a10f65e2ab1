"""`negsim discover SPEC`: scenario discovery (PRIM) over a sweep or sensitivity folder.

PRIM is EMA Workbench's, an optional extra: without it the command says how to install it,
in one line, exit code 2. As everywhere in the command line, numpy, pandas and EMA are
imported only once the input has been checked.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path
from typing import Any

from sim.cli import sweep as sweep_cli
from sim.errors import ConfigError

INSTALL = 'EMA Workbench, an optional extra: pip install -e ".[ema]" (or pip install "negsim[ema]")'


def add_parser(sub: Any) -> None:
    """Register the `discover` subcommand on the `negsim` subparsers."""
    discover = sub.add_parser(
        "discover",
        help="scenario discovery: boxes of parameter space where a condition holds (PRIM)",
        description="Find the boxes of parameter space where a condition on an output holds "
        "(e.g. p_settlement < 0.5), with PRIM as EMA Workbench implements it, over the points "
        "of a sweep or sensitivity folder; write the boxes with their coverage and density, "
        "the peeling trajectories and two figures (docs/experiments.md, Scenario discovery).",
        **sweep_cli.examples(
            "negsim discover my_discovery.yaml",
            "negsim discover my_discovery.yaml --folder results/assumptions --json",
            "negsim discover my_discovery.yaml --out results/boxes --format svg",
        ),
    )
    discover.add_argument(
        "spec", help="discovery spec (YAML): the folder, the condition, PRIM's settings"
    )
    discover.add_argument(
        "--folder", default=None, help="the sweep or sensitivity folder (instead of the spec's)"
    )
    discover.add_argument(
        "--out", default=None, help="write the boxes here (default: FOLDER/discovery/NAME)"
    )
    discover.add_argument(
        "--format", default="png", choices=["png", "svg", "pdf"], help="figure format"
    )
    discover.add_argument("--json", action="store_true", help="print the boxes as JSON")


def command(args: argparse.Namespace) -> int:
    """`negsim discover`: read the spec and the folder, run PRIM, write and print the boxes."""
    if importlib.util.find_spec("ema_workbench") is None:
        raise ConfigError("negsim discover", "ema_workbench missing", INSTALL)
    from sim.experiments.discover import discover, load_spec, write_discovery

    spec = load_spec(args.spec, folder=args.folder)
    result = discover(spec)
    written = write_discovery(result, Path(args.out) if args.out else None, args.format)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    print(result.text())
    folder = written[0].parent
    print(f"  wrote {folder}/: " + ", ".join(p.name for p in written))
    return 0
