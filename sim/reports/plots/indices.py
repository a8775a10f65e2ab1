"""Which parameters matter: sensitivity indices with their intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.reports.plots.style import COLUMN_WIDTH, PAGE_WIDTH, PALETTE, style

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
