"""The Mesa shell: parties, mediator and stakeholders as agents of one model.

`NegotiationModel.step()` is one round for all R runs at once. The agents carry identity and
parameters and make their decisions through the engine's vectorised phases; the mediator agent
owns the strategy object and turns what it observes into a decision each round.
"""

from __future__ import annotations

import gc

import numpy as np
from numpy.typing import NDArray

from sim.model.config import Mediator, Scenario
from sim.model.engine import Engine
from sim.model.mesa_shell import mesa
from sim.model.outcomes import Status
from sim.model.params import ModelParams, compile_params
from sim.model.strategies import Decision, Strategy, make
from sim.model.strategies.schedule import Schedule, Step


class PartyAgent(mesa.Agent):
    """A belligerent (role A or B). Its state lives in the engine's (R, 2) arrays."""

    def __init__(self, model: NegotiationModel, name: str, role: str) -> None:
        super().__init__(model)
        self.name = name
        self.role = role
        self.index = 0 if role == "A" else 1

    @property
    def exhaustion(self) -> NDArray[np.float64]:
        return self.model.engine.state.parties.exhaustion[:, self.index]

    @property
    def reservation_value(self) -> NDArray[np.float64]:
        return self.model.engine.state.parties.reservation[:, self.index]

    @property
    def believed_trend(self) -> NDArray[np.float64]:
        return self.model.engine.state.parties.belief_mean[:, self.index]

    @property
    def trust(self) -> NDArray[np.float64]:
        return self.model.engine.state.parties.trust[:, self.index]


class MemberAgent(mesa.Agent):
    """A camp's member beside its lead (docs/model.md §3.15). Its state lives in the
    engine's (R, M) member arrays."""

    def __init__(self, model: NegotiationModel, name: str, role: str, index: int) -> None:
        super().__init__(model)
        self.name = name
        self.role = role
        self.index = index

    @property
    def exhaustion(self) -> NDArray[np.float64]:
        return self.model.engine.state.members.exhaustion[:, self.index]

    @property
    def fighting(self) -> NDArray[np.bool_]:
        """Runs in which it has not left the war on its own."""
        return self.model.engine.state.members.fighting[:, self.index]


class MediatorAgent(mesa.Agent):
    """The mediator: observes, then decides through its strategy."""

    def __init__(self, model: NegotiationModel, name: str, strategy: Strategy | Schedule) -> None:
        super().__init__(model)
        self.name = name
        self.strategy = strategy

    def decide(self) -> Decision:
        """The strategy's decision over the runs the engine shows it (`mediator_rows`): a
        schedule moves those runs through its phases, the others keep theirs."""
        engine = self.model.engine
        if not engine.live.mediation.active.any():
            return Decision()
        strategy = self.strategy
        obs = engine.observe(settled_too=strategy.acts_after_settlement)
        rows = engine.mediator_rows
        if rows is not None and rows.size == 0:
            return Decision()  # no run it could act on
        if isinstance(strategy, Schedule):
            return strategy.decide(obs, rows)
        return strategy.decide(obs)


def build_strategy(mediator: Mediator, runs: int) -> Strategy | Schedule:
    """The mediator's strategy, or its phased schedule (which keeps per-run state)."""
    if not mediator.schedule:
        return make(mediator.strategy, mediator.options)
    steps = [
        Step(
            strategy=make(ph.strategy, ph.options, f"mediator.schedule[{i}]"),
            rounds=ph.rounds,
            until=ph.until,
            deadlock_after=ph.deadlock_after,
        )
        for i, ph in enumerate(mediator.schedule)
    ]
    return Schedule(steps, runs)


class StakeholderAgent(mesa.Agent):
    """An outside power backing one party (aid, sanctions, cover, veto).

    Its effects enter the engine's parameters (aggregated over stakeholders); it is an agent
    so that it shows in `model.agents` and can be given behaviour of its own.
    """

    def __init__(self, model: NegotiationModel, name: str, supports: str) -> None:
        super().__init__(model)
        self.name = name
        self.supports = supports


class NegotiationModel(mesa.Model):
    """R runs of one scenario, stepped together.

    Args:
        scenario: A validated scenario.
        runs: How many runs to step at once.
        seed: The experiment seed.
        first_run: Global index of the first run; run i of this model is run first_run + i
            of the experiment, and draws the same numbers whatever the batch around it.
        run_indices: Explicit global run indices (overrides runs/first_run).
        trace: Keep the per-round record (for the single-run story).
        collect: Collect model-level series with Mesa's DataCollector each round.
        params: Pre-compiled parameters (sweeps pass per-run arrays here).
    """

    def __init__(
        self,
        scenario: Scenario,
        runs: int = 1,
        seed: int = 0,
        *,
        first_run: int = 0,
        run_indices: NDArray[np.int64] | None = None,
        trace: bool = False,
        collect: bool = True,
        params: ModelParams | None = None,
    ) -> None:
        super().__init__(rng=seed)
        # Not `self.scenario`: from Mesa 3.5 on, `Model.scenario` holds Mesa's own
        # experiment parameters, and its setter writes back into the object it is given.
        self.war_scenario = scenario
        self.seed_value = int(seed)
        indices = (
            np.asarray(run_indices, dtype=np.int64)
            if run_indices is not None
            else np.arange(first_run, first_run + runs, dtype=np.int64)
        )
        self.params = params if params is not None else compile_params(scenario)
        self.engine = Engine(self.params, indices, seed, trace=trace)
        self.party_a = PartyAgent(self, scenario.a, "A")
        self.party_b = PartyAgent(self, scenario.b, "B")
        self.members = [
            MemberAgent(self, name, scenario.parties[name].role, j)
            for j, name in enumerate(scenario.members)
        ]
        med = scenario.mediator
        self.mediator: MediatorAgent | None = None
        if med is not None:
            strategy = build_strategy(med, self.engine.n)
            self.mediator = MediatorAgent(self, med.name, strategy)
        self.stakeholders = [
            StakeholderAgent(self, name, st.supports) for name, st in scenario.stakeholders.items()
        ]
        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "at_war": lambda m: float(np.mean(m.engine.state.status == Status.WAR)),
                "settled": lambda m: float(np.mean(m.engine.state.agreement.first_round > 0)),
                "mean_control": lambda m: float(np.mean(m.engine.state.front.control)),
            }
        )
        self.running = True

    @property
    def horizon(self) -> int:
        return self.war_scenario.horizon

    def step(self) -> None:
        """One round, in the order of docs/model.md §2."""
        engine = self.engine
        engine.battlefield()  # 1. the front moves (unless a ceasefire holds)
        engine.costs()  # 2. costs, exhaustion, capitulation
        engine.beliefs()  # 3. each side updates its belief about the trend
        engine.reservation_values()  # 4. value of fighting on; ripeness
        decision = self.mediator.decide() if self.mediator is not None else Decision()
        engine.talks(decision)  # 5-7. text, acceptance, mediator's follow-through
        engine.durability()  # 8. standing agreements may collapse
        if self.collect:
            self.datacollector.collect(self)
        if engine.round >= self.horizon or engine.finished:
            engine.finish()
            self.running = False

    def run(self) -> NegotiationModel:
        """Step until the horizon (or until every run has ended)."""
        while self.running:
            self.step()
        return self

    def release(self) -> None:
        """Give up the model once its results have been read (callers that own it).

        The engine's arrays are freed at once, by reference count, and Mesa's id counters
        let go of the model: only its small shell (agents, strategy) is left to the garbage
        collector's next pass, so no full collection (tens of ms) is needed per chunk.
        """
        self.engine = None  # type: ignore[assignment]
        self.running = False
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)


def release_finished_models() -> None:
    """Free the engines of finished chunks now, so a worker holds one chunk at a time.

    Mesa 3.3 keeps every model it has built reachable through the class-level id counters
    `mesa.Agent._ids` (mesa issue 3179, fixed upstream after 3.3.1): about 6.5 MB per
    finished 8,192-run chunk would pile up. Dropping our finished models from it and then
    collecting the model-agent reference cycles frees them; the collection is cheap in
    sweep workers, whose imported objects are frozen (sim.experiments.sweep._worker_init).
    Many small models (validation ensembles run a few dozen runs per scenario) are collected
    together once they add up to a chunk's worth of runs, so a full collection is not paid
    per model.
    """
    global _UNCOLLECTED_RUNS
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        for model in [m for m in ids if isinstance(m, NegotiationModel) and not m.running]:
            if model.engine is not None:
                _UNCOLLECTED_RUNS += model.engine.n
            del ids[model]
    if _UNCOLLECTED_RUNS >= _COLLECT_AFTER_RUNS:
        _UNCOLLECTED_RUNS = 0
        gc.collect()


_UNCOLLECTED_RUNS = 0
_COLLECT_AFTER_RUNS = 8192
