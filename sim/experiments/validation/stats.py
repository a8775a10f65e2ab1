"""The statistics of validation checks: their names (a small language, parsed by
`parse_stat`), the per-run quantities they are built from (`run_frame`), and the duration
functionals (median, survival, Weibull shape, late hazard ratio).

Every statistic is a ratio of sums over runs (a share, a hazard as events per round at risk)
or a functional of a duration histogram, so a bootstrap recomputes it from weighted sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from sim import schema
from sim.errors import ConfigError
from sim.model.outcomes import (
    CAPITULATION_PREFIX,
    ENDINGS,
    OUTCOMES,
    Status,
    ending_of_label,
    party_free_labels,
)

# States a run can be in at the horizon, besides a party's capitulation, which is named
# after the party: capitulation_<party>.
OUTCOME_STATES = party_free_labels()
CAPITULATION = CAPITULATION_PREFIX
TIMES = ("war_duration", "settlement_round", "ceasefire_round")
# How a run whose fighting stopped in the round of its first agreement, or of its first
# bare ceasefire, or that never stopped, is counted.
_AGREEMENT = OUTCOMES[Status.FRAMEWORK].ending
_CEASEFIRE = OUTCOMES[Status.CEASEFIRE].ending
_ONGOING = OUTCOMES[Status.WAR].ending


def is_share(stat: Stat) -> bool:
    """Statistics that are shares of runs (or of first agreements), in [0, 1]."""
    return stat.what in (
        "p_settlement",
        "ending",
        "outcome",
        "collapse_within",
        "ceasefire_collapse_within",
    ) or stat.what.endswith(".longer_than")


@dataclass(frozen=True)
class Stat:
    """A parsed statistic: a ratio of sums (`family` "ratio") or a duration functional."""

    name: str
    family: str  # "ratio" or "duration"
    what: str
    arg: float | None = None
    endings: tuple[str, ...] = ()


def parse_stat(text: str, where: str = "stat") -> Stat:
    """Statistic names (validation/README.md)::

    p_settlement                       share of runs with a first agreement in the horizon
    ending:agreement+ceasefire         share of runs whose fighting first stopped that way
    outcome:comprehensive+framework    share of runs in that state at the horizon
    collapse_hazard                    collapses per round a standing agreement was at risk
    collapse_hazard_after_exit         the same, counting only rounds after the mediator left
    ceasefire_hazard                   breakdowns per round a bare ceasefire was at risk
    collapse_within:K                  first agreements that collapsed within K rounds
    ceasefire_collapse_within:K        first ceasefires that broke down within K rounds
    <time>.median | <time>.longer_than:T | <time>.weibull_shape | <time>.hazard_ratio_late:T
        with <time> war_duration (rounds until the fighting first stopped) or
        settlement_round (rounds until the first agreement) or ceasefire_round (rounds
        until the first bare ceasefire)
    """
    name, _, arg = text.partition(":")
    if (
        name
        in ("p_settlement", "collapse_hazard", "collapse_hazard_after_exit", "ceasefire_hazard")
        and not arg
    ):
        return Stat(text, "ratio", name)
    if name == "outcome":
        outcomes = tuple(arg.split("+")) if arg else ()
        known = [*OUTCOME_STATES, f"{CAPITULATION}<party>"]
        for outcome in outcomes or ("",):
            party = outcome.removeprefix(CAPITULATION) if outcome.startswith(CAPITULATION) else ""
            if outcome not in OUTCOME_STATES and not party:
                # Misspelt, it would match no run and give 0 without a word.
                raise ConfigError(
                    where,
                    text,
                    f"outcome:<outcomes at the horizon joined by +>, outcomes from {known}",
                    hint=schema.suggest(outcome, [*OUTCOME_STATES, _capitulation_of(outcome)]),
                )
        return Stat(text, "ratio", "outcome", endings=outcomes)
    if name == "ending":
        endings = tuple(arg.split("+")) if arg else ()
        wrong = [e for e in endings if e not in ENDINGS]
        if not endings or wrong:
            raise ConfigError(
                where,
                text,
                f"ending:<kinds joined by +>, kinds from {list(ENDINGS)}",
                hint=schema.suggest(wrong[0], ENDINGS) if wrong else None,
            )
        return Stat(text, "ratio", "ending", endings=endings)
    if name in ("collapse_within", "ceasefire_collapse_within"):
        return Stat(text, "ratio", name, arg=_stat_arg(arg, text, where))
    time, _, fn = name.partition(".")
    if time in TIMES:
        if fn in ("median", "weibull_shape") and not arg:
            return Stat(text, "duration", f"{time}.{fn}")
        if fn in ("longer_than", "hazard_ratio_late"):
            return Stat(text, "duration", f"{time}.{fn}", arg=_stat_arg(arg, text, where))
    options = [
        "p_settlement",
        "ending:<kinds>",
        "outcome:<outcomes>",
        "collapse_hazard",
        "collapse_hazard_after_exit",
        "ceasefire_hazard",
        "collapse_within:K",
        "ceasefire_collapse_within:K",
    ] + [
        f"{t}.{f}"
        for t in TIMES
        for f in ("median", "longer_than:T", "weibull_shape", "hazard_ratio_late:T")
    ]
    raise ConfigError(where, text, f"a statistic, one of {options}")


def _capitulation_of(outcome: str) -> str:
    # What a misspelt capitulation_<party> most likely meant: the same party.
    return CAPITULATION + (outcome.partition("_")[2] or "<party>")


def _stat_arg(arg: str, text: str, where: str) -> float:
    try:
        value = float(arg)
    except ValueError:
        raise ConfigError(where, text, "a numeric argument after ':' (rounds)") from None
    if not (math.isfinite(value) and value == int(value) and value >= 1):
        raise ConfigError(where, text, "a whole number of rounds >= 1 after ':'")
    return value


def run_frame(table: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Per-run quantities every statistic is built from."""
    censored = horizon + 1
    settle = table["settlement_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    truce = table["first_ceasefire_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    end = table["end_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    stop = np.minimum(np.minimum(settle, truce), end)
    outcome = table["outcome"].astype(str).to_numpy()
    ending = np.full(len(table), _ONGOING, dtype=object)
    # A run that ended (frozen, or a capitulation) before any agreement or ceasefire: its
    # outcome's ending (one look-up per label, not per run).
    ended = np.isfinite(stop) & (stop == end)
    by_label = {label: ending_of_label(label) for label in np.unique(outcome[ended])}
    ending[ended] = pd.Series(outcome[ended]).map(by_label).to_numpy(object)
    ending[np.isfinite(truce) & (stop == truce)] = _CEASEFIRE
    ending[np.isfinite(settle) & (stop == settle)] = _AGREEMENT
    collapse = table["collapse_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    truce_end = (
        table["first_ceasefire_collapse_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    )
    with np.errstate(invalid="ignore"):  # inf - inf: no first event, gap undefined (nan)
        first_collapse_gap = collapse - settle
        truce_gap = truce_end - truce
    return pd.DataFrame(
        {
            "settled": np.isfinite(settle),
            "settlement_round": np.where(np.isfinite(settle), settle, censored).astype(int),
            "ceasefire_round": np.where(np.isfinite(truce), truce, censored).astype(int),
            "outcome": outcome,
            "war_duration": np.where(np.isfinite(stop), stop, censored).astype(int),
            "ending": ending,
            "first_collapse_gap": first_collapse_gap,
            "settle_time": settle,
            "truce_time": truce,
            "truce_gap": truce_gap,
            "collapses": table["collapses"].to_numpy(float),
            "agreement_rounds": table["agreement_rounds"].to_numpy(float),
            "collapses_after_exit": table["collapses_after_exit"].to_numpy(float),
            "agreement_rounds_after_exit": table["agreement_rounds_after_exit"].to_numpy(float),
            "ceasefire_collapses": table["ceasefire_collapses"].to_numpy(float),
            "ceasefire_rounds": table["ceasefire_rounds"].to_numpy(float),
        }
    )


def numerator_denominator(
    stat: Stat, f: pd.DataFrame, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """A ratio statistic's numerator and denominator, per run."""
    one = np.ones(len(f))
    if stat.what == "p_settlement":
        return f["settled"].to_numpy(float), one
    if stat.what == "ending":
        return f["ending"].isin(stat.endings).to_numpy(float), one
    if stat.what == "outcome":
        return f["outcome"].isin(stat.endings).to_numpy(float), one
    if stat.what == "collapse_hazard":
        return f["collapses"].to_numpy(), f["agreement_rounds"].to_numpy()
    if stat.what == "collapse_hazard_after_exit":
        return f["collapses_after_exit"].to_numpy(), f["agreement_rounds_after_exit"].to_numpy()
    if stat.what == "ceasefire_hazard":
        return f["ceasefire_collapses"].to_numpy(), f["ceasefire_rounds"].to_numpy()
    k = float(stat.arg)  # type: ignore[arg-type]
    start, gap = (
        ("settle_time", "first_collapse_gap")
        if stat.what == "collapse_within"
        else ("truce_time", "truce_gap")
    )
    # Only first agreements (ceasefires) made early enough to be watched for K rounds count.
    observed = f[start].to_numpy() <= horizon - k
    return (observed & (f[gap].to_numpy() <= k)).astype(float), observed.astype(float)


def weighted_ratio(num: np.ndarray, den: np.ndarray, w: np.ndarray) -> np.ndarray:
    top, bottom = w @ num, w @ den
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)


def duration_value(stat: Stat, hist: np.ndarray, horizon: int) -> float:
    """A functional of a histogram of durations 1..horizon, with bin horizon+1 = censored."""
    n = hist.sum()
    if n <= 0:
        return math.nan
    fn = stat.what.split(".", 1)[1]
    surv = 1.0 - np.cumsum(hist[:-1]) / n  # S(t) for t = 1..horizon (censoring only at H)
    if fn == "median":
        below = np.flatnonzero(surv <= 0.5)
        return float(below[0] + 1) if below.size else math.inf
    if fn == "longer_than":
        t = int(stat.arg)  # type: ignore[arg-type]
        return float(surv[t - 1]) if t <= horizon else math.nan
    if fn == "hazard_ratio_late":
        # Events per round at risk after round T over the same before it: below 1 when the
        # chance of the war ending falls with its age.
        t = int(stat.arg)  # type: ignore[arg-type]
        at_risk = n - np.concatenate([[0.0], np.cumsum(hist[:-1])])[:-1]  # at start of round
        early = hist[:t].sum() / max(at_risk[:t].sum(), 1e-12)
        late = hist[t:horizon].sum() / max(at_risk[t:horizon].sum(), 1e-12)
        return float(late / early) if early > 0 else math.nan
    return weibull_shape(hist, horizon)


def weibull_shape(hist: np.ndarray, horizon: int) -> float:
    """Maximum-likelihood Weibull shape for durations observed in whole rounds.

    A war ending in round t ended in (t - 1, t]; one still going at the horizon is right-
    censored at `horizon`. The likelihood is that of interval-censored data, exact for
    monthly observation (treating t as an exact time would bias the shape down by the ties).
    """
    counts = hist[:horizon].astype(float)
    cens = float(hist[horizon])
    if counts.sum() <= 0:
        return math.nan  # no war ended: the shape is not identified
    t = np.arange(1, horizon + 1, dtype=float)

    def nll(theta: np.ndarray) -> float:
        log_k, log_lam = theta
        k, lam = math.exp(log_k), math.exp(log_lam)
        s_hi = np.exp(-((t / lam) ** k))
        s_lo = np.exp(-(((t - 1.0) / lam) ** k))
        p = np.clip(s_lo - s_hi, 1e-300, None)
        ll = counts @ np.log(p) - cens * (horizon / lam) ** k
        return -float(ll)

    start = np.array([0.0, math.log(max(float((counts * t).sum() / max(counts.sum(), 1.0)), 1.0))])
    res = optimize.minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 2000}
    )
    return float(math.exp(res.x[0]))
