"""Sweep specs and experimental designs: which points of parameter space a sweep runs.

A sweep spec is YAML that names a base scenario, the swept parameters (by the dotted paths
that `negsim run --set` takes) and a design:

- ``grid``: the full factorial of each parameter's values (a list, or an evenly spaced
  ``{range: [low, high], points: n}``); the last parameter varies fastest.
- ``random``, ``latin_hypercube``, ``sobol``: ``samples`` points drawn from declared ranges
  or distributions. The unit hypercube comes from numpy's PCG64 (random) or
  `scipy.stats.qmc` (Latin hypercube, McKay, Beckman & Conover 1979; scrambled Sobol'
  sequence, Sobol' 1967, Owen 1998) and is mapped through each distribution's quantile
  function, so every parameter keeps its marginal distribution.

The design is a pure function of the spec and its seed. Every point is checked against the
scenario schema before anything runs, so a bad value is reported with its dotted path.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import math
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import numpy as np

from sim import schema, shipped
from sim.config import (
    Scenario,
    apply_overrides,
    parse_overrides,
    read_scenario,
    read_yaml,
    scenario_from_dict,
)
from sim.errors import ConfigError
from sim.limits import MAX_POINTS, MAX_RUNS_PER_POINT, MIN_CHUNK, check_design_points

DESIGNS = ("grid", "random", "latin_hypercube", "sobol")
SAMPLED = ("random", "latin_hypercube", "sobol")
DISTRIBUTIONS = ("uniform", "loguniform", "normal", "triangular")
DEFAULT_CHUNK = 8192

SPEC_KEYS = (
    "name",
    "description",
    "base",
    "runs_per_point",
    "seed",
    "design",
    "samples",
    "parameters",
    "set",
    "chunk_size",
)
_PARAM_KEYS = ("range", "points", "distribution", "mean", "sd", "mode")

# Spawn key that separates the design's random stream from anything else derived from the
# sweep seed (the runs themselves draw from the counter-based streams in sim/rng.py).
_DESIGN_STREAM = 0x5EED_D351


@dataclass(frozen=True)
class Parameter:
    """One swept parameter: either explicit values or a range/distribution to sample."""

    path: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    points: int | None = None
    distribution: str = "uniform"
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None
    integer: bool = False  # the scenario field is an int: sampled values are whole numbers

    def grid_values(self) -> tuple[Any, ...]:
        """The values a grid design takes for this parameter."""
        if self.values is not None:
            return self.values
        assert self.low is not None and self.high is not None and self.points is not None
        raw = np.linspace(self.low, self.high, self.points)
        if self.integer:
            return tuple(int(round(v)) for v in raw)
        # 0.15 rather than 0.15000000000000002: grid values are what the user declared, and
        # they appear verbatim in tables and in `negsim run --set` replay commands.
        return tuple(float(f"{v:.12g}") for v in raw)

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map uniform(0, 1) draws to this parameter's distribution (inverse CDF)."""
        if self.values is not None:
            k = len(self.values)
            idx = np.minimum((u * k).astype(np.int64), k - 1)
            return [self.values[i] for i in idx]
        from scipy import stats

        lo, hi = self.low, self.high
        # Quantile functions of unbounded laws are infinite at 0 and 1.
        u = np.clip(u, 1e-12, 1.0 - 1e-12)
        if self.distribution == "uniform":
            assert lo is not None and hi is not None
            if self.integer:
                ints = np.floor(lo + u * (hi - lo + 1.0))
                return [int(v) for v in np.clip(ints, lo, hi)]
            x = lo + u * (hi - lo)
        elif self.distribution == "loguniform":
            x = stats.loguniform(lo, hi).ppf(u)
        elif self.distribution == "triangular":
            assert lo is not None and hi is not None and self.mode is not None
            c = (self.mode - lo) / (hi - lo)
            x = stats.triang(c, loc=lo, scale=hi - lo).ppf(u)
        else:  # normal, truncated to the range when one is given
            assert self.mean is not None and self.sd is not None
            if lo is None or hi is None:
                x = stats.norm(self.mean, self.sd).ppf(u)
            else:
                a, b = (lo - self.mean) / self.sd, (hi - self.mean) / self.sd
                x = stats.truncnorm(a, b, loc=self.mean, scale=self.sd).ppf(u)
        if self.integer:
            return [int(round(float(v))) for v in x]
        return [float(v) for v in x]

    def describe(self) -> dict[str, Any]:
        """Plain-data form for the manifest."""
        out = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        if "values" in out:
            out["values"] = list(out["values"])
        return out


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (the base scenario is loaded and checked too)."""

    file: str
    base: Path
    base_data: Mapping[str, Any]  # raw base YAML with the spec's `set` overrides applied
    runs_per_point: int
    seed: int
    design: str
    parameters: tuple[Parameter, ...]
    samples: int | None
    chunk_size: int
    fixed: Mapping[str, Any]
    name: str
    description: str
    raw: Mapping[str, Any]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.parameters)

    @property
    def n_points(self) -> int:
        """How many points the design has, counted without listing them."""
        if self.samples is not None:
            return self.samples
        return _grid_size(self.parameters)

    def identity(self) -> dict[str, Any]:
        """What makes two sweeps the same sweep (for `--resume`): everything that changes
        results, nothing that only says where files are."""
        return {
            "runs_per_point": self.runs_per_point,
            "seed": self.seed,
            "design": self.design,
            "samples": self.samples,
            "chunk_size": self.chunk_size,
            "parameters": [p.describe() for p in self.parameters],
            "set": _plain(dict(self.fixed)),
            "base_scenario": _plain(dict(self.base_data)),
        }


# --------------------------------------------------------------------------------------------
# Reading a spec


def load_spec(
    path: str | Path,
    extra_sets: Sequence[str] | Mapping[str, Any] = (),
    runs_per_point: int | None = None,
) -> SweepSpec:
    """Read and validate a sweep spec; `extra_sets` are `--set` overrides from the command
    line, applied after the spec's own `set` (and recorded with it).

    Args:
        runs_per_point: Replaces the spec's `runs_per_point` (the --runs option) before the
            spec is checked, so the same checks apply; the spec recorded, and the identity a
            resume is checked against, hold the value that runs. A bad value is reported
            as --runs.
    """
    path = shipped.locate("spec", path)
    file = str(path)
    if not shipped.is_file(path):
        raise shipped.not_found("spec", file, "an existing sweep spec file")
    data = read_yaml(path)
    if runs_per_point is not None and isinstance(data, Mapping):
        data = {**data, "runs_per_point": runs_per_point}
    try:
        return _build_spec(data, Path(path), extra_sets)
    except ConfigError as err:
        if runs_per_point is not None and err.path == "runs_per_point":
            raise ConfigError("--runs", err.value, err.expected, hint=err.hint) from None
        raise err.in_file(file) from None


def _build_spec(data: Any, path: Path, extra_sets: Sequence[str] | Mapping[str, Any]) -> SweepSpec:
    if not isinstance(data, Mapping):
        raise ConfigError("", data, "a mapping with base, runs_per_point, seed and parameters")
    for key in data:
        if key not in SPEC_KEYS:
            raise ConfigError(
                str(key),
                data[key],
                f"one of the keys {sorted(SPEC_KEYS)}",
                hint=schema.suggest(str(key), SPEC_KEYS),
            )
    for key in ("base", "runs_per_point", "parameters"):
        if key not in data:
            raise ConfigError(key, None, "a value (this key is required)")
    base_value = data["base"]
    if not isinstance(base_value, str) or not base_value:
        raise ConfigError("base", base_value, "the path of a scenario YAML file")
    # A relative base is relative to the spec, so a spec can be run from any directory.
    base = shipped.beside(path, base_value)
    if not base.is_file():
        raise ConfigError("base", base_value, f"an existing scenario file (looked for {base})")
    runs = _integer(data["runs_per_point"], "runs_per_point", low=1, high=MAX_RUNS_PER_POINT)
    seed = _integer(data.get("seed", 0), "seed", low=0)
    chunk = _integer(
        data.get("chunk_size", DEFAULT_CHUNK),
        "chunk_size",
        low=MIN_CHUNK,
        why=" (smaller chunks spend their time on each round's fixed cost)",
    )
    design = data.get("design", "grid")
    if design not in DESIGNS:
        raise ConfigError(
            "design", design, f"one of {list(DESIGNS)}", hint=schema.suggest(str(design), DESIGNS)
        )
    samples: int | None = None
    if design in SAMPLED:
        if "samples" not in data:
            raise ConfigError("samples", None, f"the number of points of the {design} design")
        samples = _integer(data["samples"], "samples", low=1)
        check_design_points(samples, "samples")
        if design == "sobol" and samples & (samples - 1):
            # Sobol' points are balanced only in blocks of 2^m (Owen 1998); a cut block is
            # a worse design than the Latin hypercube.
            raise ConfigError(
                "samples", samples, "a power of 2 for a sobol design (e.g. 64, 128, 256)"
            )
    elif "samples" in data:
        raise ConfigError("samples", data["samples"], "no samples for a grid (it takes them all)")
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(key, data[key], "a string")
    fixed = data.get("set") or {}
    if not isinstance(fixed, Mapping):
        raise ConfigError("set", fixed, "a mapping of dotted paths to values")
    fixed = {str(k): v for k, v in fixed.items()}
    extra = parse_overrides(list(extra_sets) if not isinstance(extra_sets, Mapping) else extra_sets)

    base_raw, base_scenario = read_scenario(base)
    # A bad override is the spec's (its `set`) or the command line's (--set), not the base
    # scenario's: each is applied and checked in turn, and blamed where it was written.
    base_data = copy.deepcopy(base_raw)
    for overrides, prefix, file in ((fixed, "set.", None), (extra, "", "--set")):
        if not overrides:
            continue
        try:
            base_data = apply_overrides(base_data, overrides)
            base_scenario = scenario_from_dict(base_data)
        except ConfigError as err:
            raise ConfigError(
                f"{prefix}{err.path}", err.value, err.expected, file=file, hint=err.hint
            ) from None
    fixed.update(extra)

    params_raw = data["parameters"]
    if not isinstance(params_raw, Mapping) or not params_raw:
        raise ConfigError("parameters", params_raw, "a mapping of dotted paths to values/ranges")
    parameters = tuple(_parameter(str(key), value, design) for key, value in params_raw.items())
    for p in parameters:
        if p.path in fixed:
            raise ConfigError(
                f"parameters.{p.path}", fixed[p.path], "a parameter either swept or set, not both"
            )
    if design == "grid":  # counted before a point is listed
        check_design_points(_grid_size(parameters), "parameters")
    del base_scenario
    return SweepSpec(
        file=str(path),
        base=base,
        base_data=base_data,
        runs_per_point=runs,
        seed=seed,
        design=design,
        parameters=parameters,
        samples=samples,
        chunk_size=chunk,
        fixed=fixed,
        name=str(data.get("name", path.stem)),
        description=str(data.get("description", "")),
        raw=_plain(dict(data)),
    )


def _grid_size(parameters: Sequence[Parameter]) -> int:
    return math.prod(len(p.values) if p.values is not None else p.points or 1 for p in parameters)


def _integer(value: Any, path: str, *, low: int, high: int | None = None, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        what = {0: "a non-negative integer", 1: "a positive integer"}.get(
            low, f"an integer of at least {low}"
        )
        raise ConfigError(path, value, what + why)
    if high is not None and value > high:
        raise ConfigError(path, value, f"an integer from {low} to {high:,}{why}")
    return int(value)


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(path, value, "a finite number")
    return float(value)


def _parameter(path: str, value: Any, design: str) -> Parameter:
    where = f"parameters.{path}"
    parts = path.split(".")
    if not all(parts):
        raise ConfigError(where, value, "a dotted path such as parties.russia.trust")
    integer = field_type(path) is int
    if isinstance(value, list | tuple):
        if not value:
            raise ConfigError(where, list(value), "a non-empty list of values")
        seen: list[str] = []
        for v in value:
            key = json.dumps(_plain(v), sort_keys=True)
            if key in seen:
                raise ConfigError(where, list(value), f"distinct values ({v!r} appears twice)")
            seen.append(key)
        return Parameter(path, values=tuple(_plain(v) for v in value))
    if not isinstance(value, Mapping):
        raise ConfigError(
            where,
            value,
            "a list of values, {range: [low, high], points: n}"
            + (" or a distribution" if design in SAMPLED else ""),
        )
    for key in value:
        if key not in _PARAM_KEYS:
            raise ConfigError(
                f"{where}.{key}",
                value[key],
                f"one of the keys {list(_PARAM_KEYS)}",
                hint=schema.suggest(str(key), _PARAM_KEYS),
            )
    low = high = None
    if "range" in value:
        rng = value["range"]
        if not isinstance(rng, list | tuple) or len(rng) != 2:
            raise ConfigError(f"{where}.range", rng, "[low, high]")
        low, high = (_number(x, f"{where}.range") for x in rng)
        if not low < high:
            raise ConfigError(f"{where}.range", list(rng), "[low, high] with low < high")
    if design == "grid":
        extra = [k for k in value if k not in ("range", "points")]
        if extra or low is None or "points" not in value:
            raise ConfigError(
                where,
                _plain(dict(value)),
                "a list of values or {range: [low, high], points: n} on a grid "
                "(distributions belong to random, latin_hypercube and sobol designs)",
            )
        points = _integer(
            value["points"],
            f"{where}.points",
            low=2,
            high=MAX_POINTS,
            why=" (the grid runs from low to high, both included; for one value give a list, [x])",
        )
        param = Parameter(path, low=low, high=high, points=points, integer=integer)
        grid = param.grid_values()
        if len(set(grid)) != len(grid):
            raise ConfigError(
                f"{where}.points",
                points,
                f"at most {int(high - low) + 1} points: the field is an integer",  # type: ignore[operator]
            )
        return param
    if "points" in value:
        raise ConfigError(f"{where}.points", value["points"], f"no points in a {design} design")
    dist = value.get("distribution", "uniform")
    if dist not in DISTRIBUTIONS:
        raise ConfigError(
            f"{where}.distribution",
            dist,
            f"one of {list(DISTRIBUTIONS)}",
            hint=schema.suggest(str(dist), DISTRIBUTIONS),
        )
    allowed = {
        "uniform": {"range"},
        "loguniform": {"range"},
        "triangular": {"range", "mode"},
        "normal": {"range", "mean", "sd"},
    }[dist] | {"distribution"}
    for key in value:
        if key not in allowed:
            raise ConfigError(
                f"{where}.{key}", value[key], f"only {sorted(allowed)} for a {dist} distribution"
            )
    mean = sd = mode = None
    if dist in ("uniform", "loguniform", "triangular") and low is None:
        raise ConfigError(f"{where}.range", None, f"[low, high] for a {dist} distribution")
    if dist == "loguniform" and low is not None and low <= 0:
        raise ConfigError(f"{where}.range", [low, high], "a positive low for a loguniform law")
    if dist == "triangular":
        if "mode" not in value:
            raise ConfigError(f"{where}.mode", None, "the most likely value (within the range)")
        mode = _number(value["mode"], f"{where}.mode")
        if not low <= mode <= high:  # type: ignore[operator]
            raise ConfigError(f"{where}.mode", mode, f"a value in [{low:g}, {high:g}]")
    if dist == "normal":
        for key in ("mean", "sd"):
            if key not in value:
                raise ConfigError(f"{where}.{key}", None, f"the {key} of the normal law")
        mean = _number(value["mean"], f"{where}.mean")
        sd = _number(value["sd"], f"{where}.sd")
        if sd <= 0:
            raise ConfigError(f"{where}.sd", sd, "a positive standard deviation")
    return Parameter(
        path,
        low=low,
        high=high,
        distribution=dist,
        mean=mean,
        sd=sd,
        mode=mode,
        integer=integer,
    )


def field_type(path: str) -> Any:
    """The annotated type of a scenario field addressed by a dotted path (None if the path
    does not name a typed field; the schema check reports such paths later)."""
    tp: Any = Scenario
    parts = path.split(".")
    i = 0
    while i < len(parts):
        origin = get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            inner = [a for a in get_args(tp) if a is not type(None)]
            if len(inner) != 1:
                return None
            tp = inner[0]
            continue
        if dataclasses.is_dataclass(tp):
            hints = typing.get_type_hints(tp)
            if parts[i] not in hints:
                return None
            tp = hints[parts[i]]
        elif origin in (dict, Mapping):
            tp = get_args(tp)[1]
        else:
            return None
        i += 1
    if get_origin(tp) in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        tp = inner[0] if len(inner) == 1 else tp
    return tp


# --------------------------------------------------------------------------------------------
# The design


def design_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The parameter values of every point, in point order (a pure function of the spec)."""
    params = spec.parameters
    if spec.design == "grid":
        grids = [p.grid_values() for p in params]
        return [dict(zip(spec.paths, combo, strict=True)) for combo in itertools.product(*grids)]
    unit = unit_sample(spec.design, len(params), spec.samples or 0, spec.seed)
    columns = [p.from_unit(unit[:, j]) for j, p in enumerate(params)]
    return [dict(zip(spec.paths, row, strict=True)) for row in zip(*columns, strict=True)]


def unit_sample(design: str, dims: int, samples: int, seed: int) -> np.ndarray:
    """`samples` points in the unit hypercube [0, 1)^dims, reproducible from `seed`."""
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DESIGN_STREAM,)))
    if design == "random":
        return rng.random((samples, dims))
    if design == "latin_hypercube":
        return qmc.LatinHypercube(dims, rng=rng).random(samples)
    if design == "sobol":
        return qmc.Sobol(dims, scramble=True, rng=rng).random_base2(int(math.log2(samples)))
    raise ValueError(f"not a sampled design: {design}")


def point_data(spec: SweepSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Raw scenario data of one point: the base (with the spec's `set`) plus its values.

    The base's `provenance` section (where its numbers come from) is left out unless a
    swept path is in it: it does not enter the model, was validated with the base, and is
    most of the work of copying and validating thousands of points.
    """
    base = spec.base_data
    touches = any(p == "provenance" or p.startswith("provenance.") for p in values)
    if "provenance" in base and not touches:
        base = {k: v for k, v in base.items() if k != "provenance"}
    return apply_overrides(base, dict(values))


def check_points(spec: SweepSpec, points: Sequence[Mapping[str, Any]]) -> list[int]:
    """Validate every point against the scenario schema before anything runs.

    Returns each point's horizon. A bad point raises one ConfigError in the spec file, at
    `parameters.<dotted path>` when the swept value itself is at fault, naming the point.
    """
    horizons: list[int] = []
    base_file = str(spec.base)
    cache: dict[str, int] = {}
    for index, values in enumerate(points):
        key = json.dumps(_plain(dict(values)), sort_keys=True)
        if key in cache:
            horizons.append(cache[key])
            continue
        try:
            scenario = scenario_from_dict(point_data(spec, values), file=base_file)
        except ConfigError as err:
            raise _point_error(spec, index, values, err) from None
        cache[key] = scenario.horizon
        horizons.append(scenario.horizon)
    return horizons


def _point_error(
    spec: SweepSpec, index: int, values: Mapping[str, Any], err: ConfigError
) -> ConfigError:
    swept = next(
        (
            p
            for p in values
            if err.path == p or err.path.startswith(p + ".") or p.startswith(err.path + ".")
        ),
        None,
    )
    shown = ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())
    where = f"at design point {index}" + ("" if swept is not None else f": {shown}")
    hint = f"{err.hint}; {where}" if err.hint else where
    path = f"parameters.{swept}" if swept is not None else err.path
    return ConfigError(path, err.value, err.expected, file=spec.file, hint=hint)


def override_strings(values: Mapping[str, Any]) -> list[str]:
    """`--set PATH=VALUE` strings that reproduce a point exactly through `negsim run`."""
    return [f"{k}={_fmt(v)}" for k, v in values.items()]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        text = repr(value)
        # YAML 1.1 (PyYAML) reads '1e-05' as a string; '1.0e-05' is a float.
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, _, exponent = text.partition("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # A string that YAML would read as something else ('0.5', 'true', 'null') is quoted.
        return value if _yaml_reads_back(value) else json.dumps(value)
    return json.dumps(value)


def _yaml_reads_back(text: str) -> bool:
    import yaml

    try:
        return bool(text) and yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False


def _plain(value: Any) -> Any:
    """YAML data as JSON-ready plain data (tuples to lists, numpy scalars to Python)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
