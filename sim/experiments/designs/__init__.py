"""Sweep specs and experimental designs: which points of parameter space a sweep runs.

A sweep spec is YAML that names a base scenario, the swept parameters (by the dotted paths
that `negsim run --set` takes) and a design:

- ``grid``: the full factorial of each parameter's values (a list, or an evenly spaced
  ``{range: [low, high], points: n}``); the last parameter varies fastest.
- ``random``, ``latin_hypercube``, ``sobol``: ``samples`` points drawn from declared ranges
  or distributions. The unit hypercube comes from numpy's PCG64 (random) or
  `scipy.stats.qmc` (Latin hypercube, McKay, Beckman & Conover 1979; scrambled Sobol'
  sequence, Sobol' 1967, Owen 1998) and is mapped through each distribution's quantile
  function, so every parameter keeps its marginal distribution.

The design is a pure function of the spec and its seed. Every point is checked against the
scenario schema before anything runs, so a bad value is reported with its dotted path.

    spec.py      the validated spec and its parameters
    reading.py   reading and checking a spec file
    points.py    the design's points, their checks and their replay strings
"""

from sim.experiments.designs.points import (
    check_points,
    design_points,
    override_strings,
    point_data,
    unit_sample,
)
from sim.experiments.designs.reading import _parameter, field_type, load_spec
from sim.experiments.designs.spec import (
    DEFAULT_CHUNK,
    DESIGNS,
    DISTRIBUTIONS,
    SAMPLED,
    SPEC_KEYS,
    Parameter,
    SweepSpec,
    plain,
)

# The names sim.experiments.sweep and sim.experiments.validation import under their
# earlier, private spelling.
_plain = plain

__all__ = [
    "DEFAULT_CHUNK",
    "DESIGNS",
    "DISTRIBUTIONS",
    "SAMPLED",
    "SPEC_KEYS",
    "Parameter",
    "SweepSpec",
    "_parameter",
    "_plain",
    "check_points",
    "design_points",
    "field_type",
    "load_spec",
    "override_strings",
    "plain",
    "point_data",
    "unit_sample",
]
