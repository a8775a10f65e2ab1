"""The app's pages (what `negsim app` serves through `solara run sim.app.pages`).

Strategy lab (/): a scenario (shipped or uploaded), sliders over its documented assumption
ranges, `--set` lines, strategies, runs and seed; Run compares the strategies on common
draws and shows settlement with intervals, time to settlement and outcome shares, with the
runs table and the overridden scenario to download.

One war (/one-war): one run of the lab's batch, stepped or played round by round in Mesa's
SolaraViz (sim.app.one_war).

State lives in module-level reactive variables: Solara keeps one copy per browser session,
so the One-war page sees the lab's scenario, overrides and seed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import reacton.ipywidgets as widgets
import solara
import solara.lab

from sim.app import logic
from sim.errors import ConfigError

# The scenario `negsim app SCENARIO` was started with (default: the main shipped one).
SCENARIO_ENV = "NEGSIM_APP_SCENARIO"
START_SCENARIO = os.environ.get(SCENARIO_ENV) or "ukraine_2025"
DEFAULT_STRATEGIES = [logic.AS_CONFIGURED, "none", "facilitative", "formulative"]

scenario_path = solara.reactive(START_SCENARIO)
uploaded_name: solara.Reactive[str | None] = solara.reactive(None)
slider_values: solara.Reactive[dict[str, float]] = solara.reactive({})
set_text = solara.reactive("")
strategies = solara.reactive(list(DEFAULT_STRATEGIES))
runs_text = solara.reactive(str(logic.DEFAULT_RUNS))
seed_text = solara.reactive("0")
lab_error: solara.Reactive[str | None] = solara.reactive(None)
progress = solara.reactive(0.0)
result: solara.Reactive[logic.LabResult | None] = solara.reactive(None)
# What the last run was asked, for the One-war page: (path, shown, overrides, seed, runs).
batch: solara.Reactive[tuple[str, str | None, tuple[str, ...], int, int] | None] = solara.reactive(
    None
)


def _overrides(rows: list[logic.Assumption]) -> list[str]:
    """The sliders moved, then the `--set` lines (a later one wins, as on the CLI)."""
    return logic.slider_overrides(rows, slider_values.value) + logic.parse_set_lines(set_text.value)


@solara.lab.task(prefer_threaded=True)
def run_lab(
    path: str, shown: str | None, overrides: list[str], names: list[str], runs: int, seed: int
) -> None:
    try:
        scenario = logic.load(path, overrides, shown)
        progress.set(0.0)
        done = logic.run_lab(scenario, names, runs, seed, overrides, progress=progress.set)
        # The batch first: once the results show, the One-war page already steps their runs.
        batch.set((path, shown, tuple(overrides), seed, runs))
        result.set(done)
    except Exception as err:  # any failure is a line on the page, and the app goes on
        lab_error.set(logic.message(err))


def _choose_shipped(name: str | None) -> None:
    if name is None:
        return
    scenario_path.set(name)
    uploaded_name.set(None)
    slider_values.set({})
    lab_error.set(None)


def _receive(file: Any) -> None:
    """An uploaded scenario: checked as `negsim run` checks it, kept if it loads."""
    name, data = file["name"], file["data"] or b""
    folder = Path(tempfile.mkdtemp(prefix="negsim-app-"))
    path = logic.save_upload(name, data, folder)
    try:
        logic.load(path, [], path.name)
    except (ConfigError, OSError) as err:
        lab_error.set(logic.message(err))
        return
    scenario_path.set(str(path))
    uploaded_name.set(path.name)
    slider_values.set({})
    lab_error.set(None)


def _picked(value: Any) -> None:
    """A file chosen in the picker (ipywidgets' FileUpload: a tuple of dicts)."""
    for item in value or ():
        _receive({"name": item["name"], "data": bytes(item["content"])})


@solara.component
def ScenarioPicker() -> None:
    names = logic.shipped_scenarios()
    shown = uploaded_name.value
    chosen: str | None = scenario_path.value if scenario_path.value in names else None
    solara.Select(
        "Shipped scenario",
        values=names,
        value=chosen,
        on_value=_choose_shipped,
    )
    solara.FileDrop(label="…or drop a scenario YAML here", on_file=_receive, lazy=False)
    # The same through the system's file picker.
    widgets.FileUpload(
        accept=".yaml,.yml",
        multiple=False,
        description="Upload YAML",
        on_value=_picked,
    )
    if shown is not None:
        solara.Text(f"Uploaded: {shown}", classes=["lab-uploaded"])
    elif scenario_path.value not in names:
        solara.Text(f"File: {scenario_path.value}")  # as given to `negsim app`


@solara.component
def Sliders(rows: list[logic.Assumption]) -> None:
    values = slider_values.value
    with solara.Column(style={"max-height": "480px", "overflow-y": "auto"}):
        for row in rows:

            def moved(value: float, path: str = row.path) -> None:
                slider_values.set({**slider_values.value, path: value})

            current = values.get(row.path, row.value)
            if row.integer:
                solara.SliderInt(
                    row.path,
                    value=int(current),
                    min=int(row.low),
                    max=int(row.high),
                    step=1,
                    on_value=moved,
                )
            else:
                solara.SliderFloat(
                    row.path,
                    value=float(current),
                    min=float(row.low),
                    max=float(row.high),
                    step=float(row.step),
                    on_value=moved,
                )


@solara.component
def Results(res: logic.LabResult) -> None:
    rows = res.rows()
    cmp = res.comparison
    solara.Markdown(
        f"**{cmp.scenario.name}**: {cmp.runs:,} runs per strategy, seed {cmp.seed}, "
        "common draws" + (f"; overrides `{' '.join(res.overrides)}`" if res.overrides else "")
    )
    table = [
        "| strategy | settlement within the horizon | median round | collapsed | outcomes |",
        "|---|---|---|---|---|",
    ]
    table += [
        f"| {r['strategy']} | {r['p_settlement']} ({r['interval']}) | {r['median_round']} "
        f"| {r['collapsed']} | {r['shares']} |"
        for r in rows
    ]
    with solara.Column(classes=["lab-results"]):
        solara.Markdown("\n".join(table))
    curves, shares = solara.use_memo(res.figures, [res])
    solara.FigureMatplotlib(curves, format="png")
    solara.FigureMatplotlib(shares, format="png")
    path, shown, overrides, _, _ = batch.value or (scenario_path.value, None, (), 0, 0)
    stem = Path(shown or path).stem
    with solara.Row():
        solara.FileDownload(
            lambda: res.runs_bytes("parquet"), filename="runs.parquet", label="runs.parquet"
        )
        solara.FileDownload(lambda: res.runs_bytes("csv"), filename="runs.csv", label="runs.csv")
        solara.FileDownload(
            lambda: logic.scenario_yaml(path, overrides, shown),
            filename=f"{stem}_overridden.yaml",
            label="scenario YAML (overrides applied)",
        )


@solara.component
def StrategyLab() -> None:
    path, shown = scenario_path.value, uploaded_name.value

    def read_rows() -> tuple[list[logic.Assumption], str | None]:
        try:
            return logic.assumptions(path), None
        except (ConfigError, OSError) as err:
            return [], logic.message(
                logic.as_given(err, Path(path), shown) if isinstance(err, ConfigError) else err
            )

    rows, rows_error = solara.use_memo(read_rows, [path])
    overrides = _overrides(rows)

    def press_run() -> None:
        lab_error.set(None)
        try:
            runs, seed = logic.check_runs_and_seed(runs_text.value, seed_text.value)
            names = [n for n in logic.strategy_names() if n in strategies.value]
            if not names:
                raise ConfigError("--strategies", "", "at least one strategy name")
            logic.parse_set_lines(set_text.value)
            from sim.model.config import parse_overrides

            parse_overrides(overrides)
        except ConfigError as err:
            lab_error.set(logic.message(err))
            return
        run_lab(path, shown, overrides, names, runs, seed)

    solara.Title("negsim: strategy lab")
    with solara.AppBar():
        solara.AppBarTitle("negsim")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Scenario"):
            ScenarioPicker()
        with solara.Card("Run"):
            solara.SelectMultiple(
                "Strategies",
                values=strategies.value,
                all_values=logic.strategy_names(),
                on_value=strategies.set,
            )
            solara.InputText("Runs per strategy", value=runs_text)
            solara.InputText("Seed", value=seed_text)
            solara.Button(
                "Run",
                color="primary",
                on_click=press_run,
                disabled=run_lab.pending,
                classes=["lab-run"],
            )
        with (
            solara.Card("Overrides: PATH=VALUE a line"),
            solara.Column(classes=["lab-set"]),
        ):
            solara.InputTextArea("--set", value=set_text, rows=3)
        with solara.Card(f"Assumptions ({len(rows)} with a documented range)"):
            Sliders(rows)
    with solara.Column():
        solara.Markdown("## Strategy lab")
        solara.Text(
            "overrides: " + (" ".join(f"--set {o}" for o in overrides) or "none"),
            classes=["lab-overrides"],
        )
        for text in (rows_error, lab_error.value):
            if text is not None:
                solara.Error(text, classes=["negsim-error"])
        if run_lab.pending:
            solara.Text(f"running: {progress.value:.0%}", classes=["lab-progress"])
            solara.ProgressLinear(value=progress.value * 100)
        if result.value is not None:
            Results(result.value)
        elif not run_lab.pending:
            solara.Markdown("Pick strategies and press **Run**.")


one_war_strategy = solara.reactive(logic.AS_CONFIGURED)
one_war_index = solara.reactive("0")
one_war_at: solara.Reactive[tuple[str, int] | None] = solara.reactive(None)
one_war_error: solara.Reactive[str | None] = solara.reactive(None)


@solara.component
def OneWar() -> None:
    from sim.app.one_war import one_war_viz

    path, shown, overrides, seed, runs = batch.value or (
        scenario_path.value,
        uploaded_name.value,
        (),
        0,
        None,
    )
    names = result.value.comparison.names if result.value is not None else [logic.AS_CONFIGURED]
    strategy, index = one_war_at.value or (names[0], 0)

    def go() -> None:
        try:
            at = logic.check_run_index(one_war_index.value, runs)
        except ConfigError as err:
            one_war_error.set(logic.message(err))
            return
        one_war_error.set(None)
        one_war_at.set(
            (one_war_strategy.value if one_war_strategy.value in names else names[0], at)
        )

    def build() -> tuple[Any, str | None]:
        try:
            sc = logic.load(path, list(overrides), shown)
            return logic.war_scenario(sc, strategy), None
        except ConfigError as err:
            return None, logic.message(err)

    scenario, error = solara.use_memo(build, [path, overrides, strategy])
    solara.Title("negsim: one war")
    with solara.Column():
        with solara.Row(style={"align-items": "baseline"}):
            solara.Select(
                "Strategy",
                values=names,
                value=strategy if strategy in names else names[0],
                on_value=one_war_strategy.set,
            )
            solara.InputText("Run index", value=one_war_index, classes=["one-war-index"])
            solara.Button("Go to run", color="primary", on_click=go, classes=["one-war-go"])
            solara.Text(
                f"seed {seed}" + (f", batch of {runs:,} runs" if runs else ""),
            )
        for text in (error, one_war_error.value):
            if text is not None:
                solara.Error(text, classes=["negsim-error"])
    if scenario is not None:
        one_war_viz(scenario, seed, index).key(f"{strategy}/{seed}/{index}/{overrides}")


routes = [
    solara.Route(path="/", component=StrategyLab, label="Strategy lab"),
    solara.Route(path="one-war", component=OneWar, label="One war"),
]
