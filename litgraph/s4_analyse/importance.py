"""Each cited work's importance: its PageRank in the citation network, relative to the highest.

Reading lists weigh works by it. It is worked out again whenever a citation comes or goes (one citation
moves nearly every work's figure), by igraph's PRPACK, which solves for the ranks rather than iterating to a
tolerance: the same network gives the same figures however it was arrived at.
"""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

from litgraph.plumbing.workers import BackgroundMap
from litgraph.s1_read.changes import Changes
from litgraph.s1_read.tables import Tables
from litgraph.s4_analyse.networks import all_clusters

TABLES = ("CREATE TABLE IF NOT EXISTS importance(key TEXT PRIMARY KEY, value TEXT NOT NULL)",)


def pagerank(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Each work's PageRank in the network of (citing, cited) pairs, relative to the highest ("0.123456");
    only works that take part in a citation."""
    import igraph  # (builds only)

    keys = sorted(set(itertools.chain.from_iterable(pairs)))
    index = dict(zip(keys, range(len(keys)), strict=True))
    ends = iter(map(index.__getitem__, itertools.chain.from_iterable(pairs)))
    network = igraph.Graph(n=len(keys), edges=list(zip(ends, ends, strict=True)), directed=True)  # (a pair's ends)
    rank = network.pagerank(directed=True, damping=0.85)
    top = max(rank, default=0.0) or 1.0
    return dict(zip(keys, [f"{r / top:.6f}" for r in rank], strict=True))


def _pairs_moved(db: sqlite3.Connection, changes: Changes) -> bool:
    """Whether a citation may have come or gone: a claim read in another work (or none) where no other
    claim, nor a citation file, gives the same citation."""
    if changes.everything or changes.citations or changes.settings:
        return True
    changed = sorted(changes.claims)
    for before, after in changes.claims.values():
        pairs = [(c.reported_in, c.source) if c and c.reported_in and c.reported_in != c.source else None
                 for c in (before, after)]  # fmt: skip
        if pairs[0] == pairs[1]:
            continue
        for pair in (p for p in pairs if p is not None):
            if not _given_elsewhere(db, pair, changed):
                return True
    return False


pairs_moved = _pairs_moved  # (the clusters of s4_analyse/networks.py are made again on the same edits)


def _given_elsewhere(db: sqlite3.Connection, pair: tuple[str, str], changed: list[str]) -> bool:
    """Whether a citation file, or a claim not among `changed`, gives the citation `pair`."""
    if db.execute("SELECT 1 FROM citations WHERE citing = ? AND cited = ?", pair).fetchone():
        return True
    rows = db.execute("SELECT id FROM claims WHERE reported_in = ? AND source = ?", pair).fetchall()
    return not {claim_id for (claim_id,) in rows} <= set(changed)


def citation_figure(kind: str, database: str) -> dict[str, str | None] | dict[str, int]:
    """A figure of the citation network from the state database at `database` (read-only: a worker
    process's): "importance" (how PageRank moves the importance table: see importance_moves; nothing else
    writes that table while the worker runs) or "clusters" (Leiden, for the map's cluster layer)."""
    if kind == "clusters":
        return all_clusters(database)
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return importance_moves(db, pagerank(Tables(db).citation_pairs()))
    finally:
        db.close()


class CitationFigures:
    """The importance and the clusters of the citation network, worked out one after the other by one
    worker process from the moment the inputs are read (where a citation may have come or gone): the
    analysis, the store and the pages go on meanwhile, and take each figure when they come to it."""

    def __init__(self, database: Path):
        self._work = BackgroundMap(citation_figure, ["importance", "clusters"], [str(database)] * 2, workers=1)

    def importance_moves(self) -> dict[str, str | None]:
        return self._work.result_at(0)  # type: ignore[return-value]

    def clusters(self) -> dict[str, int]:
        return self._work.result_at(1)  # type: ignore[return-value]

    def cancel(self) -> None:
        self._work.cancel()


def importance_moves(db: sqlite3.Connection, ranks: dict[str, str]) -> dict[str, str | None]:
    """What the works' PageRank (`ranks`) changes in the importance table: each work whose figure is new,
    with it, and each work no longer in a citation, with None."""
    before = dict(db.execute("SELECT key, value FROM importance"))
    moves: dict[str, str | None] = {k: v for k, v in ranks.items() if before.get(k) != v}
    moves.update((k, None) for k in before.keys() - ranks.keys())
    return moves


def move_importance(db: sqlite3.Connection, moves: dict[str, str | None]) -> bool:
    """The importance table moved by `moves` (see importance_moves); whether anything moved."""
    db.executemany("DELETE FROM importance WHERE key = ?", [(k,) for k, v in sorted(moves.items()) if v is None])
    db.executemany("INSERT OR REPLACE INTO importance VALUES (?, ?)",
                   sorted((k, v) for k, v in moves.items() if v is not None))  # fmt: skip
    return bool(moves)
