"""The state of R runs, as typed groups of arrays with a leading runs axis.

Every array of a group has the runs axis first; party arrays have a party axis second (the two
camps' leads, A and B; the camps' other members have their own group), issue arrays an
issue axis. The rules in `sim.model.rules` read and write these groups; `sim.model.engine`
decides which runs a phase works on and copies them in and out (`RunState.take`, `put`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from sim.model import rows as _rows
from sim.model.outcomes import OUTCOMES, Status

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]

_ABSORBING = tuple(code for code, o in enumerate(OUTCOMES) if o.absorbing)


_ABSORBING_BUT_FROZEN = tuple(code for code in _ABSORBING if code != Status.FROZEN)


def absorbing(status: NDArray[np.int8], frozen_final: bool = True) -> B:
    """Runs in a state nothing leaves (`sim.model.outcomes.Outcome.absorbing`); a frozen
    front is left where it may thaw or be talked across (`frozen_final` False, §3.5).
    Compared code by code, several times faster than a lookup table indexed by int8 codes."""
    out = np.zeros(np.shape(status), dtype=bool)
    for code in _ABSORBING if frozen_final else _ABSORBING_BUT_FROZEN:
        out |= status == code
    return out


class Group:
    """A dataclass of per-run arrays: what `take` slices and `put` writes back."""

    def take(self, rows: I) -> Self:
        """The group for some runs (copies)."""
        return type(self)(
            **{f.name: _rows.take(getattr(self, f.name), rows) for f in _fields(type(self))}
        )

    def lazy(self, rows: I) -> Self:
        """The group for some runs, each array copied only when first read: a phase pays
        only for the arrays it touches, and `put` writes back only those."""
        part: Self = object.__new__(_lazy_class(type(self)))
        part.__dict__["_source"] = (self, rows)
        return part

    def put(self, rows: I, part: Self) -> None:
        """Write back a group taken over `rows` (in place where the array allows it)."""
        names = _touched(part) if "_source" in part.__dict__ else _names(type(self))
        for name in names:
            value = getattr(self, name)
            if not value.flags.writeable:
                value = value.copy()
                setattr(self, name, value)
            _rows.put(value, rows, getattr(part, name))


_FIELDS: dict[type, tuple[dataclasses.Field[Any], ...]] = {}
_NAMES: dict[type, frozenset[str]] = {}
_LAZY: dict[type, type] = {}


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = dataclasses.fields(cls)
    return found


def _names(cls: type) -> frozenset[str]:
    found = _NAMES.get(cls)
    if found is None:
        found = _NAMES[cls] = frozenset(f.name for f in _fields(cls))
    return found


def _touched(part: Group) -> list[str]:
    return [name for name in part.__dict__ if name != "_source"]


def _lazy_class(cls: type) -> type:
    """`cls` with its arrays sliced from a whole group the first time they are read."""
    found = _LAZY.get(cls)
    if found is None:
        names = _names(cls)

        def __getattr__(self: Any, name: str) -> Any:  # noqa: N807
            # Called only when normal lookup fails: an array not read yet.
            if name not in names:
                raise AttributeError(name)
            whole, rows = self.__dict__["_source"]
            value = _rows.take(getattr(whole, name), rows)
            self.__dict__[name] = value
            return value

        found = _LAZY[cls] = type(f"Lazy{cls.__name__}", (cls,), {"__getattr__": __getattr__})
    return found


@dataclass
class Front(Group):
    """The war on the ground (§3.1)."""

    control: F  # (R,) share of B's territory held by A
    trend: F  # (R,) expected change of control this round
    change: F  # (R,) the change of control this round


@dataclass
class Parties(Group):
    """Each belligerent's forces, minds and standing offers (R, P)."""

    exhaustion: F
    reserve_in: F  # share of the regroup reserve brought in under ceasefires (§3.8)
    aid_mediator: F
    aid_stakeholders: F
    sanctions_mediator: F
    trust: F  # that the other side complies
    belief_mean: F  # believed trend per round (+ favours A)
    belief_precision: F
    reservation: F  # value of fighting on, on the side's own belief (§3.4)
    estimate: F  # column i: the other side's estimate of i's reservation value
    net_gain: F  # what fighting on is expected to buy beyond its cost
    stalemate: B
    hurdle_base: F  # hardliners' and audience cost, before a text is known
    refused_last: B
    final_utility: F  # of the final terms, at the end of the horizon


@dataclass
class Mediation(Group):
    """The mediator's standing and record (R,)."""

    active: B
    credibility: F
    information: F  # facilitation carried into the next belief update
    texts_proposed: I
    carrots_offered: I
    threats_made: I
    sticks_applied: I
    bluffs_called: I
    withdrawal_round: I


@dataclass
class Talks(Group):
    """The course of the talks (R,)."""

    ripe: B
    first_ripe_round: I
    ripe_streak: I
    failed_texts: I  # texts refused in a row
    rounds_talking: I  # rounds since the talks (re)started
    thaws: I  # frozen fronts that thawed into war (§3.5)


@dataclass
class Agreement(Group):
    """The agreement standing, its deferred steps, and the record of agreements (R,)."""

    terms: F  # (R, K) terms in force (NaN: none)
    enforcement: F
    text_enforcement: F  # without the mediator's guarantee (§3.11)
    imposed: B  # signed only under carrots or sticks
    hazard_ratio: F  # set by the strategy that brokered it
    steps_pending: B  # steps on deferrable issues not carried out (§3.12)
    signed_terms: F  # (R, K) the text signed, steps included
    steps_guarantee: F
    steps_enforcement: F
    steps_text_enforcement: F
    steps_carried_round: I
    first_round: I
    first_kind: NDArray[np.int8]
    last_round: I
    count: I
    collapses: I
    first_collapse_round: I
    rounds: I  # exposure: rounds at risk of collapse
    rounds_after_exit: I
    collapses_after_exit: I
    partial: I  # partial agreements concluded


@dataclass
class Ceasefire(Group):
    """The ceasefire standing and the record of ceasefires (R,)."""

    enforcement: F
    provisions: F  # what holds without the guarantor
    disposition: F  # (R, P) each signatory's acceptance draw, kept while it lasts (§3.8)
    signed_round: I
    regrouping: B  # (R, P) signed to bring in its reserve
    breaches: I
    violations: I  # rounds with a serious violation (§3.7)
    count: I
    collapses: I
    first_round: I
    first_collapse_round: I
    rounds: I  # exposure


@dataclass
class Members(Group):
    """The camps' members beside their leads (R, M) (§3.15)."""

    exhaustion: F
    aid: F  # its patrons' aid, which adds to its capacity
    ceasefire_taste: F  # its acceptance draw for the ceasefire standing, kept while it lasts
    exit_round: I  # the round it left the war on its own (-1: never)

    @property
    def fighting(self) -> B:
        """Still at war: it has not left it on its own."""
        return self.exit_round < 0


@dataclass
class RunState:
    """The state of R runs: where each stands, and its groups."""

    runs: I  # global run indices
    status: NDArray[np.int8]  # a `sim.model.outcomes.Status` code
    end_round: I  # round an absorbing state was reached (-1: none)
    peace_since: I  # round the fighting last stopped (-1: at war)
    front: Front
    parties: Parties
    mediation: Mediation
    talks: Talks
    agreement: Agreement
    ceasefire: Ceasefire
    members: Members

    GROUPS = ("front", "parties", "mediation", "talks", "agreement", "ceasefire", "members")
    ARRAYS = ("runs", "status", "end_round", "peace_since")

    @property
    def n(self) -> int:
        return int(self.runs.shape[0])

    def take(self, rows: I) -> RunState:
        """The state of some runs. A group is copied when a rule first reads it, so that a
        phase pays only for the groups it touches; `put` writes back only those."""
        part = object.__new__(_Part)
        part.__dict__.update({name: getattr(self, name)[rows] for name in self.ARRAYS})
        part.__dict__["_source"] = (self, rows)
        return part

    def copy_of(self, rows: I) -> RunState:
        """The state of some runs, every group copied now."""
        arrays = {name: getattr(self, name)[rows] for name in self.ARRAYS}
        groups = {name: getattr(self, name).take(rows) for name in self.GROUPS}
        return RunState(**arrays, **groups)

    def put(self, rows: I, part: RunState) -> None:
        """Write back the state of runs taken with `take` (or `copy_of`)."""
        for name in self.ARRAYS:
            getattr(self, name)[rows] = getattr(part, name)
        for name in self.GROUPS:
            if name in part.__dict__:
                getattr(self, name).put(rows, part.__dict__[name])

    @classmethod
    def blank(cls, runs: I, parties: int, issues: int, members: int = 0) -> RunState:
        """Runs before anything is set: at war, nothing signed, nothing recorded."""
        n = runs.shape[0]
        return cls(
            runs=runs,
            status=np.zeros(n, dtype=np.int8),
            end_round=_never(n),
            peace_since=_never(n),
            front=Front(control=np.zeros(n), trend=np.zeros(n), change=np.zeros(n)),
            parties=_blank_parties(n, parties),
            mediation=Mediation(
                active=np.zeros(n, dtype=bool),
                credibility=np.zeros(n),
                information=np.zeros(n),
                texts_proposed=_count(n),
                carrots_offered=_count(n),
                threats_made=_count(n),
                sticks_applied=_count(n),
                bluffs_called=_count(n),
                withdrawal_round=_never(n),
            ),
            talks=Talks(
                ripe=np.zeros(n, dtype=bool),
                first_ripe_round=_never(n),
                ripe_streak=_count(n),
                failed_texts=_count(n),
                rounds_talking=_count(n),
                thaws=_count(n),
            ),
            agreement=_blank_agreement(n, issues),
            ceasefire=_blank_ceasefire(n, parties),
            members=Members(
                exhaustion=np.zeros((n, members)),
                aid=np.zeros((n, members)),
                ceasefire_taste=np.zeros((n, members)),
                exit_round=np.full((n, members), -1, dtype=np.int64),
            ),
        )


def _never(n: int) -> I:
    """A round that has not come (-1) in every run."""
    return np.full(n, -1, dtype=np.int64)


def _count(n: int) -> I:
    return np.zeros(n, dtype=np.int64)


def _blank_parties(n: int, p: int) -> Parties:
    def zeros() -> F:
        return np.zeros((n, p))

    return Parties(
        exhaustion=zeros(),
        reserve_in=zeros(),
        aid_mediator=zeros(),
        aid_stakeholders=zeros(),
        sanctions_mediator=zeros(),
        trust=zeros(),
        belief_mean=zeros(),
        belief_precision=zeros(),
        reservation=zeros(),
        estimate=zeros(),
        net_gain=zeros(),
        stalemate=np.zeros((n, p), dtype=bool),
        hurdle_base=zeros(),
        refused_last=np.zeros((n, p), dtype=bool),
        final_utility=np.full((n, p), np.nan),
    )


def _blank_agreement(n: int, k: int) -> Agreement:
    return Agreement(
        terms=np.full((n, k), np.nan),
        enforcement=np.zeros(n),
        text_enforcement=np.zeros(n),
        imposed=np.zeros(n, dtype=bool),
        hazard_ratio=np.ones(n),
        steps_pending=np.zeros(n, dtype=bool),
        signed_terms=np.full((n, k), np.nan),
        steps_guarantee=np.zeros(n),
        steps_enforcement=np.zeros(n),
        steps_text_enforcement=np.zeros(n),
        steps_carried_round=_never(n),
        first_round=_never(n),
        first_kind=np.zeros(n, dtype=np.int8),
        last_round=_never(n),
        count=_count(n),
        collapses=_count(n),
        first_collapse_round=_never(n),
        rounds=_count(n),
        rounds_after_exit=_count(n),
        collapses_after_exit=_count(n),
        partial=_count(n),
    )


def _blank_ceasefire(n: int, p: int) -> Ceasefire:
    return Ceasefire(
        enforcement=np.zeros(n),
        provisions=np.zeros(n),
        disposition=np.zeros((n, p)),
        signed_round=_never(n),
        regrouping=np.zeros((n, p), dtype=bool),
        breaches=_count(n),
        violations=_count(n),
        count=_count(n),
        collapses=_count(n),
        first_round=_never(n),
        first_collapse_round=_never(n),
        rounds=_count(n),
    )


class _Part(RunState):
    """Some runs of a state (`RunState.take`): a group is sliced from the whole state the
    first time it is read."""

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: a group not read yet.
        if name not in RunState.GROUPS:
            raise AttributeError(name)
        whole, rows = self.__dict__["_source"]
        group = getattr(whole, name).lazy(rows)
        self.__dict__[name] = group
        return group
