"""Take the README's screenshots: the map and a theme page of the built bundled site (needs chromium).

litgraph build && python tools/screenshots.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SITE, DOCS = ROOT / "site", ROOT / "docs"


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None or not (SITE / "index.html").exists():
        sys.exit("needs Debian's chromium and a built site/ (run `litgraph build` first)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        page.goto((SITE / "index.html").as_uri() + "#work=repper2011")
        page.wait_for_function("document.body.dataset.drawn === 'true'")
        page.select_option("#theme-filter", "relationship")
        page.evaluate("window.litgraph.network.fit()")
        page.wait_for_timeout(300)
        page.screenshot(path=str(DOCS / "map.png"))
        page.goto((SITE / "themes" / "boundary-setting.html").as_uri())
        page.set_viewport_size({"width": 900, "height": 1100})
        page.screenshot(path=str(DOCS / "theme-page.png"))
        browser.close()
    print(f"wrote {DOCS / 'map.png'} and {DOCS / 'theme-page.png'}")


if __name__ == "__main__":
    main()
