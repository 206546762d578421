"""Every namespace and every IRI the project mints, in one place."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import quote, unquote

BIBO = "http://purl.org/ontology/bibo/"
CITO = "http://purl.org/spar/cito/"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
LG = "https://w3id.org/litgraph/vocab#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES: dict[str, str] = {
    "bibo": BIBO,
    "cito": CITO,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "lg": LG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
}

# Path segments under the project's base IRI, one per kind of thing.
KINDS = ("work", "person", "org", "container", "claim", "theme", "question")


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")


def _segment(local: str) -> str:
    return local if _UNRESERVED.fullmatch(local) else quote(local, safe="-._~")


@lru_cache(maxsize=1 << 20)
def mint(base: str, kind: str, local: str) -> str:
    """The IRI of thing `local` (a BibTeX key, claim id, theme id...) of `kind` in a project."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return f"{base}{kind}/{_segment(local)}"


def unmint(base: str, iri: str) -> tuple[str, str] | None:
    """(kind, local) for an IRI minted by `mint` with this base, else None."""
    if not iri.startswith(base):
        return None
    kind, sep, local = iri[len(base) :].partition("/")
    if not sep or kind not in KINDS:
        return None
    return kind, unquote(local)


def scheme_iri(base: str) -> str:
    return f"{base}themes"


@lru_cache(maxsize=1 << 18)
def slug(text: str) -> str:
    """A stable local name for things identified by a name (people, journals, publishers)."""
    from litgraph.suggest import fold

    folded = fold(text).replace(" ", "-")
    if folded and len(folded) <= 80:
        return folded
    return (folded[:60] + "-" if folded else "") + hashlib.sha1(text.encode()).hexdigest()[:10]


def blank_id(*parts: str) -> str:
    """A stable blank-node label (for rdf:List cells), so rebuilds give identical bytes."""
    return "b" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]
