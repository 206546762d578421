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
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from litgraph.namespaces import graph_iri, lg
from litgraph.plumbing.files import remove_tree
from litgraph.s3_graph.unit_files import unit_path
from litgraph.s3_graph.units import Unit
from litgraph.s4_analyse.analysis import Analysis
from litgraph.s5_store.graphs import Part, family_of, manifest_iri, unit_graph_iri, wanted_parts

Progress = Callable[[str], None]
DAMAGED = (OSError, RuntimeError, ValueError)  # what opening or reading a damaged store raises (RocksDB's "Corruption")
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


class _Concatenated(io.RawIOBase):
    """Files read one after the other as one stream (the units' N-Triples: one bulk load for them all)."""

    def __init__(self, files: Iterable[Path]):
        self._files = iter(files)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            nxt = next(self._files, None)
            if nxt is None:
                return 0
            self._pending = nxt.read_bytes()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


REWRITE_SHARE = 0.25  # when the units to replace hold more than this share of the graph, it is loaded anew


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
) -> Made:
    """The store the build wants, made at `target` (a new folder): a snapshot of `live` with the parts
    that changed replaced, or (no `live`, `everything`, or much changed) anew; not yet compacted."""
    before: dict[str, str] = {}
    out: list[Path] = []
    if live is not None and not everything:
        try:
            old = ox.Store(str(live))
            before = read_manifest(old, base)[0]
            planned = _units_out(before, base, units, units_folder)
            if planned is not None:
                old.backup(str(target))
                out = planned
            else:
                before = {}
            del old
        except DAMAGED:  # a damaged live store: this one is made anew (the damaged one goes with the swap)
            before, out = {}, []
            remove_tree(target)
    store = ox.Store(str(target))
    families = _families(analysis, everything or not before)
    wanted = wanted_parts(db, base, units, families)
    now = {iri: d for iri, d in before.items() if family_of(base, iri) not in (None, *families) and iri not in wanted}
    now.update({iri: g.digest for iri, g in wanted.items()})
    written = [g for iri, g in wanted.items() if before.get(iri) != g.digest]
    if not before:
        _bulk(store, written, units_folder)
    else:
        _update(
            store, out, [iri for iri in before if iri not in now and not _is_unit(base, iri)], written, units_folder
        )
    store.remove_graph(ox.NamedNode(manifest_iri(base)))
    store.extend(_manifest_quads(base, now, build))
    store.flush()
    del store
    return Made(len(written), anew=not before)


@dataclass(frozen=True)
class Made:
    """What make_store did: how many parts it wrote, and whether it made the store anew (then compacting
    it takes seconds at 100k works, best spent beside other work; see `compact`)."""

    written: int
    anew: bool


def compact(path: Path) -> None:
    """Compact a store just written (RocksDB's levels merged): a store fresh from a bulk load answers
    queries about 30% slower until then. Safe to stop at any moment: the store is not yet in use."""
    store = ox.Store(str(path))
    store.optimize()
    del store


def _is_unit(base: str, iri: str) -> bool:
    """Whether a manifest's IRI names a unit (not a graph of the index, nor the manifest)."""
    return (
        iri.startswith(graph_iri(base))
        and not iri.startswith(graph_iri(base, "index") + "/")
        and iri != manifest_iri(base)
    )


def _units_out(before: dict[str, str], base: str, units: list[Unit], folder: Path) -> list[Path] | None:
    """The N-Triples files of the units whose triples are to be taken out of the live store (its units
    that changed or are gone, as it holds them: their files are named by the digest of their inputs), or
    None when the store is to be made anew: it has no manifest, a unit's old file is gone, or the units
    that changed hold much of the graph."""
    if not before:
        return None
    old = {iri: folder / f"{d}.nt" for iri, d in before.items() if _is_unit(base, iri)}
    new = {unit_graph_iri(base, u): unit_path(folder, u, "nt") for u in units}
    out = [path for iri, path in old.items() if new.get(iri) != path]
    into = [path for iri, path in new.items() if old.get(iri) != path]
    if not all(path.is_file() for path in out):
        return None
    size = lambda paths: sum(p.stat().st_size for p in paths)  # noqa: E731
    return out if size(out) + size(into) <= REWRITE_SHARE * max(size(new.values()), 1) else None


def _update(store: ox.Store, units_out: list[Path], graphs_out: list[str], written: list[Part], folder: Path) -> None:
    """The snapshot's changed parts replaced: the old triples of the units that changed taken out (all of
    them first), then their new ones put in; the index graphs that changed replaced, those gone removed."""
    for path in units_out:
        for quad in _triples(path):
            store.remove(quad)
    for iri in graphs_out:
        store.remove_graph(ox.NamedNode(iri))
    for part in written:
        if part.unit is not None:
            store.extend(_triples(unit_path(folder, part.unit, "nt")))
        else:
            store.remove_graph(ox.NamedNode(part.iri))
            store.extend(part.quads())  # type: ignore[misc]


def _triples(source: Path | IO[bytes]) -> Iterator[ox.Quad]:
    """N-Triples read as quads of the default graph, their blank nodes named as written (Store.load and
    bulk_load name them anew, and a unit's triples could then not be taken out again)."""
    if isinstance(source, Path):
        return ox.parse(path=str(source), format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]
    return ox.parse(source, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]


def _bulk(store: ox.Store, parts: list[Part], units_folder: Path) -> None:
    """A new store's parts in two bulk loads (each costs a fixed ~0.3 s): the units' files as they are, into
    the default graph, then the index's quads."""
    files = [unit_path(units_folder, g.unit, "nt") for g in parts if g.unit is not None]
    store.bulk_extend(_triples(io.BufferedReader(_Concatenated(files), 1 << 20)))
    store.bulk_extend(q for g in parts if g.quads is not None for q in g.quads())
