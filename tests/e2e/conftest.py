"""The app served by `negsim app` on 127.0.0.1, and a headless Chromium page on it.

Skipped when Chromium, Playwright or the app extra is missing, unless NEGSIM_E2E_REQUIRED
is set (CI sets it, so that there the tests run or fail, never skip).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.app.serve import missing_extra

ROOT = Path(__file__).parents[2]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def _missing() -> str | None:
    if chromium() is None:
        return "no chromium on PATH (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return 'no playwright (pip install -e ".[e2e]")'
    missing = missing_extra()
    if missing:
        return f'the app extra is missing ({", ".join(missing)}): pip install -e ".[app]"'
    return None


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("NEGSIM_E2E_REQUIRED"):
        raise pytest.UsageError(f"end-to-end tests required but cannot run: {reason}")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(scenario: str = "ukraine_2025") -> Iterator[str]:
    """`negsim app SCENARIO` on a free port of 127.0.0.1; its URL; stopped on the way out."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "app", scenario, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: the server's child stops with it
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                out = server.stdout.read().decode(errors="replace") if server.stdout else ""
                raise RuntimeError(f"negsim app did not start:\n{out[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """The app on the Ukraine 2025 scenario, for the module's tests."""
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    """A fresh page (a fresh app session) on the lab, loaded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(app_url)
    tab.locator(".lab-run").wait_for()
    try:
        yield tab
    finally:
        context.close()
