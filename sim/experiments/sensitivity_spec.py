"""The spec of a global sensitivity analysis: its fields, and its validation against the
base scenario (sim.experiments.sensitivity describes the format and the outputs)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from sim import schema, shipped
from sim.errors import ConfigError
from sim.experiments.limits import check_design_points
from sim.model.config import Scenario, apply_overrides, read_scenario, read_yaml, scenario_from_dict
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
        OUTPUTS, doc="Outputs whose indices are computed (sim.experiments.sensitivity lists them)."
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
        tp = schema.strip_optional(tp)
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
    tp = schema.strip_optional(tp)
    if tp is int:
        return True
    if tp is float or tp is Any:
        return False
    raise ConfigError(where, value, "a path to a numeric setting (not a section, text or flag)")
