"""Scenario discovery: the boxes of parameter space where a condition on an output holds,
found by PRIM (Friedman and Fisher 1999) as the EMA Workbench implements it (Kwakkel 2017;
the use for scenario discovery is Bryant and Lempert 2010).

A spec (YAML) names a results folder, the condition and, optionally, PRIM's settings:

    folder: ../results/assumptions      # a sweep or sensitivity folder; relative to this file
    condition: p_settlement < 0.5       # an output of the folder, <, <=, > or >=, a number
    parameters: [parties.russia.cost_per_round, parties.ukraine.cost_per_round]  # default: all
    density: 0.8                        # the box reported on each trajectory (see below)
    boxes: 2                            # look for up to this many boxes
    peel_alpha: 0.05                    # PRIM's settings, EMA's defaults
    paste_alpha: 0.05
    mass_min: 0.05

The points are the folder's: a sweep's summary (`summary.parquet`: one row per point, its
swept values and `p_settlement`, `median_settlement_round`, `collapsed`, the outcome
shares), or a sensitivity analysis's design (`design.parquet`: one row per point, its
parameter values and its outputs). A point is of interest when the condition holds.

PRIM peels the box that holds every point a slice at a time, keeping the points of
interest dense, and so traces a trajectory from high coverage (the share of the points of
interest inside the box) to high density (the share of the box's points that are of
interest). On each trajectory the box reported is the one of highest coverage whose density
reaches `density`, or the densest if none does. Each further box is looked for among the
points outside the boxes found, and the search stops when no point of interest is left.

`discover` returns the boxes; `write_discovery` writes `boxes.json`, `boxes.csv` (one row
per box and restricted parameter), `peeling.csv` (the trajectories) and two figures into
`<folder>/discovery/<name>/` by default.
"""

from __future__ import annotations

import json
import math
import operator
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import schema, shipped
from sim.errors import ConfigError
from sim.model.config import read_yaml
from sim.schema import param
from sim.version import __version__

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_CONDITION = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*(\S+)\s*")
# What each kind of folder holds: the table of points, and the columns that are not outputs.
_TABLES = {"sweep": "summary.parquet", "sensitivity": "design.parquet"}
_NOT_OUTPUTS = {"point", "runs", "settled", "p_settlement_low", "p_settlement_high"}
_EMPTY_TRAJECTORY = pd.DataFrame(
    columns=["box", "step", "coverage", "density", "mass", "restricted_dimensions", "selected"]
)


@dataclass(frozen=True)
class DiscoverySpec:
    """Scenario discovery over a results folder."""

    condition: str = param(
        doc="The points of interest: an output, <, <=, > or >=, and a number "
        "(`p_settlement < 0.5`)."
    )
    folder: str = param(
        "", doc="A sweep or sensitivity folder; a relative path starts at the spec file."
    )
    name: str = param(
        "", doc="Names the output folder, discovery/<name> (default: the spec file's name)."
    )
    description: str = param("", doc="What the discovery asks.")
    parameters: tuple[str, ...] = param(
        (), doc="The folder's parameters PRIM may restrict (default: all of them)."
    )
    density: float = param(
        0.8,
        bounds=(0.0, 1.0),
        doc="The box reported on each trajectory: the one of highest coverage whose density "
        "reaches this (the densest, if none does).",
    )
    boxes: int = param(1, bounds=(1, 20), doc="Boxes to look for, one after the other.")
    peel_alpha: float = param(0.05, bounds=(0.001, 0.5), doc="Share of points peeled a step.")
    paste_alpha: float = param(0.05, bounds=(0.001, 0.5), doc="Share of points pasted a step.")
    mass_min: float = param(
        0.05, bounds=(0.0, 1.0), doc="Smallest share of the points a box may hold."
    )


@dataclass(frozen=True)
class Condition:
    output: str
    operator: str
    value: float

    def holds(self, values: pd.Series) -> np.ndarray:
        """Where it holds (never at a missing value)."""
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        return np.asarray(OPERATORS[self.operator](x, self.value)) & ~np.isnan(x)

    def __str__(self) -> str:
        return f"{self.output} {self.operator} {self.value:g}"


def parse_condition(text: Any, where: str = "condition") -> Condition:
    """`p_settlement < 0.5` as a Condition; anything else is one ConfigError line."""
    expected = "an output, one of <, <=, >, >= and a number, e.g. 'p_settlement < 0.5'"
    match = _CONDITION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ConfigError(where, text, expected)
    try:
        value = float(match[3])
    except ValueError:
        raise ConfigError(where, text, expected) from None
    if not math.isfinite(value):
        raise ConfigError(where, text, "a finite number to compare with")
    return Condition(match[1], match[2], value)


@dataclass(frozen=True)
class Spec:
    """A validated discovery spec, with the folder it reads."""

    spec: DiscoverySpec
    file: str
    folder: Path
    condition: Condition
    name: str


def load_spec(path: str | Path, *, folder: str | Path | None = None) -> Spec:
    """Read and validate a discovery spec; `folder` (the --folder option) replaces the
    spec's. Problems raise one ConfigError line naming the file and the key."""
    path = shipped.locate("spec", path)
    file = str(path)
    if not shipped.is_file(path):
        raise shipped.not_found("spec", file, "an existing discovery spec file (YAML)")
    data = read_yaml(path)
    try:
        spec = schema.build(DiscoverySpec, data)
        condition = parse_condition(spec.condition)
        if spec.name and not re.fullmatch(r"[A-Za-z0-9_.-]+", spec.name):
            raise ConfigError("name", spec.name, "letters, digits, '_', '-' and '.' only")
        if len(set(spec.parameters)) != len(spec.parameters):
            raise ConfigError("parameters", list(spec.parameters), "a list without repeats")
    except ConfigError as err:
        raise err.in_file(file) from None
    if folder is not None:
        where = Path(folder)
    elif spec.folder:
        where = Path(file).parent / spec.folder
    else:
        raise ConfigError(
            "folder", "", "the results folder to read (or --folder on the command line)", file=file
        )
    return Spec(spec, file, where, condition, spec.name or Path(file).stem)


# --------------------------------------------------------------------------------------------
# The points


@dataclass(frozen=True)
class Points:
    """A folder's points: their parameter values and their outputs."""

    folder: Path
    kind: str
    parameters: tuple[str, ...]
    table: pd.DataFrame

    @property
    def outputs(self) -> list[str]:
        return [
            c
            for c in self.table.columns
            if c not in self.parameters
            and c not in _NOT_OUTPUTS
            and pd.api.types.is_numeric_dtype(self.table[c])
            and not pd.api.types.is_bool_dtype(self.table[c])
        ]


def read_points(folder: Path) -> Points:
    """The points of a finished sweep, or the evaluated points of a sensitivity analysis."""
    from sim.experiments.figures import _read  # names a damaged file in one line
    from sim.experiments.storage import read_manifest

    manifest = read_manifest(folder)
    kind = manifest.get("kind")
    where = str(folder / "manifest.json")
    if kind not in _TABLES:
        raise ConfigError("kind", kind, "a sweep or sensitivity folder", file=where)
    if kind == "sweep" and manifest.get("status") != "complete":
        raise ConfigError(
            "status",
            manifest.get("status"),
            "a finished sweep (finish it with negsim sweep ... --resume)",
            file=where,
        )
    parameters = manifest.get("parameters")
    if not isinstance(parameters, list) or not all(isinstance(p, str) for p in parameters):
        raise ConfigError("parameters", parameters, "a list of parameter paths", file=where)
    table = _read(folder / _TABLES[kind])
    missing = [p for p in parameters if p not in table.columns]
    if missing:
        raise ConfigError(
            "", str(missing), "the parameters the manifest names", file=str(folder / _TABLES[kind])
        )
    return Points(folder, str(kind), tuple(parameters), table)


# --------------------------------------------------------------------------------------------
# PRIM


@dataclass(frozen=True)
class Box:
    """One box: its statistics and the limits of its restricted parameters."""

    box: int
    coverage: float
    density: float
    mass: float
    points: int
    of_interest: int
    limits: pd.DataFrame  # parameter, low, high, full_low, full_high, values


@dataclass
class Discovery:
    spec: Spec
    points: Points
    parameters: tuple[str, ...]
    of_interest: int
    boxes: list[Box]
    trajectory: pd.DataFrame  # box, step, coverage, density, mass, restricted_dimensions, selected

    def limits(self) -> pd.DataFrame:
        """One row per box and restricted parameter, with the box's statistics."""
        frames = []
        for b in self.boxes:
            frame = b.limits.copy()
            frame.insert(0, "box", b.box)
            for key in ("coverage", "density", "mass"):
                frame[key] = getattr(b, key)
            frames.append(frame)
        columns = [
            "box",
            "parameter",
            "low",
            "high",
            "full_low",
            "full_high",
            "values",
            "coverage",
            "density",
            "mass",
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    def to_dict(self) -> dict[str, Any]:
        s = self.spec.spec
        return {
            "kind": "discovery",
            "version": __version__,
            "spec_file": self.spec.file,
            "folder": str(self.points.folder),
            "folder_kind": self.points.kind,
            "condition": str(self.spec.condition),
            "parameters": list(self.parameters),
            "points": len(self.points.table),
            "points_of_interest": self.of_interest,
            "settings": {
                k: getattr(s, k)
                for k in ("density", "boxes", "peel_alpha", "paste_alpha", "mass_min")
            },
            "boxes": [
                {
                    "box": b.box,
                    "coverage": b.coverage,
                    "density": b.density,
                    "mass": b.mass,
                    "points": b.points,
                    "points_of_interest": b.of_interest,
                    "restricted": [
                        {k: _plain(v) for k, v in row.items()}
                        for row in b.limits.to_dict(orient="records")
                    ],
                }
                for b in self.boxes
            ],
        }

    def text(self) -> str:
        s, p = self.spec, self.points
        share = self.of_interest / len(p.table)
        lines = [
            f"{s.name}: {s.condition} at {self.of_interest:,} of {len(p.table):,} points "
            f"({share:.0%}) of the {p.kind} in {p.folder}; PRIM over {len(self.parameters)} "
            "parameters"
        ]
        if self.of_interest in (0, len(p.table)):
            values = p.table[s.condition.output]
            where = "no point" if self.of_interest == 0 else "every point"
            lines.append(
                f"  no box to find: the condition holds at {where} ({s.condition.output} spans "
                f"{values.min():.4g} to {values.max():.4g})"
            )
        elif not self.boxes:
            lines.append("  no box found")
        width = max([len(str(r)) for b in self.boxes for r in b.limits["parameter"]] + [9])
        for b in self.boxes:
            lines.append(
                f"  box {b.box}: coverage {b.coverage:.2f}, density {b.density:.2f}, "
                f"mass {b.mass:.2f} ({b.points:,} points, {b.of_interest:,} of interest), "
                f"{len(b.limits)} restricted parameter{'s' if len(b.limits) != 1 else ''}"
            )
            for row in b.limits.itertuples(index=False):
                if row.values:
                    lines.append(f"    {row.parameter:<{width}}  in {{{row.values}}}")
                else:
                    lines.append(
                        f"    {row.parameter:<{width}}  {row.low:.4g} to {row.high:.4g}"
                        f"  (points span {row.full_low:.4g} to {row.full_high:.4g})"
                    )
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def discover(spec: Spec, points: Points | None = None) -> Discovery:
    """Run PRIM on the folder's points for the spec's condition (see the module docstring).

    Raises:
        ConfigError: An unknown output or parameter. A condition that holds at every
            point or at none gives no box (PRIM has nothing to separate).
    """
    with warnings.catch_warnings():
        # EMA warns at import of each optional parallel backend it lacks (ipyparallel, MPI).
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    points = read_points(spec.folder) if points is None else points
    s, cond = spec.spec, spec.condition
    outputs = points.outputs
    if cond.output not in outputs:
        raise ConfigError(
            "condition",
            s.condition,
            f"an output of this {points.kind} folder, one of {outputs}",
            hint=schema.suggest(cond.output, outputs),
            file=spec.file,
        )
    parameters = s.parameters or points.parameters
    for name in parameters:
        if name not in points.parameters:
            raise ConfigError(
                "parameters",
                name,
                f"a parameter of the folder, one of {list(points.parameters)}",
                hint=schema.suggest(name, points.parameters),
                file=spec.file,
            )
    table = points.table[points.table[cond.output].notna()].reset_index(drop=True)
    y = cond.holds(table[cond.output])
    hits = int(y.sum())
    if hits in (0, len(y)):
        # Nothing to separate: no box, said in the printout (a small design may well
        # hold no point of interest; that is a finding, not a mistake in the spec).
        return Discovery(spec, points, tuple(parameters), hits, [], _EMPTY_TRAJECTORY)
    x = _features(table, parameters)
    settings: dict[str, Any] = {
        "peel_alpha": s.peel_alpha,
        "paste_alpha": s.paste_alpha,
        "mass_min": s.mass_min,
    }
    if "threshold" in _init_parameters(prim.Prim):
        # EMA 2.5 (the version pip picks on Python 3.11) counts a point as of interest when
        # y >= threshold, and gives back the whole space instead of a box whose last step
        # is less dense than the threshold. With y in {0, 1}, any threshold in (0, 1] picks
        # the right points, and the smallest keeps every box: the choice of box on the
        # trajectory is then made here (`_choose`), as EMA 3 leaves it to the user.
        settings["threshold"] = 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        algorithm = prim.Prim(x, y.astype(int), **settings)
        boxes: list[Box] = []
        steps: list[pd.DataFrame] = []
        for number in range(1, s.boxes + 1):
            if number > 1 and not y[_outside(algorithm, len(y))].any():
                break  # every point of interest is in a box already
            found = algorithm.find_box()
            if found is None:
                break
            trajectory = found.peeling_trajectory.reset_index(drop=True)
            chosen = _choose(trajectory, s.density)
            found.select(chosen)
            inside = np.asarray(found.yi)
            box = Box(
                box=number,
                coverage=float(trajectory.loc[chosen, "coverage"]),
                density=float(trajectory.loc[chosen, "density"]),
                mass=float(trajectory.loc[chosen, "mass"]),
                points=int(inside.size),
                of_interest=int(y[inside].sum()),
                limits=_limits(found.box_lim, algorithm.box_init, x),
            )
            boxes.append(box)
            steps.append(
                pd.DataFrame(
                    {
                        "box": number,
                        "step": np.arange(len(trajectory)),
                        "coverage": trajectory["coverage"].astype(float),
                        "density": trajectory["density"].astype(float),
                        "mass": trajectory["mass"].astype(float),
                        "restricted_dimensions": trajectory["res_dim"].astype(int),
                        "selected": np.arange(len(trajectory)) == chosen,
                    }
                )
            )
    trajectory = pd.concat(steps, ignore_index=True) if steps else _EMPTY_TRAJECTORY
    return Discovery(spec, points, tuple(parameters), hits, boxes, trajectory)


def _init_parameters(cls: type) -> Sequence[str]:
    import inspect

    return list(inspect.signature(cls).parameters)


def _features(table: pd.DataFrame, parameters: Sequence[str]) -> pd.DataFrame:
    """The parameters as PRIM takes them: numbers as floats, anything else as categories."""
    x = pd.DataFrame(index=table.index)
    for name in parameters:
        column = table[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            x[name] = column.astype(float)
        else:
            x[name] = column.astype(str).astype("category")
    return x


def _outside(algorithm: Any, n: int) -> np.ndarray:
    """The points in no box found so far."""
    mask = np.ones(n, dtype=bool)
    for box in getattr(algorithm, "_boxes", []):
        mask[np.asarray(box.yi)] = False
    return mask


def _choose(trajectory: pd.DataFrame, density: float) -> int:
    """The step of highest coverage whose density reaches `density`, else the densest (of
    equal density, the one of higher coverage)."""
    d = trajectory["density"].to_numpy(dtype=float)
    c = trajectory["coverage"].to_numpy(dtype=float)
    dense = np.flatnonzero(d >= density - 1e-12)
    if dense.size:
        return int(dense[np.argmax(c[dense])])
    best = np.flatnonzero(d == d.max())
    return int(best[np.argmax(c[best])])


def _limits(box_lim: pd.DataFrame, box_init: pd.DataFrame, x: pd.DataFrame) -> pd.DataFrame:
    """The parameters the box restricts, with the range the points span."""
    rows = []
    for name in x.columns:
        low, high = box_lim[name].iloc[0], box_lim[name].iloc[1]
        full_low, full_high = box_init[name].iloc[0], box_init[name].iloc[1]
        if isinstance(x[name].dtype, pd.CategoricalDtype):
            kept, every = set(low), set(full_low)
            if kept == every:
                continue
            rows.append(
                {
                    "parameter": name,
                    "low": math.nan,
                    "high": math.nan,
                    "full_low": math.nan,
                    "full_high": math.nan,
                    "values": ", ".join(sorted(map(str, kept))),
                }
            )
            continue
        if float(low) == float(full_low) and float(high) == float(full_high):
            continue
        rows.append(
            {
                "parameter": name,
                "low": float(low),
                "high": float(high),
                "full_low": float(full_low),
                "full_high": float(full_high),
                "values": "",
            }
        )
    columns = ["parameter", "low", "high", "full_low", "full_high", "values"]
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------------------------
# Writing it


def write_discovery(result: Discovery, out: Path | None = None, fmt: str = "png") -> list[Path]:
    """Write boxes.json, boxes.csv, peeling.csv and the figures peeling.<fmt> and
    box_limits.<fmt> into `out` (default `<folder>/discovery/<name>`); return the paths."""
    from sim.experiments.storage import folder_lock, write_atomic
    from sim.reports.plots import plot_box_limits, plot_peeling_trajectory, style

    out = result.points.folder / "discovery" / result.spec.name if out is None else out
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", str(out), "a directory (or a path to create)")
    written: list[Path] = []
    with folder_lock(out):
        text = json.dumps(result.to_dict(), indent=2)
        written.append(
            write_atomic(out / "boxes.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
        )
        limits = result.limits()
        written.append(write_atomic(out / "boxes.csv", lambda tmp: limits.to_csv(tmp, index=False)))
        trajectory = result.trajectory
        written.append(
            write_atomic(out / "peeling.csv", lambda tmp: trajectory.to_csv(tmp, index=False))
        )
        figures = []
        if not trajectory.empty:
            figures.append(("peeling", plot_peeling_trajectory(trajectory)))
        if not limits.empty:
            figures.append(("box_limits", plot_box_limits(limits)))
        for name, fig in figures:
            path = out / f"{name}.{fmt}"
            with style():
                write_atomic(path, _saver(fig, fmt))
            written.append(path)
    return written


def _saver(fig: Any, fmt: str) -> Callable[[Path], None]:
    def save(tmp: Path) -> None:
        fig.savefig(tmp, format=fmt)

    return save
