"""Stage 4: what the graph says beyond its triples, worked out again where an edit reaches it: the works'
rows, the theme hierarchy's closure, each theme's ranking and counts, the contested groups, and each work's
importance in the citation network. What changed is returned, for the store and the site."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from litgraph.s1_read.changes import Changes
from litgraph.s4_analyse import contested, importance, rankings, rows

TABLES = (*rows.TABLES, *rankings.TABLES, *contested.TABLES, *importance.TABLES)


@dataclass
class Analysis:
    """What stage 4 changed: rows of works, rankings of themes, contested groups (None: not formed again),
    the importance figures; `everything` when all was made anew."""

    everything: bool = False
    work_rows: set[str] = field(default_factory=set)
    rankings: set[str] = field(default_factory=set)
    groups: set[str] | None = None
    importance: bool = False


def analyse(db: sqlite3.Connection, changes: Changes) -> Analysis:
    everything = changes.everything or changes.settings
    if everything or changes.themes:
        rankings.update_closure(db)
    return Analysis(
        everything=everything,
        work_rows=rows.update_work_rows(db, changes),
        rankings=rankings.update_rankings(db, rankings.reached_by(db, changes)),
        groups=contested.update_groups(db, changes),
        importance=importance.update_importance(db, changes),
    )
