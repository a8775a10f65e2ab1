"""Every registered mediator strategy honours the interface contract.

Observations come from a real engine (the Ukraine scenario after a few rounds), so the
arrays have the shapes and values strategies meet in practice.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest

from sim import NegotiationModel
from sim.model.strategies import Decision, Observation, Strategy, get, make, names
from sim.model.strategies.schedule import merge

STRATEGIES = names()


def test_builtins_are_registered():
    assert {"none", "facilitative", "formulative", "manipulative"} <= set(STRATEGIES)


@pytest.fixture(scope="module", params=[2, 5], ids=["round2", "round5"])
def observation(request, ukraine) -> Observation:
    model = NegotiationModel(ukraine, runs=50, seed=1, collect=False)
    for _ in range(request.param):
        model.step()
    obs = model.engine.observe()
    assert obs.at_war.shape == (50,)
    assert obs.at_war.any()
    return obs


def _leaves(obj: object, prefix: str = "") -> dict[str, object]:
    """Every array or scalar inside an observation (recursing into nested dataclasses)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, object] = {}
        for f in dataclasses.fields(obj):
            out.update(_leaves(getattr(obj, f.name), f"{prefix}{f.name}."))
        return out
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            out.update(_leaves(value, f"{prefix}{key}."))
        return out
    if isinstance(obj, list | tuple):
        out = {}
        for i, value in enumerate(obj):
            out.update(_leaves(value, f"{prefix}{i}."))
        return out
    return {prefix.rstrip("."): obj}


def _snapshot(obs: Observation) -> dict[str, object]:
    return {key: copy.deepcopy(value) for key, value in _leaves(obs).items()}


def _equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    x, y = np.asarray(a), np.asarray(b)
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    return bool(np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"))


@pytest.mark.parametrize("name", STRATEGIES)
def test_constructs_with_defaults(name):
    strategy = make(name)
    assert isinstance(strategy, Strategy)
    assert type(strategy) is get(name)
    assert strategy.name == name
    assert strategy == make(name, {})
    assert isinstance(strategy.summary, str) and strategy.summary
    assert hash(strategy) == hash(make(name))


@pytest.mark.parametrize("name", STRATEGIES)
def test_pickles_round_trip(name, observation):
    strategy = make(name)
    clone = pickle.loads(pickle.dumps(strategy))
    assert clone == strategy
    assert type(clone) is type(strategy)
    original, cloned = strategy.decide(observation), clone.decide(observation)
    for key, value in original.fields().items():
        assert _equal(value, cloned.fields()[key]), key


@pytest.mark.parametrize("name", STRATEGIES)
def test_same_observation_same_decision(name, observation):
    strategy = make(name)
    first = strategy.decide(observation)
    second = strategy.decide(observation)
    other = make(name).decide(observation)
    assert isinstance(first, Decision)
    for key, value in first.fields().items():
        assert _equal(value, second.fields()[key]), key
        assert _equal(value, other.fields()[key]), key


@pytest.mark.parametrize("name", STRATEGIES)
def test_does_not_mutate_the_observation(name, observation):
    before = _snapshot(observation)
    make(name).decide(observation)
    after = _snapshot(observation)
    for key, value in before.items():
        assert _equal(value, after[key]), f"{name} changed observation.{key}"


@pytest.mark.parametrize("name", STRATEGIES)
def test_decision_shapes_and_ranges(name, observation):
    n = observation.at_war.shape[0]
    k = observation.deferrable.shape[0]
    d = make(name).decide(observation)
    moves = {move.name: move for move in Decision.moves()}
    assert set(moves) == set(d.fields()), "every decision field must be declared with move()"
    for key, value in d.fields().items():
        if value is None:
            continue
        move = moves[key]
        arr = np.asarray(value)
        shape = move.full_shape(n, k)
        assert np.broadcast_shapes(arr.shape, shape) == shape, key
        if move.boolean:
            continue
        if np.isnan(move.neutral):
            # NaN is "no move": a row is a whole move or none (all NaN) for that run.
            rows = np.broadcast_to(arr, shape).reshape(n, -1)
            missing = np.isnan(rows)
            assert np.all(missing.all(axis=1) | ~missing.any(axis=1)), key
            arr = rows[~missing.any(axis=1)]
        assert np.all(np.isfinite(arr)), key
        low, high = move.bounds
        if low is not None:
            assert np.all(arr > low) if move.open_low else np.all(arr >= low), key
        if high is not None:
            assert np.all(arr <= high), key
    if make(name).drafts_texts:
        assert d.text is not None
        # It drafts for some run where talks can happen in round 2 (ceasefire-first waits
        # for a ceasefire; by round 5 a deadline push or a withdrawal may be over).
        drafted = ~np.isnan(np.asarray(d.text)).any(axis=1)
        if name != "ceasefire_first" and observation.round == 2:
            assert drafted[observation.at_war].any()
        # Never a text where no talks can happen.
        assert not drafted[~observation.at_war].any()


@pytest.mark.parametrize("name", STRATEGIES)
def test_texts_inside_the_bargaining_space(name, observation):
    d = make(name).decide(observation)
    if d.text is None:
        return
    text = np.asarray(d.text, dtype=float)
    n, k = text.shape
    drafted = ~np.isnan(text).any(axis=1)
    text = np.where(drafted[:, None], text, 0.5)  # rows without a text are not checked
    assert np.all(text >= 0.0) and np.all(text <= 1.0)
    ideal = np.broadcast_to(observation.ideal, (n, 2, k))
    low = np.minimum(ideal[:, 0], ideal[:, 1])
    high = np.maximum(ideal[:, 0], ideal[:, 1])
    # Framework texts pin deferrable issues at their open position instead.
    if d.framework is not None:
        pinned = np.asarray(d.framework)[:, None] & observation.deferrable[None, :]
        pos = np.broadcast_to(observation.open_position, (n, k))
        low = np.where(pinned, np.minimum(low, pos), low)
        high = np.where(pinned, np.maximum(high, pos), high)
    low, high = np.where(drafted[:, None], low, 0.0), np.where(drafted[:, None], high, 1.0)
    assert np.all(text >= low - 1e-12), np.min(text - low)
    assert np.all(text <= high + 1e-12), np.max(text - high)


def test_formulative_text_is_not_a_corner(ukraine):
    """The Nash text is not simply one side's ideal on every issue."""
    model = NegotiationModel(ukraine, runs=20, seed=3, collect=False)
    model.step()
    obs = model.engine.observe()
    text = np.asarray(make("formulative").decide(obs).text)
    ideal = np.asarray(obs.ideal)
    # Not every issue sits at one side's ideal: the mediator splits something.
    gap = np.minimum(np.abs(text - ideal[0]), np.abs(text - ideal[1]))
    assert np.any(gap > 1e-6)


def test_every_strategy_and_option_is_documented():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "strategies.md").read_text()
    for name in STRATEGIES:
        assert f"### `{name}`" in doc, name
        for field in dataclasses.fields(get(name).Options):
            assert f"`{field.name}`" in doc, (name, field.name)


def test_observation_subset_keeps_shared_issue_arrays(ukraine):
    """As many runs as issues must not make the issue axis look like a runs axis."""
    k = len(ukraine.issues)
    model = NegotiationModel(ukraine, runs=k, seed=4, collect=False)
    model.step()
    obs = model.engine.observe()
    rows = np.array([0, 2])
    sub = obs.subset(rows)
    assert np.array_equal(sub.open_position, obs.open_position)
    assert np.array_equal(sub.deferrable, obs.deferrable)
    assert np.array_equal(sub.trust, obs.trust[rows])
    assert np.array_equal(sub.reservation_estimate, obs.reservation_estimate[rows])
    assert sub.control.shape == (2,)


def test_every_move_is_declared_and_documented():
    """Each decision field carries its metadata, and the model's description (§4) names it."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "model.md").read_text()
    assert [m.name for m in Decision.moves()] == [f.name for f in dataclasses.fields(Decision)]
    for move in Decision.moves():
        assert move.doc, move.name
        assert f"`{move.name}`" in doc, move.name
        low, high = move.bounds
        if move.boolean:
            assert move.neutral is False and move.bounds == (None, None), move.name
        elif not np.isnan(move.neutral):
            # The neutral value is itself admissible: "no move" is a move inside the bounds.
            assert low is None or move.neutral > low or (move.neutral == low and not move.open_low)
            assert high is None or move.neutral <= high, move.name


def test_a_merged_decision_fills_the_neutral_value_of_each_move():
    """Runs whose phase made no move of a kind get the move's declared neutral value."""
    n, k = 4, 3
    made = Decision(
        text=np.full((n, k), 0.25),
        hurdle_scale=np.full(n, 2.0),
        carrots=np.full((n, 2), 0.1),
        recess=np.ones(n, dtype=bool),
    )
    merged = merge([Decision(), made], np.array([0, 1, 0, 1]), n, k)
    for move in Decision.moves():
        value = getattr(merged, move.name)
        if getattr(made, move.name) is None:
            assert value is None, move.name
            continue
        neutral = move.neutral_value(n, k)
        assert value.shape == neutral.shape and value.dtype == neutral.dtype, move.name
        assert _equal(value[[0, 2]], neutral[[0, 2]]), move.name
        assert _equal(
            value[[1, 3]], np.broadcast_to(getattr(made, move.name), neutral.shape)[[1, 3]]
        )
