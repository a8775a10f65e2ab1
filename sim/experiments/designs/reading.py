"""Reading a sweep spec: every key, parameter and override checked, with its dotted path."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

from sim import schema, shipped
from sim.errors import ConfigError
from sim.experiments.designs.spec import (
    _PARAM_KEYS,
    DEFAULT_CHUNK,
    DESIGNS,
    DISTRIBUTIONS,
    SAMPLED,
    SPEC_KEYS,
    Parameter,
    SweepSpec,
    grid_size,
    plain,
)
from sim.experiments.limits import MAX_POINTS, MAX_RUNS_PER_POINT, MIN_CHUNK, check_design_points
from sim.model.config import (
    Scenario,
    apply_overrides,
    parse_overrides,
    read_scenario,
    read_yaml,
    scenario_from_dict,
)


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
    base = _check_keys(data, path)
    runs = _integer(data["runs_per_point"], "runs_per_point", low=1, high=MAX_RUNS_PER_POINT)
    seed = _integer(data.get("seed", 0), "seed", low=0)
    chunk = _integer(
        data.get("chunk_size", DEFAULT_CHUNK),
        "chunk_size",
        low=MIN_CHUNK,
        why=" (smaller chunks spend their time on each round's fixed cost)",
    )
    design, samples = _design(data)
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(key, data[key], "a string")
    fixed = data.get("set") or {}
    if not isinstance(fixed, Mapping):
        raise ConfigError("set", fixed, "a mapping of dotted paths to values")
    fixed = {str(k): v for k, v in fixed.items()}
    extra = parse_overrides(list(extra_sets) if not isinstance(extra_sets, Mapping) else extra_sets)
    base_data = _base_data(base, fixed, extra)
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
        check_design_points(grid_size(parameters), "parameters")
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
        raw=plain(dict(data)),
    )


def _check_keys(data: Any, path: Path) -> Path:
    """The spec's keys known and the required ones there; return the base scenario's file."""
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
    return base


def _design(data: Mapping[str, Any]) -> tuple[str, int | None]:
    """The design and, for a sampled one, its number of points."""
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
    return design, samples


def _base_data(base: Path, fixed: dict[str, Any], extra: dict[str, Any]) -> Any:
    """The base scenario's data with the spec's `set` and then the command line's `--set`
    applied, each checked in turn."""
    base_raw, _ = read_scenario(base)
    # A bad override is the spec's (its `set`) or the command line's (--set), not the base
    # scenario's: each is applied and checked in turn, and blamed where it was written.
    base_data = copy.deepcopy(base_raw)
    for overrides, prefix, file in ((fixed, "set.", None), (extra, "", "--set")):
        if not overrides:
            continue
        try:
            base_data = apply_overrides(base_data, overrides)
            scenario_from_dict(base_data)
        except ConfigError as err:
            raise ConfigError(
                f"{prefix}{err.path}", err.value, err.expected, file=file, hint=err.hint
            ) from None
    return base_data


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
    """One swept parameter of a spec: a list of values, a grid range, or a distribution
    (for a sampled design), checked at `parameters.<path>`."""
    where = f"parameters.{path}"
    parts = path.split(".")
    if not all(parts):
        raise ConfigError(where, value, "a dotted path such as parties.russia.trust")
    integer = field_type(path) is int
    if isinstance(value, list | tuple):
        return _listed(path, where, value)
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
        return _grid(path, where, value, low, high, integer)
    return _sampled(path, where, value, design, low, high, integer)


def _listed(path: str, where: str, value: list[Any] | tuple[Any, ...]) -> Parameter:
    """A parameter given as its distinct values."""
    if not value:
        raise ConfigError(where, list(value), "a non-empty list of values")
    seen: list[str] = []
    for v in value:
        key = json.dumps(plain(v), sort_keys=True)
        if key in seen:
            raise ConfigError(where, list(value), f"distinct values ({v!r} appears twice)")
        seen.append(key)
    return Parameter(path, values=tuple(plain(v) for v in value))


def _grid(
    path: str,
    where: str,
    value: Mapping[str, Any],
    low: float | None,
    high: float | None,
    integer: bool,
) -> Parameter:
    """A grid parameter: {range: [low, high], points: n}, evenly spaced."""
    extra = [k for k in value if k not in ("range", "points")]
    if extra or low is None or "points" not in value:
        raise ConfigError(
            where,
            plain(dict(value)),
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


def _sampled(
    path: str,
    where: str,
    value: Mapping[str, Any],
    design: str,
    low: float | None,
    high: float | None,
    integer: bool,
) -> Parameter:
    """A sampled parameter: a range, a distribution and the law's own values."""
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
