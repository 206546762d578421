"""Stage 4: what the graph says beyond its triples, worked out again where an edit reaches it: the works'
rows, the theme hierarchy's closure, each theme's ranking and counts, the contested groups, and each work's
importance in the citation network. What changed is returned, for the store and the site."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from litgraph.s1_read.changes import Changes, pending_changes
from litgraph.s1_read.tables import Tables
from litgraph.s4_analyse import contested, gaps, importance, networks, rankings, rows, timelines
from litgraph.s4_analyse.importance import CitationFigures, pagerank

TABLES = (
    *rows.TABLES,
    *rankings.TABLES,
    *contested.TABLES,
    *importance.TABLES,
    *gaps.TABLES,
    *networks.TABLES,
    *timelines.TABLES,
)


@dataclass
class Analysis:
    """What stage 4 changed: rows of works, rankings of themes, contested groups (None: not formed again),
    the importance figures; `everything` when all was made anew."""

    everything: bool = False
    work_rows: set[str] = field(default_factory=set)
    rankings: set[str] = field(default_factory=set)
    groups: set[str] | None = None
    importance: bool = False
    group_themes: set[str] = field(default_factory=set)  # the themes the groups changed were or are on
    gaps: bool = False  # the gaps (s4_analyse/gaps.py) changed
    citations: bool = False  # a citation may have come or gone (the clusters of the map's layer are due)


def unanalysed(db: sqlite3.Connection) -> Changes:
    """What changed since stage 4 last ran. Its tables move by those changes (a ranking loses and gains
    entries, a count moves), so it reads them from `unanalysed`, which it empties: a run stopped after
    this stage does not move them twice."""
    return pending_changes(db, since="unanalysed")


def figures_due(db: sqlite3.Connection, changes: Changes, database: Path | None) -> CitationFigures | None:
    """The citation figures (importance, clusters: a second or two at 100,000 works) worked out by a worker
    process from now on, while the rest is analysed and the store and the pages are made, where the
    `changes` (unanalysed) may bring or take a citation and the state is a file a worker can read (it
    reads the inputs' tables, committed); else None."""
    if database is None or not importance.pairs_moved(db, changes):
        return None
    return CitationFigures(database)


def update_importance(db: sqlite3.Connection, found: Analysis, figures: CitationFigures | None) -> None:
    """The works' importance, where a citation may have come or gone since the last build that went through
    (`found.citations`): from the worker's figures, or worked out here (a build stopped after the analysis
    left it due); its change recorded as pending with the rest of the analysis. (Stage 4's last step, taken
    when the store comes to it: the worker has had the time of the analysis to work it out.)"""
    if not found.citations:
        return
    if figures is not None:
        moves = figures.importance_moves()
    else:
        moves = importance.importance_moves(db, pagerank(Tables(db).citation_pairs()))
    if importance.move_importance(db, moves):
        found.importance = _pending(db, Analysis(importance=True)).importance


def analyse(db: sqlite3.Connection, changes: Changes) -> Analysis:
    """Stage 4 where what changed since it last ran (`changes`, see `unanalysed`) reaches it; what it changed
    since the last build that was published (what this run changed, and what runs that did not get as far
    changed: see `_pending`)."""
    everything = changes.everything or changes.settings
    if everything or changes.themes:
        rankings.update_closure(db)
    groups = contested.update_groups(db, changes)
    moved = importance.pairs_moved(db, changes)
    work_rows = rows.update_work_rows(db, changes)
    ranked = rankings.update_rankings(db, rankings.reached_by(db, changes))
    timelines.update_timelines(db, changes, everything, ranked)  # (their pages: those the rankings reach)
    found = Analysis(
        everything=everything,
        work_rows=work_rows,
        rankings=ranked.changed,
        groups=None if groups is None else groups[0],
        group_themes=set() if groups is None else groups[1],
        gaps=gaps.update_gaps(db, changes),
        citations=moved,
    )
    db.execute("DELETE FROM unanalysed")
    return _pending(db, found)


def _pending(db: sqlite3.Connection, found: Analysis) -> Analysis:
    """`found`, recorded in the pending table with what earlier runs changed and did not publish (a build
    stopped after this stage), and all of it returned: the store and the site must carry every change
    since what they show, and the tables already hold this run's results."""
    rows_ = [("analysis:work", k) for k in found.work_rows] + [("analysis:ranking", t) for t in found.rankings]
    rows_ += [("analysis:group", k) for k in found.groups or ()] + [
        ("analysis:group-theme", t) for t in found.group_themes
    ]
    rows_ += [("analysis:flag", name) for name, on in (("everything", found.everything), ("importance", found.importance),
                                                        ("groups", found.groups is not None), ("gaps", found.gaps),
                                                        ("citations", found.citations)) if on]  # fmt: skip
    db.executemany("INSERT OR IGNORE INTO pending VALUES (?, ?, 'null')", rows_)
    kept: dict[str, set[str]] = {}
    for kind, key in db.execute("SELECT kind, key FROM pending WHERE kind LIKE 'analysis:%'"):
        kept.setdefault(kind, set()).add(key)
    flags = kept.get("analysis:flag", set())
    return Analysis(
        everything="everything" in flags,
        work_rows=kept.get("analysis:work", set()),
        rankings=kept.get("analysis:ranking", set()),
        groups=kept.get("analysis:group", set()) if "groups" in flags else None,
        importance="importance" in flags,
        group_themes=kept.get("analysis:group-theme", set()),
        gaps="gaps" in flags,
        citations="citations" in flags,
    )
