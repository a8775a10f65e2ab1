"""Evaluating a check's expectations: a cluster bootstrap of its statistics, the same
resampling shared by every arm, and the verdict on each expectation.

In an ensemble the cluster is the scenario drawn (runs of one scenario are not independent
draws from the population of wars); for a single scenario it is the run. Arms share clusters
(the same ensemble points and run indices), so ratios and differences between arms are
computed within each bootstrap replicate: the pairing of common random numbers is kept.
Intervals are 95% percentile intervals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import ConfigError
from sim.experiments import analytic
from sim.experiments.validation.checks import Check, Condition, json_value, number
from sim.experiments.validation.running import ArmResult, run_check_arms
from sim.experiments.validation.stats import (
    Stat,
    duration_value,
    numerator_denominator,
    parse_stat,
    weighted_ratio,
)

BOOTSTRAP = 500
_BOOT_STREAM = 0x0B00_7575


@dataclass
class Estimate:
    value: float
    low: float
    high: float


@dataclass
class Outcome:
    check: Check
    condition: Condition
    estimate: Estimate
    passed: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.name,
            "group": self.check.group,
            "title": self.check.title,
            "claim": self.check.claim,
            "source": self.check.source,
            "expected": self.condition.describe(),
            "value": json_value(self.estimate.value),
            "ci": [json_value(self.estimate.low), json_value(self.estimate.high)],
            "passed": self.passed,
            "known_failure": self.check.known_failure,
            "note": self.note,
        }


class Sampler:
    """Stat replicates for every arm under one shared set of bootstrap weights per check."""

    def __init__(
        self, arms: Mapping[str, ArmResult], seed: int, replicates: int = BOOTSTRAP
    ) -> None:
        self.arms = arms
        clusters = {int(a.frame["cluster"].max()) + 1 for a in arms.values()}
        k = max(clusters)
        rng = np.random.default_rng([_BOOT_STREAM, seed])
        draws = rng.integers(0, k, size=(replicates, k))
        boot = np.zeros((replicates, k))
        np.add.at(boot, (np.repeat(np.arange(replicates), k), draws.ravel()), 1.0)
        self.weights = np.vstack([np.ones(k), boot])  # row 0: the sample itself
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def values(self, arm: str, stat: Stat) -> np.ndarray:
        key = (arm, stat.name)
        if key in self._cache:
            return self._cache[key]
        res = self.arms[arm]
        f, h = res.frame, res.horizon
        cluster = f["cluster"].to_numpy()
        k = self.weights.shape[1]
        if stat.family == "ratio":
            num, den = numerator_denominator(stat, f, h)
            cnum = np.bincount(cluster, num, minlength=k)
            cden = np.bincount(cluster, den, minlength=k)
            out = weighted_ratio(cnum, cden, self.weights)
        else:
            time = stat.what.split(".", 1)[0]
            t = f[time].to_numpy()
            hist = np.zeros((k, h + 1))
            np.add.at(hist, (cluster, t - 1), 1.0)
            whist = self.weights @ hist
            out = np.array([duration_value(stat, row, h) for row in whist])
        self._cache[key] = out
        return out


def interval(rep: np.ndarray) -> Estimate:
    boot = rep[1:]
    boot = boot[~np.isnan(boot)]
    if boot.size == 0:
        return Estimate(float(rep[0]), math.nan, math.nan)
    with np.errstate(invalid="ignore"):  # a median not reached is inf: inf - inf in between
        low, high = np.percentile(boot, [2.5, 97.5])
    return Estimate(float(rep[0]), float(low), float(high))


def evaluate(check: Check, arms: Mapping[str, ArmResult]) -> list[Outcome]:
    sampler = Sampler(arms, check.seed)
    out = []
    for cond in check.conditions:
        stat = parse_stat(cond.stat)
        reps = [sampler.values(a, stat) for a in cond.arms]
        if cond.target == "order":
            gaps = [interval(reps[i] - reps[i + 1]) for i in range(len(reps) - 1)]
            values = [interval(r) for r in reps]
            passed = all(g.low > 0 for g in gaps)
            shown = ", ".join(
                f"{a} {number(v.value)}" for a, v in zip(cond.arms, values, strict=True)
            )
            gap_text = "; gaps " + ", ".join(
                f"{number(g.value)} [{number(g.low)}, {number(g.high)}]" for g in gaps
            )
            smallest = min(gaps, key=lambda g: g.low)
            out.append(Outcome(check, cond, smallest, passed, note=shown + gap_text))
            continue
        if cond.target == "arm":
            rep = reps[0]
        elif cond.target == "ratio":
            with np.errstate(invalid="ignore", divide="ignore"):
                rep = reps[0] / reps[1]
        else:
            rep = reps[0] - reps[1]
        est = interval(rep)
        out.append(Outcome(check, cond, est, passes(cond, est)))
    return out


def passes(cond: Condition, est: Estimate) -> bool:
    if cond.between is not None:
        return bool(math.isfinite(est.value) and cond.between[0] <= est.value <= cond.between[1])
    if cond.above is not None:
        return bool(math.isfinite(est.low) and est.low > cond.above)
    if cond.below is not None:
        return bool(math.isfinite(est.high) and est.high < cond.below)
    assert cond.at_most is not None
    return bool(math.isfinite(est.value) and est.value <= cond.at_most)


def run_check(
    check: Check,
    runs: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Run one check and evaluate its expectations (`progress`: as for `run_check_arms`; an
    analytic check does not call it)."""
    if check.kind == "simulation":
        return evaluate(check, run_check_arms(check, runs=runs, workers=workers, progress=progress))
    values = analytic.run(check, runs=runs)
    out = []
    for i, cond in enumerate(check.conditions):
        if cond.stat not in values:
            raise ConfigError(
                f"expect[{i}].stat",
                cond.stat,
                f"a statistic of a {check.kind} check, one of {sorted(values)}",
                file=check.file,
            )
        v = float(values[cond.stat])
        est = Estimate(v, v, v)
        out.append(Outcome(check, cond, est, passes(cond, est)))
    return out
