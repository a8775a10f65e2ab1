"""The single-run story: a round-by-round account of one run, from its trace."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.dates import round_month
from sim.outcomes import OUTCOMES, REASONS, Status
from sim.results import engine_table


def story(model: Any, index: int) -> str:
    """Round-by-round account of one run."""
    sc, engine = model.war_scenario, model.engine
    a, b = sc.a, sc.b
    med = sc.mediator.name if sc.mediator is not None else "mediator"
    proposer_name = {0: a, 1: b, 2: med}
    issues = sc.issue_names
    lines = [f"{sc.name}: run {index}, seed {model.seed_value}"]
    prev_status = Status.WAR
    for rec in engine.records:
        v = {k: val[0] for k, val in rec.values.items()}
        t = rec.round
        was_war = prev_status in (Status.WAR, Status.CEASEFIRE)  # still talking
        head = f"round {t:>2} ({round_month(sc.start, t, sc.round_days)})"
        lines.append(
            f"{head}  front {v['control']:.1%} (trend {v['trend']:+.2%}/round)  "
            f"exhaustion {a} {v['exhaustion'][0]:.3f} {b} {v['exhaustion'][1]:.3f}  "
            f"cost {a} {v['cost'][0]:.4f} {b} {v['cost'][1]:.4f}"
        )
        if was_war and v["status"] not in (Status.CAPITULATION_A, Status.CAPITULATION_B):
            lines.append(
                f"    beliefs (trend/round) {a} {v['belief'][0]:+.3%} {b} {v['belief'][1]:+.3%}"
                f"  reservation values {a} {v['reservation'][0]:.3f} {b} "
                f"{v['reservation'][1]:.3f}  ripe: {'yes' if v['ripe'] else 'no'}"
            )
            paused = Status.CEASEFIRE in (prev_status, v["status"])
            if paused and np.any(v["reserve"] > 0):
                lines.append(
                    f"    regroup reserve brought in: {a} {v['reserve'][0]:.0%}, "
                    f"{b} {v['reserve'][1]:.0%}"
                )
            if v.get("ceasefire_offered", False):
                said = [
                    f"{name} {'accepts' if v['ceasefire_accept'][j] else 'refuses'}"
                    for j, name in ((0, a), (1, b))
                ]
                lines.append(f"    {med} proposes an unconditional ceasefire: " + ", ".join(said))
            if v.get("recess", False):
                lines.append("    no session: the talks are in recess")
            else:
                terms = ", ".join(f"{i} {x:.2f}" for i, x in zip(issues, v["text"], strict=True))
                kind = " (framework)" if v["framework"] else ""
                lines.append(f"    {proposer_name[int(v['proposer'])]} proposes{kind}: {terms}")
                extras = []
                for j, name in ((0, a), (1, b)):
                    if v["carrots"][j] > 0:
                        extras.append(f"carrot {v['carrots'][j]:.3f} to {name}")
                    if v["threats"][j] > 0:
                        extras.append(f"threat against {name} (felt {v['stick_loss'][j]:.3f})")
                if extras:
                    lines.append("    mediator: " + "; ".join(extras))
                answers = []
                for j, name in ((0, a), (1, b)):
                    verdict = "accepts" if v["accept"][j] else "refuses"
                    why = "" if v["accept"][j] else f" ({REASONS[int(v['reason'][j])].story})"
                    answers.append(
                        f"{name} {verdict}{why}: utility {v['utility'][j]:.3f}, "
                        f"score {v['score'][j]:+.3f}"
                    )
                lines.append("    " + "; ".join(answers))
                if v["vetoed"]:
                    lines.append("    a stakeholder vetoes the text")
            if v.get("partial", False):
                lines.append("    a partial agreement (e.g. a prisoner exchange) is concluded")
        status = Status(int(v["status"]))
        breakers = [n for j, n in ((0, a), (1, b)) if v.get("ceasefire_breach", [False] * 2)[j]]
        if breakers:
            who = f"{breakers[0]} breaks" if len(breakers) == 1 else f"{a} and {b} both break"
            lines.append(f"    >> {who} the ceasefire; the war resumes")
        elif v.get("ceasefire_collapse", False):
            lines.append("    >> the ceasefire breaks down; the war resumes")
        elif v.get("steps_left", False):
            deferrable = np.asarray(engine.p.deferrable, dtype=bool)
            open_at = np.asarray(engine.p.open_position, dtype=float)
            left = [
                name
                for j, name in enumerate(issues)
                if deferrable[j] and abs(float(v["text"][j]) - open_at[j]) > 1e-12
            ]
            lines.append(
                "    >> comprehensive agreement signed; the steps on "
                + ", ".join(left)
                + " are not carried out, so it stands as a framework"
            )
        elif v.get("steps_carried", False):
            # Steps are carried out before the round's hazard is drawn: both can happen.
            lines.append("    >> the guarantor has the deferred steps carried out")
            if v.get("collapse", False):
                lines.append("    >> " + _event(status, prev_status, True, sc))
        elif status != prev_status or v.get("collapse", False):
            lines.append("    >> " + _event(status, prev_status, bool(v.get("collapse")), sc))
        prev_status = status
    row = engine_table(engine).iloc[0]
    lines.append("")
    lines.append(f"outcome: {row['outcome']}")
    settle = row["settlement_round"]
    lines.append(
        "first agreement: "
        + (f"round {settle} ({row['first_agreement']})" if not pd.isna(settle) else "none")
    )
    if not pd.isna(row["collapse_round"]):
        lines.append(f"first collapse: round {row['collapse_round']}")
    if not np.isnan(engine.terms[0]).any():
        terms = ", ".join(f"{i} {x:.2f}" for i, x in zip(issues, engine.terms[0], strict=True))
        lines.append(f"terms: {terms}")
        lines.append(f"utility: {a} {row[f'utility_{a}']:.3f}, {b} {row[f'utility_{b}']:.3f}")
    lines.append(
        f"mediator: {row['mediator_texts']} texts, {row['mediator_threats']} threats, "
        f"{row['mediator_sticks']} sticks carried out, {row['mediator_bluffs_called']} bluffs "
        "called"
    )
    return "\n".join(lines)


def _event(status: Any, prev: Any, collapsed: bool, sc: Any) -> str:
    if collapsed:
        return "the agreement collapses; the war resumes"
    return OUTCOMES[int(status)].story.format(a=sc.a, b=sc.b)
