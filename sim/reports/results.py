"""Per-run tables and their summaries (probabilities with intervals, censored times)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from sim.model.bargaining import utilities
from sim.model.calendar import MONTH_DAYS, round_month, year_ends
from sim.model.engine import Engine
from sim.model.outcomes import KIND_NAMES, outcome_labels
from sim.model.state import RunState
from sim.reports.intervals import wilson


def _rounds(arr: np.ndarray) -> pd.arrays.IntegerArray:
    """Rounds counted from 1; missing where the event did not happen (-1)."""
    return pd.arrays.IntegerArray(np.where(arr > 0, arr, 0), arr <= 0)


def _round(get: Callable[[RunState], np.ndarray]) -> Callable[[RunState], Any]:
    return lambda s: _rounds(get(s))


# The runs table's column of the round a camp member left the war, by member.
EXIT_PREFIX = "exit_round_"

# None where a run has no agreement: a missing value in the string column.
_KINDS = np.array([KIND_NAMES.get(k) for k in range(max(KIND_NAMES) + 1)], dtype=object)

# The runs table's columns after `run` and `outcome`, in order, each from the final state.
# Utilities, terms and the mediator's record follow (`engine_table`).
_RUN_COLUMNS: tuple[tuple[str, Callable[[RunState], Any]], ...] = (
    ("settlement_round", _round(lambda s: s.agreement.first_round)),
    ("first_agreement", lambda s: pd.array(_KINDS[s.agreement.first_kind], dtype="string")),
    ("collapse_round", _round(lambda s: s.agreement.first_collapse_round)),
    ("end_round", _round(lambda s: s.end_round)),
    ("agreements", lambda s: s.agreement.count),
    ("collapses", lambda s: s.agreement.collapses),
    ("first_ripe_round", _round(lambda s: s.talks.first_ripe_round)),
    ("ceasefires", lambda s: s.ceasefire.count),
    ("ceasefire_collapses", lambda s: s.ceasefire.collapses),
    ("ceasefire_breaches", lambda s: s.ceasefire.breaches),
    ("ceasefire_violations", lambda s: s.ceasefire.violations),
    ("steps_pending", lambda s: s.agreement.steps_pending),
    ("steps_carried_round", _round(lambda s: s.agreement.steps_carried_round)),
    ("first_ceasefire_round", _round(lambda s: s.ceasefire.first_round)),
    ("first_ceasefire_collapse_round", _round(lambda s: s.ceasefire.first_collapse_round)),
    ("agreement_rounds", lambda s: s.agreement.rounds),
    ("agreement_rounds_after_exit", lambda s: s.agreement.rounds_after_exit),
    ("collapses_after_exit", lambda s: s.agreement.collapses_after_exit),
    ("ceasefire_rounds", lambda s: s.ceasefire.rounds),
    ("partial_agreements", lambda s: s.agreement.partial),
    ("thaws", lambda s: s.talks.thaws),
    ("final_control", lambda s: s.front.control),
)
_MEDIATOR_COLUMNS: tuple[tuple[str, Callable[[RunState], Any]], ...] = (
    ("mediator_texts", lambda s: s.mediation.texts_proposed),
    ("mediator_carrots", lambda s: s.mediation.carrots_offered),
    ("mediator_threats", lambda s: s.mediation.threats_made),
    ("mediator_sticks", lambda s: s.mediation.sticks_applied),
    ("mediator_bluffs_called", lambda s: s.mediation.bluffs_called),
    ("mediator_withdrawal_round", _round(lambda s: s.mediation.withdrawal_round)),
)


def engine_table(engine: Engine, varying: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """One row per run: outcome, timing, terms, utilities, the mediator's actions."""
    p, state = engine.p, engine.state
    labels = outcome_labels(p.party_names)
    outcome = pd.Categorical.from_codes(
        state.status.astype(np.int64), categories=[labels[i] for i in range(len(labels))]
    )
    cols: dict[str, Any] = {"run": state.runs, "outcome": outcome}
    cols.update((name, column(state)) for name, column in _RUN_COLUMNS)
    for i, party in enumerate(p.party_names):
        cols[f"utility_{party}"] = state.parties.final_utility[:, i]
    if p.member_names:
        # The camps' members (§3.15): their utility of the final terms, and the round each
        # left the war on its own (a lead's capitulation is its camp's: the outcome).
        member = utilities(state.agreement.terms, p.member_ideal, p.member_salience, p.span)
        unsigned = np.isnan(state.agreement.terms).any(axis=1)
        for j, name in enumerate(p.member_names):
            cols[f"utility_{name}"] = np.where(unsigned, np.nan, member[:, j])
        for j, name in enumerate(p.member_names):
            cols[f"{EXIT_PREFIX}{name}"] = _rounds(state.members.exit_round[:, j])
    for j, issue in enumerate(p.issue_names):
        cols[f"terms_{issue}"] = state.agreement.terms[:, j]
    cols.update((name, column(state)) for name, column in _MEDIATOR_COLUMNS)
    for key, values in (varying or {}).items():
        cols[key] = np.broadcast_to(values, state.runs.shape)
    return pd.DataFrame(cols)


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927; recommended by Brown, Cai & DasGupta 2001)."""
    if n == 0:
        return (math.nan, math.nan)
    bounds = wilson(successes, n, alpha)
    low, high = float(bounds[0]), float(bounds[1])
    # The Wilson bounds at 0 and n are exactly 0 and 1; the formula's arithmetic leaves
    # them a rounding error inside, which would put the estimate outside its interval.
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    return low, high


def median_settlement_round(settlement_round: pd.Series, n: int) -> int | None:
    """Median time to first agreement over all `n` runs (see `Tally.median_settlement_round`):
    runs that never settle are censored at the horizon (or end in another way), so the
    median exists only if half settle."""
    rounds = settlement_round.dropna().to_numpy(dtype=np.int64)
    tally = Tally(runs=n, settled=int(rounds.size), settlement_counts=np.bincount(rounds))
    return tally.median_settlement_round()


@dataclass
class Summary:
    runs: int
    seed: int
    horizon: int
    outcomes: dict[str, int]
    p_settlement: float
    p_settlement_ci: tuple[float, float]
    median_settlement_round: int | None
    settled: int
    collapsed: int
    p_collapse_given_settlement: float | None
    extra: dict[str, Any] = field(default_factory=dict)
    # In calendar terms, when the scenario's start is known (`summarise(start=...)`):
    # the month of the median round, and the share settled by the end of each year.
    median_settlement_month: str | None = None
    settlement_by_year: list[dict[str, Any]] | None = None
    # Runs in which each camp member left the war on its own (§3.15); empty with two parties.
    left_war: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "runs": self.runs,
            "seed": self.seed,
            "horizon": self.horizon,
            "outcomes": self.outcomes,
            "outcome_shares": {k: v / self.runs for k, v in self.outcomes.items()},
            "p_settlement": self.p_settlement,
            "p_settlement_ci": list(self.p_settlement_ci),
            "median_settlement_round": self.median_settlement_round,
        }
        if self.settlement_by_year is not None:
            out["median_settlement_month"] = self.median_settlement_month
            out["settlement_by_year"] = [
                {**entry, "p_settlement_ci": list(entry["p_settlement_ci"])}
                for entry in self.settlement_by_year
            ]
        out |= {
            "settled": self.settled,
            "collapsed": self.collapsed,
            "p_collapse_given_settlement": self.p_collapse_given_settlement,
        }
        if self.left_war:
            out["left_war"] = self.left_war
            out["left_war_shares"] = {k: v / self.runs for k, v in self.left_war.items()}
        out.update(self.extra)
        return out


@dataclass
class Tally:
    """What a batch summary needs of its runs, added table by table: the runs, the settled
    and collapsed, the outcome counts and the first agreements per round. Its size is the
    horizon's, whatever the number of runs, so a batch can be summarised as it streams."""

    runs: int = 0
    settled: int = 0
    collapsed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    settlement_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    left_war: dict[str, int] = field(default_factory=dict)

    def add(self, table: pd.DataFrame) -> None:
        settled = table["settlement_round"].notna().to_numpy()
        self.runs += len(table)
        self.settled += int(settled.sum())
        self.collapsed += int((settled & table["collapse_round"].notna().to_numpy()).sum())
        for name, count in table["outcome"].value_counts(sort=False).items():
            self.outcomes[str(name)] = self.outcomes.get(str(name), 0) + int(count)
        rounds = table["settlement_round"].dropna().to_numpy(dtype=np.int64)
        counts = np.bincount(rounds, minlength=self.settlement_counts.size)
        counts[: self.settlement_counts.size] += self.settlement_counts
        self.settlement_counts = counts
        for column in table.columns:
            if str(column).startswith(EXIT_PREFIX):
                name = str(column)[len(EXIT_PREFIX) :]
                left = int(table[column].notna().sum())
                self.left_war[name] = self.left_war.get(name, 0) + left

    def settled_by(self, last_round: int) -> int:
        """Runs whose first agreement came in round `last_round` or before."""
        return int(self.settlement_counts[: last_round + 1].sum())

    def median_settlement_round(self) -> int | None:
        """The round by which half of all runs have settled: runs that never settle are
        censored, so the median exists only when at least half of them settle."""
        need = math.ceil(self.runs / 2)
        if self.runs == 0 or self.settled < need:
            return None
        return int(np.searchsorted(np.cumsum(self.settlement_counts), need))

    def summary(
        self, *, seed: int, horizon: int, start: str | None = None, round_days: int = MONTH_DAYS
    ) -> Summary:
        """The batch summary. With the scenario's `start` (YYYY-MM) and `round_days`, it
        also dates the median settlement and gives the share settled by the end of each
        calendar year."""
        n, settled, collapsed = self.runs, self.settled, self.collapsed
        median = self.median_settlement_round()
        calendar: dict[str, Any] = {}
        if start is not None:
            calendar = {
                "median_settlement_month": None
                if median is None
                else round_month(start, median, round_days),
                "settlement_by_year": self.settlement_by_year(start, horizon, round_days),
            }
        return Summary(
            runs=n,
            seed=seed,
            horizon=horizon,
            outcomes=dict(self.outcomes),
            p_settlement=settled / n if n else math.nan,
            p_settlement_ci=wilson_interval(settled, n),
            median_settlement_round=median,
            settled=settled,
            collapsed=collapsed,
            p_collapse_given_settlement=(collapsed / settled) if settled else None,
            left_war=dict(self.left_war),
            **calendar,
        )

    def settlement_by_year(
        self, start: str, horizon: int, round_days: int = MONTH_DAYS
    ) -> list[dict[str, Any]]:
        """Share of all runs whose first agreement came by the end of each calendar year
        the horizon covers, with its 95% Wilson interval (as `p_settlement`, whose value
        the last entry repeats). A round counts in the year of the month it begins in
        (`sim.model.calendar.round_month`); the horizon's last year may be partial
        (`whole_year`)."""
        n = self.runs
        out = []
        for end in year_ends(start, horizon, round_days):
            settled = self.settled_by(cast(int, end["last_round"]))
            out.append(
                {
                    **end,
                    "settled": settled,
                    "p_settlement": settled / n if n else math.nan,
                    "p_settlement_ci": wilson_interval(settled, n),
                }
            )
        return out


def summarise(
    table: pd.DataFrame,
    *,
    seed: int,
    horizon: int,
    start: str | None = None,
    round_days: int = MONTH_DAYS,
) -> Summary:
    """The batch summary of a per-run table (see `Tally.summary`)."""
    tally = Tally()
    tally.add(table)
    return tally.summary(seed=seed, horizon=horizon, start=start, round_days=round_days)
