"""Scores of probability forecasts of a binary outcome, and the logistic baseline.

Written out with numpy (tests/test_forecast.py holds them to hand computations on a tiny
table): Brier score, Brier skill against a base rate, log loss and the area under the ROC
curve; a ridge-penalised logistic regression fitted by maximum likelihood with
`scipy.optimize`; the median absolute log error of durations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

# Probabilities are clipped before the log loss, so that one forecast of exactly 0 or 1 that
# misses does not make the score infinite (an ensemble of a few hundred runs says 0 often).
CLIP = 0.005


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p - y) ** 2))


def brier_skill(p: np.ndarray, y: np.ndarray, base_rate: float) -> float:
    """1 - Brier / Brier of always forecasting `base_rate` (positive: better than it)."""
    reference = brier(np.full(len(y), base_rate), y)
    if reference == 0.0:
        return float("nan")
    return 1.0 - brier(p, y) / reference


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of the outcomes, probabilities clipped to [CLIP, 1-CLIP]."""
    p = np.clip(np.asarray(p, float), CLIP, 1.0 - CLIP)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random positive gets a higher forecast
    than a random negative, ties counting one half (the Mann-Whitney statistic)."""
    p, y = np.asarray(p, float), np.asarray(y, bool)
    pos, neg = p[y], p[~y]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (pos.size * neg.size))


def roc_curve(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False and true positive rates at every threshold, from (0, 0) to (1, 1)."""
    p, y = np.asarray(p, float), np.asarray(y, bool)
    thresholds = np.unique(p)[::-1]
    fpr = [0.0] + [float((p[~y] >= t).mean()) if (~y).any() else 0.0 for t in thresholds]
    tpr = [0.0] + [float((p[y] >= t).mean()) if y.any() else 0.0 for t in thresholds]
    return np.asarray(fpr), np.asarray(tpr)


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Forecasts in equal-width bins: each bin's mean forecast, observed rate and count."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            rows.append(
                {
                    "mean_forecast": float(p[inside].mean()),
                    "observed": float(y[inside].mean()),
                    "count": int(inside.sum()),
                }
            )
    return pd.DataFrame(rows, columns=["mean_forecast", "observed", "count"])


def scores(p: np.ndarray, y: np.ndarray, base_rate: float) -> dict[str, float]:
    """The four scores of one forecaster on one period."""
    return {
        "brier": brier(p, y),
        "brier_skill": brier_skill(p, y, base_rate),
        "log_loss": log_loss(p, y),
        "auc": auc(p, y),
    }


@dataclass(frozen=True)
class Logit:
    """A fitted logistic regression: intercept first, then one slope per feature."""

    coefficients: np.ndarray

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = self.coefficients[0] + np.asarray(x, float) @ self.coefficients[1:]
        return 1.0 / (1.0 + np.exp(-z))


def fit_logit(x: np.ndarray, y: np.ndarray, ridge: float = 1.0) -> Logit:
    """Maximum likelihood with a ridge penalty `ridge`/2 * |slopes|^2 (not on the intercept):
    a category no crisis of the calibration period falls in gets a slope of 0 rather than
    one that runs off to infinity."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    design = np.column_stack([np.ones(len(y)), x])

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        z = design @ beta
        # log(1 + e^z) computed stably; its derivative is the logistic function.
        nll = float(np.sum(np.logaddexp(0.0, z) - y * z))
        grad = design.T @ (1.0 / (1.0 + np.exp(-z)) - y)
        nll += 0.5 * ridge * float(beta[1:] @ beta[1:])
        grad[1:] += ridge * beta[1:]
        return nll, grad

    result = minimize(loss, np.zeros(design.shape[1]), jac=True, method="L-BFGS-B")
    return Logit(coefficients=np.asarray(result.x))


def median_abs_log_error(predicted: np.ndarray, recorded: np.ndarray) -> float:
    """Median of |log(predicted) - log(recorded)| (both in days, at least one day)."""
    predicted = np.maximum(np.asarray(predicted, float), 1.0)
    recorded = np.maximum(np.asarray(recorded, float), 1.0)
    return float(np.median(np.abs(np.log(predicted) - np.log(recorded))))
