"""Results on disk: Parquet with the scenario, seed and version in its metadata."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sim.simulate import Results


def write_results(results: Results, out: Path) -> Path:
    """Write runs.parquet and manifest.json into `out` (created if missing).

    The table is written to a temporary name and renamed, so an interrupted write never
    leaves a truncated runs.parquet behind.
    """
    out.mkdir(parents=True, exist_ok=True)
    meta = results.metadata()
    table = pa.Table.from_pandas(results.table, preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[b"negsim"] = json.dumps(meta).encode()
    table = table.replace_schema_metadata(schema_meta)
    target = out / "runs.parquet"
    tmp = out / ".runs.parquet.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, target)
    manifest = dict(meta)
    manifest["summary"] = results.summary().to_dict()
    manifest["files"] = ["runs.parquet"]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return target


def read_metadata(path: Path) -> dict[str, object]:
    """The negsim metadata stored in a runs.parquet file."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[b"negsim"]) if b"negsim" in meta else {}
