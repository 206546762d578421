"""Stage: the static site and the map, checked as HTML and in real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

try:  # (the browser tests are skipped where playwright is not installed)
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover
    expect = None

import litgraph.plumbing.workers
from litgraph.cli.main import main

from .conftest import MakeProject

XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_CLAIM = "</script><script>alert(1)</script>"
BIB = f"""
@article{{repper2011, author = {{Repper, Julie and Carter, Tim}}, title = {{A review of peer support}}, year = 2011,
  doi = {{10.5555/repper.carter.2011}}}}
@article{{evil2020, author = {{Ødegård, Åse}}, title = {{{XSS_TITLE}}}, year = 2020}}
@report{{akerblom2021, author = {{Åkerblom, Kristina Bakke and Hammer, Anne Eriksen}}, title = {{Nasjonale føringer}},
  year = 2021}}
"""
CLAIMS = f"""
claims:
  - id: repper-boundaries
    source: repper2011
    reported_in: akerblom2021
    locator: sec. Relasjonen
    text: Closeness makes professional boundaries hard to keep.
    lang: en
    themes: [boundary-setting]
    evidence: literature-review
  - id: evil-claim
    source: evil2020
    reported_in: akerblom2021
    text: "{XSS_CLAIM}"
    lang: en
    themes: [trust]
    disputes: [repper-boundaries]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from litgraph import build, init_project, open_project

    root = tmp_path_factory.mktemp("site") / "project"
    init_project(root)
    (root / "bibliography" / "example.bib").write_text(BIB, encoding="utf-8")
    (root / "bibliography" / "claims" / "example.yaml").write_text(CLAIMS, encoding="utf-8")
    build(open_project(root))
    return root / "site"


def test_pages_exist_and_link_to_each_other(site: Path) -> None:
    for name in (
        "index.html",
        "themes.html",
        "works.html",
        "contested.html",
        "themes/boundary-setting.html",
        "works/repper2011.html",
        "assets/vis-network.min.js",
        "assets/map.js",
        "assets/style.css",
    ):
        assert (site / name).is_file(), name
    work = (site / "works" / "repper2011.html").read_text(encoding="utf-8")
    assert 'href="../themes/boundary-setting.html"' in work and 'href="../index.html#work=repper2011"' in work
    assert 'href="https://doi.org/10.5555/repper.carter.2011"' in work
    theme = (site / "themes" / "boundary-setting.html").read_text(encoding="utf-8")
    assert "Grensesetting" in theme and "Repper &amp; Carter 2011" in theme
    assert 'name="viewport"' in theme  # readable on a phone


def test_a_theme_page_stops_at_its_cap_in_the_order_of_sources(
    tmp_path: Path, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litgraph import build, open_project
    from litgraph.s6_render import pages

    monkeypatch.setattr(pages, "THEME_PAGE_WORKS", 2)
    bib = "\n".join(f"@book{{w{i}, author = {{Hansen, Anne}}, title = {{Work {i}}}, year = 2020}}" for i in range(4))
    claims = ["claims:"]
    for i, n in enumerate((1, 3, 2, 1)):  # w1 has most claims on trust, then w2; w0 and w3 fall off the page
        claims += [f"  - {{id: c{i}-{j}, source: w{i}, text: Claim {j}., lang: en, themes: [trust]}}" for j in range(n)]
    claims += [  # on the broader theme's page: w3 first (three claims, one on two of its themes: counted once)
        "  - {id: d3-b, source: w3, text: Third of w3., lang: en, themes: [boundary-setting, trust]}",
        "  - {id: d3-a, source: w3, text: Second of w3., lang: en, themes: [sharing-own-story]}",
        "  - {id: d0-a, source: w0, text: Elsewhere., lang: en, themes: [knowledge]}",
    ]
    root = make_project({"bibliography/w.bib": bib, "bibliography/claims/c.yaml": "\n".join(claims) + "\n"})
    build(open_project(root))
    page = (root / "site" / "themes" / "trust.html").read_text(encoding="utf-8")
    shown = re.findall(r'href="../works/(w\d)\.html"', page)
    assert shown == ["w1", "w2"]  # w3 has two claims on trust now, as w2 has: the key decides
    assert "The 2 works with most claims on this theme of 4" in page and "litgraph sources trust" in page
    broader = (root / "site" / "themes" / "relationship.html").read_text(encoding="utf-8")
    assert re.findall(r'href="../works/(w\d)\.html"', broader) == ["w1", "w3"]  # 3 claims each; w1 by key
    w3 = broader[broader.index('href="../works/w3.html"') :]
    assert w3.index("Claim 0.") < w3.index("Second of w3.") < w3.index("Third of w3.")  # by id, as everywhere
    assert "Elsewhere." not in broader and "of 4" in broader
    assert (root / "site" / "works" / "w3.html").is_file()  # every work keeps its own page


def test_input_text_is_escaped_in_every_page(site: Path) -> None:
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<img src=x" not in html, page
        assert "<script>alert" not in html, page
    index = (site / "index.html").read_text(encoding="utf-8")
    payload = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', index, re.S)
    assert payload is not None
    json.loads(payload.group(1))  # the whole JSON survived: nothing closed the element early
    [part] = (site / "map").glob("part-*.js")
    script = part.read_text(encoding="utf-8")
    assert "<" not in script and "&" not in script  # (escaped: no text can end an element, wherever it is put)
    prefix = "(window.LITGRAPH_PARTS = window.LITGRAPH_PARTS || []).push("
    assert script.startswith(prefix) and script.endswith(");\n")
    data = json.loads(script[len(prefix) : -3])
    assert data["details"]["c:evil-claim"]["text"] == XSS_CLAIM
    evil = (site / "works" / "evil2020.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in evil


def test_map_works_offline_without_cdn(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    for url in re.findall(r'(?:src|href)="([^"#]+)"', index):
        assert not url.startswith(("http:", "https:", "//")), url


def open_map(browser, site: Path, fragment: str = ""):  # type: ignore[no-untyped-def]
    page = browser.new_page()
    events: dict[str, list[str]] = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.goto((site / "index.html").as_uri() + fragment)
    page.wait_for_function("document.body.dataset.ready === 'true'", timeout=15000)
    return page, events


def test_map_loads_from_file_with_no_request_leaving_the_folder(browser, site: Path) -> None:  # type: ignore[no-untyped-def]
    page, events = open_map(browser, site)
    assert all(url.startswith(site.as_uri()) for url in events["requests"]), events["requests"]
    assert events["errors"] == [] and events["dialogs"] == []
    count = page.evaluate("window.litgraph.nodes.length")
    assert count == 40 + 3 + 2  # themes + works + claims
    assert page.get_attribute("#counts", "data-count-all") == str(count)
    page.close()


def test_theme_filter_click_details_and_deep_link(browser, site: Path) -> None:  # type: ignore[no-untyped-def]
    page, events = open_map(browser, site)
    page.check("#show-claims")  # (claims are folded into their works until asked for)
    page.select_option("#theme-filter", "relationship")
    expect(page).to_have_url(re.compile("#theme=relationship$"))
    visible = page.evaluate("window.litgraph.nodes.get({filter: n => !n.hidden}).map(n => n.id)")
    assert {"t:relationship", "t:boundary-setting", "c:repper-boundaries", "w:repper2011"} <= set(visible)
    assert "t:tokenism" not in visible and "w:akerblom2021" not in visible
    page.evaluate("window.litgraph.network.selectNodes(['w:repper2011'])")
    box = page.evaluate(
        "(() => { const p = window.litgraph.network.getPosition('w:repper2011');"
        " const c = window.litgraph.network.canvasToDOM(p); return c; })()"
    )
    canvas = page.locator("#map canvas").bounding_box()
    page.mouse.click(canvas["x"] + box["x"], canvas["y"] + box["y"])
    expect(page.locator("#details")).to_contain_text("Repper & Carter 2011")  # (waits for the panel)
    assert "Closeness makes professional boundaries hard to keep." in page.inner_text("#details")
    page.close()
    page, events = open_map(browser, site, "#claim=evil-claim")
    assert page.evaluate("window.litgraph.network.getSelectedNodes()") == ["c:evil-claim"]
    details = page.inner_text("#details")
    assert XSS_CLAIM in details and "Ødegård" in details  # shown as text, æøå intact
    page.select_option("#lang", "nb")
    expect(page.locator("#theme-filter")).to_contain_text("Grensesetting")
    assert events["dialogs"] == [] and events["errors"] == []
    page.close()


def test_search_and_xss_work_page_never_fire(browser, site: Path) -> None:  # type: ignore[no-untyped-def]
    page, events = open_map(browser, site)
    page.fill("#search", "odegard")
    expect(page.locator("#search-results")).to_contain_text(XSS_TITLE)  # (waits for what it checks)
    page.click("#search-results a")
    expect(page.locator("#details")).to_contain_text(XSS_TITLE)
    page.goto((site / "works" / "evil2020.html").as_uri())
    page.goto((site / "contested.html").as_uri())
    assert events["dialogs"] == []
    page.close()


def test_export_graphml_and_gexf_open_in_networkx(tmp_path: Path, make_project: MakeProject) -> None:
    import networkx as nx

    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    runner = CliRunner()
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"g.{fmt}"
        result = runner.invoke(main, ["export", "-p", str(root), "--format", fmt, "--network", "graph", "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        graph = reader(out)
        assert graph.number_of_nodes() == 40 + 3 + 2
        kinds = {d.get("kind") for _, _, d in graph.edges(data=True)}
        assert {"source", "theme", "disputes", "cites"} <= kinds


@pytest.mark.parametrize(
    ("fragment", "node", "text"),
    [
        pytest.param("#work=repper2011", "w:repper2011", "A review of peer support", id="work"),
        pytest.param("#theme=boundary-setting", "t:boundary-setting", "Grensesetting", id="theme"),
    ],
)
def test_deep_links_select_and_describe(browser, site: Path, fragment: str, node: str, text: str) -> None:  # type: ignore[no-untyped-def]
    page, events = open_map(browser, site, fragment)
    assert page.evaluate("window.litgraph.network.getSelectedNodes()") == [node]
    assert text in page.inner_text("#details")
    assert events["errors"] == []
    page.close()


def test_the_site_shows_the_rows_the_queries_give(bundled) -> None:  # type: ignore[no-untyped-def]
    """One shape per idea: a work page's claims, the theme tree and the contested groups are the rows that
    `claims`, `themes` and `contested` give (the site reads the build's state, the queries the store)."""
    import sqlite3

    from litgraph import claims, contested, open_project, themes
    from litgraph.s6_render.pages import SiteData

    root, _ = bundled
    project = open_project(root)
    data = SiteData(sqlite3.connect(root / ".litgraph" / "state.sqlite"), project.lang)
    [context] = data.work_contexts(["repper2011"]).values()
    assert context["claims"] == claims(project, source="repper2011") and len(context["claims"]) > 2
    assert data.theme_tree() == themes(project)
    groups = contested(project, limit=None)
    assert data.shown_groups([f"{g.kind}:{g.id}" for g in groups]) == groups and len(groups) > 5


def _every_page_to_render(root: Path) -> None:
    """Forget the site the last build made (its pages' records): the next build renders every page."""
    import sqlite3

    db = sqlite3.connect(root / ".litgraph" / "state.sqlite", isolation_level=None)
    db.execute("DELETE FROM pages")
    db.close()


def test_work_pages_rendered_in_worker_processes_are_the_same_bytes(
    tmp_path: Path, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litgraph import build, open_project
    from litgraph.s6_render import work_pages

    root = make_project({"bibliography/example.bib": BIB, "bibliography/claims/example.yaml": CLAIMS})
    build(open_project(root))
    one_process = {p.name: p.read_bytes() for p in (root / "site" / "works").iterdir()}
    monkeypatch.setattr(work_pages, "PAGES_PER_WORKER", 1)
    shutil.rmtree(root / "site")  # a build as from nothing: every page rendered, by workers
    _every_page_to_render(root)
    spawned: list[object] = []
    real_pool = litgraph.plumbing.workers.ProcessPoolExecutor
    monkeypatch.setattr(
        litgraph.plumbing.workers, "ProcessPoolExecutor", lambda **kw: spawned.append(kw) or real_pool(**kw)
    )
    build(open_project(root))
    assert spawned, "the pages were not rendered in worker processes"
    assert {p.name: p.read_bytes() for p in (root / "site" / "works").iterdir()} == one_process
    assert len(one_process) == 3 and "Ødegård" in one_process["evil2020.html"].decode("utf-8")


def test_work_pages_rendering_while_the_rest_of_the_site_fails_are_stopped_and_nothing_changes(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Work pages render in worker processes while the other pages are written: a failure there stops the
    workers, and site/ stays as it was."""
    from litgraph import build, open_project
    from litgraph.s6_render import pages, work_pages

    root = make_project({"bibliography/example.bib": BIB, "bibliography/claims/example.yaml": CLAIMS})
    build(open_project(root))
    before = {p: (p.read_bytes(), p.stat().st_ino) for p in (root / "site").rglob("*") if p.is_file()}
    monkeypatch.setattr(work_pages, "PAGES_PER_WORKER", 1)
    (root / "site" / "themes.html").unlink()  # (the live site is not as recorded: every page is made anew)
    before.pop(root / "site" / "themes.html")
    (root / "bibliography" / "claims" / "example.yaml").write_text(CLAIMS.replace("hard to keep", "hard to hold"))
    monkeypatch.setattr(work_pages.WorkPages, "__init__", _with_workers(work_pages.WorkPages.__init__))
    stopped: list[object] = []
    real_cancel = litgraph.plumbing.workers.BackgroundMap.cancel
    monkeypatch.setattr(
        litgraph.plumbing.workers.BackgroundMap, "cancel", lambda self: stopped.append(real_cancel(self))
    )

    def broken(*args: object) -> None:
        raise RuntimeError("a theme page could not be made")

    monkeypatch.setattr(pages.SiteData, "theme_head", broken)
    with pytest.raises(RuntimeError, match="a theme page could not be made"):
        build(open_project(root))
    assert len(stopped) == 2  # the work pages' workers, and the map's clusters' (no live site: both due)
    assert {p: (p.read_bytes(), p.stat().st_ino) for p in (root / "site").rglob("*") if p.is_file()} == before
    assert not list((root / ".litgraph" / "tmp").iterdir())  # no staging folder left


def _with_workers(init):  # type: ignore[no-untyped-def]
    """WorkPages.__init__ with every page reached and no live site: its pages rendered by workers."""

    def start(self, data, records, state, title, lang, reached, *rest):  # type: ignore[no-untyped-def]
        records.live = None
        init(self, data, records, state, title, lang, None, *rest)

    return start


def test_a_rebuild_keeps_unchanged_work_pages_and_renders_the_changed(make_project: MakeProject) -> None:
    from litgraph import build, open_project

    bib = BIB + "@book{borg2017, author = {Borg, Marit}, title = {Recovery}, year = 2017}\n"
    root = make_project({"bibliography/example.bib": bib, "bibliography/claims/example.yaml": CLAIMS})
    build(open_project(root))
    works = root / "site" / "works"
    before = {p.name: p.stat().st_ino for p in works.iterdir()}
    claims = root / "bibliography" / "claims" / "example.yaml"
    claims.write_text(CLAIMS.replace("hard to keep", "hard to hold"), encoding="utf-8")
    (works / "evil2020.html").write_text("edited by hand", encoding="utf-8")  # a page someone changed
    build(open_project(root))
    after = {p.name: p.stat().st_ino for p in works.iterdir()}
    assert after["borg2017.html"] == before["borg2017.html"]  # its inputs are unchanged: kept, not rendered
    assert after["repper2011.html"] != before["repper2011.html"]  # its claim changed
    assert after["akerblom2021.html"] != before["akerblom2021.html"]  # the changed claim was read in it
    assert "hard to hold" in (works / "repper2011.html").read_text(encoding="utf-8")
    assert "edited by hand" not in (works / "evil2020.html").read_text(encoding="utf-8")  # rendered again
    incremental = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    shutil.rmtree(root / ".litgraph")
    shutil.rmtree(root / "site")
    build(open_project(root))
    cold = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    assert incremental == cold


def test_a_rebuild_updates_site_in_place_and_drops_pages_of_removed_works(make_project: MakeProject) -> None:
    from litgraph import build, open_project

    bib = BIB + "@book{borg2017, author = {Borg, Marit}, title = {Recovery}, year = 2017}\n"
    bib += "@book{gone2019, author = {Gone, Ada}, title = {Soon removed}, year = 2019}\n"
    root = make_project({"bibliography/example.bib": bib, "bibliography/claims/example.yaml": CLAIMS})
    build(open_project(root))
    site = root / "site"
    (site / "works" / "stray.html").write_text("not made by litgraph", encoding="utf-8")
    kept = (site / "works" / "borg2017.html").stat().st_ino
    (root / "bibliography" / "example.bib").write_text(bib.split("@book{gone2019")[0], encoding="utf-8")
    build(open_project(root))
    names = {p.name for p in (site / "works").iterdir()}
    assert "gone2019.html" not in names and "stray.html" not in names and "borg2017.html" in names
    assert (site / "works" / "borg2017.html").stat().st_ino == kept  # left where it was
    assert "Soon removed" not in (site / "works.html").read_text(encoding="utf-8")
    assert not list((root / ".litgraph" / "tmp").iterdir())  # no staging folder left behind


def test_a_claim_edit_renders_only_the_pages_that_show_it(make_project: MakeProject) -> None:
    from litgraph import build, open_project

    quiet = "\n  - id: quiet-claim\n    source: repper2011\n    text: Roles were unclear.\n    lang: en\n"
    quiet += "    themes: [role-clarity]\n"
    root = make_project({"bibliography/example.bib": BIB, "bibliography/claims/example.yaml": CLAIMS + quiet})
    build(open_project(root))
    site = root / "site"
    kept = ("contested.html", "works.html", "themes/trust.html", "themes/boundary-setting.html")
    shown = ("themes/role-clarity.html", "works/repper2011.html", "map/part-akerblom2021.js")
    before = {name: (site / name).stat().st_ino for name in kept + shown}
    claims = root / "bibliography" / "claims" / "example.yaml"
    claims.write_text(CLAIMS + quiet.replace("were unclear", "were never clear"), encoding="utf-8")
    build(open_project(root))
    for name in kept:  # the same works with as many claims each; the claim is in no dispute, on no such theme
        assert (site / name).stat().st_ino == before[name], name
    for name in shown:
        assert (site / name).stat().st_ino != before[name], name
        assert "were never clear" in (site / name).read_text(encoding="utf-8"), name


def _json_values():  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**63 - 1)
        # floats as the map has them (sizes, positions): where Python writes no exponent, orjson writes the
        # same digits (below 1e-4 it writes 1e-8 for Python's 1e-08: the same number, checked below)
        | st.floats(min_value=1e-4, max_value=1e15)
        | st.floats(min_value=-1e15, max_value=-1e-4)
        | st.just(0.0)
        | st.text(st.characters(exclude_categories=["Cs"]))  # any text a UTF-8 file can hold
    )
    return st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


def test_the_maps_json_is_what_the_standard_library_writes_made_safe_for_a_script_element() -> None:
    """script_json (orjson) gives the bytes of json.dumps(ensure_ascii=False, compact) for any JSON value,
    with '<', '>' and '&' escaped so that no text can close the <script> element it stands in."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from litgraph.s6_render.mapdata import script_json

    @settings(max_examples=400, deadline=None)
    @given(_json_values())
    def same(value: object) -> None:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        safe = safe.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")  # (line separators end a JS string)
        assert script_json(value) == safe.encode("utf-8")
        assert json.loads(script_json(value)) == json.loads(text)

    same()

    @settings(max_examples=200, deadline=None)
    @given(st.floats(allow_nan=False, allow_infinity=False))
    def same_number(value: float) -> None:
        assert json.loads(script_json([value])) == [value]

    same_number()
    assert script_json({"t": "</script><b>&"}) == b'{"t":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}'


def test_a_build_leaves_no_store_open_without_a_collection(make_project: MakeProject) -> None:
    """Every handle on the store a build opens is gone when the build returns, with the cycle collector off:
    none is held in a reference cycle (as a recursive closure over the graph once did), which would keep
    RocksDB's lock until a collection and make the next build in the process fail to open the store."""
    import gc

    import pyoxigraph as ox

    from litgraph import build, open_project

    root = make_project({"bibliography/example.bib": BIB, "bibliography/claims/example.yaml": CLAIMS})
    gc.collect()
    gc.disable()
    try:
        build(open_project(root))
        assert not [o for o in gc.get_objects() if isinstance(o, ox.Store)]
        (root / "bibliography" / "claims" / "example.yaml").write_text(CLAIMS + "\n# edited\n", encoding="utf-8")
        build(open_project(root))  # opens the store for writing
        assert not [o for o in gc.get_objects() if isinstance(o, ox.Store)]
    finally:
        gc.enable()


def test_map_parts_made_by_workers_with_the_pages_are_those_made_here(make_project: MakeProject, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A large map's parts are made by the worker processes that render their works' pages (a first build),
    or here (a rebuild): the same bytes either way."""
    from litgraph import build, open_project
    from litgraph.s6_render import mapdata, work_pages

    monkeypatch.setattr(mapdata, "SPRING_LIMIT", 0)  # (every map is a large one, in parts)
    monkeypatch.setattr(mapdata, "PER_PART", 2)
    bib = BIB + "".join(
        f"@book{{w{i}, author = {{Berg, Ola{i}}}, title = {{Work {i}}}, year = 2020}}\n" for i in range(12)
    )
    files = {"bibliography/example.bib": bib, "bibliography/claims/example.yaml": CLAIMS}
    here = make_project(files, name="here")
    build(open_project(here))
    monkeypatch.setattr(work_pages, "PAGES_PER_WORKER", 1)
    started: list[bool] = []
    real_start = work_pages.WorkPages.__init__

    def start(self: work_pages.WorkPages, *args: object) -> None:
        real_start(self, *args)  # type: ignore[arg-type]
        started.append(self._workers is not None)

    monkeypatch.setattr(work_pages.WorkPages, "__init__", start)
    there = make_project(files, name="workers")
    build(open_project(there))
    assert started == [True]
    made = {p.relative_to(there / "site"): p.read_bytes() for p in sorted((there / "site").rglob("*")) if p.is_file()}
    assert len([p for p in made if p.parts[0] == "map"]) > 3
    assert made == {
        p.relative_to(here / "site"): p.read_bytes() for p in sorted((here / "site").rglob("*")) if p.is_file()
    }


def test_a_folder_listing_gives_what_lstat_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The live site's pages are checked against their records by one `find` (or os.scandir where there is
    none): both give each entry's kind, size, time to the nanosecond and inode, names with any character."""
    import os

    from litgraph.plumbing import files

    (tmp_path / "page.html").write_text("x" * 123, encoding="utf-8")
    (tmp_path / "tab\tand\nnewline.html").write_text("y", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link.html").symlink_to(tmp_path / "page.html")
    expected = {}
    for name in os.listdir(tmp_path):
        info = os.lstat(tmp_path / name)
        expected[name] = (os.path.isfile(tmp_path / name) and not os.path.islink(tmp_path / name), info.st_size,
                          info.st_mtime_ns, info.st_ino)  # fmt: skip
    assert files.folder_listing(tmp_path) == expected
    monkeypatch.setattr(files.shutil, "which", lambda name: None)
    assert files.folder_listing(tmp_path) == expected
