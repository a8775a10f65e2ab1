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
`evaluate_points` runs a block of tasks as one batch (`sim.simulate.simulate_points`);
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
  (docs/model.md §3.6b).
* `p_collapse`: share of runs whose first agreement collapsed within the horizon (of all
  runs, so it mixes "whether a deal came" with "whether it held").

All points share the same seed and run indices (common random numbers): differences between
points come from the parameters, not from different draws, which lowers the noise in the
indices; a parameter the model ignores gets indices of exactly zero.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import types
import typing
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import numpy as np
import pandas as pd

from sim import schema, shipped
from sim.config import Scenario, apply_overrides, read_scenario, read_yaml, scenario_from_dict
from sim.errors import ConfigError
from sim.limits import check_design_points, check_total
from sim.schema import param

METHODS = ("sobol", "morris")
Output = Literal[
    "p_settlement",
    "median_settlement_round",
    "restricted_mean_settlement_round",
    "p_ceasefire",
    "restricted_mean_ceasefire_round",
    "p_ceasefire_breach",
    "p_collapse",
]
ALL_OUTPUTS: tuple[str, ...] = get_args(Output)
OUTPUTS = ALL_OUTPUTS[:3]  # the default: whether and when the war settles
CONF_LEVEL = 0.95
# Runs in one block of points: the points of a block run as one batch (their parameters
# stacked on the runs axis) and are checkpointed to design.parquet together. A block of
# 32,768 runs takes a few seconds; on the Ukraine spec (256 runs a point) blocks of 128
# points ran 1.3x faster than blocks of 16 (100 s against 132 s, one core).
BATCH_RUNS = 32768


def points_per_block(runs_per_point: int) -> int:
    return max(1, BATCH_RUNS // max(1, runs_per_point))


@dataclass(frozen=True)
class SensitivitySpec:
    """A global sensitivity analysis over a base scenario."""

    base: str = param(doc="Base scenario YAML; a relative path starts at the spec file.")
    parameters: Mapping[str, Any] = param(
        doc="Dotted scenario path -> {range: [low, high]}, or 'assumption' for the range "
        "the scenario's provenance section declares."
    )
    description: str = param("", doc="What the analysis asks.")
    method: Literal["sobol", "morris"] = param("sobol", doc="Design and estimator.")
    samples: int = param(
        64,
        bounds=(2, 1_000_000),
        doc="Sobol: base sample N, a power of 2 (N x (D + 2) points); Morris: number of "
        "trajectories (N x (D + 1) points).",
    )
    runs_per_point: int = param(400, bounds=(1, 100_000_000), doc="Runs at every point.")
    seed: int = param(0, bounds=(0, None), doc="Seed of the runs and of the design.")
    set: Mapping[str, Any] = param({}, doc="Fixed overrides applied at every point.")
    morris_levels: int = param(4, bounds=(2, 100), doc="Morris grid levels (even).")
    resamples: int = param(
        1000, bounds=(10, 1_000_000), doc="Bootstrap resamples for the confidence intervals."
    )
    outputs: tuple[Output, ...] = param(
        OUTPUTS, doc="Outputs whose indices are computed (the module docstring lists them)."
    )


@dataclass(frozen=True)
class Parameter:
    path: str
    low: float
    high: float
    integer: bool


@dataclass(frozen=True)
class Spec:
    """A validated spec: the base scenario data, resolved ranges, and where it came from."""

    spec: SensitivitySpec
    file: str
    scenario_file: str
    base: dict[str, Any]  # raw scenario data with `set` applied
    base_scenario: Scenario
    parameters: tuple[Parameter, ...]

    @property
    def names(self) -> list[str]:
        return [p.path for p in self.parameters]

    @property
    def n_points(self) -> int:
        """Sobol: N x (D + 2) points; Morris: N x (D + 1)."""
        return self.spec.samples * (
            len(self.parameters) + (2 if self.spec.method == "sobol" else 1)
        )

    def problem(self) -> dict[str, Any]:
        """The SALib problem. An integer parameter's range is widened by half a step on
        each side, so that rounding gives every integer in [low, high] the same share."""
        bounds = [
            [p.low - 0.5, p.high + 0.5] if p.integer else [p.low, p.high] for p in self.parameters
        ]
        return {"num_vars": len(self.parameters), "names": self.names, "bounds": bounds}

    def to_dict(self) -> dict[str, Any]:
        data = schema.to_plain(self.spec)
        data["base"] = self.scenario_file
        data["parameters"] = {p.path: {"range": [p.low, p.high]} for p in self.parameters}
        return data

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(self.spec.outputs)

    def fingerprint(self, method: str) -> str:
        """Identifies the design and its runs: a folder is resumed only for the same one.
        The outputs do not enter: every point's runs give all of them."""
        data = self.to_dict()
        data.pop("outputs", None)
        data["method"] = method
        data["base"] = self.base
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# The spec


# Spec keys a command-line option can replace, and the option's name in an error.
OPTIONS = {"samples": "--samples", "runs_per_point": "--runs"}


def load_spec(
    path: str | Path,
    method: str | None = None,
    *,
    samples: int | None = None,
    runs_per_point: int | None = None,
) -> Spec:
    """Read and validate a sensitivity spec; any problem raises one ConfigError line.

    Args:
        method: Replaces the spec's method (the --method option); the spec is validated for
            the method it will run with.
        samples: Replaces the spec's `samples` (--samples), and `runs_per_point` its
            `runs_per_point` (--runs), before the spec is checked: the same checks apply
            (a Sobol design's samples a power of 2), a bad value is reported under the
            option's name, and the fingerprint a resumed folder must match holds them.
    """
    if method is not None and method not in METHODS:
        raise ConfigError("--method", method, f"one of {list(METHODS)}")
    path = shipped.locate("spec", path)
    file = str(path)
    if not shipped.is_file(path):
        raise shipped.not_found("spec", file, "an existing sensitivity spec file")
    data = read_yaml(path)
    given = {"method": method, "samples": samples, "runs_per_point": runs_per_point}
    given = {k: v for k, v in given.items() if v is not None}
    if given and isinstance(data, Mapping):
        data = {**data, **given}
    try:
        return _resolve(schema.build(SensitivitySpec, data), file)
    except ConfigError as err:
        if err.path in OPTIONS and err.path in given:
            raise ConfigError(OPTIONS[err.path], err.value, err.expected, hint=err.hint) from None
        raise err.in_file(file) from None


def _resolve(spec: SensitivitySpec, file: str) -> Spec:
    base_path = shipped.beside(file, spec.base)
    if not base_path.is_file():
        raise ConfigError("base", spec.base, f"an existing scenario file (looked for {base_path})")
    # The base alone first: a fault in its own file is the base's, not the spec's `set`.
    raw, base_scenario = read_scenario(base_path)
    try:
        base = apply_overrides(raw, dict(spec.set)) if spec.set else raw
        base_scenario = scenario_from_dict(base, file=str(base_path))
    except ConfigError as err:
        raise ConfigError(
            "set", dict(spec.set), f"overrides the scenario accepts ({err})"
        ) from None
    if not spec.parameters:
        raise ConfigError("parameters", {}, "at least one parameter with its range")
    if spec.method == "sobol" and spec.samples & (spec.samples - 1):
        raise ConfigError(
            "samples",
            spec.samples,
            "a power of 2 for a Sobol design (the balance of Sobol' sequences needs it)",
        )
    if spec.morris_levels % 2:
        raise ConfigError("morris_levels", spec.morris_levels, "an even number of levels")
    if not spec.outputs or len(set(spec.outputs)) != len(spec.outputs):
        raise ConfigError("outputs", list(spec.outputs), "a non-empty list without repeats")
    params = []
    for name, value in spec.parameters.items():
        where = f"parameters.{name}"
        integer = _field_is_integer(name, where, value)
        if name in spec.set:
            raise ConfigError(where, value, "a parameter not also fixed under `set`")
        low, high = _range(value, name, where, base_scenario)
        if integer and not (float(low).is_integer() and float(high).is_integer()):
            raise ConfigError(where, [low, high], "whole-number bounds for an integer setting")
        for bound in (low, high):
            overrides = {name: int(bound) if integer else float(bound)}
            try:
                scenario_from_dict(apply_overrides(base, overrides), file=str(base_path))
            except ConfigError as err:
                raise ConfigError(
                    where,
                    [low, high],
                    f"a range the scenario accepts ({err.path}: {err.expected})",
                    hint=err.hint,
                ) from None
        params.append(Parameter(name, float(low), float(high), integer))
    resolved = Spec(
        spec=spec,
        file=file,
        scenario_file=str(base_path),
        base=base,
        base_scenario=base_scenario,
        parameters=tuple(params),
    )
    check_design_points(resolved.n_points, "samples", spec.samples)  # before it is drawn
    return resolved


def _range(value: Any, name: str, where: str, base: Scenario) -> tuple[float, float]:
    expected = "{range: [low, high]} or assumption (the scenario's declared range)"
    if isinstance(value, Mapping):
        unknown = [k for k in value if k != "range"]
        if unknown:
            raise ConfigError(
                f"{where}.{unknown[0]}",
                value[unknown[0]],
                "only the key 'range'",
                hint=schema.suggest(str(unknown[0]), ["range"]),
            )
        if "range" not in value:
            raise ConfigError(where, dict(value), expected)
        where, value = f"{where}.range", value["range"]
    if value == "assumption":
        source = base.provenance.get(name)
        if source is None or source.assumption is None:
            raise ConfigError(
                where,
                value,
                "[low, high]: the scenario declares no assumption range for this path",
            )
        low, high = source.assumption
    elif isinstance(value, list | tuple) and where.endswith(".range"):
        if len(value) != 2 or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        ):
            raise ConfigError(where, list(value), "[low, high], two numbers")
        low, high = value
    elif isinstance(value, list | tuple):
        raise ConfigError(
            where, list(value), f"{expected}; a bare list is a sweep's list of values"
        )
    else:
        raise ConfigError(where, value, expected)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ConfigError(where, [low, high], "finite bounds with low < high")
    return float(low), float(high)


def _field_is_integer(path: str, where: str, value: Any) -> bool:
    """Walk the scenario's typed fields along a dotted path: True for an integer setting,
    False for a real one; anything else (unknown key, text, flag, section) is refused."""
    tp: Any = Scenario
    parts = path.split(".")
    i = 0
    while i < len(parts):
        tp = _strip_optional(tp)
        origin = get_origin(tp)
        if dataclasses.is_dataclass(tp):
            hints = typing.get_type_hints(tp)
            names = [f.name for f in dataclasses.fields(tp)]
            if parts[i] not in names or parts[i] in ("provenance", "source_file"):
                raise ConfigError(
                    where,
                    value,
                    f"a numeric scenario setting ('{parts[i]}' is not one of {names})",
                    hint=schema.suggest(parts[i], names),
                )
            tp = hints[parts[i]]
        elif origin in (dict, Mapping) or tp is dict:
            tp = (get_args(tp) or (str, Any))[1]  # the part names a party, issue, ...
        elif tp is Any:
            return False  # strategy options: passed through, checked by the strategy
        else:
            raise ConfigError(where, value, "a path that ends at a numeric setting")
        i += 1
    tp = _strip_optional(tp)
    if tp is int:
        return True
    if tp is float or tp is Any:
        return False
    raise ConfigError(where, value, "a path to a numeric setting (not a section, text or flag)")


def _strip_optional(tp: Any) -> Any:
    if get_origin(tp) in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return tp


# --------------------------------------------------------------------------------------------
# Design, tasks, evaluation, analysis


def design(spec: Spec, method: str) -> pd.DataFrame:
    """The sample points: `point` and one column per parameter, in SALib's order."""
    problem = spec.problem()
    s = spec.spec
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        x = sobol_sample.sample(problem, s.samples, calc_second_order=False, seed=s.seed)
    elif method == "morris":
        from SALib.sample import morris as morris_sample

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
    """Run a block of points as one batch (`sim.simulate.simulate_points`: the points'
    parameters stacked on the runs axis) and return each point's outputs, in order. The
    numbers are those of running each point alone."""
    from sim.analysis import settlement_time_summary
    from sim.simulate import simulate_points

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
            from SALib.analyze import sobol as sobol_analyse

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
            from SALib.analyze import morris as morris_analyse

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
        for path in self.files:
            lines.append(f"  wrote {path}")
        return "\n".join(lines)


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
    from sim import __version__
    from sim.storage import folder_lock, read_manifest, write_manifest, write_table

    spec = load_spec(spec_path, method, samples=samples, runs_per_point=runs_per_point)
    check_total(spec.n_points, spec.spec.runs_per_point, file=spec.file, confirmed=confirmed)
    method = spec.spec.method
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", str(out), "a directory (or a path to create)")
    fingerprint = spec.fingerprint(method)
    points = design(spec, method)
    outputs = spec.outputs
    for output in ("runs", "settled", *outputs):
        points[output] = np.nan
    design_file = out / "design.parquet"
    manifest: dict[str, Any] = {
        "kind": "sensitivity",
        "scenario_name": spec.base_scenario.name,
        "scenario_file": spec.scenario_file,
        "seed": spec.spec.seed,
        "horizon": spec.base_scenario.horizon,
        "version": __version__,
        "method": method,
        "parameters": spec.names,
        "outputs": list(outputs),
        "points": len(points),
        "runs_per_point": spec.spec.runs_per_point,
        "spec_file": spec.file,
        "spec": spec.to_dict(),
        "fingerprint": fingerprint,
        "complete": False,
        "files": ["design.parquet"],
    }
    with folder_lock(out):  # one command writes into a folder at a time
        resumed = 0
        if (out / "manifest.json").is_file():
            old = read_manifest(out)
            if old.get("kind") != "sensitivity" or old.get("fingerprint") != fingerprint:
                raise ConfigError(
                    "--out",
                    str(out),
                    "a new folder, or one holding this same sensitivity analysis (it holds "
                    f"{old.get('kind', 'other')} results of a different spec, --method, "
                    "--samples or --runs)",
                )
            if design_file.is_file():
                done = pd.read_parquet(design_file)
                if len(done) == len(points):
                    # A point counts as done only if it holds every output asked for now (a
                    # folder written for other outputs has its points run again).
                    evaluated = done.reindex(columns=list(outputs)).notna().all(axis=1).to_numpy()
                    if evaluated.any():
                        for col in ("runs", "settled", *outputs):
                            points.loc[evaluated, col] = done.loc[evaluated, col].to_numpy()
                    resumed = int(evaluated.sum())
        write_manifest(out, manifest)

        todo = points.loc[points[list(outputs)].isna().any(axis=1), "point"].to_list()
        tasks = [
            t for t in point_tasks(spec, points[["point", *spec.names]]) if t.point in set(todo)
        ]
        done_count = resumed
        meta = {k: manifest[k] for k in ("kind", "scenario_name", "seed", "version", "method")}
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
        write_manifest(out, manifest)
        return SensitivityResult(method, spec, points, indices, files, resumed)
