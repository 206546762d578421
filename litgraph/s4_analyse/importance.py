"""Each cited work's importance: its PageRank in the citation network, relative to the highest.

Reading lists weigh works by it. It is worked out again whenever a citation comes or goes (one citation
moves nearly every work's figure), by igraph's PRPACK, which solves for the ranks rather than iterating to a
tolerance: the same network gives the same figures however it was arrived at.
"""

from __future__ import annotations

import sqlite3

from litgraph.s1_read.changes import Changes
from litgraph.s1_read.tables import Tables

TABLES = ("CREATE TABLE IF NOT EXISTS importance(key TEXT PRIMARY KEY, value TEXT NOT NULL)",)


def pagerank(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Each work's PageRank in the network of (citing, cited) pairs, relative to the highest ("0.123456");
    only works that take part in a citation."""
    import igraph  # (builds only)

    keys = sorted({k for pair in pairs for k in pair})
    index = {k: i for i, k in enumerate(keys)}
    network = igraph.Graph(n=len(keys), directed=True)
    network.add_edges([(index[a], index[b]) for a, b in pairs])
    rank = network.pagerank(directed=True, damping=0.85)
    top = max(rank, default=0.0) or 1.0
    return {k: f"{r / top:.6f}" for k, r in zip(keys, rank, strict=True)}


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


def update_importance(db: sqlite3.Connection, changes: Changes, ranks: dict[str, str] | None = None) -> bool:
    """The works' importance worked out again if a citation may have come or gone (`ranks`: their PageRank,
    where the caller found they may have and worked it out); whether it changed."""
    if ranks is None:
        if not _pairs_moved(db, changes):
            return False
        ranks = pagerank(Tables(db).citation_pairs())
    now = ranks
    before = dict(db.execute("SELECT key, value FROM importance"))
    if before == now:
        return False
    db.executemany("DELETE FROM importance WHERE key = ?", [(k,) for k in sorted(before.keys() - now.keys())])
    db.executemany("INSERT OR REPLACE INTO importance VALUES (?, ?)",
                   sorted((k, v) for k, v in now.items() if before.get(k) != v))  # fmt: skip
    return True
