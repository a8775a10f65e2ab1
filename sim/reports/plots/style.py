"""The house style of every figure: sizes, fonts, colours, and the small helpers the
figure modules share."""

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

from sim.model.outcomes import OUTCOMES, REASONS, Refusal

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

# One colour per outcome, the same in every figure (sim.model.outcomes declares them): settled
# greens, stalled greys, capitulations warm, still at war pale.
OUTCOME_COLOURS = {o.label: o.colour for o in OUTCOMES if o.party is None}
# The capitulations' colours, in party order (their labels name the party).
_CAPITULATION_COLOURS = tuple(o.colour for o in OUTCOMES if o.party is not None)
_OUTCOME_FALLBACK = ("#E69F00", "#56B4E9", "#F0E442")

# The constraint that bound when a side refused a text (sim.model.outcomes.REASONS), in its order;
# NONE, an acceptance, is no refusal.
REFUSAL_ORDER = tuple(r.label for r in REASONS if r.name != Refusal.NONE.name)
REFUSAL_MARKERS = {r.label: r.marker for r in REASONS if r.name != Refusal.NONE.name}

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


def figure_and_axes(
    ax: Axes | None, width: float = COLUMN_WIDTH, height: float = 2.4
) -> tuple[Figure, Axes]:
    """The Axes to draw into and its Figure: `ax` if given, else a new figure of this size."""
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def group_colour(i: int) -> str:
    """The palette's colour for the i-th group (strategy, point, party)."""
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


def probability_label(horizon: int | None, round_days: int | None) -> str:
    """The label of a probability axis, with the horizon when it is known."""
    if horizon is None:
        return PROBABILITY_LABEL
    unit = "months" if round_days in (None, 30) else "rounds"
    return f"{PROBABILITY_LABEL}\nwithin {horizon} {unit}"


def groups_of(table: pd.DataFrame, by: str | None) -> list[tuple[Any, pd.DataFrame]]:
    """(value, rows) of each group of `by`, in order of appearance; one group without `by`."""
    if by is None:
        return [(None, table)]
    return [(key, rows) for key, rows in table.groupby(by, sort=False, observed=True)]


def category_ticks(ax: Axes, pos: np.ndarray, labels: Sequence[str]) -> None:
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


def value_label(value: Any) -> str:
    """A value as a legend or a tick shows it (floats without trailing zeros)."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
