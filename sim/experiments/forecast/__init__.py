"""Coded-case forecasts of the International Crisis Behavior crises (docs/forecasting.md).

reading.py     an ICB v14 system-level file, and the outcomes it records
coding.py      the coding rule: a crisis's codes -> an ensemble of scenarios
running.py     the ensembles through the model: per-crisis predictions
scoring.py     Brier, Brier skill, log loss, AUC, ROC, reliability, the logistic fit
evaluation.py  the scores per period: the model, the base rate, the logit
"""
