"""A sweep folder's chunks are used only as written: each carries a checksum and identity in
chunks.jsonl; an altered, swapped, truncated, foreign or unrecorded chunk is run again on
resume and named in one line when results are read. Malformed manifests, a cut first
manifest write and a second writer are handled in one line too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.errors import ConfigError
from sim.experiments.designs import load_spec
from sim.experiments.sweep import LEDGER, folder_lock, read_runs, run_sweep
from tests.test_sweep import tables, write_spec


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("clean")
    spec = write_spec(folder, chunk_size=100, set={"horizon": 6})
    run_sweep(load_spec(spec), folder / "out")
    return spec, folder / "out"


def _copy(clean: tuple[Path, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(clean[1], tmp_path / "out"))


def _chunks(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("*.parquet"))


def _alter(path: Path) -> None:
    """Change one value and write the file back with its metadata: it still parses."""
    table = pq.read_table(path)
    frame = table.to_pandas()
    frame.loc[0, "final_control"] = frame.loc[0, "final_control"] + 0.25
    import pyarrow as pa

    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(
            table.schema.metadata
        ),
        path,
    )


def _swap(out: Path) -> None:
    first, second = _chunks(out)[0], _chunks(out)[2]  # points 0 and 1, the same run range
    shutil.copyfile(second, first)


def _truncate(out: Path) -> None:
    path = _chunks(out)[1]
    path.write_bytes(path.read_bytes()[:-200])


def _foreign(out: Path, tmp_path: Path) -> None:
    """The same chunk of a sweep with another seed copied in."""
    other = write_spec(tmp_path, chunk_size=100, set={"horizon": 6}, seed=12)
    run_sweep(load_spec(other), tmp_path / "other")
    shutil.copyfile(_chunks(tmp_path / "other")[0], _chunks(out)[0])


FAULTS = {
    "altered": lambda out, tmp: _alter(_chunks(out)[3]),
    "swapped": lambda out, tmp: _swap(out),
    "truncated": lambda out, tmp: _truncate(out),
    "foreign": _foreign,
    "unrecorded": lambda out, tmp: (out / LEDGER).unlink(),
}


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_bad_chunk_is_named_when_read_and_run_again_on_resume(clean, tmp_path, fault):
    spec, reference = clean
    out = _copy(clean, tmp_path)
    FAULTS[fault](out, tmp_path)
    with pytest.raises(ConfigError, match="rerun the sweep with --resume") as err:
        read_runs(out)
    assert err.value.file is not None and err.value.file.startswith(str(out / "runs"))
    result = run_sweep(load_spec(spec), out, resume=True)
    expected = len(_chunks(out)) if fault == "unrecorded" else 1
    assert result.units_rejected == expected and result.units_run == expected
    for got, want in zip(tables(out), tables(reference), strict=True):
        pd.testing.assert_frame_equal(got, want)


def test_the_cli_says_how_many_chunks_were_run_again(clean, tmp_path, capsys):
    spec, _ = clean
    out = _copy(clean, tmp_path)
    _alter(_chunks(out)[0])
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "1 chunks on disk failed their checksum or identity check" in printed
    assert main(["plot", str(out)]) == 0  # all chunks check out again
    capsys.readouterr()


@pytest.mark.parametrize(
    ("manifest", "needle"),
    [
        ("[1, 2]", "expected a sweep manifest (a JSON object)"),
        ("null", "expected a sweep manifest (a JSON object)"),
        ('"text"', "expected a sweep manifest (a JSON object)"),
        ('{"kind": "sweep", "identity": "x"}', "identity = 'x': expected a JSON object"),
        ("{not json", "expected a readable sweep manifest"),
    ],
)
def test_a_malformed_manifest_is_one_line(clean, tmp_path, capsys, manifest, needle):
    spec, _ = clean
    out = _copy(clean, tmp_path)
    (out / "manifest.json").write_text(manifest)
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and needle in err
    assert main(["plot", str(out)]) == 2
    assert "\n" not in capsys.readouterr().err.strip()


def test_a_first_manifest_write_cut_short_does_not_block_the_folder(clean, tmp_path, capsys):
    spec, _ = clean
    out = tmp_path / "out"
    out.mkdir()
    (out / ".tmp-manifest.json").write_text('{"kind": "sw')  # a kill mid-write
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--quiet"]) == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    capsys.readouterr()


def test_a_second_writer_is_refused(clean, tmp_path, capsys):
    spec, _ = clean
    out = tmp_path / "out"
    with folder_lock(out):
        assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 2
        err = capsys.readouterr().err.strip()
        assert "a folder no other negsim command is writing into" in err
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 0  # free again
    capsys.readouterr()


def test_a_second_sensitivity_analysis_into_a_folder_in_use_is_refused(tmp_path, capsys):
    out = tmp_path / "sens"
    argv = ["sensitivity", "sensitivity_ukraine", "--out", str(out), "--samples", "2"]
    with folder_lock(out):
        assert main([*argv, "--runs", "4", "--quiet"]) == 2
        assert "a folder no other negsim command is writing into" in capsys.readouterr().err


def test_a_full_disk_mid_sweep_is_one_line_and_keeps_the_finished_chunks(
    clean, tmp_path, capsys, monkeypatch
):
    import errno

    import sim.experiments.sweep

    spec, reference = clean
    out = tmp_path / "out"
    real = sim.experiments.sweep.write_chunk
    written: list[Path] = []

    def fills_up(runs_dir, unit, payload, seed):
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(runs_dir / unit.filename))
        written.append(real(runs_dir, unit, payload, seed))
        return written[-1]

    monkeypatch.setattr(sim.experiments.sweep, "write_chunk", fills_up)
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.endswith(": No space left on device")
    assert sorted(_chunks(out)) == sorted(written)  # the three finished chunks stay
    monkeypatch.setattr(sim.experiments.sweep, "write_chunk", real)
    result = run_sweep(load_spec(spec), out, resume=True)
    assert result.units_resumed == 3 and result.units_rejected == 0
    for got, want in zip(tables(out), tables(reference), strict=True):
        pd.testing.assert_frame_equal(got, want)
