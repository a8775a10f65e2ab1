"""One run, round by round: the panels of `negsim plot` on a single-run folder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.model.outcomes import OUTCOMES, Status
from sim.reports.plots.style import (
    _CAPITULATION_COLOURS,
    OUTCOME_COLOURS,
    PAGE_WIDTH,
    PALETTE,
    REFUSAL_MARKERS,
    REFUSAL_ORDER,
    style,
    time_label,
)


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
        trace: `sim.reports.analysis.trace_table` output.
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

        _plot_front(front, trace, t, parties, outside)
        _plot_costs(costs, trace, t, parties, colours, unit)
        _plot_beliefs(beliefs, trace, t, talks, parties, colours, unit, outside)
        _plot_values(values, trace, t, talks, parties, colours, outside)
        _plot_refusals(refusals, trace, parties)
        refusals.set_xlabel(time_label(round_days))
        refusals.set_xlim(0.5, max(float(t.max()) if t.size else 1.0, 1.0) + 0.5)
        if title is not None:
            fig.suptitle(title)
        return fig


def _plot_front(
    front: Axes, trace: pd.DataFrame, t: np.ndarray, parties: Sequence[str], outside: dict[str, Any]
) -> None:
    """The front line, with the rounds under an agreement or a frozen front shaded."""
    a, b = parties
    front.plot(t, 100.0 * trace["control"].to_numpy(dtype=float), color="black", label="front line")
    front.set_ylabel(f"Control by {a}\n(% of {b}'s territory)")
    _shade_status(front, trace)
    front.legend(**outside)


def _plot_costs(
    costs: Axes,
    trace: pd.DataFrame,
    t: np.ndarray,
    parties: Sequence[str],
    colours: dict[str, str],
    unit: str,
) -> None:
    """Exhaustion of each side, and its cost per round on a second axis."""
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


def _plot_beliefs(
    beliefs: Axes,
    trace: pd.DataFrame,
    t: np.ndarray,
    talks: np.ndarray,
    parties: Sequence[str],
    colours: dict[str, str],
    unit: str,
    outside: dict[str, Any],
) -> None:
    """Each side's belief about the trend of control, against the true trend."""
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


def _plot_values(
    values: Axes,
    trace: pd.DataFrame,
    t: np.ndarray,
    talks: np.ndarray,
    parties: Sequence[str],
    colours: dict[str, str],
    outside: dict[str, Any],
) -> None:
    """Each side's reservation value against the value to it of the text on the table."""
    war_t = np.where(talks, t, np.nan)
    for p in parties:
        reservation = np.where(talks, trace[f"reservation_{p}"].to_numpy(dtype=float), np.nan)
        values.plot(t, reservation, color=colours[p], marker=".", label=f"reservation value {p}")
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


# The states shaded on the front line, in the order of sim.model.outcomes: every one but war and a
# capitulation (a run at war is the plain background, and a capitulation ends it). The legend
# spells out what a bare label leaves short.
_LEGEND_WORDS = {
    Status.FRAMEWORK.name: "framework agreement",
    Status.COMPREHENSIVE.name: "comprehensive agreement",
    Status.FROZEN.name: "frozen conflict",
}
_SHADED = {
    o.label: _LEGEND_WORDS.get(o.name, o.label)
    for o in OUTCOMES
    if o.party is None and o.name != Status.WAR.name
}


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
    for state, label in _SHADED.items():
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
