"""Coded-case forecasts of the International Crisis Behavior crises (docs/forecasting.md).

coding.py    the coding rule: a crisis's codes -> an ensemble of scenarios
running.py   the ensembles through the model: per-crisis predictions
scoring.py   Brier, Brier skill, log loss, AUC, the logistic baseline, durations
"""
