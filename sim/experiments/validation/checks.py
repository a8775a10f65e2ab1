"""What a validation check declares, once read: its arms, its ensemble and its expectations.

A check is a YAML file (see validation/README.md), read by `sim.experiments.validation.checkfile`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Kind = Literal["simulation", "fearon", "nash", "rubinstein"]
Group = Literal["analytic", "stylized", "case", "other"]
KINDS: tuple[str, ...] = get_args(Kind)
GROUPS: tuple[str, ...] = get_args(Group)


@dataclass(frozen=True)
class Arm:
    name: str
    overrides: dict[str, Any]
    without: tuple[str, ...] = ()
    draw: dict[str, Any] = field(default_factory=dict)  # extra ensemble dimensions


@dataclass(frozen=True)
class Ensemble:
    points: int
    design: str
    seed: int
    parameters: tuple[Any, ...]  # sim.experiments.designs.Parameter
    source: str
    written: dict[str, Any] = field(default_factory=dict)  # each path's spec as in the file


@dataclass(frozen=True)
class Condition:
    stat: str
    target: str  # "arm", "ratio", "difference" or "order"
    arms: tuple[str, ...]
    between: tuple[float, float] | None = None
    above: float | None = None
    below: float | None = None
    at_most: float | None = None

    def describe(self) -> str:
        if self.target == "order":
            return f"{self.stat}: " + " > ".join(self.arms)
        if self.target == "ratio":
            subject = f"{self.stat} {self.arms[0]} / {self.arms[1]}"
        elif self.target == "difference":
            subject = f"{self.stat} {self.arms[0]} - {self.arms[1]}"
        elif self.arms[0] == "base":
            subject = self.stat
        else:
            subject = f"{self.stat} [{self.arms[0]}]"
        if self.between is not None:
            return f"{subject} in [{number(self.between[0])}, {number(self.between[1])}]"
        if self.above is not None:
            return f"{subject} > {number(self.above)} (whole CI)"
        if self.below is not None:
            return f"{subject} < {number(self.below)} (whole CI)"
        return f"{subject} <= {number(self.at_most)}"


@dataclass(frozen=True)
class Check:
    name: str
    file: str
    title: str
    claim: str
    source: str
    group: str
    kind: str
    scenario: str | None
    arms: tuple[Arm, ...]
    runs: int
    seed: int
    conditions: tuple[Condition, ...]
    ensemble: Ensemble | None = None
    base_overrides: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    # Why the model is known to miss this check (docs/validation.md); None if it should pass.
    known_failure: str | None = None


def number(x: float | None) -> str:
    """A number as the reports show it (four significant digits; "-" for none)."""
    if x is None:
        return "-"
    return f"{x:.4g}"


def finite_or_none(x: float) -> float | None:
    """A number for JSON: None unless finite."""
    return None if x is None or not math.isfinite(x) else float(x)


def json_value(x: float) -> float | str | None:
    """A statistic for JSON: null when undefined (nan), the text "inf" or "-inf" when
    infinite (a median never reached), since JSON has neither."""
    if x is None or math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return float(x)
