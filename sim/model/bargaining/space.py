"""Multi-issue bargaining geometry: the issue space, utilities and acceptance, vectorised
over runs.

Terms are positions x in [0, 1]^K on substantive scales. Party i's utility is additive and
linear in the distance from its ideal point, measured in units of the disputed range of the
issue (the distance between the two ideals, d_k) and weighted by salience:
    U_i(x) = sum_k w_ik (1 - |x_k - ideal_ik| / d_k).
Salience thus weighs the whole dispute on an issue, whatever the width of its scale, and U_i
runs from 0 (the other side's ideal on everything) to 1 (its own).

Every text the model writes lies between the two ideals, so internally a text is its vector
of *progress* t in [0, 1]^K, t_k = 0 at B's ideal and 1 at A's ideal. In these coordinates
utilities and the enforcement a text provides are linear:
    U_A = c_A + sum_k w_Ak t_k          U_B = 1 - sum_k w_Bk t_k
    g_A = sum_k a_Ak t_k                g_B = sum_k a_Bk (1 - t_k)
(c_A: weight of issues not in dispute; a_ik: `assures`). One multiply-and-sum gives all four.

Arrays: R runs, K issues, parties indexed 0 = A, 1 = B. Parameter arrays may lack the runs
axis (shared by all runs) or carry it (a sweep varying them per run).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from sim.model.rows import repeated

F = NDArray[np.float64]


# Guards against division by zero on issues that a party does not weigh or that are not
# in dispute.
_TINY = 1e-12
_SIGN = np.array([1.0, -1.0, 1.0, -1.0])
# numpy sums a last axis of up to this many items one item after the other, in order (from
# eight on it sums in pairs, unrolled), so `_weighted_sums` repeats its sums exactly there.
_SEQUENTIAL_SUM = 7
# From this many texts on the column-wise sums are faster than numpy's sum over the short
# issue axis (which runs its inner loop over a handful of issues per text).
_COLUMNS_FROM = 256


def _weighted_sums(t: F, weights: F) -> F:
    """(t[:, None, :] * weights).sum(axis=-1) for texts t (R, K) and shared weights (4, K),
    with K <= _SEQUENTIAL_SUM: the same products added in the same order, issue by issue
    over contiguous columns (about five times faster on many texts)."""
    n, k = t.shape
    columns = np.ascontiguousarray(t.T)
    out = np.empty((n, weights.shape[0]))
    acc, term = np.empty(n), np.empty(n)
    for row in range(weights.shape[0]):
        # numpy's sum starts from zero: +0.0 + (-0.0) is +0.0, and so is the sign here.
        acc.fill(0.0)
        for issue in range(k):
            np.multiply(columns[issue], weights[row, issue], out=term)
            acc += term
        out[:, row] = acc
    return out


@dataclass(frozen=True)
class IssueSpace:
    """The issue space in progress coordinates, for one scenario (or per run in a sweep).

    Attributes:
        lower: (K,) B's ideal on each issue (t = 0).
        upper: (K,) A's ideal (t = 1).
        weights: (4, K) rows w_A, w_B, a_A, a_B restricted to disputed issues.
        offset: (4,) constants: U_A = c_A + ..., U_B = 1 - ..., g_A = ..., g_B = sum a_B - ...
    """

    lower: F
    upper: F
    weights: F
    offset: F
    # (K,) issues that cannot be split: a text places each at one ideal or the other
    # (Fearon 1995). None when every issue is divisible.
    indivisible: NDArray[np.bool_] | None = None

    @classmethod
    def build(
        cls, ideal: F, salience: F, assures: F, indivisible: NDArray[np.bool_] | None = None
    ) -> IssueSpace:
        # Ideals, saliences and assurance may vary per run apart (a batch of scenarios that
        # differ in one of them only): all then get the runs axis.
        ideal, salience, assures = np.broadcast_arrays(ideal, salience, assures)
        lower, upper = ideal[..., 1, :], ideal[..., 0, :]
        disputed = np.abs(upper - lower) > _TINY
        d = disputed[..., None, :]
        weights = np.concatenate([salience * d, assures * d], axis=-2)
        total_b = salience[..., 1, :].sum(axis=-1)
        undisputed_a = (salience[..., 0, :] * ~disputed).sum(axis=-1)
        assures_b = (assures[..., 1, :] * disputed).sum(axis=-1)
        offset = np.stack([undisputed_a, total_b, np.zeros_like(total_b), assures_b], axis=-1)
        whole = None
        if indivisible is not None and np.asarray(indivisible).any():
            whole = np.asarray(indivisible, dtype=bool)
        return cls(lower=lower, upper=upper, weights=weights, offset=offset, indivisible=whole)

    def take(self, rows: NDArray[np.int64] | slice) -> IssueSpace:
        """The space of some runs (itself when every run shares it)."""
        if self.weights.ndim != 3:
            return self
        # The ideals may be shared while saliences or assurance vary per run.
        per_run = self.lower.ndim == 2
        return IssueSpace(
            lower=self.lower[rows] if per_run else self.lower,
            upper=self.upper[rows] if per_run else self.upper,
            weights=self.weights[rows],
            offset=self.offset[rows],
            indivisible=self.indivisible,
        )

    def whole(self, t: F) -> F:
        """Progress t (R, K) with every indivisible issue placed at the nearer ideal (A's
        when exactly halfway): the projection of a text that splits one onto the texts
        that can be written."""
        if self.indivisible is None:
            return t
        return np.where(self.indivisible, np.where(t >= 0.5, 1.0, 0.0), t)

    def evaluate(self, t: F) -> tuple[F, F]:
        """Utilities (R, 2) and text enforcement (R, 2) of texts t (R, K)."""
        n, k = t.shape
        if self.weights.ndim == 2 and 0 < k <= _SEQUENTIAL_SUM and n >= _COLUMNS_FROM:
            v = _weighted_sums(t, self.weights)
        else:
            v = (t[:, None, :] * self.weights).sum(axis=-1)
        v *= _SIGN
        v += self.offset
        return v[:, :2], v[:, 2:]

    def utilities(self, t: F) -> F:
        return self.evaluate(t)[0]

    @cached_property
    def paths(self) -> dict[Any, Any]:
        """Room for the concession paths built on this space, by what they start from (a
        strategy that drafts on the same frontier every round builds it once)."""
        return {}

    @cached_property
    def _spans(self) -> tuple[F, F, NDArray[np.bool_]]:
        """(width, width or 1 where not disputed, disputed) of each issue (K,)."""
        width = self.upper - self.lower
        disputed = np.abs(width) > _TINY
        return width, np.where(disputed, width, 1.0), disputed

    def _shared_rows(self, x: F) -> int:
        """The number of texts in x to repeat the shared issue rows over (0: broadcast as
        it is, for few texts or ideals per run)."""
        if self.lower.ndim == 1 and x.ndim == 2 and x.shape[0] >= _COLUMNS_FROM:
            return int(x.shape[0])
        return 0

    def positions(self, t: F) -> F:
        """Substantive positions x of progress vectors t."""
        if n := self._shared_rows(t):
            # The issue rows repeated over the texts: the same values, in one pass.
            return repeated(self.lower, n) + t * repeated(self._spans[0], n)
        return self.lower + t * (self.upper - self.lower)

    def progress(self, x: F) -> F:
        """Progress t of positions x (clipped to the segment between the ideals)."""
        if n := self._shared_rows(x):
            _, safe, disputed = self._spans
            shift = (x - repeated(self.lower, n)) / repeated(safe, n)
            return np.clip(np.where(repeated(disputed, n), shift, 1.0), 0.0, 1.0)
        width = self.upper - self.lower
        safe = np.where(np.abs(width) > _TINY, width, 1.0)
        return np.clip(np.where(np.abs(width) > _TINY, (x - self.lower) / safe, 1.0), 0.0, 1.0)


def utilities(x: F, ideal: F, salience: F, span: F) -> F:
    """U_i(x) for both parties at any positions x (R, K), inside the segment or not."""
    gap = np.abs(x[:, None, :] - ideal) / np.maximum(span, _TINY)[..., None, :]
    disputed = (span > _TINY)[..., None, :]
    return (salience * np.where(disputed, 1.0 - np.minimum(gap, 1.0), 1.0)).sum(axis=-1)


def trust_in_mediator(bias: F | float) -> F:
    """Perceived bias toward B (+) or A (-) lowers the disfavoured side's trust in the
    mediator's word: (A's, B's) on a last axis of 2."""
    bias = np.asarray(bias, dtype=float)
    return np.stack([1.0 - np.maximum(bias, 0.0), 1.0 + np.minimum(bias, 0.0)], axis=-1)


# Two plain numbers give a plain number, anything with an array an array (a numpy scalar is
# also a float, hence the overlap mypy reports and the ignore).
@overload
def either_holds(a: float, b: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def either_holds(a: F | float, b: F | float) -> F: ...
def either_holds(a: F | float, b: F | float) -> F | float:
    """Chance that at least one of two safeguards holds, each holding with its own chance
    and failing independently of the other: 1 - (1 - a)(1 - b).

    Every such combination in the model (a text's provisions with an outside guarantee,
    monitors with a buffer zone, the cover of several stakeholders) goes through here, so
    that the floating-point operations, and so the results, are the same everywhere.
    """
    return 1.0 - (1.0 - a) * (1.0 - b)


def domestic_hurdle(hardliner: F, audience: F, threshold: F, utility: F) -> F:
    """A side's domestic hurdle for a text of this utility: the hardliners' cost of any
    deal, plus the audience cost of one short of its victory threshold (docs/model.md
    §3.9). The engine and the mediator's reckoning both go through here."""
    return hardliner + audience * (utility < threshold)


def compliance(trust: F, text_assurance: F, external: F) -> F:
    """Chance the other side is expected to comply (or be made to).

    Trust covers part of the risk; of the rest, the text's own enforcement provisions and an
    outside guarantor each close a share, failing independently (Walter 1997; Fortna 2003).
    """
    enforced = either_holds(np.clip(text_assurance, 0.0, 1.0), external)
    return trust + (1.0 - trust) * enforced


def acceptance_score(
    utility: F, reservation: F, compliance_prob: F, exploitation: F, hurdle: F
) -> F:
    """Expected gain of signing over fighting on, net of the domestic hurdle.

    Signing yields U with probability pi (the other side complies) and, if the other side
    reneges, the war resumes from a worse position: V - L (Powell 2006). Accept iff
        pi * U + (1 - pi) * (V - L) - V >= hurdle
    which rearranges to  pi * (U - V + L) - L - hurdle >= 0.
    """
    return compliance_prob * (utility - reservation + exploitation) - exploitation - hurdle
