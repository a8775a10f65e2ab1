"""The command line's one-line answers to Ctrl-C, unreadable files and folders it must not
overwrite (bad input: exit 2; Ctrl-C: exit 130)."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main
from sim.errors import ConfigError
from tests.conftest import ROOT, build_scenario, minimal_scenario_dict

SCENARIO = str(ROOT / "configs" / "ukraine_2025.yaml")
SENSITIVITY = str(ROOT / "experiments" / "sensitivity_ukraine.yaml")


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "name", "args"),
    [
        ("sim.experiments.simulate", "replay", ["run", SCENARIO]),
        ("sim.experiments.simulate", "simulate_summary", ["run", SCENARIO, "--runs", "100"]),
        (
            "sim.experiments.compare",
            "compare",
            ["compare", SCENARIO, "--strategies", "none,formulative"],
        ),
        ("sim.experiments.validation", "run_check", ["validate", "--json"]),
    ],
    ids=["run", "run_many", "compare", "validate"],
)
def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, capsys, module, name, args):
    monkeypatch.setattr(importlib.import_module(module), name, _interrupt)
    assert main(args) == 130
    assert _one_line(capsys) == "negsim: interrupted"


def test_ctrl_c_in_sensitivity_says_a_rerun_resumes(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("sim.experiments.sensitivity.run_sensitivity", _interrupt)
    out = tmp_path / "sens"
    assert main(["sensitivity", SENSITIVITY, "--out", str(out)]) == 130
    line = _one_line(capsys)
    assert line.startswith("negsim: interrupted; ") and str(out) in line
    assert "finished blocks" in line and "resume" in line


@pytest.mark.slow
def test_ctrl_c_stops_the_validation_workers_in_one_line():
    psutil = pytest.importorskip("psutil")
    check = "validation/stylized_guarantees.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "validate", check, "--workers", "2", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As a terminal's Ctrl-C finds it (a shell without job control ignores SIGINT).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    parent = psutil.Process(proc.pid)
    while time.monotonic() < deadline and len(parent.children()) < 2:
        time.sleep(0.05)
    # Soon after they start, the workers are still importing what a block needs.
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr == "negsim: interrupted\n"


@pytest.mark.parametrize("raw", [b"name: Caf\xe9\n", b"\xff\xfename: x\n"], ids=["latin1", "bom"])
@pytest.mark.parametrize("command", ["run", "provenance", "sweep", "sensitivity", "validate"])
def test_a_file_that_is_not_utf8_is_one_line(capsys, tmp_path, raw, command):
    file = tmp_path / "latin.yaml"
    file.write_bytes(raw)
    extra = ["--out", str(tmp_path / "out")] if command in ("sweep", "sensitivity") else []
    assert main([command, str(file), *extra]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"negsim: error: {file}: ")
    assert line.endswith("expected a UTF-8 text file")


def test_a_base_scenario_that_is_not_utf8_is_named(capsys, tmp_path):
    (tmp_path / "base.yaml").write_bytes(b"name: Caf\xe9\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "base: base.yaml\nruns_per_point: 10\nseed: 1\nparameters: {horizon: [12, 24]}\n"
    )
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    line = _one_line(capsys)
    assert f"{tmp_path / 'base.yaml'}: " in line and "UTF-8" in line


# -- results folders ---------------------------------------------------------------------------


def _sweep_spec(folder: Path, points: int = 2, runs: int = 10) -> Path:
    spec = folder / "sweep.yaml"
    spec.write_text(
        f"name: tiny\nbase: {SCENARIO}\nruns_per_point: {runs}\nseed: 1\n"
        f"parameters:\n  mediator.guarantee: {{range: [0.0, 1.0], points: {points}}}\n"
    )
    return spec


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> dict[str, Path]:
    """A finished `run --out` folder and a finished sweep folder (copy before changing)."""
    root = tmp_path_factory.mktemp("finished")
    assert main(["run", SCENARIO, "--runs", "20", "--out", str(root / "run")]) == 0
    spec = _sweep_spec(root)
    assert main(["sweep", str(spec), "--out", str(root / "sweep"), "--quiet"]) == 0
    return {"run": root / "run", "sweep": root / "sweep", "spec": spec}


def _copy(finished: dict[str, Path], kind: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(finished[kind], tmp_path / kind))


@pytest.mark.slow
@pytest.mark.parametrize("damaged", ["runs.parquet", "points.parquet", "chunk"])
def test_plot_names_a_damaged_parquet_file(capsys, tmp_path, finished, damaged):
    folder = _copy(finished, "sweep" if damaged != "runs.parquet" else "run", tmp_path)
    if damaged == "chunk":
        file = sorted((folder / "runs").glob("*.parquet"))[-1]
    else:
        file = folder / damaged
    file.write_bytes(b"garbage")
    capsys.readouterr()
    assert main(["plot", str(folder)]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"negsim: error: {file}: ")
    if damaged == "chunk":  # caught by its checksum before it is read
        assert "its checksum differs" in line and "--resume" in line
    else:
        assert "expected a Parquet file" in line and "--resume" not in line


@pytest.mark.slow
@pytest.mark.parametrize("address", ["notanaddress", "foo://x:1", "tcp://host:port"])
def test_a_scheduler_that_is_not_an_address_is_one_line(capsys, tmp_path, address):
    pytest.importorskip("distributed")
    spec = _sweep_spec(tmp_path)
    args = ["sweep", str(spec), "--out", str(tmp_path / "out"), "--scheduler", address]
    assert main(args) == 2
    line = _one_line(capsys)
    assert line.startswith(
        f"negsim: error: --scheduler = {address!r}: expected the address of a running Dask "
        "scheduler ("
    )


@pytest.mark.parametrize("command", ["run", "replay", "compare"])
@pytest.mark.parametrize("kind", ["sweep", "sensitivity"])
def test_run_and_compare_refuse_another_commands_folder(capsys, tmp_path, finished, command, kind):
    if kind == "sweep":
        folder = _copy(finished, "sweep", tmp_path)
    else:
        folder = tmp_path / "sens"
        folder.mkdir()
        (folder / "manifest.json").write_text('{"kind": "sensitivity", "complete": false}')
    before = (folder / "manifest.json").read_text()
    args = {
        "run": ["run", SCENARIO, "--runs", "20"],
        "replay": ["run", SCENARIO],
        "compare": ["compare", SCENARIO, "--strategies", "none", "--runs", "20"],
    }[command]
    assert main([*args, "--out", str(folder)]) == 2
    line = _one_line(capsys)
    assert line.startswith(
        f"negsim: error: --out = {str(folder)!r}: expected a new or empty folder"
    )
    assert line.endswith(
        f"(this one holds a {kind.replace('sensitivity', 'sensitivity analysis')})"
    )
    assert (folder / "manifest.json").read_text() == before


def test_a_batch_rerun_into_its_own_folder_replaces_it(capsys, tmp_path, finished):
    folder = _copy(finished, "run", tmp_path)
    assert main(["run", SCENARIO, "--runs", "30", "--out", str(folder)]) == 0
    assert json.loads((folder / "manifest.json").read_text())["runs"] == 30
    # A single run is another kind of result: it would leave the batch without its manifest.
    capsys.readouterr()
    assert main(["run", SCENARIO, "--out", str(folder)]) == 2
    assert "this one holds a batch of runs" in _one_line(capsys)


def test_plot_refuses_an_unfinished_sweep(capsys, tmp_path, finished):
    folder = _copy(finished, "sweep", tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = "running"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert main(["plot", str(folder)]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"negsim: error: {folder / 'manifest.json'}: status = 'running': ")
    assert f"negsim sweep {finished['spec']} --out {folder} --resume" in line
    assert not (folder / "figures").exists()


# -- scenario values -----------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["banana", "2025-13", "2025-00", "2025-1", "0000-05", "25-01"])
def test_start_must_be_a_month(start):
    data = minimal_scenario_dict()
    data["start"] = start
    with pytest.raises(ConfigError) as info:
        build_scenario(data)
    assert str(info.value) == f"test: start = {start!r}: expected a month as YYYY-MM"


def test_a_bad_start_is_one_line_before_the_story(capsys):
    assert main(["run", SCENARIO, "--set", "start=banana"]) == 2
    assert _one_line(capsys).endswith("start = 'banana': expected a month as YYYY-MM")


# -- validation check files ----------------------------------------------------------------------


def _check_file(tmp_path: Path, stat: str) -> Path:
    file = tmp_path / "check.yaml"
    scenario = ROOT / "validation" / "scenarios" / "interstate_war.yaml"
    file.write_text(
        f"title: t\nclaim: c\nsource: s\nscenario: {scenario}\nruns: 10\narms: {{base: {{}}}}\n"
        f'expect:\n  - {{stat: "{stat}", between: [0.0, 1.0]}}\n'
    )
    return file


@pytest.mark.parametrize(
    ("stat", "hint"),
    [
        ("outcome:comprehensiv", "did you mean 'comprehensive'?"),
        ("outcome:framework+frozn", "did you mean 'frozen'?"),
        ("outcome:capitulaton_a", "did you mean 'capitulation_a'?"),
        ("outcome:capitulation_c", "one of ['a', 'b']"),
        ("ending:agreemnt", "did you mean 'agreement'?"),
    ],
)
def test_a_misspelt_outcome_in_a_check_is_refused(capsys, tmp_path, stat, hint):
    file = _check_file(tmp_path, stat)
    assert main(["validate", str(file)]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"negsim: error: {file}: expect[0].stat = {stat!r}: expected ")
    assert hint in line


def test_outcomes_of_the_scenario_are_accepted(tmp_path):
    from sim.experiments import validation

    file = _check_file(tmp_path, "outcome:comprehensive+framework+capitulation_b")
    check = validation.load_check(file)
    assert check.conditions[0].stat.endswith("capitulation_b")


# -- YAML ----------------------------------------------------------------------------------------


def test_a_key_given_twice_is_refused(capsys, tmp_path):
    file = tmp_path / "dup.yaml"
    text = (
        Path(SCENARIO)
        .read_text(encoding="utf-8")
        .replace("  russia:\n", "  russia:\n    trust: 0.9\n", 1)
    )
    file.write_text(text, encoding="utf-8")
    assert main(["run", str(file)]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"negsim: error: {file}: parties.russia.trust = ")
    assert "duplicate key" in line


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("a: 1\nb: {c: 1, c: 2}\n", "b.c = 2"),
        ("s:\n  - {x: 1}\n  - {x: 1, y: 2, x: 3}\n", "s[1].x = 3"),
        ("a: 1\na: [1]\n", "a = '<given again at line 2>'"),
    ],
)
def test_duplicate_keys_are_named_by_their_path(tmp_path, text, path):
    from sim.model.config import read_yaml

    file = tmp_path / "dup.yaml"
    file.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_yaml(file)
    assert f": {path}: expected each key once in a mapping (duplicate key" in str(info.value)


def test_merge_keys_and_aliases_still_load(tmp_path):
    from sim.model.config import read_yaml

    file = tmp_path / "merge.yaml"
    file.write_text("x: &b {a: 1}\ny: {<<: *b, a: 2}\nz: &l [1, 2]\nw: [*l, *l]\n")
    data = read_yaml(file)
    assert data["y"] == {"a": 2} and data["w"] == [[1, 2], [1, 2]]
    # A value that contains itself has no end: no scenario or spec can mean one.
    file.write_text("z: &l [1, *l]\n")
    with pytest.raises(ConfigError, match="an alias inside its own anchor at line 1"):
        read_yaml(file)


# -- sweep specs -------------------------------------------------------------------------------


@pytest.mark.parametrize("points", [0, 1])
def test_a_grid_needs_two_points_and_says_so(capsys, tmp_path, points):
    spec = _sweep_spec(tmp_path, points=points)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    line = _one_line(capsys)
    assert line.startswith(
        f"negsim: error: {spec}: parameters.mediator.guarantee.points = {points}: expected an "
        "integer of at least 2 ("
    )


@pytest.mark.parametrize(
    ("spec_set", "cli_set", "start"),
    [
        ("parties.russia.trsut: 0.2", None, "{spec}: set.parties.russia.trsut = 0.2: "),
        ("parties.russia.trust: 1.5", None, "{spec}: set.parties.russia.trust = 1.5: "),
        ("parties.rusia.trust: 0.2", None, "{spec}: set.parties.rusia = 0.2: "),
        (None, "parties.russia.trust=1.5", "--set: parties.russia.trust = 1.5: "),
        (None, "bad.path=1", "--set: bad = {{'path': 1}}: "),
        ("horizon: 24", "parties.rusia.trust=1", "--set: parties.rusia = 1: "),
    ],
)
def test_sweep_overrides_are_blamed_where_they_were_written(
    capsys, tmp_path, spec_set, cli_set, start
):
    spec = _sweep_spec(tmp_path)
    if spec_set is not None:
        spec.write_text(spec.read_text() + f"set: {{{spec_set}}}\n")
    extra = ["--set", cli_set] if cli_set is not None else []
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), *extra]) == 2
    line = _one_line(capsys)
    assert line.startswith("negsim: error: " + start.format(spec=spec)), line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            "parties.russia.trust=[0.1,",
            "--set: parties.russia.trust = '[0.1,': expected a well-formed YAML value (",
        ),
        ("horizon=@x", "--set: horizon = '@x': expected a well-formed YAML value ("),
        (
            "parties.russia={trust: 1, trust: 2}",
            "--set: parties.russia.trust = 2: expected each key once in a mapping",
        ),
    ],
)
def test_a_malformed_set_value_names_its_path_and_value(capsys, item, expected):
    assert main(["run", SCENARIO, f"--set={item}"]) == 2
    assert _one_line(capsys).startswith(f"negsim: error: {expected}")


@pytest.mark.parametrize(
    ("args", "see"),
    [
        (["strategies", "extra"], "negsim strategies -h"),
        (["run", SCENARIO, "--bogus"], "negsim run -h"),
        (["validate", "--nope"], "negsim validate -h"),
        (["bogus"], "negsim -h"),
        ([], "negsim -h"),
    ],
)
def test_usage_errors_point_at_the_right_help(capsys, args, see):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    line = _one_line(capsys)
    assert line.startswith("negsim: error: ") and line.endswith(f"(see {see})")


# -- sensitivity specs and validation arms ------------------------------------------------------


def _sensitivity_spec(tmp_path: Path, parameter: str) -> Path:
    spec = tmp_path / "sens.yaml"
    spec.write_text(
        f"base: {SCENARIO}\nsamples: 4\nruns_per_point: 10\n"
        f"parameters:\n  {parameter}: {{range: [0.0, 0.3]}}\n"
    )
    return spec


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        ("parties.russia.trsut", "expected a numeric scenario setting ('trsut' is not one of"),
        ("parties.russia.domestic", "expected a path to a numeric setting"),
        ("name", "expected a path to a numeric setting"),
    ],
)
def test_a_sensitivity_parameter_error_shows_the_value_given(capsys, tmp_path, parameter, expected):
    spec = _sensitivity_spec(tmp_path, parameter)
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "out")]) == 2
    line = _one_line(capsys)
    assert line.startswith(
        f"negsim: error: {spec}: parameters.{parameter} = {{'range': [0.0, 0.3]}}: {expected}"
    )


def test_an_unknown_party_in_a_sensitivity_range_gets_a_suggestion(capsys, tmp_path):
    spec = _sensitivity_spec(tmp_path, "parties.rusia.trust")
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "out")]) == 2
    assert _one_line(capsys).endswith("(did you mean 'russia'?)")


def test_a_missing_sensitivity_spec_is_named_as_a_spec(capsys, tmp_path):
    missing = tmp_path / "nope.yaml"
    assert main(["sensitivity", str(missing), "--out", str(tmp_path / "out")]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"negsim: error: {missing}: <top level> = ")  # a long path is cut
    assert line.endswith(
        "nope.yaml': expected an existing sensitivity spec file, or the name of a shipped one "
        "(negsim scenarios lists them)"
    )


@pytest.mark.parametrize(
    ("arms", "top", "path", "rest"),
    [
        (
            "{base: {}, other: {set: {parties.c.trust: 0.6}}}",
            "",
            "arms.other.set.parties.c.trust = 0.6",
            "a path the scenario has (parties.c: an existing party name, one of ['a', 'b']) "
            "[arm other, scenario interstate_war.yaml]",
        ),
        (
            "{base: {}}",
            "set: {issues.terri.description: x}\n",
            "set.issues.terri.description = 'x'",
            "a path the scenario has (issues.terri: an existing issue name, one of "
            "['territory', 'political']) [arm base, scenario interstate_war.yaml] "
            "(did you mean 'territory'?)",
        ),
        (
            "{base: {}, other: {set: {parties.a.trust: 1.6}}}",
            "",
            "arms.other.set.parties.a.trust = 1.6",
            "a number in [0, 1] [arm other, scenario interstate_war.yaml]",
        ),
    ],
)
def test_a_bad_arm_override_names_where_the_check_sets_it(capsys, tmp_path, arms, top, path, rest):
    file = _check_file(tmp_path, "p_settlement")
    text = file.read_text().replace("arms: {base: {}}\n", f"arms: {arms}\n{top}")
    file.write_text(text)
    assert main(["validate", str(file)]) == 2
    assert _one_line(capsys) == f"negsim: error: {file}: {path}: expected {rest}"


@pytest.mark.slow
def test_a_ctrl_c_while_the_validation_workers_start_is_not_lost(monkeypatch, capsys, ctrl_c):
    """A Ctrl-C that arrives while the pool is being filled (its workers forking) is held
    back and acted on after, not ignored: the command stops in one line, exit 130."""
    import concurrent.futures as cf

    submit = cf.ProcessPoolExecutor.submit
    sent: list[bool] = []

    def submit_and_interrupt(self, *args, **kwargs):
        future = submit(self, *args, **kwargs)
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)  # as if the user pressed Ctrl-C now
        return future

    monkeypatch.setattr(cf.ProcessPoolExecutor, "submit", submit_and_interrupt)
    argv = ["validate", str(ROOT / "validation/stylized_guarantees.yaml"), "--workers", "2"]
    assert main([*argv, "--runs", "200", "--quiet"]) == 130
    assert sent and _one_line(capsys) == "negsim: interrupted"
