"""The triples of each kind of thing, on standard vocabularies, in a fixed order (identical bytes on rebuild).

Triples are pyoxigraph terms: building and serialising millions of them stays fast, and the same triples
go to the SHACL engine, the store and the graph files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import pyoxigraph as ox

from litgraph.model import Claim, Person, Question, Theme, Work
from litgraph.namespaces import (
    BIBO,
    CITO,
    DCTERMS,
    FOAF,
    LG,
    OA,
    PROV,
    RDF,
    SKOS,
    XSD,
    blank_id,
    mint,
    scheme_iri,
    slug,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal

WORK_CLASSES = {
    "article": "AcademicArticle", "book": "Book", "mvbook": "Book", "collection": "Book",
    "mvcollection": "Book", "proceedings": "Book", "mvproceedings": "Book", "periodical": "Document",
    "inbook": "Chapter", "incollection": "Chapter", "bookinbook": "Chapter", "suppbook": "Chapter",
    "suppcollection": "Chapter", "inproceedings": "AcademicArticle", "conference": "AcademicArticle",
    "report": "Report", "techreport": "Report", "thesis": "Thesis", "phdthesis": "Thesis",
    "mastersthesis": "Thesis", "legislation": "Legislation", "legal": "Legislation", "law": "Legislation",
    "jurisdiction": "Legislation", "online": "Webpage", "www": "Webpage", "electronic": "Webpage",
    "webpage": "Webpage",
}  # fmt: skip
Agent = tuple[str, str, list[tuple[str, str]]]  # (IRI, class, [(predicate, literal)])
STANCES = {"for": LG + "for", "against": LG + "against", "qualifies": LG + "qualifies"}

_N = lru_cache(maxsize=1024)(ox.NamedNode)  # vocabulary terms: built once, reused for every triple
RDF_TYPE_IRI = RDF + "type"
TYPE = _N(RDF_TYPE_IRI)
FIRST, REST, NIL = _N(RDF + "first"), _N(RDF + "rest"), _N(RDF + "nil")


def _lit(value: str, lang: str | None = None, datatype: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=_N(datatype)) if datatype else ox.Literal(value)


def work_class(entry_type: str) -> str:
    return BIBO + WORK_CLASSES.get(entry_type, "Document")


# Work fields given as plain literals, in the order they are written.
PLAIN_FIELDS = (
    ("volume", BIBO + "volume"), ("issue", BIBO + "issue"), ("number", BIBO + "number"), ("doi", BIBO + "doi"),
    ("isbn", BIBO + "isbn"), ("language", DCTERMS + "language"), ("series_type", DCTERMS + "type"),
    ("note", SKOS + "editorialNote"), ("confidence", LG + "verification"),
)  # fmt: skip


class GraphBuilder:
    """Mints IRIs under the project's base and yields the triples of each kind of thing."""

    def __init__(self, base_iri: str, evidence_iris: dict[str, str]):
        self.base = base_iri
        self.evidence_iris = evidence_iris
        self._nodes: dict[tuple[str, str], ox.NamedNode] = {}  # a work's node is made once, not per claim on it
        self._people: dict[Person, ox.NamedNode] = {}

    def iri(self, kind: str, local: str) -> ox.NamedNode:
        node = self._nodes.get((kind, local))
        if node is None:
            node = self._nodes[kind, local] = ox.NamedNode(mint(self.base, kind, local))
        return node

    def person_iri(self, person: Person) -> ox.NamedNode:
        node = self._people.get(person)
        if node is None:
            if person.corporate:
                node = self.iri("org", slug(person.family))
            else:
                node = self.iri("person", slug(f"{person.von} {person.family} {person.given} {person.suffix}"))
            self._people[person] = node
        return node

    # -- themes -----------------------------------------------------------------------------------
    def theme_triples(self, themes: dict[str, Theme], title: dict[str, str]) -> Iterator[ox.Triple]:
        scheme = _N(scheme_iri(self.base))
        yield ox.Triple(scheme, TYPE, _N(SKOS + "ConceptScheme"))
        for lang, text in sorted(title.items()):
            yield ox.Triple(scheme, _N(DCTERMS + "title"), _lit(text, lang or None))
        for theme_id in sorted(t.id for t in themes.values() if not t.broader):
            yield ox.Triple(scheme, _N(SKOS + "hasTopConcept"), self.iri("theme", theme_id))
        narrower: dict[str, list[str]] = {}
        for theme in themes.values():
            for parent in theme.broader:
                narrower.setdefault(parent, []).append(theme.id)
        for theme_id in sorted(themes):
            theme, node = themes[theme_id], self.iri("theme", theme_id)
            yield ox.Triple(node, TYPE, _N(SKOS + "Concept"))
            yield ox.Triple(node, _N(SKOS + "inScheme"), scheme)
            yield ox.Triple(node, _N(SKOS + "notation"), _lit(theme_id))
            for lang, label in sorted(theme.labels.items()):
                yield ox.Triple(node, _N(SKOS + "prefLabel"), _lit(label, lang))
            for lang, labels in sorted(theme.alt_labels.items()):
                for label in labels:
                    yield ox.Triple(node, _N(SKOS + "altLabel"), _lit(label, lang or None))
            for lang, text in sorted(theme.definitions.items()):
                yield ox.Triple(node, _N(SKOS + "definition"), _lit(text, lang or None))
            for parent in theme.broader:
                yield ox.Triple(node, _N(SKOS + "broader"), self.iri("theme", parent))
            for child in sorted(narrower.get(theme_id, [])):
                yield ox.Triple(node, _N(SKOS + "narrower"), self.iri("theme", child))
            if not theme.broader:
                yield ox.Triple(node, _N(SKOS + "topConceptOf"), scheme)

    # -- works ------------------------------------------------------------------------------------
    def _people_list(self, work: Work, role: str, people: list[Person]) -> Iterator[ox.Triple]:
        """The rdf:List cells of bibo:authorList / bibo:editorList (the list's head is linked by the caller)."""
        cells = [ox.BlankNode(blank_id(work.key, role, str(i))) for i in range(len(people))]
        for i, (cell, person) in enumerate(zip(cells, people, strict=True)):
            yield ox.Triple(cell, FIRST, self.person_iri(person))
            yield ox.Triple(cell, REST, cells[i + 1] if i + 1 < len(cells) else NIL)

    def work_triples(self, work: Work, cites: list[str]) -> Iterator[ox.Triple]:
        """A work's triples (in an order of their own: graph files are the same bytes from the same inputs)."""
        node = self.iri("work", work.key)
        yield ox.Triple(node, TYPE, _N(work_class(work.entry_type)))
        yield ox.Triple(node, _N(DCTERMS + "identifier"), _lit(work.key))
        if work.title:
            yield ox.Triple(node, _N(DCTERMS + "title"), _lit(work.title))
        if work.untitled_reason:
            yield ox.Triple(node, _N(LG + "untitledReason"), _lit(work.untitled_reason))
        yield ox.Triple(node, _N(DCTERMS + "bibliographicCitation"), _lit(work.reference))
        if work.year is not None:
            yield ox.Triple(node, _N(DCTERMS + "issued"), _lit(f"{work.year:04d}", datatype=XSD + "gYear"))
        if work.undated:
            yield ox.Triple(node, _N(LG + "undated"), _lit("true", datatype=XSD + "boolean"))
        if work.other_year is not None:
            yield ox.Triple(node, _N(LG + "otherYear"), _lit(f"{work.other_year:04d}", datatype=XSD + "gYear"))
        # once per person: two authors known only as "Lauvas" are one node (the author list keeps both)
        for agent in dict.fromkeys(self.person_iri(p) for p in work.authors):
            yield ox.Triple(node, _N(DCTERMS + "creator"), agent)
        for agent in dict.fromkeys(self.person_iri(p) for p in work.editors):
            yield ox.Triple(node, _N(BIBO + "editor"), agent)
        for role, people in (("author", work.authors), ("editor", work.editors)):
            if people:
                yield ox.Triple(node, _N(BIBO + role + "List"), ox.BlankNode(blank_id(work.key, role, "0")))
        if work.more_authors:
            yield ox.Triple(node, _N(LG + "moreAuthors"), _lit("true", datatype=XSD + "boolean"))
        if work.container:
            yield ox.Triple(node, _N(DCTERMS + "isPartOf"), self.iri("container", slug(work.container)))
        if work.publisher:
            yield ox.Triple(node, _N(DCTERMS + "publisher"), self.iri("org", slug(work.publisher)))
        for attribute, predicate in PLAIN_FIELDS:
            value = getattr(work, attribute)
            if value:
                yield ox.Triple(node, _N(predicate), _lit(value))
        if work.pages:
            start, sep, end = _split_pages(work.pages)
            if sep:
                yield ox.Triple(node, _N(BIBO + "pageStart"), _lit(start))
                yield ox.Triple(node, _N(BIBO + "pageEnd"), _lit(end))
            else:
                yield ox.Triple(node, _N(BIBO + "pages"), _lit(work.pages))
        if work.url:
            yield ox.Triple(node, _N(BIBO + "uri"), _lit(work.url, datatype=XSD + "anyURI"))
        if work.provenance:
            yield ox.Triple(node, _N(PROV + "wasDerivedFrom"), _lit(work.provenance, datatype=XSD + "anyURI"))
        if "seedfile" in work.extra:
            yield ox.Triple(node, _N(LG + "sourceFile"), _lit(work.extra["seedfile"]))
        for cited in cites:
            yield ox.Triple(node, _N(CITO + "cites"), self.iri("work", cited))
        for role, people in (("author", work.authors), ("editor", work.editors)):
            if people:
                yield from self._people_list(work, role, people)

    def agents_of(self, work: Work) -> list[Agent]:
        """The people, organisations and containers a work names, in its order: (IRI, class, [(predicate,
        literal)]). Where two works describe one IRI, the last work (by key) describes it."""
        agents: list[Agent] = []
        for person in [*work.authors, *work.editors]:
            iri = self.person_iri(person).value
            if person.corporate:
                agents.append((iri, FOAF + "Organization", [(FOAF + "name", person.family)]))
            else:
                props = [(FOAF + "familyName", person.family)]
                if person.given:
                    props.append((FOAF + "givenName", person.given))
                props.append((FOAF + "name", person.display_name))
                agents.append((iri, FOAF + "Person", props))
        if work.publisher:
            agents.append((self.iri("org", slug(work.publisher)).value, FOAF + "Organization",
                           [(FOAF + "name", work.publisher)]))  # fmt: skip
        if work.container:
            kind = BIBO + ("Journal" if work.entry_type == "article" else "Collection")
            agents.append(
                (self.iri("container", slug(work.container)).value, kind, [(DCTERMS + "title", work.container)])
            )
        return agents

    # -- claims, questions, citations ------------------------------------------------------------
    def claim_triples(self, claim: Claim) -> Iterator[ox.Triple]:
        node = self.iri("claim", claim.id)
        yield ox.Triple(node, TYPE, _N(LG + "Claim"))
        yield ox.Triple(node, _N(DCTERMS + "identifier"), _lit(claim.id))
        for lang, text in sorted(claim.texts.items()):
            yield ox.Triple(node, _N(LG + "statement"), _lit(text, lang))
        if claim.note:
            yield ox.Triple(node, _N(SKOS + "note"), _lit(claim.note))
        yield ox.Triple(node, _N(DCTERMS + "source"), self.iri("work", claim.source))
        if claim.reported_in:
            yield ox.Triple(node, _N(LG + "reportedIn"), self.iri("work", claim.reported_in))
        if claim.locator:
            yield ox.Triple(node, _N(LG + "locator"), _lit(claim.locator))
        for theme in claim.themes:
            yield ox.Triple(node, _N(DCTERMS + "subject"), self.iri("theme", theme))
        if claim.evidence:
            yield ox.Triple(node, _N(LG + "evidence"), _N(self.evidence_iris[claim.evidence]))
        for other in sorted(set(claim.supports)):
            yield ox.Triple(node, _N(LG + "supports"), self.iri("claim", other))
        for other in sorted(set(claim.disputes)):
            yield ox.Triple(node, _N(LG + "disputes"), self.iri("claim", other))
        if claim.question and claim.stance:
            yield ox.Triple(node, _N(LG + "onQuestion"), self.iri("question", claim.question))
            yield ox.Triple(node, _N(LG + "stance"), _N(STANCES[claim.stance]))
        if claim.quote:
            yield from self._quote_triples(node, claim)

    def _quote_triples(self, node: ox.NamedNode, claim: Claim) -> Iterator[ox.Triple]:
        """The quote as the Web Annotation model has it: a part of the work where it was read (its
        oa:SpecificResource), picked out by the exact words (an oa:TextQuoteSelector)."""
        target, selector = ox.BlankNode(blank_id(claim.id, "quote")), ox.BlankNode(blank_id(claim.id, "quote", "0"))
        yield ox.Triple(node, _N(LG + "quote"), target)
        yield ox.Triple(target, TYPE, _N(OA + "SpecificResource"))
        yield ox.Triple(target, _N(OA + "hasSource"), self.iri("work", claim.reported_in or claim.source))
        yield ox.Triple(target, _N(OA + "hasSelector"), selector)
        yield ox.Triple(selector, TYPE, _N(OA + "TextQuoteSelector"))
        yield ox.Triple(selector, _N(OA + "exact"), _lit(claim.quote or ""))

    def question_triples(self, question: Question) -> Iterator[ox.Triple]:
        node = self.iri("question", question.id)
        yield ox.Triple(node, TYPE, _N(LG + "Question"))
        yield ox.Triple(node, _N(DCTERMS + "identifier"), _lit(question.id))
        for lang, text in sorted(question.texts.items()):
            yield ox.Triple(node, _N(LG + "statement"), _lit(text, lang))
        for theme in question.themes:
            yield ox.Triple(node, _N(DCTERMS + "subject"), self.iri("theme", theme))


def _split_pages(pages: str) -> tuple[str, str, str]:
    parts = re.split(r"\s*(--?|–|—)\s*", pages.strip(), maxsplit=1)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and parts[0] and parts[2] else (pages, "", "")


def agent_triples(agents: list[Agent]) -> Iterator[ox.Triple]:
    """People, organisations and containers (each once), in the order given (IRI order)."""
    for iri, kind, props in agents:
        yield ox.Triple(_N(iri), TYPE, _N(kind))
        for predicate, value in props:
            yield ox.Triple(_N(iri), _N(predicate), _lit(value))
