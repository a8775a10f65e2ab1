"""Code named in a data file runs only with consent: a 'module:Class' strategy is imported
only under --allow-import (or its environment variable), installed plugins register through
an entry-point group, and the current directory is never on the command's import path."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.errors import ConfigError
from sim.model.strategies import registry
from tests.conftest import build_scenario, minimal_scenario_dict

NOISY = """\
from pathlib import Path
Path({marker!r}).write_text("imported")
from tests.plugin_strategy import SplitTheDifference as Loud
"""


def _scenario_naming(strategy: str) -> dict:
    data = minimal_scenario_dict()
    data["mediator"] = {"strategy": strategy}
    return data


@pytest.fixture
def noisy_module(tmp_path, monkeypatch) -> Path:
    """A module that leaves a marker file when imported, importable from tmp_path."""
    marker = tmp_path / "marker"
    (tmp_path / "noisy_strategy_module.py").write_text(NOISY.format(marker=str(marker)))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(registry.ALLOW_IMPORT_ENV, raising=False)
    sys.modules.pop("noisy_strategy_module", None)
    return marker


def test_a_module_named_in_a_file_is_not_imported_without_consent(noisy_module):
    with pytest.raises(ConfigError, match="needs --allow-import") as err:
        build_scenario(_scenario_naming("noisy_strategy_module:Loud"))
    assert err.value.path == "mediator.strategy"
    assert not noisy_module.exists()  # its code never ran


def test_with_consent_it_is_imported_and_used(noisy_module):
    registry.allow_imports()
    scenario = build_scenario(_scenario_naming("noisy_strategy_module:Loud"))
    assert noisy_module.read_text() == "imported"
    assert scenario.mediator is not None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sim.model.strategies.base:Strategy", "a subclass of sim.model.strategies.Strategy"),
        ("sim.model.strategies.base:Decision", "a subclass of sim.model.strategies.Strategy"),
        (":X", "'package.module:Class'"),
        (".x:Y", "'package.module:Class'"),
        ("a:b:c", "'package.module:Class'"),
        ("no_such_module_anywhere:X", "ModuleNotFoundError"),
        (
            "sim.model.strategies.base:Nothing",
            "a class Nothing in module sim.model.strategies.base",
        ),
    ],
)
def test_odd_names_are_one_line(monkeypatch, name, expected):
    monkeypatch.setenv(registry.ALLOW_IMPORT_ENV, "1")
    with pytest.raises(ConfigError) as err:
        registry.get(name)
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_an_error_raised_while_importing_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "broken_strategy_module.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(registry.ALLOW_IMPORT_ENV, "1")
    with pytest.raises(ConfigError, match=r"RuntimeError: boom"):
        registry.get("broken_strategy_module:X")


def test_an_abstract_subclass_is_refused(monkeypatch):
    monkeypatch.setenv(registry.ALLOW_IMPORT_ENV, "1")
    monkeypatch.setitem(sys.modules, "abstract_strategy_module", type(sys)("m"))

    class NoDecision(registry.Strategy):
        name = "no_decision"

    sys.modules["abstract_strategy_module"].NoDecision = NoDecision  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="defines decide"):
        registry.get("abstract_strategy_module:NoDecision")


def test_an_installed_plugin_is_named_by_its_registered_name(monkeypatch):
    """A plugin's package declares [project.entry-points."negsim.strategies"]; installing it is
    the consent, so its name works without --allow-import."""
    monkeypatch.delenv(registry.ALLOW_IMPORT_ENV, raising=False)
    plugin = EntryPoint(
        name="split_the_difference",
        value="tests.plugin_strategy:SplitTheDifference",
        group=registry.ENTRY_POINT_GROUP,
    )
    monkeypatch.setattr(registry, "_plugins", lambda: {plugin.name: plugin})
    assert "split_the_difference" in registry.names()
    assert registry.get("split_the_difference").__name__ == "SplitTheDifference"
    scenario = build_scenario(_scenario_naming("split_the_difference"))
    assert scenario.mediator is not None and scenario.mediator.strategy == "split_the_difference"


@pytest.mark.parametrize("command", [["run"], ["provenance"]])
def test_the_command_line_never_imports_from_the_current_directory(tmp_path, command):
    """Even with consent: a module beside the scenario is not on the import path (python -m
    would put the current directory there)."""
    marker = tmp_path / "marker"
    (tmp_path / "beside.py").write_text(NOISY.format(marker=str(marker)))
    scenario = tmp_path / "war.yaml"
    scenario.write_text(yaml.safe_dump(_scenario_naming("beside:Loud")))
    env = {"PATH": "/usr/bin:/bin", registry.ALLOW_IMPORT_ENV: "1"}
    for consent in (True, False):
        if not consent:
            env.pop(registry.ALLOW_IMPORT_ENV)
        proc = subprocess.run(
            [sys.executable, "-m", "sim.cli", *command, "war.yaml"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "mediator.strategy = 'beside:Loud'" in proc.stderr
        assert not marker.exists()


def test_allow_import_on_the_command_line_is_the_consent(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(registry.ALLOW_IMPORT_ENV, raising=False)
    scenario = tmp_path / "war.yaml"
    scenario.write_text(
        yaml.safe_dump(_scenario_naming("tests.plugin_strategy:SplitTheDifference"))
    )
    assert main(["run", str(scenario), "--runs", "5"]) == 2
    assert "needs --allow-import" in capsys.readouterr().err
    assert main(["run", str(scenario), "--runs", "5", "--allow-import"]) == 0
    assert "5 runs" in capsys.readouterr().out
