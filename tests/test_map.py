"""The map as a reader meets it, in headless Chromium: a first view whose names can be read (none overlap,
every theme named), deep links by id or name, both languages, the phone layout and the contested layer."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from .conftest import REPO

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover
    expect = None

NAMES = """() => {
  const map = document.getElementById('map').getBoundingClientRect();
  const shown = [...document.querySelectorAll('#map .label')].filter(e => getComputedStyle(e).display !== 'none');
  const boxes = shown.map(e => ({ id: e.dataset.id, text: e.textContent, theme: e.classList.contains('theme'),
    px: parseFloat(getComputedStyle(e).fontSize), r: e.getBoundingClientRect() }));
  let overlapping = 0;
  for (const a of boxes) {
    if (boxes.some(b => b !== a && a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom)) overlapping++;
  }
  const inside = b => b.r.left >= map.left && b.r.right <= map.right && b.r.top >= map.top && b.r.bottom <= map.bottom;
  return { overlapping, themes: boxes.filter(b => b.theme && inside(b) && b.px >= 11).map(b => b.id),
           texts: boxes.map(b => b.text), outside: boxes.filter(b => !inside(b)).length,
           all_themes: window.litgraph.data.nodes.filter(n => n.kind === 'theme').map(n => n.id),
           claims_drawn: window.litgraph.nodes.get({ filter: n => n.id.startsWith('c:') && !n.hidden }).length };
}"""


@pytest.fixture(scope="module")
def bundled_site(bundled) -> Path:  # type: ignore[no-untyped-def]
    return Path(bundled[0]) / "site"


def first_view(browser, site: Path, fragment: str = "", **options):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 900}, **options)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / "index.html").as_uri() + fragment)
    page.wait_for_function("document.body.dataset.ready === 'true'", timeout=30000)
    return page, errors


def test_the_first_view_names_every_theme_and_no_name_overlaps_another(browser, bundled_site: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = first_view(browser, bundled_site)
    found = page.evaluate(NAMES)
    assert found["overlapping"] == 0 and found["outside"] == 0
    assert sorted(found["themes"]) == sorted(found["all_themes"]) and len(found["all_themes"]) == 40
    assert {"Boundary-setting", "Trust", "Loyalty dilemma between user and system"} <= set(found["texts"])
    heaviest = page.evaluate(
        "window.litgraph.data.nodes.filter(n => n.kind === 'work').sort((a, b) => b.weight - a.weight)"
        ".slice(0, 10).map(n => n.label)"
    )
    assert len(set(heaviest) & set(found["texts"])) >= 7, heaviest  # (the works that matter most are named)
    assert heaviest[0] == "Karlsson et al. 2017"  # (50 claims: the most of any work)
    assert found["claims_drawn"] == 0  # (claims are folded into their works)
    assert "How to read this map" in page.inner_text("#details") and errors == []
    page.close()


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from litgraph import build, open_project

    sys.path.insert(0, str(REPO / "bench"))
    from synthetic import make_project

    root = make_project(tmp_path_factory.mktemp("syn") / "project", 5000)
    build(open_project(root))
    return root / "site"


def test_a_5000_work_map_opens_as_readable(browser, synthetic_site: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = first_view(browser, synthetic_site)
    found = page.evaluate(NAMES)
    assert found["overlapping"] == 0 and found["outside"] == 0
    assert sorted(found["themes"]) == sorted(found["all_themes"])
    assert page.evaluate("window.litgraph.nodes.length") == 5000 + 40  # (claims are not sent at this size)
    page.evaluate("window.litgraph.network.moveTo({scale: 2.5})")  # zoomed in, the names are chosen again
    page.wait_for_function("window.litgraph.labels.viewKey.startsWith('2.5 ')")
    assert page.evaluate(NAMES)["overlapping"] == 0 and errors == []
    page.goto((synthetic_site / "index.html").as_uri() + "#claim=c7")  # (no claims sent: its work is shown)
    page.reload()
    page.wait_for_function("document.body.dataset.ready === 'true'")
    [work] = page.evaluate("window.litgraph.network.getSelectedNodes()")
    assert page.evaluate(f"window.litgraph.data.details['{work}'].claims.some(c => c.id === 'c7')")
    page.close()


@pytest.mark.parametrize(
    ("fragment", "selected", "theme", "text"),
    [
        pytest.param(
            "#theme=boundary-setting", "t:boundary-setting", "boundary-setting", "Grensesetting", id="theme-id"
        ),
        pytest.param(
            "#theme=Grensesetting", "t:boundary-setting", "boundary-setting", "Boundary-setting", id="theme-nb"
        ),
        pytest.param(
            "#theme=Friendship-like%20role",
            "t:friendship-like-role",
            "friendship-like-role",
            "Friendship-like role",
            id="theme-en",
        ),
        pytest.param("#work=repper2011", "w:repper2011", "", "A review of the literature on peer support", id="work"),
        pytest.param("#work=Repper%20%26%20Carter%202011", "w:repper2011", "", "Cited by", id="work-name"),
        pytest.param("#claim=coleman2009-too-close-003", "c:coleman2009-too-close-003", "", "Coleman", id="claim"),
    ],
)
def test_deep_links_by_id_or_name_select_filter_and_frame(browser, bundled_site: Path, fragment: str, selected: str,  # type: ignore[no-untyped-def]
                                                          theme: str, text: str) -> None:  # fmt: skip
    page, errors = first_view(browser, bundled_site, fragment)
    assert page.evaluate("window.litgraph.network.getSelectedNodes()") == [selected]
    assert page.input_value("#theme-filter") == theme
    assert text in page.inner_text("#details")
    framed = page.evaluate(
        f"(() => {{ const c = window.litgraph.network.canvasToDOM(window.litgraph.network.getPosition('{selected}'));"
        " const m = document.getElementById('map'); return c.x > 0 && c.y > 0 && c.x < m.clientWidth && c.y < m.clientHeight; })()"
    )
    assert framed and page.evaluate(NAMES)["overlapping"] == 0 and errors == []
    if theme:  # the filter shows the theme's works only
        assert "t:tokenism" not in page.evaluate("window.litgraph.nodes.get({filter: n => !n.hidden}).map(n => n.id)")
    page.close()


def test_an_unknown_name_in_a_link_says_so(browser, bundled_site: Path) -> None:  # type: ignore[no-untyped-def]
    page, _ = first_view(browser, bundled_site, "#theme=no-such-theme")
    expect(page.locator("#details")).to_contain_text("No theme called “no-such-theme” on this map.")
    page.goto((bundled_site / "index.html").as_uri() + "#work=nobody1999")
    expect(page.locator("#details")).to_contain_text("No work called “nobody1999”")
    page.close()


def test_the_address_follows_the_selection_and_back_goes_back(browser, bundled_site: Path) -> None:  # type: ignore[no-untyped-def]
    page, _ = first_view(browser, bundled_site)
    page.select_option("#theme-filter", "trust")
    expect(page).to_have_url(re.compile("#theme=trust$"))
    node = page.evaluate("window.litgraph.network.canvasToDOM(window.litgraph.network.getPosition('w:repper2011'))")
    box = page.locator("#map canvas").bounding_box()
    page.mouse.click(box["x"] + node["x"], box["y"] + node["y"])
    expect(page).to_have_url(re.compile("#work=repper2011$"))
    expect(page.locator("#details")).to_contain_text("Repper & Carter 2011")
    page.go_back()
    expect(page).to_have_url(re.compile("#theme=trust$"))
    expect(page.locator("#details h2")).to_have_text("Trust")
    assert page.evaluate("window.litgraph.network.getSelectedNodes()") == ["t:trust"]
    page.go_back()
    expect(page.locator("#details")).to_contain_text("How to read this map")
    assert page.input_value("#theme-filter") == ""
    page.close()


def test_norwegian_reaches_every_word_and_claim_and_is_remembered(browser, bundled_site: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto((bundled_site / "index.html").as_uri() + "#claim=coleman2009-too-close-003")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    english = page.inner_text("#details")
    page.select_option("#lang", "nb")
    expect(page.locator(".controls")).to_contain_text("Omstridte spørsmål")
    for selector, word in (("nav", "Kart"), ("nav", "Omstridt"), (".controls", "Søk i verk"), (".legend", "verk"),
                           (".legend", "bestrider"), ("#details", "Kilde")):  # fmt: skip
        assert word in page.inner_text(selector), (selector, word)
    norsk = page.inner_text("#details")
    assert norsk != english and "Source" not in norsk
    assert page.get_attribute("#search", "placeholder") == "forfatter eller tittel"
    page.reload()
    page.wait_for_function("document.body.dataset.ready === 'true'")
    assert page.input_value("#lang") == "nb" and page.inner_text("#details") == norsk  # (remembered)
    assert "Grensesetting" in page.evaluate(NAMES)["texts"]
    context.close()


def test_on_a_phone_the_details_open_over_the_map_as_a_sheet(browser, bundled_site: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto((bundled_site / "index.html").as_uri())
    page.wait_for_function("document.body.dataset.ready === 'true'")
    sheet, canvas = page.locator("#details"), page.locator("#map canvas")
    assert not sheet.is_visible()  # the map has the screen
    assert canvas.bounding_box()["height"] > 500 and page.evaluate(NAMES)["overlapping"] == 0
    node = page.evaluate("window.litgraph.network.canvasToDOM(window.litgraph.network.getPosition('t:trust'))")
    box = canvas.bounding_box()
    page.touchscreen.tap(box["x"] + node["x"], box["y"] + node["y"])
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("Trust")
    page.wait_for_function("document.getElementById('details').getBoundingClientRect().bottom <= innerHeight + 1")
    placed, mapped = sheet.bounding_box(), page.locator("#map").bounding_box()
    assert placed["y"] > mapped["y"] and placed["y"] < mapped["y"] + mapped["height"]  # over the map, from below
    assert placed["y"] + placed["height"] <= 844 + 1 and placed["width"] == 390
    page.locator("#details .close").tap()
    expect(sheet).to_be_hidden()
    context.close()


def test_contested_questions_are_one_click_away_with_both_sides_lit(browser, bundled_site: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = first_view(browser, bundled_site)
    page.click("#contested-button")
    expect(page.locator("#details")).to_contain_text("Contested questions")
    page.click('#details .contested-list a[href="#contested=question%3Afriendship-like-role-is-a-strength"]')
    expect(page).to_have_url(re.compile("#contested=question%3Afriendship-like-role-is-a-strength$"))
    details = page.inner_text("#details")
    assert "For" in details and "Against" in details and "Coleman" in details
    colours = page.evaluate(
        "['w:coleman2009', 'w:karlsson2017'].map(id => window.litgraph.nodes.get(id).color.background)"
    )
    assert colours[0] == "#d62828"  # Coleman 2009: against, lit red
    assert colours[1] in ("#2f9e44", "#7048e8")  # Karlsson 2017: for (or on both sides)
    assert page.evaluate(NAMES)["overlapping"] == 0 and errors == []
    page.close()


def test_themes_that_share_works_stand_together_in_cells_of_their_own(bundled) -> None:  # type: ignore[no-untyped-def]
    import itertools
    import math
    import sqlite3

    from litgraph.s6_render import layout, mapdata
    from litgraph.s6_render.pages import SiteData

    db = sqlite3.connect(Path(bundled[0]) / ".litgraph" / "state.sqlite")
    places = mapdata.plan_map(SiteData(db, "en")).themes
    shared = layout.shared_works(db)
    db.close()
    assert shared[("implementation", "role-clarity")] == max(shared.values())  # (10 works in the bundled dataset)
    pairs = list(itertools.combinations(sorted(places), 2))
    apart = {pair: math.dist(places[pair[0]], places[pair[1]]) for pair in pairs}
    mean = sum(apart.values()) / len(pairs)
    most = sorted(shared, key=lambda pair: (-shared[pair], pair))[:15]
    assert sum(apart[p] for p in most) / len(most) < 0.8 * mean
    assert sum(apart[p] for p in pairs if p not in shared) / len([p for p in pairs if p not in shared]) > mean
    for a, b in pairs:  # every theme's cell is its own: a cell apart in its row, or in another row
        (xa, ya), (xb, yb) = places[a], places[b]
        assert abs(xa - xb) >= layout.CELL - 0.5 or abs(ya - yb) >= 2 * layout.LINE, (a, b)


def test_the_cluster_layer_colours_works_by_their_cluster(browser, bundled_site: Path) -> None:  # type: ignore[no-untyped-def]
    """The cluster layer loads map/clusters.js (each work's Leiden cluster in the citation network, made at
    build time) and colours the works of the eight largest clusters each in its own colour, the rest grey;
    switched off, the works are as before."""
    import json

    script = (bundled_site / "map" / "clusters.js").read_text(encoding="utf-8")
    clusters = json.loads(script.removeprefix("window.litgraphClusters = ").rstrip().removesuffix(";"))
    assert clusters["repper2011"] >= 1 and len(set(clusters.values())) > 1
    page, errors = first_view(browser, bundled_site)
    before = page.evaluate("window.litgraph.nodes.get('w:repper2011').color")
    page.check("#show-clusters")
    page.wait_for_function("document.body.dataset.clusters === 'on'", timeout=30000)
    palette = page.evaluate("['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#1f78b4']")
    colours = page.evaluate("""Object.fromEntries(window.litgraph.nodes.get({filter: n => n.id.startsWith('w:')})
                                 .map(n => [n.id.slice(2), n.color.background]))""")
    for key, colour in colours.items():
        number = clusters.get(key)
        assert colour == (palette[number - 1] if number and number <= 8 else "#b0b7bf"), key
    page.uncheck("#show-clusters")
    page.wait_for_function("document.body.dataset.clusters === 'off'", timeout=30000)
    assert page.evaluate("window.litgraph.nodes.get('w:repper2011').color") == before
    assert errors == []
    page.close()
