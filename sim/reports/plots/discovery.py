"""Scenario discovery: PRIM's peeling trajectory and the limits of the boxes it found."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.reports.plots.style import COLUMN_WIDTH, figure_and_axes, group_colour, style


def plot_peeling_trajectory(trajectory: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Coverage against density along each box's peeling trajectory, the box reported
    circled and labelled with its number of restricted dimensions.

    Args:
        trajectory: One row per step of a trajectory: `box`, `coverage`, `density`,
            `restricted_dimensions` and `selected` (True for the box reported).
    """
    with style():
        fig, ax = figure_and_axes(ax, COLUMN_WIDTH, 2.6)
        for i, (box, steps) in enumerate(trajectory.groupby("box", sort=True)):
            colour = group_colour(i)
            ax.plot(
                steps["coverage"],
                steps["density"],
                marker="o",
                color=colour,
                linewidth=0.8,
                label=f"box {box}",
            )
            chosen = steps[steps["selected"].astype(bool)]
            for row in chosen.itertuples(index=False):
                ax.plot(
                    row.coverage,
                    row.density,
                    marker="o",
                    markersize=9,
                    markerfacecolor="none",
                    markeredgecolor=colour,
                )
                dims = int(row.restricted_dimensions)
                ax.annotate(
                    f"{dims} dimension{'s' if dims != 1 else ''}",
                    (row.coverage, row.density),
                    xytext=(6, -10),
                    textcoords="offset points",
                    color=colour,
                )
        ax.set_xlabel("Coverage (share of the points of interest inside the box)")
        ax.set_ylabel("Density (share of the box\nthat is of interest)")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.05)
        if trajectory["box"].nunique() > 1:
            ax.legend(loc="lower left")
        return fig


def plot_box_limits(limits: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """The restricted dimensions of each box, as the part of each parameter's range the
    box keeps (0 is the low end of the range the points span, 1 the high end).

    Args:
        limits: One row per box and restricted parameter: `box`, `parameter`, `low`,
            `high`, `full_low`, `full_high` (numbers) and `values` (text: the categories
            kept, for a parameter that is not a number; empty otherwise).
    """
    rows = limits.reset_index(drop=True)
    with style():
        fig, ax = figure_and_axes(ax, COLUMN_WIDTH, 0.8 + 0.3 * max(len(rows), 1))
        pos = np.arange(len(rows))[::-1]
        labels = []
        for y, row in zip(pos, rows.itertuples(index=False), strict=True):
            colour = group_colour(int(row.box) - 1)
            labels.append(f"box {row.box}: {row.parameter}")
            ax.plot([0, 1], [y, y], color="lightgrey", linewidth=4, solid_capstyle="butt")
            if isinstance(row.values, str) and row.values:
                ax.text(0.5, y + 0.2, row.values, ha="center", va="bottom", color=colour)
                continue
            span = float(row.full_high) - float(row.full_low)
            low = (float(row.low) - float(row.full_low)) / span if span else 0.0
            high = (float(row.high) - float(row.full_low)) / span if span else 1.0
            ax.plot([low, high], [y, y], color=colour, linewidth=4, solid_capstyle="butt")
            ax.text(low, y + 0.2, f"{row.low:.3g}", ha="center", va="bottom", color=colour)
            ax.text(high, y + 0.2, f"{row.high:.3g}", ha="center", va="bottom", color=colour)
        ax.set_yticks(pos, labels)
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(-0.7, len(rows) - 0.2)
        ax.set_xlabel("Position in the parameter's range over the points")
        ax.grid(False, axis="y")
        return fig
