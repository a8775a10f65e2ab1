"""Analysis of result tables: settlement probability, time to settlement, outcome shares.

Every function here takes per-run tables (rows as made by `sim.reports.results.engine_table`, plus
grouping columns such as `strategy`, `point` or swept parameters) and returns a pandas
table. None of them runs the simulation, and none touches files or plots.

Time to settlement is the round of the first agreement (comprehensive or framework),
`settlement_round`. Censoring follows one rule throughout, and the rule matters:

* A run still at war at the horizon is censored at the horizon (administrative censoring).
* A run that ended in a frozen conflict or a capitulation can never settle afterwards
  (those states are absorbing). Censoring it at the round it ended would treat it as if it
  could still have settled later with the same chance as the runs still at war; that
  censoring is informative and would inflate the Kaplan–Meier settlement curve. We instead
  keep such runs in the risk set up to the horizon, where they are censored: they are
  "never settled within the horizon". This is the risk set of the subdistribution hazard of
  Fine & Gray (1999). Because every run is followed to the same horizon, one minus the
  Kaplan–Meier curve computed this way equals the cumulative incidence of settlement (the
  Aalen–Johansen estimate with frozen conflicts and capitulations as competing events), which
  is also simply the share of runs settled by each round; `survival_table` reports it as
  `cumulative_incidence`.
* The per-round hazard is offered on both risk sets (`hazard_table`): "at_war" (the
  cause-specific hazard: of the wars still on at the start of round t, the share settling in
  t) and "unsettled" (the subdistribution hazard that pairs with the curve above).

Confidence intervals are the Wilson score or Clopper–Pearson exact interval of a proportion
(`sim.reports.intervals`, on scipy, with statsmodels' arithmetic) and lifelines'
Kaplan–Meier with the exponential Greenwood interval.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.model.outcomes import CAPITULATION_PREFIX, OUTCOMES, Status
from sim.reports.intervals import clopper_pearson, wilson
from sim.reports.results import median_settlement_round
from sim.reports.trace import trace_table as trace_table  # one of the tables: re-exported

IntervalMethod = Literal["wilson", "clopper-pearson"]
RiskSet = Literal["at_war", "unsettled"]

# The two intervals we offer.
_INTERVALS = {"wilson": wilson, "clopper-pearson": clopper_pearson}


def _stacking_rank(code: int) -> tuple[int, int]:
    """Where an outcome stacks: settled first (the most complete agreement first), then a
    bare ceasefire (talks go on), then stalled or lost, then still at war."""
    o = OUTCOMES[code]
    if o.settled:
        return (0, -code)
    if code == Status.WAR:
        return (3, code)
    return (2 if o.absorbing else 1, code)


# Outcomes in the order figures stack them, from sim.model.outcomes; the capitulations, one per
# party, share one place under their label's prefix.
OUTCOME_ORDER = tuple(
    dict.fromkeys(
        CAPITULATION_PREFIX.rstrip("_")
        if OUTCOMES[code].party is not None
        else OUTCOMES[code].label
        for code in sorted(range(len(OUTCOMES)), key=_stacking_rank)
    )
)

Groups = str | Sequence[str] | None


def _group_columns(by: Groups) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _check_columns(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(
            f"{what} needs column(s) {missing}; the table has {sorted(map(str, table.columns))}"
        )


def _groups(table: pd.DataFrame, by: Groups) -> list[tuple[tuple[Hashable, ...], pd.DataFrame]]:
    """(key, rows) per group in sorted key order; one group with key () when `by` is None."""
    cols = _group_columns(by)
    if not cols:
        return [((), table)]
    _check_columns(table, cols, "grouping")
    out = []
    for key, rows in table.groupby(cols, sort=True, observed=True, dropna=False):
        out.append((key if isinstance(key, tuple) else (key,), rows))
    return out


def proportion_interval(
    successes: Any, n: Any, *, alpha: float = 0.05, method: IntervalMethod = "wilson"
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided confidence interval of a binomial proportion (vectorised).

    Args:
        successes: Count(s) of successes.
        n: Count(s) of trials; where 0 the interval is NaN.
        alpha: 1 - confidence level.
        method: "wilson" (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it) or
            "clopper-pearson" (exact, conservative; Clopper & Pearson 1934).
    """
    if method not in _INTERVALS:
        raise ValueError(f"method must be one of {sorted(_INTERVALS)}, got {method!r}")
    x = np.atleast_1d(np.asarray(successes, dtype=float))
    m = np.atleast_1d(np.asarray(n, dtype=float))
    low = np.full(np.broadcast(x, m).shape, np.nan)
    high = low.copy()
    ok = np.broadcast_to(m > 0, low.shape)
    if ok.any():
        xs, ms = np.broadcast_to(x, low.shape)[ok], np.broadcast_to(m, low.shape)[ok]
        lo, hi = _INTERVALS[method](xs, ms, alpha)
        # The formulas can return a hair outside [0, 1] through round-off.
        low[ok] = np.clip(lo, 0.0, 1.0)
        high[ok] = np.clip(hi, 0.0, 1.0)
        # ...and a hair inside at 0 or n successes, where both methods give exactly 0 and 1.
        low[ok] = np.where(xs <= 0, 0.0, low[ok])
        high[ok] = np.where(xs >= ms, 1.0, high[ok])
    return low, high


# --------------------------------------------------------------------------------------------
# Whether: settlement probability


def settlement_probability(
    table: pd.DataFrame,
    by: Groups = None,
    *,
    alpha: float = 0.05,
    method: IntervalMethod = "wilson",
) -> pd.DataFrame:
    """Probability of a settlement within the horizon, per group, with its interval.

    Returns one row per group: the group columns, `runs`, `settled`, `p_settlement`,
    `p_settlement_low`, `p_settlement_high`, `median_settlement_round` (nullable: runs that
    never settle are censored, so it exists only when at least half settle) and `collapsed`
    (settled runs whose agreement later collapsed). These names match a sweep's
    summary.parquet.
    """
    _check_columns(table, ["settlement_round", "collapse_round"], "settlement_probability")
    cols = _group_columns(by)
    rows = []
    for key, part in _groups(table, by):
        settled_mask = part["settlement_round"].notna()
        n = len(part)
        rows.append(
            {
                **dict(zip(cols, key, strict=True)),
                "runs": n,
                "settled": int(settled_mask.sum()),
                "median_settlement_round": median_settlement_round(part["settlement_round"], n),
                "collapsed": int((settled_mask & part["collapse_round"].notna()).sum()),
            }
        )
    out = pd.DataFrame(
        rows, columns=[*cols, "runs", "settled", "median_settlement_round", "collapsed"]
    )
    out["p_settlement"] = np.where(
        out["runs"] > 0, out["settled"] / out["runs"].clip(lower=1), np.nan
    )
    low, high = proportion_interval(out["settled"], out["runs"], alpha=alpha, method=method)
    out["p_settlement_low"] = low
    out["p_settlement_high"] = high
    out["median_settlement_round"] = pd.array(out["median_settlement_round"], dtype="Int64")
    return out[
        [
            *cols,
            "runs",
            "settled",
            "p_settlement",
            "p_settlement_low",
            "p_settlement_high",
            "median_settlement_round",
            "collapsed",
        ]
    ]


def settlement_vs_parameter(
    table: pd.DataFrame,
    parameter: str,
    *,
    alpha: float = 0.05,
    method: IntervalMethod = "wilson",
) -> pd.DataFrame:
    """Settlement probability against one parameter, pooling every run with that value.

    With other swept parameters in the table this is the parameter's main effect: the
    probability averaged over the other parameters' values, each point weighted by its runs.
    """
    out = settlement_probability(table, by=parameter, alpha=alpha, method=method)
    return out.sort_values(parameter, kind="stable").reset_index(drop=True)


def settlement_grid(
    table: pd.DataFrame,
    x: str,
    y: str,
    *,
    alpha: float = 0.05,
    method: IntervalMethod = "wilson",
) -> pd.DataFrame:
    """Settlement probability over two parameters: one row per (x, y) cell (tidy form;
    `grid_matrix` pivots it for a heat map). Other swept parameters are pooled."""
    if x == y:
        raise ValueError(f"a grid needs two different parameters, got {x!r} twice")
    out = settlement_probability(table, by=[x, y], alpha=alpha, method=method)
    return out.sort_values([y, x], kind="stable").reset_index(drop=True)


def grid_matrix(grid: pd.DataFrame, x: str, y: str, value: str = "p_settlement") -> pd.DataFrame:
    """Pivot a `settlement_grid` table: rows are y values, columns x values (NaN: no runs)."""
    return grid.pivot_table(index=y, columns=x, values=value, aggfunc="first", dropna=False)


# --------------------------------------------------------------------------------------------
# When: time to settlement


def _horizons(table: pd.DataFrame, horizon: int | None) -> np.ndarray:
    """Per-row horizon: a `horizon` column (a sweep over the horizon) wins over the argument."""
    if "horizon" in table.columns:
        return table["horizon"].to_numpy(dtype=np.int64)
    if horizon is None:
        raise ValueError("the horizon is needed (pass horizon=, or a `horizon` column)")
    if horizon < 1:
        raise ValueError(f"horizon must be a positive number of rounds, got {horizon}")
    return np.full(len(table), int(horizon), dtype=np.int64)


def time_to_settlement(table: pd.DataFrame, horizon: int | None = None) -> pd.DataFrame:
    """Duration and event indicator per run, for survival analysis.

    `duration` is the settlement round for settled runs and the horizon for every other run
    (still at war, frozen or capitulated: censored at the horizon, see the module docstring);
    `settled` is the event indicator. `at_war_until` is the last round in which the run could
    still have settled: the horizon, or for a run that ended without settling the round it
    froze (the freeze comes after that round's talks) or the round before it capitulated
    (capitulation comes before the talks).
    """
    _check_columns(table, ["settlement_round"], "time_to_settlement")
    h = _horizons(table, horizon)
    settled = table["settlement_round"].notna().to_numpy()
    rounds = table["settlement_round"].fillna(0).to_numpy(dtype=np.int64)
    if (rounds[settled] > h[settled]).any() or (rounds[settled] < 1).any():
        raise ValueError("settlement_round outside 1..horizon: wrong horizon for this table?")
    duration = np.where(settled, rounds, h)
    at_war_until = h.copy()
    if "end_round" in table.columns:
        ended = table["end_round"].notna().to_numpy() & ~settled
        end = table["end_round"].fillna(0).to_numpy(dtype=np.int64)
        capitulated = np.zeros(len(table), dtype=bool)
        if "outcome" in table.columns:
            capitulated = (
                table["outcome"].astype(str).str.startswith(CAPITULATION_PREFIX).to_numpy()
            )
        at_war_until = np.where(ended, np.where(capitulated, end - 1, end), at_war_until)
    at_war_until = np.where(settled, duration, np.minimum(at_war_until, h))
    return pd.DataFrame(
        {"duration": duration, "settled": settled, "at_war_until": at_war_until},
        index=table.index,
    )


def _risk_counts(
    until: pd.Series, duration: pd.Series, settled: pd.Series, last: int
) -> tuple[np.ndarray, np.ndarray]:
    """Runs at risk in rounds 1..last (still in the risk set through `until`) and
    settlements in each of those rounds, by counting (linear in the runs)."""
    u = np.clip(until.to_numpy(dtype=np.int64), 0, last)
    leaving = np.bincount(u, minlength=last + 1)  # runs whose last round at risk is u
    # at risk in round t = runs with until >= t = n - runs with until <= t - 1
    at_risk = len(u) - np.cumsum(leaving)[:-1]
    d = duration.to_numpy(dtype=np.int64)[settled.to_numpy(dtype=bool)]
    events = np.bincount(d, minlength=last + 1)[1 : last + 1]
    return at_risk, events


def survival_table(
    table: pd.DataFrame,
    horizon: int | None = None,
    by: Groups = None,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Kaplan–Meier curve of time to settlement per group (lifelines).

    One row per group and round 0..horizon: `at_risk` (runs not settled before the round),
    `settled` (first agreements in the round), `survival` (probability of no settlement by
    the end of the round) with `survival_low`/`survival_high` (exponential Greenwood
    interval), and `cumulative_incidence` = 1 - survival with its interval. Runs that never
    settle are censored at the horizon (see the module docstring for why).
    """
    # Imported here: lifelines takes most of a second to import, and only this table needs it.
    from lifelines import KaplanMeierFitter

    cols = _group_columns(by)
    frames = []
    for key, part in _groups(table, by):
        tts = time_to_settlement(part, horizon)
        # Every round up to the horizon, even when all runs settled earlier.
        last = max(int(tts["duration"].max()) if len(tts) else 0, int(horizon or 0))
        timeline = np.arange(0, last + 1)
        kmf = KaplanMeierFitter(alpha=alpha)
        kmf.fit(tts["duration"], tts["settled"], timeline=timeline)
        survival = kmf.survival_function_.iloc[:, 0].to_numpy()
        ci = kmf.confidence_interval_survival_function_.to_numpy()
        low, high = ci[:, 0], ci[:, 1]
        # Greenwood's variance is 0 before the first event and undefined once the curve hits
        # 0; there the curve is known exactly from the runs at risk.
        exact = survival >= 1.0
        low = np.where(exact, 1.0, low)
        high = np.where(exact, 1.0, high)
        zero = survival <= 0.0
        low = np.where(zero, 0.0, low)
        high = np.where(zero & np.isnan(high), 0.0, high)
        at_risk, events = _risk_counts(tts["duration"], tts["duration"], tts["settled"], last)
        frame = pd.DataFrame(
            {
                "round": timeline,
                "at_risk": np.concatenate([[len(tts)], at_risk]),
                "settled": np.concatenate([[0], events]),
                "survival": survival,
                "survival_low": low,
                "survival_high": high,
                "cumulative_incidence": 1.0 - survival,
                "cumulative_incidence_low": 1.0 - high,
                "cumulative_incidence_high": 1.0 - low,
            }
        )
        for c, v in zip(cols, key, strict=True):
            frame.insert(cols.index(c), c, v)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def hazard_table(
    table: pd.DataFrame,
    horizon: int | None = None,
    by: Groups = None,
    *,
    risk_set: RiskSet = "at_war",
    alpha: float = 0.05,
    method: IntervalMethod = "wilson",
) -> pd.DataFrame:
    """Discrete per-round hazard of settlement: settlements in round t / runs at risk in t.

    Args:
        risk_set: "at_war" counts the runs that have neither settled nor ended (frozen,
            capitulated) before round t: the cause-specific hazard, "of the wars still on,
            the share that settle this month". "unsettled" counts every run not yet settled:
            the subdistribution hazard whose product gives `survival_table`'s curve.

    Returns:
        One row per group and round 1..horizon: `at_risk`, `settled`, `hazard`,
        `hazard_low`, `hazard_high` (binomial interval per round; NaN with nobody at risk).
    """
    if risk_set not in ("at_war", "unsettled"):
        raise ValueError(f"risk_set must be 'at_war' or 'unsettled', got {risk_set!r}")
    cols = _group_columns(by)
    frames = []
    for key, part in _groups(table, by):
        tts = time_to_settlement(part, horizon)
        until = tts["at_war_until"] if risk_set == "at_war" else tts["duration"]
        last = int(_horizons(part, horizon).max()) if len(part) else int(horizon or 0)
        rounds = np.arange(1, last + 1)
        at_risk, events = _risk_counts(until, tts["duration"], tts["settled"], last)
        with np.errstate(invalid="ignore", divide="ignore"):
            hazard = np.where(at_risk > 0, events / np.maximum(at_risk, 1), np.nan)
        low, high = proportion_interval(events, at_risk, alpha=alpha, method=method)
        frame = pd.DataFrame(
            {
                "round": rounds,
                "at_risk": at_risk,
                "settled": events,
                "hazard": hazard,
                "hazard_low": low,
                "hazard_high": high,
            }
        )
        for c, v in zip(cols, key, strict=True):
            frame.insert(cols.index(c), c, v)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def settlement_time_summary(
    table: pd.DataFrame, horizon: int | None = None, by: Groups = None
) -> pd.DataFrame:
    """Always-defined summaries of when settlement happens, per group.

    * `median_settlement_round`: the median round of settlement with never-settled runs
      censored (NA when fewer than half settle: the median lies beyond the horizon).
    * `median_settlement_round_imputed`: the same, but reading "beyond the horizon" as the
      horizon, so it is always defined (a lower bound where fewer than half settle).
    * `restricted_mean_settlement_round`: the restricted mean time to settlement up to the
      horizon (Royston & Parmar 2013), the area under the Kaplan–Meier curve from 0 to the
      horizon. With censoring only at the horizon it equals the mean of min(settlement round,
      horizon). It is always defined, smooth in the parameters, and uses every run: the
      quantity of choice for a sensitivity analysis of "when".
    """
    cols = _group_columns(by)
    rows = []
    for key, part in _groups(table, by):
        tts = time_to_settlement(part, horizon)
        n = len(part)
        median = median_settlement_round(part["settlement_round"], n)
        h = _horizons(part, horizon)
        rows.append(
            {
                **dict(zip(cols, key, strict=True)),
                "runs": n,
                "median_settlement_round": median,
                "median_settlement_round_imputed": (
                    median if median is not None else (int(h.max()) if n else None)
                ),
                "restricted_mean_settlement_round": (
                    float(np.minimum(tts["duration"].to_numpy(), h).mean()) if n else math.nan
                ),
            }
        )
    out = pd.DataFrame(rows)
    for c in ("median_settlement_round", "median_settlement_round_imputed"):
        out[c] = pd.array(out[c], dtype="Int64")
    return out


# --------------------------------------------------------------------------------------------
# How: outcome shares


def outcome_order(outcomes: Sequence[str]) -> list[str]:
    """Outcomes in stacking order: comprehensive, framework, frozen, capitulations, ongoing;
    unknown outcomes (a future model's) after the known ones, alphabetically."""

    def rank(name: str) -> tuple[int, str]:
        for i, prefix in enumerate(OUTCOME_ORDER):
            if name == prefix or name.startswith(prefix + "_"):
                return (i, name)
        return (len(OUTCOME_ORDER), name)

    return sorted(outcomes, key=rank)


def outcome_shares(table: pd.DataFrame, by: Groups = None) -> pd.DataFrame:
    """Share of runs ending in each outcome at the horizon, per group.

    Long form: group columns, `outcome`, `runs` (count), `share`; every outcome the table
    knows (its categories) appears for every group, with zero counts where none occurred.
    """
    _check_columns(table, ["outcome"], "outcome_shares")
    cols = _group_columns(by)
    outcome = table["outcome"]
    known = (
        list(outcome.cat.categories)
        if isinstance(outcome.dtype, pd.CategoricalDtype)
        else sorted(outcome.astype(str).unique())
    )
    order = outcome_order([str(o) for o in known])
    frames = []
    for key, part in _groups(table, by):
        counts = part["outcome"].astype(str).value_counts()
        n = len(part)
        frame = pd.DataFrame(
            {
                "outcome": order,
                "runs": [int(counts.get(o, 0)) for o in order],
            }
        )
        frame["share"] = frame["runs"] / n if n else np.nan
        for c, v in zip(cols, key, strict=True):
            frame.insert(cols.index(c), c, v)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["outcome"] = pd.Categorical(out["outcome"], categories=order, ordered=True)
    return out
