"""Same seed, same numbers; any run can be replayed alone; chunking changes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import NegotiationModel, replay, simulate
from sim.reports.results import engine_table

SEED = 7
RUNS = 3000
# Chunk edges for chunk_size 512 (511/512, 1023/1024, ...) and 4096 (none below 3000).
INDICES = [0, 1, 2, 123, 510, 511, 512, 513, 777, 1023, 1024, 1337, 1500, 2047, 2048, 2222]
INDICES += [2559, 2560, 2998, 2999]
KEY_COLUMNS = ["outcome", "settlement_round", "first_agreement", "collapse_round", "end_round"]


@pytest.fixture(scope="module")
def batch(ukraine) -> pd.DataFrame:
    return simulate(ukraine, runs=RUNS, seed=SEED, chunk_size=512).table


def test_same_seed_gives_identical_table(ukraine):
    first = simulate(ukraine, runs=500, seed=SEED).table
    second = simulate(ukraine, runs=500, seed=SEED).table
    pd.testing.assert_frame_equal(first, second)


def test_different_seed_gives_different_table(ukraine):
    first = simulate(ukraine, runs=500, seed=SEED).table
    other = simulate(ukraine, runs=500, seed=SEED + 1).table
    assert not first.equals(other)
    # Not just a relabelling: the runs themselves differ.
    assert not np.allclose(first["final_control"], other["final_control"])


@pytest.mark.slow
def test_chunk_size_does_not_change_results(ukraine, batch):
    big = simulate(ukraine, runs=RUNS, seed=SEED, chunk_size=4096).table
    pd.testing.assert_frame_equal(batch, big)
    odd = simulate(ukraine, runs=RUNS, seed=SEED, chunk_size=777).table
    pd.testing.assert_frame_equal(batch, odd)


def test_batch_is_varied(batch):
    """Replay tests below are only meaningful if the runs differ from one another."""
    assert batch["outcome"].nunique() >= 3
    assert batch["settlement_round"].nunique() >= 5


def _assert_row_matches(row: pd.Series, alone: pd.Series, terms: list[str]) -> None:
    assert alone["run"] == row["run"]
    for col in KEY_COLUMNS:
        a, b = alone[col], row[col]
        assert (pd.isna(a) and pd.isna(b)) or a == b, (col, a, b)
    np.testing.assert_array_equal(
        alone[terms].to_numpy(dtype=float), row[terms].to_numpy(dtype=float)
    )
    assert alone["final_control"] == row["final_control"]


@pytest.mark.slow
@pytest.mark.parametrize("index", INDICES)
def test_replay_alone_matches_batch_row(ukraine, batch, index):
    terms = [c for c in batch.columns if c.startswith("terms_")]
    row = batch.iloc[index]
    # 1. a one-run model started at the run's global index
    model = NegotiationModel(ukraine, runs=1, seed=SEED, first_run=index, collect=False).run()
    _assert_row_matches(row, engine_table(model.engine).iloc[0], terms)
    # 2. sim.replay (with the per-round trace on: tracing must not change anything)
    traced = replay(ukraine, SEED, index)
    _assert_row_matches(row, engine_table(traced.engine).iloc[0], terms)
    assert len(traced.engine.records) == traced.engine.round
    # 3. simulate with first_run
    alone = simulate(ukraine, runs=1, seed=SEED, first_run=index).table.iloc[0]
    _assert_row_matches(row, alone, terms)


def test_offset_batch_matches_slice(ukraine, batch):
    """A batch starting mid-experiment reproduces the same rows."""
    part = simulate(ukraine, runs=300, seed=SEED, first_run=1000, chunk_size=128).table
    expected = batch.iloc[1000:1300].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, expected)


@pytest.mark.parametrize(
    ("config", "strategy"),
    [
        ("ukraine_2025.yaml", None),
        ("ukraine_2025_us_schedule.yaml", None),
        # Strategies that withdraw from settled runs see them; those that never do, not.
        ("ukraine_2025.yaml", {"strategy": "normalization_carrot", "options": {"exit_after": 2}}),
        ("ukraine_2025.yaml", {"strategy": "withdrawal", "options": {"after_rounds": 4}}),
        ("ukraine_2025.yaml", {"strategy": "none"}),
    ],
)
def test_compacting_to_runs_still_talking_changes_nothing(config, strategy, monkeypatch):
    """The engine computes a phase only for the runs it can change, and leaves runs that
    ended for good; the table must be the same, bit for bit, as when every run is computed
    every round."""
    from sim import load_scenario, simulate
    from sim.model import engine
    from tests.conftest import ROOT

    overrides: dict = {"horizon": 30}
    if strategy is not None:
        overrides.update({f"mediator.{k}": v for k, v in strategy.items()})
    sc = load_scenario(ROOT / "configs" / config, overrides=overrides)
    compact = simulate(sc, runs=700, seed=13).table
    monkeypatch.setattr(engine, "_COMPACT_MIN_RUNS", 10**9)
    full = simulate(sc, runs=700, seed=13).table
    pd.testing.assert_frame_equal(compact, full)


@pytest.mark.parametrize(
    "override",
    [
        {"parties.russia.breaking_point": 0.001},
        {"parties.ukraine.cost_per_month": 1.0},
        {"stakeholders.china.sanctions": 1.0},
    ],
)
def test_a_batch_whose_runs_nearly_all_end_in_the_first_round_runs(ukraine_path, override):
    """Valid extremes: a side breaks in round 1 in (nearly) every run, so the first round's
    later phases run on a compact copy of the few runs left, or on none."""
    from sim import load_scenario

    scenario = load_scenario(ukraine_path, override)
    table = simulate(scenario, runs=300, seed=SEED).table
    assert (table["end_round"] == 1).mean() > 0.9
    terms = [c for c in table.columns if c.startswith("terms_")]
    for index in (0, 151, 299):
        alone = simulate(scenario, runs=1, seed=SEED, first_run=index).table.iloc[0]
        _assert_row_matches(table.iloc[index], alone, terms)


def test_the_smallest_noise_runs_without_warnings_and_a_smaller_one_is_refused(ukraine_path):
    """The parties' learning divides by noise_sd squared: at 1e-6, the lowest value taken, no
    floating-point warning is raised; at 1e-300 the square would underflow to zero."""
    import warnings

    from sim import ConfigError, load_scenario

    scenario = load_scenario(ukraine_path, {"battlefield.noise_sd": 1e-6, "horizon": 24})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = simulate(scenario, runs=300, seed=SEED).table
    assert np.isfinite(table["final_control"]).all()
    with pytest.raises(ConfigError, match=r"battlefield.noise_sd = 1e-300: expected a number in"):
        load_scenario(ukraine_path, {"battlefield.noise_sd": 1e-300})
