"""Generated input, well formed and hostile, keeps the command line's contract.

A small deterministic slice of the campaign in benchmarks/bench_fuzz.py: the same strategies
(tests/fuzz/strategies.py), a few examples of each kind, the same every run (derandomize).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz import strategies
from tests.fuzz.harness import Case, run_case


def _slice(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _keeps_contract(case: Case) -> None:
    # A fresh folder per example: tmp_path is shared by every example of one test.
    with tempfile.TemporaryDirectory(prefix="negsim-fuzz-") as folder:
        outcome = run_case(case, Path(folder))
    assert not outcome.problems, f"{case.describe()}\n" + "\n".join(outcome.problems)


@_slice(40)
@given(strategies.scenario_cases())
def test_scenario_files_keep_the_contract(case: Case) -> None:
    _keeps_contract(case)


@_slice(40)
@given(strategies.set_cases())
def test_set_overrides_keep_the_contract(case: Case) -> None:
    _keeps_contract(case)


@_slice(25)
@given(strategies.sweep_cases())
def test_sweep_specs_keep_the_contract(case: Case) -> None:
    _keeps_contract(case)


@_slice(12)
@given(strategies.sensitivity_cases())
def test_sensitivity_specs_keep_the_contract(case: Case) -> None:
    _keeps_contract(case)


@_slice(15)
@given(strategies.check_cases())
def test_check_files_keep_the_contract(case: Case) -> None:
    _keeps_contract(case)


def test_a_shipped_scenario_runs_clean(tmp_path: Path) -> None:
    """The harness itself: a valid case passes, with strict JSON."""
    case = Case(
        "scenario",
        ("run", str(strategies.UKRAINE), "--runs", "3", *strategies.TINY, "--json"),
    )
    outcome = run_case(case, tmp_path)
    assert outcome.code == 0 and not outcome.problems, outcome.problems


def test_a_bad_file_is_one_line(tmp_path: Path) -> None:
    """The harness itself: a broken file exits 2 with one line."""
    case = Case("scenario", ("run", "s.yaml", "--runs", "3"), (("s.yaml", b"horizon: [\n"),))
    outcome = run_case(case, tmp_path)
    assert outcome.code == 2 and not outcome.problems, outcome.problems
    assert outcome.stderr.startswith("negsim: error: ")


LINE_BREAK_CASES = {
    "set path": Case("set", ("run", str(strategies.UKRAINE), "--runs", "3", "--set", "a\nb=1")),
    "key in a file": Case(
        "scenario", ("run", "s.yaml", "--runs", "3"), (("s.yaml", b'horizon: 3\n"a\\nb": 1\n'),)
    ),
    "missing file": Case("scenario", ("run", "no\nfile.yaml", "--runs", "3")),
}


# Found by the campaign (benchmarks/README.md): a path, key or file name holding a line
# break was echoed raw, so the error took two lines.
@pytest.mark.parametrize("name", sorted(LINE_BREAK_CASES))
def test_a_line_break_in_a_name_is_one_line(name: str, tmp_path: Path) -> None:
    outcome = run_case(LINE_BREAK_CASES[name], tmp_path)
    assert not outcome.problems, outcome.problems
