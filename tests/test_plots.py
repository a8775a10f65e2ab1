"""Every figure kind renders (Agg), with labelled axes, and plots exactly the table's data;
`negsim plot` writes the fitting figures for each kind of results folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.dataset as ds  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import sim  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.experiments.simulate import replay  # noqa: E402
from sim.reports import (
    analysis,  # noqa: E402
    plots,
)
from tests.conftest import UKRAINE  # noqa: E402

HORIZON = 12
STRATEGIES = ["none", "manipulative"]
LEVERAGE = "mediator.leverage.russia"
TRUST = "parties.russia.trust"


def _scenario(*overrides: str) -> sim.Scenario:
    return sim.load_scenario(UKRAINE, [f"horizon={HORIZON}", *overrides])


@pytest.fixture(scope="module")
def compare_runs() -> pd.DataFrame:
    frames = []
    for name in STRATEGIES:
        table = sim.simulate(_scenario(f"mediator.strategy={name}"), runs=300, seed=5).table
        frames.append(table.assign(strategy=name))
    runs = pd.concat(frames, ignore_index=True)
    runs["strategy"] = pd.Categorical(runs["strategy"], categories=STRATEGIES)
    return runs


@pytest.fixture(scope="module")
def sweep() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(points, runs) of a 3 x 2 grid over leverage and trust."""
    points, frames = [], []
    for i, (lev, trust) in enumerate((x, y) for x in (0.0, 0.5, 1.0) for y in (0.0, 0.4)):
        points.append({"point": i, LEVERAGE: lev, TRUST: trust})
        table = sim.simulate(
            _scenario(f"{LEVERAGE}={lev}", f"{TRUST}={trust}"), runs=150, seed=5
        ).table
        frames.append(table.assign(point=i))
    return pd.DataFrame(points), pd.concat(frames, ignore_index=True)


def _sweep_runs(sweep: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    points, runs = sweep
    return runs.merge(points, on="point")


def _labelled(ax: Any) -> None:
    assert ax.get_xlabel().strip(), "x axis without a label"
    assert ax.get_ylabel().strip(), "y axis without a label"


def _line(ax: Any, label: str) -> Any:
    lines = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(lines) == 1, f"no single line labelled {label!r}"
    return lines[0]


# --------------------------------------------------------------------------------------------
# Figure functions


def test_settlement_against_one_parameter(sweep: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    table = analysis.settlement_vs_parameter(_sweep_runs(sweep), LEVERAGE)
    fig = plots.plot_settlement_vs_parameter(table, LEVERAGE, horizon=HORIZON)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    _labelled(ax)
    assert ax.get_xlabel() == LEVERAGE
    assert "within 12 months" in ax.get_ylabel()
    line = _line(ax, plots.PROBABILITY_LABEL)
    np.testing.assert_array_equal(line.get_xdata(), table[LEVERAGE])
    np.testing.assert_array_equal(line.get_ydata(), table["p_settlement"])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(table["p_settlement_low"].min())
    assert band.max() == pytest.approx(table["p_settlement_high"].max())
    assert fig.get_size_inches()[0] == pytest.approx(plots.COLUMN_WIDTH)


def test_one_line_per_value_of_a_second_parameter(
    sweep: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    grid = analysis.settlement_grid(_sweep_runs(sweep), LEVERAGE, TRUST)
    fig = plots.plot_settlement_vs_parameter(grid, LEVERAGE, hue=TRUST)
    ax = fig.axes[0]
    for trust in (0.0, 0.4):
        line = _line(ax, f"{TRUST} = {trust:g}")
        rows = grid[grid[TRUST] == trust].sort_values(LEVERAGE)
        np.testing.assert_array_equal(line.get_ydata(), rows["p_settlement"])
    assert ax.get_legend() is not None


def test_heat_map_shows_the_grid_with_contours() -> None:
    xs, ys = [0.0, 0.5, 1.0], [0.0, 0.2, 0.6]
    rows = []
    for x in xs:
        for y in ys:
            p = 0.1 + 0.4 * x + 0.6 * y  # 0.1 .. 0.86: contour levels inside
            n = 1000
            rows.append({"x": x, "y": y, "runs": n, "settled": int(p * n), "p_settlement": p})
    grid = pd.DataFrame(rows)
    fig = plots.plot_settlement_heatmap(grid, "x", "y", xlabel="leverage", ylabel="trust")
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("leverage", "trust")
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    want = analysis.grid_matrix(grid, "x", "y").to_numpy()
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(want.shape), want)
    contours = [c for c in ax.collections if c is not mesh]
    assert contours, "no contour lines drawn"
    assert ax.texts, "contour lines without labels"
    colourbar = fig.axes[1]
    assert "Settlement probability" in colourbar.get_ylabel()


def test_heat_map_of_a_simulated_sweep_leaves_empty_cells_blank(
    sweep: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    grid = analysis.settlement_grid(_sweep_runs(sweep), LEVERAGE, TRUST)
    grid = grid.drop(index=0)  # one cell without runs
    fig = plots.plot_settlement_heatmap(grid, LEVERAGE, TRUST)
    mesh = next(c for c in fig.axes[0].collections if isinstance(c, QuadMesh))
    values = mesh.get_array()
    assert np.ma.count_masked(values) == 1


def test_settlement_per_strategy(compare_runs: pd.DataFrame) -> None:
    table = analysis.settlement_probability(compare_runs, "strategy")
    fig = plots.plot_settlement_by_group(table, "strategy", xlabel="Mediator strategy")
    ax = fig.axes[0]
    _labelled(ax)
    (container,) = ax.containers
    assert container.get_label() == plots.PROBABILITY_LABEL
    data_line = container.lines[0]
    np.testing.assert_array_equal(data_line.get_ydata(), table["p_settlement"])
    assert [t.get_text() for t in ax.get_xticklabels()] == STRATEGIES


def test_survival_and_hazard_per_strategy(compare_runs: pd.DataFrame) -> None:
    surv = analysis.survival_table(compare_runs, HORIZON, "strategy")
    haz = analysis.hazard_table(compare_runs, HORIZON, "strategy")
    fig = plots.plot_time_to_settlement(surv, haz, by="strategy")
    left, right = fig.axes
    for ax in (left, right):
        _labelled(ax)
        assert "Months" in ax.get_xlabel()
    for name in STRATEGIES:
        rows = surv[surv["strategy"] == name]
        line = _line(left, name)
        np.testing.assert_array_equal(line.get_xdata(), rows["round"])
        np.testing.assert_array_equal(line.get_ydata(), rows["survival"])
        rows = haz[(haz["strategy"] == name) & (haz["at_risk"] >= plots.MIN_AT_RISK)]
        np.testing.assert_array_equal(_line(right, name).get_ydata(), rows["hazard"])
    assert fig.get_size_inches()[0] == pytest.approx(plots.PAGE_WIDTH)
    cumulative = plots.plot_survival(surv, by="strategy", cumulative=True)
    line = _line(cumulative.axes[0], STRATEGIES[0])
    want = surv.loc[surv["strategy"] == STRATEGIES[0], "cumulative_incidence"]
    np.testing.assert_array_equal(line.get_ydata(), want)


def test_outcome_shares_stack_to_the_table(compare_runs: pd.DataFrame) -> None:
    shares = analysis.outcome_shares(compare_runs, "strategy")
    fig = plots.plot_outcome_shares(shares, by="strategy")
    ax = fig.axes[0]
    assert ax.get_ylabel()
    occurred = shares.groupby("outcome", observed=True)["runs"].sum()
    shown = [str(o) for o, n in occurred.items() if n > 0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(labels) == sorted(shown)
    for container in ax.containers:
        outcome = container.get_label()
        heights = [bar.get_height() for bar in container]
        want = shares[shares["outcome"].astype(str) == outcome].set_index("strategy")["share"]
        np.testing.assert_allclose(heights, want.loc[STRATEGIES].to_numpy())
    tops = sum(np.array([bar.get_height() for bar in c]) for c in ax.containers)
    np.testing.assert_allclose(tops, 1.0)


def test_the_single_run_panels(ukraine: sim.Scenario) -> None:
    model = replay(ukraine, 7, 1)
    trace = analysis.trace_table(model)
    parties = (ukraine.a, ukraine.b)
    fig = plots.plot_run(trace, parties, title="run 1")
    front, costs, beliefs, values, refusals = fig.axes[:5]
    for ax in (front, costs, beliefs, values, refusals):
        assert ax.get_ylabel().strip()
    assert "Months" in refusals.get_xlabel()
    np.testing.assert_allclose(_line(front, "front line").get_ydata(), 100 * trace["control"])
    np.testing.assert_array_equal(
        _line(costs, f"exhaustion {ukraine.b}").get_ydata(), trace[f"exhaustion_{ukraine.b}"]
    )
    offers = _line(values, f"text on the table, to {ukraine.a}").get_ydata()
    want = trace[f"utility_{ukraine.a}"].to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(offers), np.isnan(want))
    np.testing.assert_allclose(offers[~np.isnan(offers)], want[~np.isnan(want)])
    # One marker per refusal, at the party's row.
    refused = sum(
        int(trace[f"refusal_{p}"].notna().sum()) for p in parties if f"refusal_{p}" in trace
    )
    markers = sum(
        len(line.get_xdata())
        for line in refusals.get_lines()
        if str(line.get_gid()).startswith("refusal:")
    )
    assert markers == refused


def test_sensitivity_bars_equal_the_indices() -> None:
    params = ["x", "y", "z"]
    sobol = pd.DataFrame(
        {
            "output": ["p_settlement"] * 3 + ["restricted_mean_settlement_round"] * 3,
            "parameter": params * 2,
            "S1": [0.5, 0.1, 0.0, 0.3, 0.2, 0.0],
            "S1_conf": [0.05] * 6,
            "ST": [0.6, 0.2, 0.0, 0.4, 0.3, 0.0],
            "ST_conf": [0.04] * 6,
        }
    )
    fig = plots.plot_sensitivity(sobol)
    first = fig.axes[0]
    assert "Sobol" in first.get_xlabel() and first.get_ylabel() == "Parameter"
    order = [t.get_text() for t in first.get_yticklabels()]
    assert order == ["z", "y", "x"]  # largest total index on top
    s1_bars, st_bars = (c for c in first.containers if isinstance(c, BarContainer))
    assert (s1_bars.get_label(), st_bars.get_label()) == (
        "first order S1 (share of variance)",
        "total ST (share of variance)",
    )
    want = sobol[sobol["output"] == "p_settlement"].set_index("parameter").loc[order]
    np.testing.assert_allclose([b.get_width() for b in s1_bars], want["S1"])
    np.testing.assert_allclose([b.get_width() for b in st_bars], want["ST"])
    morris = sobol.rename(columns={"S1": "mu_star", "S1_conf": "mu_star_conf", "ST": "sigma"})
    morris = morris.drop(columns="ST_conf")
    fig = plots.plot_sensitivity(morris)
    assert fig.axes[0].get_xlabel() == "Elementary effect (probability)"
    assert "rounds" in fig.axes[1].get_xlabel()


def test_plots_draw_into_a_given_axis_and_leave_rcparams_alone(
    compare_runs: pd.DataFrame,
) -> None:
    before = dict(mpl.rcParams)
    fig = Figure()
    ax = fig.add_subplot()
    table = analysis.settlement_probability(compare_runs, "strategy")
    assert plots.plot_settlement_by_group(table, "strategy", ax=ax) is fig
    assert len(fig.axes) == 1 and ax.containers
    after = dict(mpl.rcParams)
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}


# --------------------------------------------------------------------------------------------
# negsim plot on each kind of folder


def _manifest(folder: Path, **fields: Any) -> None:
    base = {"seed": 5, "version": sim.__version__, "horizon": HORIZON, "scenario_name": "t"}
    (folder / "manifest.json").write_text(json.dumps({**base, **fields}), encoding="utf-8")


def _plot(folder: Path, *extra: str) -> list[str]:
    assert main(["plot", str(folder), *extra]) == 0
    return sorted(p.name for p in (folder / "figures").iterdir())


@pytest.mark.slow
def test_plot_a_run_folder_and_a_trace_folder(tmp_path: Path) -> None:
    batch, trace = tmp_path / "batch", tmp_path / "trace"
    args = ["run", str(UKRAINE), "--set", f"horizon={HORIZON}", "--seed", "3"]
    assert main([*args, "--runs", "200", "--out", str(batch)]) == 0
    assert _plot(batch) == ["outcomes.png", "time_to_settlement.png"]
    assert main([*args, "--run-index", "4", "--out", str(trace)]) == 0
    manifest = json.loads((trace / "manifest.json").read_text())
    assert manifest["kind"] == "trace" and manifest["run_index"] == 4
    table = pd.read_parquet(trace / "trace.parquet")
    assert table["round"].tolist() == list(range(1, len(table) + 1))
    assert _plot(trace, "--format", "svg") == ["run.svg"]


def test_plot_a_compare_folder(tmp_path: Path, compare_runs: pd.DataFrame) -> None:
    compare_runs.to_parquet(tmp_path / "runs.parquet")
    analysis.settlement_probability(compare_runs, "strategy").to_parquet(
        tmp_path / "summary.parquet"
    )
    _manifest(tmp_path, kind="compare", strategies=STRATEGIES)
    assert _plot(tmp_path, "--format", "pdf") == [
        "outcomes.pdf",
        "settlement_by_strategy.pdf",
        "time_to_settlement.pdf",
    ]


def test_plot_a_sweep_folder(tmp_path: Path, sweep: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    points, runs = sweep
    points.to_parquet(tmp_path / "points.parquet")
    ds.write_dataset(
        pa.Table.from_pandas(runs, preserve_index=False),
        tmp_path / "runs",
        format="parquet",
        partitioning=["point"],
        partitioning_flavor="hive",
    )
    _manifest(tmp_path, kind="sweep", parameters=[LEVERAGE, TRUST])
    names = _plot(tmp_path)
    assert names == sorted(
        [
            "outcomes.png",
            "settlement_heatmap.png",
            "settlement_vs_mediator_leverage_russia.png",
            "settlement_vs_parties_russia_trust.png",
            "time_to_settlement_by_mediator_leverage_russia.png",
        ]
    )
    # The runs read back from the partitioned dataset are the runs written.
    from sim.experiments.figures import sweep_runs

    back = sweep_runs(tmp_path, [LEVERAGE, TRUST])
    assert len(back) == len(runs)
    assert back.groupby("point").size().tolist() == runs.groupby("point").size().tolist()


def test_plot_a_sensitivity_folder(tmp_path: Path) -> None:
    indices = pd.DataFrame(
        {
            "output": ["p_settlement"] * 2,
            "parameter": ["a", "b"],
            "S1": [0.4, 0.0],
            "S1_conf": [0.1, 0.1],
            "ST": [0.5, 0.0],
            "ST_conf": [0.1, 0.1],
        }
    )
    indices.to_parquet(tmp_path / "indices.parquet")
    _manifest(tmp_path, kind="sensitivity", method="sobol")
    assert _plot(tmp_path) == ["sensitivity.png"]


@pytest.mark.parametrize(
    "setup, message",
    [
        ("missing folder", "expected an existing results folder"),
        ("no manifest", "manifest.json = '<missing>'"),
        ("unknown kind", "kind = 'heap': expected one of"),
        ("malformed", "malformed JSON"),
        ("sweep without parameters", "parameters = None"),
        ("compare without runs", "expected a results file"),
    ],
)
def test_plot_refuses_bad_folders_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, message: str
) -> None:
    folder = tmp_path / "results"
    if setup != "missing folder":
        folder.mkdir()
    if setup == "unknown kind":
        _manifest(folder, kind="heap")
    elif setup == "malformed":
        (folder / "manifest.json").write_text("{kind: ", encoding="utf-8")
    elif setup == "sweep without parameters":
        _manifest(folder, kind="sweep")
    elif setup == "compare without runs":
        _manifest(folder, kind="compare")
    assert main(["plot", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_plot_refuses_an_unknown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _manifest(tmp_path, kind="sensitivity")
    assert main(["plot", str(tmp_path), "--format", "jpg"]) == 2
    assert "--format = 'jpg'" in capsys.readouterr().err


def test_make_figures_smoke(tmp_path: Path) -> None:
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location(
        "make_figures", ROOT / "experiments/make_figures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    for step in module.STEPS:
        if step.spec is not None:
            assert (ROOT / step.spec).is_file(), step.spec
    docs = tmp_path / "docs"
    assert (
        module.main(["--quick", "--only", "run", "--out", str(tmp_path), "--docs", str(docs)]) == 0
    )
    assert (tmp_path / "run" / "figures" / "run.png").is_file()
    assert (docs / "single_run.png").stat().st_size < module.MAX_PNG_BYTES


def test_colours_and_markers_come_from_the_declared_vocabularies() -> None:
    from sim.model.outcomes import OUTCOMES, REASONS

    assert plots.REFUSAL_ORDER == ("terms", "trust", "domestic", "noise", "veto", "member")
    assert [plots.REFUSAL_MARKERS[r.label] for r in REASONS[1:]] == ["s", "D", "^", "x", "v", "P"]
    # Capitulations take their colours in the order they come (party A's first).
    labels = [o.label.format(party=f"party{o.party}") for o in OUTCOMES]
    colours = plots.outcome_colours(labels)
    assert [colours[label] for label in labels] == [o.colour for o in OUTCOMES]
