"""Copying some runs' rows out of per-run arrays and back: the same bytes as indexing,
without its per-element cost.

numpy indexes an array of two or more axes by an array of rows element by element, an
inner loop over the short trailing axes (the two parties, the issues) for every row: about
ten times slower, on an (R, 2) array, than `np.take`, which copies whole rows at once.
Writing rows back goes through a view of each row as one opaque item, so that numpy moves
whole rows too. The engine copies runs in and out of every phase (`sim.model.engine`), and
the strategies restrict their observation to the runs still talking, so this is paid many
times a round. One-axis arrays are indexed as usual: numpy is fastest there already.

Combining arrays of runs has the like cost: numpy combines two (R, 2) arrays in one pass
over their 2R numbers, but an (R, 2) array with a shared (2,) parameter, or with an
(R, 1) column, in R passes of two. `sides` and `pair` make such operands whole (R, 2)
arrays first; the values are those of broadcasting.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

A = TypeVar("A", bound=np.generic)
I = NDArray[np.int64]

# Rows up to this many bytes are written back through an opaque view (`_as_items`); wider
# ones through np.put on that view, which is faster for them.
_ITEM_BYTES = 16


def take(array: NDArray[A], rows: I) -> NDArray[A]:
    """array[rows] for integer rows: a copy of those rows (leading axis)."""
    if array.ndim <= 1:
        return array[rows]
    return np.take(array, rows, axis=0)


def put(array: NDArray[Any], rows: I, values: Any) -> None:
    """array[rows] = values for integer rows without repeats."""
    if (
        array.ndim >= 2
        and isinstance(values, np.ndarray)
        and values.shape == (rows.shape[0], *array.shape[1:])
        and values.dtype == array.dtype
        and array.flags.c_contiguous
        and array.size > 0
        and rows.shape[0] > 0
    ):
        items = _as_items(array)
        new = _as_items(np.ascontiguousarray(values))
        if array.itemsize * (array.size // array.shape[0]) <= _ITEM_BYTES:
            items[rows] = new
        else:
            np.put(items, rows, new)
        return
    array[rows] = values


def _as_items(array: NDArray[Any]) -> NDArray[Any]:
    """A C-contiguous array (R, ...) seen as R opaque items, one per row (shares memory)."""
    width = array.itemsize * (array.size // array.shape[0])
    return array.reshape(array.shape[0], -1).view(np.dtype((np.void, width))).reshape(-1)


# Shared rows repeated over many runs (`repeated`), by their values: a few blocks for a
# scenario's parameters, whatever arrays hold them, so a sweep that compiles its points
# afresh finds them again; the least recently made go first.
_REPEATED: dict[tuple[str, tuple[int, ...], bytes], NDArray[Any]] = {}
_REPEATED_MAX = 32


def sides(x: Any, n: int) -> Any:
    """A per-side number of n runs as an (R, 2) array: a shared (2,) one repeated over the
    runs (`repeated`), a per-run (R, 2) one as it is, a number for both sides as it is.

    The same values as broadcasting, faster: numpy combines two (R, 2) arrays in one pass
    over their 2R numbers, but an (R, 2) array and a (2,) one in R passes of two.
    """
    if not (isinstance(x, np.ndarray) and x.shape == (2,)):
        return x
    return repeated(x, n)


def repeated(x: NDArray[Any], n: int) -> NDArray[Any]:
    """A shared row x (K,) repeated over n runs, (R, K): a read-only view of a cached block
    with x's values in every row."""
    key = (x.dtype.str, x.shape, x.tobytes())
    block = _REPEATED.get(key)
    if block is None or block.shape[0] < n:
        while len(_REPEATED) >= _REPEATED_MAX:
            del _REPEATED[next(iter(_REPEATED))]
        rows = 4096
        while rows < n:
            rows *= 2
        block = np.tile(x, (rows, 1))
        block.flags.writeable = False
        _REPEATED.pop(key, None)
        _REPEATED[key] = block
    return block[:n]


def pair(x: NDArray[Any]) -> NDArray[Any]:
    """A per-run (R,) array as (R, 2), the same value for both sides: x[:, None] made
    whole, which numpy then combines with (R, 2) arrays in one pass."""
    return np.column_stack((x, x))
