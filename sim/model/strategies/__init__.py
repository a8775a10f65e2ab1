"""Mediator strategies: the interface, the registry and the built-in catalogue."""

from sim.model.strategies.base import Decision, Observation, Strategy
from sim.model.strategies.registry import get, make, names, register

__all__ = ["Decision", "Observation", "Strategy", "get", "make", "names", "register"]
