"""The points of a design: listed or drawn from the spec and its seed, checked against the
scenario schema, and written as `--set` strings that replay one."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import yaml

from sim.errors import ConfigError
from sim.experiments.designs.spec import SweepSpec, plain
from sim.model.config import apply_overrides, scenario_from_dict

# Spawn key that separates the design's random stream from anything else derived from the
# sweep seed (the runs themselves draw from the counter-based streams in sim/model/rng.py).
_DESIGN_STREAM = 0x5EED_D351


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
    # scipy is imported on first use: it is slow to load, and `negsim sweep` reports a bad
    # spec without it.
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
        key = json.dumps(plain(dict(values)), sort_keys=True)
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
    try:
        return bool(text) and yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False
