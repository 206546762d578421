"""Nanopublications (TriG): one per claim, each of four named graphs as the nanopublication guidelines
have them: the head (the nanopublication and its three graphs), the assertion (the claim as the project's
graph has it: its text, themes, evidence, question and supports/disputes links), the provenance (the work
whose finding it is, the work it was read in and where), and the publication info (the project, and the
date the claim was first committed: `created`, which no rebuild changes). Unsigned: `nanopub sign` (the
nanopub library) signs them for a registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from litgraph.model import Claim
from litgraph.namespaces import DCTERMS, LG, PROV, RDF, XSD, claim_graph_iri, nanopub_iri
from litgraph.s3_graph.triples import GraphBuilder

NP = "http://www.nanopub.org/nschema#"
PROVENANCE_TERMS = {DCTERMS + "source", LG + "reportedIn", LG + "locator"}  # (in the provenance graph)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def claim_quads(builder: GraphBuilder, claim: Claim, project_iri: str, created: str) -> list[ox.Quad]:
    """One claim's nanopublication as quads in its four graphs."""
    np = _n(nanopub_iri(builder.base, claim.id))
    head, assertion, provenance, pubinfo = (_n(claim_graph_iri(builder.base, claim.id, g))
                                            for g in ("head", "assertion", "provenance", "pubinfo"))  # fmt: skip
    quads = [
        ox.Quad(np, _n(RDF + "type"), _n(NP + "Nanopublication"), head),
        ox.Quad(np, _n(NP + "hasAssertion"), assertion, head),
        ox.Quad(np, _n(NP + "hasProvenance"), provenance, head),
        ox.Quad(np, _n(NP + "hasPublicationInfo"), pubinfo, head),
    ]
    for t in builder.claim_triples(claim):
        if t.predicate.value in PROVENANCE_TERMS:
            continue
        quads.append(ox.Quad(t.subject, t.predicate, t.object, assertion))
    quads.append(ox.Quad(assertion, _n(PROV + "hadPrimarySource"), builder.iri("work", claim.source), provenance))
    if claim.reported_in:
        quads.append(
            ox.Quad(assertion, _n(PROV + "wasDerivedFrom"), builder.iri("work", claim.reported_in), provenance)
        )
    if claim.locator:
        quads.append(ox.Quad(assertion, _n(LG + "locator"), ox.Literal(claim.locator), provenance))
    quads.append(ox.Quad(np, _n(DCTERMS + "created"), ox.Literal(created, datatype=_n(XSD + "dateTime")), pubinfo))
    quads.append(ox.Quad(np, _n(DCTERMS + "isPartOf"), _n(project_iri), pubinfo))
    return quads


def nanopubs_trig(claims: Iterable[Claim], base_iri: str, evidence_iris: Mapping[str, str],
                  created: Mapping[str, str]) -> str:  # fmt: skip
    """Every claim's nanopublication in one TriG document (in id order: the same inputs, the same bytes)."""
    builder = GraphBuilder(base_iri, dict(evidence_iris))
    quads = [q for c in claims for q in claim_quads(builder, c, base_iri, created[c.id])]
    prefixes = {"np": NP, "dcterms": DCTERMS, "prov": PROV, "lg": LG, "xsd": XSD}
    data = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes)
    return data.decode("utf-8") if data else ""
