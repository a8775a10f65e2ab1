"""The single-run story: a round-by-round account of one run, from its trace."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.model.calendar import round_month
from sim.model.outcomes import OUTCOMES, REASONS, Status
from sim.model.rules.events import RoundRecord
from sim.reports.results import engine_table

_TALKING = (Status.WAR, Status.CEASEFIRE)
_CAPITULATIONS = (Status.CAPITULATION_A, Status.CAPITULATION_B)


def story(model: Any, index: int) -> str:
    """Round-by-round account of one run (a traced model of one run)."""
    head, rounds, _ = story_rounds(model, index)
    lines = [head] + [line for block in rounds for line in block]
    return "\n".join(lines + [""] + _summary(model.engine, model.war_scenario))


def story_rounds(model: Any, index: int) -> tuple[str, list[list[str]], list[str]]:
    """The story in parts: its first line, the lines of each round recorded so far, and the
    closing summary (empty while the run is still being stepped), so that a viewer can show
    it round by round with the same lines as `story`."""
    sc, engine = model.war_scenario, model.engine
    a, b = sc.a, sc.b
    rounds = []
    prev = Status.WAR
    for rec in engine.records:
        st, t = rec.state, rec.round
        head = f"round {t:>2} ({round_month(sc.start, t, sc.round_days)})"
        cost = rec.costs.cost[0]
        lines = [
            f"{head}  front {st.control[0]:.1%} (trend {st.trend[0]:+.2%}/round)  "
            f"exhaustion {a} {st.exhaustion[0, 0]:.3f} {b} {st.exhaustion[0, 1]:.3f}  "
            f"cost {a} {cost[0]:.4f} {b} {cost[1]:.4f}"
        ]
        status = Status(int(st.status[0]))
        if prev in _TALKING and status not in _CAPITULATIONS:
            lines += _talks(rec, prev, sc)
        lines += _ending(rec, status, prev, sc, engine.p)
        lines += _departures(engine, sc, t)
        prev = status
        rounds.append(lines)
    summary = [] if getattr(model, "running", False) else _summary(engine, sc)
    return f"{sc.name}: run {index}, seed {model.seed_value}", rounds, summary


def _departures(engine: Any, sc: Any, t: int) -> list[str]:
    """The camp members that left the war this round (§3.15)."""
    p = engine.p
    exits = engine.state.members.exit_round[0]
    return [
        f"    >> {name} leaves the war, past its breaking point; "
        f"{sc.a if p.member_camp[j] == 0 else sc.b} fights on"
        for j, name in enumerate(p.member_names)
        if exits[j] == t
    ]


def _talks(rec: RoundRecord, prev: Status, sc: Any) -> list[str]:
    """What the sides believed and said in a round of talks."""
    a, b, st, ev = sc.a, sc.b, rec.state, rec.talks
    med = sc.mediator.name if sc.mediator is not None else "mediator"
    belief, reservation = st.belief[0], st.reservation[0]
    lines = [
        f"    beliefs (trend/round) {a} {belief[0]:+.3%} {b} {belief[1]:+.3%}"
        f"  reservation values {a} {reservation[0]:.3f} {b} "
        f"{reservation[1]:.3f}  ripe: {'yes' if st.ripe[0] else 'no'}"
    ]
    reserve = st.reserve[0]
    if Status.CEASEFIRE in (prev, int(st.status[0])) and np.any(reserve > 0):
        lines.append(f"    regroup reserve brought in: {a} {reserve[0]:.0%}, {b} {reserve[1]:.0%}")
    if ev.ceasefire_offered is not None and ev.ceasefire_offered[0]:
        said = [
            f"{name} {'accepts' if ev.ceasefire_accept[0, j] else 'refuses'}"
            for j, name in ((0, a), (1, b))
        ]
        lines.append(f"    {med} proposes an unconditional ceasefire: " + ", ".join(said))
    if ev.recess[0]:
        lines.append("    no session: the talks are in recess")
    else:
        lines += _text(rec, sc, med)
    if ev.partial is not None and ev.partial[0]:
        lines.append("    a partial agreement (e.g. a prisoner exchange) is concluded")
    return lines


def _text(rec: RoundRecord, sc: Any, med: str) -> list[str]:
    """The text on the table, the mediator's inducements and each side's answer."""
    a, b, ev = sc.a, sc.b, rec.talks
    terms = ", ".join(f"{i} {x:.2f}" for i, x in zip(sc.issue_names, ev.text[0], strict=True))
    kind = " (framework)" if ev.framework[0] else ""
    proposer = {0: a, 1: b, 2: med}[int(ev.proposer[0])]
    lines = [f"    {proposer} proposes{kind}: {terms}"]
    extras = []
    for j, name in ((0, a), (1, b)):
        if ev.carrots[0, j] > 0:
            extras.append(f"carrot {ev.carrots[0, j]:.3f} to {name}")
        if ev.threats[0, j] > 0:
            extras.append(f"threat against {name} (felt {ev.stick_loss[0, j]:.3f})")
    if extras:
        lines.append("    mediator: " + "; ".join(extras))
    answers = []
    for j, name in ((0, a), (1, b)):
        accepted = ev.accept[0, j]
        why = "" if accepted else f" ({REASONS[int(ev.reason[0, j])].story})"
        answers.append(
            f"{name} {'accepts' if accepted else 'refuses'}{why}: "
            f"utility {ev.utility[0, j]:.3f}, score {ev.score[0, j]:+.3f}"
        )
    lines.append("    " + "; ".join(answers))
    if ev.vetoed[0]:
        lines.append("    a stakeholder vetoes the text")
    return lines


def _ending(rec: RoundRecord, status: Status, prev: Status, sc: Any, p: Any) -> list[str]:
    """How the round ended: a breach, a collapse, steps left or carried out, a new state."""
    a, b, standing = sc.a, sc.b, rec.standing
    collapse = bool(standing.collapse[0])
    breakers = [n for j, n in ((0, a), (1, b)) if standing.ceasefire_breach[0, j]]
    if breakers:
        who = f"{breakers[0]} breaks" if len(breakers) == 1 else f"{a} and {b} both break"
        return [f"    >> {who} the ceasefire; the war resumes"]
    if standing.ceasefire_collapse is not None and standing.ceasefire_collapse[0]:
        return ["    >> the ceasefire breaks down; the war resumes"]
    if rec.talks.steps_left[0]:
        deferrable = np.asarray(p.deferrable, dtype=bool)
        open_at = np.asarray(p.open_position, dtype=float)
        text = rec.talks.text[0]
        left = [
            name
            for j, name in enumerate(sc.issue_names)
            if deferrable[j] and abs(float(text[j]) - open_at[j]) > 1e-12
        ]
        return [
            "    >> comprehensive agreement signed; the steps on "
            + ", ".join(left)
            + " are not carried out, so it stands as a framework"
        ]
    if standing.steps_carried[0]:
        # Steps are carried out before the round's hazard is drawn: both can happen.
        lines = ["    >> the guarantor has the deferred steps carried out"]
        return lines + (["    >> " + _event(status, True, sc)] if collapse else [])
    if status != prev or collapse:
        return ["    >> " + _event(status, collapse, sc)]
    return []


def _event(status: Status, collapsed: bool, sc: Any) -> str:
    if collapsed:
        return "the agreement collapses; the war resumes"
    return OUTCOMES[int(status)].story.format(a=sc.a, b=sc.b)


def _summary(engine: Any, sc: Any) -> list[str]:
    """The run's outcome, terms and the mediator's record, from its row of the runs table."""
    a, b = sc.a, sc.b
    row = engine_table(engine).iloc[0]
    settle = row["settlement_round"]
    lines = [
        f"outcome: {row['outcome']}",
        "first agreement: "
        + (f"round {settle} ({row['first_agreement']})" if not pd.isna(settle) else "none"),
    ]
    if not pd.isna(row["collapse_round"]):
        lines.append(f"first collapse: round {row['collapse_round']}")
    terms = engine.state.agreement.terms[0]
    if not np.isnan(terms).any():
        text = ", ".join(f"{i} {x:.2f}" for i, x in zip(sc.issue_names, terms, strict=True))
        lines.append(f"terms: {text}")
        lines.append(f"utility: {a} {row[f'utility_{a}']:.3f}, {b} {row[f'utility_{b}']:.3f}")
    lines.append(
        f"mediator: {row['mediator_texts']} texts, {row['mediator_threats']} threats, "
        f"{row['mediator_sticks']} sticks carried out, {row['mediator_bluffs_called']} bluffs "
        "called"
    )
    return lines
