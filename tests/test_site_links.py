"""The site as a user publishes it: every link leads to a file (crawled, with the map's data), for any key
the importer accepts; links are relative (file:// and a sub-path of a web server); files and folders are
readable by others as the user's umask allows."""

from __future__ import annotations

import io
import json
import os
import stat
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from litgraph import build, open_project
from litgraph.namespaces import page, page_stem

from .conftest import MakeProject

# Keys the importer takes that a naive file name or link breaks: (key, why it is awkward)
AWKWARD_KEYS = [
    pytest.param("smith@2020", id="at-sign (Better BibTeX)"),
    pytest.param("doe:2019", id="colon"),
    pytest.param("a+b2018", id="plus"),
    pytest.param("Case2020", id="capital"),
    pytest.param("case2020", id="same-but-case"),
    pytest.param("Ødegård2019", id="unicode"),
    pytest.param("müller.2020", id="unicode-and-dot"),
    pytest.param("x%41y", id="percent"),
    pytest.param("q?x", id="question-mark"),
    pytest.param("hash#tag", id="hash"),
    pytest.param("amp&er", id="ampersand"),
    pytest.param("con", id="windows-device-name"),
    pytest.param(".hidden2020", id="leading-dot"),
    pytest.param("tilde~1", id="tilde"),
    pytest.param("plain-key_2020", id="plain"),
]
KEYS = [p.values[0] for p in AWKWARD_KEYS]


def _bib() -> str:
    entries = [
        f"@article{{{key},\n  author = {{Author{i}, Anne}},\n  title = {{Work {i}}},\n  year = {{20{i:02d}}}\n}}"
        for i, key in enumerate(KEYS)
    ]
    return "\n\n".join(entries) + "\n"


def _claims() -> str:
    items = []
    for i, key in enumerate(KEYS):
        cites = f"\n    reported_in: {json.dumps(KEYS[(i + 1) % len(KEYS)])}"
        items.append(
            f"  - id: claim-{i}\n    source: {json.dumps(key)}{cites}\n    locator: p. {i + 1}\n"
            f"    text: Claim number {i}.\n    lang: en\n    themes: [boundary-setting]"
            + (f"\n    disputes: [claim-{i - 1}]" if i else "")
        )
    return "claims:\n" + "\n".join(items) + "\n"


@pytest.fixture(scope="module")
def awkward_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from litgraph import init_project

    root = tmp_path_factory.mktemp("awkward") / "project"
    init_project(root)
    (root / "bibliography" / "example.bib").write_text(_bib(), encoding="utf-8")
    (root / "bibliography" / "claims" / "example.yaml").write_text(_claims(), encoding="utf-8")
    build(open_project(root))
    return root / "site"


@pytest.mark.parametrize("key", AWKWARD_KEYS)
def test_a_key_gives_one_page_name_that_is_its_own_link(key: str) -> None:
    name = page("work", key)
    assert quote(name) == name  # (the link is the file name: nothing to escape, nothing a server decodes)
    stem = page_stem(key)
    assert stem and not stem.startswith(".") and stem.isascii() and stem == stem.lower()
    assert len(stem.encode()) <= 120


def test_page_names_differ_for_keys_that_differ_even_in_case_only() -> None:
    stems = [page_stem(k) for k in KEYS]
    assert len({s.lower() for s in stems}) == len(KEYS)
    assert page_stem("plain-key_2020") == "plain-key_2020"  # a plain key is its own name
    assert page_stem("Case2020") != "case2020" and page_stem("case2020") == "case2020"


def test_any_key_the_importer_takes_has_a_page_of_its_own() -> None:
    """For any keys the importer takes (printable, no white space, no path separator): each page's name is
    its link, and no two keys share a page, even on a file system that ignores case."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from litgraph.namespaces import key_refusal

    keys = st.text(st.characters(exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]), min_size=1, max_size=40)

    @settings(max_examples=300, deadline=None)
    @given(st.sets(keys.filter(lambda k: key_refusal(k) is None), min_size=2, max_size=20))
    def distinct(found: set[str]) -> None:
        names = [page("work", k) for k in found]
        assert all(quote(n) == n and n.isascii() for n in names)
        assert len({n.lower() for n in names}) == len(found)

    distinct()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value is not None:
                self.ids.add(value)


def _map_pages(site: Path) -> list[str]:
    """The page links in the map's data (index.html's JSON, and each part's script)."""
    documents = []
    index = (site / "index.html").read_text(encoding="utf-8")
    start = index.index('id="graph-data">') + len('id="graph-data">')
    documents.append(json.loads(index[start : index.index("</script>", start)]))
    prefix = "(window.LITGRAPH_PARTS = window.LITGRAPH_PARTS || []).push("
    for part in (site / "map").glob("part-*.js"):
        documents.append(json.loads(part.read_text(encoding="utf-8")[len(prefix) : -3]))
    return [d["page"] for doc in documents for d in doc["details"].values() if "page" in d]


def _crawl(site: Path) -> tuple[list[str], int]:
    """Every dead local link in the site (from HTML pages, and the map's data as links from index.html)."""
    parsed: dict[Path, _Links] = {}
    for html in site.rglob("*.html"):
        parsed[html] = _Links()
        parsed[html].feed(html.read_text(encoding="utf-8"))
    dead, checked = [], 0
    links = [(html, link) for html, p in parsed.items() for link in p.links]
    links += [(site / "index.html", link) for link in _map_pages(site)]
    for html, link in links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            assert parts.scheme == "https", link  # (only links out: DOIs)
            continue
        assert not parts.path.startswith("/"), f"{html}: {link} is not relative"
        target = (html.parent / unquote(parts.path)).resolve() if parts.path else html
        checked += 1
        if site.resolve() not in target.parents or not target.is_file():
            dead.append(f"{html.relative_to(site)}: {link}")
        elif parts.fragment.startswith("claim-") and unquote(parts.fragment) not in parsed[target].ids:
            dead.append(f"{html.relative_to(site)}: {link} (no such anchor)")
    return dead, checked


def test_a_crawl_of_the_site_finds_no_dead_link(awkward_site: Path) -> None:
    dead, checked = _crawl(awkward_site)
    assert dead == []
    assert checked > 100
    works = {p.name for p in (awkward_site / "works").iterdir()}
    assert len(works) == len(KEYS) and {page("work", k).split("/")[1] for k in KEYS} == works
    names = [p.relative_to(awkward_site).as_posix() for p in awkward_site.rglob("*")]
    assert len({n.lower() for n in names}) == len(names)  # (a case-insensitive file system holds them all)
    listing = (awkward_site / "works.html").read_text(encoding="utf-8")
    assert f'href="{page("work", "smith@2020")}"' in listing


def test_the_bundled_site_has_no_dead_link(bundled) -> None:  # type: ignore[no-untyped-def]
    root, _ = bundled
    dead, checked = _crawl(root / "site")
    assert dead == [] and checked > 1000


@pytest.mark.parametrize(("mask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_the_site_and_exports_are_as_readable_as_the_umask_allows(
    make_project: MakeProject, tmp_path: Path, mask: int, file_mode: int, folder_mode: int
) -> None:
    from litgraph.api import export

    root = make_project(keep_example=True)
    before = os.umask(mask)
    try:
        build(open_project(root))
        export(open_project(root), "ttl", tmp_path / "graph.ttl", io.BytesIO())
        export(open_project(root), "bibtex", tmp_path / "refs.bib", io.BytesIO())
    finally:
        os.umask(before)
    site = root / "site"
    assert stat.S_IMODE(site.stat().st_mode) == folder_mode
    for path in site.rglob("*"):
        want = folder_mode if path.is_dir() else file_mode
        assert stat.S_IMODE(path.stat().st_mode) == want, path
    for name in ("graph.ttl", "refs.bib"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == file_mode, name


@pytest.mark.parametrize("key", ["smith@2020", "Ødegård2019", "Case2020"])
def test_the_maps_work_page_link_opens_the_page_from_the_file_system(browser, awkward_site: Path, key: str) -> None:  # type: ignore[no-untyped-def]
    """In Chromium, from file://: the map's deep link selects the work, and its "Work page" link opens it."""
    from .test_site import expect, open_map

    page, events = open_map(browser, awkward_site, "#work=" + quote(key, safe=""))
    assert page.evaluate("window.litgraph.network.getSelectedNodes()") == ["w:" + key]
    page.get_by_role("link", name="Work page").click()
    page.wait_for_load_state()
    assert page.url == (awkward_site / page_path(key)).as_uri()
    n = KEYS.index(key)
    expect(page.locator("h1")).to_contain_text(f"Author{n} 20{n:02d}")
    assert events["errors"] == []
    page.close()


def page_path(key: str) -> str:
    return page("work", key)
