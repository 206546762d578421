"""Per theme, the works with claims on it (narrower themes included), ranked; and the theme's counts.

A ranking is what `sources` shows first and what a theme page lists: most claims on the theme, then most
cited within the graph, then key. It is worked out once per build for the themes an edit reaches, with
the theme hierarchy's closure as a table (a claim on a theme is on every broader theme too).
"""

from __future__ import annotations

import bisect
import itertools
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
FIND_AT_MOST = 32  # the entries of up to this many works are searched for in a ranking's text, more by an index


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
    claim_moves: dict[str, int]  # theme -> how many more claims are on it (fewer: negative)


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
    moves: dict[str, int] = {}
    for before, after in changes.claims.values():
        for side, step in ((before, -1), (after, 1)):
            for theme in set(side.themes) if side else ():
                moves[theme] = moves.get(theme, 0) + step
    themes.update(t for (t,) in rows_in(db, THEMES_OF_WORKS, sorted(cited | set(changes.works))))
    closure = {a for t in themes for (a,) in db.execute("SELECT ancestor FROM theme_closure WHERE theme = ?", (t,))}
    return Reached(closure, works, on_claims, was_on, set(changes.claims), moves)


def cited_counts(db: sqlite3.Connection, keys: list[str] | None = None) -> dict[str, int]:
    """How many works in the graph cite each work that is cited (of these `keys`; all: None)."""
    if keys is None:
        return dict(db.execute(f"SELECT cited, count(*) FROM ({citation_pairs_sql()}) GROUP BY cited").fetchall())
    return dict(rows_in(db, f"SELECT cited, count(*) FROM ({citation_pairs_sql('cited')}) GROUP BY cited", keys))


@dataclass(frozen=True)
class RankingEdit:
    """How an edit moved a theme's ranking: the (work, claims) entries it took out, as they were, and
    those it put in, as they are (a work reached appears in both where it stays)."""

    gone: list[tuple[str, int]]
    came: list[tuple[str, int]]


@dataclass
class RankingsMade:
    """What update_rankings did: the themes whose ranking changed, and for an edit reaching few works each
    reached theme's RankingEdit (None: the rankings were made whole)."""

    changed: set[str]
    edits: dict[str, RankingEdit] | None


def update_rankings(db: sqlite3.Connection, reached: Reached | None) -> RankingsMade:
    """The rankings and counts of the themes reached (all: None) made again: from all claims, or, for an
    edit reaching few works, as they were with those works' entries taken out and put in again."""
    all_themes = [t for (t,) in db.execute("SELECT id FROM themes ORDER BY id")]
    wanted = all_themes if reached is None else sorted(reached.themes & set(all_themes))
    works = None if reached is None or len(reached.works) > WORKS_AT_ONCE else sorted(reached.works)
    made = RankingsMade(set(), None if works is None else {})
    if wanted and works is None:
        cited = cited_counts(db)
        per_theme, own = _counted_whole(db, wanted)
        for theme in wanted:
            entries = {key: (n, cited.get(key, 0)) for key, n in per_theme[theme].items()}
            _store_whole(db, theme, entries, own.get(theme, (0, 0)), made)
    elif wanted:
        assert reached is not None and works is not None
        cited = cited_counts(db, works)
        reached_entries: dict[str, dict[str, tuple[int, int]]] = {t: {} for t in wanted}
        for theme, key, n in _claims_per_theme_and_work(db, wanted, works):
            reached_entries[theme][key] = (n, cited.get(key, 0))
        for theme in wanted:
            _store_edited(db, theme, works, reached_entries[theme], reached, made)
    db.executemany("DELETE FROM rankings WHERE theme = ?", [(t,) for (t,) in db.execute(
        "SELECT theme FROM rankings WHERE theme NOT IN (SELECT id FROM themes)").fetchall()])  # fmt: skip
    db.execute("DELETE FROM theme_counts WHERE theme NOT IN (SELECT id FROM themes)")  # (a theme gone from the scheme)
    return made


def _order(key: str, claims: int, cited_by: int) -> tuple[int, int, str]:
    """Where an entry goes in a ranking: most claims, then most cited, then key."""
    return -claims, -cited_by, key


def _sort_key(line: str) -> tuple[int, int, str]:
    key, n, cited = line.split("\t")
    return _order(key, int(n), int(cited))


def _store_whole(db: sqlite3.Connection, theme: str, entries: dict[str, tuple[int, int]], own: tuple[int, int],
                 made: RankingsMade) -> None:  # fmt: skip
    ordered = sorted(entries.items(), key=lambda item: _order(item[0], *item[1]))
    lines = ranking_lines(RankedWork(key, n, c) for key, (n, c) in ordered)
    _store(db, theme, lines, (*own, sum(n for n, _ in entries.values()), len(entries)), made)


Counted = tuple[dict[str, dict[str, int]], dict[str, tuple[int, int]]]


def _counted_whole(db: sqlite3.Connection, themes: list[str]) -> Counted:
    """For these themes, from every claim in one pass (a tenth of the time SQLite takes grouping them):
    each work's number of claims on the theme or a narrower one, and the theme's own numbers of claims and
    of the works they are on (a claim counts once on a theme however many of its themes lead there; the
    own numbers count claims whose source is not in the bibliography too, as SHACL reports those)."""
    closure: dict[str, list[str]] = {}
    for theme, ancestor in db.execute("SELECT theme, ancestor FROM theme_closure"):
        closure.setdefault(theme, []).append(ancestor)
    wanted = set(themes)
    per_theme: dict[str, dict[str, int]] = {t: {} for t in themes}
    own_claims: dict[str, int] = {}
    own_works: dict[str, set[str]] = {}
    rows = db.execute("SELECT c.id, c.source, w.key IS NOT NULL, t.theme FROM claims c JOIN claim_themes t ON "
                      "t.id = c.id AND t.theme IS NOT NULL LEFT JOIN works w ON w.key = c.source ORDER BY c.id")  # fmt: skip
    for (_, source, known), group in itertools.groupby(rows, key=lambda row: row[:3]):
        direct = {row[3] for row in group}
        for theme in direct & wanted:
            own_claims[theme] = own_claims.get(theme, 0) + 1
            if source is not None:
                own_works.setdefault(theme, set()).add(source)
        if known:
            for ancestor in {a for t in direct for a in closure.get(t, ())} & wanted:
                counts = per_theme[ancestor]
                counts[source] = counts.get(source, 0) + 1
    return per_theme, {t: (n, len(own_works.get(t, ()))) for t, n in own_claims.items()}


def _store_edited(db: sqlite3.Connection, theme: str, works: list[str], entries: dict[str, tuple[int, int]],
                  reached: Reached, made: RankingsMade) -> None:  # fmt: skip
    """A theme's ranking as it was, with the entries of the `works` reached taken out and their `entries`
    now put in where they sort (found by bisection: the ranking is kept sorted)."""
    body, own, claims, n_works = _stored(db, theme)
    lines = body.split("\n") if body else []
    gone = _lines_of(body, lines, works)
    at = sorted((bisect.bisect_left(lines, _sort_key(line), key=_sort_key) for line in gone), reverse=True)
    for index in at:
        del lines[index]
    came = sorted(entries.items())
    for key, (n, c) in came:
        bisect.insort(lines, f"{key}\t{n}\t{c}", key=_sort_key)
    gone_pairs = [(k, int(n)) for k, n, _ in (line.split("\t") for line in gone)]
    came_pairs = [(k, n) for k, (n, _) in came]
    claims += sum(n for _, n in came_pairs) - sum(n for _, n in gone_pairs)
    assert made.edits is not None
    made.edits[theme] = RankingEdit(gone_pairs, came_pairs)
    counts = (*_own_counts(db, theme, reached, own), claims, n_works + len(came) - len(gone))
    _store(db, theme, "\n".join(lines), counts, made)


def _stored(db: sqlite3.Connection, theme: str) -> tuple[str, tuple[int, int] | None, int, int]:
    """A theme's ranking as the state has it, its own numbers of claims and works (None: none recorded), and
    its numbers of claims and works with the narrower ones."""
    row = db.execute("SELECT body FROM rankings WHERE theme = ?", (theme,)).fetchone()
    counts = db.execute("SELECT claims, works, claims_with_narrower, works_with_narrower FROM theme_counts "
                        "WHERE theme = ?", (theme,)).fetchone()  # fmt: skip
    if counts is None:
        return (row[0] if row else ""), None, 0, 0
    return (row[0] if row else ""), (int(counts[0]), int(counts[1])), int(counts[2]), int(counts[3])


def _lines_of(body: str, lines: list[str], keys: list[str]) -> list[str]:
    """The lines of a ranking that are these works' entries (a few: searched for in the text; many: by an
    index of all its keys)."""
    if len(keys) > FIND_AT_MOST:
        wanted = set(keys)
        return [line for line in lines if line[: line.index("\t")] in wanted]
    found = []
    for key in keys:
        start = 0 if body.startswith(key + "\t") else body.find("\n" + key + "\t") + 1
        if start or body.startswith(key + "\t"):
            end = body.find("\n", start)
            found.append(body[start:] if end < 0 else body[start:end])
    return found


def _store(db: sqlite3.Connection, theme: str, lines: str, counts: tuple[int, int, int, int],
           made: RankingsMade) -> None:  # fmt: skip
    """A theme's ranking and its counts (own claims, own works, claims and works with the narrower ones)."""
    now = digest(lines)
    before = db.execute("SELECT digest FROM rankings WHERE theme = ?", (theme,)).fetchone()
    if before is None or before[0] != now:
        db.execute("INSERT OR REPLACE INTO rankings VALUES (?, ?, ?)", (theme, lines, now))
        made.changed.add(theme)
    own_claims, own_works, claims, works = counts
    db.execute("INSERT OR REPLACE INTO theme_counts VALUES (?, ?, ?, ?, ?)",
               (theme, own_claims, claims, works, own_works))  # fmt: skip


def _own_counts(db: sqlite3.Connection, theme: str, reached: Reached, row: tuple[int, int] | None) -> tuple[int, int]:
    """A theme's own numbers of claims and of the works they are on (`row`: as recorded): where an edit
    changed claims on it, both moved by how many of the changed claims (and of their works) came or went;
    as they were for the other themes (counted anew for a theme the state has no numbers of)."""
    if row is None:
        return db.execute("SELECT count(DISTINCT t.id), count(DISTINCT c.source) FROM claim_themes t "
                          "JOIN claims c ON c.id = t.id WHERE t.theme = ?", (theme,)).fetchone()  # fmt: skip
    if theme not in reached.on_claims:
        return int(row[0]), int(row[1])
    n_works = int(row[1])
    for work in reached.on_claims[theme]:
        # (the work's claims first, and their themes by claim: "+" keeps SQLite off the index by theme)
        ids = {i for (i,) in db.execute("SELECT c.id FROM claims c CROSS JOIN claim_themes t ON t.id = c.id "
                                        "WHERE c.source = ? AND +t.theme = ?", (work, theme))}  # fmt: skip
        was = bool(ids - reached.claims) or (theme, work) in reached.was_on
        n_works += bool(ids) - was
    return int(row[0]) + reached.claim_moves.get(theme, 0), n_works


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
