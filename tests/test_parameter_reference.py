"""The parameter reference of docs/model.md (§7) agrees with the declarations in
sim/model/config/.

The tables are written by hand, because their meanings say more than the one-line `doc` of
each `param` (notation, the section a parameter acts in). What the declarations fix, the
tables must repeat exactly: which parameters a section has, their admissible range and their
default. A parameter added, removed, re-ranged or re-defaulted in the code without its table
row fails here.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sim.model import config

MODEL_DOC = Path(__file__).resolve().parent.parent / "docs" / "model.md"

# Table heading -> (declaring class, fields that are sections or identity rather than rows).
SECTIONS: dict[str, tuple[type, frozenset[str]]] = {
    "Scenario": (
        config.Scenario,
        frozenset(
            {
                "name",
                "description",
                "issues",
                "parties",
                "battlefield",
                "mediator",
                "stakeholders",
                "agreement",
                "provenance",
                "source_file",
            }
        ),
    ),
    "Issue": (config.Issue, frozenset()),
    "Party": (config.Party, frozenset({"domestic"})),
    "Domestic": (config.Domestic, frozenset()),
    "Battlefield": (config.Battlefield, frozenset()),
    "Mediator": (config.Mediator, frozenset()),
    "Stakeholder": (config.Stakeholder, frozenset()),
    "Agreement": (config.Agreement, frozenset()),
}
# Ranges the declarations cannot state: what the loader checks by other means.
WORDED_RANGES = {("Stakeholder", "supports"): "a party name"}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _parameter_tables() -> dict[str, dict[str, tuple[str, str, str]]]:
    """Heading word -> {name: (meaning, range, default)} for every table of §7."""
    text = MODEL_DOC.read_text(encoding="utf-8")
    start = text.index("\n## 7. Parameter reference")
    end = text.index("\n## ", start + 1)
    tables: dict[str, dict[str, tuple[str, str, str]]] = {}
    heading = ""
    for line in text[start:end].splitlines():
        if line.startswith("### "):
            heading = line[4:].split()[0]
            tables[heading] = {}
        elif line.startswith("| `") and heading:
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            name, meaning, admissible, default = cells
            tables[heading][name.strip("`")] = (meaning, admissible, default)
    return tables


def _number(x: float) -> str:
    """A bound as the tables write it: 1 not 1.0, a minus sign, powers of ten as 10⁻⁶."""
    if x < 0:
        return "−" + _number(-x)
    if float(x).is_integer():
        return str(int(x))
    exponent = math.log10(x)
    if exponent.is_integer() and exponent < -3:
        return "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return repr(float(x))


def _range(section: str, field: dataclasses.Field[Any]) -> str:
    if (section, field.name) in WORDED_RANGES:
        return WORDED_RANGES[(section, field.name)]
    hint = typing.get_type_hints(SECTIONS[section][0])[field.name]
    if hint is bool:
        return "true/false"
    if typing.get_origin(hint) is typing.Literal:
        return ", ".join(typing.get_args(hint))
    bounds = field.metadata.get("bounds")
    if bounds is None:
        return "—"
    low, high = bounds
    text = "(" if field.metadata.get("open_low") else "["
    text += _number(low) + ", " + ("∞)" if high is None else _number(high) + "]")
    return text + (" each" if typing.get_origin(hint) is Mapping else "")


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    elif field.default is not dataclasses.MISSING:
        value = field.default
    else:
        return "required"
    if value is None or value == ():
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, dict):
        return "`{}`"
    return repr(value)


def _rows(section: str) -> list[dataclasses.Field[Any]]:
    cls, skipped = SECTIONS[section]
    return [f for f in dataclasses.fields(cls) if f.name not in skipped]


def test_every_section_has_its_table() -> None:
    tables = _parameter_tables()
    assert set(SECTIONS) <= set(tables)


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_the_table_lists_the_declared_parameters_in_order(section: str) -> None:
    table = _parameter_tables()[section]
    assert list(table) == [f.name for f in _rows(section)]


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_ranges_and_defaults_are_the_declared_ones(section: str) -> None:
    table = _parameter_tables()[section]
    for field in _rows(section):
        meaning, admissible, default = table[field.name]
        assert meaning, field.name
        assert admissible == _range(section, field), field.name
        # A mapping's default may say what an absent key means: `{}` (0), `{}` (none).
        assert default.split(" (")[0] == _default(field), field.name
