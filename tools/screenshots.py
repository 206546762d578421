"""Take the README's screenshots with Debian's chromium, from the bundled dataset built afresh in a
temporary folder (the repository's own site/ is left alone):

- docs/map-first-view.png: the map as a first visit opens it (1400×900);
- docs/map-deep-link.png: a deep link, index.html#theme=Grensesetting (a theme by its Norwegian name);
- docs/map-phone.png: a phone (390×844, touch), a work tapped: its details in the sheet over the map;
- docs/theme-page.png: the page of a theme.

    python tools/screenshots.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from litgraph import build, open_project

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
READY = "document.body.dataset.ready === 'true'"


def built_site(folder: Path) -> Path:
    for name in ("bibliography", "ontology"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "litgraph.toml", folder / "litgraph.toml")
    build(open_project(folder))
    return folder / "site"


def tap(page: Page, node: str) -> None:
    """Tap a node of the map where it is drawn."""
    at = page.evaluate(f"window.litgraph.network.canvasToDOM(window.litgraph.network.getPosition('{node}'))")
    box = page.locator("#map canvas").bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + at["x"], box["y"] + at["y"])


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        site = built_site(Path(tmp) / "project")
        index = (site / "index.html").as_uri()
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(index)
        page.wait_for_function(READY)
        page.screenshot(path=str(DOCS / "map-first-view.png"))
        page.goto(index + "#theme=Grensesetting")
        page.reload()  # (a link opened afresh, as from another page)
        page.wait_for_function(READY)
        page.screenshot(path=str(DOCS / "map-deep-link.png"))
        phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
        small = phone.new_page()
        small.goto(index)
        small.wait_for_function(READY)
        tap(small, "w:karlsson2017")
        small.wait_for_function("document.body.classList.contains('sheet-open')")
        small.wait_for_function("document.getElementById('details').getBoundingClientRect().bottom <= innerHeight + 1")
        small.screenshot(path=str(DOCS / "map-phone.png"))
        page.set_viewport_size({"width": 900, "height": 1100})
        page.goto((site / "themes" / "boundary-setting.html").as_uri())
        page.screenshot(path=str(DOCS / "theme-page.png"))
        browser.close()
    print(
        f"wrote {', '.join(n for n in ('map-first-view.png', 'map-deep-link.png', 'map-phone.png', 'theme-page.png'))} in {DOCS}"
    )


if __name__ == "__main__":
    main()
