"""The scores of a forecast, per period: the model, the period's base rate and the logit.

The logistic baseline is fitted on the calibration period (crises triggered up to 1969) on
the coded variables the rule reads (`CodedCrisis.features`), and scored on every period.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.forecast import scoring
from sim.experiments.forecast.coding import FEATURE_NAMES, CodedCrisis

PERIODS = ("calibration", "holdout", "later")
TARGETS = {
    "formal_agreement": ("p_formal_agreement", "recorded_formal_agreement"),
    "tension_reduction": ("p_tension_reduction", "recorded_tension_reduction"),
}


def features(predictions: pd.DataFrame) -> np.ndarray:
    """The logit's design matrix, rebuilt from the codes in the predictions table."""
    rows = [
        CodedCrisis(
            crisno=int(r.crisno),
            name="",
            year=int(r.yrtrig),
            violence=int(r.sevviosy),
            power_discrepancy=float(r.powdissy),
            gravity=int(r.gravcr),
            protracted=int(r.protrac),
            mediation=int(r.medstyle),
        ).features()
        for r in predictions.itertuples()
    ]
    return np.asarray(rows, float).reshape(len(rows), len(FEATURE_NAMES))


def add_logit(predictions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit the logit per target on the calibration period; its forecasts as new columns."""
    out = predictions.copy()
    x = features(out)
    fitted: dict[str, Any] = {}
    for target, (_, recorded) in TARGETS.items():
        known = out[recorded].notna().to_numpy()
        train = known & (out["period"] == "calibration").to_numpy()
        column = f"logit_{target}"
        if train.sum() < 2 or len(np.unique(out.loc[train, recorded])) < 2:
            out[column] = np.nan
            continue
        y = out.loc[train, recorded].to_numpy(float)
        model = scoring.fit_logit(x[train], y)
        out[column] = model.predict(x)
        fitted[target] = dict(
            zip(("intercept", *FEATURE_NAMES), model.coefficients.round(4).tolist(), strict=True)
        )
        # Added after the first run (docs/forecasting.md): the model's own forecast, rescaled
        # by a logistic regression on its log odds fitted on the calibration period alone.
        # No model parameter changes; only the scale of its probabilities.
        forecast, _ = TARGETS[target]
        p = np.clip(out[forecast].to_numpy(float), scoring.CLIP, 1.0 - scoring.CLIP)
        log_odds = np.log(p / (1.0 - p))[:, None]
        rescale = scoring.fit_logit(log_odds[train], y, ridge=0.0)
        out[f"recalibrated_{target}"] = rescale.predict(log_odds)
        fitted[f"recalibrated_{target}"] = rescale.coefficients.round(4).tolist()
    return out, fitted


def _binary_scores(frame: pd.DataFrame, target: str) -> dict[str, Any]:
    forecast, recorded = TARGETS[target]
    known = frame[frame[recorded].notna()]
    y = known[recorded].to_numpy(float)
    if len(y) == 0:
        return {"crises": 0}
    rate = float(y.mean())
    result: dict[str, Any] = {"crises": int(len(y)), "base_rate": rate}
    result["model"] = scoring.scores(known[forecast].to_numpy(float), y, rate)
    result["base_rate_forecast"] = scoring.scores(np.full(len(y), rate), y, rate)
    for who in ("logit", "recalibrated"):
        column = known.get(f"{who}_{target}")
        if column is not None and column.notna().all():
            result[who] = scoring.scores(column.to_numpy(float), y, rate)
    return result


def _duration_scores(frame: pd.DataFrame, reference_days: float | None) -> dict[str, Any]:
    known = frame[frame["recorded_duration_days"].notna()]
    if len(known) == 0:
        return {"crises": 0}
    recorded = known["recorded_duration_days"].to_numpy(float)
    predicted = known["duration_days_median"].to_numpy(float)
    inside = (known["duration_days_low"] <= known["recorded_duration_days"]) & (
        known["recorded_duration_days"] <= known["duration_days_high"]
    )
    result: dict[str, Any] = {
        "crises": int(len(known)),
        "recorded_median_days": float(np.median(recorded)),
        "model_median_days": float(np.median(predicted)),
        "model_median_abs_log_error": scoring.median_abs_log_error(predicted, recorded),
        "model_interval_coverage": float(inside.mean()),
    }
    if reference_days is not None:
        result["calibration_median_abs_log_error"] = scoring.median_abs_log_error(
            np.full(len(recorded), reference_days), recorded
        )
    return result


def evaluate(predictions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The predictions with the logit's forecasts beside, and the scores per period."""
    with_logit, fitted = add_logit(predictions)
    calibration = with_logit[with_logit["period"] == "calibration"]
    durations = calibration["recorded_duration_days"].dropna()
    # The duration baseline: the calibration period's median recorded duration, said of
    # every crisis (the duration analogue of the base rate).
    reference = float(np.median(durations.to_numpy(float))) if len(durations) else None
    report: dict[str, Any] = {"periods": {}, "logit": fitted, "duration_reference": reference}
    for period in PERIODS:
        frame = with_logit[with_logit["period"] == period]
        if len(frame) == 0:
            continue
        report["periods"][period] = {
            "crises": int(len(frame)),
            **{target: _binary_scores(frame, target) for target in TARGETS},
            "duration": _duration_scores(frame, reference),
        }
    return with_logit, report


def score_lines(report: dict[str, Any]) -> list[str]:
    """The scores as the command prints them: one block per period."""
    lines = []
    for period, blocks in report["periods"].items():
        lines.append(f"{period}: {blocks['crises']} crises")
        for target in TARGETS:
            block = blocks[target]
            if not block.get("crises"):
                continue
            lines.append(
                f"  {target} (n={block['crises']}, base rate {block['base_rate']:.3f})"
                "      Brier   skill  log loss    AUC"
            )
            for who in ("model", "base_rate_forecast", "logit", "recalibrated"):
                if who in block:
                    s = block[who]
                    lines.append(
                        f"    {who:<20} {s['brier']:8.4f} {s['brier_skill']:7.3f}"
                        f" {s['log_loss']:9.4f} {s['auc']:6.3f}"
                    )
        d = blocks["duration"]
        if d.get("crises"):
            tail = ""
            if "calibration_median_abs_log_error" in d:
                tail = f"; constant {d['calibration_median_abs_log_error']:.2f}"
            lines.append(
                f"  duration (n={d['crises']}): median recorded {d['recorded_median_days']:.0f}"
                f" days, predicted {d['model_median_days']:.0f}; median |log error|"
                f" {d['model_median_abs_log_error']:.2f}{tail};"
                f" 10-90% interval holds {d['model_interval_coverage']:.0%}"
            )
    return lines


FORECASTERS = {"model": "p_", "logit": "logit_"}


def curve_tables(predictions: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reliability and ROC tables of one target (`negsim plot` draws them): per period
    with recorded outcomes, per forecaster (the model, the logit)."""
    _, recorded = TARGETS[target]
    bins, curves = [], []
    for period in PERIODS:
        frame = predictions[(predictions["period"] == period) & predictions[recorded].notna()]
        if len(frame) == 0:
            continue
        y = frame[recorded].to_numpy(float)
        for who, prefix in FORECASTERS.items():
            column = f"{prefix}{target}"
            if column not in frame or frame[column].isna().any():
                continue
            p = frame[column].to_numpy(float)
            table = scoring.reliability(p, y)
            bins.append(table.assign(period=period, forecaster=who))
            fpr, tpr = scoring.roc_curve(p, y)
            curves.append(
                pd.DataFrame(
                    {
                        "period": period,
                        "forecaster": who,
                        "fpr": fpr,
                        "tpr": tpr,
                        "auc": scoring.auc(p, y),
                    }
                )
            )
    empty = pd.DataFrame(columns=["period", "forecaster"])
    return (
        pd.concat(bins, ignore_index=True) if bins else empty,
        pd.concat(curves, ignore_index=True) if curves else empty,
    )
