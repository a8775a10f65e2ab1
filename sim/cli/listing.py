"""The commands that list what negsim knows: `negsim provenance`, `strategies` and
`scenarios`.

The strategy registry and the scenario reader are imported inside the functions, as in the
other commands: the parser and a bad input stay light (benchmarks/bench_startup.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim import schema, shipped
from sim.errors import ConfigError


def cmd_provenance(args: argparse.Namespace) -> int:
    """`negsim provenance`: every parameter with its value and its sources."""
    from sim.model.provenance import provenance_rows

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


def cmd_strategies() -> int:
    """`negsim strategies`: the registered strategies, one line each."""
    from sim.model.strategies import get, names

    for name in names():
        print(f"{name:<24} {get(name).summary}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """`negsim scenarios`: list what ships, or print one as written (`show`)."""
    from sim.model.config import read_yaml

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
        (
            "experiment specs (negsim sweep NAME, negsim sensitivity NAME, negsim discover NAME)",
            "spec",
        ),
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
    if "condition" in data:
        return f"scenario discovery (PRIM) of where {data['condition']}"
    if "method" in data:
        return f"sensitivity ({data['method']}) over {len(params)} parameters of {base}"
    design = data.get("design", "grid")
    varied = ", ".join(map(str, params)) if len(params) <= 2 else f"{len(params)} parameters"
    return f"sweep ({design}) of {varied} on {base}"
