"""The README's screenshots of the service's pages, taken in headless Chromium from a running
service, on a desktop's screen and on a phone's.

    .venv/bin/conflict-ld serve &                      # the service to photograph
    .venv/bin/python docs/screenshots.py [URL] [FOLDER]  # http://127.0.0.1:8000, docs/screenshots

It needs the test dependencies (Playwright) and a Chromium: Debian's at /usr/bin/chromium, or the
one `CONFLICT_LD_CHROMIUM` names (as for the tests).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
# (file name, path on the service, what to wait for before the picture is taken, screen)
SHOTS = (
    ("organisation", "/id/organisation/mnla", "dl.facts", DESKTOP),
    ("organisation-phone", "/id/organisation/mnla", "dl.facts", PHONE),
    ("timeline", "/events", "figure.timeline .vis-item", DESKTOP),
    ("network", "/network", "canvas", DESKTOP),
    ("map", "/places", "figure.map[data-markers]", DESKTOP),
    ("search", "/search?q=mouvement+national", "ol.hits", DESKTOP),
)


def main(url: str = "http://127.0.0.1:8000", folder: str = "docs/screenshots") -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CONFLICT_LD_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium if Path(chromium).exists() else None)
        for name, path, ready, screen in SHOTS:
            page = browser.new_page(viewport=screen, device_scale_factor=1)
            page.goto(url.rstrip("/") + path)
            page.wait_for_selector(ready)
            page.wait_for_timeout(300)  # let the drawings settle after their last frame
            page.screenshot(path=out / f"{name}.png")
            print(out / f"{name}.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
