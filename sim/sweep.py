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
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import hashlib
import io
import json
import math
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.designs import (
    SweepSpec,
    _plain,
    check_points,
    design_points,
    override_strings,
    point_data,
)
from sim.errors import ConfigError
from sim.results import Tally, wilson_interval
from sim.storage import LOCK, folder_lock

BACKENDS = ("serial", "processes", "dask")
RUNS_DIR = "runs"
TMP_PREFIX = ".tmp-"  # pyarrow.dataset skips names starting with '.', so leftovers are inert
LEDGER = "chunks.jsonl"
SUMMARY_COLUMNS = ("outcome", "settlement_round", "collapse_round")
SCHEDULER_TIMEOUT = 30.0  # seconds to reach an existing Dask scheduler


class SweepError(RuntimeError):
    """A unit failed twice at run time; what finished is on disk and `--resume` goes on."""


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
    parameters stacked on the runs axis, `sim.simulate.simulate_points`): a design of many
    points with few runs each would otherwise pay a model's fixed cost per point.
    """
    if 2 * runs_per_point > chunk_size:
        return [
            Unit(p, start, min(start + chunk_size, runs_per_point))
            for p in range(points)
            for start in range(0, runs_per_point, chunk_size)
        ]
    group = chunk_size // runs_per_point
    return [Unit(p, 0, runs_per_point, min(group, points - p)) for p in range(0, points, group)]


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
    from sim import __version__
    from sim.config import scenario_from_dict
    from sim.simulate import DEFAULT_CHUNK, simulate_points

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


def _worker_init() -> str:
    """Prepare a worker process: import what a unit needs, then freeze the objects that exist
    (modules, classes), so the per-chunk `gc.collect()` only scans what a chunk made.
    Returns the negsim version the worker runs (a cluster must run this one)."""
    import multiprocessing

    from sim.workers import die_with_parent

    worker_process = multiprocessing.parent_process() is not None
    if worker_process:  # first: the imports below take a second, and the parent may die
        die_with_parent()
    import sim.simulate  # noqa: F401
    from sim import __version__

    if worker_process:
        # Not for threads in the user's own process (an in-process Dask cluster).
        gc.collect()
        gc.freeze()
    return __version__


# --------------------------------------------------------------------------------------------
# Backends: each is a concurrent.futures.Executor, so one loop drives all three


class _SerialExecutor(cf.Executor):
    """Runs each unit when it is submitted, in this process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # reported by the driver, which retries once
            future.set_exception(exc)
        return future


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
            yield (lambda: _SerialExecutor()), 1
        finally:
            gc.unfreeze()
        return
    if backend == "processes":
        import multiprocessing

        context = multiprocessing.get_context(start_method)

        def make() -> cf.Executor:
            return cf.ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_worker_init
            )

        yield make, 2 * workers
        return
    import logging

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
    import signal

    with contextlib.suppress(ValueError):  # only possible in a worker's main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return _worker_init()


def _check_cluster(client: Any, scheduler: str | None) -> None:
    """Every Dask worker must import negsim, and the same version as here (else the same
    spec would give other numbers on the cluster than on a laptop)."""
    from sim import __version__

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
        spec: A validated spec (`sim.designs.load_spec`).
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
    from sim import __version__

    if backend not in BACKENDS:
        raise ConfigError("--backend", backend, f"one of {list(BACKENDS)}")
    if workers < 1:
        raise ConfigError("--workers", workers, "a positive integer")
    out = Path(out)
    points = design_points(spec)
    horizons = check_points(spec, points)  # every point valid before anything runs
    points_frame = _points_frame(spec, points)
    manifest = _manifest(spec, points, horizons, __version__)
    with folder_lock(out):
        _prepare_folder(out, manifest, resume)
        _write_table(
            points_frame, out / "points.parquet", {"kind": "sweep_points", "seed": spec.seed}
        )
        runs_dir = out / RUNS_DIR
        units = plan_units(len(points), spec.runs_per_point, spec.chunk_size)
        done, rejected = _finished_units(out, units, spec.seed)
        missing = [u for u in units if u not in done]

        left_per_point = [0] * len(points)
        for u in missing:
            for p in u.point_range:
                left_per_point[p] += 1
        state = Progress(
            runs_done=sum(u.runs for u in done),
            runs_total=sum(u.runs for u in units),
            points_done=sum(1 for n in left_per_point if n == 0),
            points_total=len(points),
        )
        state.runs_resumed = state.runs_done
        if progress is not None:
            progress(state)
        if missing:
            data = _PointData(spec, points)
            with _executor(backend, workers, scheduler, start_method) as (make, window):
                _drive(
                    make,
                    window,
                    missing,
                    data,
                    spec.seed,
                    runs_dir,
                    state,
                    left_per_point,
                    progress,
                )
        summary = build_summary(out, spec, points_frame, units, horizons)
        manifest["status"] = "complete"
        manifest["files"] = ["points.parquet", f"{RUNS_DIR}/", "summary.parquet", "summary.csv"]
        _write_json(out / "manifest.json", manifest)
        return SweepResult(
            out=out,
            points=points_frame,
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


def _drive(
    make: Callable[[], cf.Executor],
    window: int,
    missing: list[Unit],
    data: _PointData,
    seed: int,
    runs_dir: Path,
    state: Progress,
    left_per_point: list[int],
    progress: ProgressHook | None,
) -> None:
    """Keep `window` units in flight; write each result as it arrives; retry a failed unit
    once; on a second failure stop submitting, keep what finishes, and raise SweepError."""
    from concurrent.futures.process import BrokenProcessPool

    pending = deque(missing)
    attempts: dict[Unit, int] = {}
    failure: tuple[Unit, BaseException] | None = None
    executor = make()
    in_flight: dict[cf.Future[bytes], Unit] = {}
    try:
        while in_flight or (pending and failure is None):
            while pending and failure is None and len(in_flight) < window:
                unit = pending.popleft()
                datas = [data[p] for p in unit.point_range]
                in_flight[executor.submit(run_unit, datas, seed, unit)] = unit
            finished, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
            broken = False
            for future in finished:
                unit = in_flight.pop(future)
                try:
                    payload = future.result()
                except Exception as exc:
                    broken = broken or isinstance(exc, BrokenProcessPool)
                    attempts[unit] = attempts.get(unit, 0) + 1
                    if attempts[unit] < 2:
                        pending.appendleft(unit)
                    elif failure is None:
                        failure = (unit, exc)
                    continue
                write_chunk(runs_dir, unit, payload, seed)
                del payload
                state.runs_done += unit.runs
                for p in unit.point_range:
                    left_per_point[p] -= 1
                    if left_per_point[p] == 0:
                        state.points_done += 1
                if progress is not None:
                    progress(state)
            if broken:
                # A worker process died: the pool is unusable. Its other units fail with it
                # (one attempt each) and go on in a fresh pool.
                for unit in list(in_flight.values()):
                    attempts[unit] = attempts.get(unit, 0) + 1
                    if attempts[unit] < 2:
                        pending.appendleft(unit)
                    elif failure is None:
                        failure = (unit, BrokenProcessPool("a worker process died"))
                in_flight.clear()
                _shutdown_now(executor)
                executor = make()
    except BaseException:
        # Ctrl-C and the like: finished units are on disk; drop the rest.
        _shutdown_now(executor)
        raise
    executor.shutdown(wait=True)
    if failure is not None:
        failed, error = failure
        reason = " ".join(f"{type(error).__name__}: {error}".split())
        raise SweepError(
            f"{failed.describe()} failed twice ({reason}); the finished chunks are on disk in "
            f"{runs_dir.parent}: fix the cause and rerun with --resume"
        )


def _shutdown_now(executor: cf.Executor) -> None:
    """Stop without waiting; drop queued units (Dask's executor cancels them on its own)."""
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except TypeError:  # distributed's ClientExecutor.shutdown has no cancel_futures
        executor.shutdown(wait=False)


def write_chunk(runs_dir: Path, unit: Unit, payload: bytes, seed: int) -> Path:
    """Store a unit's Parquet bytes atomically (temporary name, fsync, rename), then record
    its checksum and identity in the ledger. A kill between the two leaves a chunk with no
    record, which a resume runs again."""
    target = runs_dir / unit.filename
    tmp = runs_dir / f"{TMP_PREFIX}{os.getpid()}-{unit.filename}"
    with open(tmp, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    _fsync_dir(runs_dir)
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
        from sim.storage import read_manifest

        seed = read_manifest(out).get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ConfigError("seed", seed, "the sweep's seed", file=str(out / "manifest.json"))
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


def _fsync_dir(path: Path) -> None:
    # The rename is durable only once the directory entry is (power loss, not just a kill).
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _finished_units(out: Path, units: Sequence[Unit], seed: int) -> tuple[set[Unit], int]:
    """Units whose file exists and passes its check (checksum and identity against the
    ledger), and how many files failed it. Temporary files (a write cut short) are removed,
    and so is a file that fails: its unit runs again."""
    runs_dir = out / RUNS_DIR
    by_name = {u.filename: u for u in units}
    ledger = read_ledger(out)
    done: set[Unit] = set()
    rejected = 0
    for path in sorted(runs_dir.iterdir()):
        if path.name.startswith(TMP_PREFIX):
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


# --------------------------------------------------------------------------------------------
# Folder, manifest and points


def _points_frame(spec: SweepSpec, points: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
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


def _manifest(
    spec: SweepSpec, points: Sequence[Mapping[str, Any]], horizons: Sequence[int], version: str
) -> dict[str, Any]:
    from sim.config import scenario_from_dict

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


def _prepare_folder(out: Path, manifest: dict[str, Any], resume: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", str(out), "a directory (or a path to create)")
    # A manifest whose first write was cut short (a kill, a full disk) left only its
    # temporary file: the folder then holds no sweep yet, and the command may start it.
    with contextlib.suppress(FileNotFoundError):
        (out / f"{TMP_PREFIX}manifest.json").unlink()
    old_path = out / "manifest.json"
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
    _write_json(old_path, manifest)


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


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _write_table(frame: pd.DataFrame, path: Path, meta: Mapping[str, Any]) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[b"negsim"] = json.dumps(meta).encode()
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}")
    pq.write_table(table.replace_schema_metadata(schema_meta), tmp)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# The summary, built from the files point by point


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
        table = pd.read_parquet(runs_dir / u.filename, columns=["point", *SUMMARY_COLUMNS])
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
    _write_table(summary, out / "summary.parquet", meta)
    tmp = out / f"{TMP_PREFIX}summary.csv"
    summary.to_csv(tmp, index=False)
    os.replace(tmp, out / "summary.csv")
    return summary


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
