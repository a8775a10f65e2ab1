"""A check over its scenario's assumption ranges (`negsim validate --over-assumptions`):
where in the plausible values each expectation holds. An exploration, not a verdict.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.experiments.designs import _parameter
from sim.experiments.validation.bootstrap import evaluate
from sim.experiments.validation.checks import Check, Condition, Ensemble, finite_or_none, number
from sim.experiments.validation.running import ArmResult, dry_build, run_check_arms
from sim.model.config import read_yaml, scenario_from_dict

# Provenance entries that set the frame of time rather than describe the case: never drawn.
_FRAME = frozenset({"start", "round_days", "horizon"})


@dataclass
class Spread:
    """How one expectation fares across the points drawn over the assumption ranges."""

    condition: Condition
    values: np.ndarray  # the point estimate at each point
    passed: np.ndarray  # (points,) bool

    def to_dict(self) -> dict[str, Any]:
        # A median never reached is infinite: it counts as the largest value (and shows as
        # missing); NaN (no event to time) as the smallest.
        values = np.where(np.isnan(self.values), -np.inf, self.values)
        q = np.percentile(values, [0, 25, 50, 75, 100], method="lower")
        return {
            "expected": self.condition.describe(),
            "share_met": float(self.passed.mean()),
            "not_reached": int(np.isposinf(self.values).sum()),
            "min": finite_or_none(q[0]),
            "q25": finite_or_none(q[1]),
            "median": finite_or_none(q[2]),
            "q75": finite_or_none(q[3]),
            "max": finite_or_none(q[4]),
        }


@dataclass
class Robustness:
    check: Check
    parameters: tuple[str, ...]
    points: int
    runs_per_point: int
    spreads: list[Spread]

    @property
    def all_met(self) -> np.ndarray:
        """(points,) bool: every expectation met at the point."""
        return np.all([s.passed for s in self.spreads], axis=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.name,
            "group": self.check.group,
            "points": self.points,
            "runs_per_point": self.runs_per_point,
            "parameters": list(self.parameters),
            "share_all_met": float(self.all_met.mean()),
            "expectations": [s.to_dict() for s in self.spreads],
        }


def assumption_ensemble(check: Check, points: int) -> Ensemble | None:
    """A Latin hypercube over every scalar value the check's scenario declares as an
    assumption (its `provenance:` ranges), except those the check itself sets and the frame
    of time; None when the check has no single scenario or it declares no range."""
    if check.kind != "simulation" or check.ensemble is not None or check.scenario is None:
        return None
    raw = read_yaml(check.scenario)
    scenario = scenario_from_dict(raw, file=check.scenario)
    # What the check or an arm sets, at the path or above it, or removes (`without`), is
    # the check's, not the scenario's: a draw there would not reach the runs.
    fixed = set(check.base_overrides)
    for arm in check.arms:
        fixed |= set(arm.overrides) | set(arm.without)

    def set_by_check(path: str) -> bool:
        parts = path.split(".")
        return any(".".join(parts[:i]) in fixed for i in range(1, len(parts) + 1))

    parameters = []
    for path, source in sorted(scenario.provenance.items()):
        if source.assumption is None or path in _FRAME or set_by_check(path):
            continue
        value = _lookup(raw, path)
        if not isinstance(value, int | float) or isinstance(value, bool):
            # A mapping (saliences: a range per weight is not a point), a default, or a
            # value inside a mediator's schedule (a list): not drawn.
            continue
        low, high = source.assumption
        if not low < high:
            continue  # a value fixed by convention (a reference unit), declared as such
        parameters.append(_parameter(path, {"range": [low, high]}, "latin_hypercube"))
    if not parameters:
        return None
    return Ensemble(
        points=points,
        design="latin_hypercube",
        seed=check.seed,
        parameters=tuple(parameters),
        source=f"assumption ranges of {check.scenario}",
    )


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def run_over_assumptions(
    check: Check,
    points: int,
    runs: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Robustness | None:
    """Run `check` at `points` points drawn over its scenario's assumption ranges and
    evaluate every expectation at each point on its own: where in the plausible values the
    check holds. None when the check cannot be drawn this way (`assumption_ensemble`)."""
    ensemble = assumption_ensemble(check, points)
    if ensemble is None:
        return None
    drawn = dataclasses.replace(check, ensemble=ensemble)
    dry_build(drawn)  # a drawn value the check's own settings make invalid: one line, first
    total = runs if runs is not None else check.runs
    arms = run_check_arms(drawn, runs=total, workers=workers, progress=progress)
    per_point = math.ceil(total / points)
    values = np.full((len(check.conditions), points), math.nan)
    passed = np.zeros((len(check.conditions), points), dtype=bool)
    for i in range(points):
        at_point = {}
        for name, res in arms.items():
            f = res.frame[res.frame["cluster"] == i]
            # One scenario: the bootstrap resamples runs, as for the check itself.
            f = f.assign(cluster=np.arange(len(f)))
            at_point[name] = ArmResult(f.reset_index(drop=True), res.horizon, len(f))
        for j, outcome in enumerate(evaluate(check, at_point)):
            values[j, i] = outcome.estimate.value
            passed[j, i] = outcome.passed
    spreads = [Spread(cond, values[j], passed[j]) for j, cond in enumerate(check.conditions)]
    return Robustness(
        check=check,
        parameters=tuple(p.path for p in ensemble.parameters),
        points=points,
        runs_per_point=per_point,
        spreads=spreads,
    )


def format_robustness(results: Sequence[Robustness]) -> str:
    lines = []
    for r in results:
        lines.append(
            f"[{r.check.group}] {r.check.name}: over its assumption ranges, {r.points} points"
            f" x {r.runs_per_point} runs ({len(r.parameters)} values drawn, Latin hypercube)"
        )
        lines.append("    drawn: " + ", ".join(r.parameters))
        for s in r.spreads:
            d = s.to_dict()
            lines.append(
                f"  met at {d['share_met']:6.1%} of points  {d['expected']}; values"
                f" {number(d['min'])} | {number(d['q25'])} | {number(d['median'])} |"
                f" {number(d['q75'])} | {number(d['max'])} (min | quartiles | max)"
                + (f"; not reached at {d['not_reached']} points" if d["not_reached"] else "")
            )
        lines.append(f"  every expectation met at {r.all_met.mean():.1%} of points")
        lines.append("")
    return "\n".join(lines).rstrip()
