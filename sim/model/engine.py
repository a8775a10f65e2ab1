"""The step loop: the phases of a round (`sim.model.rules`) applied to R runs at once.

`Engine` holds the state of R runs (`sim.model.state.RunState`) and what the rules read besides
(`sim.model.rules.context.Context`), and applies one phase at a time in the order of
docs/model.md §2. It does no I/O. `sim.model.shell.NegotiationModel` is the Mesa shell that calls
the phases in order and asks the mediator for its decision between them.

How a phase is applied is decided here, never in a rule: each phase works on the runs it can
change (`Engine._apply`). Most runs reach an agreement, a frozen line or a capitulation
within the first rounds; afterwards the expensive phases only concern the few still
talking. They run on a compact copy of those runs and the results are written back: the same
numbers, since every rule is per run and draws depend only on (seed, run, round, stream).
Runs in an absorbing state (`sim.model.outcomes`) are left alone for good.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.model import bargaining
from sim.model import rows as _rows
from sim.model.outcomes import Status
from sim.model.params import ModelParams
from sim.model.rng import Draws
from sim.model.rules.axes import SIGN, both
from sim.model.rules.battlefield import battlefield
from sim.model.rules.beliefs import beliefs
from sim.model.rules.context import Context
from sim.model.rules.costs import costs
from sim.model.rules.durability import durability
from sim.model.rules.events import Battle, Costs, RoundRecord, Snapshot, Standing, Talking
from sim.model.rules.freezing import frozen_line
from sim.model.rules.mediation import withdraw
from sim.model.rules.observe import observe
from sim.model.rules.reservation import reservation_values
from sim.model.rules.talks import talks
from sim.model.rules.valuation import trend
from sim.model.state import RunState, absorbing
from sim.model.strategies.base import Decision, Observation

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]

# Below this many runs, or above this share of them, a phase runs on every run: copying
# the runs in and out would cost more than it saves.
_COMPACT_MIN_RUNS = 64
_COMPACT_SHARE = 0.6
_LIGHT_SHARE = 0.25
# The share of the runs left that must have ended for good before they are retired.
_RETIRE_SHARE = 0.2


class Engine:
    """State and rules of R runs.

    Args:
        params: Compiled scenario parameters.
        runs: Global run indices (their draws depend only on these, the seed and the round).
        seed: Experiment seed.
        trace: Keep a per-round record of everything (for the single-run story).
    """

    def __init__(self, params: ModelParams, runs: I, seed: int, *, trace: bool = False) -> None:
        self.p = params
        self.runs = np.asarray(runs, dtype=np.int64)
        self.n = self.runs.shape[0]
        self.draws = Draws(seed, self.runs)
        self.ctx = self._whole_ctx = Context.build(params, self.draws)
        # The runs that can still change (`live`, at `live_rows` of the whole state; None:
        # every run) and, once runs have ended for good, the whole state they are written
        # back into (`_retire`).
        self.live = self._whole = start(params, self.ctx, self.runs)
        # A frozen front ends a run for good unless it may thaw or be talked across in
        # some period of the timeline (§3.5).
        self._frozen_final = not any(
            np.any(np.asarray(q.thaw_hazard) > 0) or q.talks_while_frozen
            for q in (params, *(e.params for e in params.later))
        )
        self.live_rows: I | None = None
        self.trace = trace
        self.records: list[RoundRecord] = []
        self.round = 0
        # Runs whose belief an update would leave exactly as it is (`beliefs`).
        self._belief_fixed = np.zeros(self.n, dtype=bool)
        self._mediator_rows: I | None = None
        self._battle: Battle | None = None
        self._costs: Costs | None = None
        self._talks: Talking | None = None
        self._talk_rows: I | None = None

    @property
    def space(self) -> bargaining.IssueSpace:
        return self._whole_ctx.space

    @property
    def state(self) -> RunState:
        """The state of every run (the runs that ended for good as they ended)."""
        if self.live_rows is not None:
            self._whole.put(self.live_rows, self.live)
        return self._whole

    # -- applying a phase -------------------------------------------------------------------
    def _rows(self, mask: B, share: float = _COMPACT_SHARE) -> I | None:
        """The runs in `mask`, or None where a phase should run on every run: when they
        are more than `share` of the runs, copying them in and out would cost more than
        the work it saves (a light phase pays off only on fewer runs than a heavy one)."""
        width = self.live.n
        if self.trace or width < _COMPACT_MIN_RUNS:
            return None
        rows = np.flatnonzero(mask)
        return rows if rows.size <= share * width else None

    def _apply(
        self, phase: Callable[..., Any], rows: I | None, *args: Any, reads_only: bool = False
    ) -> Any:
        """Apply a phase to the runs `rows` (None: all): on a compact copy of their state
        and context, written back after (unless the phase only reads). Its events are those
        of `rows`."""
        if rows is None:
            return phase(self.live, self.ctx, self.round, *args)
        part = self.live.take(rows)
        events = phase(part, self.ctx.take(rows), self.round, *args)
        if not reads_only:
            self.live.put(rows, part)
        return events

    def _talking(self) -> B:
        status = self.live.status
        talking = (status == Status.WAR) | (status == Status.CEASEFIRE)
        if self.p.talks_while_frozen:
            talking |= status == Status.FROZEN
        return talking

    def _ended(self, status: NDArray[np.int8]) -> B:
        """The runs that ended for good."""
        return absorbing(status, self._frozen_final)

    # -- the phases, in the order of docs/model.md §2 ----------------------------------------
    def battlefield(self) -> None:
        """Phase 1 for the runs still talking: the front moves only where the war goes on,
        and the trend is read only where talks go on."""
        self.round += 1
        self._mediator_rows = None
        for epoch in self.p.later:
            if epoch.round == self.round:
                self._enter(epoch.params)
        talking = self._talking()
        rows = self._rows(talking)
        self._battle = self._apply(battlefield, rows)
        if rows is not None:
            np.copyto(self.live.front.change, 0.0, where=~talking)

    def _enter(self, new: ModelParams) -> None:
        """The timeline's parameters from this round on (docs/model.md §3.13). What the state
        took from the parameters at the start and the mediator's sticks may have moved since
        (aid, sanctions, the domestic hurdle) moves by the change, never below zero."""
        old, parties, rows = self.p, self.live.parties, self.live_rows

        def change(now: Any, before: Any) -> F:
            delta = np.asarray(now, dtype=float) - np.asarray(before, dtype=float)
            if delta.ndim == 2 and rows is not None:  # per run in a stacked batch
                delta = delta[rows]
            return delta

        for held, name in (
            ("aid_mediator", "mediator_aid"),
            ("aid_stakeholders", "stakeholder_aid"),
            ("sanctions_mediator", "mediator_sanctions"),
        ):
            delta = change(getattr(new, name), getattr(old, name))
            if np.any(delta):
                setattr(parties, held, np.maximum(getattr(parties, held) + delta, 0.0))
        delta = change(new.member_stakeholder_aid, old.member_stakeholder_aid)
        if np.any(delta):
            members = self.live.members
            members.aid = np.maximum(members.aid + delta, 0.0)
        delta = change(_hurdle(new), _hurdle(old))
        if np.any(delta):
            parties.hurdle_base = parties.hurdle_base + delta
        new = dataclasses.replace(new, later=old.later)
        self.p = new
        self._whole_ctx = Context.build(new, self.draws)
        self.ctx = self._whole_ctx if rows is None else self._whole_ctx.take(rows)

    def costs(self) -> None:
        """Phase 2 for the runs that pay anything and can still change (at war, under a
        ceasefire or a framework)."""
        s = self.live.status
        paying = (s == Status.WAR) | (s == Status.CEASEFIRE) | (s == Status.FRAMEWORK)
        if not self._frozen_final:
            paying |= s == Status.FROZEN
        self._costs = self._apply(costs, self._rows(paying, _LIGHT_SHARE))

    def beliefs(self) -> None:
        """Phase 3. A run that observes nothing keeps its precision, and its mean is only
        rounded (precision * mean / precision); once that leaves the mean as it is, it will
        again next round, so such runs are skipped until they observe again or a ceasefire
        moves their belief (the regrouping, §3.8)."""
        s, t = self.live.status, self.round
        observed = (s == Status.WAR) | (self.live.end_round == t)
        live = ~self._ended(s)
        rows = self._rows(live & (observed | ~self._belief_fixed | (s == Status.CEASEFIRE)))
        parties = self.live.parties
        if rows is None:
            mean, precision = parties.belief_mean, parties.belief_precision
            self._apply(beliefs, None)
            self._belief_fixed = ~observed & _unchanged(
                mean, precision, parties.belief_mean, parties.belief_precision
            )
            return
        take = _rows.take
        mean, precision = take(parties.belief_mean, rows), take(parties.belief_precision, rows)
        self._apply(beliefs, rows)
        self._belief_fixed[rows] = ~observed[rows] & _unchanged(
            mean, precision, take(parties.belief_mean, rows), take(parties.belief_precision, rows)
        )

    def reservation_values(self) -> None:
        """Phase 4 for the runs still talking (only a run at war can be ripe)."""
        talking = self._talking()
        rows = self._rows(talking)
        self._apply(reservation_values, rows)
        if rows is not None:
            self.live.talks.ripe[~talking] = False

    def observe(self, *, settled_too: bool = True) -> Observation:
        """What the mediator sees (phase 5): the runs that can still change, or only those
        still talking for a strategy that acts on no others (`acts_after_settlement`)."""
        status = self.live.status
        rows = self._rows(self._talking() if not settled_too else ~self._ended(status))
        self._mediator_rows = rows
        return self._apply(observe, rows, reads_only=True)

    @property
    def mediator_rows(self) -> I | None:
        """The runs of the last observation, in order, as positions in the whole batch
        (None: all runs)."""
        rows, live = self._mediator_rows, self.live_rows
        if live is None:
            return rows
        return live if rows is None else live[rows]

    def talks(self, decision: Decision) -> None:
        """Phases 5-7 for the runs still talking; the others only lose the per-round
        bookkeeping of talks and may see the mediator leave. `decision` is the mediator's,
        over the runs of the last observation."""
        talking = self._talking()
        rows = self._rows(talking)
        seen = self._mediator_rows
        if rows is None:
            self._talk_rows = None
            self._talks = self._apply(talks, None, _on_runs(decision, seen, None, self.live.n))
            return
        self._talk_rows = rows
        self._talks = self._apply(talks, rows, _on_runs(decision, seen, rows, self.live.n))
        rest = ~talking
        st = self.live
        np.copyto(st.mediation.information, 0.0, where=rest)
        np.copyto(st.talks.failed_texts, 0, where=rest)
        np.copyto(st.talks.ripe_streak, 0, where=rest)
        for side in (0, 1):  # column by column: an (n, 1) mask on (n, 2) is slow in numpy
            np.copyto(st.parties.refused_last[:, side], False, where=rest)
        if decision.withdraw is not None:
            wanted = _on_runs_flag(decision.withdraw, seen, self.live.n)
            withdraw(st, self.round, wanted & rest)

    def durability(self) -> None:
        """Phase 8 for the runs with a standing agreement or ceasefire."""
        s = self.live.status
        ev, talk_rows = self._talks, self._talk_rows
        assert ev is not None
        deal, accept = ev.deal, ev.ceasefire_accept
        if talk_rows is not None:
            deal = _scattered(deal, talk_rows, self.live.n)
            accept = _scattered(accept, talk_rows, self.live.n)
        standing = ~self._ended(s) & (s != Status.WAR)
        rows = self._rows(standing, _LIGHT_SHARE)
        if rows is None:
            standing_ev = self._apply(durability, None, deal, both(accept))
        else:
            standing_ev = self._apply(durability, rows, deal[rows], both(accept[rows]))
        if self.trace:
            self._record(standing_ev)
        self._retire()

    def _retire(self) -> None:
        """Leave the runs that ended for good once they are a good share of those left:
        written back into the whole state, they drop out of every later phase."""
        live = self.live
        if self.trace or live.n < _COMPACT_MIN_RUNS:
            return
        ended = self._ended(live.status)
        keep = np.flatnonzero(~ended)
        if keep.size == 0 or keep.size > (1.0 - _RETIRE_SHARE) * live.n:
            return
        whole = self.state  # written back
        rows = keep if self.live_rows is None else self.live_rows[keep]
        self.live = whole.copy_of(rows)
        self.live_rows = rows
        self.ctx = self.ctx.take(keep)
        self._belief_fixed = self._belief_fixed[keep]

    def _record(self, standing: Standing) -> None:
        st, parties = self.live, self.live.parties
        assert self._battle is not None and self._costs is not None and self._talks is not None
        snapshot = Snapshot(
            control=st.front.control.copy(),
            trend=st.front.trend.copy(),
            exhaustion=parties.exhaustion.copy(),
            belief=parties.belief_mean.copy(),
            reservation=parties.reservation.copy(),
            ripe=st.talks.ripe.copy(),
            status=st.status.copy(),
            trust=parties.trust.copy(),
            credibility=st.mediation.credibility.copy(),
            mediator_active=st.mediation.active.copy(),
            net_gain=parties.net_gain.copy(),
            reserve=parties.reserve_in.copy(),
            steps_pending=st.agreement.steps_pending.copy(),
            aid=parties.aid_mediator + parties.aid_stakeholders,
            sanctions=parties.sanctions_mediator.copy(),
        )
        self.records.append(
            RoundRecord(
                round=self.round,
                state=snapshot,
                battle=self._battle,
                costs=self._costs,
                talks=self._talks,
                standing=standing,
            )
        )

    # -- end of the horizon ----------------------------------------------------------------
    def finish(self) -> None:
        """Utilities of the final terms (agreement, capitulation or frozen line)."""
        p, st = self.p, self.state
        # Every run is in the whole state now, the ended and those still live.
        self.live, self.live_rows, self.ctx = st, None, self._whole_ctx
        terms = st.agreement.terms
        has_terms: B = np.asarray(~np.isnan(terms).any(axis=1))
        filled = np.where(has_terms[:, None], terms, 0.0)
        util = bargaining.utilities(filled, p.ideal, p.salience, p.span)  # any positions
        st.parties.final_utility = np.where(has_terms[:, None], util, np.nan)

    @property
    def finished(self) -> bool:
        """True when no run can change any more (every run ended in an absorbing state)."""
        return bool(self._ended(self.live.status).all())


def start(p: ModelParams, ctx: Context, runs: I) -> RunState:
    """The state of runs at the start: at war, beliefs about the trend optimistic
    (Blainey 1973), trust, aid and sanctions as the scenario sets them."""
    n = runs.shape[0]
    st = RunState.blank(runs, len(p.party_names), p.n_issues, len(p.member_names))
    parties, med = st.parties, st.mediation
    st.front.control = np.full(n, p.initial_control, dtype=float)
    parties.trust = np.broadcast_to(p.trust, (n, 2)).astype(float)
    parties.aid_mediator = np.broadcast_to(p.mediator_aid, (n, 2)).astype(float)
    parties.aid_stakeholders = np.broadcast_to(p.stakeholder_aid, (n, 2)).astype(float)
    parties.sanctions_mediator = np.broadcast_to(p.mediator_sanctions, (n, 2)).astype(float)
    st.members.aid = np.broadcast_to(p.member_stakeholder_aid, (n, len(p.member_names))).astype(
        float
    )
    med.credibility = np.full(n, p.credibility, dtype=float)
    med.active = np.full(n, p.has_mediator, dtype=bool)
    trend0 = trend(st, ctx, parties.exhaustion)
    parties.belief_mean = trend0[:, None] + SIGN * np.broadcast_to(p.optimism, (n, 2))
    with np.errstate(divide="ignore"):  # belief_sd 0: infinite precision, a known trend
        precision = 1.0 / np.square(np.asarray(p.belief_sd, dtype=float))
    parties.belief_precision = np.broadcast_to(precision, (n, 2)).astype(float)
    st.front.trend = trend0
    parties.hurdle_base = np.broadcast_to(_hurdle(p), (n, 2)).astype(float)
    _open(st, p, ctx)
    return st


def _hurdle(p: ModelParams) -> Any:
    """The domestic hurdle a side faces before any text is known: hardliners' and
    audience costs (§3.9)."""
    return p.hardliner_cost + p.audience_cost


def _open(st: RunState, p: ModelParams, ctx: Context) -> None:
    """Runs that start under a standing ceasefire or on a frozen front (§3.14): the
    ceasefire as if signed at round 0, with its provisions and no side's taste for it either
    way; the frozen line at the initial front."""
    if p.initial_state == "ceasefire":
        cf = st.ceasefire
        st.status[:] = Status.CEASEFIRE
        st.peace_since[:] = 0
        cf.signed_round[:] = 0
        cf.enforcement = np.full(st.n, p.initial_ceasefire_provisions, dtype=float)
        cf.provisions = cf.enforcement.copy()
    elif p.initial_state == "frozen":
        st.status[:] = Status.FROZEN
        st.end_round[:] = 0
        st.agreement.terms = frozen_line(ctx, st.front.control, np.arange(st.n))


def _on_runs(decision: Decision, seen: I | None, rows: I | None, n: int) -> Decision:
    """The decision, made over the runs `seen` (None: all n), for the runs `rows`."""
    if rows is None:
        # Every run is stepped only where the mediator saw every run too: the runs it
        # sees (those that can still change) include those still talking.
        assert seen is None
        return decision
    m = n if seen is None else seen.shape[0]
    at = rows if seen is None else np.searchsorted(seen, rows)
    changes = {}
    for key, value in decision.fields().items():
        if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == m:
            changes[key] = _rows.take(value, at)
    return Decision(**{**decision.fields(), **changes})


def _on_runs_flag(value: Any, seen: I | None, n: int) -> B:
    """A decision's per-run flag, made over the runs `seen`, for all n runs (False for the
    runs the mediator did not see)."""
    if seen is None:
        return np.broadcast_to(np.asarray(value, dtype=bool), (n,))
    out = np.zeros(n, dtype=bool)
    out[seen] = np.broadcast_to(np.asarray(value, dtype=bool), seen.shape)
    return out


def _scattered(value: NDArray[Any], rows: I, n: int) -> NDArray[Any]:
    full = np.zeros((n, *value.shape[1:]), dtype=value.dtype)
    _rows.put(full, rows, value)
    return full


def _unchanged(mean: F, precision: F, new_mean: F, new_precision: F) -> B:
    """Runs (rows) whose belief an update left exactly as it was."""
    same = (new_mean == mean) & (new_precision == precision)
    return same[:, 0] & same[:, 1]
