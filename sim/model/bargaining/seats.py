"""The camps' members at the table: what a text is worth to each and whether it would sign
(docs/model.md §3.15).

A camp is led by its first party, whose utilities, enforcement and offers the two-sided
geometry of `sim.model.bargaining.space` describes. A member has its own ideal point and
saliences on the same issues, so its utility of a text is computed from the text's
positions, not from its progress: a member may stand beyond its lead, or between the two
leads. It signs on the same reckoning as a lead (`acceptance_score`): the text against its
value of fighting on, net of the risk that the other camp reneges, which the text and the
guarantee behind it cover for the member as for its lead, and of its domestic hurdle.

The engine reckons with the members' true values; a mediator with its own noisy estimates
of their values of fighting on (`sim.model.rules.observe`). Both go through `Seats.scores`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining.space import acceptance_score, compliance, domestic_hurdle, utilities

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]


# The axes of a field's per-run form (the others: (R, M)); a shared one has one fewer.
_PER_RUN_NDIM = {"ideal": 3, "salience": 3, "span": 2}


def over_runs(a: F, n: int) -> F:
    """A member array, shared (M,) or per run (R, M), as (R, M): a read-only view."""
    a = np.asarray(a, dtype=float)
    return np.broadcast_to(a, (n, a.shape[-1]))


@dataclass(frozen=True)
class Seats:
    """Members of the two camps as one reckoning sees them, (R, M) per run.

    Attributes:
        camp: (M,) 0 for A's camp, 1 for B's.
        seated: (R, M) at the table and still fighting: their consent is needed.
        ideal, salience: (M, K) or (R, M, K).
        span: (K,) or (R, K): the distance between the leads' ideals on each issue.
        reservation: (R, M) value of fighting on (true, or a mediator's estimate).
        trust: (R, M) that the other camp complies.
        exploitation_loss, hardliner_cost, audience_cost, victory_threshold: (M,) or (R, M).
    """

    camp: I
    seated: B
    ideal: F
    salience: F
    span: F
    reservation: F
    trust: F
    exploitation_loss: F
    hardliner_cost: F
    audience_cost: F
    victory_threshold: F

    @property
    def n(self) -> int:
        return int(self.seated.shape[0])

    def utilities(self, positions: F) -> F:
        """Each member's utility (R, M) of texts at positions (R, K)."""
        return utilities(positions, self.ideal, self.salience, self.span)

    def scores(
        self,
        positions: F,
        enforced: F,
        hurdle_scale: F | float = 1.0,
        loss_share: F | float = 1.0,
    ) -> tuple[F, F]:
        """Each member's (utility, acceptance score) of texts at positions (R, K), both
        (R, M). `enforced` (R, 2): the chance, for each camp, that the text and the
        guarantee behind it make the other camp comply where trust does not; a member
        counts its own camp's. `hurdle_scale` (R, 2) scales the camps' domestic hurdles
        (a mediator's public commitments); `loss_share` (R,) the exploitation loss (a
        framework leaves the armies in place)."""
        n = self.n
        utility = self.utilities(positions)
        mine = np.asarray(enforced)[:, self.camp]
        pi = compliance(self.trust, np.zeros_like(mine), mine)
        scale = np.asarray(hurdle_scale, dtype=float)
        scale = scale[:, self.camp] if scale.ndim == 2 else scale
        hurdle = (
            domestic_hurdle(
                over_runs(self.hardliner_cost, n),
                over_runs(self.audience_cost, n),
                over_runs(self.victory_threshold, n),
                utility,
            )
            * scale
        )
        share = np.asarray(loss_share, dtype=float)
        share = share[:, None] if share.ndim == 1 else share
        loss = over_runs(self.exploitation_loss, n) * share
        return utility, acceptance_score(utility, self.reservation, pi, loss, hurdle)

    def subset(self, rows: NDArray[np.int64] | slice) -> Seats:
        """The seats of some runs (per-run arrays sliced, shared ones kept)."""
        n = self.n
        changes = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "camp" or not isinstance(value, np.ndarray):
                continue
            if value.ndim >= _PER_RUN_NDIM.get(f.name, 2) and value.shape[0] == n:
                changes[f.name] = value[rows]
        return dataclasses.replace(self, **changes)
