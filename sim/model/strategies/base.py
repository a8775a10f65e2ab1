"""The mediator-strategy interface: what a strategy sees and what it may decide.

A strategy never touches the model. Each round it receives an `Observation` (read-only arrays
over the runs axis) and returns a `Decision`; the engine applies the decision. This keeps
strategies small, picklable and testable on their own, and lets users plug in their own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Final

import numpy as np
from numpy.typing import NDArray

from sim.model.bargaining import (
    IssueSpace,
    Seats,
    acceptance_score,
    compliance,
    domestic_hurdle,
    trust_in_mediator,
)
from sim.model.rows import pair, sides, take

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
    at_war: B  # (R,) runs where talks can happen this round (at war or under a ceasefire)
    fighting: B  # (R,) runs where the fighting goes on (no ceasefire, no agreement)
    in_ceasefire: B  # (R,) runs under an unconditional ceasefire without an agreement
    agreed: B  # (R,) runs with a standing framework or comprehensive agreement
    ripe: B  # (R,) mutually hurting stalemate with a perceived way out (Zartman)
    control: F  # (R,) share of B's territory held by A
    reservation_estimate: F  # (R, 2) mediator's noisy estimate of each side's reservation value
    trust: F  # (R, 2) each side's trust that the other will comply
    exploitation_loss: F  # (2,) or (R, 2) what a side loses if the other reneges
    hardliner_cost: F  # (2,) or (R, 2) domestic cost of any deal
    audience_cost: F  # (2,) or (R, 2) extra cost of a deal short of the victory threshold
    victory_threshold: F  # (2,) or (R, 2)
    ideal: F  # (2, K) or (R, 2, K)
    salience: F  # (2, K) or (R, 2, K)
    span: F  # (K,) or (R, K) distance between the ideals
    assures: F  # (2, K) or (R, 2, K)
    deferrable: B  # (K,)
    open_position: F  # (K,) position of a deferred issue while it is open
    space: IssueSpace  # the issue space in progress coordinates (see sim.model.bargaining)
    leverage: F  # (2,) or (R, 2)
    credibility: F  # (R,)
    bias: F  # scalar or (R,): + favours B
    guarantee: F  # scalar or (R,)
    refused_last_round: B  # (R, 2) which side refused the last text
    failed_texts: NDArray[np.int64]  # (R,) consecutive texts refused
    rounds_talking: NDArray[np.int64]  # (R,) rounds since talks (re)started
    agreement_round: NDArray[np.int64]  # (R,) round of the latest agreement (-1: none)
    phase_round: NDArray[np.int64]  # (R,) rounds since this strategy took over (1 = first)
    # Share of the exploitation loss a side risks under a framework (an armistice that
    # leaves the armies in place), as under a bare ceasefire (docs/model.md §3.9).
    framework_loss_share: float | F = 1.0
    # Each side's trust in the mediators' word (2,) or (R, 2): with co-mediators, the trust it
    # puts in the one it trusts most (docs/model.md §3.6); None: from `bias` alone.
    mediator_trust: F | None = None
    # The camps' members, with the mediator's noisy estimates of their values of fighting
    # on (docs/model.md §3.15); None in a two-party scenario.
    seats: Seats | None = None

    def for_framework(self, framework: B) -> Observation:
        """The observation as the parties weigh framework texts in the rows `framework`."""
        share = np.asarray(self.framework_loss_share, dtype=float)
        if not np.any(framework) or np.all(share == 1.0):
            return self
        loss = np.asarray(self.exploitation_loss, dtype=float)
        n = self.control.shape[0]
        per_run = np.broadcast_to(sides(loss, n), (n, 2))
        # One share for every run, or one per run in a batch of scenarios.
        factor = pair(share) if share.ndim == 1 else share
        chosen = np.asarray(framework)
        chosen = pair(chosen) if chosen.ndim == 1 else chosen[..., None]
        scaled = np.where(chosen, per_run * factor, per_run)
        return self._replace(exploitation_loss=scaled)

    def carrot_worth(self) -> F:
        """What a unit of promised carrot is worth to each side (R, 2): the mediator's word
        is discounted by the side's trust in it and by the mediator's credibility."""
        q = trust_in_mediator(self.bias) if self.mediator_trust is None else self.mediator_trust
        n = self.control.shape[0]
        return np.broadcast_to(sides(q, n), (n, 2)) * pair(self.credibility)

    def subset(self, rows: NDArray[np.int64] | slice) -> Observation:
        """The observation restricted to some runs (per-run arrays sliced, shared kept);
        a slice of runs gives views, not copies."""
        n = self.control.shape[0]
        changes: dict[str, Any] = {}
        for name, ndim in _subset_plan(type(self)):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.ndim == 0:
                continue
            if value.ndim < ndim:
                continue  # shared by all runs
            if value.shape[0] == n:
                changes[name] = value[rows] if isinstance(rows, slice) else take(value, rows)
        changes["space"] = self.space.take(rows)
        if self.seats is not None:
            changes["seats"] = self.seats.subset(rows)
        return self._replace(**changes)

    def _replace(self, **changes: Any) -> Observation:
        """`dataclasses.replace` without its per-call cost (an observation is replaced
        several times a round): the fields are copied, not passed through __init__."""
        cls = type(self)
        if hasattr(cls, "__post_init__") or not hasattr(self, "__dict__"):
            return dataclasses.replace(self, **changes)
        new = object.__new__(cls)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    def hurdles(self, utility: F) -> F:
        """Each side's domestic hurdle for texts of these utilities (R, ..., 2)."""
        return np.stack([self.party_hurdles(i, utility[..., i]) for i in (0, 1)], axis=-1)

    def party_hurdles(self, party: int, utility: F) -> F:
        """Side `party`'s domestic hurdle for texts of its utilities `utility` (R, ...)."""
        return domestic_hurdle(
            _party(self.hardliner_cost, party, utility),
            _party(self.audience_cost, party, utility),
            _party(self.victory_threshold, party, utility),
            utility,
        )

    def scores(
        self, utility: F, enforcement: F, external: F | float = 0.0, hurdle: F | None = None
    ) -> F:
        """Each side's acceptance score of texts, as the mediator reckons it: the expected
        gain of signing over fighting on (on its estimate of the reservation values), net
        of the compliance risk and the domestic hurdle (docs/model.md §3.9).

        `utility` and `enforcement` are (R, ..., 2); `external` is (R,) or a scalar;
        `hurdle` defaults to the hurdle at these utilities.
        """
        return np.stack(
            [
                self.party_scores(
                    i,
                    utility[..., i],
                    enforcement[..., i],
                    external,
                    None if hurdle is None else hurdle[..., i],
                )
                for i in (0, 1)
            ],
            axis=-1,
        )

    def party_scores(
        self,
        party: int,
        utility: F,
        enforcement: F,
        external: F | float = 0.0,
        hurdle: F | None = None,
    ) -> F:
        """Side `party`'s acceptance scores (`scores`), for arrays without the party axis:
        `utility` and `enforcement` (R, ...), `external` (R,) or a scalar. Solvers that
        treat the two sides apart use this: numpy is several times faster on (R, ...)
        arrays than on (R, ..., 2) ones broadcast against (R, 1, 2) (its inner loop would
        run over the two parties)."""
        ext = np.asarray(external, dtype=float)
        ext = ext.reshape((-1,) + (1,) * (utility.ndim - 1)) if ext.ndim == 1 else ext
        pi = compliance(_party(self.trust, party, utility), enforcement, ext)
        if hurdle is None:
            hurdle = self.party_hurdles(party, utility)
        reservation = _party(self.reservation_estimate, party, utility)
        loss = _party(self.exploitation_loss, party, utility)
        return acceptance_score(utility, reservation, pi, loss, hurdle)


# Fields whose per-run form has this many axes; a shared one has fewer. Fields not listed
# are per run whenever their leading axis has the runs' length, except the issue-axis ones
# in _NEVER_PER_RUN, which are never per run (and may have that length by chance).
_NEVER_PER_RUN = frozenset({"deferrable", "open_position", "seats"})
_PER_RUN_NDIM = {
    "ideal": 3,
    "salience": 3,
    "span": 2,
    "assures": 3,
    "leverage": 2,
    "bias": 1,
    "guarantee": 1,
    "exploitation_loss": 2,
    "hardliner_cost": 2,
    "audience_cost": 2,
    "victory_threshold": 2,
    "mediator_trust": 2,
}
_SUBSET_PLANS: dict[type, tuple[tuple[str, int], ...]] = {}


def _subset_plan(cls: type) -> tuple[tuple[str, int], ...]:
    """(field, least number of axes of its per-run form) for the fields `subset` may slice."""
    plan = _SUBSET_PLANS.get(cls)
    if plan is None:
        plan = tuple(
            (f.name, _PER_RUN_NDIM.get(f.name, 1))
            for f in dataclasses.fields(cls)
            if f.name not in _NEVER_PER_RUN
        )
        _SUBSET_PLANS[cls] = plan
    return plan


def _party(a: F, party: int, utility: F) -> F:
    """One side's entry of a party-axis array, (2,) shared or (R, 2) per run, shaped to
    broadcast against that side's utilities (R, ...)."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 2:
        return a[:, party].reshape((-1,) + (1,) * (utility.ndim - 1))
    return a[..., party]


def _against(a: F, utility: F) -> F:
    """A party-axis array, (2,) shared or (R, 2) per run, shaped to broadcast against texts'
    utilities (R, ..., 2)."""
    a = np.asarray(a, dtype=float)
    return a.reshape((-1,) + (1,) * (utility.ndim - 2) + (2,)) if a.ndim == 2 else a


# The axes a move may have, in order; "side" has length 2 (A, B).
PER_RUN: Final = ("run",)
PER_RUN_AND_SIDE: Final = ("run", "side")
PER_RUN_AND_ISSUE: Final = ("run", "issue")


def move(
    neutral: float | bool,
    *,
    shape: tuple[str, ...] = PER_RUN,
    bounds: tuple[float | None, float | None] = (None, None),
    open_low: bool = False,
    doc: str,
) -> Any:
    """A `Decision` field: one kind of move, None (nothing of that kind) by default.

    Args:
        neutral: The value of an element that means "no move" in that run (and side or
            issue): what a schedule fills in for runs whose phase did not make the move.
            A bool gives a boolean move, a number a float one.
        shape: The move's axes (`PER_RUN`, `PER_RUN_AND_SIDE` or `PER_RUN_AND_ISSUE`); a
            value may be anything that broadcasts to them.
        bounds: The admissible range of its (non-NaN) values; None for no limit.
        open_low: The lower bound itself is not admissible.
        doc: What the move does.
    """
    meta = {"neutral": neutral, "shape": shape, "bounds": bounds, "open_low": open_low, "doc": doc}
    return dataclasses.field(default=None, metadata=meta)


@dataclass(frozen=True)
class Move:
    """A kind of move as `Decision` declares it (`move`): its name and metadata."""

    name: str
    neutral: float | bool
    shape: tuple[str, ...]
    bounds: tuple[float | None, float | None]
    open_low: bool
    doc: str

    @property
    def boolean(self) -> bool:
        return isinstance(self.neutral, bool)

    def full_shape(self, runs: int, issues: int) -> tuple[int, ...]:
        """The move's array shape for `runs` runs and `issues` issues."""
        length = {"run": runs, "side": 2, "issue": issues}
        return tuple(length[axis] for axis in self.shape)

    def neutral_value(self, runs: int, issues: int) -> NDArray[Any]:
        """An array of the move's shape that makes no move in any run."""
        dtype = np.bool_ if self.boolean else np.float64
        return np.full(self.full_shape(runs, issues), self.neutral, dtype=dtype)


@dataclass
class Decision:
    """A strategy's moves for one round; a None field means "do nothing of that kind".

    Every field is declared with `move`: its shape, its neutral value and its bounds are
    metadata (`Decision.moves()`), from which a schedule's merging and the strategy
    contract's checks are derived.
    """

    text: F | None = move(
        np.nan,
        shape=PER_RUN_AND_ISSUE,
        bounds=(0.0, 1.0),
        doc="Terms put on the table; None (or a row of NaN for one run) leaves the parties "
        "to exchange offers.",
    )
    framework: B | None = move(
        False, doc="The text leaves deferrable issues open (ceasefire plus framework)."
    )
    information: F | None = move(
        0.0,
        bounds=(0.0, None),
        doc="Extra precision of shared battlefield information, as a multiple of one round's "
        "own observation (facilitation speeds belief convergence).",
    )
    trust_building: F | None = move(
        0.0, bounds=(0.0, 1.0), doc="Share of the remaining distrust removed this round."
    )
    carrots: F | None = move(
        0.0,
        shape=PER_RUN_AND_SIDE,
        bounds=(0.0, None),
        doc="Side payments promised to each party if it signs (stakes units).",
    )
    threats: F | None = move(
        0.0,
        shape=PER_RUN_AND_SIDE,
        bounds=(0.0, 1.0),
        doc="Share of its leverage the mediator puts behind a stick threatened against each "
        "party if it refuses (0: no threat).",
    )
    guarantee: F | None = move(
        0.0, bounds=(0.0, 1.0), doc="Strength of an outside guarantee attached to the text."
    )
    withdraw: B | None = move(False, doc="The mediator leaves for good.")
    ceasefire: B | None = move(
        False, doc="It proposes an unconditional ceasefire to runs still fighting."
    )
    ceasefire_provisions: F | None = move(
        0.0,
        bounds=(0.0, 1.0),
        doc="Share of the risk of a ceasefire breaking down that its own provisions "
        "(monitors, a buffer zone) close, before any guarantee.",
    )
    hurdle_scale: F | None = move(
        1.0,
        bounds=(0.0, None),
        doc="Multiplies each side's domestic hurdle this round (a public formula raises it, "
        "a private channel or a leaders' summit lowers it).",
    )
    refusal_cost: F | None = move(
        0.0,
        shape=PER_RUN_AND_SIDE,
        bounds=(0.0, None),
        doc="What each side pays for being seen to refuse this text.",
    )
    hazard_ratio: F | None = move(
        1.0,
        bounds=(0.0, None),
        open_low=True,
        doc="Multiplies the collapse hazard of a deal concluded this round.",
    )
    partial_track: F | None = move(
        0.0,
        bounds=(0.0, 1.0),
        doc="Chance a self-enforcing partial agreement (e.g. a prisoner exchange) is "
        "concluded this round.",
    )
    partial_trust: F | None = move(
        0.0,
        bounds=(0.0, 1.0),
        doc="Share of the remaining distrust each partial agreement removes.",
    )
    aid_change: F | None = move(
        0.0,
        shape=PER_RUN_AND_SIDE,
        doc="Change of its military aid to each side (capacity units), now.",
    )
    sanctions_change: F | None = move(
        0.0,
        shape=PER_RUN_AND_SIDE,
        doc="Change of the per-round cost its sanctions put on each side.",
    )
    recess: B | None = move(
        False,
        doc="No session this round: no text is on the table and the parties make no offers "
        "of their own either; the fighting goes on.",
    )
    keep_fighting: B | None = move(
        False,
        doc="The fighting goes on while this text is on the table or the talks are in "
        "recess: a ripe front does not freeze (talks held while fighting, the ceasefire only "
        "with the agreement; docs/model.md 3.5).",
    )

    def fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @staticmethod
    def moves() -> tuple[Move, ...]:
        """Every kind of move, in field order, with its declared metadata."""
        return _MOVES


# Every field must be declared with `move` (a field without its metadata fails here).
_MOVES = tuple(Move(name=f.name, **f.metadata) for f in dataclasses.fields(Decision))


@dataclass(frozen=True)
class NoOptions:
    """Strategy settings from the scenario's `mediator.options` (none by default)."""


class Strategy:
    """Base class. Subclasses set metadata and implement `decide`.

    Class attributes:
        name: Registry key (snake_case).
        drafts_texts: Whether it puts a single negotiating text on the table.
        stochastic: Whether `decide` uses randomness (it must then come from the observation,
            never from global state).
        summary: One line for `negsim strategies`.
        sources: Where the behaviour comes from (literature and source articles).
        acts_after_settlement: Whether `decide` may withdraw the mediator from runs that
            have an agreement; if not, it is shown only the runs still talking (its other
            moves apply only there). True unless a strategy says otherwise.
    """

    name: ClassVar[str] = ""
    drafts_texts: ClassVar[bool] = False
    stochastic: ClassVar[bool] = False
    acts_after_settlement: ClassVar[bool] = True
    summary: ClassVar[str] = ""
    sources: ClassVar[tuple[str, ...]] = ()

    # Each strategy names its own frozen dataclass of settings; `options` holds an instance.
    Options: ClassVar[type[Any]] = NoOptions
    options: Any

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()

    def decide(self, obs: Observation) -> Decision:  # pragma: no cover - abstract
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.options == getattr(other, "options", None)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.options))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options})"
