"""The rules of a round, written once as numpy over a leading axis of runs.

`Engine` holds the state of R runs and exposes one method per phase of a round, in the order
of docs/model.md §2: battlefield, costs, beliefs, reservation values, talks (the mediator's
decision is passed in), acceptance and its consequences, and the fate of standing agreements.
It does no I/O. `sim.model.NegotiationModel` is the Mesa shell that calls the phases in order.

Runs that have ended stay in the arrays and are masked: nothing moves for them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim import bargaining
from sim.outcomes import Refusal, Status
from sim.params import ModelParams, take_runs
from sim.rng import Draws, Stream
from sim.strategies.base import Decision, Observation

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]

SIGN = np.array([1.0, -1.0])  # + trend favours A; party axis (A, B)
_SWEETENER = 1e-9


KIND_NAMES = {int(Status.FRAMEWORK): "framework", int(Status.COMPREHENSIVE): "comprehensive"}


@dataclass
class RoundRecord:
    """What happened in one round for every run (kept only when tracing)."""

    round: int
    values: dict[str, Any]


def _by_side(x: Any) -> Any:
    """A scenario-level number (a float, or (R,) in a batch of scenarios) as a factor of
    per-side arrays (R, 2): a per-run value gets a side axis, a shared one stays as it is."""
    if isinstance(x, np.ndarray) and x.ndim == 1:
        return x[:, None]
    return x


def _per_run_fields(p: ModelParams, n: int) -> tuple[str, ...]:
    """Names of the parameters that carry a runs axis of length n (none for a plain scenario)."""
    return tuple(
        f.name
        for f in dataclasses.fields(p)
        if isinstance(value := getattr(p, f.name), np.ndarray)
        and value.ndim >= 1
        and value.shape[0] == n
    )


def _take_params(
    p: ModelParams, rows: I, n: int, names: tuple[str, ...] | None = None
) -> ModelParams:
    """Parameters of some runs: per-run arrays (leading axis n) sliced, shared ones kept.
    `names` are the per-run fields, when already known (`_per_run_fields`)."""
    return take_runs(p, rows, _per_run_fields(p, n) if names is None else names)


def _take_path(path: bargaining.Path, rows: I, n: int) -> bargaining.Path:
    if path.u.shape[0] != n or n == 1:
        return path
    return bargaining.Path(giver=path.giver, ranks=path.ranks[rows], u=path.u[rows], g=path.g[rows])


def _take_decision(decision: Decision, rows: I, n: int) -> Decision:
    """A decision restricted to some runs (fields over the runs axis sliced)."""
    changes = {}
    for key, value in decision.fields().items():
        if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n:
            changes[key] = value[rows]
    return dataclasses.replace(decision, **changes)


class Engine:
    """State and rules of R runs.

    Args:
        params: Compiled scenario parameters.
        runs: Global run indices (their draws depend only on these, the seed and the round).
        seed: Experiment seed.
        trace: Keep a per-round record of everything (for the single-run story).
    """

    def __init__(self, params: ModelParams, runs: I, seed: int, *, trace: bool = False) -> None:
        p = self.p = params
        self.runs = np.asarray(runs, dtype=np.int64)
        n = self.n = self.runs.shape[0]
        k = p.n_issues
        self.draws = Draws(seed, self.runs)
        self.trace = trace
        self.records: list[RoundRecord] = []
        self.round = 0

        self.control = np.full(n, p.initial_control, dtype=float)
        # The share of each side's regroup reserve brought to the front under ceasefires
        # so far (§3.6b); it stays in once brought in.
        self.reserve_in = np.zeros((n, 2))
        self.exhaustion = np.zeros((n, 2))
        self.trust = np.broadcast_to(p.trust, (n, 2)).astype(float)
        self.aid_mediator = np.broadcast_to(p.mediator_aid, (n, 2)).astype(float)
        self.aid_stakeholders = np.broadcast_to(p.stakeholder_aid, (n, 2)).astype(float)
        self.sanctions_mediator = np.broadcast_to(p.mediator_sanctions, (n, 2)).astype(float)
        self.credibility = np.full(n, p.credibility, dtype=float)
        self.mediator_active = np.full(n, p.has_mediator, dtype=bool)
        self.status = np.zeros(n, dtype=np.int8)

        # Beliefs about the trend: mean and precision, starting optimistic (Blainey 1973).
        trend0 = self._trend(self.exhaustion)
        self.belief_mean = trend0[:, None] + SIGN * np.broadcast_to(p.optimism, (n, 2))
        with np.errstate(divide="ignore"):  # belief_sd 0: infinite precision, a known trend
            precision = 1.0 / np.square(np.asarray(p.belief_sd, dtype=float))
        self.belief_precision = np.broadcast_to(precision, (n, 2)).astype(float)
        self.information = np.zeros(n)  # facilitation carried into the next belief update

        self.terms = np.full((n, k), np.nan)
        self.agreement_enforcement = np.zeros(n)
        # The text's own enforcement, without the mediator's guarantee: all that is left
        # once the guarantor has gone (§3.9).
        self.agreement_text_enforcement = np.zeros(n)
        self.agreement_imposed = np.zeros(n, dtype=bool)
        # A comprehensive agreement whose steps on deferrable issues a side would not carry
        # out stands as a framework until a guarantor has them carried out (§3.9a): the text
        # signed, the guarantee behind the steps, and the enforcement the text gives once
        # they are carried out.
        self.steps_pending = np.zeros(n, dtype=bool)
        self.signed_terms = np.full((n, k), np.nan)
        self.steps_guarantee = np.zeros(n)
        self.steps_enforcement = np.zeros(n)
        self.steps_text_enforcement = np.zeros(n)
        self.steps_carried_round = np.full(n, -1, dtype=np.int64)
        self.agreement_hazard_ratio = np.ones(n)
        self.last_agreement_round = np.full(n, -1, dtype=np.int64)
        self.ceasefire_enforcement = np.zeros(n)
        self.ceasefire_provisions = np.zeros(n)  # what holds without the guarantor
        # The acceptance draw each signatory keeps while its ceasefire lasts: the same
        # taste weighs the same ceasefire every round (§3.6b). A side that signed to bring
        # in its reserve keeps to the ceasefire for the rounds its build-up takes.
        self.ceasefire_disposition = np.zeros((n, 2))
        self.ceasefire_signed_round = np.full(n, -1, dtype=np.int64)
        # The round the fighting last stopped (a ceasefire or an agreement), -1 at war: the
        # age of the peace, which a hazard shape other than 1 makes the hazard depend on.
        self.peace_since = np.full(n, -1, dtype=np.int64)
        self.ceasefire_regrouping = np.zeros((n, 2), dtype=bool)
        self.ceasefire_breaches = np.zeros(n, dtype=np.int64)
        self.ceasefires = np.zeros(n, dtype=np.int64)
        self.ceasefire_collapses = np.zeros(n, dtype=np.int64)
        self.first_ceasefire_round = np.full(n, -1, dtype=np.int64)
        self.first_ceasefire_collapse_round = np.full(n, -1, dtype=np.int64)
        # Exposure: rounds a standing agreement or a bare ceasefire was at risk of collapse,
        # so that collapses / exposure estimates the per-round hazard (validation/).
        self.agreement_rounds = np.zeros(n, dtype=np.int64)
        self.ceasefire_rounds = np.zeros(n, dtype=np.int64)
        # The same after the mediator has left: where leverage-propped deals show (§3.9).
        self.agreement_rounds_after_exit = np.zeros(n, dtype=np.int64)
        self.collapses_after_exit = np.zeros(n, dtype=np.int64)
        self.partial_agreements = np.zeros(n, dtype=np.int64)
        self.first_agreement_round = np.full(n, -1, dtype=np.int64)
        self.first_agreement_kind = np.zeros(n, dtype=np.int8)
        self.first_collapse_round = np.full(n, -1, dtype=np.int64)
        self.end_round = np.full(n, -1, dtype=np.int64)
        self.agreements = np.zeros(n, dtype=np.int64)
        self.collapses = np.zeros(n, dtype=np.int64)
        self.first_ripe_round = np.full(n, -1, dtype=np.int64)
        self.ripe_streak = np.zeros(n, dtype=np.int64)
        self.failed_texts = np.zeros(n, dtype=np.int64)
        self.rounds_talking = np.zeros(n, dtype=np.int64)
        self.refused_last = np.zeros((n, 2), dtype=bool)
        self.final_utility = np.full((n, 2), np.nan)
        # The mediator's record: what it did, per run.
        self.texts_proposed = np.zeros(n, dtype=np.int64)
        self.carrots_offered = np.zeros(n, dtype=np.int64)
        self.threats_made = np.zeros(n, dtype=np.int64)
        self.sticks_applied = np.zeros(n, dtype=np.int64)
        self.bluffs_called = np.zeros(n, dtype=np.int64)
        self.withdrawal_round = np.full(n, -1, dtype=np.int64)

        # Per-round quantities the next phases read.
        self.trend = trend0
        self.change = np.zeros(n)
        self.reservation = np.zeros((n, 2))
        self.estimate = np.zeros((n, 2))
        self.net_gain = np.zeros((n, 2))
        self.stalemate = np.zeros((n, 2), dtype=bool)
        # Set here, not only by phase 4: when most runs end in the first round, phase 4 runs
        # on a compact copy of the few left and writes back into these.
        self.ripe = np.zeros(n, dtype=bool)
        self.hurdle_base = np.broadcast_to(p.hardliner_cost + p.audience_cost, (n, 2)).astype(float)
        self._annuity = self._cost_annuity()
        self.space = bargaining.IssueSpace.build(p.ideal, p.salience, p.assures, p.indivisible)
        self.open_progress = self.space.progress(np.asarray(p.open_position, dtype=float))
        self._all_movable = np.ones(k, dtype=bool)
        self._frontiers = self._pareto_frontiers()
        self._cur: dict[str, Any] = {}

    # -- helpers -----------------------------------------------------------------------------
    def _cost_annuity(self) -> F:
        """sum_{tau < H} delta^tau: how many rounds of cost the planning horizon weighs."""
        d = np.asarray(self.p.discount_factor, dtype=float)
        h = np.asarray(self.p.planning_horizon, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ann = np.where(d < 1.0, (1.0 - d**h) / (1.0 - d), h)
        return ann

    def _pareto_frontiers(self) -> list[bargaining.Path]:
        """The Pareto frontier: A concedes issues to B in order of B's relative salience.
        Without per-run parameters it is one row shared by every run. With indivisible
        issues it is the union of one path per placement of them (`whole_starts`)."""
        rows = self.space.weights.shape[0] if self.space.weights.ndim == 3 else 1
        start = np.ones((rows, self.p.n_issues))
        movable = self._divisible
        return [
            bargaining.concession_path(0, self.space, movable, placed)
            for placed in bargaining.whole_starts(self.space, start, self._all_movable)
        ]

    def _left_open(self, progress: F) -> F:
        """A text (progress coordinates) with its deferrable issues at their open position:
        a framework's text, and what stands of a comprehensive text until its steps are
        carried out (§3.9a)."""
        return np.where(self.p.deferrable, self.open_progress, progress)

    @property
    def _divisible(self) -> NDArray[np.bool_]:
        """Issues a concession path may move part of the way."""
        if self.space.indivisible is None:
            return self._all_movable
        return self._all_movable & ~self.space.indivisible

    def _capacity(self, exhaustion: F, aid: F | None = None, reserve: F | None = None) -> F:
        p = self.p
        worn = np.clip(exhaustion / p.breaking_point, 0.0, 1.0)
        # The reserve brought in under a ceasefire is fresh: exhaustion does not wear it.
        brought = self.reserve_in if reserve is None else reserve
        own = p.capacity * (1.0 - _by_side(p.exhaustion_drag) * worn + p.regroup * brought)
        support = self.aid_mediator + self.aid_stakeholders if aid is None else aid
        return own + support

    def _trend(self, exhaustion: F, aid: F | None = None, reserve: F | None = None) -> F:
        """Expected change of control per round: a Lanchester-style balance of capacities."""
        cap = self._capacity(exhaustion, aid, reserve)
        balance = (cap[:, 0] - cap[:, 1]) / np.maximum(cap[:, 0] + cap[:, 1], 1e-12)
        return self.p.drift_scale * balance

    def _war_cost(self, sanctions: F | None = None) -> F:
        """Cost of one more round of full-scale war, per side (R, 2)."""
        p = self.p
        sanc = self.sanctions_mediator if sanctions is None else sanctions
        return p.cost_per_round + (sanc + p.stakeholder_sanctions) * (1.0 - p.cover)

    def share_of_stakes(self, control: F) -> F:
        """A's share of the stakes implied by a front line (Fearon's p, generalised)."""
        p = self.p
        low, high = p.control_at_b_victory, p.control_at_a_victory
        if control.ndim == 2:  # each side's projected front (R, 2)
            low, high = _by_side(low), _by_side(high)
        return np.clip((control - low) / (high - low), 0.0, 1.0)

    def war_utilities(self, share: F) -> F:
        """Utility of battlefield-implied terms to A and B, (R, 2) for share (R, 2) or (R,).

        The battlefield prices every issue alike: at share s of the stakes, each issue sits
        a fraction s of the way from B's ideal to A's. With linear utilities this gives
        U_A = 1 - (1 - s) D_A and U_B = 1 - s D_B, where D_i is the stake at risk.
        """
        d = self.p.stakes_at_risk
        s = share if share.ndim == 2 else share[:, None]
        a = 1.0 - (1.0 - s[:, 0]) * d[..., 0]
        b = 1.0 - s[:, -1] * d[..., 1]
        return np.stack([a, b], axis=-1)

    def _valuations(self, belief_mean: F, cost: F) -> tuple[F, F, F]:
        """Reservation values under each side's own belief, and each side's estimate of the
        other's (made with its own belief: the root of mutual optimism; Fearon 1995).

        Returns (reservation, estimate, net_gain), each (R, 2) and indexed by the side
        valued: estimate[:, i] is what the OTHER side (1 - i) reckons i's reservation value
        to be; net_gain is what fighting on for the planning horizon is expected to buy
        beyond what it costs, on the side's own reckoning (§3.4).
        """
        p = self.p
        horizon = np.asarray(p.planning_horizon, dtype=float)
        expected = self.control[:, None] + horizon * belief_mean  # (R, 2): each side's view
        share = self.share_of_stakes(expected)
        own_view = self.war_utilities(share)  # column i: i's value under i's belief
        # The other side's value under i's belief: A projects B's value with A's share, etc.
        other_view = self.war_utilities(share[:, ::-1])
        future_cost = cost * self._annuity
        reservation = own_view - future_cost + p.payoff_of_fighting
        estimate = other_view - future_cost + p.payoff_of_fighting
        now = self.war_utilities(self.share_of_stakes(self.control))
        net_gain = own_view - now - future_cost
        return reservation, estimate, net_gain

    # -- phase 1: battlefield -----------------------------------------------------------------
    def battlefield(self) -> None:
        """Computed for the runs still talking only: the front moves only where the war goes
        on, and the trend is read only where talks go on (elsewhere it is left as it was)."""
        self.round += 1
        rows = self._talking_rows()
        if rows is None:
            self._battlefield()
            return
        self._cur = {}
        self._on_rows(rows, Engine._battlefield)
        rest = np.ones(self.n, dtype=bool)
        rest[rows] = False
        np.copyto(self.change, 0.0, where=rest)

    def _battlefield(self) -> None:
        t, p, d = self.round, self.p, self.draws
        fighting = self.status == Status.WAR
        self._regroup()
        cap = self._capacity(self.exhaustion)
        total = np.maximum(cap[:, 0] + cap[:, 1], 1e-12)
        self.trend = p.drift_scale * (cap[:, 0] - cap[:, 1]) / total
        change = self.trend + p.noise_sd * d.normal(t, Stream.BATTLE_NOISE)
        # Breakthroughs are rare; which side breaks through is a capacity-weighted coin.
        breakthrough = d.uniform(t, Stream.BREAKTHROUGH) < p.breakthrough_probability
        a_side = d.uniform(t, Stream.BREAKTHROUGH_SIDE) < cap[:, 0] / total
        change += np.where(breakthrough, np.where(a_side, 1.0, -1.0) * p.breakthrough_size, 0.0)
        new = np.where(fighting, np.clip(self.control + change, 0.0, 1.0), self.control)
        self.change = new - self.control
        self.control = new
        self._cur = {"breakthrough": breakthrough & fighting}

    # -- phase 2: costs and exhaustion ----------------------------------------------------------
    def costs(self) -> None:
        """Computed for the runs that pay anything only (at war, under a ceasefire, a
        framework or a frozen line): for the others the cost is zero and nothing changes."""
        s = self.status
        if not (self.trace or self.n < self._COMPACT_MIN_RUNS):
            paying = (s == Status.WAR) | (s == Status.CEASEFIRE) | (s == Status.FRAMEWORK)
            rows = np.flatnonzero(paying | (s == Status.FROZEN))
            if rows.size <= 0.6 * self.n:
                self._on_rows(rows, Engine._costs)
                return
        self._costs()

    def _costs(self) -> None:
        p, s = self.p, self.status
        fighting = s == Status.WAR
        ceasefire = (s == Status.CEASEFIRE) | (s == Status.FRAMEWORK) | (s == Status.FROZEN)
        intensity = np.where(fighting, 1.0, np.where(ceasefire, p.ceasefire_cost_share, 0.0))
        sanctions = (self.sanctions_mediator + p.stakeholder_sanctions) * (1.0 - p.cover)
        cost = p.cost_per_round * intensity[:, None] + sanctions * (fighting | ceasefire)[:, None]
        self.exhaustion += cost
        ratio = self.exhaustion / p.breaking_point
        broken = fighting[:, None] & (ratio >= 1.0)
        # If both break in the same round, the one further past its breaking point yields.
        a_yields = broken[:, 0] & (~broken[:, 1] | (ratio[:, 0] >= ratio[:, 1]))
        b_yields = broken[:, 1] & ~a_yields
        winner_terms = np.broadcast_to(self.p.ideal, (self.n, 2, p.n_issues))
        for yields, status, winner in (
            (a_yields, Status.CAPITULATION_A, 1),
            (b_yields, Status.CAPITULATION_B, 0),
        ):
            if yields.any():
                self.status[yields] = status
                self.end_round[yields] = self.round
                self.terms[yields] = winner_terms[yields, winner]
        self._cur["cost"] = cost

    # -- phase 3: beliefs -------------------------------------------------------------------
    def beliefs(self) -> None:
        """Normal-normal updating on the observed change of control (Slantchev 2003's
        principle of convergence); shared information from a mediator adds precision.

        A run that observes nothing keeps its precision, and its mean is only rounded
        (precision * mean / precision); once that leaves the mean as it is, it will again
        next round, so such runs are skipped until they observe again (`_belief_fixed`).
        """
        if self.trace or self.n < self._COMPACT_MIN_RUNS:
            self._beliefs()
            return
        observed = (self.status == Status.WAR) | (self.end_round == self.round)
        fixed = self.__dict__.get("_belief_fixed")
        rows = None if fixed is None else np.flatnonzero(observed | ~fixed)
        if rows is None or rows.size > 0.6 * self.n:
            mean, precision = self.belief_mean, self.belief_precision
            self._beliefs()
            self._belief_fixed = ~observed & _unchanged(
                mean, precision, self.belief_mean, self.belief_precision
            )
            return
        mean, precision = self.belief_mean[rows], self.belief_precision[rows]
        sub = self._on_rows(rows, Engine._beliefs)
        assert fixed is not None
        fixed[rows] = ~observed[rows] & _unchanged(
            mean, precision, sub.belief_mean, sub.belief_precision
        )

    def _beliefs(self) -> None:
        p = self.p
        observed = (self.status == Status.WAR) | (self.end_round == self.round)
        gain = (1.0 + self.information[:, None] * p.trust_in_mediator) / _by_side(p.noise_sd) ** 2
        gain = np.where(observed[:, None], gain, 0.0)
        post = self.belief_precision + gain
        known = np.isinf(self.belief_precision)
        with np.errstate(invalid="ignore"):
            updated = (
                self.belief_precision * self.belief_mean + gain * self.change[:, None]
            ) / post
        self.belief_mean = np.where(known, self.belief_mean, updated)
        self.belief_precision = post

    # -- phase 4: reservation values and ripeness -------------------------------------------------
    def reservation_values(self) -> None:
        """Reservation values and ripeness, computed only for runs still talking."""
        rows = self._talking_rows()
        if rows is None:
            self._reservation_values()
            return
        sub = self._subset(rows)
        sub._reservation_values()
        self._absorb(sub, rows)
        done = np.ones(self.n, dtype=bool)
        done[rows] = False
        self.ripe[done] = False  # only a run at war can be ripe

    def _reservation_values(self) -> None:
        cost = self._war_cost()
        self.reservation, self.estimate, self.net_gain = self._valuations(self.belief_mean, cost)
        # Stalemate (the "S" of Zartman's MHS): fighting on is expected to buy less than it
        # costs, on each side's own reckoning.
        self.stalemate = self.net_gain < 0.0
        # Ripeness (Zartman 2000): a mutually hurting stalemate (both expect fighting to buy
        # less than it costs) plus a perceived way out: each side, on its own reckoning,
        # prefers some deal on the Pareto frontier to fighting on, net of its domestic hurdle.
        stalemate = _both(self.stalemate)
        need = self.reservation + self.hurdle_base
        ones, zeros = np.ones(self.n), np.zeros(self.n)
        way_out = np.zeros(self.n, dtype=bool)
        for frontier in self._frontiers:
            lam_a, ok_a = bargaining.last_acceptable(
                frontier, 0, ones, zeros, need[:, 0], zeros, zeros
            )
            u_b = bargaining.interpolate(frontier.u[..., 1], lam_a)
            way_out |= ok_a & (u_b >= need[:, 1])
        self.ripe = stalemate & way_out & (self.status == Status.WAR)
        newly = self.ripe & (self.first_ripe_round < 0)
        self.first_ripe_round[newly] = self.round

    # -- phase 5: what the mediator sees -----------------------------------------------------------
    def observe(self) -> Observation:
        p, t, d = self.p, self.round, self.draws
        noise = np.stack(
            [d.normal(t, Stream.MEDIATOR_ESTIMATE_A), d.normal(t, Stream.MEDIATOR_ESTIMATE_B)],
            axis=-1,
        )
        fighting = self.status == Status.WAR
        in_ceasefire = self.status == Status.CEASEFIRE
        return Observation(
            round=t,
            horizon=p.horizon,
            at_war=(fighting | in_ceasefire) & self.mediator_active,
            fighting=fighting,
            in_ceasefire=in_ceasefire,
            agreed=(self.status == Status.FRAMEWORK) | (self.status == Status.COMPREHENSIVE),
            ripe=self.ripe.copy(),
            control=self.control.copy(),
            reservation_estimate=self.reservation + _by_side(p.information_noise) * noise,
            trust=self.trust.copy(),
            exploitation_loss=p.exploitation_loss,
            framework_loss_share=p.ceasefire_exploitation,
            hardliner_cost=p.hardliner_cost,
            audience_cost=p.audience_cost,
            victory_threshold=p.victory_threshold,
            ideal=p.ideal,
            salience=p.salience,
            span=p.span,
            assures=p.assures,
            deferrable=p.deferrable,
            open_position=p.open_position,
            space=self.space,
            leverage=np.asarray(p.leverage, dtype=float),
            credibility=self.credibility.copy(),
            bias=np.asarray(p.bias, dtype=float),
            guarantee_capacity=np.asarray(p.guarantee, dtype=float),
            refused_last_round=self.refused_last.copy(),
            failed_texts=self.failed_texts.copy(),
            rounds_talking=self.rounds_talking.copy(),
            agreement_round=self.last_agreement_round.copy(),
            phase_round=np.full(self.n, t, dtype=np.int64),
        )

    # -- phase 5: talks ----------------------------------------------------------------------
    def _own_offer(self) -> tuple[F, int]:
        """The proposer's offer in direct talks (alternating: A in odd rounds), as progress t.

        The proposer concedes along its logrolling path until the receiver's acceptance
        score, as the proposer reckons it, reaches zero. Its reckoning of the receiver's
        reservation value uses its own belief about the war, shaded by a screening margin
        that shrinks on a Boulware/Conceder path (Faratin et al. 1998): early offers
        undercut, later ones overshoot. It never offers what it would itself refuse.
        """
        p, n = self.p, self.n
        giver = 0 if self.round % 2 == 1 else 1
        recv = 1 - giver
        start = np.full((1, p.n_issues), 1.0 if giver == 0 else 0.0)
        value_of_assurance = (1.0 - self.trust) * p.exploitation_loss

        def col(param: F, i: int) -> F:
            return np.broadcast_to(param, (n, 2))[:, i]

        # Uncertainty of the proposer's estimate, carried from its belief over the horizon.
        width = p.control_at_a_victory - p.control_at_b_victory
        sd = (
            col(p.stakes_at_risk, recv)
            * col(p.planning_horizon, recv)
            / width
            / np.sqrt(self.belief_precision[:, giver])
        )
        progress = np.maximum(
            self.rounds_talking / col(p.patience_rounds, giver),
            self.exhaustion[:, giver] / col(p.breaking_point, giver),
        )
        conceded = np.clip(progress, 0.0, 1.0) ** (1.0 / col(p.concession_exponent, giver))
        guess = self.estimate[:, recv] + col(p.screening_z, giver) * sd * (2.0 * conceded - 1.0)
        # Aim a hair above the receiver's threshold: an offer solved to leave the receiver
        # exactly indifferent would otherwise be refused or not on the last bit of round-off.
        guess = guess + _SWEETENER
        no_guarantee = np.zeros(n)
        offers, reckoned, own, good, bearables = [], [], [], [], []
        for placed in bargaining.whole_starts(self.space, start, self._all_movable):
            path = bargaining.concession_path(
                giver, self.space, self._divisible, placed, value_of_assurance
            )
            lam_need, enough = bargaining.first_acceptable(
                path,
                recv,
                self.trust[:, recv],
                no_guarantee,
                guess,
                col(p.exploitation_loss, recv),
                self.hurdle_base[:, recv],
            )
            lam_max, bearable = bargaining.last_acceptable(
                path,
                giver,
                self.trust[:, giver],
                no_guarantee,
                self.reservation[:, giver],
                col(p.exploitation_loss, giver),
                self.hurdle_base[:, giver],
            )
            offer = path.point(np.minimum(lam_need, lam_max), placed, self._divisible)
            offers.append(offer)
            if self.space.indivisible is None:
                return offer, giver
            # Which placement of the indivisible issues to offer: the best for the
            # proposer among those it reckons the receiver accepts and it can bear; if
            # none, the one it reckons comes closest to acceptance.
            u, g = self.space.evaluate(offer)
            pi = bargaining.compliance(self.trust[:, recv], g[:, recv], no_guarantee)
            reckoned.append(
                bargaining.acceptance_score(
                    u[:, recv],
                    guess,
                    pi,
                    col(p.exploitation_loss, recv),
                    self.hurdle_base[:, recv],
                )
            )
            own.append(u[:, giver])
            bearables.append(bearable)
            good.append(enough & bearable & (lam_need <= lam_max))
        # The best for the proposer among the offers it reckons accepted and can bear; else
        # the bearable one it reckons comes closest; else, as on one path, its own ideal
        # (the placement that keeps every indivisible issue: the last for A, the first for B).
        good_any, bearable_any = np.any(good, axis=0), np.any(bearables, axis=0)
        best_own = np.argmax(np.where(good, own, -np.inf), axis=0)
        closest = np.argmax(np.where(bearables, reckoned, -np.inf), axis=0)
        ideal = len(offers) - 1 if giver == 0 else 0
        pick = np.where(good_any, best_own, np.where(bearable_any, closest, ideal))
        return np.stack(offers)[pick, np.arange(n)], giver

    def _stick_loss(self, threats: F) -> F:
        """What a threatened stick would cost each side, as it reckons it (R, 2).

        A stick against a side the mediator arms is an aid cut; against the other, more
        sanctions. The loss is the fall in the side's reservation value if carried out.
        """
        p = self.p
        cut = threats * p.leverage
        armed = self.aid_mediator > 0
        new_aid = self.aid_mediator * np.where(armed, 1.0 - cut, 1.0)
        replaced = (self.aid_mediator - new_aid) * p.compensates_aid_cut
        aid = new_aid + replaced + self.aid_stakeholders
        new_sanctions = self.sanctions_mediator + np.where(
            armed, 0.0, cut * _by_side(p.sanctions_step)
        )
        # The shift the stick makes to the trend, both trends taken at this round's
        # exhaustion (self.trend was read before this round's costs wore the sides down):
        # an empty threat shifts nothing and costs nothing.
        trend_after = self._trend(self.exhaustion, aid)
        shift = (trend_after - self._trend(self.exhaustion))[:, None]
        after = self._valuations(self.belief_mean + shift, self._war_cost(new_sanctions))[0]
        return np.where(threats > 0, np.maximum(self.reservation - after, 0.0), 0.0)

    def talks(self, decision: Decision) -> None:
        """Put a text on the table, let both sides decide, and apply the consequences.

        Only runs still talking (at war or under a bare ceasefire) are computed; the others
        only lose the per-round bookkeeping of talks and may see the mediator leave.
        """
        rows = self._talking_rows()
        if rows is None:
            self._talks(decision)
            return
        sub = self._subset(rows)
        sub._talks(_take_decision(decision, rows, self.n))
        self._absorb(sub, rows)
        rest = np.ones(self.n, dtype=bool)
        rest[rows] = False
        np.copyto(self.information, 0.0, where=rest)
        np.copyto(self.failed_texts, 0, where=rest)
        np.copyto(self.ripe_streak, 0, where=rest)
        for side in (0, 1):  # column by column: an (n, 1) mask on (n, 2) is slow in numpy
            np.copyto(self.refused_last[:, side], False, where=rest)
        if decision.withdraw is not None:
            self._withdraw(np.broadcast_to(decision.withdraw, (self.n,)) & rest)
        cur = _RoundValues(self._cur)
        for key, value in sub._cur.items():
            cur.scattered(key, value, rows, self.n)
        self._cur = cur

    # -- working on the runs still talking ---------------------------------------------------
    # Most runs reach an agreement, a frozen line or a capitulation within the first rounds;
    # afterwards the expensive phases only concern the few still talking. They run on a
    # compact copy of those runs and the results are written back: the same numbers, since
    # every rule is per run and draws depend only on (seed, run, round, stream).
    _COMPACT_MIN_RUNS = 64

    def _talking_rows(self) -> I | None:
        """Indices of runs still talking, or None when compacting would not pay."""
        if self.trace or self.n < self._COMPACT_MIN_RUNS:
            return None
        talking = (self.status == Status.WAR) | (self.status == Status.CEASEFIRE)
        rows = np.flatnonzero(talking)
        return rows if rows.size <= 0.6 * self.n else None

    def _on_rows(self, rows: I, phase: Any) -> Engine:
        """Run `phase` (an Engine method) on a compact engine over `rows`, write back what it
        changed, and add what it recorded this round (zero for the other runs)."""
        sub = self._subset(rows)
        phase(sub)
        self._absorb(sub, rows)
        if sub._cur:
            cur = _RoundValues(self._cur)
            for key, value in sub._cur.items():
                cur.scattered(key, value, rows, self.n)
            self._cur = cur
        return sub

    def _subset(self, rows: I) -> Engine:
        """A compact engine over some runs. Its per-run arrays are sliced from this engine
        when a rule first reads them (`_Subset.__getattr__`), so that a phase pays only for
        the arrays it touches, and only those are written back by `_absorb`."""
        sub = object.__new__(_Subset)
        state = sub.__dict__
        n = self.n
        lazy = set()
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n:
                lazy.add(name)
            else:
                state[name] = value
        names = self.__dict__.get("_per_run_param_names")
        if names is None:
            names = self._per_run_param_names = _per_run_fields(self.p, n)
        sub.n = rows.size
        sub.draws = self.draws.take(rows)
        sub.p = _take_params(self.p, rows, n, names)
        sub.space = self.space.take(rows)
        sub._frontiers = [_take_path(f, rows, n) for f in self._frontiers]
        sub._cur = {}
        sub.records = []
        state["_parent"], state["_rows"], state["_lazy"] = self, rows, lazy
        return sub

    def _absorb(self, sub: Engine, rows: I) -> None:
        """Write back the per-run arrays the compact engine read or set."""
        state = sub.__dict__
        for name in state["_lazy"]:
            if name not in state:
                continue  # never touched: unchanged
            value = getattr(self, name)
            if not value.flags.writeable:
                value = value.copy()
                setattr(self, name, value)
            value[rows] = state[name]

    def _talks(self, decision: Decision) -> None:
        p, t, d, n = self.p, self.round, self.draws, self.n
        fighting = self.status == Status.WAR
        # Talks go on while fighting and under a bare ceasefire; `at_war` below means "no
        # agreement yet", the runs where a text can be signed.
        at_war = fighting | (self.status == Status.CEASEFIRE)
        mediating = at_war & self.mediator_active
        # In a recess no session is held: nothing is proposed, so nothing is signed or
        # refused, while the war (and its clock of rounds at war) goes on.
        recess = mediating & _flag(decision.recess, n)
        talking = at_war & ~recess
        # Whatever else the mediator does waits for the next session too: relaying, trust
        # building, aid and sanctions, partial deals, withdrawal. A run's moves then do not
        # depend on which other runs share its batch (a schedule's phases start in
        # different rounds in different runs).
        mediating = mediating & ~recess
        cur = self._cur
        zeros2 = np.zeros((n, 2))

        def per_run(value: F | None, default: float) -> F:
            if value is None:
                return np.full(n, default)
            return np.where(mediating, value, default)

        if decision.trust_building is not None:
            rate = np.where(mediating, decision.trust_building, 0.0)[:, None]
            self.trust += rate * (1.0 - self.trust) * p.trust_in_mediator
        self.information = per_run(decision.information, 0.0)
        self._support(decision, mediating)
        self._partial_track(decision, mediating)
        ceasefire_accept = self._ceasefire(decision, mediating & fighting)

        drafted = decision.text is not None
        mediated_text = np.zeros(n, dtype=bool)
        if drafted:
            drafted_text = np.asarray(decision.text, dtype=float)
            mediated_text = mediating & ~np.isnan(drafted_text).any(axis=-1)
        framework = np.zeros(n, dtype=bool)
        if decision.framework is not None:
            framework = mediated_text & decision.framework
        # Texts are evaluated in progress coordinates; the parties' own offers are needed
        # only where some run still talking has no mediator's text.
        if mediated_text.any():
            # A text cannot split an indivisible issue: one drafted elsewhere is placed at
            # the nearer end (the built-in strategies draft only such texts), except where
            # a framework leaves the issue open at its open position.
            drafted_t = self.space.progress(np.nan_to_num(drafted_text))
            if self.space.indivisible is not None:
                drafted_t = self.space.whole(drafted_t)
            # A framework leaves its deferrable issues at their open position, whatever a
            # strategy drafted there (§3.8): a framework has no steps to carry out (§3.9a).
            if framework.any():
                drafted_t = np.where(framework[:, None], self._left_open(drafted_t), drafted_t)
        if not (talking & ~mediated_text).any():
            progress = drafted_t if mediated_text.any() else np.zeros((n, p.n_issues))
            proposer = np.full(n, 2)
        else:
            own, giver = self._own_offer()
            progress = own
            proposer = np.full(n, giver)
            if mediated_text.any():
                progress = np.where(mediated_text[:, None], drafted_t, own)
                proposer = np.where(mediated_text, 2, giver)
        text = self.space.positions(progress)

        # A carrot is a promise: it is worth what the side believes of the mediator's word
        # (its trust in the mediator) and of its commitments (its credibility, which its
        # threats also carry; Schelling 1966 on promises and threats alike).
        carrots = (
            np.where(mediating[:, None], decision.carrots, 0.0)
            * p.trust_in_mediator
            * self.credibility[:, None]
            if decision.carrots is not None
            else zeros2
        )
        threats = (
            np.where(mediating[:, None], decision.threats, 0.0)
            if decision.threats is not None
            else zeros2
        )
        external = (
            np.where(mediating, decision.guarantee, 0.0)[:, None] * p.trust_in_mediator
            if decision.guarantee is not None
            else zeros2
        )
        refusal_cost = (
            np.where(mediated_text[:, None], decision.refusal_cost, 0.0)
            if decision.refusal_cost is not None
            else zeros2
        )
        hurdle_scale = per_run(decision.hurdle_scale, 1.0)[:, None]
        threatened = threats > 0
        stick_loss = (
            self._stick_loss(threats) * self.credibility[:, None] if threatened.any() else zeros2
        )

        utility, text_assurance = self.space.evaluate(progress)
        # A text may carry the provisions of the ceasefire it brings, monitors or peacekeepers
        # and a separation of forces (§3.7): they guard the armies (an armistice leaves them
        # in place; a settlement's withdrawal has to be watched too), so each side counts
        # them like a guarantee that fails independently, and they stay when the mediator
        # goes (Fortna 2003, 2004).
        provisions = (
            np.where(mediated_text, np.clip(decision.ceasefire_provisions, 0.0, 1.0), 0.0)
            if decision.ceasefire_provisions is not None
            else None
        )

        def held(assurance: F) -> F:
            if provisions is None:
                return assurance
            guarded = 1.0 - (1.0 - np.clip(assurance, 0.0, 1.0)) * (1.0 - provisions[:, None])
            return np.where(provisions[:, None] > 0.0, guarded, assurance)

        held_by_text = held(text_assurance)
        comply = bargaining.compliance(self.trust, held_by_text, external)
        hurdle = (p.hardliner_cost + p.audience_cost * (utility < p.victory_threshold)) * (
            hurdle_scale
        )
        reservation = self.reservation - stick_loss - refusal_cost
        value = utility + carrots
        # An armistice-style framework leaves both armies in place: reneging on it exposes a
        # side only as a ceasefire does (the share `ceasefire_exploitation`, §3.6a), not as a
        # settlement that disarms or withdraws it.
        loss = np.where(
            framework[:, None],
            p.exploitation_loss * _by_side(p.ceasefire_exploitation),
            p.exploitation_loss,
        )
        score = bargaining.acceptance_score(value, reservation, comply, loss, hurdle)
        noise = (
            np.stack([d.logistic(t, Stream.ACCEPT_A), d.logistic(t, Stream.ACCEPT_B)], axis=-1)
            * p.decision_noise
        )
        accept = (score + noise >= 0.0) & talking[:, None]

        floor = np.broadcast_to(p.veto_floor, (n, 2))
        signed = _both(accept)
        vetoed = at_war & signed & _either(utility < np.nan_to_num(floor, nan=-1))
        deal = at_war & signed & ~vetoed

        # Why each refusal happened: the first constraint that binds.
        trusting = comply * (value - reservation + loss) - loss
        reason = np.select(
            [accept, value < reservation, trusting < 0.0, score < 0.0],
            [Refusal.NONE, Refusal.TERMS, Refusal.TRUST, Refusal.DOMESTIC],
            Refusal.NOISE,
        ).astype(np.int8)
        reason = np.where(talking[:, None], reason, Refusal.NONE)
        reason = np.where(vetoed[:, None], Refusal.VETO, reason)

        # A deal is imposed when some side would not have signed without carrots or sticks.
        free = bargaining.acceptance_score(utility, self.reservation, comply, loss, hurdle)
        imposed = deal & _either((free + noise < 0.0) & ((carrots > 0) | threatened))

        # The mediator follows through on threats against a side that refused, or not.
        refused = talking[:, None] & ~accept
        called = threatened & refused & mediating[:, None]
        if called.any():
            streams = (Stream.FOLLOW_THROUGH_A, Stream.FOLLOW_THROUGH_B)
            follow = np.stack([d.uniform(t, s) for s in streams], -1) < _by_side(p.follow_through)
            carried = called & follow
            self._apply_sticks(np.where(carried, threats, 0.0))
            step = p.credibility_update
            any_carried, any_bluff = _either(carried), _either(called & ~follow)
            self.credibility = np.where(
                any_carried, self.credibility + step * (1.0 - self.credibility), self.credibility
            )
            self.credibility = np.where(
                any_bluff, self.credibility * (1.0 - step), self.credibility
            )
            self.sticks_applied += _count(carried)
            self.bluffs_called += _count(called & ~follow)

        self.texts_proposed += mediated_text
        self.carrots_offered += _count(mediating[:, None] & (carrots > 0))
        self.threats_made += _count(mediating[:, None] & threatened)
        # A recess neither ends nor extends a run of refused texts.
        self.failed_texts = np.where(
            recess, self.failed_texts, np.where(mediated_text & ~deal, self.failed_texts + 1, 0)
        )
        self.refused_last = np.where(recess[:, None], self.refused_last, refused)
        self.rounds_talking += at_war

        if decision.withdraw is not None:
            self._withdraw(decision.withdraw & ~recess)

        # Consequences of a deal.
        steps_left = np.zeros(n, dtype=bool)
        if deal.any():
            signed_kind = np.where(framework, Status.FRAMEWORK, Status.COMPREHENSIVE)
            kind = signed_kind.astype(np.int8)
            self.terms[deal] = text[deal]
            kept = np.clip(held_by_text, 0, 1)
            enforcement = _mean(1.0 - (1.0 - kept) * (1.0 - external))
            text_enforcement = _mean(kept)
            # Steps on deferrable issues are carried out after signing (§3.9a). A side they
            # cost carries them out only if it would sign for them alone, with the taste it
            # signed with; otherwise the agreement stands as a framework, those issues where
            # they were left, until a guarantor has the steps carried out.
            comprehensive = deal & ~framework
            in_effect = self._left_open(progress)
            moved = np.abs(progress - in_effect) > 1e-12
            if (comprehensive[:, None] & moved).any():
                utility_now, assurance_now = self.space.evaluate(in_effect)
                steps_value = utility - utility_now
                balks = (steps_value < 0.0) & (steps_value + noise < 0.0)
                steps_left = comprehensive & moved.any(axis=1) & _either(balks)
                if steps_left.any():
                    kind = np.where(steps_left, Status.FRAMEWORK, kind).astype(np.int8)
                    self.signed_terms[steps_left] = text[steps_left]
                    self.terms[steps_left] = self.space.positions(in_effect)[steps_left]
                    self.steps_guarantee = np.where(
                        steps_left, _mean(external), self.steps_guarantee
                    )
                    self.steps_enforcement = np.where(
                        steps_left, enforcement, self.steps_enforcement
                    )
                    self.steps_text_enforcement = np.where(
                        steps_left, text_enforcement, self.steps_text_enforcement
                    )
                    kept_now = np.clip(held(assurance_now), 0, 1)
                    enforcement = np.where(
                        steps_left, _mean(1.0 - (1.0 - kept_now) * (1.0 - external)), enforcement
                    )
                    text_enforcement = np.where(steps_left, _mean(kept_now), text_enforcement)
            self.steps_pending = np.where(deal, steps_left, self.steps_pending)
            # The round recorded is that of the agreement standing now, not of an earlier one.
            self.steps_carried_round = np.where(deal, -1, self.steps_carried_round)
            self.status = np.where(deal, kind, self.status)
            self.agreement_enforcement = np.where(deal, enforcement, self.agreement_enforcement)
            self.agreement_text_enforcement = np.where(
                deal, text_enforcement, self.agreement_text_enforcement
            )
            self.agreement_imposed = np.where(deal, imposed, self.agreement_imposed)
            ratio = per_run(decision.hazard_ratio, 1.0)
            self.agreement_hazard_ratio = np.where(deal, ratio, self.agreement_hazard_ratio)
            first = deal & (self.first_agreement_round < 0)
            self.first_agreement_round[first] = t
            self.first_agreement_kind[first] = signed_kind[first]
            self.last_agreement_round[deal] = t
            self.agreements += deal

        # Ripe but no deal while the guns still speak: each such round the front may freeze
        # without an agreement, with a constant chance (no clock: docs/model.md §3.5), also
        # while a mediator's text is on the table or the talks are in recess: ripe sides
        # expect no gain from fighting, whoever drafts the texts. Not where the strategy
        # holds the ceasefire back until the agreement (talking while fighting, as in Korea
        # 1951-53), in session with its text on the table or in one of its recesses.
        still = fighting & ~deal & (self.status == Status.WAR)
        self.ripe_streak = np.where(still & self.ripe, self.ripe_streak + 1, 0)
        chance = d.uniform(t, Stream.FREEZE) < 1.0 / p.ripe_rounds_to_freeze
        keep_fighting = (mediated_text | recess) & _flag(decision.keep_fighting, n)
        freeze = still & self.ripe & ~keep_fighting & chance
        if freeze.any():
            self.status[freeze] = Status.FROZEN
            self.end_round[freeze] = t
            share = self.share_of_stakes(self.control)
            ideal = np.broadcast_to(p.ideal, (n, 2, p.n_issues))
            line = ideal[:, 1] + share[:, None] * (ideal[:, 0] - ideal[:, 1])
            self.terms[freeze] = line[freeze]

        cur.update(
            text=text,
            proposer=proposer,
            framework=framework,
            utility=utility,
            score=score,
            accept=accept,
            reason=reason,
            deal=deal,
            vetoed=vetoed,
            carrots=carrots,
            threats=threats,
            stick_loss=stick_loss,
            comply=comply,
            imposed=imposed,
            ceasefire_accept=ceasefire_accept,
            steps_left=steps_left,
            recess=recess,
        )

    def _support(self, decision: Decision, mediating: B) -> None:
        """A mediator that takes sides changes its aid and sanctions (never below zero)."""
        if decision.aid_change is not None:
            change = np.where(mediating[:, None], decision.aid_change, 0.0)
            self.aid_mediator = np.maximum(self.aid_mediator + change, 0.0)
        if decision.sanctions_change is not None:
            change = np.where(mediating[:, None], decision.sanctions_change, 0.0)
            self.sanctions_mediator = np.maximum(self.sanctions_mediator + change, 0.0)

    def _partial_track(self, decision: Decision, mediating: B) -> None:
        """Self-enforcing partial agreements (prisoner exchanges, humanitarian pauses): each
        one concluded is a costly signal that removes some distrust (Osgood 1962; Kydd 2000)."""
        if decision.partial_track is None:
            return
        chance = np.where(mediating, decision.partial_track, 0.0)
        success = self.draws.uniform(self.round, Stream.PARTIAL) < chance
        trust_gain = decision.partial_trust
        gain = np.zeros(self.n) if trust_gain is None else np.where(success, trust_gain, 0.0)
        self.trust += gain[:, None] * (1.0 - self.trust)
        self.partial_agreements += success
        self._cur["partial"] = success

    def _truce_enforcement(self) -> F:
        """What enforces a standing ceasefire: its provisions and the guarantee while the
        mediator is engaged, the provisions alone once it has left (§3.9)."""
        return np.where(self.mediator_active, self.ceasefire_enforcement, self.ceasefire_provisions)

    def _reserve_shift(self, reach: F) -> F:
        """Change of the trend (A-positive) if side i alone had brought its reserve to the
        share reach[:, i], for each i (R, 2)."""
        before = self._trend(self.exhaustion)
        shift = np.empty((self.n, 2))
        for i in (0, 1):
            alone = self.reserve_in.copy()
            alone[:, i] = reach[:, i]
            shift[:, i] = self._trend(self.exhaustion, reserve=alone) - before
        return shift

    def _regroup(self) -> None:
        """Under a ceasefire each side brings in the share (1 - e_cf) / regroup_rounds of its
        reserve per round, e_cf being what enforces the ceasefire (§3.6b). A side knows its
        own build-up, so its believed trend moves with the true trend; its enemy observes
        nothing until the fighting resumes."""
        p = self.p
        paused = self.status == Status.CEASEFIRE
        if not (paused.any() and np.any(p.regroup > 0)):
            return
        pace = (1.0 - self._truce_enforcement()) / p.regroup_rounds
        reach = np.where(
            paused[:, None] & (np.broadcast_to(p.regroup, (self.n, 2)) > 0),
            np.minimum(1.0, self.reserve_in + pace[:, None]),
            self.reserve_in,
        )
        shift = self._reserve_shift(reach)
        self.belief_mean = self.belief_mean + shift
        self.reserve_in = reach
        # A run whose belief had settled (`beliefs` skips it) must be updated again: the
        # rounding of its moved mean would otherwise differ from a full engine's.
        fixed = getattr(self, "_belief_fixed", None)
        if fixed is not None:
            np.copyto(fixed, False, where=(shift != 0.0).any(axis=1))

    def _pause_value(self, enforcement: F) -> F:
        """What a ceasefire under this enforcement is worth to each side's war effort: the
        gain, over its planning horizon and at its own belief, from the trend its reserve
        still to come would add, were the share 1 - e_cf of it brought in (R, 2)."""
        p = self.p
        if not np.any(p.regroup > 0):
            return np.zeros((self.n, 2))
        reach = np.minimum(1.0, self.reserve_in + (1.0 - enforcement)[:, None])
        horizon = np.asarray(p.planning_horizon, dtype=float)
        expected = self.control[:, None] + horizon * self.belief_mean
        regrouped = expected + horizon * self._reserve_shift(reach)
        return self.war_utilities(self.share_of_stakes(regrouped)) - self.war_utilities(
            self.share_of_stakes(expected)
        )

    def _ceasefire_score(self, enforcement: F, noise: F, pause: F | float = 0.0) -> F:
        """Each side's score for a ceasefire under this enforcement (§3.6a, §3.6b): the
        pause's worth to its war effort `pause`, less the gain it forgoes by not fighting on
        and its fear that a distrusted enemy regroups, plus its taste `noise` (R, 2)."""
        p = self.p
        fear = (
            (1.0 - self.trust)
            * p.exploitation_loss
            * _by_side(p.ceasefire_exploitation)
            * (1.0 - enforcement)[:, None]
        )
        return pause - self.net_gain - fear + noise * p.decision_noise

    def _ceasefire(self, decision: Decision, offered: B) -> B:
        """An unconditional ceasefire, proposed to runs still fighting.

        Each side weighs what fighting on is expected to buy over its planning horizon
        against what it costs (`net_gain`), and fears that a distrusted enemy will use the
        pause to regroup. The side with momentum (net gain > 0) refuses.
        Returns the acceptance flags (R, 2).
        """
        p, t, n = self.p, self.round, self.n
        if decision.ceasefire is None or not (offered & decision.ceasefire).any():
            return np.zeros((n, 2), dtype=bool)
        offered = offered & decision.ceasefire
        self._cur["ceasefire_offered"] = offered
        guarantee = (
            np.broadcast_to(decision.guarantee, (n,))
            if decision.guarantee is not None
            else np.zeros(n)
        )
        provisions = (
            np.clip(np.broadcast_to(decision.ceasefire_provisions, (n,)), 0.0, 1.0)
            if decision.ceasefire_provisions is not None
            else np.zeros(n)
        )
        # Monitors and a buffer zone close part of the risk; a guarantee, as its target
        # side perceives it, closes part of the rest (as for agreements, §3.7). The same
        # provisions make a surprise attack during the pause less rewarding.
        perceived = guarantee * _mean(np.broadcast_to(p.trust_in_mediator, (n, 2)))
        enforcement = 1.0 - (1.0 - provisions) * (1.0 - perceived)
        draws = self.draws
        noise = np.stack(
            [draws.logistic(t, Stream.CEASEFIRE_A), draws.logistic(t, Stream.CEASEFIRE_B)], axis=-1
        )
        pause = self._pause_value(enforcement)
        accept = (self._ceasefire_score(enforcement, noise, pause) >= 0.0) & offered[:, None]
        agreed = _both(accept)
        if agreed.any():
            self.status[agreed] = Status.CEASEFIRE
            self.ceasefire_enforcement = np.where(agreed, enforcement, self.ceasefire_enforcement)
            self.ceasefire_provisions = np.where(agreed, provisions, self.ceasefire_provisions)
            self.ceasefires += agreed
            self.ceasefire_disposition = np.where(
                agreed[:, None], noise, self.ceasefire_disposition
            )
            self.ceasefire_signed_round = np.where(agreed, t, self.ceasefire_signed_round)
            self.ceasefire_regrouping = np.where(
                agreed[:, None], pause > 0.0, self.ceasefire_regrouping
            )
            first = agreed & (self.first_ceasefire_round < 0)
            self.first_ceasefire_round[first] = t
            self.ripe_streak[agreed] = 0
        return accept

    def _withdraw(self, wanted: B) -> None:
        """The mediator leaves the runs in `wanted` for good. Not a run that can no longer
        change (frozen or capitulated): a lone run in that state is not stepped any more, so
        its record must not depend on its batch."""
        leaving = self.mediator_active & wanted & (self.status < Status.FROZEN)
        self.withdrawal_round[leaving] = self.round
        self.mediator_active &= ~leaving

    def _apply_sticks(self, intensity: F) -> None:
        """Carry out sticks: cut the aid of an armed side (its backers replace a share), or
        tighten sanctions on the other."""
        p = self.p
        cut = intensity * p.leverage
        armed = self.aid_mediator > 0
        removed = np.where(armed, self.aid_mediator * cut, 0.0)
        self.aid_mediator = self.aid_mediator - removed
        self.aid_stakeholders = self.aid_stakeholders + removed * p.compensates_aid_cut
        self.sanctions_mediator = self.sanctions_mediator + np.where(
            armed, 0.0, cut * _by_side(p.sanctions_step)
        )

    # -- phase 8: standing agreements ------------------------------------------------------------
    def durability(self) -> None:
        """Agreements and bare ceasefires made in earlier rounds may collapse.

        The hazard falls with enforcement and trust (Fortna 2003, 2004); it rises for
        frameworks that leave core issues open, for bare ceasefires, and for deals that were
        signed only under the mediator's carrots and sticks once the mediator has left and
        its leverage with it (Beardsley 2008, 2011). A strategy may scale the hazard of the
        deals it brokers (public commitments bind more, private ones less).
        """
        p, t = self.p, self.round
        new_deal = self._cur.get("deal", np.zeros(self.n, bool))
        new_ceasefire = _both(self._cur.get("ceasefire_accept", np.zeros((self.n, 2), bool)))
        agreed = (self.status == Status.FRAMEWORK) | (self.status == Status.COMPREHENSIVE)
        standing = agreed & ~new_deal
        truce = (self.status == Status.CEASEFIRE) & ~new_ceasefire
        # An agreement signed under a ceasefire continues the same peace.
        started = (agreed | (self.status == Status.CEASEFIRE)) & (self.peace_since < 0)
        self.peace_since[started] = t
        self.agreement_rounds += standing
        self.ceasefire_rounds += truce
        self.agreement_rounds_after_exit += standing & ~self.mediator_active
        if not (standing.any() or truce.any()):
            self._cur["collapse"] = standing
            self._cur["ceasefire_breach"] = np.zeros((self.n, 2), dtype=bool)
            self._cur["steps_carried"] = standing
            self._record()
            return
        # A guarantor still engaged has the steps left of a comprehensive agreement carried
        # out, each round with a chance equal to its guarantee (§3.9a; Walter 2002).
        carried = np.zeros(self.n, dtype=bool)
        owed = standing & self.steps_pending & self.mediator_active
        if owed.any():
            chance = np.where(owed, self.steps_guarantee, 0.0)
            carried = owed & (self.draws.uniform(t, Stream.STEPS) < chance)
            if carried.any():
                self.status[carried] = Status.COMPREHENSIVE
                self.terms[carried] = self.signed_terms[carried]
                self.agreement_enforcement[carried] = self.steps_enforcement[carried]
                self.agreement_text_enforcement[carried] = self.steps_text_enforcement[carried]
                self.steps_pending[carried] = False
                self.steps_carried_round[carried] = t
        self._cur["steps_carried"] = carried
        unpropped = self.agreement_imposed & ~self.mediator_active
        common = np.log(p.base_hazard + 1e-300) - p.trust_effect * _mean(self.trust)
        deal_h = (
            common
            - p.guarantee_effect
            * np.where(
                self.mediator_active, self.agreement_enforcement, self.agreement_text_enforcement
            )
            + np.log(self.agreement_hazard_ratio)
            + np.log(p.imposed_hazard_ratio) * unpropped
            + np.log(p.framework_hazard_ratio) * (self.status == Status.FRAMEWORK)
        )
        truce_enforcement = self._truce_enforcement()
        truce_h = common - p.guarantee_effect * truce_enforcement + np.log(p.ceasefire_hazard_ratio)
        log_h = np.where(truce, truce_h, deal_h)
        shape = np.asarray(p.hazard_shape, dtype=float)  # per run in a stacked batch
        if np.any(shape != 1.0):
            # Weibull duration dependence in the age of the peace (Werner 1999; Fortna 2003,
            # 2004): base_hazard is the hazard in the first round after the fighting stopped.
            age = np.maximum(t - self.peace_since, 1)
            log_h = log_h + (shape - 1.0) * np.log(age)
        hazard = np.minimum(np.exp(log_h), 1.0)
        falls = self.draws.uniform(t, Stream.COLLAPSE) < hazard
        collapse = standing & falls
        # A ceasefire holds only while both sides would still sign it (§3.6b): a side
        # whose score has fallen below zero, its taste kept from the signing, breaks it;
        # a side that signed to regroup first takes the rounds its build-up needs.
        breaker = np.zeros((self.n, 2), dtype=bool)
        if truce.any():
            score = self._ceasefire_score(truce_enforcement, self.ceasefire_disposition)
            building = (
                self.ceasefire_regrouping
                & ((t - self.ceasefire_signed_round < p.regroup_rounds)[:, None])
            )
            breaker = truce[:, None] & (score < 0.0) & ~building
        breach = _either(breaker)
        truce_ends = truce & (falls | breach)
        self.ceasefire_breaches += breach
        back = collapse | truce_ends
        if back.any():
            self.status[back] = Status.WAR
            self.peace_since[back] = -1
            self.terms[collapse] = np.nan
            self.steps_pending[collapse] = False
            keep = np.broadcast_to(1.0 - _by_side(p.trust_loss_on_collapse), (self.n, 1))
            self.trust[back] *= keep[back]
            first = collapse & (self.first_collapse_round < 0)
            self.first_collapse_round[first] = t
            self.collapses += collapse
            self.collapses_after_exit += collapse & ~self.mediator_active
            self.ceasefire_collapses += truce_ends
            first_truce = truce_ends & (self.first_ceasefire_collapse_round < 0)
            self.first_ceasefire_collapse_round[first_truce] = t
            self.rounds_talking[back] = 0
            self.failed_texts[back] = 0
            self.ripe_streak[back] = 0
        self._cur["collapse"] = collapse
        self._cur["ceasefire_collapse"] = truce_ends
        self._cur["ceasefire_breach"] = breaker
        self._record()

    def _record(self) -> None:
        if not self.trace:
            return
        values = {
            "control": self.control.copy(),
            "trend": self.trend.copy(),
            "exhaustion": self.exhaustion.copy(),
            "belief": self.belief_mean.copy(),
            "reservation": self.reservation.copy(),
            "ripe": self.ripe.copy(),
            "status": self.status.copy(),
            "trust": self.trust.copy(),
            "credibility": self.credibility.copy(),
            "mediator_active": self.mediator_active.copy(),
            "net_gain": self.net_gain.copy(),
            "reserve": self.reserve_in.copy(),
            "steps_pending": self.steps_pending.copy(),
            "aid": (self.aid_mediator + self.aid_stakeholders).copy(),
            "sanctions": self.sanctions_mediator.copy(),
        }
        values.update({k: np.copy(v) for k, v in self._cur.items()})
        self.records.append(RoundRecord(self.round, values))

    # -- end of the horizon ----------------------------------------------------------------
    def finish(self) -> None:
        """Utilities of the final terms (agreement, capitulation or frozen line)."""
        p = self.p
        has_terms = ~np.isnan(self.terms).any(axis=1)
        filled = np.where(has_terms[:, None], self.terms, 0.0)
        util = bargaining.utilities(filled, p.ideal, p.salience, p.span)  # any positions
        self.final_utility = np.where(has_terms[:, None], util, np.nan)

    @property
    def finished(self) -> bool:
        """True when no run can change any more (every run ended in an absorbing state)."""
        absorbing = self.status >= Status.FROZEN
        return bool(absorbing.all())


def _flag(value: B | None, n: int) -> B:
    """A decision's optional per-run flag; None means False in every run."""
    return np.zeros(n, dtype=bool) if value is None else np.asarray(value, dtype=bool)


# Reductions over the party axis (R, 2), column by column: numpy reduces a short inner
# axis several times slower than it combines two columns. The values are numpy's own.
def _both(x: B) -> B:
    """x.all(axis=1)"""
    return x[:, 0] & x[:, 1]


def _either(x: B) -> B:
    """x.any(axis=1)"""
    return x[:, 0] | x[:, 1]


def _count(x: B) -> I:
    """x.sum(axis=1) of booleans"""
    return x[:, 0].astype(np.int64) + x[:, 1]


def _mean(x: F) -> F:
    """x.mean(axis=1), rounded as numpy does: x0 + (0 + x1), then / 2 (the sum of a short
    row starts from 0, which only matters for the sign of a zero)."""
    return (x[:, 0] + (x[:, 1] + 0.0)) / 2.0


def _unchanged(mean: F, precision: F, new_mean: F, new_precision: F) -> B:
    """Runs (rows) whose belief an update left exactly as it was."""
    same = (new_mean == mean) & (new_precision == precision)
    return same[:, 0] & same[:, 1]


class _Subset(Engine):
    """An engine over some of another engine's runs (see `Engine._subset`): a per-run array
    is sliced from the parent the first time a rule reads it."""

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, i.e. for arrays not yet sliced.
        state = self.__dict__
        lazy = state.get("_lazy")
        if lazy is None or name not in lazy:
            raise AttributeError(name)
        value = getattr(state["_parent"], name)[state["_rows"]]
        state[name] = value
        return value


class _RoundValues(dict[str, Any]):
    """This round's values (`Engine._cur`). Those computed on the runs still talking are
    expanded to all runs (zero elsewhere) only when read: outside the single-run trace, few
    of them are."""

    _compact: dict[str, tuple[Any, I, int]]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._compact = {}

    def scattered(self, key: str, value: Any, rows: I, n: int) -> None:
        super().__setitem__(key, None)
        self._compact[key] = (value, rows, n)

    def __getitem__(self, key: str) -> Any:
        compact = self._compact.pop(key, None)
        if compact is not None:
            value, rows, n = compact
            full = np.zeros((n, *value.shape[1:]), dtype=value.dtype)
            full[rows] = value
            super().__setitem__(key, full)
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._compact.pop(key, None)
        super().__setitem__(key, value)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def items(self) -> Any:
        return [(key, self[key]) for key in self]

    def values(self) -> Any:
        return [self[key] for key in self]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def copy(self) -> dict[str, Any]:
        return dict(self.items())
