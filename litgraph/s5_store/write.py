"""Stage 5, writing: the local store (.litgraph/store, Oxigraph) made to hold the graphs the build wants.

The store is never changed where queries read it. A build makes its new store beside the old one, as a
snapshot of it (Oxigraph's backup: hard links, instant) in which only the graphs whose digest changed are
replaced, or, the first time, anew by one bulk load; build.py then swaps it in whole, with site/. A build
stopped at any moment leaves the old store as it was.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from litgraph.namespaces import lg
from litgraph.s3_graph.unit_files import unit_path
from litgraph.s3_graph.units import Unit
from litgraph.s4_analyse.analysis import Analysis
from litgraph.s5_store.graphs import Graph, family_of, manifest_iri, wanted_graphs

Progress = Callable[[str], None]
DIGEST, BUILD = ox.NamedNode(lg("digest")), ox.NamedNode(lg("buildId"))


def read_manifest(store: ox.Store, base: str) -> tuple[dict[str, str], str | None]:
    """The graphs a store holds (IRI -> digest) and the build that wrote it."""
    graph = ox.NamedNode(manifest_iri(base))
    digests: dict[str, str] = {}
    build = None
    for quad in store.quads_for_pattern(None, None, None, graph):
        if quad.predicate == DIGEST:
            digests[quad.subject.value] = quad.object.value  # type: ignore[union-attr]
        elif quad.predicate == BUILD:
            build = quad.object.value  # type: ignore[union-attr]
    return digests, build


def _manifest_quads(base: str, graphs: dict[str, str], build: str) -> Iterator[ox.Quad]:
    g = ox.NamedNode(manifest_iri(base))
    yield ox.Quad(g, BUILD, ox.Literal(build), g)
    for iri, digest in sorted(graphs.items()):
        yield ox.Quad(ox.NamedNode(iri), DIGEST, ox.Literal(digest), g)


def _families(analysis: Analysis, everything: bool) -> set[str]:
    if everything:
        return {"rankings", "counts", "groups", "importance"}
    found = set()
    if analysis.rankings:
        found |= {"rankings", "counts"}
    if analysis.groups is not None:
        found.add("groups")
    if analysis.importance:
        found.add("importance")
    return found


class _UnitQuads(io.RawIOBase):
    """The units' N-Triples files read as one N-Quads stream, each line in its unit's graph (Oxigraph's
    N-Triples end every line with " .\\n", and escape line breaks inside literals)."""

    def __init__(self, files: Iterable[tuple[Path, str]]):
        self._files = iter(files)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            nxt = next(self._files, None)
            if nxt is None:
                return 0
            path, iri = nxt
            self._pending = path.read_bytes().replace(b" .\n", f" <{iri}> .\n".encode())
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def make_store(
    db: sqlite3.Connection,
    base: str,
    live: Path | None,
    target: Path,
    units: list[Unit],
    units_folder: Path,
    analysis: Analysis,
    build: str,
    everything: bool,
) -> int:
    """The store the build wants, made at `target` (a new folder): a snapshot of `live` with the graphs
    that changed replaced, or (no `live`, or `everything`) anew. Returns how many graphs were written."""
    if live is not None and not everything:
        old = ox.Store(str(live))
        before, _ = read_manifest(old, base)
        old.backup(str(target))
        del old
        store = ox.Store(str(target))
    else:
        before, store = {}, ox.Store(str(target))
    families = _families(analysis, everything or not before)
    wanted = wanted_graphs(db, base, units, families)
    now = {iri: d for iri, d in before.items() if family_of(base, iri) not in (None, *families) and iri not in wanted}
    now.update({iri: g.digest for iri, g in wanted.items()})
    written = [g for iri, g in wanted.items() if before.get(iri) != g.digest]
    if not before:
        _bulk(store, written, units_folder)
    else:
        for iri in sorted(set(before) - set(now)):
            store.remove_graph(ox.NamedNode(iri))
        for graph in written:
            if graph.iri in before:
                store.remove_graph(ox.NamedNode(graph.iri))
            store.extend(_quads(graph, units_folder))
    store.remove_graph(ox.NamedNode(manifest_iri(base)))
    store.extend(_manifest_quads(base, now, build))
    store.flush()
    store.optimize()
    del store
    return len(written)


def _quads(graph: Graph, units_folder: Path) -> Iterator[ox.Quad]:
    if graph.quads is not None:
        return graph.quads()
    assert graph.unit is not None
    g = ox.NamedNode(graph.iri)
    parsed = ox.parse(path=str(unit_path(units_folder, graph.unit, "nt")), format=ox.RdfFormat.N_TRIPLES)
    return (ox.Quad(q.subject, q.predicate, q.object, g) for q in parsed)


def _bulk(store: ox.Store, graphs: list[Graph], units_folder: Path) -> None:
    """A new store's graphs in one bulk load (each bulk load costs a fixed ~0.3 s): the units' files as they
    are, then the index's quads."""
    files = [(unit_path(units_folder, g.unit, "nt"), g.iri) for g in graphs if g.unit is not None]
    store.bulk_load(io.BufferedReader(_UnitQuads(files), 1 << 20), format=ox.RdfFormat.N_QUADS)
    store.bulk_extend(q for g in graphs if g.quads is not None for q in g.quads())
