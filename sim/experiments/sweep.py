"""Run a parameter sweep: every point × replicate, in chunks, streamed to disk, resumable.

A sweep is a list of work units. A unit is one point of the design and a range of its run
indices; run i of every point draws from (seed, i, round, stream), so points share common
random numbers and any row replays alone with `negsim run BASE --set ... --seed S
--run-index i`. Units run serially, on local processes, or on a Dask cluster: each returns
its rows as Parquet bytes and this process, the only writer, stores them as one file per
unit under ``runs/`` (temporary name, fsync, atomic rename). A unit's file therefore exists
only once it is complete, which is all `resume` needs to know; the summary is computed at
the end from the files, one point at a time, reading three columns.

Layout of a sweep folder (kind "sweep"):
    manifest.json      spec, seed, version, design, the points, status
    points.parquet     point + one column per swept dotted path
    runs/              one Parquet file per unit: engine_table rows plus `point`
    chunks.jsonl       one line per unit written: its file, SHA-256, identity and row count
    summary.parquet    one row per point (and summary.csv, the same table)

A chunk is used only if its bytes have the SHA-256 recorded when it was written and its
identity (points, run range, seed) is the unit its name says: on resume a chunk that fails is
run again; when results are read, it is named in one line. A folder is written by one
command at a time (a lock on `.lock`).

The chunks and their ledger are `sim.experiments.sweep_chunks`; the folder, its manifest and
the summary `sim.experiments.sweep_folder`; this module runs the units.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import io
import json
import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ConfigError
from sim.experiments.designs import SweepSpec, check_points, design_points, point_data
from sim.experiments.executor import ProcessPool, SerialExecutor, ignore_interrupts, stop_now
from sim.experiments.simulate import DEFAULT_CHUNK, simulate_points
from sim.experiments.storage import folder_lock, write_manifest, write_table
from sim.experiments.sweep_chunks import (
    LEDGER,
    RUNS_DIR,
    Unit,
    chunk_fault,
    finished_units,
    plan_units,
    read_ledger,
    read_runs,
    unit_of,
    verified_chunks,
    write_chunk,
)
from sim.experiments.sweep_folder import build_summary, points_frame, prepare_folder, sweep_manifest
from sim.experiments.workers import die_with_parent
from sim.model.config import scenario_from_dict
from sim.version import __version__

# Re-exported: the sweep's public names, importable from here as before the split.
__all__ = [
    "BACKENDS",
    "LEDGER",
    "RUNS_DIR",
    "Progress",
    "SweepError",
    "SweepResult",
    "Unit",
    "chunk_fault",
    "folder_lock",
    "plan_units",
    "read_ledger",
    "read_runs",
    "run_sweep",
    "run_unit",
    "unit_of",
    "verified_chunks",
    "write_chunk",
]

BACKENDS = ("serial", "processes", "dask")
SCHEDULER_TIMEOUT = 30.0  # seconds to reach an existing Dask scheduler


class SweepError(RuntimeError):
    """A unit failed twice at run time; what finished is on disk and `--resume` goes on."""


@dataclass
class Progress:
    """Where a running sweep stands (passed to the progress hook after every unit)."""

    runs_done: int
    runs_total: int
    points_done: int
    points_total: int
    runs_resumed: int = 0


@dataclass
class SweepResult:
    out: Path
    points: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any]
    units_run: int = 0
    units_resumed: int = 0
    units_rejected: int = 0  # chunks on disk that failed their checksum or identity: run again


ProgressHook = Callable[[Progress], None]


# --------------------------------------------------------------------------------------------
# The unit of work (runs in a worker: a process, a Dask worker or this process)

_SCENARIO_CACHE: dict[str, Any] = {}


def run_unit(scenario_data: Sequence[Mapping[str, Any]], seed: int, unit: Unit) -> bytes:
    """Run one unit and return its rows (engine_table plus `point`) as Parquet bytes.

    `scenario_data` holds one scenario per point of the unit, as plain data, validated
    again here: Scenario objects hold read-only mapping proxies, which do not pickle, and
    rebuilding is cheap next to a chunk.
    """
    scenarios = []
    for data in scenario_data:
        key = json.dumps(data, sort_keys=True, default=str)
        scenario = _SCENARIO_CACHE.get(key)
        if scenario is None:
            scenario = scenario_from_dict(dict(data), file="<sweep point>")
            if len(_SCENARIO_CACHE) >= 64:  # one point at a time is common; bound memory
                _SCENARIO_CACHE.clear()
            _SCENARIO_CACHE[key] = scenario
        scenarios.append(scenario)
    runs = unit.stop - unit.start
    tables = simulate_points(
        scenarios,
        runs,
        seed,
        first_runs=[unit.start] * len(scenarios),
        chunk_size=min(DEFAULT_CHUNK, max(unit.runs, 1)),
    )
    frame = tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)
    frame.insert(0, "point", np.repeat(np.asarray(unit.point_range, dtype=np.int64), runs))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"negsim"] = json.dumps(
        {
            "kind": "sweep_chunk",
            "point": unit.point,
            "points": unit.points,
            "runs": [unit.start, unit.stop],
            "seed": seed,
            "version": __version__,
        }
    ).encode()
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), sink)
    return sink.getvalue()


def _prepare_worker() -> None:
    """Freeze the objects that exist in a worker process (modules, classes), so that the
    per-chunk `gc.collect()` only scans what a chunk made."""
    gc.collect()
    gc.freeze()


def _worker_init() -> str:
    """Prepare a Dask worker (`_prepare_worker`, once it dies with its parent); returns the
    negsim version it runs (a cluster must run this one)."""
    if multiprocessing.parent_process() is not None:
        die_with_parent()
        _prepare_worker()
    # else a thread in the user's own process (an in-process Dask cluster): left alone.
    return __version__


# --------------------------------------------------------------------------------------------
# Backends: each is a concurrent.futures.Executor, so one loop drives all three


@contextlib.contextmanager
def _executor(
    backend: str, workers: int, scheduler: str | None, start_method: str | None
) -> Iterator[tuple[Callable[[], cf.Executor], int]]:
    """Yield (a factory for the executor, how many units to keep in flight)."""
    if backend == "serial":
        # Units run here, each followed by a garbage collection: while the sweep runs, the
        # objects that already exist are frozen out of the collector's scans (put back
        # afterwards), so each collection costs microseconds instead of tens of ms.
        gc.freeze()
        try:
            yield SerialExecutor, 1
        finally:
            gc.unfreeze()
        return
    if backend == "processes":
        context = multiprocessing.get_context(start_method)

        def make() -> cf.Executor:
            return ProcessPool(workers, mp_context=context, prepare=_prepare_worker)

        yield make, 2 * workers
        return
    yield from _dask_executor(workers, scheduler)


def _dask_executor(
    workers: int, scheduler: str | None
) -> Iterator[tuple[Callable[[], cf.Executor], int]]:
    """The dask backend of `_executor`: a LocalCluster of `workers`, or `scheduler`'s."""
    # Imported here: distributed is an optional dependency (the `dask` extra), and slow to
    # import; only this backend needs it.
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, ValueError) as exc:  # ValueError: not an address at all
            raise ConfigError(
                "--scheduler", scheduler, f"the address of a running Dask scheduler ({exc})"
            ) from None
    try:
        _check_cluster(client, scheduler)
        slots = sum(client.nthreads().values()) or workers
        yield (lambda: client.get_executor(pure=False)), 2 * slots
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _local_worker_init() -> str:
    """`_worker_init` for the workers of our own LocalCluster, which also leave Ctrl-C to
    this process: it stops the sweep and closes the cluster (else each worker would print
    its own KeyboardInterrupt traceback)."""
    ignore_interrupts()
    return _worker_init()


def _check_cluster(client: Any, scheduler: str | None) -> None:
    """Every Dask worker must import negsim, and the same version as here (else the same
    spec would give other numbers on the cluster than on a laptop)."""
    where = scheduler or "LocalCluster"
    try:
        versions = client.run(_worker_init if scheduler is not None else _local_worker_init)
    except Exception as exc:
        raise ConfigError(
            "--scheduler", where, f"a cluster whose workers can import negsim ({exc})"
        ) from None
    others = sorted({v for v in versions.values() if v != __version__})
    if others:
        raise ConfigError(
            "--scheduler",
            where,
            f"workers running negsim {__version__} like this process (found {others})",
        )


# --------------------------------------------------------------------------------------------
# The sweep


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    backend: str = "serial",
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    progress: ProgressHook | None = None,
    start_method: str | None = None,
) -> SweepResult:
    """Run (or finish, with `resume`) the sweep described by `spec` into folder `out`.

    Args:
        spec: A validated spec (`sim.experiments.designs.load_spec`).
        out: The sweep folder; new or empty unless `resume`.
        backend: "serial", "processes" or "dask".
        workers: Worker processes (processes, or a LocalCluster when dask has no scheduler).
        scheduler: Address of an existing Dask scheduler (its workers must import negsim).
        resume: Finish a sweep started in `out` with the same spec, seed and version.
        progress: Called with a Progress after every unit (and once at the start).
        start_method: multiprocessing start method for the processes backend
            (None: the interpreter's default).

    Raises:
        ConfigError: a bad point, a bad folder, or a resume that does not match (before any
            run starts).
        SweepError: a unit failed twice; every finished unit is on disk.
    """
    if backend not in BACKENDS:
        raise ConfigError("--backend", backend, f"one of {list(BACKENDS)}")
    if workers < 1:
        raise ConfigError("--workers", workers, "a positive integer")
    out = Path(out)
    points = design_points(spec)
    horizons = check_points(spec, points)  # every point valid before anything runs
    points_table = points_frame(spec, points)
    manifest = sweep_manifest(spec, points, horizons, __version__)
    with folder_lock(out):
        prepare_folder(out, manifest, resume)
        meta = {"kind": "sweep_points", "seed": spec.seed}
        write_table(points_table, out / "points.parquet", meta)
        units = plan_units(len(points), spec.runs_per_point, spec.chunk_size)
        done, rejected = finished_units(out, units, spec.seed)
        missing = [u for u in units if u not in done]
        tracker = _Tracker(units, missing, len(points), progress)
        if missing:
            work = _Work(_PointData(spec, points), spec.seed, out / RUNS_DIR)
            with _executor(backend, workers, scheduler, start_method) as (make, window):
                _drive(make, window, missing, work, tracker)
        summary = build_summary(out, spec, points_table, units, horizons)
        manifest["status"] = "complete"
        manifest["files"] = ["points.parquet", f"{RUNS_DIR}/", "summary.parquet", "summary.csv"]
        write_manifest(out, manifest)
        return SweepResult(
            out=out,
            points=points_table,
            summary=summary,
            manifest=manifest,
            units_run=len(missing),
            units_resumed=len(done),
            units_rejected=rejected,
        )


class _PointData:
    """Each point's scenario data, made on demand (a design may have many points)."""

    def __init__(self, spec: SweepSpec, points: Sequence[Mapping[str, Any]]) -> None:
        self.spec, self.points = spec, points
        self._last: tuple[int, dict[str, Any]] | None = None

    def __getitem__(self, point: int) -> dict[str, Any]:
        if self._last is None or self._last[0] != point:
            self._last = (point, point_data(self.spec, self.points[point]))
        return self._last[1]


@dataclass(frozen=True)
class _Work:
    """What every unit of a sweep needs: its points' data, the seed, where chunks go."""

    data: _PointData
    seed: int
    runs_dir: Path


class _Tracker:
    """Where the sweep stands, reported to the progress hook at the start and after every
    unit written."""

    def __init__(
        self,
        units: Sequence[Unit],
        missing: Sequence[Unit],
        points: int,
        progress: ProgressHook | None,
    ) -> None:
        self.left_per_point = [0] * points
        for u in missing:
            for p in u.point_range:
                self.left_per_point[p] += 1
        done = sum(u.runs for u in units) - sum(u.runs for u in missing)
        self.state = Progress(
            runs_done=done,
            runs_total=sum(u.runs for u in units),
            points_done=sum(1 for n in self.left_per_point if n == 0),
            points_total=points,
            runs_resumed=done,
        )
        self.progress = progress
        if progress is not None:
            progress(self.state)

    def finished(self, unit: Unit) -> None:
        self.state.runs_done += unit.runs
        for p in unit.point_range:
            self.left_per_point[p] -= 1
            if self.left_per_point[p] == 0:
                self.state.points_done += 1
        if self.progress is not None:
            self.progress(self.state)


class _Attempts:
    """Each unit runs at most twice; the first unit to fail twice is the sweep's failure."""

    def __init__(self, missing: Sequence[Unit]) -> None:
        self.pending = deque(missing)
        self.counts: dict[Unit, int] = {}
        self.failure: tuple[Unit, BaseException] | None = None

    def failed(self, unit: Unit, error: BaseException) -> None:
        self.counts[unit] = self.counts.get(unit, 0) + 1
        if self.counts[unit] < 2:
            self.pending.appendleft(unit)
        elif self.failure is None:
            self.failure = (unit, error)

    def more(self) -> bool:
        """Whether units are waiting to be submitted (none after a failure)."""
        return bool(self.pending) and self.failure is None


def _drive(
    make: Callable[[], cf.Executor],
    window: int,
    missing: list[Unit],
    work: _Work,
    tracker: _Tracker,
) -> None:
    """Keep `window` units in flight; write each result as it arrives; retry a failed unit
    once; on a second failure stop submitting, keep what finishes, and raise SweepError."""
    attempts = _Attempts(missing)
    executor = make()
    in_flight: dict[cf.Future[bytes], Unit] = {}
    try:
        while in_flight or attempts.more():
            while attempts.more() and len(in_flight) < window:
                unit = attempts.pending.popleft()
                datas = [work.data[p] for p in unit.point_range]
                in_flight[executor.submit(run_unit, datas, work.seed, unit)] = unit
            finished, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
            broken = False
            for future in finished:
                unit = in_flight.pop(future)
                try:
                    payload = future.result()
                except Exception as exc:
                    broken = broken or isinstance(exc, BrokenProcessPool)
                    attempts.failed(unit, exc)
                    continue
                write_chunk(work.runs_dir, unit, payload, work.seed)
                del payload
                tracker.finished(unit)
            if broken:
                # A worker process died: the pool is unusable. Its other units fail with it
                # (one attempt each) and go on in a fresh pool.
                for unit in list(in_flight.values()):
                    attempts.failed(unit, BrokenProcessPool("a worker process died"))
                in_flight.clear()
                stop_now(executor)
                executor = make()
    except BaseException:
        # Ctrl-C and the like: finished units are on disk; drop the rest.
        stop_now(executor)
        raise
    executor.shutdown(wait=True)
    if attempts.failure is not None:
        failed, error = attempts.failure
        reason = " ".join(f"{type(error).__name__}: {error}".split())
        raise SweepError(
            f"{failed.describe()} failed twice ({reason}); the finished chunks are on disk in "
            f"{work.runs_dir.parent}: fix the cause and rerun with --resume"
        )
