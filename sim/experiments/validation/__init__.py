"""Validation: declared checks of the model against theory and the historical record.

A check is a YAML file (see validation/README.md): a scenario, optionally an *ensemble* of
heterogeneous scenarios drawn around it, one or more *arms* (variants that differ by a few
overrides, run on common random numbers), and *expectations* on statistics of the arms'
per-run tables. Analytic checks (`kind: fearon | nash | rubinstein`) compute exact
quantities instead (`sim.experiments.analytic`).

Uncertainty. Every statistic is a ratio of sums over runs (a share, a hazard as events per
round at risk) or a functional of a duration histogram (median, survival, Weibull shape), so
the bootstrap is cheap: resample *clusters* with replacement and recompute from weighted
sums. In an ensemble the cluster is the scenario drawn (runs of one scenario are not
independent draws from the population of wars); for a single scenario it is the run. Arms
share clusters (the same ensemble points and run indices), so ratios and differences between
arms are computed within each bootstrap replicate: the pairing of common random numbers is
kept. Intervals are 95% percentile intervals.

Semantics of an expectation:
    between: [lo, hi]   the point estimate lies in the band (a size claim)
    above: x            the whole interval lies above x (a direction claim)
    below: x            the whole interval lies below x
    order: [a, b, ...]  each arm's statistic exceeds the next's, every gap's interval above 0
    at_most: x          exact value (analytic checks) at most x

One module per job:
    checks      what a check declares, once read (Check, Arm, Ensemble, Condition)
    checkfile   reading check files, their shape declared with sim.schema
    stats       the statistics' names, the per-run quantities, the duration functionals
    running     running a check's arms (in worker processes, through sim.experiments.executor)
    bootstrap   the cluster bootstrap and each expectation's verdict
    report      the table printed, and the exit code
    robustness  a check over its scenario's assumption ranges
"""

from __future__ import annotations

from sim.experiments.validation.bootstrap import BOOTSTRAP, Estimate, Outcome, evaluate, run_check
from sim.experiments.validation.checkfile import load_check, load_checks
from sim.experiments.validation.checks import GROUPS, KINDS, Arm, Check, Condition, Ensemble
from sim.experiments.validation.report import default_workers, exit_code, format_table
from sim.experiments.validation.robustness import (
    Robustness,
    Spread,
    assumption_ensemble,
    format_robustness,
    run_over_assumptions,
)
from sim.experiments.validation.running import ArmResult, run_check_arms
from sim.experiments.validation.stats import (
    CAPITULATION,
    ENDINGS,
    OUTCOME_STATES,
    TIMES,
    Stat,
    parse_stat,
    run_frame,
    weibull_shape,
)
from sim.schema import related

__all__ = [
    "BOOTSTRAP",
    "CAPITULATION",
    "ENDINGS",
    "GROUPS",
    "KINDS",
    "OUTCOME_STATES",
    "TIMES",
    "Arm",
    "ArmResult",
    "Check",
    "Condition",
    "Ensemble",
    "Estimate",
    "Outcome",
    "Robustness",
    "Spread",
    "Stat",
    "assumption_ensemble",
    "default_workers",
    "evaluate",
    "exit_code",
    "format_robustness",
    "format_table",
    "load_check",
    "load_checks",
    "parse_stat",
    "related",
    "run_check",
    "run_check_arms",
    "run_frame",
    "run_over_assumptions",
    "weibull_shape",
]
