"""The model's numbers, fingerprinted: every shipped scenario's run table and stories and a
stacked batch of sweep points must match tests/golden/tables.json column by column.

A refactoring must leave them alone. A change meant to move the numbers regenerates the file
(`python -m tests.golden.make_golden`) and says in its commit which moved and why.
"""

from __future__ import annotations

import json

import pytest

from tests.golden.make_golden import HERE, fingerprints

pytestmark = pytest.mark.slow


def test_tables_and_stories_are_bit_for_bit_the_recorded_ones() -> None:
    recorded = json.loads((HERE / "tables.json").read_text())
    now = fingerprints()
    assert sorted(now) == sorted(recorded)
    moved = []
    for key, value in recorded.items():
        if isinstance(value, dict):
            moved += [f"{key} column {c}" for c in value if now[key].get(c) != value[c]]
            moved += [f"{key} new column {c}" for c in now[key] if c not in value]
        elif now[key] != value:
            moved.append(key)
    assert not moved, "moved: " + "; ".join(moved[:20])
