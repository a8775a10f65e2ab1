"""negsim: an agent-based simulator of war-termination negotiation under a mediator.

Public API:
    load_scenario(path, overrides=None) -> Scenario
    simulate(scenario, runs=N, seed=S) -> Results (Results.table, Results.summary())
    NegotiationModel(scenario, runs=1, seed=0): a mesa.Model; step() is one round
    simulate_points(scenarios, runs=N, seed=S) -> one table per scenario, run as one batch
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public names, imported on first use: the command line reads and checks its input
# (and reports a bad one) without paying for Mesa, pandas and scipy first.
_EXPORTS = {
    "ConfigError": "sim.errors",
    "NegotiationModel": "sim.model",
    "Results": "sim.simulate",
    "Scenario": "sim.config",
    "load_scenario": "sim.config",
    "replay": "sim.simulate",
    "simulate": "sim.simulate",
    "simulate_points": "sim.simulate",
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
    from sim.config import Scenario, load_scenario
    from sim.errors import ConfigError
    from sim.model import NegotiationModel
    from sim.simulate import Results, replay, simulate, simulate_points


class _Package(types.ModuleType):
    """`sim.simulate` is the function, as when it was imported eagerly: Python binds a
    submodule to its package's attribute once the submodule has loaded, which would leave
    `sim.simulate` the module `sim.simulate` if that were imported before the name was
    first used."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
