"""Running a simulation check: its arms at its ensemble's points (or on its one scenario),
on common random numbers, in blocks spread over worker processes (`sim.experiments.executor`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import schema
from sim.errors import ConfigError
from sim.experiments.designs import _parameter, unit_sample
from sim.experiments.executor import run_all
from sim.experiments.simulate import simulate_points
from sim.experiments.validation.checks import Arm, Check
from sim.experiments.validation.stats import run_frame
from sim.model.config import apply_overrides, read_scenario, read_yaml, scenario_from_dict


@dataclass
class ArmResult:
    frame: pd.DataFrame  # run_frame rows plus `cluster`
    horizon: int
    runs: int


def ensemble_points(check: Check) -> list[dict[str, Any]]:
    ens = check.ensemble
    if ens is None:
        return [{}]
    u = unit_sample(ens.design, len(ens.parameters), ens.points, ens.seed)
    columns = [p.from_unit(u[:, j]) for j, p in enumerate(ens.parameters)]
    return [
        {p.path: columns[j][i] for j, p in enumerate(ens.parameters)} for i in range(ens.points)
    ]


def arm_draws(check: Check, arm: Arm) -> list[dict[str, Any]]:
    """Values an arm draws on top of the ensemble, one per point (its own sample stream)."""
    ens = check.ensemble
    if not arm.draw:
        return [{}] * (ens.points if ens is not None else 1)
    if ens is None:
        raise ConfigError(
            f"arms.{arm.name}.draw", arm.draw, "an ensemble to draw over", file=check.file
        )
    try:
        params = [_parameter(k, v, ens.design) for k, v in arm.draw.items()]
    except ConfigError as err:
        raise ConfigError(
            f"arms.{arm.name}.draw.{err.path.removeprefix('parameters.')}",
            err.value,
            err.expected,
            file=check.file,
        ) from None
    index = [a.name for a in check.arms].index(arm.name)
    u = unit_sample(ens.design, len(params), ens.points, ens.seed + 1 + index)
    columns = [p.from_unit(u[:, j]) for j, p in enumerate(params)]
    return [{p.path: columns[j][i] for j, p in enumerate(params)} for i in range(ens.points)]


@functools.lru_cache(maxsize=32)
def _read_scenario(path: str, mtime: float) -> dict[str, Any]:
    """A scenario file parsed once (per modification time): an ensemble builds hundreds of
    scenarios from the same file, and parsing YAML dominates building them."""
    return read_yaml(path)


def scenario_data(
    check: Check, arm: Arm, point: Mapping[str, Any], drawn: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    assert check.scenario is not None
    try:
        mtime = Path(check.scenario).stat().st_mtime
    except OSError:
        data = read_yaml(check.scenario)  # reports the missing file in one line
    else:
        data = _read_scenario(str(check.scenario), mtime)  # apply_overrides copies it
    # The check's own settings win over the ensemble's draws, and the arm's over both.
    data = apply_overrides(data, point, check.base_overrides, drawn or {}, arm.overrides)
    for section in arm.without:
        data.pop(section, None)
    return data


def dry_build(check: Check) -> tuple[list[str], dict[str, int]]:
    """Build every arm at every point; return the party names they have in common and each
    arm's shortest horizon."""
    assert check.scenario is not None
    # The scenario alone first: a fault in its own file is the scenario's, not the check's.
    read_scenario(check.scenario)
    points = ensemble_points(check)
    draws = {arm.name: arm_draws(check, arm) for arm in check.arms}
    parties: list[str] | None = None
    horizons: dict[str, int] = {}
    for i, point in enumerate(points):
        for arm in check.arms:
            try:
                sc = scenario_from_dict(
                    scenario_data(check, arm, point, draws[arm.name][i]), file=check.scenario
                )
            except ConfigError as err:
                # The bad value comes from the check (its set, arms or ensemble) applied to
                # the scenario: name the check file, and the arm and point it arose in.
                where = f"arm {arm.name}" + (f", ensemble point {i}" if check.ensemble else "")
                path, value, expected, file = _in_check(check, arm, err, point, draws[arm.name][i])
                raise ConfigError(
                    path,
                    value,
                    f"{expected} [{where}, scenario {Path(check.scenario or '').name}]",
                    file=file,
                    hint=err.hint,
                ) from None
            parties = [p for p in (sc.parties if parties is None else parties) if p in sc.parties]
            horizons[arm.name] = min(horizons.get(arm.name, sc.horizon), sc.horizon)
    return parties or [], horizons


def _in_check(
    check: Check,
    arm: Arm,
    err: ConfigError,
    point: Mapping[str, Any] | None = None,
    drawn: Mapping[str, Any] | None = None,
) -> tuple[str, Any, str, str]:
    """Where in the check file an override the scenario refused was written: the arm's
    `set`, then its draws, the check's `set`, then the ensemble's draws, in the order that
    wins (an unknown party or issue stops the path at its name, so the override is found by
    that prefix). A drawn value is reported as the distribution written, with the draw; a
    shared ensemble's, in its own file. Returns (path, value, expected, file); other errors
    keep the scenario's path."""
    ens = check.ensemble
    shared = ens is not None and ens.source != check.file
    layers: list[tuple[str, Mapping[str, Any], Mapping[str, Any] | None, str]] = [
        (f"arms.{arm.name}.set.", arm.overrides, None, check.file),
        (f"arms.{arm.name}.draw.", arm.draw, drawn, check.file),
        ("set.", check.base_overrides, None, check.file),
    ]
    if ens is not None:
        where = "parameters." if shared else "ensemble.parameters."
        layers.append((where, ens.written, point, ens.source))
    for prefix, written, values, file in layers:
        for key, value in written.items():
            how = schema.related(key, err.path)
            if how is None:
                continue
            expected = {
                "same": err.expected,
                "below": f"a path the scenario has ({err.path}: {err.expected})",
                "above": f"{err.expected} (at {err.path})",
            }[how]
            if values is not None and key in values:
                expected += f"; drawn {values[key]!r}"
            return prefix + key, value, expected, file
    return err.path, err.value, err.expected, check.file


def _run_block(
    datas: Sequence[dict[str, Any]], file: str, runs: int, seed: int, firsts: Sequence[int]
) -> list[pd.DataFrame]:
    """Runs of several ensemble points (of one arm), stepped as one batch."""
    scenarios = [scenario_from_dict(d, file=file) for d in datas]
    tables = simulate_points(scenarios, runs, seed, first_runs=firsts)
    return [
        run_frame(t, sc.horizon).assign(horizon=sc.horizon)
        for t, sc in zip(tables, scenarios, strict=True)
    ]


def run_check_arms(
    check: Check,
    runs: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict[str, ArmResult]:
    """Run every arm of a simulation check.

    Args:
        progress: Called as each block of an arm's points finishes, with the number of runs
            it held (the calls sum to the runs of all arms); it changes nothing computed.
    """
    points = ensemble_points(check)
    total = runs if runs is not None else check.runs
    per_point = max(1, math.ceil(total / len(points)))
    # An arm's points differ only in their numbers, so they run as one batch (split in one
    # block per worker); the split changes nothing in the numbers.
    blocks = np.array_split(np.arange(len(points)), max(1, min(workers, len(points))))
    keys: list[tuple[str, np.ndarray]] = []
    tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
    for arm in check.arms:
        drawn = arm_draws(check, arm)
        for block in blocks:
            datas = [scenario_data(check, arm, points[i], drawn[i]) for i in block]
            # Run indices differ between points and agree between arms: common random numbers.
            firsts = [int(i) * per_point for i in block]
            file = check.scenario or check.file
            keys.append((arm.name, block))
            tasks.append((_run_block, (datas, file, per_point, check.seed, firsts)))
    frames: dict[tuple[str, int], pd.DataFrame] = {}

    def keep(task: int, tables: list[pd.DataFrame]) -> None:
        arm, block = keys[task]
        for i, table in zip(block, tables, strict=True):
            frames[(arm, int(i))] = table
        if progress is not None:
            progress(per_point * len(block))

    run_all(tasks, workers, keep)
    out = {}
    for arm in check.arms:
        parts = []
        for i in range(len(points)):
            f = frames[(arm.name, i)]
            # Cluster: the scenario drawn in an ensemble, the run for a single scenario.
            f = f.assign(cluster=i if check.ensemble is not None else np.arange(len(f)))
            parts.append(f)
        frame = pd.concat(parts, ignore_index=True)
        out[arm.name] = ArmResult(frame, int(frame["horizon"].max()), len(frame))
    return out
