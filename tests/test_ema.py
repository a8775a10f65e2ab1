"""The EMA Workbench adapter (sim.experiments.ema) and scenario discovery (negsim discover).

Skipped without the extra (`pip install -e ".[ema]"`); CI installs it.
"""

from __future__ import annotations

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
