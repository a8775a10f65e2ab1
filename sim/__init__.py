"""negsim: an agent-based simulator of war-termination negotiation under a mediator.

Public API:
    load_scenario(path, overrides=None) -> Scenario
    simulate(scenario, runs=N, seed=S) -> Results (Results.table, Results.summary())
    NegotiationModel(scenario, runs=1, seed=0): a mesa.Model; step() is one round
    simulate_points(scenarios, runs=N, seed=S) -> one table per scenario, run as one batch
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.version import __version__

# The public names, imported on first use: the command line reads and checks its input
# (and reports a bad one) without paying for Mesa, pandas and scipy first.
_EXPORTS = {
    "ConfigError": "sim.errors",
    "NegotiationModel": "sim.model.shell",
    "Results": "sim.experiments.simulate",
    "Scenario": "sim.model.config",
    "load_scenario": "sim.model.config",
    "replay": "sim.experiments.simulate",
    "simulate": "sim.experiments.simulate",
    "simulate_points": "sim.experiments.simulate",
}

__all__ = [
    "ConfigError",
    "NegotiationModel",
    "Results",
    "Scenario",
    "__version__",
    "load_scenario",
    "replay",
    "simulate",
    "simulate_points",
]

if TYPE_CHECKING:
    from sim.errors import ConfigError
    from sim.experiments.simulate import Results, replay, simulate, simulate_points
    from sim.model.config import Scenario, load_scenario
    from sim.model.shell import NegotiationModel


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
