"""Shared fixtures: a minimal valid scenario (as plain data) and the Ukraine 2025 scenario."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.model.config import Scenario, load_scenario, scenario_from_dict

ROOT = Path(__file__).parents[1]
UKRAINE = ROOT / "configs" / "ukraine_2025.yaml"


def shipped_specs(*, sensitivity: bool) -> list[Path]:
    """The specs in experiments/: sensitivity specs name a `method`, sweep specs do not."""
    return sorted(
        p
        for p in (ROOT / "experiments").glob("*.yaml")
        if ("method" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})) == sensitivity
    )


def _party(role: str, ideal: float, issues: tuple[str, ...]) -> dict[str, Any]:
    weight = 1.0 / len(issues)
    return {
        "role": role,
        "ideal": {name: ideal for name in issues},
        "salience": {name: weight for name in issues},
    }


def minimal_scenario_dict(issues: tuple[str, ...] = ("stakes",)) -> dict[str, Any]:
    """A minimal valid scenario as plain data: parties `a` (role A, ideal 1 on every issue)
    and `b` (role B, ideal 0), equal saliences summing to 1, default everything else.

    Tests modify the returned dict (a fresh deep copy every call) and build it with
    `build_scenario`.
    """
    data = {
        "name": "minimal",
        "horizon": 24,
        "issues": {name: {} for name in issues},
        "parties": {"a": _party("A", 1.0, issues), "b": _party("B", 0.0, issues)},
    }
    return copy.deepcopy(data)


def build_scenario(data: dict[str, Any]) -> Scenario:
    return scenario_from_dict(data, file="test")


@pytest.fixture
def minimal_dict() -> dict[str, Any]:
    return minimal_scenario_dict()


@pytest.fixture(scope="session")
def ukraine_path() -> Path:
    return UKRAINE


@pytest.fixture(scope="session")
def ukraine() -> Scenario:
    return load_scenario(UKRAINE)


# The keys `negsim run --json` and Summary.to_dict() must carry (issue contract).
SUMMARY_KEYS = {
    "runs",
    "seed",
    "horizon",
    "outcomes",
    "p_settlement",
    "p_settlement_ci",
    "median_settlement_round",
}


def negsim(
    *args: str,
    timeout: float = 120,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user does (a fresh interpreter, from the repository root
    unless `cwd` says otherwise)."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.fixture
def allow_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Consent to import 'module:Class' strategies (as --allow-import gives), and the
    repository root on the import path of the commands a test starts, where tests.* live."""
    from sim.model.strategies.registry import ALLOW_IMPORT_ENV

    monkeypatch.setenv(ALLOW_IMPORT_ENV, "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))


@pytest.fixture
def ctrl_c() -> Any:
    """Ctrl-C as a terminal delivers it: a test process started in the background of a
    shell without job control inherits SIGINT ignored, and would test nothing."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
