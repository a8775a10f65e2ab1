"""The package's public names load on first use, and mean the same whatever was imported
first (each check in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from tests.conftest import ROOT


def _python(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.slow
def test_sim_simulate_is_the_function_even_after_its_module_was_imported():
    out = _python(
        "from sim.experiments.simulate import iter_chunks\n"
        "import sim\n"
        "from sim import simulate\n"
        "print(callable(sim.simulate), simulate is sim.simulate, sim.simulate.__name__)"
    )
    assert out == "True True simulate"


@pytest.mark.slow
def test_every_public_name_resolves():
    out = _python(
        "import sim\n"
        "print(sorted(n for n in sim.__all__ if getattr(sim, n) is None))\n"
        "print(sim.NegotiationModel.__mro__[1].__module__.split('.')[0])"
    )
    assert out.splitlines() == ["[]", "mesa"]


def test_the_command_line_reports_bad_input_without_loading_the_engine():
    out = _python(
        "import sys\n"
        "from sim.cli import main\n"
        "code = main(['run', 'configs/ukraine_2025.yaml', '--set', 'parties.rusia.trust=0.3'])\n"
        "print(code, 'mesa' in sys.modules, 'pandas' in sys.modules, 'numpy' in sys.modules)"
    )
    assert out == "2 False False False"


def test_a_batch_run_loads_no_library_it_does_not_use():
    # Start-up time: `negsim run --runs N` pays for the engine, pandas and Mesa only.
    out = _python(
        "import sys\n"
        "from sim.cli import main\n"
        "code = main(['run', 'configs/ukraine_2025.yaml', '--runs', '20'])\n"
        "unused = ['statsmodels', 'scipy.stats', 'matplotlib', 'lifelines', 'dask', 'SALib']\n"
        "print(code, [m for m in unused if m in sys.modules])"
    )
    assert out.splitlines()[-1] == "0 []"


def test_every_subpackage_is_listed_for_the_wheel():
    """pyproject.toml lists the packages a wheel carries; a folder of the package missing
    there would be missing from an installed negsim."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "sim").rglob("__init__.py")
    }
    assert found <= listed
