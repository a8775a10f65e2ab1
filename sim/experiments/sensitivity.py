"""Global sensitivity analysis: which parameters matter for whether and when a war settles.

A spec (YAML) names a base scenario, the parameters to vary with their ranges, the number of
base samples, the runs per point and a seed:

    base: ../configs/ukraine_2025.yaml          # relative to the spec file
    method: sobol                                # or morris; --method overrides
    samples: 64                                  # Sobol: N (a power of 2); Morris: trajectories
    runs_per_point: 400
    seed: 11
    set: {horizon: 36}                           # optional fixed overrides at every point
    outputs: [p_settlement, p_ceasefire]         # optional; the default is the first three
    parameters:
      parties.russia.trust: {range: [0.0, 0.3]}  # uniform over [low, high] ...
      mediator.leverage.russia: assumption       # ... or the scenario's declared range

The keys follow the sweep spec (`base`, `runs_per_point`, `seed`, `parameters` with
`range`); a sweep's list of values has no meaning here and is refused.

The steps are pure functions, so that another executor can take the points over:
`load_spec` validates the spec; `design` draws the points with SALib (Saltelli's extension
of Sobol' sequences, Saltelli 2002 / Saltelli et al. 2010; or Morris 1991 trajectories as
improved by Campolongo et al. 2007); `point_tasks` turns them into picklable tasks;
`evaluate_points` runs a block of tasks as one batch (`sim.experiments.simulate.simulate_points`);
`analyse` computes the indices with SALib. `run_sensitivity` strings them together
serially (any `map`-like callable can stand in for the serial loop), checkpointing the
evaluated points to disk so that an interrupted analysis resumes where it stopped.

Outputs analysed, per point (the spec's `outputs`; by default the first three):

* `p_settlement`: share of runs with a first agreement within the horizon.
* `median_settlement_round`: the median round of settlement, with never-settled runs read
  as settling at the horizon, so that it is defined at every point (where fewer than half
  settle it equals the horizon, a lower bound of the true median).
* `restricted_mean_settlement_round`: the mean of min(settlement round, horizon), the area
  under the Kaplan–Meier curve up to the horizon (Royston & Parmar 2013). Unlike the median
  it uses every run and moves smoothly with the parameters, so its indices are the more
  reliable reading of "when"; it mixes "when" with "whether" (a run that never settles
  counts as the horizon).
* `p_ceasefire`: share of runs with an unconditional ceasefire within the horizon.
* `restricted_mean_ceasefire_round`: the mean of min(round of the first ceasefire, horizon),
  the same reading of "when" for the ceasefire.
* `p_ceasefire_breach`: share of runs in which a side broke a ceasefire on purpose
  (docs/model.md §3.8).
* `p_collapse`: share of runs whose first agreement collapsed within the horizon (of all
  runs, so it mixes "whether a deal came" with "whether it held").

All points share the same seed and run indices (common random numbers): differences between
points come from the parameters, not from different draws, which lowers the noise in the
indices; a parameter the model ignores gets indices of exactly zero.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyse
from SALib.analyze import sobol as sobol_analyse
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.errors import ConfigError
from sim.experiments.limits import check_total
from sim.experiments.sensitivity_spec import (
    ALL_OUTPUTS,
    METHODS,
    OPTIONS,
    OUTPUTS,
    Output,
    Parameter,
    SensitivitySpec,
    Spec,
    load_spec,
)
from sim.experiments.simulate import simulate_points
from sim.experiments.storage import folder_lock, read_manifest, write_manifest, write_table
from sim.model.config import apply_overrides, scenario_from_dict
from sim.reports.analysis import settlement_time_summary
from sim.version import __version__

__all__ = [
    "ALL_OUTPUTS",
    "BATCH_RUNS",
    "CONF_LEVEL",
    "METHODS",
    "OPTIONS",
    "OUTPUTS",
    "Output",
    "Parameter",
    "PointTask",
    "SensitivityResult",
    "SensitivitySpec",
    "Spec",
    "analyse",
    "design",
    "evaluate_point",
    "evaluate_points",
    "load_spec",
    "point_tasks",
    "points_per_block",
    "run_sensitivity",
]

CONF_LEVEL = 0.95
# Runs in one block of points: the points of a block run as one batch (their parameters
# stacked on the runs axis) and are checkpointed to design.parquet together. A block of
# 32,768 runs takes a few seconds; on the Ukraine spec (256 runs a point) blocks of 128
# points ran 1.3x faster than blocks of 16 (100 s against 132 s, one core).
BATCH_RUNS = 32768


def points_per_block(runs_per_point: int) -> int:
    """Points in one block: as many as BATCH_RUNS runs hold (at least one)."""
    return max(1, BATCH_RUNS // max(1, runs_per_point))


# --------------------------------------------------------------------------------------------
# Design, tasks, evaluation, analysis


def design(spec: Spec, method: str) -> pd.DataFrame:
    """The sample points: `point` and one column per parameter, in SALib's order."""
    problem = spec.problem()
    s = spec.spec
    if method == "sobol":
        x = sobol_sample.sample(problem, s.samples, calc_second_order=False, seed=s.seed)
    elif method == "morris":
        x = morris_sample.sample(problem, s.samples, num_levels=s.morris_levels, seed=s.seed)
    else:
        raise ConfigError("--method", method, f"one of {list(METHODS)}")
    table = pd.DataFrame(x, columns=spec.names)
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table


@dataclass(frozen=True)
class PointTask:
    """Everything one point needs, picklable, for any executor."""

    point: int
    base: dict[str, Any]
    scenario_file: str
    overrides: dict[str, Any]
    runs: int
    seed: int


def point_tasks(spec: Spec, points: pd.DataFrame) -> list[PointTask]:
    """One task per design row (integer settings rounded to their nearest whole value)."""
    tasks = []
    for row in points.itertuples(index=False):
        values = dict(zip(["point", *spec.names], row, strict=True))
        overrides = {p.path: _value(values[p.path], p) for p in spec.parameters}
        tasks.append(
            PointTask(
                point=int(values["point"]),
                base=spec.base,
                scenario_file=spec.scenario_file,
                overrides=overrides,
                runs=spec.spec.runs_per_point,
                seed=spec.spec.seed,
            )
        )
    return tasks


def _value(x: float, p: Parameter) -> float | int:
    if p.integer:
        return int(min(max(round(x), p.low), p.high))
    return float(min(max(x, p.low), p.high))  # guard the ends against round-off


def evaluate_point(task: PointTask) -> dict[str, float]:
    """Run one point and return its outputs (see the module docstring)."""
    return evaluate_points([task])[0]


def evaluate_points(tasks: Sequence[PointTask]) -> list[dict[str, float]]:
    """Run a block of points as one batch (`sim.experiments.simulate.simulate_points`: the points'
    parameters stacked on the runs axis) and return each point's outputs, in order. The
    numbers are those of running each point alone."""
    scenarios = [
        scenario_from_dict(apply_overrides(t.base, t.overrides), file=t.scenario_file)
        for t in tasks
    ]
    seeds = {t.seed for t in tasks}
    if len(seeds) > 1:
        raise ValueError(f"points of one block share a seed, got {sorted(seeds)}")
    # Every point uses the same run indices (common random numbers).
    tables = simulate_points(scenarios, [t.runs for t in tasks], seeds.pop() if seeds else 0)
    out = []
    for task, scenario, table in zip(tasks, scenarios, tables, strict=True):
        when = settlement_time_summary(table, scenario.horizon).iloc[0]
        settled = int(table["settlement_round"].notna().sum())
        n, horizon = len(table), scenario.horizon
        truce = table["first_ceasefire_round"].astype("Float64")
        out.append(
            {
                "point": task.point,
                "runs": n,
                "settled": settled,
                "p_settlement": settled / n,
                "median_settlement_round": float(when["median_settlement_round_imputed"]),
                "restricted_mean_settlement_round": float(when["restricted_mean_settlement_round"]),
                "p_ceasefire": float(truce.notna().sum()) / n,
                # A run without a ceasefire counts as the horizon, as for settlements.
                "restricted_mean_ceasefire_round": float(
                    truce.fillna(horizon).clip(upper=horizon).mean()
                ),
                "p_ceasefire_breach": float((table["ceasefire_breaches"] > 0).mean()),
                "p_collapse": float(table["collapse_round"].notna().sum()) / n,
            }
        )
    return out


def analyse(spec: Spec, method: str, points: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity indices of each output, long form: `output`, `parameter` and either
    S1, S1_conf, ST, ST_conf (Sobol) or mu, mu_star, mu_star_conf, sigma (Morris); conf
    columns are half-widths of 95% bootstrap intervals. An output that is the same at every
    point has no variance to apportion: its Sobol indices are NaN."""
    problem = spec.problem()
    s = spec.spec
    frames = []
    for output in spec.outputs:
        y = points[output].to_numpy(dtype=float)
        if np.isnan(y).any():
            raise ValueError(f"{output}: not every point has been evaluated")
        if method == "sobol":
            if np.ptp(y) == 0.0:
                nan = np.full(len(spec.names), np.nan)
                result = {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    result = sobol_analyse.analyze(
                        problem,
                        y,
                        calc_second_order=False,
                        num_resamples=s.resamples,
                        conf_level=CONF_LEVEL,
                        seed=s.seed,
                    )
            columns = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            x = points[spec.names].to_numpy(dtype=float)
            result = morris_analyse.analyze(
                problem,
                x,
                y,
                num_resamples=s.resamples,
                conf_level=CONF_LEVEL,
                num_levels=s.morris_levels,
                seed=s.seed,
            )
            columns = ("mu", "mu_star", "mu_star_conf", "sigma")
        frame = pd.DataFrame({c: np.asarray(result[c], dtype=float) for c in columns})
        frame.insert(0, "parameter", spec.names)
        frame.insert(0, "output", output)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def wide_intervals(indices: pd.DataFrame, method: str, samples: int) -> list[dict[str, Any]]:
    """The indices whose 95% interval is wider than the index itself (its width, twice the
    half-width `*_conf`, above the index's absolute value), each with the samples that
    would halve the interval. A bootstrap interval narrows as one over the square root of
    the samples, so halving it takes four times the samples: three times as many more."""
    pairs = (
        (("S1", "S1_conf"), ("ST", "ST_conf"))
        if method == "sobol"
        else (("mu_star", "mu_star_conf"),)
    )
    out = []
    for row in indices.itertuples(index=False):
        for index, conf in pairs:
            value, half = float(getattr(row, index)), float(getattr(row, conf))
            if np.isnan(value) or np.isnan(half) or 2.0 * half <= abs(value):
                continue
            out.append(
                {
                    "output": row.output,
                    "parameter": row.parameter,
                    "index": index,
                    "value": value,
                    "half_width": half,
                    "samples": samples,
                    "more_samples_to_halve": 3 * samples,
                }
            )
    return out


# --------------------------------------------------------------------------------------------
# Running it, with checkpoints


@dataclass
class SensitivityResult:
    method: str
    spec: Spec
    points: pd.DataFrame
    indices: pd.DataFrame
    files: list[Path]
    resumed: int  # points found already evaluated in the folder

    def text(self) -> str:
        """The indices as a printable table."""
        s = self.spec
        lines = [
            f"{s.base_scenario.name}: {self.method} sensitivity over {len(s.parameters)} "
            f"parameters, {len(self.points):,} points x {s.spec.runs_per_point:,} runs, "
            f"seed {s.spec.seed}" + (f" ({self.resumed:,} points resumed)" if self.resumed else "")
        ]
        measure = (
            ["S1", "S1_conf", "ST", "ST_conf"]
            if self.method == "sobol"
            else ["mu_star", "mu_star_conf", "sigma"]
        )
        width = max(len(n) for n in s.names)
        for output in s.outputs:
            rows = self.indices[self.indices["output"] == output]
            key = "ST" if self.method == "sobol" else "mu_star"
            rows = rows.sort_values(key, ascending=False, na_position="last")
            values = self.points[output]
            lines.append(
                f"  {output} (over the points: min {values.min():.3g}, max {values.max():.3g})"
            )
            if self.method == "sobol" and rows["ST"].isna().all():
                lines.append("    the same at every point: no variance to apportion")
                continue
            lines.append(
                "    " + f"{'parameter':<{width}}  " + "  ".join(f"{m:>12}" for m in measure)
            )
            for r in rows.itertuples(index=False):
                cells = "  ".join(f"{getattr(r, m):>12.4f}" for m in measure)
                lines.append(f"    {r.parameter:<{width}}  {cells}")
        lines += self._warning_lines()
        for path in self.files:
            lines.append(f"  wrote {path}")
        return "\n".join(lines)

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Indices whose interval is wider than the index (`wide_intervals`)."""
        return wide_intervals(self.indices, self.method, self.spec.spec.samples)

    def _warning_lines(self) -> list[str]:
        wide = self.warnings
        if not wide:
            return []
        samples = self.spec.spec.samples
        lines = [
            f"  warning: {len(wide)} of the indices have a 95% interval wider than the index",
            f"  itself; {3 * samples:,} more samples ({4 * samples:,} in all) would halve the "
            "intervals:",
        ]
        for w in wide[:10]:
            lines.append(
                f"    {w['output']} {w['parameter']} {w['index']} {w['value']:.3f} "
                f"± {w['half_width']:.3f}"
            )
        if len(wide) > 10:
            lines.append(f"    and {len(wide) - 10} more (`warnings` in manifest.json)")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The analysis as JSON-ready data: its design, indices and warnings."""
        s = self.spec
        return {
            "method": self.method,
            "scenario": s.base_scenario.name,
            "parameters": list(s.names),
            "points": len(self.points),
            "samples": s.spec.samples,
            "runs_per_point": s.spec.runs_per_point,
            "seed": s.spec.seed,
            "indices": self.indices.to_dict(orient="records"),
            "warnings": self.warnings,
        }


def run_sensitivity(
    spec_path: str | Path,
    out: Path,
    method: str | None = None,
    *,
    map_fn: Callable[
        [Callable[[Sequence[PointTask]], list[dict[str, float]]], Iterable[Sequence[PointTask]]],
        Iterable[list[dict[str, float]]],
    ] = map,
    progress: Callable[[int, int], None] | None = None,
    samples: int | None = None,
    runs_per_point: int | None = None,
    confirmed: bool = True,
) -> SensitivityResult:
    """Validate the spec, draw the design, evaluate the points (resuming any already in
    `out`), analyse, and write design.parquet, indices.parquet/.csv and manifest.json.

    Args:
        map_fn: Applies `evaluate_points` to blocks of tasks (builtin `map` runs them
            serially here; an executor's `map` runs them elsewhere); blocks may come back
            in any order.
        samples, runs_per_point: Replace the spec's (the --samples and --runs options;
            see `load_spec`).
        confirmed: False refuses a design of more runs than limits.CONFIRM_RUNS (the
            command line passes --yes here).
        progress: Called with (points done, points in all) once before the first block
            (the points resumed) and after each block is written (an exception it raises
            stops the analysis with that block kept).
    """
    spec = load_spec(spec_path, method, samples=samples, runs_per_point=runs_per_point)
    check_total(spec.n_points, spec.spec.runs_per_point, file=spec.file, confirmed=confirmed)
    method = spec.spec.method
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", str(out), "a directory (or a path to create)")
    points = design(spec, method)
    outputs = spec.outputs
    for output in ("runs", "settled", *outputs):
        points[output] = np.nan
    design_file = out / "design.parquet"
    manifest = _manifest(spec, method, len(points))
    with folder_lock(out):  # one command writes into a folder at a time
        resumed = _resume(out, manifest["fingerprint"], points, outputs)
        write_manifest(out, manifest)

        meta = {k: manifest[k] for k in ("kind", "scenario_name", "seed", "version", "method")}
        _evaluate(spec, points, design_file, meta, map_fn, progress, resumed)
        points = points.astype({"runs": "int64", "settled": "int64"})
        write_table(points, design_file, meta)

        indices = analyse(spec, method, points)
        files = [
            design_file,
            write_table(indices, out / "indices.parquet", meta),
            out / "indices.csv",
        ]
        indices.to_csv(out / "indices.csv", index=False)
        manifest["complete"] = True
        manifest["files"] = [f.name for f in files]
        manifest["warnings"] = wide_intervals(indices, method, spec.spec.samples)
        write_manifest(out, manifest)
        return SensitivityResult(method, spec, points, indices, files, resumed)


def _manifest(spec: Spec, method: str, n_points: int) -> dict[str, Any]:
    """The folder's manifest, as written before the first point (`complete` False)."""
    return {
        "kind": "sensitivity",
        "scenario_name": spec.base_scenario.name,
        "scenario_file": spec.scenario_file,
        "seed": spec.spec.seed,
        "horizon": spec.base_scenario.horizon,
        "version": __version__,
        "method": method,
        "parameters": spec.names,
        "outputs": list(spec.outputs),
        "points": n_points,
        "runs_per_point": spec.spec.runs_per_point,
        "spec_file": spec.file,
        "spec": spec.to_dict(),
        "fingerprint": spec.fingerprint(method),
        "complete": False,
        "files": ["design.parquet"],
    }


def _resume(out: Path, fingerprint: str, points: pd.DataFrame, outputs: Sequence[str]) -> int:
    """Fill `points` with the points `out` already holds of this same analysis; return how
    many. A folder of other results, or of another spec, is refused."""
    if not (out / "manifest.json").is_file():
        return 0
    old = read_manifest(out)
    if old.get("kind") != "sensitivity" or old.get("fingerprint") != fingerprint:
        raise ConfigError(
            "--out",
            str(out),
            "a new folder, or one holding this same sensitivity analysis (it holds "
            f"{old.get('kind', 'other')} results of a different spec, --method, "
            "--samples or --runs)",
        )
    design_file = out / "design.parquet"
    if not design_file.is_file():
        return 0
    done = pd.read_parquet(design_file)
    if len(done) != len(points):
        return 0
    # A point counts as done only if it holds every output asked for now (a folder written
    # for other outputs has its points run again).
    evaluated = done.reindex(columns=list(outputs)).notna().all(axis=1).to_numpy()
    if evaluated.any():
        for col in ("runs", "settled", *outputs):
            points.loc[evaluated, col] = done.loc[evaluated, col].to_numpy()
    return int(evaluated.sum())


def _evaluate(
    spec: Spec,
    points: pd.DataFrame,
    design_file: Path,
    meta: dict[str, Any],
    map_fn: Callable[..., Iterable[list[dict[str, float]]]],
    progress: Callable[[int, int], None] | None,
    resumed: int,
) -> None:
    """Evaluate the points not yet done, in blocks, writing `points` to `design_file` after
    each block (the checkpoint a rerun resumes from)."""
    outputs = spec.outputs
    todo = points.loc[points[list(outputs)].isna().any(axis=1), "point"].to_list()
    tasks = [t for t in point_tasks(spec, points[["point", *spec.names]]) if t.point in set(todo)]
    done_count = resumed
    # Points go in blocks, each run as one batch and checkpointed when it comes back.
    size = points_per_block(spec.spec.runs_per_point)
    blocks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    if progress is not None:
        progress(done_count, len(points))
    for results in map_fn(evaluate_points, blocks):
        for result in results:
            row = int(result["point"])
            for key in ("runs", "settled", *outputs):
                points.loc[row, key] = result[key]
        done_count += len(results)
        write_table(points, design_file, meta)
        if progress is not None:  # after the checkpoint: it may stop the analysis
            progress(done_count, len(points))
