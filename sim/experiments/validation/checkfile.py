"""Reading check files: their shape is declared with `sim.schema`, as a scenario's is, so a
bad check file is refused in one line naming the file, the dotted path, the value and what
was expected. What the declarations cannot say (an arm named in an expectation exists, a
share's bounds lie in [0, 1], an override the scenario accepts) is checked after, still
before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from sim import schema, shipped
from sim.errors import ConfigError
from sim.experiments import analytic
from sim.experiments.designs import SAMPLED, _parameter
from sim.experiments.limits import MAX_POINTS
from sim.experiments.validation.checks import Arm, Check, Condition, Ensemble, Group, Kind
from sim.experiments.validation.running import dry_build
from sim.experiments.validation.stats import CAPITULATION, Stat, is_share, parse_stat
from sim.model.config import read_yaml
from sim.schema import param

Section = Literal["mediator", "stakeholders"]  # what an arm may remove (`without`)
_TARGETS = ("arm", "ratio", "difference", "order")
_BOUNDS = ("between", "above", "below", "at_most")


# -- the shape of a check file ---------------------------------------------------------------
@dataclass(frozen=True)
class CheckShape:
    """A check file as written (validation/README.md)."""

    MAPPING_EXPECTED: ClassVar[str] = "a mapping with title, claim, source and expect"

    title: str = param(expected="a text")
    claim: str = param(expected="a text")
    source: str = param(expected="a text")
    # Each an ExpectationShape, read once the arms are known.
    expect: tuple[Any, ...] = param(expected="a non-empty list of expectations")
    group: Group = "other"
    kind: Kind = "simulation"
    scenario: Any = None  # a scenario file, relative to the check (none for rubinstein)
    ensemble: Any = None  # an EnsembleShape, or a shared ensemble file's name
    arms: Any = None  # {name: ArmShape}; a name must be a text, which is checked first
    runs: int = param(1000, bounds=(1, None), expected="an integer >= 1")
    seed: int = param(0, bounds=(0, None), expected="an integer >= 0")
    set: dict[str, Any] = param({}, expected="a mapping of dotted paths to values")
    parameters: dict[str, Any] = param({}, expected="a mapping (options of an analytic check)")
    known_failure: str | None = param(None, expected="a text")


@dataclass(frozen=True)
class ArmShape:
    MAPPING_EXPECTED: ClassVar[str] = "a mapping with set and/or without"

    set: dict[str, Any] = param({}, expected="a mapping of dotted paths to values")
    without: tuple[Section, ...] | None = param(
        None, expected="a list of sections: mediator, stakeholders"
    )
    # Extra ensemble dimensions.
    draw: dict[str, Any] = param({}, expected="a mapping of dotted paths to distributions")


@dataclass(frozen=True)
class EnsembleShape:
    MAPPING_EXPECTED: ClassVar[str] = "a mapping with points, design, seed, parameters"

    parameters: dict[str, Any] = param(expected="a mapping of dotted paths to distributions")
    points: int = param(100, bounds=(2, MAX_POINTS), expected=f"an integer from 2 to {MAX_POINTS}")
    design: str = "latin_hypercube"
    seed: int = param(0, bounds=(0, None), expected="an integer >= 0")


@dataclass(frozen=True)
class ExpectationShape:
    MAPPING_EXPECTED: ClassVar[str] = (
        "a mapping such as {stat: p_settlement, arm: x, between: [a, b]}"
    )

    stat: Any  # a statistic name: checked by parse_stat, or against an analytic kind's
    arm: Any = None
    ratio: tuple[Any, ...] | None = None
    difference: tuple[Any, ...] | None = None
    order: tuple[Any, ...] | None = None
    between: tuple[float, ...] | None = param(None, expected="[low, high] with low <= high")
    above: float | None = None
    below: float | None = None
    at_most: float | None = None


# -- reading ---------------------------------------------------------------------------------
def load_checks(paths: Sequence[str | Path], only: Sequence[str] | None = None) -> list[Check]:
    """Checks from files and folders (every *.yaml directly inside a folder, sorted); with
    `only`, just the checks of those names (a check's name is its file's stem), so that
    choosing one check does not wait for all the others to be read and built."""
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(sorted(f for f in path.glob("*.yaml") if f.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError("path", str(p), "a check file or a folder of check files")
    if not files:
        raise ConfigError("path", [str(p) for p in paths], "at least one check (*.yaml)")
    seen: dict[str, str] = {}
    for f in files:
        if f.stem in seen:
            raise ConfigError(
                "name", f.stem, f"a unique check name (also {seen[f.stem]})", file=str(f)
            )
        seen[f.stem] = str(f)
    if only is not None:
        names = list(seen)
        for w in only:
            if w not in seen:
                raise ConfigError(
                    "--only", w, f"a check name, one of {names}", hint=schema.suggest(w, names)
                )
        files = [f for f in files if f.stem in only]
    return [load_check(f) for f in files]


def load_check(path: str | Path) -> Check:
    """Read, check and build one check file (its overrides applied to its scenario)."""
    path = Path(path)
    data = read_yaml(path)
    try:
        return _build_check(data, path)
    except ConfigError as err:
        raise err.in_file(str(path)) from None


def _build_check(data: Any, path: Path) -> Check:
    if isinstance(data, Mapping) and isinstance(data.get("arms"), Mapping):
        for name in data["arms"]:
            if not isinstance(name, str):
                raise ConfigError(f"arms.{name}", name, "an arm name (a text: quote a number)")
    shape = schema.build(CheckShape, data)
    _refuse_unused(shape, data)
    scenario = _scenario_file(shape, path)
    options: dict[str, Any] = {}
    if shape.kind != "simulation":
        options = analytic.check_parameters(shape.kind, shape.parameters)
    if not shape.expect:
        raise ConfigError("expect", list(shape.expect), "a non-empty list of expectations")
    arms = _arms(shape.arms)
    names = [a.name for a in arms]
    check = Check(
        name=path.stem,
        file=str(path),
        title=shape.title,
        claim=" ".join(shape.claim.split()),
        source=" ".join(shape.source.split()),
        group=shape.group,
        kind=shape.kind,
        scenario=scenario,
        arms=arms,
        runs=shape.runs,
        seed=shape.seed,
        conditions=tuple(
            _condition(c, f"expect[{i}]", names, shape.kind) for i, c in enumerate(shape.expect)
        ),
        ensemble=_ensemble(shape.ensemble, path) if shape.ensemble is not None else None,
        base_overrides=dict(shape.set),
        parameters=options,
        known_failure=" ".join(shape.known_failure.split()) if shape.known_failure else None,
    )
    _check_against_scenario(check)
    return check


def _refuse_unused(shape: CheckShape, data: Mapping[str, Any]) -> None:
    """An analytic check computes its values from one scenario (none for rubinstein): arms,
    ensembles, and for rubinstein a scenario and overrides, would be ignored."""
    if shape.kind != "simulation":
        unused = ["arms", "ensemble"] + (["scenario", "set"] if shape.kind == "rubinstein" else [])
        for key in unused:
            if key in data:
                raise ConfigError(key, data[key], f"no {key} in a {shape.kind} check")
    elif "parameters" in data:
        raise ConfigError(
            "parameters", data["parameters"], "no parameters in a simulation check (use set)"
        )


def _scenario_file(shape: CheckShape, path: Path) -> str | None:
    if shape.kind == "rubinstein":
        return None
    if not isinstance(shape.scenario, str):
        raise ConfigError("scenario", shape.scenario, "a scenario file (relative to the check)")
    scen_path = shipped.beside(path, shape.scenario).resolve()
    if not scen_path.is_file():
        raise ConfigError("scenario", shape.scenario, f"an existing file ({scen_path} is missing)")
    return str(scen_path)


def _check_against_scenario(check: Check) -> None:
    """Build what the check will run, so that a bad override, a party the scenario lacks or a
    number of rounds past its horizon is refused before anything runs."""
    if check.kind == "simulation":
        parties, horizons = dry_build(check)
        for i, cond in enumerate(check.conditions):
            stat = parse_stat(cond.stat)
            _check_capitulations(stat, f"expect[{i}].stat", parties)
            _check_rounds(stat, f"expect[{i}].stat", min(horizons[a] for a in cond.arms))
        return
    names = analytic.stat_names(check.kind, check.parameters)
    for i, cond in enumerate(check.conditions):
        if cond.stat not in names:
            raise ConfigError(
                f"expect[{i}].stat",
                cond.stat,
                f"a statistic of a {check.kind} check, one of {names}",
                hint=schema.suggest(cond.stat, names),
            )
    analytic.dry_build(check)  # an override the scenario refuses, before anything runs


def _check_rounds(stat: Stat, where: str, horizon: int) -> None:
    """A statistic's number of rounds must leave something to count within the horizon
    (the shortest of the arms it reads, at any point): a run is watched for `horizon` rounds."""
    if stat.arg is None:
        return
    fn = stat.what.rpartition(".")[2]
    # longer_than:T reads survival at T (T = horizon is the share still going at the end);
    # the others need rounds after T: collapse_within:K counts deals made K rounds before
    # the horizon, hazard_ratio_late:T compares rounds up to T with those after it.
    last = horizon if fn == "longer_than" else horizon - 1
    if stat.arg > last:
        raise ConfigError(
            where, stat.name, f"a number of rounds from 1 to {last} (horizon {horizon})"
        )


def _check_capitulations(stat: Stat, where: str, parties: Sequence[str]) -> None:
    if stat.what != "outcome":
        return
    for outcome in stat.endings:
        party = outcome.removeprefix(CAPITULATION)
        if outcome.startswith(CAPITULATION) and party not in parties:
            raise ConfigError(
                where,
                stat.name,
                f"capitulation_<party> with a party of the scenario, one of {list(parties)}",
                hint=schema.suggest(party, parties),
            )


def _arms(data: Any) -> tuple[Arm, ...]:
    if data is None:
        return (Arm("base", {}),)
    if not isinstance(data, Mapping) or not data:
        raise ConfigError("arms", data, "a mapping of arm names to {set: {...}, without: [...]}")
    arms = []
    for name, spec in data.items():
        shape = schema.build(ArmShape, spec or {}, f"arms.{name}")
        without = list(shape.without or ())
        for kind, written in (("set", shape.set), ("draw", shape.draw)):
            for key in written:
                section = str(key).split(".", 1)[0].split("[", 1)[0]
                if section in without:
                    # The arm removes the section after its overrides: they would be dropped.
                    raise ConfigError(
                        f"arms.{name}.{kind}.{key}",
                        written[key],
                        f"a path outside the sections the arm removes (without: {without})",
                    )
        arms.append(Arm(str(name), dict(shape.set), tuple(without), dict(shape.draw)))
    return tuple(arms)


def _ensemble(data: Any, path: Path) -> Ensemble:
    if not isinstance(data, str):
        return _ensemble_body(data, str(path), prefix="ensemble")
    file = (path.parent / data).resolve()  # a shared ensemble file, relative to the check
    if not file.is_file():
        raise ConfigError("ensemble", data, f"an existing ensemble file ({file} is missing)")
    try:
        return _ensemble_body(read_yaml(file), str(file), prefix="")
    except ConfigError as err:
        raise err.in_file(str(file)) from None


def _ensemble_body(data: Any, source: str, prefix: str) -> Ensemble:
    """`prefix`: where the ensemble's keys are in the file that holds them (a check's
    `ensemble:` section, or the top level of a shared ensemble file)."""
    shape = schema.build(EnsembleShape, data, prefix)
    at = f"{prefix}." if prefix else ""
    if shape.design not in SAMPLED:
        hint = schema.suggest(shape.design, SAMPLED)
        raise ConfigError(f"{at}design", shape.design, f"one of {list(SAMPLED)}", hint=hint)
    if not shape.parameters:
        raise ConfigError(
            f"{at}parameters", dict(shape.parameters), "a mapping of dotted paths to distributions"
        )
    try:
        parameters = tuple(_parameter(k, v, shape.design) for k, v in shape.parameters.items())
    except ConfigError as err:
        raise ConfigError(
            f"{at}{err.path}", err.value, err.expected, file=err.file, hint=err.hint
        ) from None
    return Ensemble(
        points=shape.points,
        design=shape.design,
        seed=shape.seed,
        parameters=parameters,
        source=source,
        written=dict(shape.parameters),
    )


def _condition(data: Any, where: str, arms: list[str], kind: str) -> Condition:
    shape = schema.build(ExpectationShape, data, where)
    if not isinstance(shape.stat, str):
        raise ConfigError(f"{where}.stat", shape.stat, "a statistic name (validation/README.md)")
    parsed = parse_stat(shape.stat, f"{where}.stat") if kind == "simulation" else None
    target, chosen = _target(shape, data, where, arms, kind)
    bounds = {k: getattr(shape, k) for k in _BOUNDS if getattr(shape, k) is not None}
    if target == "order":
        if bounds:
            raise ConfigError(where, dict(data), "no bounds with order (each gap must be above 0)")
        return Condition(shape.stat, target, chosen)
    if len(bounds) != 1:
        raise ConfigError(where, dict(data), "exactly one of between, above, below, at_most")
    ((key, value),) = bounds.items()
    if key == "at_most" and kind == "simulation":
        raise ConfigError(
            f"{where}.at_most", value, "between, above or below (at_most is for analytic checks)"
        )
    if parsed is not None and target == "arm" and is_share(parsed):
        _share_bounds(f"{where}.{key}", key, value, shape.stat)
    if key == "between":
        if len(value) != 2 or value[0] > value[1]:
            raise ConfigError(f"{where}.between", list(value), "[low, high] with low <= high")
        return Condition(shape.stat, target, chosen, between=(value[0], value[1]))
    return Condition(shape.stat, target, chosen, **{key: value})


def _target(
    shape: ExpectationShape, data: Mapping[str, Any], where: str, arms: list[str], kind: str
) -> tuple[str, tuple[Any, ...]]:
    """What an expectation reads: one arm, a ratio or difference of two, or an order."""
    targets = [k for k in _TARGETS if getattr(shape, k) is not None]
    if len(targets) > 1:
        raise ConfigError(where, dict(data), "only one of arm, ratio, difference, order")
    if targets and kind != "simulation":
        raise ConfigError(
            f"{where}.{targets[0]}",
            data[targets[0]],
            f"no arms in a {kind} check (it has none)",
        )
    target = targets[0] if targets else "arm"
    if target == "arm":
        chosen: tuple[Any, ...] = (shape.arm if shape.arm is not None else arms[0],)
    else:
        chosen = getattr(shape, target)
        if (target != "order" and len(chosen) != 2) or len(chosen) < 2:
            two = "a list of two arm names" if target != "order" else "a list of arm names"
            raise ConfigError(f"{where}.{target}", list(chosen), two)
    for name in chosen if kind == "simulation" else ():
        if not isinstance(name, str) or name not in arms:
            raise ConfigError(
                f"{where}.{target}",
                name,
                f"an arm name, one of {arms}",
                hint=schema.suggest(str(name), arms),
            )
    return target, chosen


def _share_bounds(where: str, key: str, value: Any, stat: str) -> None:
    """A share outside [0, 1] can never be reached: the expectation would fail (or pass)
    whatever the model does."""
    values = list(value) if isinstance(value, tuple) else [value]
    if not all(0.0 <= v <= 1.0 for v in values):
        raise ConfigError(where, _shown(value), f"bounds in [0, 1] ({stat} is a share)")
    if (key == "above" and value == 1) or (key == "below" and value == 0):
        # The whole interval of a share can never lie above 1 or below 0.
        raise ConfigError(where, _shown(value), f"a bound inside (0, 1) ({stat} is a share)")


def _shown(value: Any) -> Any:
    """A bound as it was written (a list, not the tuple it was read into)."""
    return list(value) if isinstance(value, tuple) else value
