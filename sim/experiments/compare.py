"""Head-to-head comparison of mediator strategies on common random numbers.

Every strategy is run on the same scenario, seed and run indices. Run i draws the same
battlefield noise and decision shocks whichever strategy mediates (randomness is a function
of seed, run, round and stream), so per-run differences isolate the strategy's effect and
their paired standard errors are far smaller than those of two independent samples.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.experiments.simulate import DEFAULT_CHUNK, Results, simulate
from sim.experiments.storage import write_atomic, write_manifest
from sim.model.config import Scenario
from sim.model.strategies import registry
from sim.reports import analysis
from sim.reports.intervals import t_interval_mean
from sim.reports.results import Summary
from sim.version import __version__

AS_CONFIGURED = "scenario"  # the mediator exactly as the scenario file sets it up


def strategy_variant(scenario: Scenario, name: str) -> Scenario:
    """The scenario with its mediator using strategy `name` (default options, no schedule).

    `scenario` keeps the mediator as configured (its own strategy, options or schedule).
    """
    if name == AS_CONFIGURED:
        return scenario
    registry.get(name, "--strategies")
    if scenario.mediator is None:
        raise ConfigError(
            "mediator",
            None,
            "a mediator in the scenario to compare strategies on",
            file=scenario.source_file,
        )
    mediator = dataclasses.replace(scenario.mediator, strategy=name, options={}, schedule=())
    return dataclasses.replace(scenario, mediator=mediator)


@dataclass
class PairedDifference:
    """Mean per-run difference in settlement (this strategy minus the reference) with a
    95% t-interval over the paired differences."""

    diff: float
    low: float
    high: float


@dataclass
class Comparison:
    scenario: Scenario
    seed: int
    runs: int
    names: list[str]
    tables: dict[str, pd.DataFrame]

    def summaries(self) -> dict[str, Summary]:
        return {
            name: Results(scenario=self.scenario, seed=self.seed, table=table).summary()
            for name, table in self.tables.items()
        }

    def paired(self) -> dict[str, PairedDifference]:
        """Paired difference in p_settlement against the first strategy."""
        ref = self.tables[self.names[0]]["settlement_round"].notna().to_numpy(dtype=float)
        out = {}
        for name in self.names:
            settled = self.tables[name]["settlement_round"].notna().to_numpy(dtype=float)
            d = settled - ref
            if d.size < 2 or np.all(d == d[0]):
                value = float(d.mean()) if d.size else math.nan
                out[name] = PairedDifference(value, value, value)
                continue
            low, high = t_interval_mean(d, alpha=0.05)
            out[name] = PairedDifference(float(d.mean()), float(low), float(high))
        return out

    def to_dict(self) -> dict[str, Any]:
        paired = self.paired()
        out: dict[str, Any] = {}
        for name, summary in self.summaries().items():
            entry = summary.to_dict()
            entry["strategy"] = name
            entry["reference"] = self.names[0]
            pd_ = paired[name]
            entry["diff_p_settlement"] = pd_.diff
            entry["diff_p_settlement_ci"] = [pd_.low, pd_.high]
            out[name] = entry
        return out

    def summary_table(self) -> pd.DataFrame:
        rows = []
        for name, entry in self.to_dict().items():
            row = {
                "strategy": name,
                "runs": entry["runs"],
                "settled": entry["settled"],
                "p_settlement": entry["p_settlement"],
                "p_settlement_low": entry["p_settlement_ci"][0],
                "p_settlement_high": entry["p_settlement_ci"][1],
                "median_settlement_round": entry["median_settlement_round"],
                "p_collapse_given_settlement": entry["p_collapse_given_settlement"],
                "diff_p_settlement": entry["diff_p_settlement"],
                "diff_low": entry["diff_p_settlement_ci"][0],
                "diff_high": entry["diff_p_settlement_ci"][1],
            }
            for outcome, share in entry["outcome_shares"].items():
                row[f"share_{outcome}"] = share
            for member, share in entry.get("left_war_shares", {}).items():
                row[f"share_left_{member}"] = share
            rows.append(row)
        table = pd.DataFrame(rows)
        table["median_settlement_round"] = table["median_settlement_round"].astype("Int64")
        return table

    def runs_table(self) -> pd.DataFrame:
        """All runs of all strategies, with a categorical `strategy` column."""
        parts = []
        for name in self.names:
            part = self.tables[name].copy()
            part.insert(0, "strategy", name)
            parts.append(part)
        table = pd.concat(parts, ignore_index=True)
        table["strategy"] = pd.Categorical(table["strategy"], categories=self.names)
        return table


def compare(
    scenario: Scenario,
    strategies: list[str],
    runs: int,
    seed: int,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Run every strategy on the same runs (common random numbers).

    Args:
        progress: Called after each chunk of each strategy with the number of runs it held
            (the calls sum to `runs` times the number of strategies).
    """
    if not strategies:
        raise ConfigError("--strategies", "", "at least one strategy name")
    if len(set(strategies)) != len(strategies):
        raise ConfigError("--strategies", ",".join(strategies), "each strategy named once")
    variants = {name: strategy_variant(scenario, name) for name in strategies}  # validate all first
    tables = {
        name: simulate(
            variant, runs=runs, seed=seed, chunk_size=chunk_size, progress=progress
        ).table
        for name, variant in variants.items()
    }
    return Comparison(
        scenario=scenario, seed=seed, runs=runs, names=list(strategies), tables=tables
    )


def write_comparison(cmp: Comparison, out: Path, figure_format: str = "png") -> list[Path]:
    """runs.parquet, summary.parquet/.csv, survival.csv, manifest.json, and the figures
    (`negsim plot` on the folder): settlement per strategy, Kaplan-Meier time to settlement
    with the per-round hazard, and outcome shares, in out/figures/."""
    # Only here: it loads matplotlib, which a comparison printed on stdout never needs.
    from sim.experiments.figures import make_figures

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def atomic(path: Path, write: Callable[[Path], object]) -> None:
        written.append(write_atomic(path, write))

    runs = cmp.runs_table()
    atomic(out / "runs.parquet", lambda p: runs.to_parquet(p, index=False))
    summary = cmp.summary_table()
    atomic(out / "summary.parquet", lambda p: summary.to_parquet(p, index=False))
    atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    survival = analysis.survival_table(runs, cmp.scenario.horizon, "strategy")
    atomic(out / "survival.csv", lambda p: survival.to_csv(p, index=False))
    manifest = {
        "kind": "compare",
        "scenario_name": cmp.scenario.name,
        "scenario_file": cmp.scenario.source_file,
        "scenario": cmp.scenario.to_dict(),
        "seed": cmp.seed,
        "runs": cmp.runs,
        "horizon": cmp.scenario.horizon,
        "version": __version__,
        "strategies": cmp.names,
        "summary": cmp.to_dict(),
        "files": [p.name for p in written],
    }
    write_manifest(out, manifest)
    return written + make_figures(out, figure_format)
