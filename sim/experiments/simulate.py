"""Run many runs of a scenario: chunks of the runs axis through one Mesa model each."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model.config import Scenario
from sim.model.params import (
    STRUCTURAL,
    ModelParams,
    compile_params,
    epoch_rounds,
    stack_params,
    take_runs,
)
from sim.model.shell import NegotiationModel, release_finished_models
from sim.reports.results import Summary, Tally, engine_table, summarise
from sim.version import __version__

# Chunks large enough that numpy's per-call overhead is amortised over many runs: after the
# first rounds only a few percent of the runs are still talking, and the rounds' fixed cost
# (a few ms) dominates small chunks. On the Ukraine scenario 32,768 runs a chunk ran ~1.3x
# faster than 8,192 and about as fast as 65,536 (measured interleaved, one core); its
# working set (~30 MB for the engine, a few times that in temporaries) is still small.
DEFAULT_CHUNK = 32768


@dataclass
class Results:
    """The outcome of `simulate`: one row per run, plus what produced it."""

    scenario: Scenario
    seed: int
    table: pd.DataFrame

    def summary(self) -> Summary:
        sc = self.scenario
        return summarise(
            self.table,
            seed=self.seed,
            horizon=sc.horizon,
            start=sc.start,
            round_days=sc.round_days,
        )

    def metadata(self) -> dict[str, Any]:
        return run_metadata(self.scenario, self.seed, len(self.table))


def run_metadata(scenario: Scenario, seed: int, runs: int) -> dict[str, Any]:
    """What a batch's table carries of where it came from (the Parquet metadata and the
    manifest of `negsim run --out`)."""
    return {
        "scenario_name": scenario.name,
        "scenario_file": scenario.source_file,
        "scenario": scenario.to_dict(),
        "seed": seed,
        "runs": runs,
        "horizon": scenario.horizon,
        "version": __version__,
    }


def iter_chunks(
    scenario: Scenario, runs: int, seed: int, *, first_run: int = 0, chunk_size: int = DEFAULT_CHUNK
) -> Iterator[pd.DataFrame]:
    """Yield per-run tables chunk by chunk (so callers can stream them to disk)."""
    if runs < 0:
        raise ValueError(f"runs must be non-negative, got {runs}")
    for start in range(first_run, first_run + runs, chunk_size):
        size = min(chunk_size, first_run + runs - start)
        yield _run_chunk(scenario, seed, np.arange(start, start + size, dtype=np.int64))


def _run_chunk(
    scenario: Scenario, seed: int, indices: np.ndarray, params: ModelParams | None = None
) -> pd.DataFrame:
    """One chunk through one Mesa model: its per-run table, the model freed at once."""
    model = NegotiationModel(scenario, seed=seed, run_indices=indices, collect=False, params=params)
    model.run()
    table = engine_table(model.engine)
    model.release()  # the chunk's arrays go now, without a garbage collection
    del model
    release_finished_models()  # models the caller made and left: collected in batches
    return table


def simulate(
    scenario: Scenario,
    runs: int = 1000,
    seed: int = 0,
    *,
    first_run: int = 0,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Run `runs` independent runs of `scenario`.

    Run i draws its random numbers from (seed, i, round, stream) alone, so any row can be
    replayed with `NegotiationModel(scenario, runs=1, seed=seed, first_run=i)`.

    Args:
        progress: Called after each chunk with the number of runs it held (the calls sum
            to `runs`); it only watches, the chunks and the numbers are the same without it.
    """
    chunks = []
    for chunk in iter_chunks(scenario, runs, seed, first_run=first_run, chunk_size=chunk_size):
        chunks.append(chunk)
        if progress is not None:
            progress(len(chunk))
    table = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    return Results(scenario=scenario, seed=seed, table=table)


def simulate_summary(
    scenario: Scenario,
    runs: int,
    seed: int,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    on_chunk: Callable[[pd.DataFrame], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """`simulate(...).summary()` without keeping the runs: each chunk's table goes to
    `on_chunk` (a file, say) and into a tally, then is dropped, so memory stays at about
    one chunk whatever the number of runs."""
    tally = Tally()
    for chunk in iter_chunks(scenario, runs, seed, chunk_size=chunk_size):
        tally.add(chunk)
        if on_chunk is not None:
            on_chunk(chunk)
        if progress is not None:
            progress(len(chunk))
        del chunk
    return tally.summary(
        seed=seed, horizon=scenario.horizon, start=scenario.start, round_days=scenario.round_days
    )


def replay(scenario: Scenario, seed: int, run_index: int) -> NegotiationModel:
    """Run one run alone, with the full per-round record."""
    model = NegotiationModel(
        scenario, runs=1, seed=seed, run_indices=np.array([run_index]), trace=True
    )
    return model.run()


def _shell_key(sc: Scenario) -> str:
    """What the Mesa shell's agents and the mediator's strategy are built from, beyond the
    numbers and the `STRUCTURAL` parameters: scenarios that agree on both can be stepped as
    one batch."""
    med = sc.mediator
    shell = {
        "stakeholders": list(sc.stakeholders),
        "mediator": None
        if med is None
        else {
            "name": med.name,
            "strategy": med.strategy,
            "options": med.options,
            "schedule": [
                {f: getattr(ph, f) for f in ph.__dataclass_fields__} for ph in med.schedule
            ],
        },
    }
    return json.dumps(shell, sort_keys=True, default=repr)


def simulate_points(
    scenarios: Sequence[Scenario],
    runs: int | Sequence[int],
    seed: int = 0,
    *,
    first_runs: Sequence[int] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> list[pd.DataFrame]:
    """Runs of many scenarios at once: one per-run table per scenario, in order.

    Scenario j runs `runs[j]` runs numbered from `first_runs[j]` (default 0). Scenarios that
    differ only in their numbers (the same parties, issues, horizon, mediator strategy and
    the other settings in `sim.model.params.STRUCTURAL`) are stepped together, their parameters
    stacked along the runs axis (`stack_params`), so a design of many points with few runs
    each costs about one batch rather than one model per point. Every table equals
    `simulate(scenarios[j], runs[j], seed, first_run=first_runs[j]).table` bit for bit:
    the rules are per run and each run's draws depend only on (seed, run, round, stream).
    """
    m = len(scenarios)
    counts = [int(runs)] * m if isinstance(runs, int) else [int(r) for r in runs]
    firsts = [0] * m if first_runs is None else [int(f) for f in first_runs]
    if len(counts) != m or len(firsts) != m:
        raise ValueError("simulate_points needs one run count and first run per scenario")
    if any(c < 0 for c in counts):
        raise ValueError(f"runs must be non-negative, got {counts}")
    compiled = {j: compile_params(sc) for j, sc in enumerate(scenarios) if counts[j] > 0}
    groups: dict[tuple[str, str], list[int]] = {}
    for j, p in compiled.items():
        shape = repr(
            [np.asarray(getattr(p, name)).tolist() for name in sorted(STRUCTURAL)]
            + [epoch_rounds(p)]
        )
        groups.setdefault((_shell_key(scenarios[j]), shape), []).append(j)
    parts: dict[int, list[pd.DataFrame]] = {j: [] for j in range(m)}
    for members in groups.values():
        sizes = [counts[j] for j in members]
        params, varying = stack_params([compiled[j] for j in members], sizes)
        indices = np.concatenate(
            [np.arange(firsts[j], firsts[j] + counts[j], dtype=np.int64) for j in members]
        )
        owner = np.repeat(np.asarray(members), sizes)
        for start in range(0, indices.size, chunk_size):
            rows = np.arange(start, min(start + chunk_size, indices.size))
            chunk = take_runs(params, rows, varying)
            table = _run_chunk(scenarios[members[0]], seed, indices[rows], chunk)
            who = owner[rows]
            for j in np.unique(who):
                parts[int(j)].append(table[who == j])
    return [
        pd.concat(parts[j], ignore_index=True) if parts[j] else pd.DataFrame() for j in range(m)
    ]
