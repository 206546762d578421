"""Every namespace, IRI and file name the project mints, in one place.

IRIs of things are the project's base IRI plus the kind of thing and its key, id or name; the store names
each graph unit, and keeps each piece of its index in a named graph of its own, under the base IRI too.
The predicates of the store's index are terms of the vocabulary (ontology/litgraph.ttl declares them).
"""

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
OA = "http://www.w3.org/ns/oa#"  # W3C Web Annotation: a claim's quote is a oa:TextQuoteSelector
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES: dict[str, str] = {
    "bibo": BIBO, "cito": CITO, "dcterms": DCTERMS, "foaf": FOAF, "lg": LG, "oa": OA, "owl": OWL, "prov": PROV,
    "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "xsd": XSD,
}  # fmt: skip

# Path segments under the project's base IRI, one per kind of thing.
KINDS = ("work", "person", "org", "container", "claim", "theme", "question")

# The store's index: predicates (declared in ontology/litgraph.ttl) and the named graphs that hold it.
INDEX_TERMS = (
    "row", "claimRecord", "bibtex", "ranking", "claimCount", "claimCountWithNarrower", "workCountWithNarrower",
    "group", "groupRanking", "groupRanks", "importance", "digest", "buildId",
)  # fmt: skip

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


def nanopub_iri(base: str, claim_id: str) -> str:
    """The nanopublication of a claim (export --format nanopub); its graphs are claim_graph_iri's."""
    return f"{base}np/{_segment(claim_id)}"


def claim_graph_iri(base: str, claim_id: str, part: str) -> str:
    """A graph of a claim's nanopublication (head, assertion, provenance, pubinfo)."""
    return f"{nanopub_iri(base, claim_id)}#{part}"


def annotation_iri(base: str, claim_id: str) -> str:
    """A claim's Web Annotation (export --format annotations)."""
    return f"{base}annotation/{_segment(claim_id)}"


def scheme_iri(base: str) -> str:
    return f"{base}themes"


def graph_iri(base: str, *parts: str) -> str:
    """The named graph of a graph unit or a piece of the index: `{base}graph/` and the parts, each escaped
    (a unit named after a file and a key: graph_iri(base, "claims", "claims/seed001.yaml", "akerblom2020"))."""
    return f"{base}graph/" + "/".join(quote(part, safe="-._~") for part in parts)


def lg(term: str) -> str:
    """A term of the litgraph vocabulary."""
    return LG + term


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


# --- file names ----------------------------------------------------------------------------------------

NAME_BYTES = 255  # the longest file name most file systems take


def escaped(key: str) -> str:
    """A key with every byte but [A-Za-z0-9._-~] percent-encoded: in a link's fragment (`#work=KEY`) and in
    the names of files written beside the inputs (citations/extracted-KEY.yaml). Pages are named by
    `page`."""
    return quote(key, safe="")


_PLAIN = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_PLAIN_MAX = 100  # a plain key longer than this is shortened (and marked) as any other
_DEVICES = {"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))}  # (Windows)
PAGE_FOLDERS = {"work": "works", "theme": "themes"}


@lru_cache(maxsize=1 << 20)
def page_stem(key: str) -> str:
    """A key as the stem of a file name that every file system and web server takes as it is, and that is a
    link as it is: the key itself where it is plain (lower-case ASCII letters, digits, `_`, `-`, and `.`
    between them); any other key (with `@`, `:`, `+`, `/`, a capital, a letter outside ASCII...) as its
    ASCII fold, `~` and 12 hex digits of its SHA-256. No plain key holds `~`, so two keys never share a
    stem, also where a file system takes `Smith2020` and `smith2020` for one name."""
    stem = key.split(".", 1)[0].lower()
    if _PLAIN.fullmatch(key) and len(key) <= _PLAIN_MAX and stem not in _DEVICES:
        return key
    from litgraph.suggest import fold

    readable = re.sub(r"[^a-z0-9]+", "-", fold(key)).strip("-")[:60].rstrip("-")
    return f"{readable}~{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}"


def page(kind: str, key: str) -> str:
    """The page of a work or theme: its path under site/, which is also its link from the site's root (its
    characters need no escaping in a URL: `quote(page(k, key)) == page(k, key)`). Every file name and link
    of a page is made here (site, work pages, listings, the map's data)."""
    return f"{PAGE_FOLDERS[kind]}/{page_stem(key)}.html"


def key_refusal(key: str) -> str | None:
    """Why a BibTeX key (or an id) cannot be used, or None: it must be printable, hold no white space and
    no path separator, and give a file name of at most NAME_BYTES bytes."""
    if not key or key in (".", ".."):
        return "is not a usable key"
    if any(c.isspace() or not c.isprintable() for c in key):
        return "holds white space or a control character"
    if "/" in key or "\\" in key:
        return "holds a path separator ('/' or '\\'), which no file name can carry"
    if len(escaped(key)) + 5 > NAME_BYTES:
        return f"is too long: escaped for a file name it would exceed {NAME_BYTES} bytes"
    return None
