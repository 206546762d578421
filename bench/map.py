"""Benchmark: time until the map's first view is drawn (names placed) in headless Chromium at 1400×900,
for synthetic projects of 1,000, 5,000 and 20,000 works (3 claims each: folded into their works), built
by litgraph itself (bench/synthetic.py).

"drawn" is the page's own clock at the first draw (performance.now(), from the start of navigation:
reading the parts, placing the works, vis-network and the names); each size is printed next to a
baseline run in the same command: the same map for a project without works (the fixed cost of loading
the page and vis-network). The names are checked too: none overlaps another, every theme is named.

    python bench/map.py                       # needs Debian's chromium and playwright
    python bench/map.py --sizes 1000,5000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_project

from litgraph import build, open_project

NAMES = """() => {
  const shown = [...document.querySelectorAll('#map .label')].filter(e => getComputedStyle(e).display !== 'none');
  const r = shown.map(e => e.getBoundingClientRect());
  let overlapping = 0;
  r.forEach((a, i) => { if (r.some((b, j) => j !== i && a.left < b.right && b.left < a.right && a.top < b.bottom
                                              && b.top < a.bottom)) overlapping++; });
  return { overlapping, themes: shown.filter(e => e.classList.contains('theme')).length, names: shown.length };
}"""


def first_draw(browser: Any, site: Path, runs: int = 3) -> tuple[float, dict[str, int]]:
    """The fastest of `runs` first draws (seconds), and the names of the first view."""
    best, names = float("inf"), {}
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto((site / "index.html").as_uri())
        page.wait_for_function("document.body.dataset.drawn === 'true'", timeout=120_000)
        best = min(best, page.evaluate("window.litgraph.drawnAt") / 1000)
        names = page.evaluate(NAMES)
        page.close()
    return best, names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,20000")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("bench/map.py needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        empty = make_project(Path(tmp) / "empty", 0)
        build(open_project(empty))
        base, _ = first_draw(browser, empty / "site")
        print(
            f"{'works':>7} {'nodes':>7} {'first draw':>11} {'vs no works':>12} {'names':>6} {'themes':>7} {'overlaps':>9}"
        )
        print(f"{0:>7} {'':>7} {base:>10.2f}s {1.0:>11.1f}x")
        for size in (int(s) for s in args.sizes.split(",")):
            root = make_project(Path(tmp) / f"w{size}", size)
            build(open_project(root))
            seconds, names = first_draw(browser, root / "site")
            page = browser.new_page()
            page.goto((root / "site" / "index.html").as_uri())
            page.wait_for_function("document.body.dataset.drawn === 'true'", timeout=120_000)
            nodes = page.evaluate("window.litgraph.nodes.length")
            page.close()
            print(
                f"{size:>7} {nodes:>7} {seconds:>10.2f}s {seconds / base:>11.1f}x {names['names']:>6}"
                f" {names['themes']:>7} {names['overlapping']:>9}",
                flush=True,
            )
        browser.close()


if __name__ == "__main__":
    main()
