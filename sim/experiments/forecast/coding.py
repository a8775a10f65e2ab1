"""The coding rule: an ICB v14 system-level row -> a small ensemble of model scenarios.

The rule reads only codes a crisis has before its outcome is known or while it unfolds
(violence, power discrepancy, gravity of threat, protracted conflict, mediation style); it
never reads `forout`, `outesr`, `outcom` or the termination date. Every code's meaning is
the ICB codebook's (Brecher, Wilkenfeld et al., version 14); docs/forecasting.md lists each
mapping with its source and the reason for the value it gives.

Values the codes do not fix are drawn from the assumption ranges of the shipped ensemble of
interstate wars (validation/ensembles/interstate_wars.yaml, argued in docs/validation.md)
around the generic war of validation/scenarios/interstate_war.yaml: nothing here was fitted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

# The periods of the forecast: calibration (if any) only on the first; the second is the
# project's holdout. Crises triggered from 1990 on are not used by this project at all.
CALIBRATION_LAST_YEAR = 1969
HOLDOUT_LAST_YEAR = 1989

# SEVVIOSY, severity of violence: 1 no violence, 2 minor clashes, 3 serious clashes,
# 4 full-scale war. -> the per-round (month) cost of the crisis to each side, a log-uniform
# band inside the ensemble's range [0.002, 0.04] (a share of the stakes per month).
COST_BANDS: dict[int, tuple[float, float]] = {
    1: (0.002, 0.005),
    2: (0.004, 0.010),
    3: (0.010, 0.020),
    4: (0.020, 0.040),
}

# GRAVCR, gravity of the threat: 0 economic, 1 limited military, 2 political, 3 territorial,
# 4 influence, 5 grave damage, 6 existence, 7 other. -> the breaking point of the threatened
# side (B): the graver the threat, the more exhaustion it bears before it gives in.
LOW_GRAVITY, MID_GRAVITY, HIGH_GRAVITY = (0.3, 0.8), (0.6, 1.2), (1.0, 2.0)
BREAKING_BANDS: dict[int, tuple[float, float]] = {
    0: LOW_GRAVITY,
    1: LOW_GRAVITY,
    2: LOW_GRAVITY,
    3: MID_GRAVITY,
    4: MID_GRAVITY,
    5: HIGH_GRAVITY,
    6: HIGH_GRAVITY,
    7: (0.3, 2.0),  # "other": the whole range of the ensemble
}

# PROTRAC: 1 not part of a protracted conflict, 2 protracted conflict, 3 long-war protracted
# conflict. -> trust of each side that the other will comply: protracted conflicts are
# marked by deep mistrust (Brecher 1993; Azar 1990), so their band is the low end.
TRUST_BANDS: dict[int, tuple[float, float]] = {1: (0.1, 0.5), 2: (0.0, 0.2), 3: (0.0, 0.1)}

# MEDSTYLE, the most intense mediation style used: 1 no mediation, 2 facilitation,
# 3 formulation, 4 manipulation (Beardsley, Quinn, Biswas & Wilkenfeld 2006). -> the
# mediator's registered strategy; no mediation leaves the mediator section out.
STRATEGIES: dict[int, str | None] = {
    1: None,
    2: "facilitative",
    3: "formulative",
    4: "manipulative",
}

# POWDISSY, the power discrepancy between the principal adversaries (a score, 0 = parity,
# larger = more lopsided). -> the weaker side's capacity relative to the stronger side's 1.0,
# falling linearly from parity to the ensemble's most lopsided war (0.3) at a score of 20.
# The score does not say which side is weaker: half the ensemble makes A the weaker.
WEAKEST_CAPACITY = 0.3
LOPSIDED_SCORE = 20.0

# Drawn for every crisis from the ensemble's own ranges (validation/ensembles/interstate_wars.yaml).
UNCODED: dict[str, tuple[float, float]] = {
    "parties.a.breaking_point": (0.3, 2.0),
    "parties.a.optimism": (0.0, 0.01),
    "parties.b.optimism": (0.0, 0.01),
    "parties.a.domestic.audience_cost": (0.0, 0.1),
    "parties.b.domestic.audience_cost": (0.0, 0.1),
    "parties.a.domestic.victory_threshold": (0.3, 0.7),
    "parties.b.domestic.victory_threshold": (0.3, 0.7),
    "battlefield.initial_control": (0.0, 0.5),
    "battlefield.drift_scale": (0.01, 0.05),
}
LOG_UNIFORM = {"parties.a.breaking_point"}
MEDIATOR_UNCODED: dict[str, tuple[float, float]] = {
    "mediator.bias": (-0.3, 0.3),
    "mediator.leverage.a": (0.0, 0.8),
    "mediator.leverage.b": (0.0, 0.8),
    "mediator.guarantee": (0.0, 0.5),
}

# The columns the rule reads; a row without one of them is skipped with its reason.
CODED_COLUMNS = ("sevviosy", "powdissy", "gravcr", "protrac", "medstyle")


class SkippedRow(ValueError):
    """A crisis the rule cannot code: the message is one line naming why."""


@dataclass(frozen=True)
class CodedCrisis:
    """A crisis's codes as the rule reads them (the logit baseline reads the same)."""

    crisno: int
    name: str
    year: int
    violence: int
    power_discrepancy: float
    gravity: int
    protracted: int
    mediation: int

    @property
    def period(self) -> str:
        if self.year <= CALIBRATION_LAST_YEAR:
            return "calibration"
        if self.year <= HOLDOUT_LAST_YEAR:
            return "holdout"
        return "later"

    def features(self) -> list[float]:
        """The coded variables as numbers for the logistic baseline: the same codes the
        rule reads, the categorical ones as indicators of the categories the rule tells
        apart (violence 2-4, gravity's three bands and `other`, protracted, each style)."""
        return [
            float(self.violence == 2),
            float(self.violence == 3),
            float(self.violence == 4),
            min(self.power_discrepancy, LOPSIDED_SCORE) / LOPSIDED_SCORE,
            float(BREAKING_BANDS[self.gravity] == MID_GRAVITY),
            float(BREAKING_BANDS[self.gravity] == HIGH_GRAVITY),
            float(self.protracted >= 2),
            float(self.mediation == 2),
            float(self.mediation == 3),
            float(self.mediation == 4),
        ]


FEATURE_NAMES = (
    "minor_clashes",
    "serious_clashes",
    "full_scale_war",
    "power_discrepancy",
    "gravity_mid",
    "gravity_high",
    "protracted",
    "facilitation",
    "formulation",
    "manipulation",
)


def _number(row: Mapping[str, Any], column: str) -> float:
    value = row.get(column)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        raise SkippedRow(f"{column} is missing")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SkippedRow(f"{column} = {value!r} is not a number") from None
    if math.isnan(number):
        raise SkippedRow(f"{column} is missing")
    return number


def _code(row: Mapping[str, Any], column: str, allowed: Mapping[int, Any]) -> int:
    number = _number(row, column)
    if not number.is_integer() or int(number) not in allowed:
        codes = ", ".join(str(k) for k in allowed)
        raise SkippedRow(f"{column} = {number:g} is not a code of the codebook ({codes})")
    return int(number)


def code_crisis(row: Mapping[str, Any]) -> CodedCrisis:
    """Read a crisis's codes from its row (a mapping of column -> value, as read).

    Raises:
        SkippedRow: a code is missing or not one of the codebook's values.
    """
    crisno = int(_number(row, "crisno"))
    year = _number(row, "yrtrig")
    if not year.is_integer():
        raise SkippedRow(f"yrtrig = {year:g} is not a year")
    power = _number(row, "powdissy")
    if power < 0:
        raise SkippedRow(f"powdissy = {power:g} is negative")
    name = str(row.get("crisname") or "").strip() or f"crisis {crisno}"
    return CodedCrisis(
        crisno=crisno,
        name=name,
        year=int(year),
        violence=_code(row, "sevviosy", COST_BANDS),
        power_discrepancy=power,
        gravity=_code(row, "gravcr", BREAKING_BANDS),
        protracted=_code(row, "protrac", TRUST_BANDS),
        mediation=_code(row, "medstyle", STRATEGIES),
    )


def weaker_capacity(power_discrepancy: float) -> float:
    """The weaker side's capacity (the stronger side's is 1.0) at a POWDISSY score."""
    share = min(power_discrepancy, LOPSIDED_SCORE) / LOPSIDED_SCORE
    return 1.0 - share * (1.0 - WEAKEST_CAPACITY)


def _draw(rng: np.random.Generator, band: tuple[float, float], log: bool, n: int) -> np.ndarray:
    low, high = band
    if log:
        return np.exp(rng.uniform(math.log(low), math.log(high), n))
    return rng.uniform(low, high, n)


def scenario_overrides(crisis: CodedCrisis, points: int, seed: int) -> list[dict[str, Any]]:
    """The crisis's ensemble: `points` override sets for the generic interstate war.

    The draws come from a generator keyed by (seed, crisis number) alone, so a crisis's
    ensemble is the same whatever else is in the file.
    """
    rng = np.random.default_rng([seed, crisis.crisno])
    columns: dict[str, np.ndarray] = {}
    for side in ("a", "b"):
        columns[f"parties.{side}.cost_per_month"] = _draw(
            rng, COST_BANDS[crisis.violence], True, points
        )
        columns[f"parties.{side}.trust"] = _draw(rng, TRUST_BANDS[crisis.protracted], False, points)
    columns["parties.b.breaking_point"] = _draw(rng, BREAKING_BANDS[crisis.gravity], True, points)
    for path, band in UNCODED.items():
        columns[path] = _draw(rng, band, path in LOG_UNIFORM, points)
    strategy = STRATEGIES[crisis.mediation]
    if strategy is not None:
        for path, band in MEDIATOR_UNCODED.items():
            columns[path] = _draw(rng, band, False, points)
    a_weaker = rng.uniform(size=points) < 0.5
    weak = weaker_capacity(crisis.power_discrepancy)
    columns["parties.a.capacity"] = np.where(a_weaker, weak, 1.0)
    columns["parties.b.capacity"] = np.where(a_weaker, 1.0, weak)
    overrides = []
    for i in range(points):
        point: dict[str, Any] = {path: float(values[i]) for path, values in columns.items()}
        if strategy is not None:
            point["mediator.strategy"] = strategy
        overrides.append(point)
    return overrides
