"""The `negsim` command line, run as `python -m sim.cli` in a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from sim import simulate
from tests.conftest import ROOT, SUMMARY_KEYS, negsim

pytest.importorskip("sim.cli")

SCENARIO = "configs/ukraine_2025.yaml"
OUTCOMES = {
    "ongoing",
    "ceasefire",
    "framework",
    "comprehensive",
    "frozen",
    "capitulation_russia",
    "capitulation_ukraine",
}


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def _outcome_line(stdout: str) -> str:
    lines = [ln for ln in stdout.splitlines() if re.match(r"\s*outcome\b", ln, re.IGNORECASE)]
    assert lines, f"no outcome line in:\n{stdout[-2000:]}"
    return lines[-1]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("negsim") / "results"
    _ok(negsim("run", SCENARIO, "--runs", "2000", "--seed", "7", "--out", str(out)))
    return out


@pytest.mark.slow
def test_single_run_tells_the_story():
    stdout = _ok(negsim("run", SCENARIO, "--seed", "7"))
    round_lines = [ln for ln in stdout.splitlines() if re.match(r"\s*round\s+\d+", ln)]
    assert len(round_lines) >= 2
    assert re.match(r"\s*round\s+1\b", round_lines[0])
    line = _outcome_line(stdout)
    assert any(name in line for name in OUTCOMES), line


@pytest.mark.slow
def test_single_run_is_reproducible():
    first = _ok(negsim("run", SCENARIO, "--seed", "7"))
    assert first == _ok(negsim("run", SCENARIO, "--seed", "7"))


@pytest.mark.slow
def test_json_summary():
    stdout = _ok(negsim("run", SCENARIO, "--runs", "2000", "--seed", "7", "--json"))
    data = json.loads(stdout)
    assert set(data) >= SUMMARY_KEYS
    assert data["runs"] == 2000
    assert data["seed"] == 7
    assert data["horizon"] == 60
    assert sum(data["outcomes"].values()) == 2000
    assert set(data["outcomes"]) <= OUTCOMES
    low, high = data["p_settlement_ci"]
    assert 0.0 <= low <= data["p_settlement"] <= high <= 1.0
    median = data["median_settlement_round"]
    assert median is None or 1 <= median <= 60


@pytest.mark.slow
def test_json_summary_agrees_with_the_library(ukraine):
    data = json.loads(_ok(negsim("run", SCENARIO, "--runs", "500", "--seed", "3", "--json")))
    summary = simulate(ukraine, runs=500, seed=3).summary().to_dict()
    assert data["p_settlement"] == pytest.approx(summary["p_settlement"])
    assert data["outcomes"] == summary["outcomes"]
    assert data["median_settlement_round"] == summary["median_settlement_round"]


@pytest.mark.slow
def test_set_override_changes_the_result():
    # A three-round horizon: over five years most runs settle or freeze either way, and the
    # difference trust makes shows in the first rounds.
    short = ["--runs", "500", "--seed", "3", "--json", "--set", "horizon=3"]
    base = json.loads(_ok(negsim("run", SCENARIO, *short)))
    trust = ["--set", "parties.russia.trust=0.3", "--set", "parties.ukraine.trust=0.3"]
    proc = negsim("run", SCENARIO, *short, *trust)
    trusting = json.loads(_ok(proc))
    assert trusting["p_settlement"] > base["p_settlement"]


@pytest.mark.slow
def test_out_writes_parquet_with_metadata(out_dir):
    path = out_dir / "runs.parquet"
    assert path.is_file()
    table = pd.read_parquet(path)
    assert len(table) == 2000
    assert {"run", "outcome", "settlement_round", "collapse_round"} <= set(table.columns)
    assert table["run"].tolist() == list(range(2000))
    assert set(table["outcome"].astype(str)) <= OUTCOMES

    found: dict[str, object] = {}
    meta = pq.read_schema(path).metadata or {}
    for value in meta.values():
        try:
            decoded = json.loads(value)
        except ValueError:
            continue
        if isinstance(decoded, dict):
            found.update(decoded)
    manifest = out_dir / "manifest.json"
    if manifest.is_file():
        found.update(json.loads(manifest.read_text()))
    assert found.get("seed") == 7, sorted(found)
    assert any(k.startswith("scenario") for k in found), sorted(found)
    text = json.dumps({k: v for k, v in found.items() if k.startswith("scenario")})
    assert "Russia-Ukraine 2025" in text or "ukraine_2025" in text


def test_out_table_matches_library(out_dir, ukraine):
    table = pd.read_parquet(out_dir / "runs.parquet")
    lib = simulate(ukraine, runs=2000, seed=7).table
    assert table["outcome"].astype(str).tolist() == lib["outcome"].astype(str).tolist()
    assert table["settlement_round"].astype("Int64").equals(lib["settlement_round"])


@pytest.mark.slow
def test_replay_run_index_matches_out_table(out_dir):
    table = pd.read_parquet(out_dir / "runs.parquet")
    row = table.iloc[123]
    assert row["run"] == 123
    stdout = _ok(negsim("run", SCENARIO, "--seed", "7", "--run-index", "123"))
    line = _outcome_line(stdout)
    assert re.search(rf"\b{re.escape(str(row['outcome']))}\b", line), (line, row["outcome"])
    # The replayed run's settlement round (or its absence) agrees too.
    settle = row["settlement_round"]
    agreement = [ln for ln in stdout.splitlines() if re.match(r"\s*first agreement", ln)]
    if agreement:
        if pd.isna(settle):
            assert "none" in agreement[0]
        else:
            assert re.search(rf"\b{int(settle)}\b", agreement[0]), agreement[0]


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 123, 1999])
def test_replay_run_index_json(out_dir, index):
    table = pd.read_parquet(out_dir / "runs.parquet")
    proc = negsim("run", SCENARIO, "--seed", "7", "--run-index", str(index), "--json")
    data = json.loads(_ok(proc))
    assert data["outcome"] == str(table.iloc[index]["outcome"])
    settle = table.iloc[index]["settlement_round"]
    assert data["settlement_round"] == (None if pd.isna(settle) else int(settle))


# args, and what the one-line message must mention
BAD_INPUTS: dict[str, tuple[list[str], list[str]]] = {
    "missing_file": (["run", "configs/no_such_file.yaml"], ["no_such_file.yaml"]),
    "unknown_party": (
        ["run", SCENARIO, "--set", "parties.rusia.trust=0.3"],
        ["parties.rusia", "russia"],
    ),
    "out_of_range": (
        ["run", SCENARIO, "--set", "parties.russia.trust=1.5"],
        ["parties.russia.trust", "1.5"],
    ),
    "unknown_strategy": (
        ["run", SCENARIO, "--set", "mediator.strategy=formulatve"],
        ["mediator.strategy", "formulative"],
    ),
    "wrong_type": (
        ["run", SCENARIO, "--set", "parties.russia.trust=high"],
        ["parties.russia.trust"],
    ),
    "set_without_value": (["run", SCENARIO, "--set", "parties.russia.trust"], []),
    "negative_seed": (["run", SCENARIO, "--seed", "-1"], ["seed"]),
    "non_integer_runs": (["run", SCENARIO, "--runs", "many"], ["runs"]),
    "unknown_option": (["run", SCENARIO, "--bogus"], ["--bogus"]),
    "provenance_missing_file": (["provenance", "configs/no_such_file.yaml"], ["no_such_file"]),
}


@pytest.mark.slow
@pytest.mark.parametrize(("args", "needles"), list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(args, needles):
    proc = negsim(*args)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].strip()
    assert proc.stdout.strip() == ""
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_provenance_lists_parameters_with_fact_ids():
    stdout = _ok(negsim("provenance", SCENARIO))
    with (ROOT / SCENARIO).open(encoding="utf-8") as fh:
        facts = yaml.safe_load(fh)["provenance"]["parties.russia.trust"]["facts"]
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if "parties.russia.trust" in ln)
    block = [lines[start]]
    for ln in lines[start + 1 :]:
        if ln and not ln[0].isspace():
            break
        block.append(ln)
    text = "\n".join(block)
    assert "0.1" in text
    assert any(fact in text for fact in facts), text
    # Other parameters are listed too.
    assert "mediator.guarantee" in stdout
    assert "battlefield.initial_control" in stdout
