"""One run, round by round: the engine's per-round records of a replayed run as a table
(`negsim run --run-index N --out DIR` writes it as trace.parquet; `sim.reports.plots.plot_run`
draws it)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.model.calendar import round_month
from sim.model.outcomes import CAPITULATIONS, OUTCOMES, REASONS, Refusal, Status, outcome_labels

# Per-round records whose second axis runs over the issues (all other two-column records run
# over the parties A, B).
_PER_ISSUE = frozenset({"text", "terms"})
# Records of the talks phase. The engine computes them for every run, also for runs no longer
# at war, so the trace blanks them (NA) in rounds without talks, as the story does.
_TALKS = frozenset(
    {
        "text",
        "proposer",
        "framework",
        "utility",
        "score",
        "accept",
        "reason",
        "deal",
        "vetoed",
        "carrots",
        "threats",
        "stick_loss",
        "comply",
        "imposed",
    }
)


def trace_table(model: Any) -> pd.DataFrame:
    """The per-round record of a replayed run (`sim.experiments.simulate.replay`) as a table.

    One row per round, with `round` and `month` (calendar month of the round, YYYY-MM);
    scalar records as they are (`control`, `trend`, `ripe`, `credibility`, `deal`, ...);
    per-party records as `<record>_<party>` (`exhaustion_russia`, `belief_ukraine`,
    `reservation_russia`, `utility_<party>` = value of the text on the table, `accept_<party>`,
    ...); the text on the table as `text_<issue>`. Codes become names: `status` (the outcome
    labels of `engine_table`: ongoing, framework, ...), `proposer` (a party or the mediator)
    and `refusal_<party>` (the constraint that bound when a side refused: terms, trust,
    domestic, noise, veto; empty when it accepted or nothing was on the table). A record
    missing in a round (no talks once a run has ended) is NA there.
    """
    engine, sc = model.engine, model.war_scenario
    if not engine.records:
        raise ValueError("the model kept no per-round record: replay it with trace=True")
    if engine.n != 1:
        raise ValueError(f"a trace is one run; this model holds {engine.n}")
    parties = (sc.a, sc.b)
    out = pd.DataFrame(_trace_rows(engine, sc, parties))
    for col in out.columns:
        # Flags missing in some rounds come out as objects; keep them boolean with NA.
        if (
            out[col].dtype == object
            and out[col].map(lambda v: v is None or isinstance(v, bool) or v != v).all()
        ):
            out[col] = out[col].astype("boolean")
    return _codes_as_names(out, sc, parties)


# The states the sides talk in: while fighting and under a bare ceasefire (neither settled
# nor over). A capitulation (in the costs phase) ends the run before the round's talks.
_TALKING = frozenset(i for i, o in enumerate(OUTCOMES) if not o.absorbing and not o.settled)


def _trace_rows(engine: Any, sc: Any, parties: tuple[str, str]) -> list[dict[str, Any]]:
    """One dict per round of the engine's records, each array record spread into columns."""
    issues = sc.issue_names
    rows = []
    previous = int(Status.WAR)
    for rec in engine.records:
        status = int(np.asarray(rec.values["status"])[0])
        talks = previous in _TALKING and status not in CAPITULATIONS
        previous = status
        row: dict[str, Any] = {
            "round": rec.round,
            "month": _calendar_month(sc, rec.round),
            "talks": talks,
        }
        for key, value in rec.values.items():
            if key in _TALKS and not talks:
                continue
            arr = np.asarray(value)[0]
            if arr.ndim == 0:
                row[key] = arr.item()
                continue
            names = issues if key in _PER_ISSUE else (parties if arr.shape[0] == 2 else None)
            if names is None or len(names) != arr.shape[0]:
                names = tuple(str(j) for j in range(arr.shape[0]))
            for name, item in zip(names, arr.tolist(), strict=True):
                row[f"{key}_{name}"] = item
        rows.append(row)
    return rows


def _codes_as_names(out: pd.DataFrame, sc: Any, parties: tuple[str, str]) -> pd.DataFrame:
    """The trace with codes as names: status as outcome labels, the proposer as a party or
    the mediator, each refusal reason as its label (empty where a side accepted)."""
    labels = outcome_labels(parties)
    mediator = sc.mediator.name if sc.mediator is not None else "mediator"
    proposers = {0: parties[0], 1: parties[1], 2: mediator}
    # Refusal.NONE is an acceptance: no constraint bound.
    refusals = {i: r.label for i, r in enumerate(REASONS) if i != Refusal.NONE}
    if "status" in out:
        out["status"] = pd.Categorical(
            [labels.get(int(s), str(s)) for s in out["status"]],
            categories=[labels[i] for i in sorted(labels)],
        )
    if "proposer" in out:
        out["proposer"] = pd.array(
            [None if pd.isna(v) else proposers.get(int(v), str(v)) for v in out["proposer"]],
            dtype="string",
        )
    for party in parties:
        col = f"reason_{party}"
        if col in out:
            out[f"refusal_{party}"] = pd.array(
                [None if pd.isna(v) else refusals.get(int(v)) for v in out[col]],
                dtype="string",
            )
            out = out.drop(columns=col)
    return out


def _calendar_month(sc: Any, round_: int) -> str:
    """YYYY-MM of the month a round begins in (`sim.model.calendar.round_month`)."""
    return round_month(sc.start, round_, sc.round_days)
