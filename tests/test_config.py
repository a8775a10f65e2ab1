"""Bad input is refused at the door with one readable line: file, path, value, expectation."""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np
import pytest
import yaml

from sim import ConfigError, NegotiationModel, load_scenario
from sim.model.config import Scenario, apply_overrides, scenario_from_dict
from tests.conftest import build_scenario, minimal_scenario_dict


def _assert_one_line(err: ConfigError, *, file: str, path: str, value_text: str) -> str:
    text = str(err)
    assert "\n" not in text and "\r" not in text, text
    assert text.startswith(f"{file}: "), text
    if path:
        assert path in text, text
    assert value_text in text, text
    assert "expected" in text, text
    assert err.file == file
    assert "Traceback" not in text
    return text


def _raises(data: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        build_scenario(data)
    return info.value


# -- the fixtures themselves are valid ----------------------------------------------------------


def test_minimal_dict_is_valid():
    sc = build_scenario(minimal_scenario_dict(("x", "y", "z")))
    assert isinstance(sc, Scenario)
    assert (sc.a, sc.b) == ("a", "b")
    assert sc.source_file == "test"


def test_ukraine_loads(ukraine):
    assert ukraine.a == "russia" and ukraine.b == "ukraine"
    assert ukraine.parties["russia"].trust == 0.1
    assert ukraine.mediator is not None and ukraine.mediator.strategy == "manipulative"
    assert set(ukraine.stakeholders) == {"europe", "china"}


def test_round_trip_through_to_dict(ukraine):
    again = scenario_from_dict(ukraine.to_dict(), file="again")
    assert dataclasses.replace(again, source_file=None) == dataclasses.replace(
        ukraine, source_file=None
    )


def test_overrides_apply(ukraine_path):
    sc = load_scenario(ukraine_path, ["parties.russia.trust=0.3", "mediator.guarantee=0.5"])
    assert sc.parties["russia"].trust == 0.3
    assert sc.mediator.guarantee == 0.5
    sc2 = load_scenario(ukraine_path, {"parties.ukraine.optimism": 0.0})
    assert sc2.parties["ukraine"].optimism == 0.0
    # The original file is untouched by overrides.
    assert load_scenario(ukraine_path).parties["russia"].trust == 0.1


def test_override_layers_apply_in_order_and_leave_their_inputs_alone():
    data = {"mediator": {"strategy": "none", "bias": 0.0}, "horizon": 12}
    first = {"mediator": {"strategy": "formulative", "bias": 0.1}}
    second = {"mediator.bias": 0.2, "horizon": 24}
    out = apply_overrides(data, first, {}, second)
    # The later layer wins, also inside a mapping an earlier layer set whole.
    assert out == {"mediator": {"strategy": "formulative", "bias": 0.2}, "horizon": 24}
    # Neither the data nor a layer's own mapping is changed by a later path inside it.
    assert data == {"mediator": {"strategy": "none", "bias": 0.0}, "horizon": 12}
    assert first == {"mediator": {"strategy": "formulative", "bias": 0.1}}
    # One layer at a time gives the same.
    assert apply_overrides(apply_overrides(apply_overrides(data, first), {}), second) == out


def test_an_override_reaches_a_list_item_by_its_index():
    data = {"mediator": {"schedule": [{"strategy": "a", "rounds": 2}, {"strategy": "b"}]}}
    out = apply_overrides(data, {"mediator.schedule[1].rounds": 5, "mediator.schedule[0]": {}})
    assert out["mediator"]["schedule"] == [{}, {"strategy": "b", "rounds": 5}]
    assert data["mediator"]["schedule"][1] == {"strategy": "b"}  # the input is left alone
    nested = apply_overrides({"x": [[1, 2], [3]]}, {"x[0][1]": 9})
    assert nested == {"x": [[1, 9], [3]]}


@pytest.mark.parametrize(
    ("path", "where", "expected"),
    [
        ("mediator.schedule[2].rounds", "mediator.schedule[2]", "an index of the list (0 to 1)"),
        ("horizon[0]", "horizon[0]", "an index only where the value is a list"),
        ("mediator.steps[0]", "mediator.steps", "an existing list to index into"),
        ("mediator.schedule[x]", "mediator.schedule[x]", "a list item as schedule[0]"),
        ("mediator..strategy", "mediator..strategy", "a dotted path such as"),
    ],
)
def test_bad_list_paths_are_named(path, where, expected):
    data = {"horizon": 12, "mediator": {"schedule": [{"strategy": "a"}, {"strategy": "b"}]}}
    with pytest.raises(ConfigError) as err:
        apply_overrides(data, {path: 1})
    assert err.value.path == where and expected in err.value.expected


# -- errors --------------------------------------------------------------------------------


def test_unknown_key_suggests_the_right_one():
    data = minimal_scenario_dict()
    data["parties"]["a"]["trsut"] = 0.3
    err = _raises(data)
    assert err.path == "parties.a.trsut"
    text = _assert_one_line(err, file="test", path="parties.a.trsut", value_text="0.3")
    assert "did you mean 'trust'" in text


def test_unknown_top_level_key():
    data = minimal_scenario_dict()
    data["horizn"] = 12
    err = _raises(data)
    assert err.path == "horizn"
    assert "did you mean 'horizon'" in str(err)


@pytest.mark.parametrize("value", ["0.3", "high", True, [0.3], None])
def test_wrong_type_for_a_number(value):
    data = minimal_scenario_dict()
    data["parties"]["a"]["trust"] = value
    err = _raises(data)
    assert err.path == "parties.a.trust"
    _assert_one_line(err, file="test", path="parties.a.trust", value_text=repr(value))


def test_quoted_number_in_yaml_file_is_refused(tmp_path):
    data = minimal_scenario_dict()
    text = yaml.safe_dump(data).replace("role: A", "role: A\n    trust: '0.3'")
    file = tmp_path / "quoted.yaml"
    file.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_scenario(file)
    assert info.value.path == "parties.a.trust"
    _assert_one_line(info.value, file=str(file), path="parties.a.trust", value_text="'0.3'")


def test_integer_field_refuses_fraction():
    data = minimal_scenario_dict()
    data["horizon"] = 12.5
    err = _raises(data)
    assert err.path == "horizon"


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("parties", "a", "trust"), 1.5),
        (("parties", "b", "trust"), -0.1),
        (("parties", "a", "optimism"), 0.2),
        (("parties", "a", "capacity"), 0.0),  # open lower bound
        (("horizon",), 0),
        (("battlefield", "noise_sd"), 2.0),
    ],
)
def test_out_of_range(where, value):
    data = minimal_scenario_dict()
    node = data
    for key in where[:-1]:
        node = node.setdefault(key, {})
    node[where[-1]] = value
    err = _raises(data)
    path = ".".join(where)
    assert err.path == path
    assert err.value == value
    text = _assert_one_line(err, file="test", path=path, value_text=repr(value))
    assert "expected a number in" in text or "expected an integer" in text


def test_non_finite_number_refused():
    data = minimal_scenario_dict()
    data["parties"]["a"]["cost_per_month"] = math.nan
    assert _raises(data).path == "parties.a.cost_per_month"


def test_salience_must_sum_to_one():
    data = minimal_scenario_dict(("x", "y"))
    data["parties"]["b"]["salience"] = {"x": 0.5, "y": 0.6}
    err = _raises(data)
    assert err.path == "parties.b.salience"
    text = _assert_one_line(err, file="test", path="parties.b.salience", value_text="0.6")
    assert "sum" in text


def test_salience_for_unknown_issue():
    data = minimal_scenario_dict(("territory",))
    data["parties"]["a"]["salience"] = {"teritory": 1.0}
    err = _raises(data)
    assert err.path == "parties.a.salience.teritory"
    assert "did you mean 'territory'" in str(err)


def test_unknown_strategy_name_suggests():
    data = minimal_scenario_dict()
    data["mediator"] = {"strategy": "formulatve"}
    err = _raises(data)
    assert err.path == "mediator.strategy"
    text = _assert_one_line(err, file="test", path="mediator.strategy", value_text="formulatve")
    assert "did you mean 'formulative'" in text


def test_unknown_strategy_option():
    data = minimal_scenario_dict()
    data["mediator"] = {"strategy": "manipulative", "options": {"carot_value": 0.2}}
    err = _raises(data)
    assert err.path == "mediator.options.carot_value"
    assert "did you mean 'carrot_value'" in str(err)


def test_unknown_party_in_mediator_leverage():
    data = minimal_scenario_dict()
    data["parties"] = {"russia": data["parties"]["a"], "ukraine": data["parties"]["b"]}
    data["mediator"] = {"strategy": "manipulative", "leverage": {"rusia": 0.3}}
    err = _raises(data)
    assert err.path == "mediator.leverage.rusia"
    text = _assert_one_line(err, file="test", path="mediator.leverage.rusia", value_text="0.3")
    assert "did you mean 'russia'" in text


def test_roles_must_be_a_and_b():
    data = minimal_scenario_dict()
    data["parties"]["b"]["role"] = "A"
    assert _raises(data).path == "parties"
    data["parties"]["b"]["role"] = "C"
    assert _raises(data).path == "parties.b.role"


@pytest.mark.parametrize("overrides", [["parties.rusia.trust=0.3"], {"parties.rusia.trust": 0.3}])
def test_override_to_unknown_party_suggests(ukraine_path, overrides):
    with pytest.raises(ConfigError) as info:
        load_scenario(ukraine_path, overrides)
    err = info.value
    assert err.path.startswith("parties.rusia")
    text = _assert_one_line(err, file=str(ukraine_path), path="parties.rusia", value_text="0.3")
    assert "did you mean 'russia'" in text


def test_override_out_of_range_names_the_file(ukraine_path):
    with pytest.raises(ConfigError) as info:
        load_scenario(ukraine_path, ["parties.russia.trust=1.5"])
    assert info.value.path == "parties.russia.trust"
    _assert_one_line(
        info.value, file=str(ukraine_path), path="parties.russia.trust", value_text="1.5"
    )


def test_override_unknown_strategy(ukraine_path):
    with pytest.raises(ConfigError) as info:
        load_scenario(ukraine_path, ["mediator.strategy=formulatve"])
    assert info.value.path == "mediator.strategy"
    assert "did you mean 'formulative'" in str(info.value)


def test_override_without_equals_sign(ukraine_path):
    with pytest.raises(ConfigError) as info:
        load_scenario(ukraine_path, ["parties.russia.trust"])
    assert "\n" not in str(info.value)


def test_malformed_yaml(tmp_path):
    file = tmp_path / "broken.yaml"
    file.write_text("name: x\nparties: {a: [1, 2\n  b: 3\n")
    with pytest.raises(ConfigError) as info:
        load_scenario(file)
    err = info.value
    text = _assert_one_line(err, file=str(file), path="", value_text="line")
    assert "YAML" in text


def test_yaml_that_is_not_a_mapping(tmp_path):
    file = tmp_path / "list.yaml"
    file.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError) as info:
        load_scenario(file)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(str(file))


def test_missing_file(tmp_path):
    file = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_scenario(file)
    err = info.value
    _assert_one_line(err, file=str(file), path="", value_text=str(file))


def test_long_values_are_shortened_to_one_line():
    data = minimal_scenario_dict()
    data["parties"]["a"]["trust"] = {"deeply": {"nested": list(range(100))}}
    err = _raises(data)
    text = str(err)
    assert "\n" not in text and len(text) < 400


# -- every value the schema accepts must run ----------------------------------------------------


@pytest.mark.parametrize(
    ("section", "key"),
    [("parties.a", "belief_sd"), ("parties.b", "belief_sd"), ("battlefield", "noise_sd")],
)
def test_zero_uncertainty_is_rejected_or_runs_finite(section, key):
    """belief_sd and noise_sd accept 0 by their bounds: then the model must either refuse
    the value with a ConfigError, or run with finite beliefs and reservation values."""
    data = minimal_scenario_dict()
    node = data
    for part in section.split("."):
        node = node.setdefault(part, {})
    node[key] = 0.0
    try:
        sc = build_scenario(data)
    except ConfigError as err:
        assert err.path == f"{section}.{key}"
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = NegotiationModel(sc, runs=5, seed=1, collect=False)
        for _ in range(3):
            model.step()
    said = sorted({str(w.message) for w in caught})
    engine = model.engine
    assert np.all(np.isfinite(engine.state.parties.belief_mean)), (
        engine.state.parties.belief_mean.tolist(),
        said,
    )
    assert np.all(np.isfinite(engine.state.parties.reservation)), (
        engine.state.parties.reservation.tolist(),
        said,
    )


def test_a_long_value_is_cut_in_the_middle_so_the_file_name_shows():
    long_path = "/tmp/" + "deep/" * 30 + "nope.yaml"
    message = str(ConfigError("path", long_path, "an existing file"))
    assert "nope.yaml'" in message and "/tmp/deep" in message and "..." in message
    assert len(message) < 140
