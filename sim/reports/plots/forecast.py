"""Probability forecasts scored against what happened: reliability diagram and ROC curve."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.reports.plots.style import COLUMN_WIDTH, PAGE_WIDTH, group_colour, style


def _panels(
    table: pd.DataFrame, axes: Sequence[Axes] | None, title: str, xlabel: str
) -> tuple[Figure, list[tuple[Axes, list[tuple[str, pd.DataFrame]]]]]:
    """One panel per period, each with the chance diagonal, unit axes, its x label and its
    title, and the forecasters' rows of that period in order."""
    periods = list(dict.fromkeys(table["period"]))
    if axes is None:
        n = len(periods)
        fig = Figure(figsize=(PAGE_WIDTH if n > 1 else COLUMN_WIDTH, 2.6), layout="constrained")
        found = list(np.atleast_1d(fig.subplots(1, n, sharey=True)))
    else:
        if len(axes) != len(periods):
            raise ValueError(f"{len(periods)} periods need {len(periods)} axes, got {len(axes)}")
        found = list(axes)
        fig = found[0].figure
    panels = []
    for ax, period in zip(found, periods, strict=True):
        ax.plot([0, 1], [0, 1], color="0.6", linewidth=0.8, linestyle="--")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.03)
        ax.set_xlabel(xlabel)
        ax.set_title(f"{period} {title}".strip())
        rows = table[table["period"] == period]
        panels.append((ax, [(str(w), part) for w, part in rows.groupby("forecaster", sort=False)]))
    return fig, panels


def plot_reliability(
    table: pd.DataFrame, *, title: str = "", axes: Sequence[Axes] | None = None
) -> Figure:
    """Observed rate against mean forecast, per bin of forecasts, one panel per period.

    Args:
        table: Columns `period`, `forecaster`, `mean_forecast`, `observed`, `count` (one
            row per bin with forecasts in it).
        title: Put above each panel, after the period's name.
        axes: One Axes per period (default: a new figure).
    """
    with style():
        fig, panels = _panels(table, axes, title, "Forecast probability (bin mean)")
        for ax, groups in panels:
            for i, (who, part) in enumerate(groups):
                size = 8 + 60 * part["count"] / max(int(part["count"].max()), 1)
                ax.plot(part["mean_forecast"], part["observed"], color=group_colour(i), label=who)
                ax.scatter(part["mean_forecast"], part["observed"], s=size, color=group_colour(i))
        panels[0][0].set_ylabel("Observed frequency")
        panels[0][0].legend(loc="upper left", frameon=False)
    return fig


def plot_roc(table: pd.DataFrame, *, title: str = "", axes: Sequence[Axes] | None = None) -> Figure:
    """ROC curves (true against false positive rate), one panel per period.

    Args:
        table: Columns `period`, `forecaster`, `fpr`, `tpr`, `auc` (one row per threshold,
            each forecaster's rows in order from (0, 0) to (1, 1)).
        title: Put above each panel, after the period's name.
        axes: One Axes per period (default: a new figure).
    """
    with style():
        fig, panels = _panels(table, axes, title, "False positive rate")
        for ax, groups in panels:
            for i, (who, part) in enumerate(groups):
                label = f"{who} (AUC {float(part['auc'].iloc[0]):.2f})"
                ax.plot(part["fpr"], part["tpr"], color=group_colour(i), label=label)
            ax.legend(loc="lower right", frameon=False)
        panels[0][0].set_ylabel("True positive rate")
    return fig
