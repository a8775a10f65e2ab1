"""A sweep's chunks: the units of work, the files they are stored in, and their ledger.

A unit is one point of the design (or a few consecutive ones) and a range of its run
indices; its rows are stored as one Parquet file under ``runs/``, written atomically, and
recorded in ``chunks.jsonl`` with its SHA-256 and identity (points, run range, seed). A
chunk is used only if it matches its record: on resume a chunk that fails is run again;
when results are read, it is named in one line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ConfigError
from sim.experiments.storage import MANIFEST, TEMPORARY_PREFIX, read_manifest, write_atomic

RUNS_DIR = "runs"
LEDGER = "chunks.jsonl"


@dataclass(frozen=True)
class Unit:
    """Runs [start, stop) of `points` consecutive points from `point` on (usually one)."""

    point: int
    start: int
    stop: int
    points: int = 1

    @property
    def point_range(self) -> range:
        return range(self.point, self.point + self.points)

    @property
    def runs(self) -> int:
        """Rows in the unit's file."""
        return (self.stop - self.start) * self.points

    @property
    def filename(self) -> str:
        runs = f"runs-{self.start:010d}-{self.stop - 1:010d}.parquet"
        if self.points == 1:
            return f"point-{self.point:06d}_{runs}"
        return f"points-{self.point:06d}-{self.point + self.points - 1:06d}_{runs}"

    def describe(self) -> str:
        runs = f"runs {self.start}-{self.stop - 1}"
        if self.points == 1:
            return f"point {self.point}, {runs}"
        return f"points {self.point}-{self.point + self.points - 1}, {runs}"


def plan_units(points: int, runs_per_point: int, chunk_size: int) -> list[Unit]:
    """Every unit of a sweep, in point order then run order (the order of the files).

    A point with at least half a chunk of runs is cut into chunks of `chunk_size` runs.
    Points with fewer go together, as many as fill a chunk, and run as one batch (their
    parameters stacked on the runs axis, `sim.experiments.simulate.simulate_points`): a
    design of many points with few runs each would otherwise pay a model's fixed cost per
    point.
    """
    if 2 * runs_per_point > chunk_size:
        return [
            Unit(p, start, min(start + chunk_size, runs_per_point))
            for p in range(points)
            for start in range(0, runs_per_point, chunk_size)
        ]
    group = chunk_size // runs_per_point
    return [Unit(p, 0, runs_per_point, min(group, points - p)) for p in range(0, points, group)]


def write_chunk(runs_dir: Path, unit: Unit, payload: bytes, seed: int) -> Path:
    """Store a unit's Parquet bytes atomically (temporary name, fsync, rename), then record
    its checksum and identity in the ledger. A kill between the two leaves a chunk with no
    record, which a resume runs again."""
    target = write_atomic(
        runs_dir / unit.filename, lambda tmp: tmp.write_bytes(payload), durable=True
    )
    record = {"file": unit.filename, "sha256": hashlib.sha256(payload).hexdigest()}
    record.update(_identity(unit, seed))
    with open(runs_dir.parent / LEDGER, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return target


def _identity(unit: Unit, seed: int) -> dict[str, Any]:
    return {
        "point": unit.point,
        "points": unit.points,
        "runs": [unit.start, unit.stop],
        "seed": seed,
        "rows": unit.runs,
    }


def read_ledger(out: Path) -> dict[str, dict[str, Any]]:
    """The last record of each chunk file. A line cut short (a kill while it was written)
    is skipped: its chunk then has no record and is run again."""
    try:
        text = (out / LEDGER).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return {}
    records: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("file"), str):
            records[record["file"]] = record
    return records


def chunk_fault(path: Path, unit: Unit, seed: int, record: Mapping[str, Any] | None) -> str | None:
    """Why the chunk file at `path` cannot stand for `unit` of a sweep of `seed`, or None."""
    if record is None:
        return f"a chunk with its checksum in {LEDGER} (none is recorded for it)"
    if {k: record.get(k) for k in ("point", "points", "runs", "seed", "rows")} != _identity(
        unit, seed
    ):
        return f"the chunk its name says (its record in {LEDGER} is another's)"
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != record.get("sha256"):
        return "the bytes written (its checksum differs: altered, truncated or replaced)"
    try:
        meta = json.loads((pq.read_schema(path).metadata or {}).get(b"negsim", b"{}"))
    except (OSError, pa.ArrowException, json.JSONDecodeError):
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    written = {"point": unit.point, "points": unit.points, "runs": [unit.start, unit.stop]}
    if {k: meta.get(k) for k in written} != written or meta.get("seed") != seed:
        return "the runs its name says (it holds another chunk's)"
    return None


def unit_of(filename: str) -> Unit | None:
    """The unit a chunk file's name stands for, or None for a name negsim does not write."""
    try:
        head, runs = filename.removesuffix(".parquet").split("_", 1)
        first, last = (int(x) for x in runs.removeprefix("runs-").split("-"))
        points = _points_in(filename)
    except (ValueError, IndexError):
        return None
    unit = Unit(points[0], first, last + 1, len(points))
    return unit if unit.filename == filename else None


def verified_chunks(out: Path, seed: int | None = None) -> list[Path]:
    """The chunk files of a sweep folder, each checked against its record; the first that
    fails is named in one line. `seed` is the sweep's (read from its manifest if None)."""
    if seed is None:
        seed = read_manifest(out).get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ConfigError("seed", seed, "the sweep's seed", file=str(out / MANIFEST))
    runs_dir = out / RUNS_DIR
    ledger = read_ledger(out)
    files = sorted(p for p in runs_dir.glob("*.parquet") if not p.name.startswith("."))
    for path in files:
        unit = unit_of(path.name)
        fault = (
            "a chunk file of this sweep"
            if unit is None
            else chunk_fault(path, unit, seed, ledger.get(path.name))
        )
        if fault is not None:
            raise ConfigError(
                "",
                "<a chunk that fails its check>",
                f"{fault}; rerun the sweep with --resume to run it again",
                file=str(path),
            )
    return files


def finished_units(out: Path, units: Sequence[Unit], seed: int) -> tuple[set[Unit], int]:
    """Units whose file exists and passes its check (checksum and identity against the
    ledger), and how many files failed it. Temporary files (a write cut short) are removed,
    and so is a file that fails: its unit runs again."""
    runs_dir = out / RUNS_DIR
    by_name = {u.filename: u for u in units}
    ledger = read_ledger(out)
    done: set[Unit] = set()
    rejected = 0
    for path in sorted(runs_dir.iterdir()):
        if path.name.startswith(TEMPORARY_PREFIX):
            path.unlink()
            continue
        unit = by_name.get(path.name)
        if unit is None:
            raise ConfigError(
                f"{RUNS_DIR}/{path.name}",
                path.name,
                "only chunk files of this sweep in runs/ (remove or move it)",
                file=str(out),
            )
        if chunk_fault(path, unit, seed, ledger.get(path.name)) is None:
            done.add(unit)
        else:
            path.unlink()
            rejected += 1
    return done, rejected


def read_runs(out: str | Path, point: int | None = None) -> pd.DataFrame:
    """All rows of a sweep (or of one point), in point and run order; every chunk is
    checked against its recorded checksum and identity first."""
    chunks = verified_chunks(Path(out))
    files = sorted(chunks, key=lambda f: (_points_in(f.name)[0], f.name))
    if point is not None:
        files = [p for p in files if point in _points_in(p.name)]
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    if point is not None:
        frame = frame[frame["point"] == point].reset_index(drop=True)
    return frame


def _points_in(filename: str) -> range:
    """The points a chunk file holds, from its name (`point-P_...` or `points-P-Q_...`)."""
    head = filename.split("_", 1)[0].split("-")
    first = int(head[1])
    return range(first, (int(head[2]) if len(head) > 2 else first) + 1)
