"""Overrides: `--set PATH=VALUE` strings read, and dotted paths set in raw scenario data."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from sim import schema
from sim.errors import ConfigError
from sim.model.config.safe_yaml import safe_load, yaml_problem


def parse_overrides(overrides: Mapping[str, Any] | list[str]) -> dict[str, Any]:
    """`--set` strings (`PATH=VALUE`, the value read as YAML) as a mapping of path to value;
    a mapping is taken as it is."""
    if isinstance(overrides, Mapping):
        return dict(overrides)
    out: dict[str, Any] = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError("--set", item, "PATH=VALUE, e.g. parties.russia.trust=0.3")
        key, _, raw = item.partition("=")
        key = key.strip()
        try:
            out[key] = safe_load(raw) if raw.strip() else raw
        except ConfigError as err:  # a key twice in the value's own mapping
            path = f"{key}.{err.path}" if err.path else key
            raise ConfigError(path, err.value, err.expected, file="--set") from None
        except yaml.YAMLError as exc:
            raise ConfigError(
                key, raw, f"a well-formed YAML value ({yaml_problem(exc)})", file="--set"
            ) from None
    return out


_NAMED_MAPPINGS = {"parties": "party", "issues": "issue", "stakeholders": "stakeholder"}


_PATH_PART = re.compile(r"([^\[\]]+)((?:\[\d+\])*)")


def _path_steps(dotted: str, value: Any) -> list[str | int]:
    """`mediator.schedule[0].rounds` as ["mediator", "schedule", 0, "rounds"]."""
    steps: list[str | int] = []
    for part in dotted.split("."):
        m = _PATH_PART.fullmatch(part)
        if m is None:
            raise ConfigError(
                dotted,
                value,
                "a dotted path such as parties.russia.trust (a list item as schedule[0])",
            )
        steps.append(m.group(1))
        steps.extend(int(k) for k in re.findall(r"\d+", m.group(2)))
    return steps


def _path_text(steps: Sequence[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _index_range(n: int) -> str:
    return "the list is empty" if n == 0 else f"0 to {n - 1}"


def apply_overrides(data: Any, *layers: Mapping[str, Any]) -> Any:
    """Set dotted paths in a copy of raw scenario data, one layer of overrides after the other
    (a later layer wins); a misspelled party or issue gets a suggestion.

    Field names are checked later by the schema builder (with its own suggestions); here we
    only refuse to invent a new party, issue or stakeholder through a typo. The data is copied
    once for all layers (an ensemble builds thousands of scenarios, and copying dominated),
    and each value is copied as it is set, so a later path inside it never alters the
    caller's mapping. An item of a list is reached by its index, `mediator.schedule[0].rounds`;
    a list is never extended.
    """
    data = copy.deepcopy(data) if data is not None else {}
    if not isinstance(data, dict):
        return data
    for dotted, value in (item for layer in layers for item in layer.items()):
        steps = _path_steps(dotted, value)
        node: Any = data
        for depth, step in enumerate(steps):
            where = _path_text(steps[: depth + 1])
            last = depth == len(steps) - 1
            if isinstance(step, int):
                if not isinstance(node, list):
                    raise ConfigError(where, value, "an index only where the value is a list")
                if step >= len(node):
                    raise ConfigError(
                        where, value, f"an index of the list ({_index_range(len(node))})"
                    )
            else:
                if not isinstance(node, dict):
                    raise ConfigError(where, value, "a path inside a mapping")
                if step not in node and not last:
                    parent = _path_text(steps[:depth])
                    if parent in _NAMED_MAPPINGS:
                        options = list(node)
                        raise ConfigError(
                            where,
                            value,
                            f"an existing {_NAMED_MAPPINGS[parent]} name, one of {options}",
                            hint=schema.suggest(step, options),
                        )
                    if isinstance(steps[depth + 1], int):
                        raise ConfigError(where, value, "an existing list to index into")
                    node[step] = {}
            if last:
                node[step] = copy.deepcopy(value) if isinstance(value, dict | list) else value
            else:
                node = node[step]
    return data
