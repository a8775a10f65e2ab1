"""A sweep's folder: its manifest (and whether a resume matches it), its points and its
summary, built from the chunk files one point at a time.

Layout of a sweep folder (kind "sweep"):
    manifest.json      spec, seed, version, design, the points, status
    points.parquet     point + one column per swept dotted path
    runs/              one Parquet file per unit: engine_table rows plus `point`
    chunks.jsonl       one line per unit written: its file, SHA-256, identity and row count
    summary.parquet    one row per point (and summary.csv, the same table)
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.errors import ConfigError
from sim.experiments.designs import SweepSpec, _plain, override_strings
from sim.experiments.storage import (
    LOCK,
    MANIFEST,
    temporary_path,
    write_atomic,
    write_manifest,
    write_table,
)
from sim.experiments.sweep_chunks import RUNS_DIR, Unit, verified_chunks
from sim.model.config import scenario_from_dict
from sim.reports.results import EXIT_PREFIX, Tally, wilson_interval

SUMMARY_COLUMNS = ("outcome", "settlement_round", "collapse_round")


def points_frame(spec: SweepSpec, points: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame({"point": np.arange(len(points), dtype=np.int64)})
    for path in spec.paths:
        values = [p[path] for p in points]
        if all(isinstance(v, str) for v in values) or all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values
        ):
            frame[path] = values
        elif all(isinstance(v, bool) for v in values):
            frame[path] = pd.array(values, dtype="boolean")
        else:  # mixed or structured values: keep them exact, as JSON text
            frame[path] = [json.dumps(v) for v in values]
    return frame


def sweep_manifest(
    spec: SweepSpec, points: Sequence[Mapping[str, Any]], horizons: Sequence[int], version: str
) -> dict[str, Any]:
    base = scenario_from_dict(dict(spec.base_data), file=str(spec.base))
    manifest: dict[str, Any] = {
        "kind": "sweep",
        "status": "running",
        "name": spec.name,
        "description": spec.description,
        "seed": spec.seed,
        "version": version,
        "horizon": base.horizon,
        "scenario_name": base.name,
        "scenario_file": str(spec.base),
        "scenario": base.to_dict(),
        "spec_file": spec.file,
        "spec": spec.raw,
        "identity": spec.identity(),
        "design": spec.design,
        "parameters": list(spec.paths),
        "set": override_strings(spec.fixed),
        "runs_per_point": spec.runs_per_point,
        "chunk_size": spec.chunk_size,
        "n_points": len(points),
        "runs": len(points) * spec.runs_per_point,
        "points": [
            {"point": i, "values": _plain(dict(v)), "horizon": h}
            for i, (v, h) in enumerate(zip(points, horizons, strict=True))
        ],
    }
    return json.loads(json.dumps(manifest, default=str))


def prepare_folder(out: Path, manifest: dict[str, Any], resume: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", str(out), "a directory (or a path to create)")
    # A manifest whose first write was cut short (a kill, a full disk) left only its
    # temporary file: the folder then holds no sweep yet, and the command may start it.
    with contextlib.suppress(FileNotFoundError):
        temporary_path(out / MANIFEST).unlink()
    old_path = out / MANIFEST
    if old_path.is_file():
        if not resume:
            raise ConfigError(
                "--out",
                str(out),
                "a new or empty folder (this one holds a sweep: add --resume to finish it)",
            )
        _check_resume(old_path, manifest)
    elif out.is_dir() and any(p.name != LOCK for p in out.iterdir()):
        raise ConfigError("--out", str(out), "a new or empty folder (this one holds other files)")
    out.mkdir(parents=True, exist_ok=True)
    (out / RUNS_DIR).mkdir(exist_ok=True)
    write_manifest(out, manifest)


def _check_resume(path: Path, manifest: Mapping[str, Any]) -> None:
    """Refuse to mix results: the folder must have been started by this very sweep."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        raise ConfigError("", str(path), "a readable sweep manifest", file=str(path)) from None
    if not isinstance(old, dict):
        raise ConfigError("", old, "a sweep manifest (a JSON object)", file=str(path))
    if not isinstance(old.get("identity", {}), dict):
        raise ConfigError("identity", old["identity"], "a JSON object", file=str(path))
    if old.get("kind") != "sweep":
        raise ConfigError("kind", old.get("kind"), "a sweep folder to resume", file=str(path))
    why = "a sweep resumes only with the spec, options, seed and version it started with"
    if old.get("version") != manifest["version"]:
        raise ConfigError(
            "version", old.get("version"), f"{manifest['version']} ({why})", file=str(path)
        )
    if old.get("seed") != manifest["seed"]:
        raise ConfigError("seed", old.get("seed"), f"{manifest['seed']} ({why})", file=str(path))
    old_id, new_id = old.get("identity") or {}, manifest["identity"]
    for key in new_id:
        if old_id.get(key) != new_id[key]:
            shown = "the base scenario" if key == "base_scenario" else repr(new_id[key])
            raise ConfigError(
                f"identity.{key}",
                old_id.get(key) if key != "base_scenario" else "<as when the sweep started>",
                f"{shown} as the spec and options give now ({why})",
                file=str(path),
            )
    if old.get("points") != manifest["points"]:
        raise ConfigError(
            "points",
            "<design points>",
            f"the same design points as the spec gives now ({why}; a different scipy "
            "version may draw a different sample)",
            file=str(path),
        )


def build_summary(
    out: Path,
    spec: SweepSpec,
    points: pd.DataFrame,
    units: Sequence[Unit],
    horizons: Sequence[int],
) -> pd.DataFrame:
    """One row per point from the chunk files; memory is one chunk's three columns."""
    runs_dir = out / RUNS_DIR
    verified_chunks(out, spec.seed)
    tallies = [Tally() for _ in range(len(points))]
    categories: list[str] | None = None
    for u in units:
        path = runs_dir / u.filename
        exits = [c for c in pq.read_schema(path).names if c.startswith(EXIT_PREFIX)]
        table = pd.read_parquet(path, columns=["point", *SUMMARY_COLUMNS, *exits])
        if categories is None:
            categories = [str(c) for c in table["outcome"].cat.categories]
        for p, part in table.groupby("point", sort=True, observed=True):
            tallies[int(p)].add(part)
    rows: list[dict[str, Any]] = []
    for tally in tallies:
        low, high = wilson_interval(tally.settled, tally.runs)
        row: dict[str, Any] = {
            "runs": tally.runs,
            "settled": tally.settled,
            "p_settlement": tally.settled / tally.runs if tally.runs else math.nan,
            "p_settlement_low": low,
            "p_settlement_high": high,
            "median_settlement_round": tally.median_settlement_round(),
            "collapsed": tally.collapsed,
        }
        for name in categories or []:
            row[f"share_{name}"] = tally.outcomes.get(name, 0) / tally.runs if tally.runs else 0.0
        for name, left in tally.left_war.items():
            row[f"share_left_{name}"] = left / tally.runs if tally.runs else 0.0
        rows.append(row)
    stats = pd.DataFrame(rows)
    stats["median_settlement_round"] = pd.array(
        stats["median_settlement_round"].tolist(), dtype="Int64"
    )
    summary = pd.concat([points.reset_index(drop=True), stats], axis=1)
    meta = {
        "kind": "sweep_summary",
        "seed": spec.seed,
        "parameters": list(spec.paths),
        "runs_per_point": spec.runs_per_point,
        "horizons": sorted(set(horizons)),
    }
    write_table(summary, out / "summary.parquet", meta)
    write_atomic(out / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
    return summary
