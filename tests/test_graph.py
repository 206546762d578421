"""Stage: loaded data -> RDF graph (IRIs, vocabularies, determinism, SHACL)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given
from hypothesis import strategies as st
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from litgraph import build, open_project
from litgraph.namespaces import BIBO, CITO, DCTERMS, FOAF, LG, mint, unmint
from litgraph.project import Project
from litgraph.s3_graph.shapes import check_triples

from .conftest import MakeProject

BASE = "https://example.org/litgraph/my-project/"
BIB = """
@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review of the literature},
  journal = {Journal of Mental Health}, volume = 20, number = 4, pages = {392--411}, year = 2011}
@report{akerblom2021, author = {{\\AA}kerblom, Kristina Bakke and Hammer, Anne Eriksen},
  title = {Nasjonale f{\\o}ringer}, year = 2021, langid = {norwegian}}
@online{erfaringssentrum, author = {{Erfaringssentrum}}, title = {Om oss}, year = {n.d.}}
"""
CLAIMS = """
claims:
  - id: repper2011-boundaries
    source: repper2011
    reported_in: akerblom2021
    locator: "sec. Relasjonen"
    text: Peer workers find it hard to keep the friend and the professional role apart.
    lang: en
    themes: [boundary-setting, friendship-like-role]
    evidence: literature-review
  - id: akerblom2021-own
    source: akerblom2021
    text: Peer workers are hired to strengthen the user perspective.
    lang: en
    themes: [national-policy]
    disputes: [repper2011-boundaries]
"""


def built_triples(project: Project) -> list[ox.Triple]:
    """The project's graph as a build writes it (site/graph.ttl), read back."""
    build(project)
    return [q.triple for q in ox.parse(path=str(project.site_dir / "graph.ttl"), format=ox.RdfFormat.TURTLE)]


def check_shapes(triples: list[ox.Triple], shapes: Path, vocabulary: Path) -> list:  # type: ignore[type-arg]
    return check_triples(triples, shapes, vocabulary)


@given(kind=st.sampled_from(["work", "claim", "theme", "person"]), local=st.text(min_size=1, max_size=40))
def test_minted_iris_round_trip(kind: str, local: str) -> None:
    iri = mint(BASE, kind, local)
    assert unmint(BASE, iri) == (kind, local)
    assert " " not in iri and "<" not in iri and ">" not in iri


def test_graph_content_on_standard_vocabularies(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    build(open_project(root))
    graph = rdflib.Graph().parse(root / "site" / "graph.ttl", format="turtle")  # an independent parser
    U = rdflib.URIRef
    work = U(BASE + "work/repper2011")
    assert (work, rdflib.RDF.type, U(BIBO + "AcademicArticle")) in graph
    assert str(graph.value(work, U(DCTERMS + "issued"))) == "2011"
    assert str(graph.value(work, U(BIBO + "pageStart"))) == "392"
    authors = Collection(graph, graph.value(work, U(BIBO + "authorList")))
    assert [str(graph.value(a, U(FOAF + "familyName"))) for a in authors] == ["Repper", "Carter"]
    report = U(BASE + "work/akerblom2021")
    assert str(graph.value(report, U(DCTERMS + "title"))) == "Nasjonale føringer"
    assert (report, U(CITO + "cites"), work) in graph  # read in akerblom2021 -> it cites repper2011
    org = graph.value(U(BASE + "work/erfaringssentrum"), U(DCTERMS + "creator"))
    assert (org, rdflib.RDF.type, U(FOAF + "Organization")) in graph
    claim = U(BASE + "claim/repper2011-boundaries")
    text = graph.value(claim, U(LG + "statement"))
    assert text.language == "en"
    assert (claim, U(DCTERMS + "subject"), U(BASE + "theme/boundary-setting")) in graph
    assert (U(BASE + "claim/akerblom2021-own"), U(LG + "disputes"), claim) in graph
    assert (claim, U(LG + "evidence"), U(LG + "LiteratureReview")) in graph


def test_same_inputs_give_identical_bytes(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    build(open_project(root))
    first = {n: (root / "site" / n).read_bytes() for n in ("graph.ttl", "graph.jsonld")}
    build(open_project(root))
    assert {n: (root / "site" / n).read_bytes() for n in first} == first


def test_jsonld_and_turtle_hold_the_same_graph(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    build(open_project(root))
    turtle = rdflib.Graph().parse(root / "site" / "graph.ttl", format="turtle")
    jsonld = rdflib.Graph().parse(root / "site" / "graph.jsonld", format="json-ld")
    assert len(turtle) > 500 and isomorphic(turtle, jsonld)


def test_base_iri_is_configurable(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB})
    (root / "litgraph.toml").write_text('[project]\nbase_iri = "https://data.example.no/lit/"\n', encoding="utf-8")
    triples = built_triples(open_project(root))
    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    assert "https://data.example.no/lit/work/repper2011" in subjects
    assert not any(s.startswith(BASE) for s in subjects)


def test_shacl_catches_a_broken_graph(make_project: MakeProject) -> None:
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    project = open_project(root)
    triples = built_triples(project)
    shapes, vocabulary = project.ontology_file("shapes.ttl"), project.ontology_file("litgraph.ttl")
    assert check_shapes(triples, shapes, vocabulary) == []
    claim = ox.NamedNode(BASE + "claim/repper2011-boundaries")
    broken = [t for t in triples if not (t.subject == claim and t.predicate.value == DCTERMS + "subject")]
    broken.append(ox.Triple(claim, ox.NamedNode(LG + "disputes"), claim))
    messages = [str(v) for v in check_shapes(broken, shapes, vocabulary)]
    assert any("at least one theme" in m for m in messages), messages
    assert any("does not support or dispute itself" in m for m in messages), messages


def test_shacl_catches_broken_works_people_and_themes(make_project: MakeProject) -> None:
    """Every shape of the bundled shapes.ttl bites: sh:or on works, counts and datatypes, qualified
    language counts on themes, a person's family name, the class of a claim's source."""
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    project = open_project(root)
    triples = built_triples(project)
    shapes, vocabulary = project.ontology_file("shapes.ttl"), project.ontology_file("litgraph.ttl")
    work, theme = ox.NamedNode(BASE + "work/repper2011"), ox.NamedNode(BASE + "theme/boundary-setting")
    claim = ox.NamedNode(BASE + "claim/repper2011-boundaries")
    person = next(t.subject for t in triples if t.predicate.value == FOAF + "familyName")
    skos_pref = "http://www.w3.org/2004/02/skos/core#prefLabel"

    def dropped(t: ox.Triple) -> bool:
        return (
            (t.subject == work and t.predicate.value in (DCTERMS + "title", DCTERMS + "issued"))
            or (t.subject == theme and t.predicate.value == skos_pref and t.object.language == "nb")
            or (t.subject == person and t.predicate.value == FOAF + "familyName")
        )

    broken = [t for t in triples if not dropped(t)]
    broken.append(ox.Triple(claim, ox.NamedNode(DCTERMS + "source"), theme))  # a second source, not a work
    found = {(v.focus, v.message) for v in check_shapes(broken, shapes, vocabulary)}
    assert any(f == work.value and "a title" in m for f, m in found), found
    assert any(f == theme.value and "Norwegian (nb) prefLabel" in m for f, m in found), found
    assert any(f == claim.value and "exactly one source" in m for f, m in found), found
    assert any(f == person.value for f, _ in found), found
    assert len({f for f, _ in found}) == 4, found  # nothing else is reported


def test_undated_work_is_marked(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"bibliography/refs.bib": BIB})
    triples = built_triples(open_project(root))
    work = ox.NamedNode(BASE + "work/erfaringssentrum")
    assert ox.Triple(work, ox.NamedNode(LG + "undated"), ox.Literal(True)) in triples


def test_two_authors_known_by_the_same_name_are_one_creator_and_two_list_cells(make_project: MakeProject) -> None:
    bib = "@book{lauvas2002, author = {Lauvas and Lauvas}, title = {Samarbeid}, year = 2002}\n"
    project = open_project(make_project({"bibliography/refs.bib": bib}))
    summary = build(project)
    work, person = ox.NamedNode(BASE + "work/lauvas2002"), ox.NamedNode(BASE + "person/lauvas")
    parsed = [(q.subject, q.predicate, q.object) for q in ox.parse(path=str(project.site_dir / "graph.ttl"))]
    assert len(parsed) == len(set(parsed)) == summary.triples  # no triple written twice, the count is the file's
    assert [o for s, p, o in parsed if s == work and p.value == DCTERMS + "creator"] == [person]
    cells = [o for s, p, o in parsed if p.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"]
    assert cells == [person, person]


def test_an_output_file_is_readable_like_any_new_file(tmp_path: Path) -> None:
    import os

    from litgraph.plumbing.files import atomic_file

    mask = os.umask(0o22)
    try:
        with atomic_file(tmp_path / "graph.ttl") as handle:
            handle.write(b"x")
    finally:
        os.umask(mask)
    assert (tmp_path / "graph.ttl").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


@pytest.mark.parametrize("kernel", [True, False], ids=["copy_file_range", "through memory"])
def test_copy_range_appends_a_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: bool) -> None:
    """Graph files are put together from the units' files: each appended after what the target holds, in
    the kernel or, where that call fails (a pipe), through memory."""
    import os

    from litgraph.plumbing.files import copy_range

    if not kernel:

        def refuse(*args: object) -> int:
            raise OSError("not here")

        monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)
    source = tmp_path / "source"
    source.write_bytes(bytes(range(256)) * 8192)  # 2 MB: more than one chunk
    with source.open("rb") as src, (tmp_path / "target").open("wb") as out:
        out.write(b"head:")
        copy_range(src, out)
        out.write(b"|tail")
    assert (tmp_path / "target").read_bytes() == b"head:" + source.read_bytes() + b"|tail"


def _claims_unit(root: Path) -> tuple[object, object, Path]:
    """The state database, the claims unit and the units' folder of a built project."""
    import sqlite3

    from litgraph.s3_graph.units import Planner

    db = sqlite3.connect(root / ".litgraph" / "state.sqlite", isolation_level=None)
    [unit] = [u for u in Planner(db, BASE).recorded_units_in_order() if u.kind == "claims"]
    return db, unit, root / ".litgraph" / "units"


def test_a_unit_checked_alone_sees_the_classes_of_what_it_points_at(make_project: MakeProject, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A rebuilt unit is checked with the rdf:type triples of the nodes it points at (its claims' source, a
    work of another unit), and only its own subjects are reported."""
    import litgraph.s3_graph.shapes as shapes
    from litgraph.s3_graph.unit_files import unit_path

    project = open_project(make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS}))
    build(project)
    db, unit, folder = _claims_unit(project.root)
    path = unit_path(folder, unit, "nt")  # type: ignore[arg-type]
    claim = BASE + "claim/repper2011-boundaries"
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                            if not (line.startswith(f"<{claim}>") and DCTERMS + "subject" in line)))  # fmt: skip
    db.execute("DELETE FROM shacl_passed")  # type: ignore[attr-defined]
    checked: list[str] = []
    real = shapes.violations_in
    monkeypatch.setattr(shapes, "violations_in", lambda data, *rest: checked.append(data) or real(data, *rest))
    monkeypatch.setattr(shapes, "WHOLE_SHARE", 10.0)  # unit by unit
    check = shapes.ShapeCheck(
        db, folder, [unit], project.ontology_file("shapes.ttl"), project.ontology_file("litgraph.ttl")
    )  # type: ignore[arg-type, list-item]
    found = [(v.focus, v.message) for v in check.result()]
    assert found == [(claim, "a claim is on at least one theme")]  # its source, a work it points at, passes
    [data] = checked
    assert f"<{BASE}work/repper2011> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" in data
    assert f"<{BASE}work/repper2011> <{DCTERMS}title>" not in data  # only the class of what it points at


def test_a_unit_that_conformed_is_not_checked_again(make_project: MakeProject, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import litgraph.s3_graph.shapes as shapes

    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS})
    build(open_project(root))
    checked: list[str] = []
    real = shapes.violations_in
    monkeypatch.setattr(shapes, "violations_in", lambda data, *rest: checked.append(data) or real(data, *rest))
    claims = root / "bibliography" / "claims" / "c.yaml"
    claims.write_text(claims.read_text().replace("hired to strengthen", "hired to make stronger"), encoding="utf-8")
    build(open_project(root))
    assert len(checked) == 1 and "hired to make stronger" in checked[0]  # the claims unit alone
    assert "Nasjonale f" not in checked[0]  # (a work's unit: passed before, not checked again)


STANDARD = ("http://purl.org/ontology/bibo/", "http://purl.org/spar/cito/", "http://purl.org/dc/terms/",
            "http://xmlns.com/foaf/0.1/", "http://www.w3.org/ns/prov#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/2002/07/owl#")  # fmt: skip


def test_every_predicate_the_store_holds_is_standard_or_declared(bundled: tuple[Path, object]) -> None:
    """The graph and the store's index use standard vocabularies and terms ontology/litgraph.ttl declares
    (the index's terms too: namespaces.INDEX_TERMS)."""
    from litgraph.namespaces import INDEX_TERMS

    root, _ = bundled
    vocabulary = rdflib.Graph().parse(root / "ontology" / "litgraph.ttl")
    declared = {str(s) for s, _, o in vocabulary.triples((None, rdflib.RDF.type, None))
                if str(o).endswith(("DatatypeProperty", "ObjectProperty", "#Property"))}  # fmt: skip
    assert {LG + t for t in INDEX_TERMS} <= declared
    store = ox.Store.read_only(str(root / ".litgraph" / "store"))
    used = {q.predicate.value for q in store}
    del store
    assert {LG + "row", LG + "claimRecord", LG + "ranking", LG + "digest"} <= used
    strays = sorted(p for p in used if not p.startswith(STANDARD) and p not in declared)
    assert not strays
