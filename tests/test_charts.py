"""Stage: the site's inline SVG charts (s6_render/charts.py): what they count, and how they look in chromium."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from litgraph import build, open_project, sources

SVG = "{http://www.w3.org/2000/svg}"
BIB = "\n".join(
    f"@article{{{key}, author = {{{family}, Anne}}, title = {{Work {key}}}, journal = {{J}}, year = {year}}}"
    for key, family, year in [("a2001", "Aaland", 2001), ("b2001", "Berg", 2001), ("c2004", "Carlsen", 2004),
                              ("d2004", "Dahl", 2004)]
) + "\n@misc{n0, author = {Nodate, Anne}, title = {Undated}, undated = {a web page}}"  # fmt: skip


def _claim(claim_id: str, source: str, theme: str, **more: str) -> str:
    lines = [f"  - id: {claim_id}", f"    source: {source}", f"    text: Claim {claim_id} <b>&amp;</b>.", "    lang: en",
             f"    themes: [{theme}]"]  # fmt: skip
    return "\n".join(lines + [f"    {k}: {v}" for k, v in more.items()]) + "\n"


CLAIMS = "claims:\n" + "".join([
    _claim("a1", "a2001", "trust", question="q", stance="for"),
    _claim("a2", "a2001", "boundary-setting"),  # (a narrower theme of relationship, not of trust)
    _claim("b1", "b2001", "trust", question="q", stance="for"),
    _claim("c1", "c2004", "trust", question="q", stance="against"),
    _claim("c2", "c2004", "trust"),
    _claim("d1", "d2004", "trust", question="q", stance="qualifies"),
    _claim("n1", "n0", "trust"),  # (no year: not on the timeline)
])  # fmt: skip
QUESTIONS = 'questions:\n  - {id: q, text: {en: "Trust <grows> & stays."}, themes: [trust]}\n'
FILES = {"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS, "bibliography/questions.yaml": QUESTIONS}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("charts") / "project"
    root.mkdir()
    from litgraph import init_project

    init_project(root)
    for name in ("bibliography/example.bib", "bibliography/claims/example.yaml"):
        (root / name).unlink()
    for name, text in FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    build(open_project(root))
    return root


def _svgs(page: Path, kind: str) -> list[ET.Element]:
    """The charts of a kind in a page, parsed as XML (each <svg> of a <figure class="chart KIND">)."""
    text = page.read_text(encoding="utf-8")
    figures = re.findall(rf'<figure class="chart {kind}">\s*(<svg .*?</svg>)', text, re.S)
    return [ET.fromstring(f) for f in figures]


def test_a_theme_timeline_counts_its_works_and_claims_by_year(site: Path) -> None:
    [svg] = _svgs(site / "site" / "themes" / "trust.html", "timeline")
    bars = Counter()
    for rect in svg.iter(f"{SVG}rect"):
        bars[(rect.get("class"), int(rect.get("data-year") or 0))] += int(rect.get("data-value") or 0)
    assert dict(bars) == {("works", 2001): 2, ("claims", 2001): 2, ("works", 2004): 2, ("claims", 2004): 3}
    assert (svg.get("data-works"), svg.get("data-claims")) == ("4", "5")
    works = sources(open_project(site), "trust").works
    assert sum(1 for w in works if w.year) == 4  # (what `sources` lists, with a year)
    assert [t.text for t in svg.iter(f"{SVG}text")][:4] == ["2001", "2002", "2003", "2004"]
    assert svg.find(f"{SVG}title").text == "Trust: 4 works with 5 claims, 2001–2004"


def test_a_contested_question_has_a_bar_of_its_sides_with_escaped_text(site: Path) -> None:
    page = site / "site" / "contested.html"
    [svg] = _svgs(page, "sides")
    parts = {r.get("class"): int(r.get("data-claims") or 0) for r in svg.iter(f"{SVG}rect")}
    assert parts == {"for": 2, "against": 1, "qualifies": 1}
    widths = {r.get("class"): float(r.get("width") or 0) for r in svg.iter(f"{SVG}rect")}
    assert widths["for"] == pytest.approx(2 * widths["against"]) and sum(widths.values()) == pytest.approx(480)
    assert svg.find(f"{SVG}title").text == "Trust <grows> & stays.: for 2, against 1, qualifies 1"
    assert "Trust &lt;grows&gt; &amp; stays." in page.read_text(encoding="utf-8")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.parametrize(("page", "kind"), [("themes/trust.html", "timeline"), ("contested.html", "sides")])
def test_the_charts_are_drawn_in_chromium_at_a_readable_size(site: Path, page: str, kind: str) -> None:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for width in (1200, 390):  # a laptop, and a phone: the chart shrinks with the page, never overflows
                tab = browser.new_page(viewport={"width": width, "height": 800}, java_script_enabled=False)
                tab.goto((site / "site" / page).as_uri())
                chart = tab.locator(f"figure.chart.{kind} > svg")
                chart.wait_for(state="visible")
                box = chart.bounding_box()
                assert box is not None and box["width"] <= width and box["height"] >= (8 if kind == "sides" else 40)
                assert box["width"] >= min(300, width - 60)
                bars = tab.locator(f"figure.chart.{kind} > svg rect")
                sizes = [bars.nth(i).bounding_box() for i in range(bars.count())]
                assert sizes and all(b is not None and b["width"] > 1 and b["height"] > 1 for b in sizes)
                tab.emulate_media(media="print")
                assert chart.is_visible()
                tab.close()
        finally:
            browser.close()
