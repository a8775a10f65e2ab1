"""A mediator strategy that raises at run time, for the sweep's retry tests.

Loaded as `tests.sweep_failing:Exploding` (not registered, so the strategy contract suite
leaves it alone). With `marker` set, it fails only while that file does not exist and
creates it when it fails, so the first attempt fails and the retry succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.model.strategies import Decision, Strategy
from sim.model.strategies.base import Observation
from sim.schema import param


class Exploding(Strategy):
    name = "exploding"
    summary = "does nothing, then raises in round 3 (tests only)"

    @dataclass(frozen=True)
    class Options:
        marker: str = param("", doc="Fail only while this file is missing ('' always fails).")

    def decide(self, obs: Observation) -> Decision:
        if obs.round >= 3:
            marker = Path(self.options.marker) if self.options.marker else None
            if marker is None or not marker.exists():
                if marker is not None:
                    marker.touch()
                raise RuntimeError("the mediator exploded")
        return Decision()
