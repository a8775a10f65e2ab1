"""Figures: functions of tables, never of the simulation.

Every function takes the tables made by `sim.reports.analysis` (or a sensitivity indices table) and
an optional matplotlib Axes, draws, and returns the Figure; none calls `pyplot` (figures are
plain `matplotlib.figure.Figure` objects, so nothing global is left open) and none shows or
saves. One style, `STYLE`, is applied by every function through `style()`: sizes suit a
paper column (`COLUMN_WIDTH` inches single column, `PAGE_WIDTH` double column) at 8 pt.

Time axes count rounds; `time_label(round_days)` says what a round is (a month by default).

    style.py        the house style, colours and shared helpers
    settlement.py   whether, when and how the war ends
    single_run.py   one run, round by round
    indices.py      sensitivity indices
    discovery.py    scenario discovery: PRIM's peeling trajectory and box limits
    forecast.py     forecasts against outcomes: reliability and ROC
"""

from sim.reports.plots.discovery import plot_box_limits, plot_peeling_trajectory
from sim.reports.plots.forecast import plot_reliability, plot_roc
from sim.reports.plots.indices import (
    OUTPUT_LABELS,
    OUTPUT_UNITS,
    SENSITIVITY_MEASURES,
    plot_sensitivity,
)
from sim.reports.plots.settlement import (
    plot_hazard,
    plot_outcome_shares,
    plot_settlement_by_group,
    plot_settlement_heatmap,
    plot_settlement_vs_parameter,
    plot_survival,
    plot_time_to_settlement,
)
from sim.reports.plots.single_run import plot_run
from sim.reports.plots.style import (
    COLUMN_WIDTH,
    MIN_AT_RISK,
    OUTCOME_COLOURS,
    PAGE_WIDTH,
    PALETTE,
    PROBABILITY_LABEL,
    REFUSAL_MARKERS,
    REFUSAL_ORDER,
    STYLE,
    outcome_colours,
    style,
    time_label,
)

__all__ = [
    "COLUMN_WIDTH",
    "MIN_AT_RISK",
    "OUTCOME_COLOURS",
    "OUTPUT_LABELS",
    "OUTPUT_UNITS",
    "PAGE_WIDTH",
    "PALETTE",
    "PROBABILITY_LABEL",
    "REFUSAL_MARKERS",
    "REFUSAL_ORDER",
    "SENSITIVITY_MEASURES",
    "STYLE",
    "outcome_colours",
    "plot_box_limits",
    "plot_hazard",
    "plot_outcome_shares",
    "plot_peeling_trajectory",
    "plot_reliability",
    "plot_roc",
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
