"""The model inside the EMA Workbench (Kwakkel 2017): uncertainties, levers and outcomes
derived from a scenario, and an evaluator that runs a whole design as one batch.

    from ema_workbench import perform_experiments
    from sim.experiments.ema import BatchEvaluator, negsim_model

    model = negsim_model("ukraine_2025", runs_per_point=400, seed=3)
    with BatchEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=200, policies=4)

The parameters are the ranges the scenario's `provenance:` section declares plausible for
its assumptions (`negsim provenance` lists them), each named by its dotted scenario path:

* a real setting is a `RealParameter` over [low, high], an integer one (`horizon`,
  `planning_horizon`, ...) an `IntegerParameter`;
* a range declared for a mapping (a party's `salience`, "range per weight") is one
  parameter per member (`parties.russia.salience.territory`, ...). Salience weights must
  sum to 1, so each point's weights are divided by their sum before the point runs: the
  parameters are the weights before that normalisation;
* a range with low = high fixes the value and gives no parameter;
* settings under `mediator.` are levers (what a mediator, or the government behind it,
  chooses), the others uncertainties; `levers=` takes other path prefixes.

The outcomes are the sensitivity analysis's outputs (`sim.experiments.sensitivity`):
`p_settlement`, `restricted_mean_settlement_round`, `p_collapse` and the others, each a
`ScalarOutcome`.

The model is an ordinary `ema_workbench.Model`: any evaluator runs it one point at a time,
each point through its own batch of runs. `BatchEvaluator` instead hands the whole design
to `sim.experiments.simulate.simulate_points`, in blocks of `BATCH_RUNS` runs whose
parameters are stacked on the runs axis: the same numbers, bit for bit (every point uses
the same seed and run indices, common random numbers), at a fraction of the cost when the
points are many and their runs few (benchmarks/bench_ema.py).

EMA Workbench is an optional extra (`pip install -e ".[ema]"`); nothing else in `sim`
imports this module.
"""

from __future__ import annotations

import inspect
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.experiments.sensitivity import (
    ALL_OUTPUTS,
    PointTask,
    evaluate_points,
    points_per_block,
)
from sim.experiments.sensitivity_spec import _field_is_integer
from sim.model.config import (
    Scenario,
    apply_overrides,
    flat_paths,
    read_scenario,
    scenario_from_dict,
)

try:
    with warnings.catch_warnings():
        # EMA warns at import of each optional parallel backend it lacks (ipyparallel, MPI).
        warnings.simplefilter("ignore")
        import ema_workbench
        from ema_workbench.em_framework.evaluators import BaseEvaluator
        from ema_workbench.em_framework.points import experiment_generator
except ImportError as err:  # pragma: no cover - the base install, without the extra
    raise ImportError('sim.experiments.ema needs EMA Workbench: pip install -e ".[ema]"') from err

__all__ = [
    "LEVERS",
    "WEIGHTS",
    "BatchEvaluator",
    "NegsimModel",
    "PointFunction",
    "Range",
    "negsim_model",
    "scenario_ranges",
]

LEVERS = ("mediator.",)
# Mapping settings whose members must sum to 1 (sim/model/config/checks.py): a point's
# values are normalised to that sum before it runs.
WEIGHTS = ("salience",)


@dataclass(frozen=True)
class Range:
    """One parameter: a dotted scenario path and the range its provenance declares."""

    path: str
    low: float
    high: float
    integer: bool
    lever: bool

    @property
    def name(self) -> str:
        """The parameter's name in EMA: the path as a Python identifier, which EMA 3
        requires (`parties.russia.trust` is `parties__russia__trust`,
        `mediator.schedule[1].rounds` is `mediator__schedule_1__rounds`)."""
        return parameter_name(self.path)


def parameter_name(path: str) -> str:
    """A dotted scenario path as an EMA parameter name (`Range.name`)."""
    text = re.sub(r"\[(\d+)\]", r"_\1", path).replace(".", "__")
    text = re.sub(r"\W", "_", text)
    return text if text.isidentifier() else f"_{text}"


def scenario_ranges(scenario: Scenario, *, levers: Sequence[str] = LEVERS) -> tuple[Range, ...]:
    """The parameters of `scenario`: one per declared assumption range, one per member for
    a range declared over a mapping, in the order of the provenance section.

    Raises:
        ConfigError: An integer setting's range is not whole numbers.
    """
    values = flat_paths(scenario.to_dict())
    ranges = []
    for key, source in scenario.provenance.items():
        if source.assumption is None:
            continue
        low, high = (float(b) for b in source.assumption)
        value = values.get(key)
        if value is None:
            continue  # a default left unset: nothing to vary
        paths = [f"{key}.{member}" for member in value] if isinstance(value, Mapping) else [key]
        for path in paths:
            where = f"provenance.{key}.assumption"
            integer = _is_integer(path, where, [low, high], value)
            if integer and not (low.is_integer() and high.is_integer()):
                raise ConfigError(
                    where, [low, high], "whole-number bounds for an integer setting"
                ).in_file(str(scenario.source_file))
            if low == high:
                continue
            lever = any(path.startswith(prefix) for prefix in levers)
            ranges.append(Range(path, low, high, integer, lever))
    names: dict[str, str] = {}
    for r in ranges:
        if names.setdefault(r.name, r.path) != r.path:  # pragma: no cover - odd party names
            raise ConfigError(
                "provenance", [names[r.name], r.path], "paths that give distinct EMA names"
            )
    return tuple(ranges)


def _is_integer(path: str, where: str, bounds: list[float], value: Any) -> bool:
    """Whether the setting is an integer: from the scenario's typed fields, or, for a path
    through a list (`mediator.schedule[1].options.monitors`) or a strategy's options,
    from the value the scenario holds."""
    try:
        return _field_is_integer(path, where, bounds)
    except ConfigError:
        if "[" not in path:
            raise
    member = value.get(path.rpartition(".")[2]) if isinstance(value, Mapping) else value
    return isinstance(member, int) and not isinstance(member, bool)


@dataclass(frozen=True)
class PointFunction:
    """What EMA calls for one point: the parameters as keywords, the outcomes out.

    Picklable, so that EMA's process-pool evaluators can ship it. A keyword is a range's
    EMA name (`Range.name`); any other (an EMA `Constant` named by a dotted scenario path,
    say) is passed on as an override too.
    """

    base: dict[str, Any]
    scenario_file: str
    runs: int
    seed: int
    ranges: tuple[Range, ...]
    weights: tuple[str, ...] = field(default=(), repr=False)

    def __call__(self, **values: Any) -> dict[str, float]:
        return evaluate_points([self.task(values)])[0]

    def task(self, values: Mapping[str, Any], point: int = 0) -> PointTask:
        """The sensitivity analysis's task for one point (integers rounded, weights
        normalised)."""
        paths = {r.name: r.path for r in self.ranges}
        integer = {r.path for r in self.ranges if r.integer}
        overrides: dict[str, Any] = {}
        for key, value in values.items():
            path = paths.get(key, key)
            if path in integer:
                overrides[path] = int(round(float(value)))
            elif isinstance(value, int | float) and not isinstance(value, bool):
                overrides[path] = float(value)
            else:
                overrides[path] = value
        for mapping in self.weights:
            members = {p: v for p, v in overrides.items() if p.rpartition(".")[0] == mapping}
            if not members:
                continue
            # Members not varied keep their base weight; the whole mapping sums to 1.
            whole = dict(flat_paths(self.base).get(mapping) or {})
            whole.update({p.rpartition(".")[2]: v for p, v in members.items()})
            total = math.fsum(whole.values())
            if total <= 0:
                raise ConfigError(mapping, whole, "weights with a positive sum")
            for p in members:
                del overrides[p]
            overrides[mapping] = {k: v / total for k, v in whole.items()}
        return PointTask(
            point=point,
            base=self.base,
            scenario_file=self.scenario_file,
            overrides=overrides,
            runs=self.runs,
            seed=self.seed,
        )


class NegsimModel(ema_workbench.Model):
    """An EMA `Model` of a negsim scenario (`negsim_model` builds it)."""

    def __init__(
        self,
        name: str,
        point: PointFunction,
        outcomes: Sequence[str],
    ) -> None:
        super().__init__(name, function=point)
        self.point = point
        self.ranges = point.ranges
        parameters = [_parameter(r) for r in point.ranges]
        self.uncertainties = [
            p for p, r in zip(parameters, point.ranges, strict=True) if not r.lever
        ]
        self.levers = [p for p, r in zip(parameters, point.ranges, strict=True) if r.lever]
        self.outcomes = [ema_workbench.ScalarOutcome(name) for name in outcomes]


def _parameter(r: Range) -> Any:
    if r.integer:
        return ema_workbench.IntegerParameter(r.name, int(r.low), int(r.high))
    return ema_workbench.RealParameter(r.name, r.low, r.high)


def negsim_model(
    scenario: str | Path,
    *,
    runs_per_point: int = 400,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    levers: Sequence[str] = LEVERS,
    outcomes: Sequence[str] = ALL_OUTPUTS,
    name: str = "negsim",
) -> NegsimModel:
    """An EMA Workbench model of a scenario (a shipped name or a YAML file).

    Args:
        runs_per_point: Runs at every point (all points use run indices 0 to
            runs_per_point - 1 and `seed`: common random numbers).
        overrides: Fixed dotted-path overrides applied before anything else (`--set`);
            a range whose path is fixed here gives no parameter.
        levers: Path prefixes whose ranges are levers rather than uncertainties.
        outcomes: Outputs of `sim.experiments.sensitivity` to report.

    Raises:
        ConfigError: A bad scenario, override, outcome name or count (one line).
    """
    if (
        isinstance(runs_per_point, bool)
        or not isinstance(runs_per_point, int)
        or runs_per_point < 1
    ):
        raise ConfigError("runs_per_point", runs_per_point, "a positive integer")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError("seed", seed, "a non-negative integer")
    for outcome in outcomes:
        if outcome not in ALL_OUTPUTS:
            from sim import schema

            raise ConfigError(
                "outcomes",
                outcome,
                f"one of {list(ALL_OUTPUTS)}",
                hint=schema.suggest(str(outcome), ALL_OUTPUTS),
            )
    raw, base_scenario = read_scenario(scenario)
    path = str(base_scenario.source_file)
    fixed = dict(overrides or {})
    if fixed:
        try:
            raw = apply_overrides(raw, fixed)
        except ConfigError as err:
            raise err.in_file(path) from None
        base_scenario = scenario_from_dict(raw, file=path)
    ranges = tuple(
        r
        for r in scenario_ranges(base_scenario, levers=levers)
        if not any(r.path == k or r.path.startswith(f"{k}.") for k in fixed)
    )
    weights = tuple(
        sorted(
            {
                r.path.rpartition(".")[0]
                for r in ranges
                if r.path.rpartition(".")[0].rpartition(".")[2] in WEIGHTS
            }
        )
    )
    point = PointFunction(raw, path, runs_per_point, seed, ranges, weights)
    return NegsimModel(name, point, outcomes)


class BatchEvaluator(BaseEvaluator):
    """Runs a design through `simulate_points`: blocks of points as one batch of runs.

    EMA's own evaluators call the model once per point; this one takes every experiment
    EMA generates, turns each into a point of its `NegsimModel`, and evaluates the points
    in blocks (`sim.experiments.sensitivity.points_per_block`), reporting each point's
    outcomes to EMA's callback. Other kinds of model are refused.

    Args:
        msis: The `NegsimModel` (or a list of them) to run.
        map_fn: Applies `sim.experiments.sensitivity.evaluate_points` to the blocks of
            points: builtin `map` runs them here, one after the other; an executor's `map`
            (`concurrent.futures`, Dask) runs them elsewhere. Blocks may come back in any
            order.
    """

    def __init__(
        self,
        msis: Any,
        *,
        map_fn: Callable[
            [
                Callable[[Sequence[PointTask]], list[dict[str, float]]],
                Iterable[Sequence[PointTask]],
            ],
            Iterable[list[dict[str, float]]],
        ] = map,
    ) -> None:
        super().__init__(msis)
        for model in self._msis:
            if not isinstance(model, NegsimModel):
                raise TypeError(f"BatchEvaluator runs NegsimModel models, got {type(model)}")
        self.map_fn = map_fn

    def initialize(self) -> None:
        pass

    def finalize(self) -> None:
        pass

    def evaluate_experiments(self, *args: Any, **kwargs: Any) -> None:
        """EMA's hook. EMA 3 passes the experiments it generated and the callback; EMA 2.5
        passes the scenarios, the policies, the callback and how to combine them."""
        if _EMA_PASSES_EXPERIMENTS:
            experiments, callback = args[0], args[1]
        else:
            scenarios, policies, callback = args[:3]
            combine = args[3] if len(args) > 3 else kwargs.get("combine", "factorial")
            experiments = experiment_generator(scenarios, self._msis, policies, combine=combine)
        models = {model.name: model for model in self._msis}
        by_model: dict[str, list[Any]] = {}
        for experiment in experiments:
            by_model.setdefault(experiment.model_name, []).append(experiment)
        for model_name, group in by_model.items():
            self._evaluate(models[model_name], group, callback)

    def _evaluate(self, model: NegsimModel, group: Sequence[Any], callback: Any) -> None:
        constants = {c.name: c.value for c in model.constants}
        tasks = [
            model.point.task({**constants, **e.scenario, **e.policy}, point=i)
            for i, e in enumerate(group)
        ]
        size = points_per_block(model.point.runs)
        blocks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        done = 0
        for results in self.map_fn(evaluate_points, blocks):
            for result in results:
                outcomes = {
                    o.name: o.process([result[v] for v in o.variable_name]) for o in model.outcomes
                }
                callback(group[int(result["point"])], outcomes)
                done += 1
        if done != len(group):  # pragma: no cover - a map_fn that drops blocks
            raise RuntimeError(f"{len(group) - done} points of {model.name} came back missing")


# EMA 3 generates the experiments itself and hands them to the evaluator; EMA 2.5 hands
# over the scenarios and policies. The extra supports both (EMA 3 needs Python 3.12).
_EMA_PASSES_EXPERIMENTS = (
    "experiments" in inspect.signature(BaseEvaluator.evaluate_experiments).parameters
)
