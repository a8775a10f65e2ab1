"""Scenario configuration: YAML in, typed and frozen inside, validated at the door.

Every numeric field states its meaning and admissible range; the defaults are the model's
one set of defaults (docs/model.md explains each). Scenario files override only what the
record says about their case, and say where each number comes from in their `provenance`
section.

    scenario.py    the types (Scenario, Party, Mediator ...) and their defaults
    safe_yaml.py   reading YAML safely, within limits
    overrides.py   `--set PATH=VALUE` and dotted paths
    checks.py      the checks across sections, and the provenance section's
    timeline.py    dated changes of a scenario's numbers
    loading.py     load_scenario, read_scenario, scenario_from_dict
"""

from sim.model.config.checks import check_provenance, flat_paths
from sim.model.config.loading import load_scenario, read_scenario, scenario_from_dict
from sim.model.config.overrides import apply_overrides, parse_overrides
from sim.model.config.safe_yaml import MAX_DEPTH, MAX_VALUES, read_yaml, safe_load
from sim.model.config.scenario import (
    MAX_INDIVISIBLE,
    ROLES,
    Agreement,
    Battlefield,
    CoMediator,
    Domestic,
    Issue,
    Mediator,
    Party,
    Phase,
    Scenario,
    Source,
    Stakeholder,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_INDIVISIBLE",
    "MAX_VALUES",
    "ROLES",
    "Agreement",
    "Battlefield",
    "CoMediator",
    "Domestic",
    "Issue",
    "Mediator",
    "Party",
    "Phase",
    "Scenario",
    "Source",
    "Stakeholder",
    "apply_overrides",
    "check_provenance",
    "flat_paths",
    "load_scenario",
    "parse_overrides",
    "read_scenario",
    "read_yaml",
    "safe_load",
    "scenario_from_dict",
]
