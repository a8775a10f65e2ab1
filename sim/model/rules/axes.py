"""Small operations over the party axis (R, 2) shared by the rules.

Reductions go column by column: numpy reduces a short inner axis several times slower than
it combines two columns. The values are numpy's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]

SIGN = np.array([1.0, -1.0])  # + trend favours A; party axis (A, B)


def by_side(x: Any) -> Any:
    """A scenario-level number (a float, or (R,) in a batch of scenarios) as a factor of
    per-side arrays (R, 2): a per-run value gets a side axis, a shared one stays as it is."""
    if isinstance(x, np.ndarray) and x.ndim == 1:
        return x[:, None]
    return x


# Shared per-side numbers repeated over many runs (`sides`), by the array they repeat.
_REPEATED: dict[int, tuple[F, F]] = {}


def sides(x: Any, n: int) -> Any:
    """A per-side number of n runs as an (R, 2) array: a shared (2,) one repeated over the
    runs (a read-only view of a cached block), a per-run (R, 2) one as it is, a number
    for both sides as it is.

    The same values as broadcasting, faster: numpy combines two (R, 2) arrays in one pass
    over their 2R numbers, but an (R, 2) array and a (2,) one in R passes of two.
    """
    if not (isinstance(x, np.ndarray) and x.shape == (2,)):
        return x
    hit = _REPEATED.get(id(x))
    if hit is None or hit[0] is not x or hit[1].shape[0] < n:
        if len(_REPEATED) > 256:
            _REPEATED.clear()
        block = np.tile(x, (max(n, 4096), 1))
        block.flags.writeable = False
        hit = _REPEATED[id(x)] = (x, block)
    return hit[1][:n]


def pair(x: NDArray[Any]) -> NDArray[Any]:
    """A per-run (R,) array as (R, 2), the same value for both sides: x[:, None] made
    whole, which numpy then combines with (R, 2) arrays in one pass."""
    return np.stack((x, x), axis=1)


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
