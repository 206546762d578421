"""What the store holds, in parts, each with the digest of what it is made from.

The graph itself (what graph.ttl holds) is in the default graph, each unit's triples as its N-Triples file
has them (no triple is in two units: each is about a unit's own members). Beside it, in named graphs, the
store's index, which the queries read instead of working things out on every call: per unit, the rows of
its works and claims and its works' BibTeX entries (`index/...`);
per theme its ranking; the themes' counts; the contested groups and their ranking; the works' importance.
A manifest graph lists every part with its digest (a unit's: the digest of its inputs, which names its
files), so that an update replaces only the parts whose digest changed, and a query knows which build the
store holds.
"""

from __future__ import annotations

import functools
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import orjson
import pyoxigraph as ox

from litgraph.namespaces import graph_iri, lg, mint
from litgraph.plumbing.statedb import rows_in
from litgraph.s1_read.tables import Tables, digest
from litgraph.s3_graph.units import Unit
from litgraph.version import __version__

INDEX_FORMAT = "2"  # bump when what an index graph holds changes
GROUP_SHARDS = 64
COUNTS = "claims, claims_with_narrower, works_with_narrower"  # (lg:claimCount, lg:claimCountWithNarrower, lg:workCountWithNarrower)
IMPORTANCE_CHUNKS = 64
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@dataclass(frozen=True)
class Part:
    """A part of the store: a unit (its triples in the default graph, from its N-Triples file) or a named
    graph of the index (`quads` makes them); its IRI, and the digest of what it is made from."""

    iri: str
    digest: str
    quads: Callable[[], Iterator[ox.Quad]] | None = None
    unit: Unit | None = None


@functools.lru_cache(maxsize=1 << 14)
def unit_graph_iri(base: str, unit: Unit, index: bool = False) -> str:
    """A unit's named graph, or its index graph (asked for every unit on every build: kept once made)."""
    parts = [unit.kind, *unit.file.split("/"), unit.members[0]] if unit.members else [unit.kind]
    return graph_iri(base, "index", *parts) if index else graph_iri(base, *parts)


def manifest_iri(base: str) -> str:
    return graph_iri(base, "manifest")


def group_node(base: str, key: str) -> str:
    return graph_iri(base, "index", "group", key)


def importance_chunk(base: str, key: str) -> str:
    """The node of the importance chunk that holds the work `key`."""
    return _importance_chunk(base, zlib.crc32(key.encode("utf-8")) % IMPORTANCE_CHUNKS)


@functools.lru_cache(maxsize=IMPORTANCE_CHUNKS)
def _importance_chunk(base: str, number: int) -> str:
    return graph_iri(base, "index", "importance", str(number))


def _salt(*parts: object) -> str:
    return digest(orjson.dumps([INDEX_FORMAT, __version__, *parts]))


class Index:
    """The index graphs' quads, made from the state's tables."""

    def __init__(self, db: sqlite3.Connection, base: str):
        self.db, self.base = db, base
        self.tables = Tables(db)

    def unit_quads(self, unit: Unit, iri: str) -> Iterator[ox.Quad]:
        g = _n(iri)
        if unit.kind == "works":
            rows = dict(rows_in(self.db, "SELECT key, body FROM work_rows WHERE key IN {in}", list(unit.members)))
            for key, work in self.tables.works(unit.members).items():
                node = _n(mint(self.base, "work", key))
                yield ox.Quad(node, _n(lg("row")), ox.Literal(rows[key]), g)
                if work.raw:
                    yield ox.Quad(node, _n(lg("bibtex")), ox.Literal(work.raw), g)
        elif unit.kind == "claims":
            for claim_id, body in sorted(
                rows_in(self.db, "SELECT id, body FROM claims WHERE id IN {in}", list(unit.members))
            ):
                yield ox.Quad(_n(mint(self.base, "claim", claim_id)), _n(lg("claimRecord")), ox.Literal(body), g)

    def ranking_quads(self, theme: str, lines: str, iri: str) -> Iterator[ox.Quad]:
        yield ox.Quad(_n(mint(self.base, "theme", theme)), _n(lg("ranking")), ox.Literal(lines), _n(iri))

    def counts_quads(self, iri: str) -> Iterator[ox.Quad]:
        names = ("claimCount", "claimCountWithNarrower", "workCountWithNarrower")
        for theme, *counts in self.db.execute(f"SELECT theme, {COUNTS} FROM theme_counts ORDER BY theme"):
            node = _n(mint(self.base, "theme", theme))
            for name, value in zip(names, counts, strict=True):
                yield ox.Quad(node, _n(lg(name)), ox.Literal(str(value), datatype=XSD_INTEGER), _n(iri))

    def group_quads(self, keys: list[str], iri: str) -> Iterator[ox.Quad]:
        for key, body in rows_in(self.db, "SELECT key, body FROM groups WHERE key IN {in}", keys):
            yield ox.Quad(_n(group_node(self.base, key)), _n(lg("group")), ox.Literal(body), _n(iri))

    def contested_quads(self, iri: str) -> Iterator[ox.Quad]:
        """The groups' ranking (keys, most sources first) and, per theme, the ranks of the groups on it."""
        ranked = self.db.execute("SELECT key, body FROM groups ORDER BY rank").fetchall()
        yield ox.Quad(
            _n(iri), _n(lg("groupRanking")), ox.Literal(orjson.dumps([k for k, _ in ranked]).decode()), _n(iri)
        )
        ranks: dict[str, list[int]] = {}
        for rank, (_, body) in enumerate(ranked):
            for theme in orjson.loads(body)["themes"]:
                ranks.setdefault(theme, []).append(rank)
        for theme, numbers in sorted(ranks.items()):
            yield ox.Quad(
                _n(mint(self.base, "theme", theme)),
                _n(lg("groupRanks")),
                ox.Literal(orjson.dumps(numbers).decode()),
                _n(iri),
            )

    def importance_quads(self, chunk: str, lines: str) -> Iterator[ox.Quad]:
        yield ox.Quad(_n(chunk), _n(lg("importance")), ox.Literal(lines), _n(chunk))


def _shard(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % GROUP_SHARDS


def wanted_parts(db: sqlite3.Connection, base: str, units: list[Unit], families: set[str]) -> dict[str, Part]:
    """The parts the store should hold, by IRI: every unit, its index graph, and the graphs of the index
    `families` named ("rankings", "counts", "groups", "importance"); the other families' graphs are as the
    store has them."""
    index = Index(db, base)
    found: dict[str, Part] = {}
    for unit in units:
        found[unit_graph_iri(base, unit)] = Part(unit_graph_iri(base, unit), unit.inputs, unit=unit)
        if unit.kind in ("works", "claims"):
            iri = unit_graph_iri(base, unit, index=True)
            found[iri] = Part(iri, _salt("rows", unit.inputs),
                               lambda u=unit, i=iri: index.unit_quads(u, i))  # type: ignore[misc]  # fmt: skip
    if "rankings" in families:
        for theme, lines, d in db.execute("SELECT theme, body, digest FROM rankings ORDER BY theme"):
            iri = graph_iri(base, "index", "ranking", theme)
            found[iri] = Part(iri, _salt("ranking", d), lambda t=theme, b=lines, i=iri: index.ranking_quads(t, b, i))  # type: ignore[misc]
    if "counts" in families:
        iri = graph_iri(base, "index", "counts")
        found[iri] = Part(iri, _salt("counts", db.execute(f"SELECT theme, {COUNTS} FROM theme_counts ORDER BY 1").fetchall()),
                           lambda i=iri: index.counts_quads(i))  # type: ignore[misc]  # fmt: skip
    if "groups" in families:
        shards: dict[int, list[tuple[str, str]]] = {}
        for key, d in db.execute("SELECT key, digest FROM groups ORDER BY key"):
            shards.setdefault(_shard(key), []).append((key, d))
        for number, entries in sorted(shards.items()):
            iri = graph_iri(base, "index", "groups", str(number))
            keys = [k for k, _ in entries]
            found[iri] = Part(iri, _salt("groups", entries), lambda k=keys, i=iri: index.group_quads(k, i))  # type: ignore[misc]
        iri = graph_iri(base, "index", "contested")
        ranked = db.execute("SELECT key, digest FROM groups ORDER BY rank").fetchall()
        found[iri] = Part(iri, _salt("contested", ranked), lambda i=iri: index.contested_quads(i))  # type: ignore[misc]
    if "importance" in families:
        chunks: dict[str, list[str]] = {}
        for key, value in db.execute("SELECT key, value FROM importance ORDER BY key"):
            chunks.setdefault(importance_chunk(base, key), []).append(f"{key}\t{value}")
        for iri, lines in sorted(chunks.items()):
            text = "\n".join(lines)
            found[iri] = Part(iri, _salt("importance", text), lambda i=iri, b=text: index.importance_quads(i, b))  # type: ignore[misc]
    return found


FAMILIES = {
    "rankings": "ranking/",
    "counts": "counts",
    "groups": "groups/",
    "contested": "contested",
    "importance": "importance/",
}


def family_of(base: str, iri: str) -> str | None:
    """Which index family a graph IRI belongs to ("groups" for the contested ranking too), or None."""
    prefix = graph_iri(base, "index") + "/"
    if not iri.startswith(prefix):
        return None
    rest = iri[len(prefix) :]
    for family, start in FAMILIES.items():
        if rest.startswith(start):
            return "groups" if family == "contested" else family
    return None
