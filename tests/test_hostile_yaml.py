"""YAML that would exhaust the stack, the memory or the time: refused in one line as it is
read, in a scenario, a --set value or a spec, within a second."""

from __future__ import annotations

import time

import pytest

from sim.cli import main
from sim.errors import ConfigError
from sim.model.config import MAX_DEPTH, MAX_VALUES, safe_load

SPEC_HEAD = "name: hostile\nbase: ukraine_2025\nruns_per_point: 10\n"


def _laughs(levels: int) -> str:
    """Each anchor repeats the one before nine times: 9**levels values once expanded."""
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines)


def _deep_block(levels: int) -> str:
    return "\n".join("  " * i + f"k{i}:" for i in range(levels)) + " 1"


def _deep_flow(levels: int) -> str:
    return "[" * levels + "]" * levels


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    start = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - start < 5.0  # generous: a hang is minutes
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("negsim: error: ") and "\n" not in err, err
    assert "Traceback" not in captured.err
    return err


@pytest.mark.parametrize("text", [_deep_block(600), _deep_flow(600), _deep_flow(MAX_DEPTH + 1)])
def test_nesting_past_the_limit_is_refused(text):
    with pytest.raises(ConfigError, match=f"at most {MAX_DEPTH} levels"):
        safe_load(text)


def test_nesting_up_to_the_limit_is_read():
    assert safe_load(_deep_flow(MAX_DEPTH)) is not None
    assert safe_load(_deep_block(MAX_DEPTH - 1)) is not None


def test_aliases_are_measured_as_expanded():
    # 9**5 = 59,049 values: under the limit, read; 9**6 is over it, refused at once.
    assert len(safe_load(_laughs(5))["l4"]) == 9
    start = time.perf_counter()
    with pytest.raises(ConfigError, match=f"at most {MAX_VALUES:,} values"):
        safe_load(_laughs(9))
    assert time.perf_counter() - start < 1.0
    # A chain of aliases, each one level deeper than the last, nests past the limit too.
    chain = "\n".join(
        f"a{i}: &a{i} [{'*a' + str(i - 1) if i else 1}]" for i in range(MAX_DEPTH + 2)
    )
    with pytest.raises(ConfigError, match="aliases nesting deeper"):
        safe_load(chain)


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(ConfigError, match="an alias inside its own anchor"):
        safe_load("[&r [*r], 0.5]")


def test_dates_stay_text_and_an_exponent_without_a_dot_is_a_number():
    assert safe_load("[2025-01-01, 2025-01]") == ["2025-01-01", "2025-01"]
    assert safe_load("[5e-1, -2E+3, 1_0e1, 5e, e5]") == [0.5, -2000.0, 100.0, "5e", "e5"]


def test_a_hostile_scenario_file_is_one_line(capsys, tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text(
        "name: deep\nparties:\n" + "\n".join("  " * (i + 1) + f"k{i}:" for i in range(700))
    )
    err = _one_line_error(capsys, ["run", str(deep)])
    assert f"{deep}: <top level> = '<nesting deeper than {MAX_DEPTH} levels" in err
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text("name: laughs\n" + _laughs(9))
    assert "values once its aliases are expanded" in _one_line_error(capsys, ["run", str(laughs)])


def test_a_hostile_set_value_is_one_line(capsys):
    err = _one_line_error(capsys, ["run", "ukraine_2025", "--set", "name=" + _deep_flow(700)])
    assert err.startswith("negsim: error: --set: name = '<nesting deeper than")
    laughs = "{" + _laughs(9).replace("\n", ", ") + "}"
    err = _one_line_error(capsys, ["run", "ukraine_2025", "--set", "name=" + laughs])
    assert "values once its aliases are expanded" in err


def test_a_typed_exponent_sets_a_number(capsys):
    assert main(["run", "ukraine_2025", "--runs", "10", "--set", "mediator.guarantee=5e-1"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ("[&r [*r], 0.5]", "an alias inside its own anchor"),
        ("[2025-01-01, 0.5]", "parameters.mediator.guarantee = '2025-01-01': expected a number"),
        (_deep_flow(600), "levels of mappings and lists"),
    ],
    ids=["self_alias", "date", "deep"],
)
def test_hostile_sweep_values_are_one_line(capsys, tmp_path, values, needle):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_HEAD + f"parameters:\n  mediator.guarantee: {values}\n")
    assert needle in _one_line_error(capsys, ["sweep", str(spec), "--out", str(tmp_path / "o")])
    assert not (tmp_path / "o").exists()


def test_a_billion_laughs_spec_is_one_line(capsys, tmp_path):
    spec = tmp_path / "spec.yaml"
    extra = "\n".join("  " + line for line in _laughs(9).splitlines())
    spec.write_text(SPEC_HEAD + "parameters:\n  mediator.guarantee: [0.5]\nset:\n" + extra)
    err = _one_line_error(capsys, ["sweep", str(spec), "--out", str(tmp_path / "o")])
    assert "values once its aliases are expanded" in err


def test_a_huge_value_in_a_message_is_shown_bounded():
    value: list = [1] * 9
    for _ in range(9):
        value = [value] * 9  # 9**10 items once expanded: rendering it whole would not end
    start = time.perf_counter()
    text = str(ConfigError("x", value, "something else"))
    assert time.perf_counter() - start < 1.0
    assert len(text) < 200 and text.endswith("expected something else")
    # A small value is shown whole, as before.
    assert str(ConfigError("x", [1, 2, 3], "y")) == "x = [1, 2, 3]: expected y"
