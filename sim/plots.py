"""Figures: functions of tables, never of the simulation.

Every function takes the tables made by `sim.analysis` (or a sensitivity indices table) and
an optional matplotlib Axes, draws, and returns the Figure; none calls `pyplot` (figures are
plain `matplotlib.figure.Figure` objects, so nothing global is left open) and none shows or
saves. One style, `STYLE`, is applied by every function through `style()`: sizes suit a
paper column (`COLUMN_WIDTH` inches single column, `PAGE_WIDTH` double column) at 8 pt.

Time axes count rounds; `time_label(round_days)` says what a round is (a month by default).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.analysis import grid_matrix, outcome_order

COLUMN_WIDTH = 3.5  # inches: one column of a two-column paper
PAGE_WIDTH = 7.0  # inches: both columns

STYLE: dict[Any, Any] = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "figure.dpi": 100,
    "savefig.dpi": 150,  # PNG for screens and READMEs; papers take the PDF or SVG
    "savefig.bbox": "tight",
    "image.cmap": "viridis",
}

# Okabe & Ito (2008) colour-blind-safe palette, for groups (strategies, points, parties).
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

# One colour per outcome, the same in every figure: settled greens, stalled greys,
# capitulations warm, still at war pale.
OUTCOME_COLOURS = {
    "comprehensive": "#1B7837",
    "framework": "#7FBF7B",
    "ceasefire": "#A6CEE3",
    "frozen": "#8C96A6",
    "ongoing": "#E0E0E0",
}
_CAPITULATION_COLOURS = ("#D55E00", "#CC79A7")
_OUTCOME_FALLBACK = ("#E69F00", "#56B4E9", "#F0E442")

# The constraint that bound when a side refused a text (sim.engine.Refusal), in its order.
REFUSAL_ORDER = ("terms", "trust", "domestic", "noise", "veto")
REFUSAL_MARKERS = {"terms": "s", "trust": "D", "domestic": "^", "noise": "x", "veto": "v"}

PROBABILITY_LABEL = "Settlement probability"
# Probability axes end a little above 1 so that a marker at p = 1 is drawn whole.
PROBABILITY_TOP = 1.03
# The hazard figure leaves out rounds with fewer runs at risk than this.
MIN_AT_RISK = 20
# Most category labels one axis shows (beyond this, every k-th).
MAX_TICK_LABELS = 30


@contextmanager
def style() -> Iterator[None]:
    """The house style for figures (a matplotlib rc context)."""
    with mpl.rc_context(STYLE):
        yield


def time_label(round_days: int | None = 30) -> str:
    """Label of a time axis counted in rounds."""
    if round_days is None or round_days == 30:
        return "Months from start (rounds)"
    return f"Rounds from start (1 round = {round_days} days)"


def _figure(
    ax: Axes | None, width: float = COLUMN_WIDTH, height: float = 2.4
) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def outcome_colours(outcomes: Sequence[str]) -> dict[str, str]:
    """The colour of each outcome (capitulations by party order, unknown outcomes after)."""
    out: dict[str, str] = {}
    caps = 0
    other = 0
    for name in outcomes:
        if name in OUTCOME_COLOURS:
            out[name] = OUTCOME_COLOURS[name]
        elif name.startswith("capitulation"):
            out[name] = _CAPITULATION_COLOURS[caps % len(_CAPITULATION_COLOURS)]
            caps += 1
        else:
            out[name] = _OUTCOME_FALLBACK[other % len(_OUTCOME_FALLBACK)]
            other += 1
    return out


def _probability_label(horizon: int | None, round_days: int | None) -> str:
    if horizon is None:
        return PROBABILITY_LABEL
    unit = "months" if round_days in (None, 30) else "rounds"
    return f"{PROBABILITY_LABEL}\nwithin {horizon} {unit}"


def _group_labels(table: pd.DataFrame, by: str | None) -> list[tuple[Any, pd.DataFrame]]:
    if by is None:
        return [(None, table)]
    return [(key, rows) for key, rows in table.groupby(by, sort=False, observed=True)]


def _category_ticks(ax: Axes, pos: np.ndarray, labels: Sequence[str]) -> None:
    """Category labels under bars or points: slanted when they would collide (long names
    or many of them), and only every k-th one past MAX_TICK_LABELS."""
    every = max(1, math.ceil(len(labels) / MAX_TICK_LABELS))
    width = ax.get_position().width * cast(Figure, ax.figure).get_size_inches()[0]  # inches
    # About 0.06 in per character at 7 pt.
    slant = max((len(s) for s in labels), default=0) * 0.06 > 0.9 * width / max(len(labels), 1)
    ax.set_xticks(
        pos[::every],
        list(labels)[::every],
        rotation=35 if slant else 0,
        ha="right" if slant else "center",
        rotation_mode="anchor" if slant else "default",
    )


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


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
        table: `sim.analysis.settlement_vs_parameter` output (or `settlement_grid` output
            with `hue` naming the second parameter: one line per value of it).
        parameter: The column on the x axis.
        hue: Optional column: one line per value.
        xlabel: Axis label (default: the parameter's dotted path).
        horizon: The horizon in rounds, for the y label.
    """
    with style():
        fig, ax = _figure(ax)
        for i, (key, rows) in enumerate(_group_labels(table, hue)):
            rows = rows.sort_values(parameter)
            x = rows[parameter].to_numpy(dtype=float)
            label = PROBABILITY_LABEL if hue is None else f"{hue} = {_label(key)}"
            colour = _colour(i)
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
        ax.set_ylabel(_probability_label(horizon, round_days))
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
        fig, ax = _figure(ax, height=2.8)
        mesh = ax.pcolormesh(_edges(xs), _edges(ys), z, vmin=0.0, vmax=1.0, shading="flat")
        mesh.set_gid("p_settlement")
        bar = fig.colorbar(mesh, ax=ax)
        bar.set_label(_probability_label(horizon, round_days))
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
        table: `sim.analysis.settlement_probability(runs, by=by)` output.
    """
    with style():
        fig, ax = _figure(ax)
        labels = [_label(v) for v in table[by]]
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
        _category_ticks(ax, pos, labels)
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_ylim(0.0, PROBABILITY_TOP)
        ax.set_xlabel(xlabel or by)
        ax.set_ylabel(_probability_label(horizon, round_days))
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
        survival: `sim.analysis.survival_table` output.
        by: Its group column, if any.
        cumulative: Plot the cumulative incidence of settlement (1 - survival) instead.
    """
    column = "cumulative_incidence" if cumulative else "survival"
    with style():
        fig, ax = _figure(ax)
        for i, (key, rows) in enumerate(_group_labels(survival, by)):
            colour = _colour(i)
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
                label="all runs" if key is None else _label(key),
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
        hazard: `sim.analysis.hazard_table` output.
        min_at_risk: Rounds with fewer runs at risk are left out: a hazard over a handful
            of runs is noise, and its interval would swamp the rest of the plot.
    """
    with style():
        fig, ax = _figure(ax)
        for i, (key, rows) in enumerate(_group_labels(hazard, by)):
            rows = rows[rows["at_risk"] >= max(min_at_risk, 1)]
            colour = _colour(i)
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
                label="all runs" if key is None else _label(key),
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
        shares: `sim.analysis.outcome_shares` output (long form).
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
        groups = [_label(v) for v in wide.index]
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reindex(columns=order).fillna(0.0)
    with style():
        width = COLUMN_WIDTH if len(groups) <= 8 else PAGE_WIDTH
        fig, ax = _figure(ax, width=width)
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
        _category_ticks(ax, pos, groups)
        ax.set_ylim(0.0, 1.0)
        ax.set_ylabel("Share of runs at the horizon")
        ax.set_xlabel(xlabel or (by if by is not None else ""))
        ax.grid(False, axis="x")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), reverse=True)
        return fig


# --------------------------------------------------------------------------------------------
# One run


def plot_run(
    trace: pd.DataFrame,
    parties: Sequence[str],
    *,
    axes: Sequence[Axes] | None = None,
    round_days: int | None = 30,
    title: str | None = None,
) -> Figure:
    """Panels of one run: front line, exhaustion and costs, beliefs, reservation values
    against the value of the text on the table, and the constraint that bound each refusal.

    Args:
        trace: `sim.analysis.trace_table` output.
        parties: The two party names (A, B), as in the trace's column suffixes.
        axes: Five Axes to draw into (default: a new double-column figure).
    """
    a, b = parties
    t = trace["round"].to_numpy(dtype=float)
    talks = (
        trace["talks"].to_numpy(dtype=bool) if "talks" in trace else np.ones(len(trace), dtype=bool)
    )
    with style():
        if axes is None:
            fig = Figure(figsize=(PAGE_WIDTH, 7.5), layout="constrained")
            axes = fig.subplots(5, 1, sharex=True)
        else:
            if len(axes) != 5:
                raise ValueError(f"plot_run draws five panels; got {len(axes)} axes")
            fig = axes[0].figure  # type: ignore[assignment]
        front, costs, beliefs, values, refusals = axes
        colours = {a: PALETTE[1], b: PALETTE[0]}
        unit = "month" if round_days in (None, 30) else "round"
        outside = {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)}

        front.plot(
            t, 100.0 * trace["control"].to_numpy(dtype=float), color="black", label="front line"
        )
        front.set_ylabel(f"Control by {a}\n(% of {b}'s territory)")
        _shade_status(front, trace)
        front.legend(**outside)

        # Exhaustion is the cumulative cost of war; the cost of each round goes on a second
        # axis, dashed, so a ceasefire (cheaper rounds) shows as a drop.
        per_round = costs.twinx() if any(f"cost_{p}" in trace for p in parties) else None
        for p in parties:
            costs.plot(
                t,
                trace[f"exhaustion_{p}"].to_numpy(dtype=float),
                color=colours[p],
                label=f"exhaustion {p}",
            )
            if per_round is not None and f"cost_{p}" in trace:
                per_round.plot(
                    t,
                    pd.to_numeric(trace[f"cost_{p}"], errors="coerce").to_numpy(dtype=float),
                    color=colours[p],
                    linestyle="--",
                    linewidth=0.8,
                    label=f"cost per {unit} {p} (right)",
                )
        costs.set_ylabel("Exhaustion\n(cumulative cost)")
        handles, labels = costs.get_legend_handles_labels()
        if per_round is not None:
            per_round.set_ylabel(f"Cost per {unit}\n(stakes units)")
            per_round.set_ylim(bottom=0.0)
            per_round.grid(False)
            per_round.spines["right"].set_visible(True)
            more = per_round.get_legend_handles_labels()
            handles, labels = handles + more[0], labels + more[1]
        costs.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.2, 1.0))

        war_t = np.where(talks, t, np.nan)
        if "trend" in trace:
            beliefs.plot(
                t, 100.0 * trace["trend"].to_numpy(dtype=float), color="black", label="true trend"
            )
        for p in parties:
            belief = np.where(talks, trace[f"belief_{p}"].to_numpy(dtype=float), np.nan)
            beliefs.plot(t, 100.0 * belief, color=colours[p], marker=".", label=f"belief {p}")
        beliefs.axhline(0.0, color="grey", linewidth=0.5)
        beliefs.set_ylabel(f"Trend of control\n(% points per {unit})")
        beliefs.legend(**outside)

        for p in parties:
            reservation = np.where(talks, trace[f"reservation_{p}"].to_numpy(dtype=float), np.nan)
            values.plot(
                t, reservation, color=colours[p], marker=".", label=f"reservation value {p}"
            )
            if f"utility_{p}" in trace:
                offer = pd.to_numeric(trace[f"utility_{p}"], errors="coerce").to_numpy(dtype=float)
                values.plot(
                    war_t,
                    offer,
                    color=colours[p],
                    linestyle="none",
                    marker="o",
                    markerfacecolor="none",
                    label=f"text on the table, to {p}",
                )
        values.set_ylabel("Value\n(utility, stakes units)")
        values.legend(**outside)

        _plot_refusals(refusals, trace, parties)
        refusals.set_xlabel(time_label(round_days))
        refusals.set_xlim(0.5, max(float(t.max()) if t.size else 1.0, 1.0) + 0.5)
        if title is not None:
            fig.suptitle(title)
        return fig


def _shade_status(ax: Axes, trace: pd.DataFrame) -> None:
    """Shade the rounds spent under an agreement or a frozen front; mark collapses."""
    if "collapse" in trace:
        collapsed = trace["collapse"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        for i, r in enumerate(trace.loc[collapsed, "round"].to_numpy(dtype=float)):
            ax.axvline(
                r,
                color=_CAPITULATION_COLOURS[0],
                linestyle="--",
                linewidth=0.8,
                label="agreement collapses" if i == 0 else None,
            )
    if "status" not in trace:
        return
    status = trace["status"].astype(str).to_numpy()
    t = trace["round"].to_numpy(dtype=float)
    shades = {
        "ceasefire": "ceasefire",
        "framework": "framework agreement",
        "comprehensive": "comprehensive agreement",
        "frozen": "frozen conflict",
    }
    for state, label in shades.items():
        mask = status == state
        if not mask.any():
            continue
        colour = OUTCOME_COLOURS[state]
        first = True
        for start, stop in _runs_of(mask):
            ax.axvspan(
                t[start] - 0.5,
                t[stop - 1] + 0.5,
                color=colour,
                alpha=0.3,
                linewidth=0,
                label=label if first else None,
            )
            first = False


def _runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index ranges where mask is True."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _plot_refusals(ax: Axes, trace: pd.DataFrame, parties: Sequence[str]) -> None:
    """One row per party: a marker in each round it refused, shaped by the binding constraint;
    a filled dot where it accepted."""
    t = trace["round"].to_numpy(dtype=float)
    seen: set[str] = set()
    for row, p in enumerate(parties):
        y = len(parties) - 1 - row
        if f"accept_{p}" in trace:
            accepted = trace[f"accept_{p}"].fillna(False).to_numpy(dtype=bool)
            ax.plot(
                t[accepted],
                np.full(accepted.sum(), y),
                linestyle="none",
                marker="o",
                color=PALETTE[2],
                label="accepted" if "accepted" not in seen else None,
            )
            seen.add("accepted")
        column = f"refusal_{p}"
        if column not in trace:
            continue
        reasons = trace[column].astype("string").fillna("").to_numpy(dtype=object)
        for i, reason in enumerate(REFUSAL_ORDER):
            mask = reasons == reason
            if not mask.any():
                continue
            ax.plot(
                t[mask],
                np.full(mask.sum(), y),
                linestyle="none",
                marker=REFUSAL_MARKERS[reason],
                color=PALETTE[(i + 3) % len(PALETTE)],
                label=f"refused: {reason}" if reason not in seen else None,
                gid=f"refusal:{p}:{reason}",
            )
            seen.add(reason)
    ax.set_yticks(range(len(parties)), list(reversed(parties)))
    ax.set_ylim(-0.6, len(parties) - 0.4)
    ax.set_ylabel("Answer to the text\n(binding constraint)")
    ax.grid(False, axis="y")
    if seen:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))


# --------------------------------------------------------------------------------------------
# Which parameters matter: sensitivity indices


SENSITIVITY_MEASURES = {
    "sobol": (
        ("S1", "S1_conf", "first order S1 (share of variance)"),
        ("ST", "ST_conf", "total ST (share of variance)"),
    ),
    "morris": (
        ("mu_star", "mu_star_conf", "μ* (mean absolute elementary effect)"),
        ("sigma", None, "σ (spread of the elementary effects)"),
    ),
}

OUTPUT_LABELS = {
    "p_settlement": "Settlement probability",
    "median_settlement_round": "Median round\nof settlement",
    "restricted_mean_settlement_round": "Restricted mean round\nof settlement",
    "p_ceasefire": "Ceasefire probability",
    "restricted_mean_ceasefire_round": "Restricted mean round\nof the first ceasefire",
    "p_ceasefire_breach": "Probability a side\nbreaks a ceasefire",
    "p_collapse": "Probability the first\nagreement collapses",
}
OUTPUT_UNITS = {
    "p_settlement": "probability",
    "median_settlement_round": "rounds",
    "restricted_mean_settlement_round": "rounds",
    "p_ceasefire": "probability",
    "restricted_mean_ceasefire_round": "rounds",
    "p_ceasefire_breach": "probability",
    "p_collapse": "probability",
}


def plot_sensitivity(
    indices: pd.DataFrame,
    *,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Bar chart of sensitivity indices with their 95% intervals, one panel per output.

    Args:
        indices: A sensitivity indices table (columns `output`, `parameter` and either
            S1, S1_conf, ST, ST_conf (Sobol) or mu_star, mu_star_conf, sigma (Morris)).
            Parameters are sorted by the total (or mu*) index of the first output.
        axes: One Axes per output (default: a new figure).
    """
    method = "sobol" if "S1" in indices.columns else "morris"
    measures = SENSITIVITY_MEASURES[method]
    outputs = list(dict.fromkeys(indices["output"]))
    first = indices[indices["output"] == outputs[0]]
    key = measures[1][0] if method == "sobol" else measures[0][0]
    order = list(first.sort_values(key, ascending=True, na_position="first")["parameter"])
    with style():
        if axes is None:
            n = len(outputs)
            height = 0.9 + 0.22 * len(order) * 1.0
            fig = Figure(
                figsize=(PAGE_WIDTH if n > 1 else COLUMN_WIDTH, max(height, 2.0)),
                layout="constrained",
            )
            axes = list(np.atleast_1d(fig.subplots(1, n, sharey=True)))
        else:
            if len(axes) != len(outputs):
                raise ValueError(
                    f"{len(outputs)} outputs need {len(outputs)} axes, got {len(axes)}"
                )
            fig = axes[0].figure  # type: ignore[assignment]
        pos = np.arange(len(order))
        height = 0.38
        for ax, output in zip(axes, outputs, strict=True):
            rows = indices[indices["output"] == output].set_index("parameter").reindex(order)
            for j, (value, conf, label) in enumerate(measures):
                v = rows[value].to_numpy(dtype=float)
                err = rows[conf].to_numpy(dtype=float) if conf is not None else None
                ax.barh(
                    pos + (0.5 - j) * height,
                    np.nan_to_num(v),
                    height=height,
                    xerr=err,
                    color=PALETTE[j],
                    label=label,
                    error_kw={"elinewidth": 0.7, "capsize": 1.5},
                )
            ax.set_title(OUTPUT_LABELS.get(output, output.replace("_", " ")))
            ax.set_xlabel(
                "Sobol index"
                if method == "sobol"
                else f"Elementary effect ({OUTPUT_UNITS.get(output, 'output units')})"
            )
            ax.axvline(0.0, color="grey", linewidth=0.5)
            ax.grid(False, axis="y")
        axes[0].set_yticks(pos, order)
        axes[0].set_ylabel("Parameter")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
        return fig


__all__ = [
    "COLUMN_WIDTH",
    "PAGE_WIDTH",
    "STYLE",
    "plot_hazard",
    "plot_outcome_shares",
    "plot_run",
    "plot_sensitivity",
    "plot_settlement_by_group",
    "plot_settlement_heatmap",
    "plot_settlement_vs_parameter",
    "plot_survival",
    "plot_time_to_settlement",
    "style",
    "time_label",
]
