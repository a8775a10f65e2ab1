"""The One-war page: one run of the batch, stepped or played round by round in Mesa's
SolaraViz.

`NegotiationModel` is a Mesa model whose `step()` is one round, so SolaraViz's Step, Play
and Reset drive it as they are. What this page adds is a model of one traced run that
SolaraViz can rebuild from keyword arguments (`OneWarModel`), the components that show it
(the round just played, the story so far, the run's panels), and a jump to any run index
of the lab's batch: a replay of that run alone, bit for bit the run inside the batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import solara
from mesa.visualization import SolaraViz

from sim.app import logic
from sim.model.shell import NegotiationModel

# Milliseconds between rounds when playing: slow enough to read the round as it passes.
PLAY_INTERVAL = 400
# The story's lines are long (a round's text names every issue): wrapped, not cut off, in
# SolaraViz's half-width cards.
_TEXT_STYLE = "white-space: pre-wrap; font-family: monospace; font-size: 12px; margin: 0"


def _text(text: str, css_class: str) -> None:
    solara.v.Html(tag="pre", children=[text], class_=css_class, style_=_TEXT_STYLE)


class OneWarModel(NegotiationModel):
    """One run of a scenario (run `run_index` of the batch with `seed`), traced, to step.

    Keyword arguments only, as SolaraViz rebuilds the model from them on Reset.
    """

    def __init__(self, scenario: Any = None, seed: int = 0, run_index: int = 0) -> None:
        super().__init__(
            scenario,
            runs=1,
            seed=int(seed),
            run_indices=np.array([int(run_index)], dtype=np.int64),
            trace=True,
            collect=False,
        )
        self.run_index = int(run_index)


# The three views are plain functions of the model, not Solara components: SolaraViz wraps
# plain functions in a component that redraws after each step; a component passed as it is
# would not be told of the steps.


def ThisRound(model: OneWarModel) -> None:
    """The round just played: front, costs, beliefs, the text, who refused and why."""
    from sim.reports.story import story_rounds

    _, rounds, summary = story_rounds(model, model.run_index)
    with solara.Column(classes=["one-war-now"]):
        if not rounds:
            solara.Markdown(
                f"**Run {model.run_index}, seed {model.seed_value}** of "
                f"{model.war_scenario.name}: not started. "
                "Press Step or ▶ in the sidebar."
            )
            return
        horizon = model.war_scenario.horizon
        ended = "" if model.running else " (the run has ended)"
        solara.Markdown(f"**Round {len(rounds)} of {horizon}{ended}**")
        _text("\n".join(rounds[-1] + ([""] + summary if summary else [])), "one-war-round")


def StorySoFar(model: OneWarModel) -> None:
    """Every round so far, in the lines of `negsim run --run-index`."""
    _text(logic.story_so_far(model, model.run_index), "one-war-story")


def RunPanels(model: OneWarModel) -> None:
    """Front, exhaustion and costs, beliefs, values and refusals so far (`plot_run`)."""
    if not model.engine.records:
        solara.Text("The panels appear after the first round.")
        return
    from sim.reports.plots import plot_run
    from sim.reports.trace import trace_table

    sc = model.war_scenario
    fig = plot_run(trace_table(model), (sc.a, sc.b), round_days=sc.round_days)
    solara.FigureMatplotlib(fig, format="png")


def one_war_viz(scenario: Any, seed: int, run_index: int) -> Any:
    """SolaraViz over run `run_index` of the batch with `seed`."""
    model = OneWarModel(scenario=scenario, seed=seed, run_index=run_index)
    return SolaraViz(
        model,
        components=[(ThisRound, 0), (RunPanels, 0), (StorySoFar, 1)],
        model_params={"scenario": scenario, "seed": seed, "run_index": run_index},
        play_interval=PLAY_INTERVAL,
        name=f"One war: {scenario.name}, run {run_index}, seed {seed}",
    )
