"""Small operations over the party axis (R, 2) shared by the rules.

Reductions go column by column: numpy reduces a short inner axis several times slower than
it combines two columns. The values are numpy's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.model.rows import pair, sides

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]

__all__ = ["SIGN", "both", "by_side", "count", "either", "flag", "mean", "pair", "side", "sides"]

SIGN = np.array([1.0, -1.0])  # + trend favours A; party axis (A, B)


def by_side(x: Any) -> Any:
    """A scenario-level number (a float, or (R,) in a batch of scenarios) as a factor of
    per-side arrays (R, 2): a per-run value gets a side axis, a shared one stays as it is."""
    if isinstance(x, np.ndarray) and x.ndim == 1:
        return x[:, None]
    return x


def side(x: Any, i: int) -> Any:
    """Side i's value of a per-side number: x[i] of a shared (2,), the column x[:, i] of a
    per-run (R, 2) in a batch of scenarios; a number for both sides stays as it is."""
    if isinstance(x, np.ndarray) and x.ndim >= 1:
        return x[..., i]
    return x


def both(x: B) -> B:
    """x.all(axis=1)"""
    return x[:, 0] & x[:, 1]


def either(x: B) -> B:
    """x.any(axis=1)"""
    return x[:, 0] | x[:, 1]


def count(x: B) -> I:
    """x.sum(axis=1) of booleans"""
    return x[:, 0].astype(np.int64) + x[:, 1]


def mean(x: F) -> F:
    """x.mean(axis=1), rounded as numpy does: x0 + (0 + x1), then / 2 (the sum of a short
    row starts from 0, which only matters for the sign of a zero)."""
    return (x[:, 0] + (x[:, 1] + 0.0)) / 2.0


def flag(value: B | None, n: int) -> B:
    """A decision's optional per-run flag; None means False in every run."""
    return np.zeros(n, dtype=bool) if value is None else np.asarray(value, dtype=bool)
