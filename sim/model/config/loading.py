"""A scenario from a file or from plain data: read, overridden, built and checked."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim import schema, shipped
from sim.errors import ConfigError
from sim.model.config.checks import check_provenance, cross_check
from sim.model.config.overrides import apply_overrides, parse_overrides
from sim.model.config.safe_yaml import read_yaml
from sim.model.config.scenario import Scenario
from sim.model.config.timeline import check_timeline


def scenario_from_dict(data: Any, *, file: str | None = None, written: Any = None) -> Scenario:
    """Validate plain data into a Scenario; errors carry the file name.

    `written` is the scenario file's own data when `data` is that file with overrides
    applied (or the file itself): its `provenance:` section is then checked too. Built
    points of a sweep or a check leave it out, since an override may remove a section
    the file documents.
    """
    try:
        if isinstance(data, Mapping) and "source_file" in data:
            raise ConfigError("source_file", data["source_file"], "no such key in a scenario")
        med = data.get("mediator") if isinstance(data, Mapping) else None
        if isinstance(med, Mapping) and med.get("schedule") and "strategy" in med:
            # Checked on the data: a strategy written as "none" equals the default, and the
            # built scenario could not tell it from one left out.
            raise ConfigError(
                "mediator.strategy",
                med["strategy"],
                "to be left out when mediator.schedule is given (each phase names its strategy)",
            )
        sc = schema.build(Scenario, data)
        cross_check(sc)
        check_timeline(sc)
        if written is not None:
            check_provenance(sc, written)
    except ConfigError as err:
        raise err.in_file(file or "<scenario>") from None
    return dataclasses.replace(sc, source_file=file)


def read_scenario(path: str | Path) -> tuple[Any, Scenario]:
    """A scenario file as written (plain data, for overrides to apply to) and as built,
    its provenance section checked: the base of a sweep, a sensitivity analysis or a
    check is valid on its own, and a fault in it is the file's."""
    path = _scenario_file(path)
    raw = read_yaml(path)
    return raw, scenario_from_dict(raw, file=str(path), written=raw)


def _scenario_file(path: str | Path) -> Path:
    """The scenario file a path or a shipped scenario's name (`ukraine_2025`) stands for."""
    found = shipped.locate("scenario", path)
    if not shipped.is_file(found):
        raise shipped.not_found("scenario", path, "an existing scenario file")
    return found


def load_scenario(
    path: str | Path, overrides: Mapping[str, Any] | list[str] | None = None
) -> Scenario:
    """Load and validate a scenario file, applying `--set`-style overrides first.

    Args:
        path: The YAML scenario, or the name of a shipped one (`ukraine_2025`).
        overrides: Either {"parties.russia.trust": 0.3} or ["parties.russia.trust=0.3"].
    """
    path = _scenario_file(path)
    file = str(path)
    data = raw = read_yaml(path)
    if overrides:
        try:
            data = apply_overrides(raw, parse_overrides(overrides))  # a copy: raw stays
        except ConfigError as err:
            raise err.in_file(file) from None
    return scenario_from_dict(data, file=file, written=raw)
