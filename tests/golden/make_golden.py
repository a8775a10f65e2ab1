"""Write tests/golden/tables.json: a fingerprint of every run table and story the shipped
scenarios, cases, validation scenarios and sweep specs produce, so that a change meant to
leave the model's numbers alone can be shown to (tests/test_golden.py).

Run it only when a change of the numbers is intended, and say which moved and why:

    python -m tests.golden.make_golden
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import shipped
from sim.experiments.simulate import replay, simulate, simulate_points
from sim.model.config import load_scenario
from sim.reports.story import story

HERE = Path(__file__).resolve().parent
RUNS = 3000
SEED = 11
STORY_RUNS = (0, 7, 31337)


def scenarios() -> list[str]:
    """Every scenario that ships: the configs, the cases and the validation scenarios."""
    root = shipped.root()
    files = sorted((root / "configs").rglob("*.yaml")) + sorted(
        (root / "validation" / "scenarios").glob("*.yaml")
    )
    return [str(f.relative_to(root)) for f in files]


def column_hashes(table: pd.DataFrame) -> dict[str, str]:
    """SHA-256 of each column's values (and its missing-value mask), by name."""
    out = {}
    for name in table.columns:
        col = table[name]
        h = hashlib.sha256(str(col.dtype).encode())
        if isinstance(col.dtype, pd.CategoricalDtype):
            h.update(repr(list(col.cat.categories)).encode())
            h.update(np.ascontiguousarray(col.cat.codes.to_numpy()).tobytes())
        else:
            mask = col.isna().to_numpy()
            h.update(mask.tobytes())
            values = col.to_numpy(dtype=object if col.dtype == object else None)
            if values.dtype == object or str(col.dtype) in ("string", "Int64"):
                h.update(
                    repr([None if m else v for v, m in zip(values, mask, strict=True)]).encode()
                )
            else:
                h.update(np.ascontiguousarray(values).tobytes())
        out[str(name)] = h.hexdigest()
    return out


def fingerprints() -> dict[str, Any]:
    root = shipped.root()
    out: dict[str, Any] = {}
    for rel in scenarios():
        sc = load_scenario(root / rel)
        out[f"table:{rel}"] = column_hashes(simulate(sc, RUNS, SEED).table)
        for i in STORY_RUNS:
            text = story(replay(sc, SEED, i), i)
            out[f"story:{rel}:{i}"] = hashlib.sha256(text.encode()).hexdigest()
    # Stacked batches of many points (sweeps, sensitivity, validation ensembles).
    base = load_scenario(root / "configs" / "ukraine_2025.yaml")
    points = [
        load_scenario(root / "configs" / "ukraine_2025.yaml", [f"mediator.guarantee={g}"])
        for g in (0.0, 0.3, 0.6, 0.9)
    ]
    tables = simulate_points([base, *points], [500, 400, 300, 200, 100], SEED, chunk_size=700)
    for j, table in enumerate(tables):
        out[f"points:{j}"] = column_hashes(table)
    return out


if __name__ == "__main__":
    (HERE / "tables.json").write_text(json.dumps(fingerprints(), indent=1, sort_keys=True) + "\n")
