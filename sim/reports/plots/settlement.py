"""Whether, when and how the war ends: settlement probability, time to settlement and
outcome shares, each drawn from a `sim.reports.analysis` table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.reports.analysis import grid_matrix, outcome_order
from sim.reports.plots.style import (
    COLUMN_WIDTH,
    MAX_TICK_LABELS,
    MIN_AT_RISK,
    PAGE_WIDTH,
    PALETTE,
    PROBABILITY_LABEL,
    PROBABILITY_TOP,
    category_ticks,
    figure_and_axes,
    group_colour,
    groups_of,
    outcome_colours,
    probability_label,
    style,
    time_label,
    value_label,
)

# --------------------------------------------------------------------------------------------
# Whether: settlement probability


def plot_settlement_vs_parameter(
    table: pd.DataFrame,
    parameter: str,
    *,
    hue: str | None = None,
    ax: Axes | None = None,
    xlabel: str | None = None,
    horizon: int | None = None,
    round_days: int | None = 30,
) -> Figure:
    """Settlement probability against one parameter, with its 95% band.

    Args:
        table: `sim.reports.analysis.settlement_vs_parameter` output (or `settlement_grid` output
            with `hue` naming the second parameter: one line per value of it).
        parameter: The column on the x axis.
        hue: Optional column: one line per value.
        xlabel: Axis label (default: the parameter's dotted path).
        horizon: The horizon in rounds, for the y label.
    """
    with style():
        fig, ax = figure_and_axes(ax)
        for i, (key, rows) in enumerate(groups_of(table, hue)):
            rows = rows.sort_values(parameter)
            x = rows[parameter].to_numpy(dtype=float)
            label = PROBABILITY_LABEL if hue is None else f"{hue} = {value_label(key)}"
            colour = group_colour(i)
            ax.fill_between(
                x,
                rows["p_settlement_low"].to_numpy(dtype=float),
                rows["p_settlement_high"].to_numpy(dtype=float),
                color=colour,
                alpha=0.25,
                linewidth=0,
                label=f"95% CI ({label})" if hue is not None else "95% CI",
            )
            ax.plot(
                x, rows["p_settlement"].to_numpy(dtype=float), marker="o", color=colour, label=label
            )
        ax.set_xlabel(xlabel or parameter)
        ax.set_ylabel(probability_label(horizon, round_days))
        ax.set_ylim(0.0, PROBABILITY_TOP)
        if hue is not None:
            ax.legend(handles=[line for line in ax.get_lines()], loc="best", title=None, ncols=1)
        return fig


def plot_settlement_heatmap(
    grid: pd.DataFrame,
    x: str,
    y: str,
    *,
    ax: Axes | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    levels: Sequence[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    horizon: int | None = None,
    round_days: int | None = 30,
) -> Figure:
    """Heat map of settlement probability over two parameters, with labelled contour lines.

    Cells are centred on the swept values (uneven spacing is kept); cells without runs are
    blank. Contours need at least two values of each parameter.
    """
    matrix = grid_matrix(grid, x, y)
    xs = matrix.columns.to_numpy(dtype=float)
    ys = matrix.index.to_numpy(dtype=float)
    z = np.ma.masked_invalid(matrix.to_numpy(dtype=float))
    with style():
        fig, ax = figure_and_axes(ax, height=2.8)
        mesh = ax.pcolormesh(_edges(xs), _edges(ys), z, vmin=0.0, vmax=1.0, shading="flat")
        mesh.set_gid("p_settlement")
        bar = fig.colorbar(mesh, ax=ax)
        bar.set_label(probability_label(horizon, round_days))
        if xs.size >= 2 and ys.size >= 2 and z.count() >= 4:
            lo, hi = float(z.min()), float(z.max())
            inside = [lv for lv in levels if lo < lv < hi]
            if inside:
                contours = ax.contour(xs, ys, z, levels=inside, colors="white", linewidths=0.8)
                ax.clabel(contours, fmt="%.2g", fontsize=6)
        ax.set_xlabel(xlabel or x)
        ax.set_ylabel(ylabel or y)
        ax.grid(False)
        return fig


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted centres: midpoints inside, half a step beyond the ends."""
    if centres.size == 1:
        half = 0.5 * (abs(centres[0]) or 1.0) * 0.1
        return np.array([centres[0] - half, centres[0] + half])
    mids = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate(
        [[centres[0] - (mids[0] - centres[0])], mids, [centres[-1] + (centres[-1] - mids[-1])]]
    )


def plot_settlement_by_group(
    table: pd.DataFrame,
    by: str,
    *,
    ax: Axes | None = None,
    xlabel: str | None = None,
    horizon: int | None = None,
    round_days: int | None = 30,
) -> Figure:
    """Settlement probability per group (e.g. per mediator strategy) with 95% error bars.

    Args:
        table: `sim.reports.analysis.settlement_probability(runs, by=by)` output.
    """
    with style():
        fig, ax = figure_and_axes(ax)
        labels = [value_label(v) for v in table[by]]
        pos = np.arange(len(labels))
        p = table["p_settlement"].to_numpy(dtype=float)
        # Clipped at 0: an interval computed elsewhere may miss the estimate by round-off.
        err = np.maximum(
            np.vstack(
                [
                    p - table["p_settlement_low"].to_numpy(dtype=float),
                    table["p_settlement_high"].to_numpy(dtype=float) - p,
                ]
            ),
            0.0,
        )
        ax.errorbar(pos, p, yerr=err, fmt="o", color=PALETTE[0], capsize=3, label=PROBABILITY_LABEL)
        category_ticks(ax, pos, labels)
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_ylim(0.0, PROBABILITY_TOP)
        ax.set_xlabel(xlabel or by)
        ax.set_ylabel(probability_label(horizon, round_days))
        return fig


# --------------------------------------------------------------------------------------------
# When: survival and hazard


def plot_survival(
    survival: pd.DataFrame,
    *,
    by: str | None = None,
    ax: Axes | None = None,
    cumulative: bool = False,
    round_days: int | None = 30,
) -> Figure:
    """Kaplan–Meier curves of time to settlement, one step line (and 95% band) per group.

    Args:
        survival: `sim.reports.analysis.survival_table` output.
        by: Its group column, if any.
        cumulative: Plot the cumulative incidence of settlement (1 - survival) instead.
    """
    column = "cumulative_incidence" if cumulative else "survival"
    with style():
        fig, ax = figure_and_axes(ax)
        for i, (key, rows) in enumerate(groups_of(survival, by)):
            colour = group_colour(i)
            t = rows["round"].to_numpy(dtype=float)
            ax.fill_between(
                t,
                rows[f"{column}_low"].to_numpy(dtype=float),
                rows[f"{column}_high"].to_numpy(dtype=float),
                step="post",
                color=colour,
                alpha=0.2,
                linewidth=0,
            )
            ax.step(
                t,
                rows[column].to_numpy(dtype=float),
                where="post",
                color=colour,
                label="all runs" if key is None else value_label(key),
            )
        ax.set_xlabel(time_label(round_days))
        ax.set_ylabel(
            "Share settled (cumulative incidence)" if cumulative else "P(no settlement yet)"
        )
        ax.set_ylim(0.0, 1.0)
        ax.set_xlim(left=0)
        if by is not None:
            ax.legend(title=by, loc="best")
        return fig


def plot_hazard(
    hazard: pd.DataFrame,
    *,
    by: str | None = None,
    ax: Axes | None = None,
    round_days: int | None = 30,
    min_at_risk: int = MIN_AT_RISK,
) -> Figure:
    """Per-round hazard of settlement, one line (and 95% band) per group.

    Args:
        hazard: `sim.reports.analysis.hazard_table` output.
        min_at_risk: Rounds with fewer runs at risk are left out: a hazard over a handful
            of runs is noise, and its interval would swamp the rest of the plot.
    """
    with style():
        fig, ax = figure_and_axes(ax)
        for i, (key, rows) in enumerate(groups_of(hazard, by)):
            rows = rows[rows["at_risk"] >= max(min_at_risk, 1)]
            colour = group_colour(i)
            t = rows["round"].to_numpy(dtype=float)
            ax.fill_between(
                t,
                rows["hazard_low"].to_numpy(dtype=float),
                rows["hazard_high"].to_numpy(dtype=float),
                color=colour,
                alpha=0.2,
                linewidth=0,
            )
            ax.plot(
                t,
                rows["hazard"].to_numpy(dtype=float),
                color=colour,
                marker=".",
                label="all runs" if key is None else value_label(key),
            )
        ax.set_xlabel(time_label(round_days))
        unit = "month" if round_days in (None, 30) else "round"
        ax.set_ylabel(f"Hazard of settlement\n(per {unit}, wars still on)")
        ax.set_ylim(bottom=0.0)
        ax.set_xlim(left=0)
        if by is not None:
            ax.legend(title=by, loc="best")
        return fig


def plot_time_to_settlement(
    survival: pd.DataFrame,
    hazard: pd.DataFrame,
    *,
    by: str | None = None,
    axes: Sequence[Axes] | None = None,
    round_days: int | None = 30,
) -> Figure:
    """Kaplan–Meier survival (left) and per-round hazard (right) side by side.

    Args:
        axes: Two Axes to draw into (default: a new double-column figure).
    """
    with style():
        if axes is None:
            fig = Figure(figsize=(PAGE_WIDTH, 2.6), layout="constrained")
            left, right = fig.subplots(1, 2)
        else:
            if len(axes) != 2:
                raise ValueError(f"plot_time_to_settlement draws two panels; got {len(axes)} axes")
            left, right = axes
            fig = left.figure  # type: ignore[assignment]
        plot_survival(survival, by=by, ax=left, round_days=round_days)
        plot_hazard(hazard, by=by, ax=right, round_days=round_days)
        left.set_title("Time to settlement (Kaplan–Meier, 95% CI)")
        right.set_title(f"Per-round hazard (95% CI; rounds with ≥ {MIN_AT_RISK} at risk)")
        if right.get_legend() is not None:
            right.get_legend().remove()
        return fig


# --------------------------------------------------------------------------------------------
# How: outcome shares


def plot_outcome_shares(
    shares: pd.DataFrame,
    *,
    by: str | None = None,
    ax: Axes | None = None,
    xlabel: str | None = None,
) -> Figure:
    """Stacked bars of the outcome shares at the horizon, one bar per group.

    Args:
        shares: `sim.reports.analysis.outcome_shares` output (long form).
    """
    # Outcomes that never occur stay out of the bars and the legend (e.g. no capitulation).
    occurred = shares.groupby("outcome", observed=True)["runs"].sum()
    order = outcome_order([str(o) for o, n in occurred.items() if n > 0])
    colours = outcome_colours(outcome_order([str(o) for o in shares["outcome"].unique()]))
    if by is None:
        groups = ["all runs"]
        wide = shares.assign(_g="all runs").pivot_table(
            index="_g", columns="outcome", values="share", aggfunc="sum", observed=False
        )
    else:
        wide = shares.pivot_table(
            index=by, columns="outcome", values="share", aggfunc="sum", observed=False, sort=False
        )
        groups = [value_label(v) for v in wide.index]
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reindex(columns=order).fillna(0.0)
    with style():
        width = COLUMN_WIDTH if len(groups) <= 8 else PAGE_WIDTH
        fig, ax = figure_and_axes(ax, width=width)
        pos = np.arange(len(groups))
        bottom = np.zeros(len(groups))
        for name in order:
            height = wide[name].to_numpy(dtype=float)
            ax.bar(
                pos,
                height,
                bottom=bottom,
                color=colours[name],
                label=name,
                width=0.8,
                edgecolor="white",
                linewidth=0.3 if len(groups) <= MAX_TICK_LABELS else 0.0,
            )
            bottom += height
        category_ticks(ax, pos, groups)
        ax.set_ylim(0.0, 1.0)
        ax.set_ylabel("Share of runs at the horizon")
        ax.set_xlabel(xlabel or (by if by is not None else ""))
        ax.grid(False, axis="x")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), reverse=True)
        return fig
