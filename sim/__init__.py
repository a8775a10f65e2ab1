"""negsim: an agent-based simulator of war-termination negotiation under a mediator.

Public API:
    load_scenario(path, overrides=None) -> Scenario
    simulate(scenario, runs=N, seed=S) -> Results (Results.table, Results.summary())
    NegotiationModel(scenario, runs=1, seed=0): a mesa.Model; step() is one round
    simulate_points(scenarios, runs=N, seed=S) -> one table per scenario, run as one batch
"""

from sim.config import Scenario, load_scenario
from sim.errors import ConfigError
from sim.model import NegotiationModel
from sim.simulate import Results, replay, simulate, simulate_points

__version__ = "0.1.0"

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
