"""The validated sweep spec and its parameters (sim.experiments.designs describes the format)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DESIGNS = ("grid", "random", "latin_hypercube", "sobol")
SAMPLED = ("random", "latin_hypercube", "sobol")
DISTRIBUTIONS = ("uniform", "loguniform", "normal", "triangular")
DEFAULT_CHUNK = 8192

SPEC_KEYS = (
    "name",
    "description",
    "base",
    "runs_per_point",
    "seed",
    "design",
    "samples",
    "parameters",
    "set",
    "chunk_size",
)
_PARAM_KEYS = ("range", "points", "distribution", "mean", "sd", "mode")


@dataclass(frozen=True)
class Parameter:
    """One swept parameter: either explicit values or a range/distribution to sample."""

    path: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    points: int | None = None
    distribution: str = "uniform"
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None
    integer: bool = False  # the scenario field is an int: sampled values are whole numbers

    def grid_values(self) -> tuple[Any, ...]:
        """The values a grid design takes for this parameter."""
        if self.values is not None:
            return self.values
        assert self.low is not None and self.high is not None and self.points is not None
        raw = np.linspace(self.low, self.high, self.points)
        if self.integer:
            return tuple(int(round(v)) for v in raw)
        # 0.15 rather than 0.15000000000000002: grid values are what the user declared, and
        # they appear verbatim in tables and in `negsim run --set` replay commands.
        return tuple(float(f"{v:.12g}") for v in raw)

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map uniform(0, 1) draws to this parameter's distribution (inverse CDF)."""
        if self.values is not None:
            k = len(self.values)
            idx = np.minimum((u * k).astype(np.int64), k - 1)
            return [self.values[i] for i in idx]
        from scipy import stats  # on first use: slow to load (see points.unit_sample)

        lo, hi = self.low, self.high
        # Quantile functions of unbounded laws are infinite at 0 and 1.
        u = np.clip(u, 1e-12, 1.0 - 1e-12)
        if self.distribution == "uniform":
            assert lo is not None and hi is not None
            if self.integer:
                ints = np.floor(lo + u * (hi - lo + 1.0))
                return [int(v) for v in np.clip(ints, lo, hi)]
            x = lo + u * (hi - lo)
        elif self.distribution == "loguniform":
            x = stats.loguniform(lo, hi).ppf(u)
        elif self.distribution == "triangular":
            assert lo is not None and hi is not None and self.mode is not None
            c = (self.mode - lo) / (hi - lo)
            x = stats.triang(c, loc=lo, scale=hi - lo).ppf(u)
        else:  # normal, truncated to the range when one is given
            assert self.mean is not None and self.sd is not None
            if lo is None or hi is None:
                x = stats.norm(self.mean, self.sd).ppf(u)
            else:
                a, b = (lo - self.mean) / self.sd, (hi - self.mean) / self.sd
                x = stats.truncnorm(a, b, loc=self.mean, scale=self.sd).ppf(u)
        if self.integer:
            return [int(round(float(v))) for v in x]
        return [float(v) for v in x]

    def describe(self) -> dict[str, Any]:
        """Plain-data form for the manifest."""
        out = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        if "values" in out:
            out["values"] = list(out["values"])
        return out


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (the base scenario is loaded and checked too)."""

    file: str
    base: Path
    base_data: Mapping[str, Any]  # raw base YAML with the spec's `set` overrides applied
    runs_per_point: int
    seed: int
    design: str
    parameters: tuple[Parameter, ...]
    samples: int | None
    chunk_size: int
    fixed: Mapping[str, Any]
    name: str
    description: str
    raw: Mapping[str, Any]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.parameters)

    @property
    def n_points(self) -> int:
        """How many points the design has, counted without listing them."""
        if self.samples is not None:
            return self.samples
        return grid_size(self.parameters)

    def identity(self) -> dict[str, Any]:
        """What makes two sweeps the same sweep (for `--resume`): everything that changes
        results, nothing that only says where files are."""
        return {
            "runs_per_point": self.runs_per_point,
            "seed": self.seed,
            "design": self.design,
            "samples": self.samples,
            "chunk_size": self.chunk_size,
            "parameters": [p.describe() for p in self.parameters],
            "set": plain(dict(self.fixed)),
            "base_scenario": plain(dict(self.base_data)),
        }


def grid_size(parameters: Sequence[Parameter]) -> int:
    """Points of the full factorial of the parameters' values."""
    return math.prod(len(p.values) if p.values is not None else p.points or 1 for p in parameters)


def plain(value: Any) -> Any:
    """YAML data as JSON-ready plain data (tuples to lists, numpy scalars to Python)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
