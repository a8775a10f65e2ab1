"""notebooks/tour.ipynb runs from top to bottom, so it cannot go stale."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_tour_runs_and_shows_its_figures() -> None:
    notebook = nbformat.read(ROOT / "notebooks" / "tour.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(images) == 4  # time to settlement, strategies, sweep, sensitivity
    text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "settlement within 60 rounds: 0.63" in text
