"""Results on disk: Parquet with the scenario, seed and version in its metadata."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ConfigError
from sim.experiments.simulate import Results
from sim.reports.analysis import trace_table
from sim.reports.results import engine_table
from sim.version import __version__

# A file is written under a temporary name beside it, then renamed: a reader never sees it
# half written, and a write cut short (a kill, a full disk) leaves only the temporary file.
# pyarrow.dataset skips names starting with '.', so such leftovers are inert.
TEMPORARY_PREFIX = ".tmp-"


def temporary_path(path: Path) -> Path:
    """Where `write_atomic` writes `path` before renaming it. One name per target: a results
    folder has one writer at a time (`folder_lock`)."""
    return path.with_name(f"{TEMPORARY_PREFIX}{path.name}")


def write_atomic(path: Path, write: Callable[[Path], object], *, durable: bool = False) -> Path:
    """Write `path` atomically: `write(temporary)`, then rename. With `durable`, the bytes
    and the rename are also flushed to the disk (fsync), so that they survive a power loss,
    not just a kill."""
    tmp = temporary_path(path)
    write(tmp)
    if durable:
        _fsync(tmp)
    os.replace(tmp, path)
    if durable:
        _fsync(path.parent)  # the rename is durable only once the directory entry is
    return path


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems refuse fsync on a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_results(results: Results, out: Path) -> Path:
    """Write runs.parquet and manifest.json into `out` (created if missing)."""
    writer = RunsWriter(out, results.metadata())
    writer.write(results.table)
    return writer.close(results.summary())


class RunsWriter:
    """runs.parquet written table by table (one row group each) under a temporary name, so
    that a batch streams to disk and an interrupted write never leaves a truncated file;
    `close` renames it and writes the manifest with the batch's summary."""

    def __init__(self, out: Path, meta: dict[str, Any]) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out, self.meta = out, meta
        self.tmp = temporary_path(out / "runs.parquet")
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pd.DataFrame) -> None:
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        schema_meta = dict(arrow.schema.metadata or {})
        schema_meta[b"negsim"] = json.dumps(self.meta).encode()
        arrow = arrow.replace_schema_metadata(schema_meta)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tmp, arrow.schema)
        self._writer.write_table(arrow)

    def close(self, summary: Any) -> Path:
        if self._writer is None:
            raise ValueError("no runs were written")
        self._writer.close()
        target = self.out / "runs.parquet"
        os.replace(self.tmp, target)
        manifest = {"kind": "run", **self.meta}
        manifest["summary"] = summary.to_dict()
        manifest["files"] = ["runs.parquet"]
        write_manifest(self.out, manifest)
        return target


def read_metadata(path: Path) -> dict[str, object]:
    """The negsim metadata stored in a runs.parquet file."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[b"negsim"]) if b"negsim" in meta else {}


# --------------------------------------------------------------------------------------------
# Other kinds of results folder (trace, sensitivity) and reading manifests back


MANIFEST = "manifest.json"


def write_table(table: pd.DataFrame, path: Path, meta: dict[str, Any] | None = None) -> Path:
    """Write one table as Parquet, atomically (temporary name, then rename), with `meta`
    stored as JSON under the `negsim` key of the schema metadata."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    if meta is not None:
        schema_meta = dict(arrow.schema.metadata or {})
        schema_meta[b"negsim"] = json.dumps(meta, default=_json_default).encode()
        arrow = arrow.replace_schema_metadata(schema_meta)
    return write_atomic(path, lambda tmp: pq.write_table(arrow, tmp))


def write_manifest(out: Path, manifest: dict[str, Any]) -> Path:
    """Write manifest.json (atomically) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest, indent=2, default=_json_default)
    return write_atomic(out / MANIFEST, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a results folder; a missing folder or manifest, or one that is not
    a JSON object, raises ConfigError (one line for the user)."""
    if not folder.is_dir():
        raise ConfigError("folder", str(folder), "an existing results folder")
    path = folder / MANIFEST
    if not path.is_file():
        raise ConfigError(
            MANIFEST,
            "<missing>",
            "the manifest negsim writes into every results folder",
            file=str(folder),
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        where = f"<malformed JSON at line {exc.lineno}, column {exc.colno}>"
        raise ConfigError("", where, f"a JSON object ({exc.msg})", file=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("", "<not UTF-8 text>", "a JSON object", file=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError("", data, "a JSON object", file=str(path))
    return data


def write_trace(model: Any, seed: int, run_index: int, out: Path) -> Path:
    """Write one replayed run as trace.parquet (one row per round, see
    `sim.reports.analysis.trace_table`) and manifest.json of kind "trace"."""
    sc = model.war_scenario
    row = engine_table(model.engine).iloc[[0]]
    meta = {
        "kind": "trace",
        "scenario_name": sc.name,
        "scenario_file": sc.source_file,
        "scenario": sc.to_dict(),
        "seed": int(seed),
        "run_index": int(run_index),
        "horizon": sc.horizon,
        "round_days": sc.round_days,
        "start": sc.start,
        "parties": [sc.a, sc.b],
        "issues": list(sc.issue_names),
        "mediator": sc.mediator.name if sc.mediator is not None else None,
        "version": __version__,
    }
    target = write_table(trace_table(model), out / "trace.parquet", meta)
    manifest = dict(meta)
    manifest["run"] = json.loads(row.to_json(orient="records"))[0]
    manifest["files"] = ["trace.parquet"]
    write_manifest(out, manifest)
    return target


def _json_default(obj: Any) -> Any:
    """numpy scalars and arrays in manifests and metadata."""
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


LOCK = ".lock"  # held by the command writing into a results folder


@contextlib.contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold the folder for this command: a second command writing into it is refused in
    one line, never interleaved. The lock goes with the process, however it ends."""
    if out.exists() and not out.is_dir():
        raise ConfigError("--out", str(out), "a directory (or a path to create)")
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ConfigError(
                "--out", str(out), "a folder no other negsim command is writing into"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
