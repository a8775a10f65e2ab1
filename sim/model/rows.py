"""Copying some runs' rows out of per-run arrays and back: the same bytes as indexing,
without its per-element cost.

numpy indexes an array of two or more axes by an array of rows element by element, an
inner loop over the short trailing axes (the two parties, the issues) for every row: about
ten times slower, on an (R, 2) array, than `np.take`, which copies whole rows at once.
Writing rows back goes through a view of each row as one opaque item, so that numpy moves
whole rows too. The engine copies runs in and out of every phase (`sim.model.engine`), and
the strategies restrict their observation to the runs still talking, so this is paid many
times a round. One-axis arrays are indexed as usual: numpy is fastest there already.
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
