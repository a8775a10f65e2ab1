"""What the rules read besides the state: the scenario's parameters, the geometry of its
issues derived from them once per batch, and the batch's random numbers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model import bargaining
from sim.model import rows as _rows
from sim.model.params import ModelParams, take_runs
from sim.model.rng import Draws

F = NDArray[np.float64]
I = NDArray[np.int64]


@dataclass
class Context:
    """Parameters, derived geometry and draws of a batch of runs.

    Attributes:
        p: The compiled parameters (a field may carry a leading runs axis).
        draws: The random numbers of the batch's runs.
        space: The issue space in progress coordinates.
        frontiers: The Pareto frontier, one path per placement of the indivisible issues.
        annuity: sum over tau < H of delta^tau: the rounds of cost a planning horizon weighs.
        open_progress: Where a deferred issue stands while it is open (progress).
        divisible: Issues a concession path may move part of the way.
    """

    p: ModelParams
    draws: Draws
    space: bargaining.IssueSpace
    frontiers: list[bargaining.Path]
    annuity: F
    open_progress: F
    divisible: NDArray[np.bool_]
    per_run: tuple[str, ...] = ()  # the parameters with a runs axis

    @classmethod
    def build(cls, p: ModelParams, draws: Draws) -> Context:
        n = draws.runs.shape[0]
        space = bargaining.IssueSpace.build(p.ideal, p.salience, p.assures, p.indivisible)
        movable = np.ones(p.n_issues, dtype=bool)
        divisible = movable if space.indivisible is None else movable & ~space.indivisible
        rows = space.weights.shape[0] if space.weights.ndim == 3 else 1
        start = np.ones((rows, p.n_issues))
        frontiers = [
            bargaining.concession_path(0, space, divisible, placed)
            for placed in bargaining.whole_starts(space, start, movable)
        ]
        return cls(
            p=p,
            draws=draws,
            space=space,
            frontiers=frontiers,
            annuity=_annuity(p),
            open_progress=space.progress(np.asarray(p.open_position, dtype=float)),
            divisible=divisible,
            per_run=_per_run_fields(p, n),
        )

    @property
    def n(self) -> int:
        return int(self.draws.runs.shape[0])

    def take(self, rows: I) -> Context:
        """The context of some runs: per-run arrays sliced, shared ones kept."""
        n = self.n

        def cut(x: F) -> F:
            per_run = isinstance(x, np.ndarray) and x.ndim >= 1 and x.shape[0] == n
            return _rows.take(x, rows) if per_run else x

        return dataclasses.replace(
            self,
            p=take_runs(self.p, rows, self.per_run),
            draws=self.draws.take(rows),
            space=self.space.take(rows),
            frontiers=[take_path(f, rows, n) for f in self.frontiers],
            annuity=cut(self.annuity),
            open_progress=cut(self.open_progress),
        )


def _annuity(p: ModelParams) -> F:
    d = np.asarray(p.discount_factor, dtype=float)
    h = np.asarray(p.planning_horizon, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d < 1.0, (1.0 - d**h) / (1.0 - d), h)


def _per_run_fields(p: ModelParams, n: int) -> tuple[str, ...]:
    """Names of the parameters that carry a runs axis of length n (none for a plain scenario)."""
    return tuple(
        f.name
        for f in dataclasses.fields(p)
        if isinstance(value := getattr(p, f.name), np.ndarray)
        and value.ndim >= 1
        and value.shape[0] == n
    )


def take_path(path: bargaining.Path, rows: I, n: int) -> bargaining.Path:
    """A path of some of n runs (itself when every run shares it)."""
    if path.u.shape[0] != n or n == 1:
        return path
    return bargaining.Path(
        giver=path.giver,
        ranks=_rows.take(path.ranks, rows),
        u=_rows.take(path.u, rows),
        g=_rows.take(path.g, rows),
    )
