"""Benchmark: time until the map is drawn and usable in headless Chromium, for 1k, 5k and 20k nodes.

Synthetic graphs (themes, works, claims, citations, disputes) go through the real renderer; "graph" is
the number of nodes in the graph, "drawn" the number on the map (above 6,000, claims fold into their
works). Each size is printed next to a baseline run in the same command: the same page for an empty
graph (the fixed cost of loading the page and vis-network).

    python bench/map.py                       # needs Debian's chromium and playwright
    python bench/map.py --sizes 1000,5000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

from litgraph.config import packaged_data
from litgraph.ontology import read_themes
from litgraph.site import render_site
from litgraph.sitedata import SiteData
from playwright.sync_api import sync_playwright


def synthetic(nodes: int, seed: int = 3) -> SiteData:
    """About `nodes` nodes: 35 themes, a quarter works, the rest claims."""
    rng = random.Random(seed)
    themes = read_themes(packaged_data() / "ontology" / "themes.ttl").themes
    n_works = max(1, (nodes - len(themes)) // 4) if nodes else 0
    n_claims = max(0, nodes - len(themes) - n_works) if nodes else 0
    works = {
        f"w{i}": {
            "key": f"w{i}",
            "type": "AcademicArticle",
            "title": f"Work {i}",
            "year": 1990 + i % 35,
            "first_author": "Author",
            "doi": None,
            "reference": f"Author ({1990 + i % 35}). Work {i}.",
            "citation": f"Author {i}",
        }
        for i in range(n_works)
    }
    ids = sorted(themes)
    claims = [
        {
            "id": f"c{i}",
            "text": f"Claim {i}",
            "source": f"w{rng.randrange(n_works)}",
            "reported_in": None,
            "locator": None,
            "evidence": None,
            "question": None,
            "stance": None,
            "themes": rng.sample(ids, 2),
            "source_citation": "Author",
            "reported_in_citation": None,
        }
        for i in range(n_claims)
    ]
    cites = sorted({(f"w{rng.randrange(n_works)}", f"w{rng.randrange(n_works)}") for _ in range(n_works)})
    links = [(f"c{rng.randrange(n_claims)}", f"c{rng.randrange(n_claims)}") for _ in range(n_claims // 50)]
    groups = [
        {"kind": "dispute", "id": f"{a}+{b}", "text": {}, "sources": 2, "links": [(a, b)], "sides": []}
        for a, b in links
        if a != b
    ]
    children: dict[str, list[str]] = {}
    for theme in themes.values():
        for parent in theme.broader:
            children.setdefault(parent, []).append(theme.id)
    tree = [
        {
            "id": t,
            "depth": 1 if themes[t].broader else 0,
            "label_en": t,
            "label_nb": t,
            "claims_with_narrower": 0,
            "works_with_narrower": 0,
        }
        for t in ids
    ]
    data = SiteData("bench", themes, tree, children, works, claims, cites, groups)
    for claim in claims:
        data.claims_by_source.setdefault(claim["source"], []).append(claim)
        for t in claim["themes"]:
            data.claims_by_theme.setdefault(t, []).append(claim)
    return data


def time_to_usable(browser, site: Path) -> float:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto((site / "index.html").as_uri())
    page.wait_for_function("document.body.dataset.drawn === 'true'", timeout=120_000)
    seconds = page.evaluate("window.litgraph.drawnAt") / 1000
    page.evaluate("window.litgraph.network.selectNodes([window.litgraph.data.nodes[0].id])")  # responds
    page.close()
    return float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,20000")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("bench/map.py needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        empty = Path(tmp) / "empty"
        render_site(synthetic(0), empty)
        base = time_to_usable(browser, empty)
        print(f"{'graph':>7} {'drawn':>7} {'edges':>7} {'usable after':>13} {'vs empty page':>14}")
        print(f"{'0':>7} {'0':>7} {'0':>7} {base:>12.2f}s {1.0:>13.1f}x")
        for size in (int(s) for s in args.sizes.split(",")):
            data = synthetic(size)
            site = Path(tmp) / f"s{size}"
            render_site(data, site)
            seconds = time_to_usable(browser, site)
            html = (site / "index.html").read_text(encoding="utf-8")
            document = json.loads(re.search(r'id="graph-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
            drawn = len(document["nodes"])
            print(
                f"{size:>7} {drawn:>7} {len(document['edges']):>7} {seconds:>12.2f}s {seconds / base:>13.1f}x",
                flush=True,
            )
        browser.close()


if __name__ == "__main__":
    main()
