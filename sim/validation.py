"""Validation: declared checks of the model against theory and the historical record.

A check is a YAML file (see validation/README.md): a scenario, optionally an *ensemble* of
heterogeneous scenarios drawn around it, one or more *arms* (variants that differ by a few
overrides, run on common random numbers), and *expectations* on statistics of the arms'
per-run tables. Analytic checks (`kind: fearon | nash | rubinstein`) compute exact
quantities instead.

Uncertainty. Every statistic is a ratio of sums over runs (a share, a hazard as events per
round at risk) or a functional of a duration histogram (median, survival, Weibull shape), so
the bootstrap is cheap: resample *clusters* with replacement and recompute from weighted
sums. In an ensemble the cluster is the scenario drawn (runs of one scenario are not
independent draws from the population of wars); for a single scenario it is the run. Arms
share clusters (the same ensemble points and run indices), so ratios and differences between
arms are computed within each bootstrap replicate: the pairing of common random numbers is
kept. Intervals are 95% percentile intervals.

Semantics of an expectation:
    between: [lo, hi]   the point estimate lies in the band (a size claim)
    above: x            the whole interval lies above x (a direction claim)
    below: x            the whole interval lies below x
    order: [a, b, ...]  each arm's statistic exceeds the next's, every gap's interval above 0
    at_most: x          exact value (analytic checks) at most x
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import functools
import math
import os
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from sim import schema, shipped
from sim.config import apply_overrides, read_scenario, read_yaml, scenario_from_dict
from sim.errors import ConfigError
from sim.limits import MAX_POINTS
from sim.outcomes import party_free_labels
from sim.workers import die_with_parent

BOOTSTRAP = 500
_BOOT_STREAM = 0x0B00_7575
KINDS = ("simulation", "fearon", "nash", "rubinstein")
ENDINGS = ("agreement", "ceasefire", "frozen", "victory", "ongoing")
# States a run can be in at the horizon, besides a party's capitulation, which is named
# after the party: capitulation_<party>.
OUTCOME_STATES = party_free_labels()
CAPITULATION = "capitulation_"
TIMES = ("war_duration", "settlement_round", "ceasefire_round")
_CHECK_KEYS = (
    "title",
    "claim",
    "source",
    "group",
    "kind",
    "scenario",
    "ensemble",
    "arms",
    "runs",
    "seed",
    "set",
    "expect",
    "parameters",
    "known_failure",
)
_ENSEMBLE_KEYS = ("points", "design", "seed", "parameters")
_ARM_KEYS = ("set", "without", "draw")
_COND_KEYS = ("stat", "arm", "ratio", "difference", "order", "between", "above", "below", "at_most")
GROUPS = ("analytic", "stylized", "case", "other")


# -- declarations ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arm:
    name: str
    overrides: dict[str, Any]
    without: tuple[str, ...] = ()
    draw: dict[str, Any] = field(default_factory=dict)  # extra ensemble dimensions


@dataclass(frozen=True)
class Ensemble:
    points: int
    design: str
    seed: int
    parameters: tuple[Any, ...]  # sim.designs.Parameter
    source: str
    written: dict[str, Any] = field(default_factory=dict)  # each path's spec as in the file


@dataclass(frozen=True)
class Condition:
    stat: str
    target: str  # "arm", "ratio", "difference" or "order"
    arms: tuple[str, ...]
    between: tuple[float, float] | None = None
    above: float | None = None
    below: float | None = None
    at_most: float | None = None

    def describe(self) -> str:
        if self.target == "order":
            return f"{self.stat}: " + " > ".join(self.arms)
        if self.target == "ratio":
            subject = f"{self.stat} {self.arms[0]} / {self.arms[1]}"
        elif self.target == "difference":
            subject = f"{self.stat} {self.arms[0]} - {self.arms[1]}"
        elif self.arms[0] == "base":
            subject = self.stat
        else:
            subject = f"{self.stat} [{self.arms[0]}]"
        if self.between is not None:
            return f"{subject} in [{_num(self.between[0])}, {_num(self.between[1])}]"
        if self.above is not None:
            return f"{subject} > {_num(self.above)} (whole CI)"
        if self.below is not None:
            return f"{subject} < {_num(self.below)} (whole CI)"
        return f"{subject} <= {_num(self.at_most)}"


@dataclass(frozen=True)
class Check:
    name: str
    file: str
    title: str
    claim: str
    source: str
    group: str
    kind: str
    scenario: str | None
    arms: tuple[Arm, ...]
    runs: int
    seed: int
    conditions: tuple[Condition, ...]
    ensemble: Ensemble | None = None
    base_overrides: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    # Why the model is known to miss this check (docs/validation.md); None if it should pass.
    known_failure: str | None = None


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.4g}"


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
    path = Path(path)
    data = read_yaml(path)
    try:
        return _build_check(data, path)
    except ConfigError as err:
        raise err.in_file(str(path)) from None


def _build_check(data: Any, path: Path) -> Check:
    if not isinstance(data, Mapping):
        raise ConfigError("", data, "a mapping with title, claim, source and expect")
    _known_keys(data, _CHECK_KEYS, "")
    for key in ("title", "claim", "source", "expect"):
        if key not in data:
            raise ConfigError(key, None, "a value (required)")
    for key in ("title", "claim", "source", "known_failure"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ConfigError(key, data[key], "a text")
    kind = data.get("kind", "simulation")
    if kind not in KINDS:
        raise ConfigError(
            "kind", kind, f"one of {list(KINDS)}", hint=schema.suggest(str(kind), KINDS)
        )
    group = data.get("group", "other")
    if group not in GROUPS:
        raise ConfigError("group", group, f"one of {list(GROUPS)}")
    scenario = data.get("scenario")
    if kind != "simulation":
        # An analytic check computes its values from one scenario (none for rubinstein):
        # arms, ensembles, and for rubinstein a scenario and overrides, would be ignored.
        unused = ["arms", "ensemble"] + (["scenario", "set"] if kind == "rubinstein" else [])
        for key in unused:
            if key in data:
                raise ConfigError(key, data[key], f"no {key} in a {kind} check")
    elif "parameters" in data:
        raise ConfigError(
            "parameters", data["parameters"], "no parameters in a simulation check (use set)"
        )
    if kind != "rubinstein":
        if not isinstance(scenario, str):
            raise ConfigError("scenario", scenario, "a scenario file (relative to the check)")
        scen_path = shipped.beside(path, scenario).resolve()
        if not scen_path.is_file():
            raise ConfigError("scenario", scenario, f"an existing file ({scen_path} is missing)")
        scenario = str(scen_path)
    runs = _int(data.get("runs", 1000), "runs", low=1)
    seed = _int(data.get("seed", 0), "seed", low=0)
    base = data.get("set", {}) or {}
    if not isinstance(base, Mapping):
        raise ConfigError("set", base, "a mapping of dotted paths to values")
    arms = _arms(data.get("arms"))
    ensemble = _ensemble(data["ensemble"], path) if data.get("ensemble") is not None else None
    params = data.get("parameters", {}) or {}
    if not isinstance(params, Mapping):
        raise ConfigError("parameters", params, "a mapping (options of an analytic check)")
    if kind != "simulation":
        from sim import benchmarks_analytic as analytic

        analytic.check_parameters(kind, params)
    conds = data["expect"]
    if not isinstance(conds, list) or not conds:
        raise ConfigError("expect", conds, "a non-empty list of expectations")
    names = [a.name for a in arms]
    conditions = tuple(_condition(c, f"expect[{i}]", names, kind) for i, c in enumerate(conds))
    check = Check(
        name=path.stem,
        file=str(path),
        title=str(data["title"]),
        claim=" ".join(str(data["claim"]).split()),
        source=" ".join(str(data["source"]).split()),
        group=group,
        kind=kind,
        scenario=scenario,
        arms=arms,
        runs=runs,
        seed=seed,
        conditions=conditions,
        ensemble=ensemble,
        base_overrides=dict(base),
        parameters=dict(params),
        known_failure=(
            " ".join(str(data["known_failure"]).split()) if data.get("known_failure") else None
        ),
    )
    if kind == "simulation":
        parties, horizons = _dry_build(check)  # bad overrides are reported before anything runs
        for i, cond in enumerate(conditions):
            stat = parse_stat(cond.stat)
            _check_capitulations(stat, f"expect[{i}].stat", parties)
            _check_rounds(stat, f"expect[{i}].stat", min(horizons[a] for a in cond.arms))
    else:
        from sim import benchmarks_analytic as analytic

        names = analytic.stat_names(kind, check.parameters)
        for i, cond in enumerate(conditions):
            if cond.stat not in names:
                raise ConfigError(
                    f"expect[{i}].stat",
                    cond.stat,
                    f"a statistic of a {kind} check, one of {names}",
                    hint=schema.suggest(cond.stat, names),
                )
        analytic.dry_build(check)  # an override the scenario refuses, before anything runs
    return check


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


def _known_keys(data: Mapping[str, Any], allowed: Sequence[str], prefix: str) -> None:
    """Refuse a key that is not in `allowed`, with a did-you-mean."""
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"{prefix}{key}",
                data[key],
                f"one of {list(allowed)}",
                hint=schema.suggest(str(key), allowed),
            )


def _int(value: Any, where: str, *, low: int, high: int | None = None) -> int:
    wrong = isinstance(value, bool) or not isinstance(value, int) or value < low
    if wrong or (high is not None and value > high):
        bounds = f">= {low}" + (f" and <= {high}" if high is not None else "")
        raise ConfigError(where, value, f"an integer {bounds}")
    return value


def _arms(data: Any) -> tuple[Arm, ...]:
    if data is None:
        return (Arm("base", {}),)
    if not isinstance(data, Mapping) or not data:
        raise ConfigError("arms", data, "a mapping of arm names to {set: {...}, without: [...]}")
    arms = []
    for name, spec in data.items():
        if not isinstance(name, str):
            raise ConfigError(f"arms.{name}", name, "an arm name (a text: quote a number)")
        spec = spec or {}
        if not isinstance(spec, Mapping):
            raise ConfigError(f"arms.{name}", spec, "a mapping with set and/or without")
        _known_keys(spec, _ARM_KEYS, f"arms.{name}.")
        overrides = spec.get("set", {}) or {}
        if not isinstance(overrides, Mapping):
            raise ConfigError(f"arms.{name}.set", overrides, "a mapping of dotted paths to values")
        without = spec.get("without", []) or []
        if not isinstance(without, list) or not all(
            w in ("mediator", "stakeholders") for w in without
        ):
            raise ConfigError(
                f"arms.{name}.without", without, "a list of sections: mediator, stakeholders"
            )
        draw = spec.get("draw", {}) or {}
        if not isinstance(draw, Mapping):
            raise ConfigError(
                f"arms.{name}.draw", draw, "a mapping of dotted paths to distributions"
            )
        for kind, written in (("set", overrides), ("draw", draw)):
            for key in written:
                section = str(key).split(".", 1)[0].split("[", 1)[0]
                if section in without:
                    # The arm removes the section after its overrides: they would be dropped.
                    raise ConfigError(
                        f"arms.{name}.{kind}.{key}",
                        written[key],
                        f"a path outside the sections the arm removes (without: {without})",
                    )
        arms.append(Arm(str(name), dict(overrides), tuple(without), dict(draw)))
    return tuple(arms)


def _ensemble(data: Any, path: Path) -> Ensemble:
    from sim.designs import SAMPLED, _parameter

    source = str(path)
    if isinstance(data, str):  # a shared ensemble file, relative to the check
        file = (path.parent / data).resolve()
        if not file.is_file():
            raise ConfigError("ensemble", data, f"an existing ensemble file ({file} is missing)")
        source = str(file)
        try:
            data = read_yaml(file)
            return _ensemble_body(data, source, SAMPLED, _parameter, prefix="")
        except ConfigError as err:
            raise err.in_file(source) from None
    return _ensemble_body(data, source, SAMPLED, _parameter)


def _ensemble_body(
    data: Any, source: str, sampled: Any, make: Callable[..., Any], prefix: str = "ensemble."
) -> Ensemble:
    """`prefix`: where the ensemble's keys are in the file that holds them (a check's
    `ensemble:` section, or the top level of a shared ensemble file)."""
    if not isinstance(data, Mapping):
        raise ConfigError("ensemble", data, "a mapping with points, design, seed, parameters")
    _known_keys(data, _ENSEMBLE_KEYS, prefix)
    design = data.get("design", "latin_hypercube")
    if design not in sampled:
        raise ConfigError(f"{prefix}design", design, f"one of {list(sampled)}")
    params = data.get("parameters")
    if not isinstance(params, Mapping) or not params:
        raise ConfigError(
            f"{prefix}parameters", params, "a mapping of dotted paths to distributions"
        )
    try:
        parameters = tuple(make(k, v, design) for k, v in params.items())
    except ConfigError as err:
        raise ConfigError(
            f"{prefix}{err.path}", err.value, err.expected, file=err.file, hint=err.hint
        ) from None
    return Ensemble(
        points=_int(data.get("points", 100), f"{prefix}points", low=2, high=MAX_POINTS),
        design=design,
        seed=_int(data.get("seed", 0), f"{prefix}seed", low=0),
        parameters=parameters,
        source=source,
        written={str(k): v for k, v in params.items()},
    )


def _condition(data: Any, where: str, arms: list[str], kind: str) -> Condition:
    if not isinstance(data, Mapping):
        raise ConfigError(
            where, data, "a mapping such as {stat: p_settlement, arm: x, between: [a, b]}"
        )
    _known_keys(data, _COND_KEYS, f"{where}.")
    stat = data.get("stat")
    if not isinstance(stat, str):
        raise ConfigError(f"{where}.stat", stat, "a statistic name (validation/README.md)")
    parsed = parse_stat(stat, f"{where}.stat") if kind == "simulation" else None
    targets = [k for k in ("arm", "ratio", "difference", "order") if k in data]
    if len(targets) > 1:
        raise ConfigError(where, dict(data), "only one of arm, ratio, difference, order")
    if targets and kind != "simulation":
        raise ConfigError(
            f"{where}.{targets[0]}", data[targets[0]], f"no arms in a {kind} check (it has none)"
        )
    target = targets[0] if targets else "arm"
    if target == "arm":
        chosen = (data.get("arm", arms[0]),)
    else:
        chosen = data[target]
        need = 2 if target != "order" else None
        if not isinstance(chosen, list) or (need and len(chosen) != need) or len(chosen) < 2:
            raise ConfigError(
                f"{where}.{target}",
                chosen,
                "a list of two arm names" if need else "a list of arm names",
            )
        chosen = tuple(chosen)
    for name in chosen:
        if kind == "simulation" and not isinstance(name, str):
            raise ConfigError(f"{where}.{target}", name, f"an arm name, one of {arms}")
        if kind == "simulation" and name not in arms:
            raise ConfigError(
                f"{where}.{target}",
                name,
                f"an arm name, one of {arms}",
                hint=schema.suggest(str(name), arms),
            )
    bounds = {k: data[k] for k in ("between", "above", "below", "at_most") if k in data}
    if target == "order":
        if bounds:
            raise ConfigError(where, dict(data), "no bounds with order (each gap must be above 0)")
        return Condition(stat, target, chosen)
    if len(bounds) != 1:
        raise ConfigError(where, dict(data), "exactly one of between, above, below, at_most")
    ((key, value),) = bounds.items()
    if key == "at_most" and kind == "simulation":
        raise ConfigError(
            f"{where}.at_most", value, "between, above or below (at_most is for analytic checks)"
        )
    if parsed is not None and target == "arm" and _is_share(parsed):
        # A share outside [0, 1] can never be reached: the expectation would fail (or pass)
        # whatever the model does.
        values = value if isinstance(value, list) else [value]
        if all(_is_num(v) for v in values) and not all(0.0 <= v <= 1.0 for v in values):
            raise ConfigError(f"{where}.{key}", value, f"bounds in [0, 1] ({stat} is a share)")
        if (key == "above" and value == 1) or (key == "below" and value == 0):
            # The whole interval of a share can never lie above 1 or below 0.
            raise ConfigError(f"{where}.{key}", value, f"a bound inside (0, 1) ({stat} is a share)")
    if key == "between":
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(_is_num(v) for v in value)
            and value[0] <= value[1]
        ):
            raise ConfigError(f"{where}.between", value, "[low, high] with low <= high")
        return Condition(stat, target, chosen, between=(float(value[0]), float(value[1])))
    if not _is_num(value):
        raise ConfigError(f"{where}.{key}", value, "a number")
    bound = float(value)
    if key == "above":
        return Condition(stat, target, chosen, above=bound)
    if key == "below":
        return Condition(stat, target, chosen, below=bound)
    return Condition(stat, target, chosen, at_most=bound)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v)


def _is_share(stat: Stat) -> bool:
    """Statistics that are shares of runs (or of first agreements), in [0, 1]."""
    return stat.what in (
        "p_settlement",
        "ending",
        "outcome",
        "collapse_within",
        "ceasefire_collapse_within",
    ) or stat.what.endswith(".longer_than")


# -- statistics ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stat:
    """A parsed statistic: a ratio of sums (`family` "ratio") or a duration functional."""

    name: str
    family: str  # "ratio" or "duration"
    what: str
    arg: float | None = None
    endings: tuple[str, ...] = ()


def parse_stat(text: str, where: str = "stat") -> Stat:
    """Statistic names (validation/README.md)::

    p_settlement                       share of runs with a first agreement in the horizon
    ending:agreement+ceasefire         share of runs whose fighting first stopped that way
    outcome:comprehensive+framework    share of runs in that state at the horizon
    collapse_hazard                    collapses per round a standing agreement was at risk
    collapse_hazard_after_exit         the same, counting only rounds after the mediator left
    ceasefire_hazard                   breakdowns per round a bare ceasefire was at risk
    collapse_within:K                  first agreements that collapsed within K rounds
    ceasefire_collapse_within:K        first ceasefires that broke down within K rounds
    <time>.median | <time>.longer_than:T | <time>.weibull_shape | <time>.hazard_ratio_late:T
        with <time> war_duration (rounds until the fighting first stopped) or
        settlement_round (rounds until the first agreement) or ceasefire_round (rounds
        until the first bare ceasefire)
    """
    name, _, arg = text.partition(":")
    if (
        name
        in ("p_settlement", "collapse_hazard", "collapse_hazard_after_exit", "ceasefire_hazard")
        and not arg
    ):
        return Stat(text, "ratio", name)
    if name == "outcome":
        outcomes = tuple(arg.split("+")) if arg else ()
        known = [*OUTCOME_STATES, f"{CAPITULATION}<party>"]
        for outcome in outcomes or ("",):
            party = outcome.removeprefix(CAPITULATION) if outcome.startswith(CAPITULATION) else ""
            if outcome not in OUTCOME_STATES and not party:
                # Misspelt, it would match no run and give 0 without a word.
                raise ConfigError(
                    where,
                    text,
                    f"outcome:<outcomes at the horizon joined by +>, outcomes from {known}",
                    hint=schema.suggest(outcome, [*OUTCOME_STATES, _capitulation_of(outcome)]),
                )
        return Stat(text, "ratio", "outcome", endings=outcomes)
    if name == "ending":
        endings = tuple(arg.split("+")) if arg else ()
        wrong = [e for e in endings if e not in ENDINGS]
        if not endings or wrong:
            raise ConfigError(
                where,
                text,
                f"ending:<kinds joined by +>, kinds from {list(ENDINGS)}",
                hint=schema.suggest(wrong[0], ENDINGS) if wrong else None,
            )
        return Stat(text, "ratio", "ending", endings=endings)
    if name in ("collapse_within", "ceasefire_collapse_within"):
        return Stat(text, "ratio", name, arg=_stat_arg(arg, text, where))
    time, _, fn = name.partition(".")
    if time in TIMES:
        if fn in ("median", "weibull_shape") and not arg:
            return Stat(text, "duration", f"{time}.{fn}")
        if fn in ("longer_than", "hazard_ratio_late"):
            return Stat(text, "duration", f"{time}.{fn}", arg=_stat_arg(arg, text, where))
    options = [
        "p_settlement",
        "ending:<kinds>",
        "outcome:<outcomes>",
        "collapse_hazard",
        "collapse_hazard_after_exit",
        "ceasefire_hazard",
        "collapse_within:K",
        "ceasefire_collapse_within:K",
    ] + [
        f"{t}.{f}"
        for t in TIMES
        for f in ("median", "longer_than:T", "weibull_shape", "hazard_ratio_late:T")
    ]
    raise ConfigError(where, text, f"a statistic, one of {options}")


def _capitulation_of(outcome: str) -> str:
    # What a misspelt capitulation_<party> most likely meant: the same party.
    return CAPITULATION + (outcome.partition("_")[2] or "<party>")


def _stat_arg(arg: str, text: str, where: str) -> float:
    try:
        value = float(arg)
    except ValueError:
        raise ConfigError(where, text, "a numeric argument after ':' (rounds)") from None
    if not (math.isfinite(value) and value == int(value) and value >= 1):
        raise ConfigError(where, text, "a whole number of rounds >= 1 after ':'")
    return value


def run_frame(table: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Per-run quantities every statistic is built from."""
    censored = horizon + 1
    settle = table["settlement_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    truce = table["first_ceasefire_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    end = table["end_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    stop = np.minimum(np.minimum(settle, truce), end)
    outcome = table["outcome"].astype(str).to_numpy()
    ending = np.full(len(table), "ongoing", dtype=object)
    ending[np.isfinite(stop) & (stop == end)] = np.where(
        np.char.startswith(outcome.astype(str), "capitulation"), "victory", "frozen"
    )[np.isfinite(stop) & (stop == end)]
    ending[np.isfinite(truce) & (stop == truce)] = "ceasefire"
    ending[np.isfinite(settle) & (stop == settle)] = "agreement"
    collapse = table["collapse_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    truce_end = (
        table["first_ceasefire_collapse_round"].astype("Float64").fillna(np.inf).to_numpy(float)
    )
    with np.errstate(invalid="ignore"):  # inf - inf: no first event, gap undefined (nan)
        first_collapse_gap = collapse - settle
        truce_gap = truce_end - truce
    return pd.DataFrame(
        {
            "settled": np.isfinite(settle),
            "settlement_round": np.where(np.isfinite(settle), settle, censored).astype(int),
            "ceasefire_round": np.where(np.isfinite(truce), truce, censored).astype(int),
            "outcome": outcome,
            "war_duration": np.where(np.isfinite(stop), stop, censored).astype(int),
            "ending": ending,
            "first_collapse_gap": first_collapse_gap,
            "settle_time": settle,
            "truce_time": truce,
            "truce_gap": truce_gap,
            "collapses": table["collapses"].to_numpy(float),
            "agreement_rounds": table["agreement_rounds"].to_numpy(float),
            "collapses_after_exit": table["collapses_after_exit"].to_numpy(float),
            "agreement_rounds_after_exit": table["agreement_rounds_after_exit"].to_numpy(float),
            "ceasefire_collapses": table["ceasefire_collapses"].to_numpy(float),
            "ceasefire_rounds": table["ceasefire_rounds"].to_numpy(float),
        }
    )


def _num_den(stat: Stat, f: pd.DataFrame, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    one = np.ones(len(f))
    if stat.what == "p_settlement":
        return f["settled"].to_numpy(float), one
    if stat.what == "ending":
        return f["ending"].isin(stat.endings).to_numpy(float), one
    if stat.what == "outcome":
        return f["outcome"].isin(stat.endings).to_numpy(float), one
    if stat.what == "collapse_hazard":
        return f["collapses"].to_numpy(), f["agreement_rounds"].to_numpy()
    if stat.what == "collapse_hazard_after_exit":
        return f["collapses_after_exit"].to_numpy(), f["agreement_rounds_after_exit"].to_numpy()
    if stat.what == "ceasefire_hazard":
        return f["ceasefire_collapses"].to_numpy(), f["ceasefire_rounds"].to_numpy()
    k = float(stat.arg)  # type: ignore[arg-type]
    start, gap = (
        ("settle_time", "first_collapse_gap")
        if stat.what == "collapse_within"
        else ("truce_time", "truce_gap")
    )
    # Only first agreements (ceasefires) made early enough to be watched for K rounds count.
    observed = f[start].to_numpy() <= horizon - k
    return (observed & (f[gap].to_numpy() <= k)).astype(float), observed.astype(float)


def _weighted_ratio(num: np.ndarray, den: np.ndarray, w: np.ndarray) -> np.ndarray:
    top, bottom = w @ num, w @ den
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)


def _duration_value(stat: Stat, hist: np.ndarray, horizon: int) -> float:
    """A functional of a histogram of durations 1..horizon, with bin horizon+1 = censored."""
    n = hist.sum()
    if n <= 0:
        return math.nan
    fn = stat.what.split(".", 1)[1]
    surv = 1.0 - np.cumsum(hist[:-1]) / n  # S(t) for t = 1..horizon (censoring only at H)
    if fn == "median":
        below = np.flatnonzero(surv <= 0.5)
        return float(below[0] + 1) if below.size else math.inf
    if fn == "longer_than":
        t = int(stat.arg)  # type: ignore[arg-type]
        return float(surv[t - 1]) if t <= horizon else math.nan
    if fn == "hazard_ratio_late":
        # Events per round at risk after round T over the same before it: below 1 when the
        # chance of the war ending falls with its age.
        t = int(stat.arg)  # type: ignore[arg-type]
        at_risk = n - np.concatenate([[0.0], np.cumsum(hist[:-1])])[:-1]  # at start of round
        early = hist[:t].sum() / max(at_risk[:t].sum(), 1e-12)
        late = hist[t:horizon].sum() / max(at_risk[t:horizon].sum(), 1e-12)
        return float(late / early) if early > 0 else math.nan
    return weibull_shape(hist, horizon)


def weibull_shape(hist: np.ndarray, horizon: int) -> float:
    """Maximum-likelihood Weibull shape for durations observed in whole rounds.

    A war ending in round t ended in (t - 1, t]; one still going at the horizon is right-
    censored at `horizon`. The likelihood is that of interval-censored data, exact for
    monthly observation (treating t as an exact time would bias the shape down by the ties).
    """
    counts = hist[:horizon].astype(float)
    cens = float(hist[horizon])
    if counts.sum() <= 0:
        return math.nan  # no war ended: the shape is not identified
    t = np.arange(1, horizon + 1, dtype=float)

    def nll(theta: np.ndarray) -> float:
        log_k, log_lam = theta
        k, lam = math.exp(log_k), math.exp(log_lam)
        s_hi = np.exp(-((t / lam) ** k))
        s_lo = np.exp(-(((t - 1.0) / lam) ** k))
        p = np.clip(s_lo - s_hi, 1e-300, None)
        ll = counts @ np.log(p) - cens * (horizon / lam) ** k
        return -float(ll)

    start = np.array([0.0, math.log(max(float((counts * t).sum() / max(counts.sum(), 1.0)), 1.0))])
    res = optimize.minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 2000}
    )
    return float(math.exp(res.x[0]))


# -- running ---------------------------------------------------------------------------------
@dataclass
class ArmResult:
    frame: pd.DataFrame  # run_frame rows plus `cluster`
    horizon: int
    runs: int


def _points(check: Check) -> list[dict[str, Any]]:
    ens = check.ensemble
    if ens is None:
        return [{}]
    from sim.designs import unit_sample

    u = unit_sample(ens.design, len(ens.parameters), ens.points, ens.seed)
    columns = [p.from_unit(u[:, j]) for j, p in enumerate(ens.parameters)]
    return [
        {p.path: columns[j][i] for j, p in enumerate(ens.parameters)} for i in range(ens.points)
    ]


def _arm_draws(check: Check, arm: Arm) -> list[dict[str, Any]]:
    """Values an arm draws on top of the ensemble, one per point (its own sample stream)."""
    ens = check.ensemble
    if not arm.draw:
        return [{}] * (ens.points if ens is not None else 1)
    from sim.designs import _parameter, unit_sample

    if ens is None:
        raise ConfigError(
            f"arms.{arm.name}.draw", arm.draw, "an ensemble to draw over", file=check.file
        )
    try:
        params = [_parameter(k, v, ens.design) for k, v in arm.draw.items()]
    except ConfigError as err:
        raise ConfigError(
            f"arms.{arm.name}.draw.{err.path.removeprefix('parameters.')}",
            err.value,
            err.expected,
            file=check.file,
        ) from None
    index = [a.name for a in check.arms].index(arm.name)
    u = unit_sample(ens.design, len(params), ens.points, ens.seed + 1 + index)
    columns = [p.from_unit(u[:, j]) for j, p in enumerate(params)]
    return [{p.path: columns[j][i] for j, p in enumerate(params)} for i in range(ens.points)]


@functools.lru_cache(maxsize=32)
def _read_scenario(path: str, mtime: float) -> dict[str, Any]:
    """A scenario file parsed once (per modification time): an ensemble builds hundreds of
    scenarios from the same file, and parsing YAML dominates building them."""
    return read_yaml(path)


def _scenario_data(
    check: Check, arm: Arm, point: Mapping[str, Any], drawn: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    assert check.scenario is not None
    try:
        mtime = Path(check.scenario).stat().st_mtime
    except OSError:
        data = read_yaml(check.scenario)  # reports the missing file in one line
    else:
        data = _read_scenario(str(check.scenario), mtime)  # apply_overrides copies it
    # The check's own settings win over the ensemble's draws, and the arm's over both.
    data = apply_overrides(data, point, check.base_overrides, drawn or {}, arm.overrides)
    for section in arm.without:
        data.pop(section, None)
    return data


def _dry_build(check: Check) -> tuple[list[str], dict[str, int]]:
    """Build every arm at every point; return the party names they have in common and each
    arm's shortest horizon."""
    assert check.scenario is not None
    # The scenario alone first: a fault in its own file is the scenario's, not the check's.
    read_scenario(check.scenario)
    points = _points(check)
    draws = {arm.name: _arm_draws(check, arm) for arm in check.arms}
    parties: list[str] | None = None
    horizons: dict[str, int] = {}
    for i, point in enumerate(points):
        for arm in check.arms:
            try:
                sc = scenario_from_dict(
                    _scenario_data(check, arm, point, draws[arm.name][i]), file=check.scenario
                )
            except ConfigError as err:
                # The bad value comes from the check (its set, arms or ensemble) applied to
                # the scenario: name the check file, and the arm and point it arose in.
                where = f"arm {arm.name}" + (f", ensemble point {i}" if check.ensemble else "")
                path, value, expected, file = _in_check(check, arm, err, point, draws[arm.name][i])
                raise ConfigError(
                    path,
                    value,
                    f"{expected} [{where}, scenario {Path(check.scenario or '').name}]",
                    file=file,
                    hint=err.hint,
                ) from None
            parties = [p for p in (sc.parties if parties is None else parties) if p in sc.parties]
            horizons[arm.name] = min(horizons.get(arm.name, sc.horizon), sc.horizon)
    return parties or [], horizons


def related(key: str, path: str) -> str | None:
    """How an override written at `key` bears on a refused `path`: "same", "below" (the key
    is inside the path: a party or issue the scenario lacks stops the path at its name),
    "above" (the key writes a whole section the path is in), or None."""
    if key == path:
        return "same"
    if key.startswith((f"{path}.", f"{path}[")):
        return "below"
    if path.startswith((f"{key}.", f"{key}[")):
        return "above"
    return None


def _in_check(
    check: Check,
    arm: Arm,
    err: ConfigError,
    point: Mapping[str, Any] | None = None,
    drawn: Mapping[str, Any] | None = None,
) -> tuple[str, Any, str, str]:
    """Where in the check file an override the scenario refused was written: the arm's
    `set`, then its draws, the check's `set`, then the ensemble's draws, in the order that
    wins (an unknown party or issue stops the path at its name, so the override is found by
    that prefix). A drawn value is reported as the distribution written, with the draw; a
    shared ensemble's, in its own file. Returns (path, value, expected, file); other errors
    keep the scenario's path."""
    ens = check.ensemble
    shared = ens is not None and ens.source != check.file
    layers: list[tuple[str, Mapping[str, Any], Mapping[str, Any] | None, str]] = [
        (f"arms.{arm.name}.set.", arm.overrides, None, check.file),
        (f"arms.{arm.name}.draw.", arm.draw, drawn, check.file),
        ("set.", check.base_overrides, None, check.file),
    ]
    if ens is not None:
        where = "parameters." if shared else "ensemble.parameters."
        layers.append((where, ens.written, point, ens.source))
    for prefix, written, values, file in layers:
        for key, value in written.items():
            how = related(key, err.path)
            if how is None:
                continue
            expected = {
                "same": err.expected,
                "below": f"a path the scenario has ({err.path}: {err.expected})",
                "above": f"{err.expected} (at {err.path})",
            }[how]
            if values is not None and key in values:
                expected += f"; drawn {values[key]!r}"
            return prefix + key, value, expected, file
    return err.path, err.value, err.expected, check.file


def _run_block(
    datas: Sequence[dict[str, Any]], file: str, runs: int, seed: int, firsts: Sequence[int]
) -> list[pd.DataFrame]:
    """Runs of several ensemble points (of one arm), stepped as one batch."""
    from sim.simulate import simulate_points

    scenarios = [scenario_from_dict(d, file=file) for d in datas]
    tables = simulate_points(scenarios, runs, seed, first_runs=firsts)
    return [
        run_frame(t, sc.horizon).assign(horizon=sc.horizon)
        for t, sc in zip(tables, scenarios, strict=True)
    ]


def _ignore_ctrl_c() -> None:
    # Ctrl-C reaches the whole process group: the main process stops the pool and reports
    # it in one line, where each worker would print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def run_check_arms(
    check: Check,
    runs: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict[str, ArmResult]:
    """Run every arm of a simulation check.

    Args:
        progress: Called as each block of an arm's points finishes, with the number of runs
            it held (the calls sum to the runs of all arms); it changes nothing computed.
    """
    points = _points(check)
    total = runs if runs is not None else check.runs
    per_point = max(1, math.ceil(total / len(points)))
    # An arm's points differ only in their numbers, so they run as one batch (split in one
    # block per worker); the split changes nothing in the numbers.
    blocks = np.array_split(np.arange(len(points)), max(1, min(workers, len(points))))
    tasks = []
    for arm in check.arms:
        drawn = _arm_draws(check, arm)
        for block in blocks:
            datas = [_scenario_data(check, arm, points[i], drawn[i]) for i in block]
            # Run indices differ between points and agree between arms: common random numbers.
            firsts = [int(i) * per_point for i in block]
            tasks.append(
                (
                    arm.name,
                    block,
                    datas,
                    check.scenario or check.file,
                    per_point,
                    check.seed,
                    firsts,
                )
            )
    frames: dict[tuple[str, int], pd.DataFrame] = {}

    def keep(arm: str, block: np.ndarray, tables: list[pd.DataFrame]) -> None:
        for i, table in zip(block, tables, strict=True):
            frames[(arm, int(i))] = table
        if progress is not None:
            progress(per_point * len(block))

    if workers > 1 and len(tasks) > 1:
        with cf.ProcessPoolExecutor(max_workers=workers, initializer=_ignore_ctrl_c) as pool:
            try:
                # The workers start on the first submit. A Ctrl-C that reached one before
                # its initializer ran would kill it and break the pool, so they are forked
                # with SIGINT blocked (their initializer then ignores it). Here it is only
                # held back: a Ctrl-C in the meantime is delivered when it is unblocked.
                main = threading.current_thread() is threading.main_thread()
                if main:
                    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
                try:
                    futures = {pool.submit(_run_block, *t[2:]): t[:2] for t in tasks}
                finally:
                    if main:
                        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
                for fut in cf.as_completed(futures):
                    keep(*futures[fut], fut.result())
            except KeyboardInterrupt:
                # The workers ignore Ctrl-C and would finish their blocks first.
                processes = list((pool._processes or {}).values())
                pool.shutdown(wait=False, cancel_futures=True)
                for process in processes:
                    process.terminate()
                raise
    else:
        for t in tasks:
            keep(t[0], t[1], _run_block(*t[2:]))
    out = {}
    for arm in check.arms:
        parts = []
        for i in range(len(points)):
            f = frames[(arm.name, i)]
            # Cluster: the scenario drawn in an ensemble, the run for a single scenario.
            f = f.assign(cluster=i if check.ensemble is not None else np.arange(len(f)))
            parts.append(f)
        frame = pd.concat(parts, ignore_index=True)
        out[arm.name] = ArmResult(frame, int(frame["horizon"].max()), len(frame))
    return out


# -- evaluating ------------------------------------------------------------------------------
@dataclass
class Estimate:
    value: float
    low: float
    high: float


@dataclass
class Outcome:
    check: Check
    condition: Condition
    estimate: Estimate
    passed: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.name,
            "group": self.check.group,
            "title": self.check.title,
            "claim": self.check.claim,
            "source": self.check.source,
            "expected": self.condition.describe(),
            "value": _json_value(self.estimate.value),
            "ci": [_json_value(self.estimate.low), _json_value(self.estimate.high)],
            "passed": self.passed,
            "known_failure": self.check.known_failure,
            "note": self.note,
        }


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _json_value(x: float) -> float | str | None:
    """A statistic for JSON: null when undefined (nan), the text "inf" or "-inf" when
    infinite (a median never reached), since JSON has neither."""
    if x is None or math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return float(x)


class _Sampler:
    """Stat replicates for every arm under one shared set of bootstrap weights per check."""

    def __init__(
        self, arms: Mapping[str, ArmResult], seed: int, replicates: int = BOOTSTRAP
    ) -> None:
        self.arms = arms
        clusters = {int(a.frame["cluster"].max()) + 1 for a in arms.values()}
        k = max(clusters)
        rng = np.random.default_rng([_BOOT_STREAM, seed])
        draws = rng.integers(0, k, size=(replicates, k))
        boot = np.zeros((replicates, k))
        np.add.at(boot, (np.repeat(np.arange(replicates), k), draws.ravel()), 1.0)
        self.weights = np.vstack([np.ones(k), boot])  # row 0: the sample itself
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def values(self, arm: str, stat: Stat) -> np.ndarray:
        key = (arm, stat.name)
        if key in self._cache:
            return self._cache[key]
        res = self.arms[arm]
        f, h = res.frame, res.horizon
        cluster = f["cluster"].to_numpy()
        k = self.weights.shape[1]
        if stat.family == "ratio":
            num, den = _num_den(stat, f, h)
            cnum = np.bincount(cluster, num, minlength=k)
            cden = np.bincount(cluster, den, minlength=k)
            out = _weighted_ratio(cnum, cden, self.weights)
        else:
            time = stat.what.split(".", 1)[0]
            t = f[time].to_numpy()
            hist = np.zeros((k, h + 1))
            np.add.at(hist, (cluster, t - 1), 1.0)
            whist = self.weights @ hist
            out = np.array([_duration_value(stat, row, h) for row in whist])
        self._cache[key] = out
        return out


def _interval(rep: np.ndarray) -> Estimate:
    boot = rep[1:]
    boot = boot[~np.isnan(boot)]
    if boot.size == 0:
        return Estimate(float(rep[0]), math.nan, math.nan)
    with np.errstate(invalid="ignore"):  # a median not reached is inf: inf - inf in between
        low, high = np.percentile(boot, [2.5, 97.5])
    return Estimate(float(rep[0]), float(low), float(high))


def evaluate(check: Check, arms: Mapping[str, ArmResult]) -> list[Outcome]:
    sampler = _Sampler(arms, check.seed)
    out = []
    for cond in check.conditions:
        stat = parse_stat(cond.stat)
        reps = [sampler.values(a, stat) for a in cond.arms]
        if cond.target == "order":
            gaps = [_interval(reps[i] - reps[i + 1]) for i in range(len(reps) - 1)]
            values = [_interval(r) for r in reps]
            passed = all(g.low > 0 for g in gaps)
            shown = ", ".join(
                f"{a} {_num(v.value)}" for a, v in zip(cond.arms, values, strict=True)
            )
            gap_text = "; gaps " + ", ".join(
                f"{_num(g.value)} [{_num(g.low)}, {_num(g.high)}]" for g in gaps
            )
            smallest = min(gaps, key=lambda g: g.low)
            out.append(Outcome(check, cond, smallest, passed, note=shown + gap_text))
            continue
        if cond.target == "arm":
            rep = reps[0]
        elif cond.target == "ratio":
            with np.errstate(invalid="ignore", divide="ignore"):
                rep = reps[0] / reps[1]
        else:
            rep = reps[0] - reps[1]
        est = _interval(rep)
        out.append(Outcome(check, cond, est, _passes(cond, est)))
    return out


def _passes(cond: Condition, est: Estimate) -> bool:
    if cond.between is not None:
        return bool(math.isfinite(est.value) and cond.between[0] <= est.value <= cond.between[1])
    if cond.above is not None:
        return bool(math.isfinite(est.low) and est.low > cond.above)
    if cond.below is not None:
        return bool(math.isfinite(est.high) and est.high < cond.below)
    assert cond.at_most is not None
    return bool(math.isfinite(est.value) and est.value <= cond.at_most)


def run_check(
    check: Check,
    runs: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Run one check and evaluate its expectations (`progress`: as for `run_check_arms`; an
    analytic check does not call it)."""
    if check.kind == "simulation":
        return evaluate(check, run_check_arms(check, runs=runs, workers=workers, progress=progress))
    from sim import benchmarks_analytic as analytic

    values = analytic.run(check, runs=runs)
    out = []
    for i, cond in enumerate(check.conditions):
        if cond.stat not in values:
            raise ConfigError(
                f"expect[{i}].stat",
                cond.stat,
                f"a statistic of a {check.kind} check, one of {sorted(values)}",
                file=check.file,
            )
        v = float(values[cond.stat])
        est = Estimate(v, v, v)
        out.append(Outcome(check, cond, est, _passes(cond, est)))
    return out


def exit_code(outcomes: Sequence[Outcome], allow_known: bool = False) -> int:
    """0 when every expectation is met; with `allow_known`, also when every miss belongs to
    a check declared as a known failure (a regression guard for the rest)."""
    missed = [o for o in outcomes if not o.passed]
    if allow_known:
        missed = [o for o in missed if not o.check.known_failure]
    return 1 if missed else 0


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def format_table(outcomes: Sequence[Outcome]) -> str:
    """The report: one line per expectation, grouped by check, with the source once."""
    lines = []
    current = None
    for o in outcomes:
        if o.check.name != current:
            current = o.check.name
            lines.append("")
            lines.append(f"[{o.check.group}] {o.check.name}: {o.check.title}")
            lines.append(f"    source: {o.check.source}")
            if o.check.known_failure:
                lines.append(f"    known failure: {o.check.known_failure}")
        e = o.estimate
        model = _num(e.value)
        if not (e.low == e.value == e.high):
            model += f" (95% CI {_num(e.low)}-{_num(e.high)})"
        mark = "PASS" if o.passed else "FAIL"
        lines.append(f"  {mark}  expected {o.condition.describe()}; model {model}")
        if o.note:
            lines.append(f"        {o.note}")
    passed = sum(o.passed for o in outcomes)
    checks = {o.check.name for o in outcomes}
    failed_checks = {o.check.name for o in outcomes if not o.passed}
    lines.append("")
    good = len(checks) - len(failed_checks)
    known = {o.check.name for o in outcomes if o.check.known_failure}
    failing = ""
    if failed_checks:
        failing = (
            " (failing: "
            + ", ".join(f"{n} [known]" if n in known else n for n in sorted(failed_checks))
            + ")"
        )
    lines.append(
        f"{passed}/{len(outcomes)} expectations met; {good}/{len(checks)} checks pass{failing}"
    )
    return "\n".join(lines[1:])


# -- robustness: a check over its scenario's assumption ranges ------------------------------
# Provenance entries that set the frame of time rather than describe the case: never drawn.
_FRAME = frozenset({"start", "round_days", "horizon"})


@dataclass
class Spread:
    """How one expectation fares across the points drawn over the assumption ranges."""

    condition: Condition
    values: np.ndarray  # the point estimate at each point
    passed: np.ndarray  # (points,) bool

    def to_dict(self) -> dict[str, Any]:
        # A median never reached is infinite: it counts as the largest value (and shows as
        # missing); NaN (no event to time) as the smallest.
        values = np.where(np.isnan(self.values), -np.inf, self.values)
        q = np.percentile(values, [0, 25, 50, 75, 100], method="lower")
        return {
            "expected": self.condition.describe(),
            "share_met": float(self.passed.mean()),
            "not_reached": int(np.isposinf(self.values).sum()),
            "min": _finite(q[0]),
            "q25": _finite(q[1]),
            "median": _finite(q[2]),
            "q75": _finite(q[3]),
            "max": _finite(q[4]),
        }


@dataclass
class Robustness:
    check: Check
    parameters: tuple[str, ...]
    points: int
    runs_per_point: int
    spreads: list[Spread]

    @property
    def all_met(self) -> np.ndarray:
        """(points,) bool: every expectation met at the point."""
        return np.all([s.passed for s in self.spreads], axis=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.name,
            "group": self.check.group,
            "points": self.points,
            "runs_per_point": self.runs_per_point,
            "parameters": list(self.parameters),
            "share_all_met": float(self.all_met.mean()),
            "expectations": [s.to_dict() for s in self.spreads],
        }


def assumption_ensemble(check: Check, points: int) -> Ensemble | None:
    """A Latin hypercube over every scalar value the check's scenario declares as an
    assumption (its `provenance:` ranges), except those the check itself sets and the frame
    of time; None when the check has no single scenario or it declares no range."""
    if check.kind != "simulation" or check.ensemble is not None or check.scenario is None:
        return None
    from sim.designs import _parameter

    raw = read_yaml(check.scenario)
    scenario = scenario_from_dict(raw, file=check.scenario)
    # What the check or an arm sets, at the path or above it, or removes (`without`), is
    # the check's, not the scenario's: a draw there would not reach the runs.
    fixed = set(check.base_overrides)
    for arm in check.arms:
        fixed |= set(arm.overrides) | set(arm.without)

    def set_by_check(path: str) -> bool:
        parts = path.split(".")
        return any(".".join(parts[:i]) in fixed for i in range(1, len(parts) + 1))

    parameters = []
    for path, source in sorted(scenario.provenance.items()):
        if source.assumption is None or path in _FRAME or set_by_check(path):
            continue
        value = _lookup(raw, path)
        if not isinstance(value, int | float) or isinstance(value, bool):
            # A mapping (saliences: a range per weight is not a point), a default, or a
            # value inside a mediator's schedule (a list): not drawn.
            continue
        low, high = source.assumption
        if not low < high:
            continue  # a value fixed by convention (a reference unit), declared as such
        parameters.append(_parameter(path, {"range": [low, high]}, "latin_hypercube"))
    if not parameters:
        return None
    return Ensemble(
        points=points,
        design="latin_hypercube",
        seed=check.seed,
        parameters=tuple(parameters),
        source=f"assumption ranges of {check.scenario}",
    )


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def run_over_assumptions(
    check: Check,
    points: int,
    runs: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Robustness | None:
    """Run `check` at `points` points drawn over its scenario's assumption ranges and
    evaluate every expectation at each point on its own: where in the plausible values the
    check holds. None when the check cannot be drawn this way (`assumption_ensemble`)."""
    ensemble = assumption_ensemble(check, points)
    if ensemble is None:
        return None
    drawn = dataclasses.replace(check, ensemble=ensemble)
    _dry_build(drawn)  # a drawn value the check's own settings make invalid: one line, first
    total = runs if runs is not None else check.runs
    arms = run_check_arms(drawn, runs=total, workers=workers, progress=progress)
    per_point = math.ceil(total / points)
    values = np.full((len(check.conditions), points), math.nan)
    passed = np.zeros((len(check.conditions), points), dtype=bool)
    for i in range(points):
        at_point = {}
        for name, res in arms.items():
            f = res.frame[res.frame["cluster"] == i]
            # One scenario: the bootstrap resamples runs, as for the check itself.
            f = f.assign(cluster=np.arange(len(f)))
            at_point[name] = ArmResult(f.reset_index(drop=True), res.horizon, len(f))
        for j, outcome in enumerate(evaluate(check, at_point)):
            values[j, i] = outcome.estimate.value
            passed[j, i] = outcome.passed
    spreads = [Spread(cond, values[j], passed[j]) for j, cond in enumerate(check.conditions)]
    return Robustness(
        check=check,
        parameters=tuple(p.path for p in ensemble.parameters),
        points=points,
        runs_per_point=per_point,
        spreads=spreads,
    )


def format_robustness(results: Sequence[Robustness]) -> str:
    lines = []
    for r in results:
        lines.append(
            f"[{r.check.group}] {r.check.name}: over its assumption ranges, {r.points} points"
            f" x {r.runs_per_point} runs ({len(r.parameters)} values drawn, Latin hypercube)"
        )
        lines.append("    drawn: " + ", ".join(r.parameters))
        for s in r.spreads:
            d = s.to_dict()
            lines.append(
                f"  met at {d['share_met']:6.1%} of points  {d['expected']}; values"
                f" {_num(d['min'])} | {_num(d['q25'])} | {_num(d['median'])} |"
                f" {_num(d['q75'])} | {_num(d['max'])} (min | quartiles | max)"
                + (f"; not reached at {d['not_reached']} points" if d["not_reached"] else "")
            )
        lines.append(f"  every expectation met at {r.all_met.mean():.1%} of points")
        lines.append("")
    return "\n".join(lines).rstrip()
