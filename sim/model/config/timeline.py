"""A scenario's timeline: numbers that change at known dates (docs/model.md §3.13).

Each change names dotted paths as `--set` writes them, and holds from the first round that
begins in its month. A change may reach any number that feeds the rules round by round (a
capacity, aid, a cost, a payoff, a hazard, a position); not one that says where the runs
start (their state then moves by the rules), nor one that shapes the model (parties, issues,
the mediator's strategy: a schedule changes strategies over time).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from sim import schema
from sim.errors import ConfigError
from sim.model.calendar import first_round_in
from sim.model.config.checks import cross_check, is_month
from sim.model.config.overrides import apply_overrides, parse_overrides
from sim.model.config.scenario import Scenario

_WHY = {
    "start": "a value that may change during a run (this one is where the runs start; "
    "their state then moves by the rules)",
    "structure": "a value that may change during a run (this one shapes the model)",
}
_NUMBERS = "a path to a number or a yes/no, or a mapping of numbers, that may change during a run"


def _is_number(tp: Any) -> bool:
    return tp in (float, int, bool)


def check_path(dotted: str) -> str | None:
    """What a timeline change of `dotted` would need to be, or None where it may change."""
    steps = dotted.split(".")
    tp: Any = Scenario
    i = 0
    while i < len(steps):
        if not dataclasses.is_dataclass(tp):
            return _NUMBERS
        fields = {f.name: f for f in dataclasses.fields(tp)}
        field = fields.get(steps[i])
        if field is None:
            return None  # an unknown key: the schema names it, with a suggestion
        if field.metadata.get("fixed"):
            return _WHY[field.metadata["fixed"]]
        tp = schema.strip_optional(typing.get_type_hints(tp)[steps[i]])
        i += 1
        if get_origin(tp) in (Mapping, dict, typing.Mapping):
            value = get_args(tp)[1]
            if dataclasses.is_dataclass(value):
                if i == len(steps):
                    return _NUMBERS  # a whole party, issue or stakeholder
                tp, i = value, i + 1  # past the name
                continue
            return None if _is_number(value) and len(steps) - i <= 1 else _NUMBERS
    return None if _is_number(tp) else _NUMBERS


def check_timeline(sc: Scenario) -> None:
    """Every change dated after the start, and each of its paths a number that may change
    to a value the scenario admits."""
    base = _base_data(sc)
    for i, change in enumerate(sc.timeline):
        where = f"timeline[{i}]"
        if not is_month(change.at):
            raise ConfigError(f"{where}.at", change.at, "a month as YYYY-MM")
        if change.at <= sc.start:
            raise ConfigError(f"{where}.at", change.at, f"a month after start ({sc.start})")
        if not change.set:
            raise ConfigError(f"{where}.set", {}, "at least one path and its value")
        for key, value in change.set.items():
            need = check_path(str(key))
            if need is not None:
                raise ConfigError(f"{where}.set.{key}", value, need)
        try:
            _build(apply_overrides(base, parse_overrides(dict(change.set))))
        except ConfigError as err:
            raise ConfigError(
                f"{where}.set.{err.path}", err.value, err.expected, hint=err.hint
            ) from None


def epochs(sc: Scenario) -> list[tuple[int, Scenario]]:
    """The scenario in force from each round at which the timeline changes something, in
    order of rounds, each with every change up to then applied (a later one wins); changes
    after the horizon are left out."""
    if not sc.timeline:
        return []
    by_round: dict[int, list[Mapping[str, Any]]] = {}
    for change in sc.timeline:
        when = first_round_in(sc.start, change.at, sc.round_days)
        by_round.setdefault(when, []).append(parse_overrides(dict(change.set)))
    base, layers, out = _base_data(sc), [], []
    for when in sorted(by_round):
        if when > sc.horizon:
            break
        layers.extend(by_round[when])
        out.append((when, _build(apply_overrides(base, *layers))))
    return out


def _base_data(sc: Scenario) -> dict[str, Any]:
    data = sc.to_dict()
    data.pop("timeline", None)
    data.pop("provenance", None)
    return data


def _build(data: Any) -> Scenario:
    sc = schema.build(Scenario, data)
    cross_check(sc)
    return sc
