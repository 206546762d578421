"""Claims for the open science world: a nanopublication per claim (loaded by the nanopub library, read by
rdflib), with a creation date no rebuild changes; a W3C Web Annotation per claim (read as JSON-LD by rdflib)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, Namespace, URIRef

from litgraph.cli.main import main
from litgraph.s6_render.formats.annotations import page_selector

from .conftest import MakeProject

NP = Namespace("http://www.nanopub.org/nschema#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCT = Namespace("http://purl.org/dc/terms/")
LG = Namespace("https://w3id.org/litgraph/vocab#")
BASE = "https://w3id.org/litgraph/peer-support/"


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _nanopubs(trig: str) -> dict[URIRef, Dataset]:
    """Each nanopublication of a TriG document, as a dataset of its own four graphs."""
    whole = Dataset(default_union=True)
    whole.parse(data=trig, format="trig")
    found = {}
    for np in set(whole.subjects(predicate=None, object=NP.Nanopublication)):
        parts = [whole.value(np, NP[p]) for p in ("hasAssertion", "hasProvenance", "hasPublicationInfo")]
        heads = {c for s, p, o, c in whole.quads((np, NP.hasAssertion, None, None))}
        one = Dataset(default_union=True)
        for name in [*heads, *parts]:
            for s, p, o in whole.graph(name):
                one.add((s, p, o, one.graph(name)))
        found[np] = one
    return found


def test_each_claim_is_a_nanopublication_the_nanopub_library_loads(bundled) -> None:  # type: ignore[no-untyped-def]
    from nanopub import Nanopub

    root, summary = bundled
    trig = _run("export", "-p", str(root), "-f", "nanopub")
    nanopubs = _nanopubs(trig)
    assert len(nanopubs) == summary.claims
    for np, graphs in nanopubs.items():
        loaded = Nanopub(rdf=graphs)
        assert loaded.is_valid and str(loaded.metadata.np_uri) == str(np)
    np = URIRef(BASE + "np/aarre2010-all-levels-s0")
    loaded = Nanopub(rdf=nanopubs[np])
    claim = URIRef(BASE + "claim/aarre2010-all-levels-s0")
    assert (claim, DCT.subject, URIRef(BASE + "theme/user-participation")) in loaded.assertion
    assert Literal("User participation required by law has to take place at every level.", lang="en") in set(
        loaded.assertion.objects(claim, LG.statement)
    )
    assertion = loaded.assertion.identifier
    assert (assertion, PROV.hadPrimarySource, URIRef(BASE + "work/aarre2010")) in loaded.provenance
    assert (assertion, PROV.wasDerivedFrom, URIRef(BASE + "work/anon2023")) in loaded.provenance
    assert loaded.pubinfo.value(np, DCT.created) is not None
    disputes = [g for g in nanopubs.values() if any(g.quads((None, LG.disputes, None, None)))]
    assert disputes  # (a claim's disputes links are in its assertion)


def _git(root: Path, *args: str, when: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


CLAIM = """
  - id: {id}
    source: {source}
    locator: "s. 20"
    text: {text}
    lang: en
    themes: [boundary-setting]
"""


def test_a_claims_creation_date_is_its_first_commit_and_no_rebuild_changes_it(make_project: MakeProject) -> None:
    root = make_project(keep_example=True)
    claims = root / "bibliography" / "claims" / "example.yaml"
    source = next(line.split(":")[1].strip() for line in claims.read_text().splitlines() if "source:" in line)
    claims.write_text(claims.read_text() + CLAIM.format(id="first-one", source=source, text="One."), encoding="utf-8")
    _git(root, "init", "-q", when="2024-01-02T03:04:05Z")
    _git(root, "add", "-A", when="2024-01-02T03:04:05Z")
    _git(root, "commit", "-qm", "first", when="2024-01-02T03:04:05+00:00")
    before = _run("export", "-p", str(root), "-f", "nanopub")
    assert '"2024-01-02T03:04:05Z"^^' in before
    claims.write_text(claims.read_text() + CLAIM.format(id="second-one", source=source, text="Two."), encoding="utf-8")
    _git(root, "commit", "-qam", "second", when="2025-06-07T08:09:10+02:00")
    os.utime(claims, (1_900_000_000, 1_900_000_000))  # (the file changes again, its claims' dates do not)
    after = _nanopubs(_run("export", "-p", str(root), "-f", "nanopub"))
    dates = {str(np).rsplit("/", 1)[1]: str(g.value(np, DCT.created)) for np, g in after.items()}
    assert dates["first-one"] == "2024-01-02T03:04:05Z" and dates["second-one"] == "2025-06-07T06:09:10Z"
    assert _run("export", "-p", str(root), "-f", "nanopub") == _run("export", "-p", str(root), "-f", "nanopub")


# The terms of the Web Annotation context (http://www.w3.org/ns/anno.jsonld) that the export uses, with the
# IRIs the Web Annotation Vocabulary gives them (the context itself is not fetched: tests make no request).
ANNO_TERMS = {
    "oa": str(OA), "dcterms": str(DCT), "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": {"@id": "@id", "@type": "@id"}, "type": {"@id": "@type", "@type": "@id"},
    "Annotation": "oa:Annotation", "TextualBody": "oa:TextualBody", "SpecificResource": "oa:SpecificResource",
    "FragmentSelector": "oa:FragmentSelector", "TextQuoteSelector": "oa:TextQuoteSelector",
    "describing": "oa:describing", "body": {"@id": "oa:hasBody", "@type": "@id"},
    "target": {"@id": "oa:hasTarget", "@type": "@id"}, "source": {"@id": "oa:hasSource", "@type": "@id"},
    "selector": {"@id": "oa:hasSelector", "@type": "@id"}, "motivation": {"@id": "oa:motivatedBy", "@type": "@vocab"},
    "purpose": {"@id": "oa:hasPurpose", "@type": "@vocab"}, "conformsTo": {"@id": "dcterms:conformsTo", "@type": "@id"},
    "value": "rdf:value", "language": "dc:language", "format": "dc:format", "created": "dcterms:created",
    "exact": "oa:exact",
}  # fmt: skip


def test_each_claim_is_a_web_annotation_of_the_work_it_was_read_in(bundled) -> None:  # type: ignore[no-untyped-def]
    root, summary = bundled
    annotations = json.loads(_run("export", "-p", str(root), "-f", "annotations"))
    assert len(annotations) == summary.claims
    for a in annotations:
        assert a["@context"][0] == "http://www.w3.org/ns/anno.jsonld" and a["type"] == "Annotation"
        assert a["target"]["source"].startswith(BASE + "work/") and a["body"]
    one = next(a for a in annotations if a["id"] == BASE + "annotation/aarre2010-all-levels-s0")
    assert one["target"]["selector"] == {"type": "FragmentSelector", "value": "page=125",
                                         "conformsTo": "http://tools.ietf.org/rfc/rfc3778"}  # fmt: skip
    assert one["target"]["locator"] == "sec. Teori, Brukermedvirkning; s. 125"
    graph = Graph()
    for a in annotations:
        graph.parse(data=json.dumps({**a, "@context": [ANNO_TERMS, a["@context"][1]]}), format="json-ld")
    node = URIRef(one["id"])
    target = graph.value(node, OA.hasTarget)
    assert graph.value(target, OA.hasSource) == URIRef(BASE + "work/anon2023")
    assert graph.value(graph.value(target, OA.hasSelector), URIRef(ANNO_TERMS["rdf"] + "value")) == Literal("page=125")
    bodies = {(str(graph.value(b, URIRef(ANNO_TERMS["rdf"] + "value"))), str(graph.value(b, DCT.language) or
               graph.value(b, URIRef("http://purl.org/dc/elements/1.1/language")))) for b in graph.objects(node, OA.hasBody)}  # fmt: skip
    assert ("User participation required by law has to take place at every level.", "en") in bodies
    assert len(set(graph.subjects(predicate=None, object=OA.Annotation))) == summary.claims


@pytest.mark.parametrize(
    ("locator", "page"),
    [("s. 20", "20"), ("p. 3-9", "3"), ("pp. 12–14", "12"), ("sec. Teori; s. 125", "125"), ("sec. Relasjonen", None),
     (None, None)],
)  # fmt: skip
def test_a_page_locator_is_a_pdf_fragment(locator: str | None, page: str | None) -> None:
    found = page_selector(locator)
    assert (found["value"] if found else None) == (f"page={page}" if page else None)
