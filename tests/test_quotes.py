"""A claim's quote (the exact words of the work, apart from the claim's own wording) and stubs still to
do (`todo: true`): read and checked, in the graph as a Web Annotation TextQuoteSelector, on the work page,
in `--format json`; a stub to do is reported and not built."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from litgraph import build, load, open_project
from litgraph.api import validate
from litgraph.cli.main import main

from .conftest import MakeProject

BIB = """
@article{repper2011, author = {Repper, Julie and Carter, Tim}, title = {A review}, year = {2011}}
@report{akerblom2021, author = {{\\AA}kerblom, Kristina Bakke}, title = {Nasjonale føringer}, year = {2021},
  language = {nb}}
"""
QUOTE = "Erfaringskonsulenten skal <b>ikke</b> være «en av de ansatte» & heller ikke en venn."
CLAIMS = f"""claims:
  - id: akerblom-role
    source: akerblom2021
    locator: "s. 30–31"
    quote: "{QUOTE}"
    text: Peer workers are neither staff nor friends.
    lang: en
    themes: [boundary-setting]
  - id: repper-boundaries
    source: repper2011
    reported_in: akerblom2021
    locator: s. iv
    text: Closeness makes boundaries hard to keep.
    lang: en
    themes: [boundary-setting]
  - id: akerblom-todo
    source: akerblom2021
    locator: s. 12
    quote: Likepersonsarbeid er ikke behandling.
    themes: [boundary-setting]
    todo: true
"""


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project({"bibliography/refs.bib": BIB, "bibliography/claims/a.yaml": CLAIMS})


def test_a_quote_is_read_and_a_stub_to_do_is_reported_not_loaded(project: Path) -> None:
    loaded = load(open_project(project))
    assert not loaded.errors, loaded.problems
    assert loaded.data.claims["akerblom-role"].quote == QUOTE
    assert loaded.data.claims["repper-boundaries"].quote is None
    assert "akerblom-todo" not in loaded.data.claims
    [warning] = [str(w) for w in loaded.warnings]
    assert "a.yaml:21: warning: claim akerblom-todo is a stub still to do" in warning


def test_the_quote_is_a_text_quote_selector_of_the_work_it_was_read_in(project: Path) -> None:
    build(open_project(project))
    graph = rdflib.Graph().parse(project / "site" / "graph.ttl")
    rows = list(
        graph.query(
            """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX lg: <https://w3id.org/litgraph/vocab#>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            SELECT ?id ?work ?exact WHERE {
              ?claim dcterms:identifier ?id ; lg:quote ?part .
              ?part a oa:SpecificResource ; oa:hasSource ?work ; oa:hasSelector ?selector .
              ?selector a oa:TextQuoteSelector ; oa:exact ?exact }"""
        )
    )
    assert [(str(i), str(w).rsplit("/", 1)[-1], str(e)) for i, w, e in rows] == [
        ("akerblom-role", "akerblom2021", QUOTE)
    ]
    ids = {str(o) for o in graph.objects(None, rdflib.URIRef("http://purl.org/dc/terms/identifier"))}
    assert "akerblom-todo" not in ids and "akerblom-role" in ids
    assert not validate(open_project(project)).violations


def test_the_work_page_shows_the_quote_apart_and_escaped(project: Path) -> None:
    build(open_project(project))
    page = (project / "site" / "works" / "akerblom2021.html").read_text(encoding="utf-8")
    assert (
        '<blockquote class="quote">Erfaringskonsulenten skal &lt;b&gt;ikke&lt;/b&gt; være «en av de ansatte» &amp; '
        in page
    )
    assert "<b>ikke</b>" not in page
    claim_item = page.split("Peer workers are neither staff nor friends.", 1)[1].split("</li>", 1)[0]
    assert "blockquote" in claim_item  # (with its claim, after the claim's own words)


def test_claims_and_sources_as_json_carry_the_quote(project: Path) -> None:
    for command in (["claims", "--source", "akerblom2021"], ["sources", "boundary-setting"]):
        result = CliRunner().invoke(main, [*command, "--format", "json", "-p", str(project)])
        assert result.exit_code == 0, result.output
        text = result.stdout
        assert json.dumps(QUOTE, ensure_ascii=False) in text or json.dumps(QUOTE) in text
    claims = json.loads(CliRunner().invoke(main, ["claims", "--format", "json", "-p", str(project)]).stdout)
    assert {c["id"]: c["quote"] for c in claims} == {"akerblom-role": QUOTE, "repper-boundaries": None}


@pytest.mark.parametrize(
    ("old", "new", "expected", "severity"),
    [
        pytest.param('    locator: "s. 30–31"\n', "", "a.yaml:4: warning: claim akerblom-role: a quote without a locator",
                     "warning", id="no locator"),
        pytest.param(f'"{QUOTE}"', "x" * 1001, "a.yaml:5: error: claim akerblom-role: the quote has 1,001 characters "
                     "(at most 1,000)", "error", id="too long"),
        pytest.param("    todo: true\n", "    todo: yes please\n", "a.yaml:21: error: 'todo' must be true or false",
                     "error", id="todo not a boolean"),
    ],
)  # fmt: skip
def test_quote_problems_are_reported_with_the_others(
    make_project: MakeProject, old: str, new: str, expected: str, severity: str
) -> None:
    claims = (
        CLAIMS.replace(old, new, 1)
        + "  - id: Bad Id\n    source: nowhere\n    text: x\n    lang: en\n    themes: [x]\n"
    )
    root = make_project({"bibliography/refs.bib": BIB, "bibliography/claims/a.yaml": claims})
    problems = [str(p) for p in load(open_project(root)).problems]
    assert any(expected in p for p in problems), problems
    assert any("may hold only a-z" in p for p in problems)  # (the other claim's problem in the same report)
    result = CliRunner().invoke(main, ["validate", "-p", str(root)])
    assert result.exit_code == 1 and expected in result.stderr


def test_the_shapes_catch_a_broken_quote(project: Path) -> None:
    """The quote's shapes bite: a selector without its exact words, words over 1,000 characters, a quote of
    something that is not a work."""
    import pyoxigraph as ox

    from litgraph.s3_graph.shapes import check_triples

    build(open_project(project))
    triples = [q.triple for q in ox.parse(path=str(project / "site/graph.ttl"), format=ox.RdfFormat.TURTLE)]
    shapes = open_project(project).ontology_file("shapes.ttl")
    vocabulary = open_project(project).ontology_file("litgraph.ttl")
    assert check_triples(triples, shapes, vocabulary) == []
    oa = "http://www.w3.org/ns/oa#"
    [exact] = [t for t in triples if t.predicate.value == oa + "exact"]
    [source] = [t for t in triples if t.predicate.value == oa + "hasSource"]
    theme = next(t.subject for t in triples if t.predicate.value.endswith("skos/core#notation"))
    without_words = [t for t in triples if t != exact]
    too_long = [*without_words, ox.Triple(exact.subject, exact.predicate, ox.Literal("x" * 1001))]
    not_a_work = [*[t for t in triples if t != source], ox.Triple(source.subject, source.predicate, theme)]
    for broken, message in ((without_words, "exact words"), (too_long, "exact words"), (not_a_work, "of one work")):
        found = [str(v) for v in check_triples(broken, shapes, vocabulary)]
        assert any(message in v for v in found), found
