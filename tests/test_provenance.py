"""Every number in the Ukraine scenario says where it comes from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.model.config import load_scenario
from tests.conftest import ROOT, UKRAINE

SEEDS = ROOT / "seeds"


def _raw(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _numeric_leaves(node: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numeric_leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numeric_leaves(value, f"{prefix}[{i}]")
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield prefix, node


def _covering_key(path: str, keys: set[str]) -> str | None:
    # The path itself, or the nearest section or list above it.
    while path:
        if path in keys:
            return path
        path = path[: path.rindex("[")] if path.endswith("]") else path.rpartition(".")[0]
    return None


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        name, _, index = part.partition("[")
        if not isinstance(node, dict) or name not in node:
            raise KeyError(dotted)
        node = node[name]
        if index:
            i = int(index.rstrip("]"))
            if not isinstance(node, list) or i >= len(node):
                raise KeyError(dotted)
            node = node[i]
    return node


SCENARIOS = [UKRAINE, UKRAINE.with_name("ukraine_2025_us_schedule.yaml")]


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def scenario_data(request) -> dict[str, Any]:
    return _raw(request.param)


@pytest.fixture(scope="module")
def provenance(scenario_data) -> dict[str, Any]:
    prov = scenario_data.get("provenance")
    assert isinstance(prov, dict) and prov
    return prov


@pytest.fixture(scope="module")
def fact_ids() -> set[str]:
    ids: list[str] = []
    files = sorted(SEEDS.glob("*.yaml"))
    assert files, "no seed files"
    for file in files:
        data = _raw(file)
        for fact in data.get("facts") or []:
            ids.append(fact["id"])
    assert len(ids) == len(set(ids)), "duplicate fact ids across seeds/"
    return set(ids)


def test_walker_finds_the_numbers(scenario_data):
    leaves = dict(_numeric_leaves({k: v for k, v in scenario_data.items() if k != "provenance"}))
    assert leaves["parties.russia.trust"] == 0.1
    assert leaves["parties.russia.ideal.territory"] == 0.35
    assert leaves["mediator.leverage.ukraine"] == 0.7
    assert "issues.recognition.deferrable" not in leaves  # booleans are not numbers
    assert len(leaves) > 60


def test_every_number_has_provenance(scenario_data, provenance):
    body = {k: v for k, v in scenario_data.items() if k != "provenance"}
    keys = set(provenance)
    missing = [path for path, _ in _numeric_leaves(body) if _covering_key(path, keys) is None]
    assert not missing, f"numbers without a provenance entry: {missing}"


def test_provenance_keys_point_at_scenario_values(scenario_data, provenance):
    body = {k: v for k, v in scenario_data.items() if k != "provenance"}
    dangling = []
    for key in provenance:
        try:
            _lookup(body, key)
        except KeyError:
            dangling.append(key)
    assert not dangling, f"provenance entries for values not in the scenario: {dangling}"


def test_every_entry_has_a_source(provenance):
    empty = [k for k, v in provenance.items() if not (v.get("facts") or v.get("assumption"))]
    # An entry may rest on a note alone only if it says how the number was derived.
    unexplained = [k for k in empty if not provenance[k].get("note")]
    assert not unexplained, unexplained


def test_every_fact_id_exists(provenance, fact_ids):
    unknown = sorted(
        {
            (key, fact)
            for key, entry in provenance.items()
            for fact in entry.get("facts") or []
            if fact not in fact_ids
        }
    )
    assert not unknown, f"fact ids not found in seeds/*.yaml: {unknown}"


def test_assumption_ranges_contain_their_values(scenario_data, provenance):
    body = {k: v for k, v in scenario_data.items() if k != "provenance"}
    bad = []
    for key, entry in provenance.items():
        rng = entry.get("assumption")
        if rng is None:
            continue
        assert isinstance(rng, list) and len(rng) == 2, key
        lo, hi = rng
        assert lo <= hi, key
        value = _lookup(body, key)
        if isinstance(value, dict):
            # A range given for a mapping applies to each of its numbers ("per weight").
            values = [v for _, v in _numeric_leaves(value)]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values = [value]
        else:
            continue
        bad += [(key, v, rng) for v in values if not lo <= v <= hi]
    assert not bad, f"values outside their assumption range: {bad}"


def test_scenario_validates_its_own_provenance():
    sc = load_scenario(UKRAINE)
    assert "parties.russia.trust" in sc.provenance
    assert sc.provenance["parties.russia.trust"].facts
