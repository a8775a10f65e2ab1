"""A ripe front may freeze without an agreement (docs/model.md §3.5)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.outcomes import Status
from sim.model.rng import Stream
from sim.model.rules.axes import flag
from sim.model.rules.context import Context
from sim.model.rules.valuation import share_of_stakes
from sim.model.state import RunState
from sim.model.strategies.base import Decision

B = NDArray[np.bool_]
F = NDArray[np.float64]


def freeze(
    state: RunState, ctx: Context, t: int, decision: Decision, still: B, held_back: B
) -> None:
    """Ripe but no deal while the guns still speak (`still`): each such round the front
    may freeze without an agreement, with a constant chance (no clock), also while a
    mediator's text is on the table or the talks are in recess: ripe sides expect no gain
    from fighting, whoever drafts the texts. Not where the strategy holds the ceasefire
    back until the agreement (talking while fighting, as in Korea 1951-53), in session
    with its text on the table or in one of its recesses (`held_back`)."""
    p, n, talks = ctx.p, state.n, state.talks
    talks.ripe_streak = np.where(still & talks.ripe, talks.ripe_streak + 1, 0)
    chance = ctx.draws.uniform(t, Stream.FREEZE) < 1.0 / p.ripe_rounds_to_freeze
    keep_fighting = held_back & flag(decision.keep_fighting, n)
    frozen = still & talks.ripe & ~keep_fighting & chance
    if not frozen.any():
        return
    state.status[frozen] = Status.FROZEN
    state.end_round[frozen] = t
    # The line is drawn for the runs that froze only.
    rows = np.flatnonzero(frozen)
    state.agreement.terms[rows] = frozen_line(ctx, state.front.control, rows)


def frozen_line(ctx: Context, control: F, rows: NDArray[np.int64]) -> F:
    """The terms of a frozen front (§3.5) for the runs `rows`: every disputed issue at the
    share of the stakes the line implies, from B's ideal toward A's."""
    p = ctx.p
    share = share_of_stakes(ctx, control)[rows]
    ideal = np.broadcast_to(p.ideal, (control.shape[0], 2, p.n_issues))[rows]
    return ideal[:, 1] + share[:, None] * (ideal[:, 0] - ideal[:, 1])
