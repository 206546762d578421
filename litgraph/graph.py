"""Build the RDF graph of a project from its loaded data, in a fixed order (identical bytes on rebuild).

Triples are pyoxigraph terms: building and serialising millions of them stays fast, and the same
triples load into the local store and, through rdflib, into pyshacl.
"""

from __future__ import annotations

import itertools
import pickle
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TypeVar

import pyoxigraph as ox

from litgraph.model import Claim, Dataset, Person, Question, Theme, Work
from litgraph.namespaces import BIBO, CITO, DCTERMS, FOAF, LG, PROV, RDF, SKOS, XSD, blank_id, mint, scheme_iri, slug

T = TypeVar("T", Work, Claim)
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
STANCES = {"for": LG + "for", "against": LG + "against", "qualifies": LG + "qualifies"}

_N = lru_cache(maxsize=1024)(ox.NamedNode)  # vocabulary terms: built once, reused for every triple
TYPE = _N(RDF + "type")
FIRST, REST, NIL = _N(RDF + "first"), _N(RDF + "rest"), _N(RDF + "nil")


def _lit(value: str, lang: str | None = None, datatype: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=_N(datatype)) if datatype else ox.Literal(value)


def work_class(entry_type: str) -> str:
    return BIBO + WORK_CLASSES.get(entry_type, "Document")


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
        simple = [
            ("volume", BIBO + "volume"),
            ("issue", BIBO + "issue"),
            ("number", BIBO + "number"),
            ("doi", BIBO + "doi"),
            ("isbn", BIBO + "isbn"),
            ("language", DCTERMS + "language"),
            ("series_type", DCTERMS + "type"),
            ("note", SKOS + "editorialNote"),
            ("confidence", LG + "verification"),
        ]
        for attribute, predicate in simple:
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

    def agent_triples(self, works: list[Work]) -> Iterator[ox.Triple]:
        """People, organisations and containers, each once, in IRI order."""
        agents: dict[str, tuple[str, list[tuple[str, str | ox.Literal]]]] = {}
        for work in works:
            for person in [*work.authors, *work.editors]:
                iri = self.person_iri(person).value
                if person.corporate:
                    agents[iri] = (FOAF + "Organization", [(FOAF + "name", _lit(person.family))])
                else:
                    props: list[tuple[str, str | ox.Literal]] = [(FOAF + "familyName", _lit(person.family))]
                    if person.given:
                        props.append((FOAF + "givenName", _lit(person.given)))
                    props.append((FOAF + "name", _lit(person.display_name)))
                    agents[iri] = (FOAF + "Person", props)
            if work.publisher:
                agents[self.iri("org", slug(work.publisher)).value] = (
                    FOAF + "Organization",
                    [(FOAF + "name", _lit(work.publisher))],
                )
            if work.container:
                kind = BIBO + ("Journal" if work.entry_type == "article" else "Collection")
                agents[self.iri("container", slug(work.container)).value] = (
                    kind,
                    [(DCTERMS + "title", _lit(work.container))],
                )
        for iri in sorted(agents):
            kind, props = agents[iri]
            yield ox.Triple(_N(iri), TYPE, _N(kind))
            for predicate, value in props:
                yield ox.Triple(_N(iri), _N(predicate), value if isinstance(value, ox.Literal) else _N(value))

    # -- claims, questions, citations ------------------------------------------------------------
    def claim_triples(self, claim: Claim) -> Iterator[ox.Triple]:
        node = self.iri("claim", claim.id)
        yield ox.Triple(node, TYPE, _N(LG + "Claim"))
        yield ox.Triple(node, _N(DCTERMS + "identifier"), _lit(claim.id))
        for lang, text in sorted((claim.texts or {claim.lang: claim.text}).items()):
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


def citation_pairs(data: Dataset) -> list[tuple[str, str]]:
    """Every (citing, cited) pair of the project, once each, sorted: from citation files, and from claims (a
    claim read in one work about another means the first cites the second). Worked out once when the
    inputs are loaded: the graph, the store's views and the site all need them."""
    if data.pairs is not None:
        return data.pairs
    pairs = {(c.citing, c.cited) for c in data.citations}
    pairs.update((c.reported_in, c.source) for c in data.claims.values() if c.reported_in and c.reported_in != c.source)
    return sorted(pairs)


WORKS_UNIT = "works "  # the name of a .bib file's units: this, then the file's path and the first key


@dataclass
class Unit:
    """A part of the graph, made from one input file or one kind of thing: `inputs` pickles everything its
    triples are made from (under the same base IRI and evidence types), `make` builds them.
    `every_work`: made from all works, so the works units stand for its inputs.

    What a unit points at must have the class the shapes ask for. Inputs are checked before the graph is
    built, so what a claim names exists; themes, questions and claims always have the same class, and the
    evidence types' classes are the vocabulary's; a work's class follows its entry type, so a claims
    unit's inputs include the classes of the works its claims name."""

    name: str
    inputs: Callable[[], bytes]
    make: Callable[[], Iterator[ox.Triple]]
    every_work: bool = False
    # a works unit's citations: inputs of its own triples that no every_work unit is made from (the people
    # and containers stay when a citation comes or goes, and a quick build patches the unit alone)
    links: Callable[[], bytes] | None = None


def _pickled(*values: object) -> bytes:
    return pickle.dumps(values, protocol=5)


def _by_file(things: dict[str, T]) -> dict[str, list[T]]:
    """Works or claims grouped by the file they come from, each group in key order; files in path order."""
    groups: dict[str, list[T]] = {}
    for key in sorted(things):
        groups.setdefault(str(things[key].path), []).append(things[key])
    return dict(sorted(groups.items()))


def graph_units(data: Dataset, base_iri: str, evidence_iris: dict[str, str]) -> list[Unit]:
    """The project's graph as units, in output order: the theme scheme and vocabulary, each .bib file's works
    (by key), the people, organisations and containers, the questions, each claims file's claims (by id)."""
    builder = GraphBuilder(base_iri, evidence_iris)
    vocabulary = sorted(data.vocabulary, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    units = [
        Unit(
            "ontology",
            lambda: _pickled(data.themes, data.scheme_title, [str(t) for t in vocabulary]),
            lambda: itertools.chain(builder.theme_triples(data.themes, data.scheme_title), vocabulary),
        )
    ]
    cites: dict[str, list[str]] = {}
    for citing, cited in citation_pairs(data):
        cites.setdefault(citing, []).append(cited)
    for name, file_works in _by_file(data.works).items():
        for works in work_parts(file_works):
            units.append(
                Unit(
                    works_unit(name, works),
                    partial(_pickled, works),
                    partial(lambda ws: (t for w in ws for t in builder.work_triples(w, cites.get(w.key, []))), works),
                    links=partial(lambda ws: works_links([cites.get(w.key, []) for w in ws]), works),
                )
            )
    every_work = [data.works[k] for k in sorted(data.works)]
    units.append(Unit("agents", lambda: b"", lambda: builder.agent_triples(every_work), every_work=True))
    questions = [data.questions[q] for q in sorted(data.questions)]
    units.append(
        Unit(
            "questions",
            lambda: _pickled(questions),
            lambda: (t for q in questions for t in builder.question_triples(q)),
        )
    )

    entry_types = {k: w.entry_type for k, w in data.works.items()}
    for name, claims in _by_file(data.claims).items():
        for part in claim_parts(claims):
            units.append(
                Unit(
                    claims_unit(name, part),
                    partial(claims_inputs, part, entry_types),
                    partial(lambda cs: (t for c in cs for t in builder.claim_triples(c)), part),
                )
            )
    return units


def claims_inputs(claims: list[Claim], entry_types: dict[str, str]) -> bytes:
    """What claim_triples reads of each claim (not where it stands in its file), and the entry types of the
    works the claims name."""
    fields = [
        (c.id, c.source, c.text, c.lang, c.texts, c.note, c.themes, c.reported_in, c.locator, c.evidence)
        for c in claims
    ]
    links = [(c.supports, c.disputes, c.question, c.stance) for c in claims]
    named = sorted({k for c in claims for k in (c.source, c.reported_in) if k is not None and k in entry_types})
    return _pickled(fields, links, [entry_types[k] for k in named])


def works_links(cites: list[list[str]]) -> bytes:
    """A works unit's `links`: what each of its works cites (keys, sorted), in the unit's order."""
    return _pickled(cites)


WORKS_PER_UNIT = 256  # on average: a citation that comes or goes rebuilds a unit of about this many works


def work_parts(works: list[Work]) -> list[list[Work]]:
    """A .bib file's works (in key order) in units, cut as claim_parts cuts claims."""
    return _parts(works, [w.key for w in works], WORKS_PER_UNIT)


def works_unit(path: str, part: list[Work]) -> str:
    """The name of the unit of a .bib file that holds `part` (named after its first work)."""
    return f"{WORKS_UNIT}{path} {part[0].key}"


CLAIMS_PER_UNIT = 256  # on average: an edit to one claim rebuilds a unit of about this many


def claim_parts(claims: list[Claim]) -> list[list[Claim]]:
    """A file's claims (in id order) in units: a unit ends after a claim whose id hashes to a multiple of
    CLAIMS_PER_UNIT, so adding or removing a claim changes only the unit it is in."""
    return _parts(claims, [c.id for c in claims], CLAIMS_PER_UNIT)


def _parts(things: list[T], keys: list[str], spacing: int) -> list[list[T]]:
    """`things` cut after each one whose key hashes to a multiple of `spacing`: content-defined cuts."""
    parts: list[list[T]] = [[]]
    for thing, key in zip(things, keys, strict=True):
        parts[-1].append(thing)
        if zlib.crc32(key.encode("utf-8")) % spacing == 0:
            parts.append([])
    return [p for p in parts if p]


def claims_unit(path: str, part: list[Claim]) -> str:
    """The name of the unit of a claims file that holds `part` (named after its first claim)."""
    return f"claims {path} {part[0].id}"


def build_triples(data: Dataset, base_iri: str, evidence_iris: dict[str, str]) -> list[ox.Triple]:
    """Every triple of the project, grouped by subject, unit after unit (see graph_units): an order that
    depends only on the inputs."""
    return [t for unit in graph_units(data, base_iri, evidence_iris) for t in unit.make()]
