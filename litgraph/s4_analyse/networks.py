"""Networks of the project's works, and their clusters: direct citation, co-citation (two works cited by
the same work) and bibliographic coupling (two works citing the same work), each edge with what is behind
it (the claims giving a citation, the works citing both, the references shared).

Clusters are Leiden communities (igraph's `community_leiden`, modularity, edge weights), with igraph's random
numbers drawn from a generator seeded with SEED on each run and the works in key order: the same network
gives the same clusters however it was arrived at. They are numbered by size (1: the largest; ties: by the
first key). They are worked out when asked for (an export, clusters_of), never in a build: at 100,000 works
Leiden on the citation network takes seconds, which every rebuild that moves a citation would pay.

Co-citation and coupling grow with the square of a work's references (or citers): a work with more than
MAX_LIST of them takes part with its first MAX_LIST (in key order), and the network says so.
"""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from litgraph.s1_read.tables import Tables

SEED = 20250101
LEIDEN_ITERATIONS = 2  # (igraph's default; -1, "until stable", never returns on a graph of no edges in igraph 0.11)
MAX_LIST = 500
NETWORKS = ("citations", "cocitation", "coupling")
TABLES: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    """source -> target (citations: citing -> cited; otherwise the smaller key first), its weight (how many
    works cite both, or references shared; 1 for a citation) and what is behind it: the claims that give a
    citation (none: a citation file gives it) and, for co-citation and coupling, the works behind the link."""

    source: str
    target: str
    weight: int
    works: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()


@dataclass
class Network:
    name: str  # citations | cocitation | coupling
    directed: bool
    nodes: list[str]
    edges: list[Edge]
    bounded: list[str] = field(default_factory=list)  # works whose list was cut at MAX_LIST


def claims_behind(db: sqlite3.Connection) -> dict[tuple[str, str], list[str]]:
    """(citing, cited) -> the claims read in the citing work that are findings of the cited one."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    query = (
        "SELECT reported_in, source, id FROM claims WHERE reported_in IS NOT NULL AND reported_in != source ORDER BY id"
    )
    for citing, cited, claim_id in db.execute(query):
        found[(citing, cited)].append(claim_id)
    return found


def citation_network(pairs: list[tuple[str, str]], behind: dict[tuple[str, str], list[str]]) -> Network:
    edges = [Edge(a, b, 1, (), tuple(behind.get((a, b), ()))) for a, b in sorted(pairs)]
    return Network("citations", True, sorted({k for pair in pairs for k in pair}), edges)


def _pairs_through(lists: dict[str, list[str]], name: str, behind: dict[tuple[str, str], list[str]],
                   citing_side: bool) -> Network:  # fmt: skip
    """Links between the members of each list (a work's references, or a work's citers), weighted by how
    many lists hold both: `citing_side`: the lists are references (co-citation), the link through the citing
    work; else citers (coupling), through the work cited."""
    through: dict[tuple[str, str], list[str]] = defaultdict(list)
    bounded = []
    for owner in sorted(lists):
        members = sorted(set(lists[owner]))
        if len(members) > MAX_LIST:
            bounded.append(owner)
            members = members[:MAX_LIST]
        for a, b in combinations(members, 2):
            through[(a, b)].append(owner)
    edges = []
    for (a, b), owners in sorted(through.items()):
        if citing_side:  # claims read in the citing works about either work
            claims = sorted({c for w in owners for k in (a, b) for c in behind.get((w, k), ())})
        else:  # claims read in either work about the shared references
            claims = sorted({c for w in owners for k in (a, b) for c in behind.get((k, w), ())})
        edges.append(Edge(a, b, len(owners), tuple(owners), tuple(claims)))
    nodes = sorted({k for e in edges for k in (e.source, e.target)})
    return Network(name, False, nodes, edges, bounded)


def network(db: sqlite3.Connection, name: str) -> Network:
    """One of NETWORKS, from the state's tables."""
    pairs = Tables(db).citation_pairs()
    behind = claims_behind(db)
    if name == "citations":
        return citation_network(pairs, behind)
    lists: dict[str, list[str]] = defaultdict(list)
    for citing, cited in pairs:
        if name == "cocitation":
            lists[citing].append(cited)
        else:
            lists[cited].append(citing)
    return _pairs_through(lists, name, behind, citing_side=name == "cocitation")


def leiden_clusters(nodes: list[str], edges: Iterable[Edge]) -> dict[str, int]:
    """Each node's Leiden community (modularity, weighted, undirected), numbered by size from 1."""
    index = {k: i for i, k in enumerate(nodes)}
    weights: dict[tuple[int, int], float] = defaultdict(float)
    for e in edges:
        a, b = index[e.source], index[e.target]
        weights[(a, b) if a < b else (b, a)] += e.weight
    return _leiden(nodes, list(weights), list(weights.values()))


def _leiden(nodes: list[str], pairs: list[tuple[int, int]], weights: list[float] | None) -> dict[str, int]:
    import igraph  # (builds and exports only)

    if not nodes:
        return {}
    graph = igraph.Graph(n=len(nodes), edges=pairs, directed=False)
    igraph.set_random_number_generator(random.Random(SEED))
    try:
        parts = graph.community_leiden(objective_function="modularity", weights=weights, n_iterations=LEIDEN_ITERATIONS)
    finally:
        igraph.set_random_number_generator(random)
    groups = sorted(([nodes[i] for i in part] for part in parts), key=lambda g: (-len(g), min(g)))
    return {k: number for number, group in enumerate(groups, 1) for k in group}


def clusters_of(db: sqlite3.Connection, keys: list[str]) -> dict[str, int]:
    """The clusters of these works in the citation network (those in no citation have none)."""
    pairs = Tables(db).citation_pairs()
    nodes = sorted({k for pair in pairs for k in pair})
    index = {k: i for i, k in enumerate(nodes)}
    links = {(index[a], index[b]) if index[a] < index[b] else (index[b], index[a]) for a, b in pairs}
    found = _leiden(nodes, sorted(links), None)  # (a citation both ways is one link, of weight 1)
    return {k: found[k] for k in keys if k in found}


def all_clusters(database: str | None, db: sqlite3.Connection | None = None) -> dict[str, int]:
    """Every work's cluster in the citation network, from the state database at `database` (opened read-only:
    a worker process's) or `db`."""
    own = sqlite3.connect(f"file:{database}?mode=ro", uri=True) if database is not None else None
    try:
        found = own or db
        assert found is not None
        return clusters_of(found, [k for (k,) in found.execute("SELECT key FROM works ORDER BY key")])
    finally:
        if own is not None:
            own.close()
