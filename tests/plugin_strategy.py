"""A strategy defined outside the project, loaded by 'tests.plugin_strategy:SplitTheDifference'."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.strategies import Decision, Observation, Strategy
from sim.schema import param


class SplitTheDifference(Strategy):
    """Proposes the midpoint of the two ideals on every issue (not registered)."""

    name = "split_the_difference"
    drafts_texts = True
    summary = "the midpoint of the ideals on every issue"

    @dataclass(frozen=True)
    class Options:
        weight_b: float = param(0.5, bounds=(0.0, 1.0), doc="Weight of B's ideal.")

    def decide(self, obs: Observation) -> Decision:
        ideal = np.asarray(obs.ideal, dtype=float)
        w = self.options.weight_b
        text = (1.0 - w) * ideal[..., 0, :] + w * ideal[..., 1, :]
        n = obs.at_war.shape[0]
        text = np.broadcast_to(text, (n, text.shape[-1])).copy()
        return Decision(text=np.where(obs.at_war[:, None], text, np.nan))
