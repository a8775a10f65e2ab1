"""Phased schedules, outside strategies, and the head-to-head comparison."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim import NegotiationModel, load_scenario, simulate
from sim.cli import main
from sim.errors import ConfigError
from sim.experiments.compare import compare, write_comparison
from sim.experiments.simulate import replay
from sim.model.strategies import Decision
from sim.model.strategies.schedule import merge
from sim.reports.analysis import survival_table
from tests.conftest import UKRAINE, build_scenario, minimal_scenario_dict

US_SCHEDULE = UKRAINE.with_name("ukraine_2025_us_schedule.yaml")


def _scenario(schedule: list[dict[str, Any]]):
    data = minimal_scenario_dict()
    data["mediator"] = {"schedule": schedule, "leverage": {"a": 0.5, "b": 0.5}}
    return build_scenario(data)


def test_merge_takes_each_runs_phase_and_fills_neutral_values():
    n, k = 4, 2
    first = Decision(text=np.zeros((n, k)), carrots=np.full((n, 2), 0.3))
    second = Decision(withdraw=np.ones(n, dtype=bool))
    merged = merge([first, second], np.array([0, 1, 0, 1]), n, k)
    assert np.array_equal(merged.text[[0, 2]], np.zeros((2, k)))
    assert np.isnan(merged.text[[1, 3]]).all()  # phase 2 drafts nothing
    assert np.array_equal(merged.carrots[:, 0], [0.3, 0.0, 0.3, 0.0])
    assert np.array_equal(merged.withdraw, [False, True, False, True])
    assert merged.threats is None  # nobody set it


def test_phases_change_by_round():
    sc = _scenario([{"strategy": "facilitative", "rounds": 2}, {"strategy": "formulative"}])
    model = NegotiationModel(sc, runs=200, seed=1, collect=False, trace=True).run()
    talking = np.ones(200, dtype=bool)  # runs that talk in the round (at war at its start)
    for rec in model.engine.records:
        mediator_text = rec.values["proposer"] == 2
        if rec.round <= 2:
            assert not (mediator_text & talking).any()  # the parties' own offers
        else:
            assert (mediator_text | ~talking).all()  # the mediator's texts
        talking = rec.values["status"] <= 1  # at war or under a bare ceasefire


def test_phase_ends_on_deadlock_run_by_run():
    sc = _scenario(
        [
            {"strategy": "formulative", "until": "deadlock", "deadlock_after": 2},
            {"strategy": "manipulative"},
        ]
    )
    model = NegotiationModel(sc, runs=400, seed=3, collect=False, trace=True).run()
    carrots = np.stack([r.values["carrots"].sum(axis=1) > 0 for r in model.engine.records])
    # No carrots in the first two rounds: nobody can have refused two texts yet.
    assert not carrots[:2].any()
    assert carrots.any()


def test_schedule_replays_alone_like_in_a_batch():
    sc = load_scenario(US_SCHEDULE, overrides={"horizon": 24})
    batch = simulate(sc, runs=300, seed=9).table
    for index in (0, 137, 299):
        alone = simulate(sc, runs=1, seed=9, first_run=index).table
        pd.testing.assert_frame_equal(
            alone.reset_index(drop=True), batch.iloc[[index]].reset_index(drop=True)
        )


@pytest.mark.parametrize(
    ("schedule", "path"),
    [
        ([{"strategy": "formulatve", "rounds": 2}, {"strategy": "none"}], "schedule[0].strategy"),
        ([{"strategy": "formulative"}, {"strategy": "none"}], "schedule[0].rounds"),
        ([{"strategy": "formulative", "until": "tuesday"}, {"strategy": "none"}], "until"),
        ([{"strategy": "formulative", "rounds": 0}, {"strategy": "none"}], "rounds"),
        (
            [{"strategy": "manipulative", "rounds": 2, "options": {"carot_value": 1}}],
            "options",
        ),
    ],
)
def test_bad_schedules_name_the_path(schedule, path):
    with pytest.raises(ConfigError) as err:
        _scenario(schedule)
    assert "mediator.schedule" in str(err.value) and path.split(".")[-1] in str(err.value)


@pytest.mark.parametrize("strategy", ["formulative", "none"])
def test_strategy_and_schedule_together_is_an_error(strategy):
    # Also "none", the default: written next to a schedule it would be silently ignored.
    data = minimal_scenario_dict()
    data["mediator"] = {"strategy": strategy, "schedule": [{"strategy": "formulative"}]}
    with pytest.raises(ConfigError, match=f"mediator.strategy = '{strategy}'"):
        build_scenario(data)


def test_strategy_from_outside_module(allow_import):
    data = minimal_scenario_dict()
    data["mediator"] = {
        "strategy": "tests.plugin_strategy:SplitTheDifference",
        "options": {"weight_b": 0.5},
    }
    sc = build_scenario(data)
    model = replay(sc, seed=0, run_index=0)
    first = model.engine.records[0].values
    assert int(first["proposer"][0]) == 2
    assert np.allclose(first["text"][0], 0.5)
    data["mediator"]["options"] = {"weight": 0.5}
    with pytest.raises(ConfigError, match="mediator.options"):
        build_scenario(data)


def test_compare_uses_common_random_numbers():
    sc = load_scenario(UKRAINE, overrides={"horizon": 12})
    cmp = compare(sc, ["none", "manipulative"], runs=400, seed=5)
    alone = simulate(
        load_scenario(UKRAINE, overrides={"horizon": 12, "mediator.strategy": "none"}),
        runs=400,
        seed=5,
    ).table
    pd.testing.assert_frame_equal(cmp.tables["none"], alone)
    paired = cmp.paired()
    assert paired["none"].diff == 0.0
    diff = paired["manipulative"]
    settled = {k: t["settlement_round"].notna().mean() for k, t in cmp.tables.items()}
    assert diff.diff == pytest.approx(settled["manipulative"] - settled["none"])
    assert diff.low < diff.diff < diff.high
    surv = survival_table(cmp.runs_table(), 12, "strategy").set_index(["strategy", "round"])
    assert surv.loc[("none", 12), "survival"] == pytest.approx(1.0 - settled["none"])
    assert surv.loc[("manipulative", 0), "survival"] == 1.0


def test_compare_cli_json_and_out(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(UKRAINE),
            "--strategies",
            "none,facilitative",
            "--runs",
            "300",
            "--seed",
            "3",
            "--set",
            "horizon=12",
            "--json",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["none", "facilitative"]
    for entry in data.values():
        assert {"runs", "seed", "horizon", "outcomes", "p_settlement", "p_settlement_ci"} <= set(
            entry
        )
        assert "diff_p_settlement_ci" in entry
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["strategies"] == ["none", "facilitative"]
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 600 and list(runs["strategy"].cat.categories) == ["none", "facilitative"]
    assert (out / "figures" / "time_to_settlement.png").stat().st_size > 1000
    assert (out / "figures" / "outcomes.png").exists()
    summary = pd.read_parquet(out / "summary.parquet")
    assert summary["strategy"].tolist() == ["none", "facilitative"]


def test_compare_cli_bad_strategy(capsys):
    code = main(["compare", str(UKRAINE), "--strategies", "none,formulatve", "--runs", "10"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "formulatve" in err[0] and "did you mean 'formulative'" in err[0]


def test_compare_writes_nothing_before_validating(tmp_path):
    out = tmp_path / "never"
    sc = load_scenario(UKRAINE, overrides={"horizon": 6})
    with pytest.raises(ConfigError):
        compare(sc, ["none", "no_such_strategy"], runs=10, seed=0)
    with pytest.raises(ConfigError):
        compare(sc, ["none", "none"], runs=10, seed=0)
    assert not out.exists()
    write_comparison(compare(sc, ["none"], runs=10, seed=0), out)
    assert (out / "manifest.json").exists()
