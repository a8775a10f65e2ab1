"""The mediator-strategy interface: what a strategy sees and what it may decide.

A strategy never touches the model. Each round it receives an `Observation` (read-only arrays
over the runs axis) and returns a `Decision`; the engine applies the decision. This keeps
strategies small, picklable and testable on their own, and lets users plug in their own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from sim.bargaining import IssueSpace

F = NDArray[np.float64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class Observation:
    """What a mediator knows at the start of the talks phase of a round.

    Arrays have a leading runs axis R; party axes are (A, B); issue axes have length K.
    Parameter arrays may be broadcastable rather than full size.
    """

    round: int
    horizon: int
    at_war: B  # (R,) runs where talks can happen this round
    control: F  # (R,) share of B's territory held by A
    reservation_estimate: F  # (R, 2) mediator's noisy estimate of each side's reservation value
    hurdle_estimate: F  # (R, 2) its estimate of each side's domestic hurdle
    ideal: F  # (2, K) or (R, 2, K)
    salience: F  # (2, K) or (R, 2, K)
    span: F  # (K,) or (R, K) distance between the ideals
    assures: F  # (2, K) or (R, 2, K)
    deferrable: B  # (K,)
    open_position: F  # (K,) position of a deferred issue while it is open
    space: IssueSpace  # the issue space in progress coordinates (see sim.bargaining)
    leverage: F  # (2,) or (R, 2)
    credibility: F  # (R,)
    bias: F  # scalar or (R,): + favours B
    guarantee_capacity: F  # scalar or (R,)
    refused_last_round: B  # (R, 2) which side refused the last text
    failed_texts: NDArray[np.int64]  # (R,) consecutive texts refused
    rounds_talking: NDArray[np.int64]  # (R,) rounds since talks (re)started


@dataclass
class Decision:
    """A strategy's moves for one round; None fields mean "do nothing of that kind".

    Attributes:
        text: (R, K) terms put on the table; None leaves the parties to exchange offers.
        framework: (R,) the text leaves deferrable issues open (ceasefire plus framework).
        information: (R,) extra precision of shared battlefield information, as a multiple of
            one round's own observation (facilitation speeds belief convergence).
        trust_building: (R,) share of the remaining distrust removed this round.
        carrots: (R, 2) side payments promised to each party if it signs (stakes units).
        threats: (R, 2) in [0, 1]: share of its leverage the mediator puts behind a stick
            threatened against each party if it refuses (0: no threat).
        guarantee: (R,) strength of an outside guarantee attached to the text.
        withdraw: (R,) the mediator leaves for good.
    """

    text: F | None = None
    framework: B | None = None
    information: F | None = None
    trust_building: F | None = None
    carrots: F | None = None
    threats: B | None = None
    guarantee: F | None = None
    withdraw: B | None = None

    def fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


class Strategy:
    """Base class. Subclasses set metadata and implement `decide`.

    Class attributes:
        name: Registry key (snake_case).
        drafts_texts: Whether it puts a single negotiating text on the table.
        stochastic: Whether `decide` uses randomness (it must then come from the observation,
            never from global state).
        summary: One line for `negsim strategies`.
        sources: Where the behaviour comes from (literature and source articles).
    """

    name: ClassVar[str] = ""
    drafts_texts: ClassVar[bool] = False
    stochastic: ClassVar[bool] = False
    summary: ClassVar[str] = ""
    sources: ClassVar[tuple[str, ...]] = ()

    @dataclass(frozen=True)
    class Options:
        """Strategy settings from the scenario's `mediator.options` (none by default)."""

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()

    def decide(self, obs: Observation) -> Decision:  # pragma: no cover - abstract
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.options == other.options  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.options))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options})"
