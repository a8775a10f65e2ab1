"""The crises' ensembles through the model: one row of predictions per coded crisis.

Each crisis's scenario points run as stacked batches (`simulate_points`); the points of all
crises that share a mediator strategy are stepped together, so 391 crises cost a handful of
batches. A run's numbers depend only on (seed, run, round, stream) and a crisis's ensemble
only on (seed, crisis number), so a crisis's forecast is the same whatever else is in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim import shipped
from sim.experiments.forecast.coding import CodedCrisis, SkippedRow, code_crisis, scenario_overrides
from sim.experiments.forecast.reading import (
    recorded_duration,
    recorded_formal,
    recorded_reduction,
)
from sim.experiments.simulate import simulate_points
from sim.model.config import apply_overrides, read_yaml, scenario_from_dict

BASE_SCENARIO = "validation/scenarios/interstate_war.yaml"
DEFAULT_POINTS = 16
DEFAULT_RUNS = 25
# Crises run in blocks of this many, so memory stays small and progress can be shown.
BLOCK = 64
# The first agreements that are written texts: ICB's formal agreements.
FORMAL_KINDS = ("comprehensive", "framework")
# Outcomes at the horizon that mean the adversaries' tension fell for good.
LASTING_OUTCOMES = ("comprehensive", "framework", "capitulation_a", "capitulation_b")


@dataclass
class Forecast:
    """What `forecast_rows` returns: one row per coded crisis, and the crises skipped."""

    predictions: pd.DataFrame
    skipped: list[str] = field(default_factory=list)
    horizon: int = 0
    round_days: int = 30


def base_data() -> dict[str, Any]:
    """The generic interstate war every crisis starts from (its provenance left out: the
    points replace the values it documents)."""
    data = read_yaml(shipped.root() / BASE_SCENARIO)
    data.pop("provenance", None)
    return dict(data)


def code_rows(rows: Sequence[Mapping[str, Any]]) -> tuple[list[CodedCrisis], list[str]]:
    """The crises the rule can code, and one line for each row it cannot."""
    coded, skipped = [], []
    seen: set[int] = set()
    for number, row in enumerate(rows, start=2):
        label = _label(row, number)
        try:
            crisis = code_crisis(row)
        except SkippedRow as err:
            skipped.append(f"{label}: skipped, {err}")
            continue
        if crisis.crisno in seen:
            skipped.append(f"{label}: skipped, crisno {crisis.crisno} appears twice")
            continue
        seen.add(crisis.crisno)
        coded.append(crisis)
    return coded, skipped


def _label(row: Mapping[str, Any], line: int) -> str:
    crisno = str(row.get("crisno") or "").strip()
    name = str(row.get("crisname") or "").strip()
    who = f"crisis {crisno}" if crisno else f"line {line}"
    return f"{who} ({name})" if name else who


def predict(
    crises: Sequence[CodedCrisis],
    *,
    points: int = DEFAULT_POINTS,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, int, int]:
    """Run each crisis's ensemble; return its predictions, the horizon and the round length."""
    base = base_data()
    frames = []
    horizon, round_days = int(base["horizon"]), int(base["round_days"])
    for start in range(0, len(crises), BLOCK):
        block = crises[start : start + BLOCK]
        scenarios = [
            scenario_from_dict(apply_overrides(base, point))
            for crisis in block
            for point in scenario_overrides(crisis, points, seed)
        ]
        # Run numbers are unique per crisis and point, so no two crises share draws.
        firsts = [(crisis.crisno * points + j) * runs for crisis in block for j in range(points)]
        tables = simulate_points(scenarios, runs, seed, first_runs=firsts)
        for i, crisis in enumerate(block):
            table = pd.concat(tables[i * points : (i + 1) * points], ignore_index=True)
            frames.append(_summarise(crisis, table, horizon, round_days))
        if progress is not None:
            progress(len(block))
    return pd.DataFrame(frames), horizon, round_days


def _summarise(
    crisis: CodedCrisis, table: pd.DataFrame, horizon: int, round_days: int
) -> dict[str, Any]:
    formal = table["first_agreement"].isin(FORMAL_KINDS).to_numpy()
    lasting = table["outcome"].isin(LASTING_OUTCOMES).to_numpy()
    ends = np.full(len(table), np.inf)
    for column in ("settlement_round", "first_ceasefire_round", "end_round"):
        rounds = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
        ends = np.fmin(ends, np.where(np.isnan(rounds), np.inf, rounds))
    # Runs still in crisis at the horizon are censored there: their end is "after it".
    days = np.minimum(ends, horizon + 1) * round_days
    low, median, high = np.quantile(days, [0.1, 0.5, 0.9])
    return {
        "crisno": crisis.crisno,
        "crisname": crisis.name,
        "yrtrig": crisis.year,
        "period": crisis.period,
        "sevviosy": crisis.violence,
        "powdissy": crisis.power_discrepancy,
        "gravcr": crisis.gravity,
        "protrac": crisis.protracted,
        "medstyle": crisis.mediation,
        "runs": len(table),
        "p_formal_agreement": float(formal.mean()),
        "p_tension_reduction": float(lasting.mean()),
        "duration_days_median": float(median),
        "duration_days_low": float(low),
        "duration_days_high": float(high),
        "duration_censored": bool(median > horizon * round_days),
    }


def attach_recorded(predictions: pd.DataFrame, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The outcomes the file records, next to the predictions (missing where it has none)."""
    by_crisno: dict[int, Mapping[str, Any]] = {}
    for row in rows:
        try:
            by_crisno.setdefault(int(float(str(row.get("crisno")))), row)
        except ValueError:
            continue
    out = predictions.copy()
    recorded = [by_crisno[int(c)] for c in out["crisno"]]
    out["recorded_formal_agreement"] = pd.array(
        [recorded_formal(r) for r in recorded], dtype="Int64"
    )
    out["recorded_tension_reduction"] = pd.array(
        [recorded_reduction(r) for r in recorded], dtype="Int64"
    )
    out["recorded_duration_days"] = pd.array(
        [recorded_duration(r) for r in recorded], dtype="Float64"
    )
    return out


def forecast_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    points: int = DEFAULT_POINTS,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Forecast:
    """Code the rows, run the coded crises, put the recorded outcomes beside."""
    crises, skipped = code_rows(rows)
    predictions, horizon, round_days = predict(
        crises, points=points, runs=runs, seed=seed, progress=progress
    )
    if len(predictions):
        predictions = attach_recorded(predictions, rows)
    return Forecast(predictions, skipped, horizon, round_days)
