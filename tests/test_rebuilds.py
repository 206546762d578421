"""Rebuilds by reuse: after any edit, a build that redoes only what the edit reaches writes what a build
from nothing writes (site/, byte for byte; the store, graph for graph)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litgraph import build, open_project
from litgraph.s4_analyse import rankings
from litgraph.s5_store import write

from .conftest import MakeProject

BIB = """@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review of peer support}, year = 2011}
@article{kilpatrick2017, author = {Kilpatrick, Emma and Keeney, Sinead and McCauley, Claire-Odile},
  title = {Tokenistic or genuinely effective?}, year = 2017}
@article{bassuk2016, author = {Bassuk, Ellen L. and Hanson, Justine}, title = {Peer-delivered recovery}, year = 2016}
@report{akerblom2021, author = {{\\AA}kerblom, Kristina Bakke and Hammer, Anne Eriksen}, title = {Nasjonale f{\\o}ringer},
  year = 2021}
@book{borg2017, author = {Borg, Marit}, title = {Recovery}, year = 2017}
"""
CLAIMS = """claims:
  - id: repper-boundaries
    source: repper2011
    reported_in: akerblom2021
    locator: sec. Relasjonen
    text: Closeness makes it hard to keep professional boundaries.
    lang: en
    themes: [boundary-setting]
    evidence: literature-review
  - id: kilpatrick-symbolic
    source: kilpatrick2017
    reported_in: akerblom2021
    text: Staff saw peer roles as symbolic.
    lang: en
    themes: [tokenism]
    question: peer-work-makes-a-difference
    stance: against
  - id: bassuk-important
    source: bassuk2016
    text: {en: Service users find peer workers important., nb: Brukere synes erfaringskonsulenter er viktige.}
    themes: [outcomes, trust]
    question: peer-work-makes-a-difference
    stance: for
    disputes: [kilpatrick-symbolic]
    note: A text sets the one against the other.
"""
MORE = """claims:
  - id: borg-recovery
    source: borg2017
    reported_in: repper2011
    text: Recovery happens in everyday life.
    lang: en
    themes: [recovery-orientation]
"""
QUESTIONS = """questions:
  - id: peer-work-makes-a-difference
    text: {en: Peer workers make a real difference., nb: Erfaringskonsulenter utgjør en forskjell.}
    themes: [outcomes]
"""
FILES = {
    "bibliography/refs.bib": BIB,
    "bibliography/claims/a.yaml": CLAIMS,
    "bibliography/claims/b.yaml": MORE,
    "bibliography/questions.yaml": QUESTIONS,
    "bibliography/citations/hand.yaml": "citations:\n  - citing: borg2017\n    cites: [bassuk2016]\n",
}


def _site(root: Path) -> dict[str, str]:
    site = root / "site"
    return {
        str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def _store(root: Path) -> dict[str, set[str]]:
    """The store's default graph ("") and each named graph (the manifest without the build's id), as
    N-Triples lines (blank nodes are named after what they stand for: the same in both)."""
    store = ox.Store.read_only(str(root / ".litgraph" / "store"))
    lines: dict[str, set[str]] = {}
    for quad in store:
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        if name.endswith("/graph/manifest") and quad.predicate.value.endswith("buildId"):
            continue
        lines.setdefault(name, set()).add(f"{quad.subject} {quad.predicate} {quad.object} .")
    del store
    return lines


def same_as_from_nothing(root: Path, scratch: Path) -> None:
    """Build `root` (a rebuild), then a copy of its inputs from nothing: the same site and store."""
    rebuilt_summary = build(open_project(root))
    fresh = scratch / "from-nothing"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("site", ".litgraph"))
    assert rebuilt_summary.counts() == build(open_project(fresh)).counts()
    site, site_made = _site(root), _site(fresh)
    assert site == site_made, (
        f"site/ files that differ: {sorted(k for k in site.keys() | site_made.keys() if site.get(k) != site_made.get(k))}"
    )
    rebuilt, made = _store(root), _store(fresh)
    assert rebuilt.keys() == made.keys()
    for name in made:
        extra, missing = sorted(rebuilt[name] - made[name]), sorted(made[name] - rebuilt[name])
        assert not extra and not missing, f"graph {name or '(default)'}: extra {extra[:5]}, missing {missing[:5]}"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _remove_item(path: Path, claim_id: str) -> None:
    """Remove the claim's item from a claims file, whatever lines it has now."""
    from litgraph.s1_read.claims import item_spans

    text = path.read_text(encoding="utf-8")
    spans = item_spans(text) or []
    [item] = [chunk for _, chunk in spans if chunk.startswith(f"  - id: {claim_id}\n")]
    path.write_text(text.replace(item, "", 1), encoding="utf-8")


def _move_item(source: Path, target: Path, claim_id: str) -> None:
    from litgraph.s1_read.claims import item_spans

    text = source.read_text(encoding="utf-8")
    [item] = [chunk for _, chunk in item_spans(text) or [] if chunk.startswith(f"  - id: {claim_id}\n")]
    source.write_text(text.replace(item, "", 1), encoding="utf-8")
    target.write_text(target.read_text(encoding="utf-8") + item, encoding="utf-8")


Edit = Callable[[Path], None]
EDITS: dict[str, Edit] = {
    "claim text": lambda r: _edit(r / "bibliography/claims/a.yaml", "hard to keep", "hard to hold"),
    "nb text": lambda r: _edit(
        r / "bibliography/claims/a.yaml", "synes erfaringskonsulenter", "mener erfaringskonsulenter"
    ),
    "claim added, new citation": lambda r: _edit(
        r / "bibliography/claims/b.yaml",
        "claims:\n",
        "claims:\n  - {id: new-one, "
        "source: bassuk2016, reported_in: kilpatrick2017, text: New., lang: en, themes: [stigma]}\n",
    ),
    "themes changed": lambda r: _edit(
        r / "bibliography/claims/a.yaml", "themes: [tokenism]", "themes: [tokenism, trust]"
    ),
    "dispute added": lambda r: _edit(
        r / "bibliography/claims/a.yaml",
        "    themes: [boundary-setting]\n",
        "    themes: [boundary-setting]\n    disputes: [kilpatrick-symbolic]\n",
    ),
    "dispute removed": lambda r: _edit(
        r / "bibliography/claims/a.yaml",
        "    disputes: [kilpatrick-symbolic]\n    note: A text sets the one against the other.\n",
        "",
    ),
    "stance changed": lambda r: _edit(r / "bibliography/claims/a.yaml", "stance: against", "stance: qualifies"),
    "support added": lambda r: _edit(
        r / "bibliography/claims/b.yaml",
        "    themes: [recovery-orientation]\n",
        "    themes: [recovery-orientation]\n    supports: [bassuk-important]\n",
    ),
    "claim removed": lambda r: _remove_item(r / "bibliography/claims/b.yaml", "borg-recovery"),
    "bib title": lambda r: _edit(r / "bibliography/refs.bib", "{Recovery}", "{Recovery in practice}"),
    "bib year": lambda r: _edit(
        r / "bibliography/refs.bib",
        "{Peer-delivered recovery}, year = 2016}",
        "{Peer-delivered recovery}, year = 2015}",
    ),  # (the theme timelines move)
    "bib author": lambda r: _edit(r / "bibliography/refs.bib", "{Borg, Marit}", "{Borg, Marit and Karlsson, Bengt}"),
    "work added": lambda r: _edit(
        r / "bibliography/refs.bib",
        "@book{borg2017",
        "@book{davidson2012, author = {Davidson, Larry}, title = {Peer support}, year = 2012}\n@book{borg2017",
    ),
    "citation file": lambda r: _edit(
        r / "bibliography/citations/hand.yaml", "cites: [bassuk2016]", "cites: [bassuk2016, repper2011]"
    ),
    "question text": lambda r: _edit(
        r / "bibliography/questions.yaml", "a real difference", "a real and lasting difference"
    ),
    "theme label": lambda r: _edit(r / "ontology/themes.ttl", '"Grensesetting"@nb', '"Grensesetjing"@nb'),
    "claim moved between files": lambda r: _move_item(
        r / "bibliography/claims/a.yaml", r / "bibliography/claims/b.yaml", "kilpatrick-symbolic"
    ),
    "quote added": lambda r: _edit(
        r / "bibliography/claims/a.yaml",
        "    locator: sec. Relasjonen\n",
        '    locator: sec. Relasjonen\n    quote: "Nærheten gjør det vanskelig å holde grensene."\n',
    ),
    "quote edited": lambda r: _edit(r / "bibliography/claims/a.yaml", "Nærheten gjør", "Nærhet gjør"),
    "stub to do added": lambda r: _edit(
        r / "bibliography/claims/b.yaml",
        "claims:\n",
        "claims:\n  - {id: to-do, source: borg2017, locator: s. iv, quote: Hverdagen teller., "
        "themes: [recovery-orientation], todo: true}\n",
    ),
    "stub done": lambda r: _edit(
        r / "bibliography/claims/b.yaml", ", todo: true}", ", text: Everyday life counts., lang: en}"
    ),
    "evidence changed": lambda r: _edit(
        r / "bibliography/claims/a.yaml", "evidence: literature-review", "evidence: survey"
    ),
    "text of a claim in a gap": lambda r: _edit(
        next(p for p in (r / "bibliography/claims").glob("*.yaml") if "as symbolic" in p.read_text(encoding="utf-8")),
        "as symbolic",
        "as merely symbolic",
    ),
    "work cited outside the bibliography": lambda r: _edit(
        r / "bibliography/citations/hand.yaml",
        "citations:\n",
        "citations:\n  - citing: repper2011\n    cites_outside: [{author: Mead, year: '2003'}]\n"
        "  - citing: bassuk2016\n    cites_outside: [{author: Mead and others, year: '2003'}]\n",
    ),
    "title of the site": lambda r: (r / "litgraph.toml").write_text('[project]\ntitle = "Another"\n', encoding="utf-8"),
}


@pytest.fixture(autouse=True)
def store_updated_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuilds update the store in place whatever share of these small graphs changed (a share above
    write.REWRITE_SHARE would have it made anew: the other way, tested on its own below)."""
    monkeypatch.setattr(write, "REWRITE_SHARE", float("inf"))


@pytest.mark.parametrize("store", ["updated in place", "made anew"])
def test_every_kind_of_edit_rebuilds_to_what_a_build_from_nothing_writes(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str
) -> None:
    if store == "made anew":
        monkeypatch.setattr(write, "REWRITE_SHARE", 0.0)
        monkeypatch.setattr(rankings, "FIND_AT_MOST", 0)  # (rankings edited by an index of their keys, too)
    root = make_project(FILES)
    build(open_project(root))
    for name, edit in EDITS.items():
        edit(root)
        try:
            same_as_from_nothing(root, tmp_path)
        except AssertionError as exc:
            raise AssertionError(f"after the edit '{name}': {exc}") from None


def test_a_file_removed_leaves_no_trace(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project(FILES)
    build(open_project(root))
    for path in ("bibliography/claims/b.yaml", "bibliography/citations/hand.yaml", "bibliography/questions.yaml"):
        if path == "bibliography/questions.yaml":  # (the claims that take sides on its question go first)
            _edit(
                root / "bibliography/claims/a.yaml",
                "    question: peer-work-makes-a-difference\n    stance: against\n",
                "",
            )
            _edit(
                root / "bibliography/claims/a.yaml", "    question: peer-work-makes-a-difference\n    stance: for\n", ""
            )
        (root / path).unlink()
        same_as_from_nothing(root, tmp_path)
    assert "borg-recovery" not in (root / "site/graph.ttl").read_text(encoding="utf-8")


@pytest.mark.parametrize("removed", ["site", ".litgraph/store", ".litgraph/units", "site/works/borg2017.html"])
def test_outputs_removed_by_hand_are_made_again(make_project: MakeProject, tmp_path: Path, removed: str) -> None:
    root = make_project(FILES)
    build(open_project(root))
    target = root / removed
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    same_as_from_nothing(root, tmp_path)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=2, max_size=3, unique=True))
def test_edits_in_any_order_rebuild_to_what_a_build_from_nothing_writes(
    make_project: MakeProject, tmp_path: Path, edits: list[str]
) -> None:
    root = tmp_path / "project"
    shutil.rmtree(root, ignore_errors=True)
    root = make_project(FILES)
    build(open_project(root))
    for name in edits:
        try:
            EDITS[name](root)
        except AssertionError:
            continue  # (an edit whose text an earlier one replaced)
        same_as_from_nothing(root, tmp_path)


def test_a_store_compacted_by_a_process_of_its_own_holds_the_same(make_project: MakeProject, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from litgraph import pipeline

    root = make_project(FILES)
    monkeypatch.setattr(pipeline, "COMPACT_BESIDE", 0)
    build(open_project(root))
    monkeypatch.setattr(pipeline, "COMPACT_BESIDE", 10_000)
    same_as_from_nothing(root, tmp_path)


@pytest.mark.parametrize(
    ("path", "old", "new", "message"),
    [
        pytest.param("bibliography/refs.bib", "@book{borg2017, author = {Borg, Marit}, title = {Recovery}, year = 2017}\n", "",
                     "b.yaml:3: error: claim 'borg-recovery': unknown BibTeX key 'borg2017' in 'source'", id="a work removed"),
        pytest.param("bibliography/claims/a.yaml", "  - id: kilpatrick-symbolic\n", "  - id: kilpatrick-symbolical\n",
                     "a.yaml:24: error: claim 'bassuk-important': 'disputes' names unknown claim 'kilpatrick-symbolic'",
                     id="a disputed claim renamed"),
        pytest.param("bibliography/questions.yaml", "id: peer-work-makes-a-difference", "id: peer-work-matters",
                     "unknown question 'peer-work-makes-a-difference'", id="a question renamed"),
    ],
)  # fmt: skip
def test_a_rebuild_finds_what_an_edit_breaks_in_claims_it_did_not_touch(make_project: MakeProject, path: str, old: str,
                                                                         new: str, message: str) -> None:  # fmt: skip
    """A rebuild checks again only the claims an edit can break (the others were sound): those must include
    claims in other files that name what the edit removed."""
    from litgraph.errors import InputError

    root = make_project(FILES)
    build(open_project(root))
    _edit(root / path, old, new)
    with pytest.raises(InputError) as raised:
        build(open_project(root))
    assert message in "\n".join(str(p) for p in raised.value.problems)
    _edit(root / path, new, old)  # put back: the build goes through again
    build(open_project(root))


def test_lines_moved_by_an_edit_above_are_the_lines_problems_name(make_project: MakeProject) -> None:
    """A line added above an item moves the item without its text changing: stage 1 moves its line (not
    reading it again), and a problem found in it later names its line as it is now."""
    from litgraph.errors import InputError

    root = make_project(FILES)
    build(open_project(root))
    path = root / "bibliography/claims/a.yaml"
    _edit(
        path, "    evidence: literature-review\n", "    evidence: literature-review\n    supports: [bassuk-important]\n"
    )
    build(open_project(root))
    _edit(root / "bibliography/refs.bib", "@article{kilpatrick2017,", "@article{kilpatrick2018,")  # (a.yaml unchanged)
    with pytest.raises(InputError) as raised:
        build(open_project(root))
    line = next(
        i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "source: kilpatrick2017" in text
    )
    message = f"a.yaml:{line}: error: claim 'kilpatrick-symbolic': unknown BibTeX key 'kilpatrick2017' in 'source'"
    assert message in "\n".join(map(str, raised.value.problems))


@pytest.mark.parametrize("kind", ["a claim", "a .bib entry"])
def test_a_copy_added_after_a_build_is_a_duplicate(make_project: MakeProject, kind: str) -> None:
    """An item copied whole (same id, same text) changes no claim or work, since the first one defines it;
    the rebuild must still find the duplicate (it once took the last build's list of problems instead)."""
    from litgraph.errors import InputError

    root = make_project(FILES)
    build(open_project(root))
    if kind == "a claim":
        path = root / "bibliography/claims/a.yaml"
        text = path.read_text(encoding="utf-8")
        first = text[text.index("  - id: ") : text.index("  - id: ", text.index("  - id: ") + 1)]
        path.write_text(text + first, encoding="utf-8")
        expected = "is also used at bibliography/claims/a.yaml"
    else:
        entry = "@book{borg2017, author = {Borg, Marit}, title = {Recovery}, year = 2017}\n"
        (root / "bibliography/copy.bib").write_text(entry, encoding="utf-8")
        expected = "the key 'borg2017' is also defined at bibliography/"
    with pytest.raises(InputError) as raised:
        build(open_project(root))
    assert expected in "\n".join(map(str, raised.value.problems))


def test_a_new_units_format_makes_every_unit_again(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    """A litgraph whose graph units are made otherwise from the same inputs (UNITS_FORMAT) makes them all
    again, even where no input changed."""
    import litgraph.s1_read.inputs
    import litgraph.s1_read.reading
    import litgraph.s3_graph.units

    root = make_project(FILES)
    build(open_project(root))
    for module in (litgraph.s1_read.reading, litgraph.s3_graph.units):
        monkeypatch.setattr(module, "UNITS_FORMAT", "test")
    monkeypatch.setattr("litgraph.version.UNITS_FORMAT", "test")
    said: list[str] = []
    build(open_project(root), said.append)
    [checking] = [s for s in said if s.startswith("checking ") and "graph units" in s]
    done, _, of = checking.removeprefix("checking ").partition(" of ")
    assert int(done) == int(of.split()[0]) > 0, checking


def test_a_new_template_renders_the_pages_again(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A litgraph with other templates (a new version, or a developer's edit) renders the site again, even
    where no input changed."""
    import shutil

    import litgraph.s1_read.inputs
    from litgraph.s6_render import templates

    copy = tmp_path / "templates"
    shutil.copytree(litgraph.s1_read.inputs.TEMPLATES, copy)
    monkeypatch.setattr(litgraph.s1_read.inputs, "TEMPLATES", copy)
    root = make_project(FILES)
    build(open_project(root))
    pages = ["themes/trust.html", "works/borg2017.html", "works.html", "contested.html", "index.html"]
    before = {name: (root / "site" / name).stat().st_ino for name in pages}
    (copy / "theme.html").write_text((copy / "theme.html").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    salt = templates.salt  # (the pages' digests: as if rendered from the edited copy)
    monkeypatch.setattr(templates, "salt", lambda title: salt(title) + "-edited")
    said: list[str] = []
    build(open_project(root), said.append)
    assert any(s.startswith("writing site/") for s in said), said
    # every page written anew (a page kept from the live site is a hard link to it: the same inode), those
    # no edit reached too (this build's changes reach none)
    kept = [name for name in pages if (root / "site" / name).stat().st_ino == before[name]]
    assert not kept, f"kept as made with the old templates: {kept}"


def test_a_build_stopped_by_an_input_error_is_not_an_unfinished_build(make_project: MakeProject) -> None:
    """An input error stops a build cleanly: the next build does not say it found an unfinished one."""
    from litgraph.errors import InputError

    root = make_project(FILES)
    build(open_project(root))
    _edit(root / "bibliography/claims/a.yaml", "  - id: kilpatrick-symbolic\n", "  - id: Kilpatrick Symbolic\n")
    with pytest.raises(InputError):
        build(open_project(root))
    _edit(root / "bibliography/claims/a.yaml", "  - id: Kilpatrick Symbolic\n", "  - id: kilpatrick-symbolic\n")
    summary = build(open_project(root))
    assert not any("unfinished" in note for note in summary.notes), summary.notes
