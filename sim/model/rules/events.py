"""What happened in a round: typed events returned by the phases (`sim.model.rules`), and the
per-round record kept for a traced run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]


class Events:
    """A dataclass of per-run arrays (None: the phase had no such event this round)."""

    def items(self) -> list[tuple[str, Any]]:
        """(name, value) of the events that happened, in declaration order."""
        return [
            (f.name, v)
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if (v := getattr(self, f.name)) is not None
        ]


@dataclass
class Battle(Events):
    breakthrough: B  # (R,) a breakthrough moved the front


@dataclass
class Costs(Events):
    cost: F  # (R, 2) cost of the round to each side


@dataclass
class Talking(Events):
    """The talks phase: the mediator's moves, the text on the table and the answers."""

    partial: B | None  # (R,) a partial agreement was concluded (None: no partial track)
    ceasefire_offered: B | None  # (R,) an unconditional ceasefire was put (None: nowhere)
    text: F  # (R, K) the text on the table (positions)
    proposer: I  # (R,) 0 = A, 1 = B, 2 = the mediator
    framework: B  # (R,) the text is a framework
    utility: F  # (R, 2) the text's utility to each side
    score: F  # (R, 2) acceptance score before the side's own noise
    accept: B  # (R, 2)
    reason: NDArray[np.int8]  # (R, 2) why a side refused (`sim.model.outcomes.Refusal`)
    deal: B  # (R,) both signed and no stakeholder vetoed
    vetoed: B  # (R,)
    carrots: F  # (R, 2) carrots as the side values them
    threats: F  # (R, 2)
    stick_loss: F  # (R, 2) what a threatened stick would cost the side, as it reckons it
    comply: F  # (R, 2) the chance the side reckons the other complies
    imposed: B  # (R,) some side signed only under carrots or sticks
    ceasefire_accept: B  # (R, 2)
    steps_left: B  # (R,) a comprehensive text stands as a framework until its steps
    recess: B  # (R,) no session this round


@dataclass
class Standing(Events):
    """Standing agreements and ceasefires: steps carried out, collapses, breaches."""

    steps_carried: B  # (R,)
    collapse: B  # (R,) an agreement collapsed
    ceasefire_collapse: B | None  # (R,) a ceasefire broke down (None: none was standing)
    ceasefire_breach: B  # (R, 2) which side broke the ceasefire


@dataclass
class Snapshot(Events):
    """The state after a round, as the story and the trace table show it."""

    control: F  # (R,)
    trend: F  # (R,)
    exhaustion: F  # (R, 2)
    belief: F  # (R, 2) believed trend
    reservation: F  # (R, 2)
    ripe: B  # (R,)
    status: NDArray[np.int8]  # (R,)
    trust: F  # (R, 2)
    credibility: F  # (R,)
    mediator_active: B  # (R,)
    net_gain: F  # (R, 2)
    reserve: F  # (R, 2) share of the regroup reserve brought in
    steps_pending: B  # (R,)
    aid: F  # (R, 2) from the mediator and the stakeholders
    sanctions: F  # (R, 2) the mediator's


@dataclass
class RoundRecord:
    """Everything of one round for every run (kept only when tracing): the state after the
    round and the events of its phases."""

    round: int
    state: Snapshot
    battle: Battle
    costs: Costs
    talks: Talking
    standing: Standing

    @property
    def values(self) -> dict[str, Any]:
        """The record as one flat mapping, name -> array (the trace table's columns)."""
        out = dict(self.state.items())
        out.update(self.battle.items())
        out.update(self.costs.items())
        out.update(self.talks.items())
        standing = self.standing
        if standing.ceasefire_collapse is None:  # nothing stood: no collapse was drawn
            out.update(
                collapse=standing.collapse,
                ceasefire_breach=standing.ceasefire_breach,
                steps_carried=standing.steps_carried,
            )
        else:
            out.update(standing.items())
        return out
