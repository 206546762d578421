"""Each theme's timeline: how many of its works (narrower themes included) appeared each year, and how many
claims those works make on it, for the small chart on the theme's page.

Made from the theme's ranking (each work with its number of claims on the theme) and the works' years, for
the themes whose ranking changed and those of the works whose year changed; the first time, for all.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import orjson

from litgraph.plumbing.statedb import rows_in
from litgraph.s1_read.changes import Changes
from litgraph.s4_analyse.rankings import RankingEdit, RankingsMade, ranking

TABLES = ("CREATE TABLE IF NOT EXISTS timelines(theme TEXT PRIMARY KEY, body TEXT NOT NULL)",)


def _years(db: sqlite3.Connection, keys: list[str] | None) -> dict[str, int]:
    """The years of these works (all: None) that have one."""
    query = "SELECT key, json_extract(body, '$.year') FROM work_rows"
    rows = db.execute(query).fetchall() if keys is None else rows_in(db, query + " WHERE key IN {in}", keys)
    return {k: y for k, y in rows if isinstance(y, int)}


def timeline_of(entries: list[tuple[str, int]], years: dict[str, int]) -> list[list[int]]:
    """[[year, works, claims]] in year order, from (work, claims on the theme) pairs; works without a year
    left out."""
    per_year: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for key, claims in entries:
        if key in years:
            per_year[years[key]][0] += 1
            per_year[years[key]][1] += claims
    return [[year, works, claims] for year, (works, claims) in sorted(per_year.items())]


def _themes_of_works(db: sqlite3.Connection, keys: list[str]) -> set[str]:
    query = ("SELECT DISTINCT a.ancestor FROM claims c JOIN claim_themes t ON t.id = c.id JOIN theme_closure a "
             "ON a.theme = t.theme WHERE c.source IN {in}")  # fmt: skip
    return {t for (t,) in rows_in(db, query, keys)}


def update_timelines(db: sqlite3.Connection, changes: Changes, everything: bool, made: RankingsMade) -> set[str]:
    """The timelines of the themes whose ranking changed or a work of which changed its year, made again
    (all, with `everything`): moved by the entries an edit took out of and put into their rankings where
    update_rankings says which, else from the whole ranking. The themes whose timeline changed."""
    themes = [t for (t,) in db.execute("SELECT id FROM themes ORDER BY id")]
    edits = {} if everything or made.edits is None else made.edits
    if not everything:
        moved = sorted(k for k, (b, a) in changes.works.items() if (b and b.year) != (a and a.year))
        wanted = made.changed | set(edits) | (_themes_of_works(db, moved) if moved else set())
        themes = [t for t in themes if t in wanted]
    if not themes:
        return set()
    whole = [t for t in themes if t not in edits]
    per_theme = {t: [(e.key, e.claims) for e in ranking(db, t)[0]] for t in whole}
    keys = None if everything else sorted({k for entries in per_theme.values() for k, _ in entries})
    years = _years(db, keys) if whole else {}
    bodies = {theme: timeline_of(entries, years) for theme, entries in per_theme.items()}
    bodies.update(_edited(db, changes, {t: edits[t] for t in themes if t in edits}))
    changed = set()
    for theme in themes:
        body = orjson.dumps(bodies[theme]).decode("utf-8")
        before = db.execute("SELECT body FROM timelines WHERE theme = ?", (theme,)).fetchone()
        if before is None or before[0] != body:
            db.execute("INSERT OR REPLACE INTO timelines VALUES (?, ?)", (theme, body))
            changed.add(theme)
    db.execute("DELETE FROM timelines WHERE theme NOT IN (SELECT id FROM themes)")
    return changed


def _edited(db: sqlite3.Connection, changes: Changes, edits: dict[str, RankingEdit]) -> dict[str, list[list[int]]]:
    """The timelines of these themes as they were, moved by their rankings' edits: an entry taken out
    counts in its work's year as it was, one put in in its year as it is."""
    keys = sorted({k for edit in edits.values() for k, _ in (*edit.gone, *edit.came)})
    now = _years(db, keys)
    was = dict(now)
    for key, (before, _) in changes.works.items():
        was.pop(key, None)
        if before is not None and isinstance(before.year, int):
            was[key] = before.year
    found = {}
    for theme, edit in edits.items():
        per_year = {year: [works, claims] for year, works, claims in timeline(db, theme)}
        for entries, years, step in ((edit.gone, was, -1), (edit.came, now, 1)):
            for key, claims in entries:
                if key in years:
                    counts = per_year.setdefault(years[key], [0, 0])
                    counts[0] += step
                    counts[1] += step * claims
        found[theme] = [[year, works, claims] for year, (works, claims) in sorted(per_year.items()) if works]
    return found


def timeline(db: sqlite3.Connection, theme: str) -> list[list[int]]:
    row = db.execute("SELECT body FROM timelines WHERE theme = ?", (theme,)).fetchone()
    return orjson.loads(row[0]) if row else []
