"""A project's graph on a SPARQL server, read as the local store is read (s5_store.read.StoreReader).

On the server each unit of the graph and each piece of the index is a named graph (`litgraph push`). The
reader asks for quads by pattern; here each pattern becomes one SELECT over `GRAPH ?g { ?s ?p ?o }`, its
terms bound by a VALUES block (made of the terms themselves, never of text a user typed), so the answers
do not depend on how the server is set up (with or without a union default graph). The local store's
default graph — the graph itself — is the union of the unit graphs: the graphs under the project's
`{base}graph/`, less the index and the manifest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox

from litgraph.namespaces import PREFIXES, graph_iri
from litgraph.s5_store.graphs import manifest_iri
from litgraph.s5_store.remote import Server, ServerError
from litgraph.s5_store.sparql import QueryError, QueryResult, _code

_ANY = "SELECT ?s ?p ?o ?g WHERE { VALUES (?s ?p ?o ?g) { %s } GRAPH ?g { ?s ?p ?o } }"
_UNITS = (
    "SELECT ?s ?p ?o ?g WHERE { VALUES (?s ?p ?o) { %s } VALUES (?units ?index ?manifest) { %s } "
    "GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?units) && !STRSTARTS(STR(?g), ?index) && ?g != ?manifest) }"
)
GRAPHS = "SELECT ?g WHERE { GRAPH ?g { } }"
BATCH = 200  # look-ups per query (one VALUES row each)


def _bound(term: object) -> str:
    """A term as a VALUES entry (UNDEF where the pattern leaves it open)."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return "UNDEF"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    raise ValueError(f"a look-up on the server cannot bind {type(term).__name__}")


class RemoteStore:
    """What StoreReader asks of a store (quads by pattern), answered by a SPARQL server."""

    def __init__(self, server: Server, base: str):
        self.server, self.base = server, base
        self._seen: dict[tuple[str, ...], list[ox.Quad]] = {}
        self._scope = " ".join(
            (str(ox.Literal(graph_iri(base))), str(ox.Literal(graph_iri(base, "index") + "/")),
             str(ox.NamedNode(manifest_iri(base))))
        )  # fmt: skip

    def quads_for_pattern(self, s: object, p: object, o: object, g: object = None) -> Iterator[ox.Quad]:
        """The quads matching the pattern; `g` a graph, None for any, DefaultGraph for the units' union."""
        key = tuple(_bound(t) for t in (s, p, o)) + (("DEFAULT",) if isinstance(g, ox.DefaultGraph) else (_bound(g),))
        if key not in self._seen:
            if isinstance(g, ox.DefaultGraph):
                query = _UNITS % (f"({' '.join(key[:3])})", f"({self._scope})")
            else:
                query = _ANY % f"({' '.join(key)})"
            default = isinstance(g, ox.DefaultGraph)
            self._seen[key] = [
                ox.Quad(r["s"], r["p"], r["o"], ox.DefaultGraph() if default else r["g"])  # type: ignore[arg-type]
                for r in self.server.select(query)
            ]
        return iter(self._seen[key])

    def prefetch(self, patterns: list[tuple[object, object, object]], g: object = None) -> None:
        """The answers to many look-ups of one shape (the same places bound) in a few queries, kept for
        `quads_for_pattern` to return; `g` None (any graph) or DefaultGraph (the units' union)."""
        default = isinstance(g, ox.DefaultGraph)
        tail = ("DEFAULT",) if default else ("UNDEF",)
        wanted = list(
            dict.fromkeys(k for k in (tuple(_bound(t) for t in p) + tail for p in patterns) if k not in self._seen)
        )
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            bound = [i for i in range(3) if batch[0][i] != "UNDEF"]
            for key in batch:
                self._seen[key] = []
            rows = " ".join(f"({' '.join(k[:3])})" if default else f"({' '.join(k[:3])} UNDEF)" for k in batch)
            query = _UNITS % (rows, f"({self._scope})") if default else _ANY % rows
            for r in self.server.select(query):
                terms = (r["s"], r["p"], r["o"])
                key = tuple(str(terms[i]) if i in bound else "UNDEF" for i in range(3)) + tail
                if key in self._seen:
                    self._seen[key].append(ox.Quad(*terms, ox.DefaultGraph() if default else r["g"]))  # type: ignore[arg-type, misc]

    def graphs(self) -> list[str]:
        """The IRIs of the server's named graphs that are the project's (under `{base}graph/`)."""
        prefix = graph_iri(self.base)
        return sorted(g for r in self.server.select(GRAPHS) if (g := r["g"].value).startswith(prefix))


def remote_query(server: Server, units: list[str], sparql: str, rows: int, seconds: float | None = None) -> QueryResult:
    """A user's read-only query on the server, over the union of the unit graphs (as the protocol's
    `default-graph-uri`s; no named graph is visible), as `run_query` answers it on the local store."""
    try:  # on an empty store: the syntax checked (and an update refused) as the local store would
        parsed = ox.Store().query(sparql, prefixes=dict(PREFIXES))
    except SyntaxError as exc:
        raise QueryError(f"the query is not valid SPARQL 1.1 (updates are not run): {exc}") from None
    own = {m.group(1) for m in re.finditer(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", _code(sparql), re.IGNORECASE)}
    text = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in own) + sparql
    if isinstance(parsed, ox.QuerySolutions | bool | ox.QueryBoolean):
        document = server.results(text, units, seconds)
        if "boolean" in document:
            return QueryResult("ask", boolean=bool(document["boolean"]))
        names = list(document["head"]["vars"])
        found = [{n: r[n]["value"] if n in r else None for n in names} for r in document["results"]["bindings"]]
        return QueryResult("select", variables=names, rows=found[:rows], truncated=len(found) > rows)
    try:
        triples = list(ox.parse(server.construct(text, units, seconds), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        raise ServerError(
            f"the answer of the SPARQL server at {server.url} is not whole N-Triples (cut short?)"
        ) from None
    shown = [[str(t.subject), str(t.predicate), str(t.object)] for t in triples]
    return QueryResult("graph", triples=shown[:rows], truncated=len(shown) > rows)
