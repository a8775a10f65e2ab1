"""Counter-based random numbers: every draw is a pure function of (seed, run, round, stream).

A sequential generator would make run #31,337 of a batch depend on the 31,336 runs before it.
Here each draw is a hash of its coordinates instead, so any run can be replayed alone and two
strategies compared on the same draws (common random numbers) simply by sharing the seed.

The hash is SplitMix64's finaliser (Steele, Lea & Flood 2014), which is a bijection on 64-bit
integers with full avalanche; SplitMix64 itself is exactly this finaliser applied to a
counter, and passes BigCrush. We key a counter by seed and run once, then add the round and
the stream, so one draw costs one finaliser pass over the runs axis.
"""

from __future__ import annotations

import enum

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_ROUND_STEP = np.uint64(0xD1B54A32D192ED03)  # odd constant: rounds land far apart
_STREAM_STEP = np.uint64(0x8CB92BA72F3D8DD7)
_TO_UNIT = 2.0**-53
_MASK64 = (1 << 64) - 1

U64 = NDArray[np.uint64]


class Stream(enum.IntEnum):
    """Named streams: one per kind of random event, so adding a draw never shifts another."""

    BATTLE_NOISE = 1
    BREAKTHROUGH = 2
    BREAKTHROUGH_SIDE = 3
    ACCEPT_A = 4
    ACCEPT_B = 5
    COLLAPSE = 6
    MEDIATOR_ESTIMATE_A = 7
    MEDIATOR_ESTIMATE_B = 8
    FOLLOW_THROUGH_A = 9
    FOLLOW_THROUGH_B = 10
    VETO = 11
    STRATEGY = 12
    CEASEFIRE_A = 13
    CEASEFIRE_B = 14
    PARTIAL = 15
    FREEZE = 16
    STEPS = 17
    THAW = 18
    VIOLATION = 19
    PATRON_A = 20
    PATRON_B = 21


def _mix(z: U64) -> U64:
    """SplitMix64 finaliser, in place on a fresh array (wrapping uint64 arithmetic)."""
    z ^= z >> np.uint64(30)
    z *= _MUL1
    z ^= z >> np.uint64(27)
    z *= _MUL2
    z ^= z >> np.uint64(31)
    return z


def run_keys(seed: int, runs: NDArray[np.int64]) -> U64:
    """Per-run keys: a hash of (seed, run index). Computed once per batch."""
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    seed_key = _mix(np.array([(seed + int(_GOLDEN)) & _MASK64], dtype=np.uint64))
    z = runs.astype(np.uint64) * _GOLDEN
    z ^= seed_key
    return _mix(_mix(z))


class Draws:
    """Uniform, normal and logistic draws for one batch of runs.

    Args:
        seed: The experiment seed.
        runs: Global run indices of the batch (a replayed run keeps its index).
    """

    def __init__(self, seed: int, runs: NDArray[np.int64]) -> None:
        self.seed = int(seed)
        self.runs = np.asarray(runs, dtype=np.int64)
        self._keys = run_keys(self.seed, self.runs)

    def take(self, rows: NDArray[np.int64]) -> Draws:
        """The draws of some of the runs (identical to theirs in the whole batch)."""
        sub = object.__new__(Draws)
        sub.seed, sub.runs, sub._keys = self.seed, self.runs[rows], self._keys[rows]
        return sub

    def bits(self, round_: int, stream: int) -> U64:
        # Python ints, reduced mod 2**64: numpy would warn on (intended) scalar wrap-around.
        offset = (round_ * int(_ROUND_STEP) + stream * int(_STREAM_STEP)) & _MASK64
        return _mix(self._keys + np.uint64(offset))

    def uniform(self, round_: int, stream: int) -> NDArray[np.float64]:
        """Uniform on the open interval (0, 1): never exactly 0 or 1, so quantiles are finite."""
        # In place on fresh arrays: the same operations as (z >> 11 + 0.5) * 2**-53.
        z = self.bits(round_, stream)
        z >>= np.uint64(11)
        u = z.astype(np.float64)
        u += 0.5
        u *= _TO_UNIT
        return u

    def normal(self, round_: int, stream: int) -> NDArray[np.float64]:
        """Standard normal by inversion, one uniform per draw (no pairing across runs)."""
        u = self.uniform(round_, stream)
        return ndtri(u, out=u)

    def logistic(self, round_: int, stream: int) -> NDArray[np.float64]:
        """Standard logistic draw: the error term of a logit choice (McFadden 1974)."""
        u = self.uniform(round_, stream)
        odds = 1.0 - u
        np.divide(u, odds, out=odds)
        return np.log(odds, out=odds)
