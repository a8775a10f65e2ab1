"""The browser app end to end, in headless Chromium: what the page shows equals what the
command line prints for the same scenario, overrides and seed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).parents[2]
RUNS = 1000
SEED = 7


def negsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], cwd=cwd, capture_output=True, text=True
    )


def cli_error(*args: str, cwd: Path = ROOT) -> str:
    """The one line `negsim` prints for bad input, without its "negsim: error: " prefix."""
    proc = negsim(*args, cwd=cwd)
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("negsim: error: ")
    return line.removeprefix("negsim: error: ")


def overrides_shown(page: Any) -> list[str]:
    """The `--set` strings the lab shows it will apply."""
    text = page.locator(".lab-overrides").inner_text()
    return re.findall(r"--set (\S+)", text)


def type_into(page: Any, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")


def go_to_run(page: Any, index: int) -> None:
    """Type a run index and press Go to run until the page shows that run. On a loaded
    machine (the full suite on two busy cores) the page has missed a typed index or a press;
    the test types and presses again, as a user would, and if the page never shows the run
    it fails with what the page shows instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    shown = page.locator(".one-war-now", has_text=f"Run {index}, seed {SEED}")
    for _ in range(5):
        type_into(page, "Run index", str(index))
        page.locator(".one-war-go").click()
        try:
            shown.wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    now = page.locator(".one-war-now").all_inner_texts()
    typed = page.get_by_label("Run index", exact=True).input_value()
    errors = page.locator(".negsim-error").all_inner_texts()
    raise AssertionError(
        f"run {index}, seed {SEED} never shown; the page shows {now!r}, "
        f"the index box holds {typed!r}, errors {errors!r}"
    )


def run_lab(page: Any) -> str:
    """Set runs and seed, press Run until the results are those of that run count and seed,
    and return the results table's text. On a loaded machine a run once started before the
    typed run count had reached the page (it ran the default 20,000); the test waits for the
    results that name its own numbers, pressing Run again as a user would."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    type_into(page, "Runs per strategy", str(RUNS))
    type_into(page, "Seed", str(SEED))
    header = page.get_by_text(f"{RUNS:,} runs per strategy, seed {SEED}")
    for _ in range(5):
        page.locator(".lab-run").click()
        try:
            header.wait_for(timeout=30_000)
            break
        except PlaywrightTimeout:
            continue
    header.wait_for()
    return page.locator(".lab-results").inner_text()


def test_slider_run_matches_negsim_run(page: Any) -> None:
    # Move one assumption's slider one step by keyboard, as a user would.
    slider = page.locator(".v-input__slider", has_text="mediator.guarantee")
    slider.scroll_into_view_if_needed()
    slider.locator(".v-slider__thumb-container").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.lab-overrides').innerText.includes('mediator.guarantee')"
    )
    sets = overrides_shown(page)
    assert [s.split("=")[0] for s in sets] == ["mediator.guarantee"]
    table = run_lab(page)
    row = next(line for line in table.splitlines() if line.split("\t")[0].strip() == "scenario")
    args = ["run", "ukraine_2025", "--runs", str(RUNS), "--seed", str(SEED), "--quiet"]
    for s in sets:
        args += ["--set", s]
    proc = negsim(*args)
    assert proc.returncode == 0, proc.stderr
    found = re.search(r"settlement within the horizon: (.+)", proc.stdout)
    assert found is not None, proc.stdout
    assert found.group(1).strip() in row  # e.g. "0.624 (95% CI 0.617-0.631)"


def test_one_war_steps_as_run_index(page: Any) -> None:
    run_lab(page)
    page.get_by_role("tab", name=re.compile("one-war", re.I)).click()
    go_to_run(page, 123)
    step = page.get_by_role("button", name="Step")
    for _ in range(3):
        step.click()
        page.wait_for_timeout(300)
    page.locator(".one-war-now", has_text="Round 3 of").wait_for()
    page.get_by_role("tab", name=re.compile("page 1", re.I)).click()
    shown = page.locator(".one-war-story").inner_text().rstrip("\n").splitlines()
    proc = negsim("run", "ukraine_2025", "--run-index", "123", "--seed", str(SEED))
    assert proc.returncode == 0, proc.stderr
    printed = proc.stdout.splitlines()
    assert shown[0] == printed[0]  # "Russia-Ukraine 2025: run 123, seed 7"
    assert sum(line.startswith("round ") for line in shown) == 3
    assert shown == printed[: len(shown)]
    # A run outside the batch is refused in one line, and the page goes on.
    type_into(page, "Run index", str(RUNS))
    page.locator(".one-war-go").click()
    error = page.locator(".negsim-error")
    error.wait_for()
    assert f"--run-index = {RUNS}: expected a run of the batch" in error.inner_text()


def test_bad_input_shows_the_cli_message(page: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nparties: [unclosed\n", encoding="utf-8")
    expected = cli_error("run", "broken.yaml", cwd=tmp_path)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile("Upload YAML")).click()
    chooser.value.set_files(str(broken))
    error = page.locator(".negsim-error")
    error.wait_for()
    assert error.inner_text().strip() == expected
    # A value out of range, typed as a --set line.
    box = page.locator(".lab-set textarea")
    box.fill("parties.russia.trust=5")
    box.blur()
    page.locator(".lab-run").click()
    page.locator(".negsim-error", has_text="parties.russia.trust").wait_for()
    expected = cli_error("run", "ukraine_2025", "--runs", "10", "--set", "parties.russia.trust=5")
    assert page.locator(".negsim-error").inner_text().strip() == expected
    # The app keeps running: clear the line and the run goes through.
    box.fill("")
    box.blur()
    assert "scenario" in run_lab(page)
