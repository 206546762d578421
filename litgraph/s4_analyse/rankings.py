"""Per theme, the works with claims on it (narrower themes included), ranked; and the theme's counts.

A ranking is what `sources` shows first and what a theme page lists: most claims on the theme, then most
cited within the graph, then key. It is worked out once per build for the themes an edit reaches, with
the theme hierarchy's closure as a table (a claim on a theme is on every broader theme too).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from litgraph.plumbing.statedb import rows_in
from litgraph.s1_read.changes import Changes
from litgraph.s1_read.tables import Tables, citation_pairs_sql, digest
from litgraph.s1_read.theme_names import ThemeLookup

TABLES = (
    "CREATE TABLE IF NOT EXISTS theme_closure(theme TEXT NOT NULL, ancestor TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS theme_closure_theme ON theme_closure(theme)",
    "CREATE INDEX IF NOT EXISTS theme_closure_ancestor ON theme_closure(ancestor)",
    "CREATE TABLE IF NOT EXISTS rankings(theme TEXT PRIMARY KEY, body TEXT NOT NULL, digest TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS theme_counts(theme TEXT PRIMARY KEY, claims INTEGER NOT NULL,
       claims_with_narrower INTEGER NOT NULL, works_with_narrower INTEGER NOT NULL, works INTEGER NOT NULL)""",
)


WORKS_AT_ONCE = 2000  # an edit reaching more works than this has its themes' rankings made whole again


@dataclass(frozen=True)
class RankedWork:
    key: str
    claims: int  # claims on the theme or a narrower one
    cited_by: int  # works in the graph that cite it


def ranking_lines(entries: Iterable[RankedWork]) -> str:
    """A ranking as the store and the state keep it: "key<TAB>claims<TAB>cited by" lines (keys hold no
    white space: see namespaces.key_refusal)."""
    return "\n".join(f"{e.key}\t{e.claims}\t{e.cited_by}" for e in entries)


def ranking_of(lines: str, limit: int | None = None) -> list[RankedWork]:
    rows = lines.split("\n")[: limit or None] if lines else []
    return [RankedWork(key, int(n), int(cited)) for key, n, cited in (line.split("\t") for line in rows)]


def update_closure(db: sqlite3.Connection) -> ThemeLookup:
    """The theme hierarchy's closure (each theme with itself and every broader theme)."""
    lookup = ThemeLookup(Tables(db).themes())
    db.execute("DELETE FROM theme_closure")
    db.executemany("INSERT INTO theme_closure VALUES (?, ?)",
                   [(t, a) for t in lookup.themes for a in lookup.with_broader(t)])  # fmt: skip
    return lookup


def themes_reached(db: sqlite3.Connection, changes: Changes) -> set[str] | None:
    """The themes whose ranking or counts an edit can change (None: all): those of claims placed
    otherwise, and those of works cited by more or fewer works."""
    reached = reached_by(db, changes)
    return None if reached is None else reached.themes


# the themes of the claims on some works (bind the works' keys to {in}; see plumbing.statedb.rows_in)
THEMES_OF_WORKS = "SELECT DISTINCT t.theme FROM claims c JOIN claim_themes t ON t.id = c.id WHERE t.theme IS NOT NULL AND c.source IN {in}"


@dataclass(frozen=True)
class Reached:
    """What an edit can change in the rankings: the themes whose ranking or counts, the works whose entries
    in them, and the themes on the claims it changed (whose own numbers of claims and works can change)."""

    themes: set[str]
    works: set[str]
    on_claims: dict[str, set[str]]  # theme -> the works of the changed claims on it (as they were or are)
    was_on: set[tuple[str, str]]  # (theme, work) of the changed claims as they were
    claims: set[str]  # the changed claims


def reached_by(db: sqlite3.Connection, changes: Changes) -> Reached | None:
    """What an edit can change in the rankings (None: all)."""
    if changes.everything or changes.themes or changes.citations or changes.settings:
        return None
    themes: set[str] = set()
    works: set[str] = set(changes.works)
    cited: set[str] = set()
    for before, after in changes.claims.values():
        old = (before.source, tuple(before.themes), before.reported_in) if before else None
        new = (after.source, tuple(after.themes), after.reported_in) if after else None
        if old != new:
            themes.update(t for c in (before, after) if c for t in c.themes)
            works.update(c.source for c in (before, after) if c)
            cited.update(c.source for c in (before, after) if c and c.reported_in)
    works |= cited
    on_claims: dict[str, set[str]] = {}
    for claim in changes.claim_sides():
        for theme in claim.themes:
            on_claims.setdefault(theme, set()).add(claim.source)
    was_on = {(t, c.source) for c, _ in changes.claims.values() if c for t in c.themes}
    themes.update(t for (t,) in rows_in(db, THEMES_OF_WORKS, sorted(cited | set(changes.works))))
    closure = {a for t in themes for (a,) in db.execute("SELECT ancestor FROM theme_closure WHERE theme = ?", (t,))}
    return Reached(closure, works, on_claims, was_on, set(changes.claims))


def cited_counts(db: sqlite3.Connection, keys: list[str] | None = None) -> dict[str, int]:
    """How many works in the graph cite each work that is cited (of these `keys`; all: None)."""
    if keys is None:
        return dict(db.execute(f"SELECT cited, count(*) FROM ({citation_pairs_sql()}) GROUP BY cited").fetchall())
    return dict(rows_in(db, f"SELECT cited, count(*) FROM ({citation_pairs_sql('cited')}) GROUP BY cited", keys))


def update_rankings(db: sqlite3.Connection, reached: Reached | None) -> set[str]:
    """The rankings and counts of the themes reached (all: None) made again, each from the works reached
    and, for the others, its ranking as it was; the themes whose ranking changed."""
    all_themes = [t for (t,) in db.execute("SELECT id FROM themes ORDER BY id")]
    wanted = all_themes if reached is None else sorted(reached.themes & set(all_themes))
    if not wanted:
        return set()
    works = None if reached is None or len(reached.works) > WORKS_AT_ONCE else sorted(reached.works)
    cited = cited_counts(db, works)
    per_theme: dict[str, dict[str, tuple[int, int]]] = {t: {} for t in wanted}
    if works is not None:  # the entries of the works not reached, as they were
        reached_works = set(works)
        for theme in wanted:
            entries, _ = ranking(db, theme)
            per_theme[theme] = {e.key: (e.claims, e.cited_by) for e in entries if e.key not in reached_works}
    for theme, key, n in _claims_per_theme_and_work(db, wanted, works):
        per_theme[theme][key] = (n, cited.get(key, 0))
    changed = set()
    for theme in wanted:
        ordered = sorted(per_theme[theme].items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        lines = ranking_lines(RankedWork(key, n, c) for key, (n, c) in ordered)
        now = digest(lines)
        before = db.execute("SELECT digest FROM rankings WHERE theme = ?", (theme,)).fetchone()
        if before is None or before[0] != now:
            db.execute("INSERT OR REPLACE INTO rankings VALUES (?, ?, ?)", (theme, lines, now))
            changed.add(theme)
        direct, n_works = _own_counts(db, theme, reached)
        db.execute("INSERT OR REPLACE INTO theme_counts VALUES (?, ?, ?, ?, ?)",
                   (theme, direct, sum(n for n, _ in per_theme[theme].values()), len(per_theme[theme]), n_works))  # fmt: skip
    db.executemany("DELETE FROM rankings WHERE theme = ?", [(t,) for (t,) in db.execute(
        "SELECT theme FROM rankings WHERE theme NOT IN (SELECT id FROM themes)").fetchall()])  # fmt: skip
    db.execute("DELETE FROM theme_counts WHERE theme NOT IN (SELECT id FROM themes)")  # (a theme gone from the scheme)
    return changed


def _own_counts(db: sqlite3.Connection, theme: str, reached: Reached | None) -> tuple[int, int]:
    """A theme's own numbers of claims and of the works they are on: where an edit changed claims on it,
    the claims counted and the works moved by how many of the changed claims' works came or went (counting
    them all: a tenth of a second at 100,000 works); as they were for the other themes; all counted anew
    for None."""
    row = db.execute("SELECT claims, works FROM theme_counts WHERE theme = ?", (theme,)).fetchone()
    if reached is None or row is None:
        return db.execute("SELECT count(DISTINCT t.id), count(DISTINCT c.source) FROM claim_themes t "
                          "JOIN claims c ON c.id = t.id WHERE t.theme = ?", (theme,)).fetchone()  # fmt: skip
    if theme not in reached.on_claims:
        return int(row[0]), int(row[1])
    n_works = int(row[1])
    for work in reached.on_claims[theme]:
        ids = {i for (i,) in db.execute("SELECT c.id FROM claims c JOIN claim_themes t ON t.id = c.id "
                                        "WHERE c.source = ? AND t.theme = ?", (work, theme))}  # fmt: skip
        was = bool(ids - reached.claims) or (theme, work) in reached.was_on
        n_works += bool(ids) - was
    query = "SELECT count(DISTINCT id) FROM claim_themes WHERE theme = ?"
    return int(db.execute(query, (theme,)).fetchone()[0]), n_works


def _claims_per_theme_and_work(
    db: sqlite3.Connection, themes: list[str], works: list[str] | None
) -> list[tuple[str, str, int]]:
    """(theme, work, its claims on the theme or a narrower one) for these themes and works (all: None)."""
    # From a few works: from their claims outwards (CROSS JOIN keeps SQLite to that order; from the themes
    # it would read every claim on them, half a second at 100,000 works). From all: from the themes.
    if works is not None:
        query = ("SELECT a.ancestor, c.source, count(DISTINCT c.id) FROM claims c "
                 "CROSS JOIN claim_themes t ON t.id = c.id AND t.theme IS NOT NULL "
                 "CROSS JOIN theme_closure a ON a.theme = t.theme JOIN works w ON w.key = c.source "
                 f"WHERE c.source IN ({','.join('?' * len(works))}) AND a.ancestor IN {{in}} GROUP BY a.ancestor, c.source")  # fmt: skip
        return rows_in(db, query, themes, first=works)
    query = ("SELECT a.ancestor, c.source, count(DISTINCT c.id) FROM claims c JOIN works w ON w.key = c.source "
             "JOIN claim_themes t ON t.id = c.id AND t.theme IS NOT NULL JOIN theme_closure a ON a.theme = t.theme "
             "WHERE a.ancestor IN {in} GROUP BY a.ancestor, c.source")  # fmt: skip
    return rows_in(db, query, themes)


def ranking(db: sqlite3.Connection, theme: str, limit: int | None = None) -> tuple[list[RankedWork], int]:
    """The ranking of a theme (its first `limit` entries) and how many works it has."""
    row = db.execute("SELECT body FROM rankings WHERE theme = ?", (theme,)).fetchone()
    lines = row[0] if row else ""
    return ranking_of(lines, limit), (lines.count("\n") + 1 if lines else 0)
