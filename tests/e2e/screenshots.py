"""The screenshots of docs/img/ (README.md, docs/app.md): `negsim app` in headless Chromium.

    python3 tests/e2e/screenshots.py          # writes docs/img/app_lab.png, app_one_war.png

Not a test (pytest collects test_*.py only); it reuses the tests' server and browser set-up.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))

from tests.e2e import conftest  # noqa: E402

OUT = Path(__file__).parents[2] / "docs" / "img"


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with conftest.serving() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=conftest.chromium(), args=conftest.CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.set_default_timeout(120_000)
        page.goto(url)
        page.locator(".lab-run").click()
        page.locator(".lab-results").wait_for()
        page.wait_for_timeout(2500)
        page.screenshot(path=str(OUT / "app_lab.png"))
        page.get_by_role("tab", name=re.compile("one-war", re.I)).click()
        box = page.get_by_label("Run index", exact=True)
        box.fill("70")
        box.press("Enter")
        page.locator(".one-war-go").click()
        page.locator(".one-war-now", has_text="Run 70, seed 0").wait_for()
        step = page.get_by_role("button", name="Step")
        for _ in range(9):  # run 70 settles in round 9
            if step.is_disabled():
                break
            step.click()
            page.wait_for_timeout(400)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(OUT / "app_one_war.png"))
        browser.close()
    print(f"wrote {OUT / 'app_lab.png'} and {OUT / 'app_one_war.png'}")


if __name__ == "__main__":
    main()
