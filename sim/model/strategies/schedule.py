"""Phased schedules: strategies that take over from one another, by round or by condition.

A schedule is a list of phases; each run moves through them on its own (a condition that
ends a phase, such as a deadlock, comes sooner in some runs than in others). The schedule
keeps the per-run phase state; the strategies it calls stay pure functions of what they see.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.model.strategies.base import Decision, Observation, Strategy

CONDITIONS = ("ripe", "ceasefire", "agreement", "deadlock")


@dataclass(frozen=True)
class Step:
    """One phase: a strategy, the most rounds it lasts, and a condition that ends it early."""

    strategy: Strategy
    rounds: int | None = None
    until: str | None = None
    deadlock_after: int = 3


def merge(decisions: list[Decision], choice: np.ndarray, n: int, k: int) -> Decision:
    """Per run, the fields of decisions[choice[run]]; a field no decision sets stays None,
    and a run whose decision leaves a field None gets that move's neutral value."""
    out: dict[str, Any] = {}
    for move in Decision.moves():
        values = [getattr(d, move.name) for d in decisions]
        if all(v is None for v in values):
            out[move.name] = None
            continue
        merged = move.neutral_value(n, k)
        for i, value in enumerate(values):
            if value is None:
                continue
            mask = choice == i
            if not mask.any():
                continue
            full = np.broadcast_to(np.asarray(value), merged.shape)
            where = mask.reshape((n,) + (1,) * (merged.ndim - 1))
            merged = np.where(where, full, merged)
        out[move.name] = merged
    return Decision(**out)


class Schedule:
    """Per-run progress through a list of phases.

    Args:
        steps: The phases in order; the last one lasts to the end.
        runs: Size of the runs axis.
    """

    # Its phases may end in runs that have an agreement ("until: agreement"), so it is shown
    # every run that can still change (`Strategy.acts_after_settlement`).
    acts_after_settlement = True

    def __init__(self, steps: list[Step], runs: int) -> None:
        if not steps:
            raise ValueError("a schedule needs at least one phase")
        self.steps = steps
        self.phase = np.zeros(runs, dtype=np.int64)
        self.started = np.ones(runs, dtype=np.int64)  # round the current phase began

    def _ended(self, step: Step, obs: Observation, started: np.ndarray) -> np.ndarray:
        done = np.zeros(obs.control.shape[0], dtype=bool)
        if step.rounds is not None:
            done |= obs.round - started >= step.rounds
        if step.until == "ripe":
            done |= obs.ripe
        elif step.until == "ceasefire":
            done |= obs.in_ceasefire
        elif step.until == "agreement":
            done |= obs.agreed
        elif step.until == "deadlock":
            done |= obs.failed_texts >= step.deadlock_after
        return done

    def _advance(
        self, obs: Observation, phase: np.ndarray, started: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Move every run whose phase has ended to the next one (conditions are checked at
        the start of the round, on what the mediator sees)."""
        last = len(self.steps) - 1
        for _ in range(len(self.steps)):
            moving = np.zeros_like(phase, dtype=bool)
            for i, step in enumerate(self.steps[:-1]):
                here = phase == i
                if here.any():
                    moving |= here & self._ended(step, obs, started)
            moving &= phase < last
            if not moving.any():
                break
            phase = np.where(moving, phase + 1, phase)
            started = np.where(moving, obs.round, started)
        return phase, started

    def decide(self, obs: Observation, rows: np.ndarray | None = None) -> Decision:
        """The decision for the runs of `obs`: all runs of the schedule, or its runs `rows`
        (the others keep their phases)."""
        at = slice(None) if rows is None else rows
        phase, started = self._advance(obs, self.phase[at], self.started[at])
        self.phase[at], self.started[at] = phase, started
        n = obs.control.shape[0]
        k = obs.deferrable.shape[0]
        decisions = []
        for i, step in enumerate(self.steps):
            if not (phase == i).any():
                decisions.append(Decision())
                continue
            seen = dataclasses.replace(obs, phase_round=obs.round - started + 1)
            decisions.append(step.strategy.decide(seen))
        return merge(decisions, phase, n, k)
