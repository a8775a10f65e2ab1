"""The browser app's logic without a browser (sim.app.logic) and the `negsim app` command:
sliders from provenance, overrides, the lab's numbers as `negsim run` prints them, one run
stepped as `--run-index` tells it, and bad input in the CLI's one line."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.app import logic, serve
from sim.cli import _summary_text, main
from sim.errors import ConfigError
from sim.experiments.simulate import replay, simulate_summary
from sim.model.config import load_scenario
from sim.model.shell import NegotiationModel
from sim.reports.story import story

ROOT = Path(__file__).parents[1]


def cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line
    return line.removeprefix("negsim: error: ")


def test_assumptions_are_the_provenance_ranges() -> None:
    rows = {row.path: row for row in logic.assumptions("ukraine_2025")}
    assert len(rows) == 62
    horizon = rows["parties.russia.planning_horizon"]
    assert horizon.integer and (horizon.low, horizon.high, horizon.step) == (6, 24, 1)
    trust = rows["parties.russia.trust"]
    assert not trust.integer and (trust.low, trust.high) == (0.0, 0.3)
    assert all(row.low <= row.value <= row.high for row in rows.values())
    assert all((row.high - row.low) / row.step >= 18 for row in rows.values())


def test_slider_overrides_only_what_moved_and_as_set_takes_it() -> None:
    rows = logic.assumptions("ukraine_2025")
    by_path = {row.path: row for row in rows}
    moved = {
        "mediator.guarantee": 0.30000000000000004 + 0.005,  # float noise of a slider
        "parties.russia.trust": by_path["parties.russia.trust"].value,  # not moved
        "horizon": 72.0,
    }
    sets = logic.slider_overrides(rows, moved)
    assert sets == ["horizon=72", "mediator.guarantee=0.305"]
    sc = logic.load("ukraine_2025", sets)
    assert sc.horizon == 72 and sc.mediator is not None and sc.mediator.guarantee == 0.305


def test_set_lines_skip_blanks_and_comments() -> None:
    text = "\n# a note\n parties.russia.trust=0.2 \n\nhorizon=48\n"
    assert logic.parse_set_lines(text) == ["parties.russia.trust=0.2", "horizon=48"]


def test_lab_probability_is_the_line_negsim_run_prints() -> None:
    sc = load_scenario("ukraine_2025", ["mediator.guarantee=0.4"])
    seen: list[float] = []
    res = logic.run_lab(sc, ["scenario", "none"], 300, 5, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    row = res.rows()[0]
    summary = simulate_summary(sc, 300, 5)
    printed = _summary_text(summary, sc.name, None).splitlines()[1]
    assert printed.endswith(f"{row['p_settlement']} ({row['interval']})")
    assert [r["strategy"] for r in res.rows()] == ["scenario", "none"]


def test_downloads_read_back(tmp_path: Path) -> None:
    sc = logic.load("ukraine_2025")
    res = logic.run_lab(sc, ["scenario", "none"], 50, 1)
    parquet = pd.read_parquet(io.BytesIO(res.runs_bytes("parquet")))
    csv = pd.read_csv(io.BytesIO(res.runs_bytes("csv")))
    assert len(parquet) == len(csv) == 100
    assert list(parquet["strategy"].unique()) == ["scenario", "none"]
    sets = ["parties.russia.trust=0.25", "horizon=48"]
    written = tmp_path / "overridden.yaml"
    written.write_text(logic.scenario_yaml("ukraine_2025", sets), encoding="utf-8")
    again = load_scenario(written)
    expected = load_scenario("ukraine_2025", sets)
    assert again.horizon == 48 and again.parties["russia"].trust == 0.25
    assert {**again.to_dict(), "source_file": None} == {**expected.to_dict(), "source_file": None}


def test_upload_errors_read_as_the_cli_gives_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = b"name: broken\nparties: [unclosed\n"
    saved = logic.save_upload("../some/where/broken.yaml", content, tmp_path / "upload")
    assert saved == tmp_path / "upload" / "broken.yaml"
    with pytest.raises(ConfigError) as caught:
        logic.load(saved, [], saved.name)
    (tmp_path / "broken.yaml").write_bytes(content)
    monkeypatch.chdir(tmp_path)
    assert logic.message(caught.value) == cli_error(["run", "broken.yaml"], capsys)


def test_out_of_range_override_reads_as_the_cli_gives_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(ConfigError) as caught:
        logic.load("ukraine_2025", ["parties.russia.trust=5"])
    expected = cli_error(["run", "ukraine_2025", "--set", "parties.russia.trust=5"], capsys)
    assert logic.message(caught.value) == expected


def test_run_index_and_seed_checks(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        logic.check_run_index("-1")
    expected = cli_error(["run", "ukraine_2025", "--run-index", "-1"], capsys)
    assert logic.message(caught.value) == expected
    assert logic.check_run_index(" 12 ", 20) == 12
    for bad in ("abc", "1.5", ""):
        with pytest.raises(ConfigError, match="--run-index"):
            logic.check_run_index(bad)
    with pytest.raises(ConfigError, match="a run of the batch, 0 to 19"):
        logic.check_run_index("20", 20)
    assert logic.check_runs_and_seed("20,000", "3") == (20000, 3)
    with pytest.raises(ConfigError, match="--runs"):
        logic.check_runs_and_seed("0", "3")


def test_stepped_story_is_the_run_index_story() -> None:
    sc = load_scenario("ukraine_2025")
    model = NegotiationModel(sc, seed=7, run_indices=np.array([42]), trace=True)
    for _ in range(4):
        model.step()
    shown = logic.story_so_far(model, 42).splitlines()
    told = story(replay(sc, 7, 42), 42).splitlines()
    assert sum(line.startswith("round ") for line in shown) == 4
    assert shown == told[: len(shown)]
    while model.running:
        model.step()
    assert logic.story_so_far(model, 42) == story(replay(sc, 7, 42), 42)


def test_strategy_names_start_with_the_scenario_s_own() -> None:
    names = logic.strategy_names()
    assert names[0] == "scenario" and "none" in names and "manipulative" in names
    sc = logic.load("ukraine_2025")
    assert logic.war_scenario(sc, "scenario") is sc
    assert logic.war_scenario(sc, "none").mediator.strategy == "none"


def test_app_command_without_the_extra_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "missing_extra", lambda: ["solara"])
    message = cli_error(["app"], capsys)
    assert message == 'the app needs its extra (solara missing): pip install -e ".[app]"'


def test_app_command_refuses_bad_input_before_serving(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "missing_extra", list)
    monkeypatch.setattr(serve, "serve", lambda *a: pytest.fail("served"))
    assert "nope_not_a_scenario" in cli_error(["app", "nope_not_a_scenario"], capsys)
    assert cli_error(["app", "--port", "70000"], capsys).startswith("--port = 70000")


def test_server_listens_on_localhost_only() -> None:
    cmd = serve.command(8999)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--port") + 1] == "8999"
    assert serve.environment("my.yaml")["NEGSIM_APP_SCENARIO"] == "my.yaml"


@pytest.mark.slow
def test_cli_does_not_load_solara() -> None:
    code = (
        "import sys; from sim.cli import main; rc = main(['app', 'nope_not_a_scenario']); "
        "print(rc, 'solara' in sys.modules, 'numpy' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.split() == ["2", "False", "False"], proc.stderr


@pytest.mark.slow
def test_sigterm_to_the_command_stops_the_server(tmp_path: Path) -> None:
    pid_file = tmp_path / "server.pid"
    fake_server = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    code = (
        "import sys; from sim.app.serve import serve; "
        f"sys.exit(serve('ukraine_2025', 1, [sys.executable, '-c', {fake_server!r}]))"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    child = int(pid_file.read_text())
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=20) == 128 + signal.SIGTERM
    with pytest.raises(ProcessLookupError):
        for _ in range(100):
            os.kill(child, 0)  # still there (or a zombie not yet reaped by init)
            time.sleep(0.1)
