"""The EMA Workbench adapter (sim.experiments.ema) and scenario discovery (negsim discover).

Skipped without the extra (`pip install -e ".[ema]"`); CI installs it.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    ema_workbench = pytest.importorskip("ema_workbench")

from sim.errors import ConfigError  # noqa: E402
from sim.experiments.ema import (  # noqa: E402
    BatchEvaluator,
    NegsimModel,
    negsim_model,
    scenario_ranges,
)
from sim.experiments.simulate import simulate_points  # noqa: E402
from sim.model.config import apply_overrides, load_scenario, read_scenario, scenario_from_dict  # noqa: E402
from sim.reports.analysis import settlement_time_summary  # noqa: E402

RUNS = 24
SEED = 5


def _points(design: pd.DataFrame, names: list[str]) -> list[dict[str, object]]:
    return [{n: row[n] for n in names} for _, row in design.iterrows()]


def _samples(kind: str, rows: list[dict[str, object]]) -> list[object]:
    """EMA's own point objects: `Sample` in EMA 3, `Scenario` / `Policy` in EMA 2.5."""
    cls = getattr(ema_workbench, "Sample", None) or getattr(ema_workbench, kind)
    return [cls(name=f"{kind.lower()}{i}", **row) for i, row in enumerate(rows)]


@pytest.fixture(scope="module")
def model() -> NegsimModel:
    # A fixed horizon and round length: the points then stack into one batch.
    return negsim_model(
        "ukraine_2025",
        runs_per_point=RUNS,
        seed=SEED,
        overrides={"horizon": 36, "round_days": 30},
    )


# --------------------------------------------------------------------------------------------
# Uncertainties and levers from the scenario's provenance


def test_ranges_follow_the_provenance_section() -> None:
    scenario = load_scenario("ukraine_2025")
    ranges = {r.path: r for r in scenario_ranges(scenario)}
    declared = {k: v.assumption for k, v in scenario.provenance.items() if v.assumption}
    # Integer settings are integer parameters.
    for path in ("horizon", "round_days", "parties.russia.planning_horizon"):
        assert ranges[path].integer
        assert (ranges[path].low, ranges[path].high) == tuple(declared[path])
    assert not ranges["parties.russia.trust"].integer
    # A range declared over a mapping (a party's salience) is one parameter per issue.
    assert "parties.russia.salience" not in ranges
    for issue in scenario.issue_names:
        r = ranges[f"parties.russia.salience.{issue}"]
        assert (r.low, r.high) == tuple(declared["parties.russia.salience"])
        assert not r.integer
    # Settings of the mediator are levers, the rest uncertainties.
    assert ranges["mediator.guarantee"].lever
    assert not ranges["parties.russia.trust"].lever
    assert not any(r.lever for r in scenario_ranges(scenario, levers=()))


def test_model_parameters_are_ema_parameters(model: NegsimModel) -> None:
    # EMA names are identifiers (EMA 3 requires them): the dotted path with '__' for '.'.
    paths = {r.name: r.path for r in model.ranges}
    assert paths["parties__russia__trust"] == "parties.russia.trust"
    uncertainties = {paths[u.name]: u for u in model.uncertainties}
    levers = {paths[lever.name]: lever for lever in model.levers}
    assert isinstance(
        uncertainties["parties.russia.planning_horizon"], ema_workbench.IntegerParameter
    )
    assert isinstance(uncertainties["parties.russia.trust"], ema_workbench.RealParameter)
    assert isinstance(levers["mediator.guarantee"], ema_workbench.RealParameter)
    assert "parties.ukraine.salience.territory" in uncertainties
    # Fixed by the overrides: no parameter.
    assert "horizon" not in uncertainties and "round_days" not in uncertainties
    assert {o.name for o in model.outcomes} >= {
        "p_settlement",
        "restricted_mean_settlement_round",
        "p_collapse",
    }


def test_every_shipped_scenario_gives_a_model() -> None:
    """Ranges through a list (`mediator.schedule[1].rounds`) are parameters too."""
    model = negsim_model("ukraine_2025_us_schedule", runs_per_point=2)
    by_path = {r.path: r for r in model.ranges}
    assert by_path["mediator.schedule[1].rounds"].integer
    assert by_path["mediator.schedule[1].rounds"].name == "mediator__schedule_1__rounds"
    for name in ("dayton_1995", "korea_1951", "minsk_2014"):
        assert negsim_model(name, runs_per_point=2).uncertainties


def test_bad_model_arguments_are_one_line() -> None:
    with pytest.raises(ConfigError, match="did you mean 'p_settlement'"):
        negsim_model("ukraine_2025", outcomes=["p_setlement"])
    with pytest.raises(ConfigError, match="runs_per_point"):
        negsim_model("ukraine_2025", runs_per_point=0)
    with pytest.raises(ConfigError, match="parties.rusia"):
        negsim_model("ukraine_2025", overrides={"parties.rusia.trust": 0.1})


# --------------------------------------------------------------------------------------------
# The batched evaluator gives the numbers of simulate_points, and of one point at a time


def _by_hand(model: NegsimModel, rows: list[dict[str, object]]) -> dict[str, np.ndarray]:
    """Each point's outcomes straight from simulate_points, overrides built here."""
    raw, _ = read_scenario("ukraine_2025")
    base = apply_overrides(raw, {"horizon": 36, "round_days": 30})
    scenarios = []
    for row in rows:
        overrides: dict[str, object] = {}
        for party in ("russia", "ukraine"):
            prefix = f"parties.{party}.salience."
            weights = {k[len(prefix) :]: float(v) for k, v in row.items() if k.startswith(prefix)}
            total = math.fsum(weights.values())
            overrides[prefix[:-1]] = {k: v / total for k, v in weights.items()}
        for k, v in row.items():
            if ".salience." not in k:
                overrides[k] = v
        scenarios.append(scenario_from_dict(apply_overrides(base, overrides), file="x"))
    tables = simulate_points(scenarios, RUNS, SEED)
    out: dict[str, list[float]] = {"p_settlement": [], "restricted_mean": [], "p_collapse": []}
    for table in tables:
        out["p_settlement"].append(float(table["settlement_round"].notna().mean()))
        when = settlement_time_summary(table, 36).iloc[0]
        out["restricted_mean"].append(float(when["restricted_mean_settlement_round"]))
        out["p_collapse"].append(float(table["collapse_round"].notna().mean()))
    return {k: np.asarray(v) for k, v in out.items()}


def test_batched_outcomes_equal_simulate_points_and_one_point_at_a_time(
    model: NegsimModel,
) -> None:
    with BatchEvaluator(model) as evaluator:
        experiments, batched = evaluator.perform_experiments(scenarios=6, policies=2)
    uncertainties = [u.name for u in model.uncertainties]
    levers = [lever.name for lever in model.levers]
    assert len(experiments) == 12
    paths = {r.name: r.path for r in model.ranges}
    rows = [
        {paths[k]: v for k, v in row.items()}
        for row in _points(experiments, uncertainties + levers)
    ]
    for row in rows:  # integer parameters arrive as whole numbers
        assert float(row["parties.russia.planning_horizon"]).is_integer()
    # The same design, point by point, through EMA's own sequential evaluator.
    scenarios = _samples("Scenario", _points(experiments, uncertainties))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        experiments_seq, sequential = ema_workbench.perform_experiments(
            model,
            scenarios=scenarios,
            policies=_samples("Policy", _points(experiments, levers)),
            combine="sample",
        )
    for name, values in batched.items():
        np.testing.assert_array_equal(values, sequential[name], err_msg=name)
    hand = _by_hand(model, rows)
    np.testing.assert_array_equal(batched["p_settlement"], hand["p_settlement"])
    np.testing.assert_array_equal(
        batched["restricted_mean_settlement_round"], hand["restricted_mean"]
    )
    np.testing.assert_array_equal(batched["p_collapse"], hand["p_collapse"])
    assert np.ptp(batched["p_settlement"]) > 0  # the points differ


def test_batch_evaluator_refuses_other_models() -> None:
    other = ema_workbench.Model("other", function=lambda **kw: {})
    with pytest.raises(TypeError, match="NegsimModel"):
        BatchEvaluator(other)


# --------------------------------------------------------------------------------------------
# Scenario discovery: negsim discover


def _synthetic_folder(folder, kind: str = "sensitivity", n: int = 800) -> None:
    """Points where p_settlement is low exactly in trust < 0.1 and guarantee > 0.6."""
    from sim.experiments.storage import write_manifest, write_table

    rng = np.random.default_rng(7)
    table = pd.DataFrame(
        {
            "point": np.arange(n),
            "parties.russia.trust": rng.uniform(0.0, 0.3, n),
            "mediator.guarantee": rng.uniform(0.0, 1.0, n),
            "horizon": rng.integers(24, 121, n),
        }
    )
    inside = (table["parties.russia.trust"] < 0.1) & (table["mediator.guarantee"] > 0.6)
    table["runs"] = 100
    table["settled"] = np.where(inside, 20, 80)
    table["p_settlement"] = table["settled"] / 100
    table["p_collapse"] = rng.uniform(0.0, 1.0, n)
    parameters = ["parties.russia.trust", "mediator.guarantee", "horizon"]
    if kind == "sweep":
        write_table(table, folder / "summary.parquet")
        write_manifest(folder, {"kind": "sweep", "status": "complete", "parameters": parameters})
    else:
        write_table(table, folder / "design.parquet")
        write_manifest(folder, {"kind": "sensitivity", "parameters": parameters})


def _spec(tmp_path, text: str):
    path = tmp_path / "discovery.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["sensitivity", "sweep"])
def test_prim_recovers_a_known_box(tmp_path, kind: str) -> None:
    from sim.experiments.discover import discover, load_spec, write_discovery

    _synthetic_folder(tmp_path / "results", kind)
    spec = load_spec(
        _spec(tmp_path, "folder: results\ncondition: p_settlement < 0.5\ndensity: 0.95\n")
    )
    result = discover(spec)
    assert len(result.boxes) == 1
    box = result.boxes[0]
    assert box.coverage >= 0.9 and box.density >= 0.95
    limits = box.limits.set_index("parameter")
    # The two parameters that matter are restricted, near the true edges; horizon is not.
    assert set(limits.index) == {"parties.russia.trust", "mediator.guarantee"}
    assert limits.loc["parties.russia.trust", "high"] == pytest.approx(0.1, abs=0.015)
    assert limits.loc["mediator.guarantee", "low"] == pytest.approx(0.6, abs=0.05)
    written = write_discovery(result)
    assert {p.name for p in written} == {
        "boxes.json",
        "boxes.csv",
        "peeling.csv",
        "peeling.png",
        "box_limits.png",
    }
    assert written[0].parent == tmp_path / "results" / "discovery" / "discovery"
    data = json.loads(written[0].read_text())
    assert data["condition"] == "p_settlement < 0.5"
    assert data["boxes"][0]["coverage"] == box.coverage
    peeling = pd.read_csv(written[0].parent / "peeling.csv")
    assert peeling["selected"].sum() == 1


def test_discover_command(tmp_path, capsys) -> None:
    from sim.cli import main

    _synthetic_folder(tmp_path / "results")
    spec = _spec(tmp_path, "condition: p_settlement < 0.5\nboxes: 2\n")
    out = tmp_path / "boxes"
    assert (
        main(["discover", str(spec), "--folder", str(tmp_path / "results"), "--out", str(out)]) == 0
    )
    text = capsys.readouterr().out
    assert "box 1: coverage" in text and "parties.russia.trust" in text
    assert (out / "boxes.csv").is_file()
    assert main(["discover", str(spec), "--folder", str(tmp_path / "results"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["points"] == 800


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("folder: results\ncondition: p_setlement < 0.5\n", "did you mean 'p_settlement'?"),
        ("folder: results\ncondition: p_settlement << 0.5\n", "condition = 'p_settlement << 0.5'"),
        (
            "folder: results\ncondition: p_settlement < 0.5\ndensty: 0.9\n",
            "did you mean 'density'?",
        ),
        ("folder: results\ncondition: p_settlement < 0.5\ndensity: 2\n", "density = 2"),
        ("folder: nowhere\ncondition: p_settlement < 0.5\n", "an existing results folder"),
        ("condition: p_settlement < 0.5\n", "folder = ''"),
        (
            "folder: results\ncondition: p_settlement < 0.5\nparameters: [horizn]\n",
            "did you mean 'horizon'?",
        ),
        ("[1, 2]\n", "a mapping"),
    ],
)
def test_bad_spec_is_one_line_and_exit_2(tmp_path, capsys, text: str, message: str) -> None:
    from sim.cli import main

    _synthetic_folder(tmp_path / "results")
    assert main(["discover", str(_spec(tmp_path, text))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("negsim: error: ")
    assert message in err


def test_a_condition_that_holds_nowhere_gives_no_box(tmp_path, capsys) -> None:
    from sim.cli import main

    _synthetic_folder(tmp_path / "results")
    spec = _spec(tmp_path, "folder: results\ncondition: p_settlement < 0.1\n")
    assert main(["discover", str(spec)]) == 0
    assert "no box to find: the condition holds at no point" in capsys.readouterr().out
    data = json.loads((tmp_path / "results/discovery/discovery/boxes.json").read_text())
    assert data["boxes"] == [] and data["points_of_interest"] == 0


def test_discover_without_the_extra_is_one_line(tmp_path, capsys, monkeypatch) -> None:
    import importlib.util

    from sim.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "ema_workbench" else real(name, *a),
    )
    assert main(["discover", str(_spec(tmp_path, "condition: p_settlement < 0.5\n"))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install -e ".[ema]"' in err


def test_blocks_may_come_back_in_any_order(model: NegsimModel, monkeypatch) -> None:
    """An executor's map may return the blocks out of order: each point's outcomes still go
    to its own experiment."""
    import sim.experiments.ema as ema

    uncertainties = [u.name for u in model.uncertainties]
    rng = np.random.default_rng(3)
    rows = [
        {r.name: float(rng.uniform(r.low, r.high)) for r in model.ranges if not r.lever}
        for _ in range(5)
    ]
    for row in rows:
        for r in model.ranges:
            if r.integer and r.name in row:
                row[r.name] = int(round(row[r.name]))
    scenarios = _samples("Scenario", rows)
    policies = _samples("Policy", [{r.name: r.low for r in model.ranges if r.lever}])
    with BatchEvaluator(model) as evaluator:
        _, in_order = evaluator.perform_experiments(scenarios=scenarios, policies=policies)
    monkeypatch.setattr(ema, "points_per_block", lambda runs: 2)

    def backwards(function, blocks):
        return reversed([function(block) for block in blocks])

    with BatchEvaluator(model, map_fn=backwards) as evaluator:
        experiments, reordered = evaluator.perform_experiments(
            scenarios=scenarios, policies=policies
        )
    assert list(experiments[uncertainties[0]]) == [row[uncertainties[0]] for row in rows]
    for name, values in in_order.items():
        np.testing.assert_array_equal(values, reordered[name], err_msg=name)
