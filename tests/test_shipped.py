"""Shipped scenarios, specs and checks: found by name from any directory, listed, copied out,
and carried by a wheel installed outside the checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim import shipped
from sim.cli import main
from tests.conftest import ROOT, negsim


def test_every_shipped_file_has_a_unique_name():
    for kind, folder in (("scenario", "configs"), ("spec", "experiments")):
        files = sorted((ROOT / folder).rglob("*.yaml"))
        assert len(files) == len(shipped.names(kind)) > 0
    assert not set(shipped.names("scenario")) & set(shipped.names("spec"))


def test_the_checkout_is_the_shipped_root():
    assert shipped.root() == ROOT
    assert shipped.folder("validation") == ROOT / "validation"


def test_a_name_is_the_shipped_file_and_a_path_stays_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shipped.locate("scenario", "ukraine_2025") == ROOT / "configs" / "ukraine_2025.yaml"
    assert shipped.locate("scenario", "korea_1951").name == "korea_1951.yaml"
    assert shipped.locate("spec", "guarantee") == ROOT / "experiments" / "guarantee.yaml"
    # A file of that name in the current directory wins; a path is never looked up by name.
    (tmp_path / "ukraine_2025").write_text("name: mine\n")
    assert shipped.locate("scenario", "ukraine_2025") == Path("ukraine_2025")
    assert shipped.locate("scenario", "x/ukraine_2025") == Path("x/ukraine_2025")
    assert shipped.locate("scenario", "guarantee.yaml") == Path("guarantee.yaml")


def test_a_spec_base_may_name_a_shipped_scenario(tmp_path):
    from sim.experiments.designs import load_spec

    spec = tmp_path / "mine.yaml"
    spec.write_text(
        "name: mine\nbase: ukraine_2025\nruns_per_point: 10\n"
        "parameters:\n  mediator.guarantee: [0.1, 0.9]\n"
    )
    loaded = load_spec(spec)
    assert loaded.base == ROOT / "configs" / "ukraine_2025.yaml"


def test_names_work_from_another_directory(tmp_path):
    run = negsim("run", "ukraine_2025", "--runs", "40", "--seed", "7", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    alone = negsim(
        "run", str(ROOT / "configs/ukraine_2025.yaml"), "--runs", "40", "--seed", "7", cwd=tmp_path
    )
    assert run.stdout == alone.stdout
    prov = negsim("provenance", "korea_1951", cwd=tmp_path)
    assert prov.returncode == 0, prov.stderr
    assert "[record-korea-1951." in prov.stdout  # the record's facts were found


def test_a_misspelt_name_is_one_line_with_a_suggestion(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "ukrane_2025"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "expected an existing scenario file, or the name of a shipped one" in err
    assert "did you mean 'ukraine_2025'?" in err
    assert main(["sweep", "guarante", "--out", str(tmp_path / "o")]) == 2
    assert "did you mean 'guarantee'?" in capsys.readouterr().err


def test_scenarios_lists_what_ships_and_show_copies_one_out(capsys, tmp_path):
    assert main(["scenarios"]) == 0
    listing = capsys.readouterr().out
    for name in (*shipped.names("scenario"), *shipped.names("spec")):
        assert f"  {name} " in listing
    assert "Russia-Ukraine 2025" in listing
    assert main(["scenarios", "show", "ukraine_2025"]) == 0
    copied = capsys.readouterr().out
    assert copied == (ROOT / "configs/ukraine_2025.yaml").read_text(encoding="utf-8")
    # The copy is a working scenario of its own.
    (tmp_path / "my_war.yaml").write_text(copied, encoding="utf-8")
    assert main(["run", str(tmp_path / "my_war.yaml"), "--runs", "20"]) == 0
    capsys.readouterr()
    assert main(["scenarios", "show", "guarantee"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["name"] == "guarantee"


def test_show_of_an_unknown_name_is_one_line(capsys):
    assert main(["scenarios", "show", "korea"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "a shipped name" in err and "korea_1951" in err


@pytest.mark.slow
def test_a_wheel_installed_outside_the_checkout_carries_the_shipped_files(tmp_path):
    """A non-editable install: built as a wheel, unpacked away from the checkout, run from a
    third directory. Its dependencies are this environment's."""
    wheels, site, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("negsim-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    where = subprocess.run(
        [sys.executable, "-c", "import sim; print(sim.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip().startswith(str(site))
    run = negsim("run", "ukraine_2025", "--runs", "50", "--seed", "7", cwd=elsewhere, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Russia-Ukraine 2025: 50 runs, seed 7")
    checks = negsim("validate", "--only", "analytic_nash", cwd=elsewhere, env=env)
    assert checks.returncode == 0, checks.stderr
    assert "1/1 checks pass" in checks.stdout
    sweep = negsim("sweep", "guarantee", "--out", "g", cwd=elsewhere, env=env)
    assert sweep.returncode == 0, sweep.stderr
    assert (elsewhere / "g" / "summary.csv").is_file()
    prov = negsim("provenance", "ukraine_2025", cwd=elsewhere, env=env)
    assert prov.returncode == 0 and "[window-2025." in prov.stdout
    listing = negsim("scenarios", cwd=elsewhere, env=env)
    assert "korea_1951" in listing.stdout and "sensitivity_ukraine" in listing.stdout
