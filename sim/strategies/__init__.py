"""Mediator strategies: the interface, the registry and the built-in catalogue."""

from sim.strategies.base import Decision, Observation, Strategy
from sim.strategies.registry import get, make, names, register

__all__ = ["Decision", "Observation", "Strategy", "get", "make", "names", "register"]
