"""A scenario's `provenance:` section is checked when the file is read: every entry names a
value of the scenario, and an assumption range is a well-formed range of a number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.cli import main
from sim.model.config import load_scenario
from tests.conftest import ROOT, UKRAINE

INTERSTATE = ROOT / "validation" / "scenarios" / "interstate_war.yaml"


def _scenario(tmp_path: Path, entries: dict[str, Any], base: Path = INTERSTATE) -> Path:
    data = yaml.safe_load(base.read_text(encoding="utf-8"))
    data["provenance"].update(entries)
    file = tmp_path / "scenario.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return file


def _error(capsys: pytest.CaptureFixture[str], args: list[str]) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err.strip()


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("parties.a.optimsm", "(did you mean 'parties.a.optimism'?)"),
        ("parties.c.trust", "(did you mean 'parties.b.trust'?)"),
        ("battlefield.intial_control", "(did you mean 'battlefield.initial_control'?)"),
    ],
)
def test_a_misspelt_path_is_refused_with_a_suggestion(capsys, tmp_path, key, hint):
    file = _scenario(tmp_path, {key: {"assumption": [0.0, 0.5]}})
    line = _error(capsys, ["run", str(file), "--runs", "5"])
    assert line == (
        f"negsim: error: {file}: provenance.{key} = {{'assumption': [0.0, 0.5]}}: expected the "
        f"dotted path of a value in this scenario (it has nothing at '{key}') {hint}"
    )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"assumption": [0.5, 0.1]}, "[0.5, 0.1]: expected [low, high] with low <= high"),
        ({"assumption": [0.1, 0.2, 0.3]}, "[0.1, 0.2, 0.3]: expected [low, high]"),
    ],
)
def test_a_malformed_range_is_refused(capsys, tmp_path, entry, expected):
    file = _scenario(tmp_path, {"parties.a.trust": entry})
    line = _error(capsys, ["provenance", str(file)])
    assert line == f"negsim: error: {file}: provenance.parties.a.trust.assumption = {expected}"


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("start", "'2000-01'"),
        ("issues.territory.indivisible", "False"),
        ("name", "'Interstate war (generic)'"),
    ],
)
def test_a_range_for_something_that_is_not_a_number_is_refused(capsys, tmp_path, key, shown):
    file = _scenario(tmp_path, {key: {"assumption": [0.0, 1.0]}})
    line = _error(capsys, ["run", str(file)])
    assert line.endswith(
        f"provenance.{key}.assumption = [0.0, 1.0]: expected a range only for a number "
        f"or a mapping of numbers ('{key}' is {shown})"
    )


def test_a_range_for_a_mapping_of_numbers_and_for_a_model_default_is_accepted(tmp_path):
    # `belief_sd` is not in the file: its default can be given a range to sweep.
    file = _scenario(
        tmp_path,
        {"parties.a.belief_sd": {"assumption": [0.001, 0.004]}, "parties.a.ideal": {"note": "x"}},
    )
    sc = load_scenario(file)
    assert sc.provenance["parties.a.belief_sd"].assumption == (0.001, 0.004)


def test_an_override_that_removes_a_documented_section_still_loads():
    # The Ukraine scenario documents its mediator; a --set that replaces the mediator's
    # section is an experiment on the file, not a fault in its provenance.
    sc = load_scenario(UKRAINE, {"mediator": {"strategy": "none"}})
    assert sc.mediator is not None and sc.mediator.strategy == "none"
    assert "mediator.leverage.russia" in sc.provenance


def test_a_sweep_and_a_check_name_the_scenario_whose_provenance_is_wrong(capsys, tmp_path):
    file = _scenario(tmp_path, {"parties.a.optimsm": {"assumption": [0.0, 0.5]}})
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"name: t\nbase: {file}\nruns_per_point: 5\n"
        "parameters:\n  parties.a.trust: {range: [0.0, 0.5], points: 2}\n"
    )
    line = _error(capsys, ["sweep", str(spec), "--out", str(tmp_path / "out"), "--quiet"])
    assert line.startswith(f"negsim: error: {file}: provenance.parties.a.optimsm = ")
    assert not (tmp_path / "out").exists()
    check = tmp_path / "check.yaml"
    check.write_text(
        f"title: t\nclaim: c\nsource: s\nscenario: {file}\nruns: 10\narms: {{base: {{}}}}\n"
        "expect:\n  - {stat: p_settlement, between: [0.0, 1.0]}\n"
    )
    line = _error(capsys, ["validate", str(check)])
    assert line.startswith(f"negsim: error: {file}: provenance.parties.a.optimsm = ")


def test_the_provenance_command_flags_a_value_outside_its_range(capsys, tmp_path):
    file = _scenario(tmp_path, {"parties.a.trust": {"assumption": [0.3, 0.5]}})
    assert main(["provenance", str(file), "--seeds", str(ROOT / "seeds")]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("parties.a.trust = 0.2")
    assert out[at + 1 : at + 3] == [
        "    assumption, plausible range 0.3 to 0.5",
        "    the value is outside this range",
    ]
    assert sum("outside this range" in line for line in out) == 1


SHIPPED = sorted(
    [*ROOT.glob("configs/*.yaml"), *ROOT.glob("configs/cases/*.yaml")]
    + list(ROOT.glob("validation/scenarios/*.yaml"))
)


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_have_no_value_outside_its_range(capsys, scenario):
    assert main(["provenance", str(scenario)]) == 0
    assert "outside this range" not in capsys.readouterr().out


SCHEDULE = ROOT / "configs" / "ukraine_2025_us_schedule.yaml"


@pytest.mark.parametrize(
    "override",
    [
        {"stakeholders.europe.veto_utility_floor": None},  # null: no veto
        {"mediator.schedule": [{"strategy": "deadline_deal", "rounds": 4}, {"strategy": "none"}]},
    ],
    ids=["null", "schedule"],
)
def test_an_override_is_never_blamed_on_the_files_provenance(override):
    # The range is judged on the value the file writes, not on what an override put there.
    path = SCHEDULE if "mediator.schedule" in override else UKRAINE
    sc = load_scenario(path, override)
    assert sc.provenance  # loaded, its provenance intact


@pytest.mark.parametrize(
    "key",
    [
        "mediator.schedule[0.rounds",
        "mediator.schedule[00].rounds",
        "mediator.schedule[\u0660].rounds",
        "mediator.schedule[9].rounds",
        "mediator.schedule[" + "9" * 5000 + "]",
    ],
    ids=["unclosed", "leading_zero", "other_digit", "past_the_end", "huge"],
)
def test_an_index_is_accepted_only_as_the_scenario_spells_it(capsys, tmp_path, key):
    file = _scenario(tmp_path, {key: {"note": "x"}}, base=SCHEDULE)
    line = _error(capsys, ["run", str(file)])
    assert (
        f"expected the dotted path of a value in this scenario (it has nothing at '{key}')" in line
    )
    assert _scenario(tmp_path, {"mediator.schedule[0].rounds": {"note": "x"}}, base=SCHEDULE)
    assert load_scenario(tmp_path / "scenario.yaml").provenance["mediator.schedule[0].rounds"]


def test_a_default_not_written_in_the_file_is_pointed_at_the_file(capsys, tmp_path):
    # A strategy option left to its default is not a value of the scenario file.
    data = yaml.safe_load(INTERSTATE.read_text(encoding="utf-8"))
    data["mediator"] = {"strategy": "deadline_deal"}
    data["provenance"]["mediator.options.deadline"] = {"note": "x"}
    file = tmp_path / "scenario.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    line = _error(capsys, ["run", str(file)])
    assert line.endswith(
        "(it has nothing at 'mediator.options.deadline') (a value left to its default here "
        "is written in the file to get a source)"
    )


def test_sensitivity_blames_the_base_file_not_the_specs_set(capsys, tmp_path):
    file = _scenario(tmp_path, {"parties.a.trsut": {"assumption": [0.0, 0.5]}})
    spec = tmp_path / "sens.yaml"
    spec.write_text(
        f"base: {file}\nsamples: 4\nruns_per_point: 4\n"
        "parameters:\n  parties.a.trust: {range: [0.0, 0.5]}\n"
    )
    line = _error(capsys, ["sensitivity", str(spec), "--out", str(tmp_path / "out")])
    assert line.startswith(f"negsim: error: {file}: provenance.parties.a.trsut = ")
    assert line.endswith("(did you mean 'parties.a.trust'?)")
