"""The historical cases (configs/cases/): each loads, runs, and says where every number it sets
comes from, in facts that exist (seeds/*.yaml, seeds/record/*.yaml) or an assumption range
that contains the value."""

from __future__ import annotations

import pytest
import yaml

from sim import simulate
from sim.errors import ConfigError
from sim.model.config import load_scenario
from sim.model.provenance import find_seeds, load_facts, provenance_rows
from tests.conftest import ROOT, negsim
from tests.test_provenance import _covering_key as _covering
from tests.test_provenance import _lookup, _raw
from tests.test_provenance import _numeric_leaves as _numbers

SEEDS = ROOT / "seeds"
CASES = sorted((ROOT / "configs" / "cases").glob("*.yaml"))
RECORDS = sorted((SEEDS / "record").glob("*.yaml"))


@pytest.fixture(scope="module")
def fact_ids() -> set[str]:
    ids = []
    for file in sorted(SEEDS.glob("*.yaml")) + RECORDS:
        ids += [fact["id"] for fact in _raw(file).get("facts") or []]
    assert len(ids) == len(set(ids)), "duplicate fact ids across seeds/ and seeds/record/"
    return set(ids)


def test_there_are_three_cases_and_their_records():
    assert {p.stem for p in CASES} >= {"korea_1951", "dayton_1995", "minsk_2014"}
    assert {p.stem for p in RECORDS} >= {"korea-1951", "dayton-1995", "minsk-2014"}


@pytest.mark.parametrize("record", RECORDS, ids=[p.stem for p in RECORDS])
def test_record_files_have_the_seed_format(record):
    data = _raw(record)
    article = data["article"]
    assert article == f"record-{record.stem}"
    assert data["title"].strip()
    assert data["facts"]
    for fact in data["facts"]:
        assert fact["id"].startswith(f"{article}."), fact["id"]
        assert fact["fact"].strip()
        assert isinstance(fact["figures"], dict)
        assert isinstance(fact["informs"], list)


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_every_number_has_a_source_that_holds(case, fact_ids):
    data = _raw(case)
    prov = data["provenance"]
    body = {k: v for k, v in data.items() if k != "provenance"}
    problems = []
    for path, value in _numbers(body):
        key = _covering(path, set(prov))
        if key is None:
            problems.append((path, "no provenance entry"))
            continue
        entry = prov[key]
        facts = entry.get("facts") or []
        unknown = [f for f in facts if f not in fact_ids]
        if unknown:
            problems.append((path, f"unknown fact ids {unknown}"))
        rng = entry.get("assumption")
        if rng is not None:
            lo, hi = rng
            if not lo <= value <= hi:
                problems.append((path, f"{value} outside its assumption range {rng}"))
        if not facts and rng is None:
            problems.append((path, "neither facts nor an assumption range"))
    assert not problems, problems


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_provenance_entries_point_at_values_the_case_sets(case, fact_ids):
    data = _raw(case)
    body = {k: v for k, v in data.items() if k != "provenance"}
    dangling = []
    for key, entry in data["provenance"].items():
        try:
            _lookup(body, key)
        except (KeyError, IndexError, TypeError):
            dangling.append(key)
        dangling += [f for f in entry.get("facts") or [] if f not in fact_ids]
    assert not dangling, dangling


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_case_loads_runs_and_lists_its_provenance(case):
    scenario = load_scenario(case)
    assert scenario.round_days == 30
    rows = provenance_rows(str(case))
    given = [r for r in rows if not r.default and not isinstance(r.value, str)]
    assert given
    # Every number the file sets carries its facts (with their text) or its range.
    assert all(r.facts or r.assumption for r in given if not isinstance(r.value, bool))
    assert any(fid.startswith("record-") for r in rows for fid, _ in r.facts)
    # A few short runs go through every phase without error.
    short = load_scenario(case, ["horizon=4"])
    table = simulate(short, runs=16, seed=3).table
    assert len(table) == 16


def test_seeds_are_found_above_nested_config_folders(tmp_path):
    (tmp_path / "seeds" / "record").mkdir(parents=True)
    (tmp_path / "seeds" / "record" / "x.yaml").write_text(
        "article: record-x\ntitle: t\nfacts:\n"
        "  - {id: record-x.one, fact: 'Something happened.', figures: {}, informs: []}\n",
        encoding="utf-8",
    )
    scenario = _raw(CASES[0])
    scenario["provenance"] = {"horizon": {"facts": ["record-x.one"]}}
    nested = tmp_path / "configs" / "cases" / "deeper"
    nested.mkdir(parents=True)
    path = nested / "case.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    assert find_seeds(path) == tmp_path / "seeds"
    rows = {r.path: r for r in provenance_rows(str(path))}
    assert rows["horizon"].facts == [("record-x.one", "Something happened.")]
    # A fact id that is nowhere in that seeds folder is one clear error.
    scenario["provenance"] = {"horizon": {"facts": ["record-x.two"]}}
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    with pytest.raises(ConfigError, match="record-x.two"):
        provenance_rows(str(path))


def test_record_facts_are_loaded_with_the_source_articles():
    facts = load_facts(SEEDS)
    assert "ceasefire-first-2025.korea-vietnam-precedents" in facts
    assert "record-korea-1951.armistice-signed" in facts


@pytest.mark.slow
def test_provenance_command_on_a_case():
    proc = negsim("provenance", "configs/cases/korea_1951.yaml")
    assert proc.returncode == 0, proc.stderr
    assert "[record-korea-1951.talks-open]" in proc.stdout
    assert "battlefield.initial_control = 0.53" in proc.stdout
