"""The second layer of the state (the project's things, each once) brought up to date with the first (what
each file parsed to), and what that changed: `Changes`, which every later stage reads to redo only its part.

What changed is kept in the state (`pending`) until a build has carried it through every stage: a build
that fails on an input error, is stopped, or a `validate` (which reads but builds nothing) leaves it there,
and the next build carries it through with what changed since. Each changed thing is recorded once, as it
was at the last build that went through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from litgraph.model import Claim, Work
from litgraph.plumbing.statedb import rows_in
from litgraph.s1_read.tables import Tables, claim_from, claim_json, digest, untitled_undated, work_from, work_json
from litgraph.s1_read.theme_names import ThemeLookup

if TYPE_CHECKING:  # (the YAML and BibTeX readers load only where inputs are read: not for a query)
    from litgraph.s1_read.proposals import Proposal


@dataclass
class Changes:
    """What the inputs say now that they did not say at the last build: each changed work and claim
    (before, after; None where there was or is none), and flags for the rest. `everything`: there was
    no last build (or its state could not be used): every stage makes everything anew."""

    everything: bool = False
    works: dict[str, tuple[Work | None, Work | None]] = field(default_factory=dict)
    claims: dict[str, tuple[Claim | None, Claim | None]] = field(default_factory=dict)
    themes: bool = False
    questions: bool = False
    citations: bool = False  # the citation files' links
    vocabulary: bool = False  # evidence types and stances
    shapes: bool = False
    settings: bool = False  # base IRI, title, language, litgraph's version
    files: set[str] = field(default_factory=set)  # input files that changed or are gone (their paths)

    @property
    def nothing(self) -> bool:
        flags = (self.themes, self.questions, self.citations, self.vocabulary, self.shapes, self.settings)
        return not (self.everything or self.works or self.claims or any(flags))

    def claim_sides(self) -> Iterator[Claim]:
        """Every changed claim as it was and as it is (where it is)."""
        for before, after in self.claims.values():
            yield from (c for c in (before, after) if c is not None)

    def work_sides(self) -> Iterator[Work]:
        for before, after in self.works.values():
            yield from (w for w in (before, after) if w is not None)


def _firsts(rows: Iterable[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """The first row of each key (rows ordered by key, then file: the first file that defines it wins)."""
    found: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        found.setdefault(row[0], row)
    return found


def _rows(db: sqlite3.Connection, query: str, column: str, keys: list[str] | None, order: str) -> Iterable[Any]:
    if keys is None:
        return db.execute(f"{query} ORDER BY {order}")
    return rows_in(db, f"{query} WHERE {column} IN {{in}} ORDER BY {order}", keys)


def update_works(db: sqlite3.Connection, keys: list[str] | None, proposals: dict[str, Proposal]) -> None:
    """The works with these keys (all: None) made again from their .bib entries (the first file's, where two
    define one) and the accepted proposals; those whose content differs are recorded as pending."""
    from litgraph.s1_read.proposals import merge_proposals

    entries = _firsts(_rows(db, "SELECT key, file, line, body FROM bib_entries", "key", keys, "key, file"))
    before = (
        {}
        if keys is None
        else _firsts(_rows(db, "SELECT key, file, line, body, digest FROM works", "key", keys, "key"))
    )
    if keys is None:
        db.execute("DELETE FROM works")
    inserts = []
    for key in sorted(entries) if keys is None else keys:
        entry, old = entries.get(key), before.get(key)
        row = None
        if entry is not None:
            work = work_from(entry[3], entry[1], entry[2])
            if key in proposals:
                merge_proposals({key: work}, {key: proposals[key]}, work.path)
            body = work_json(work)
            row = (key, entry[1], entry[2], work.entry_type, body, digest(body), int(any(untitled_undated(work))))
        if old is not None and row is not None and (old[1], old[2], old[4]) == (row[1], row[2], row[5]):
            continue  # as it was, where it was
        if old is not None:
            db.execute("DELETE FROM works WHERE key = ?", (key,))
        if row is not None:
            inserts.append(row)
        if keys is not None and (old is None or row is None or old[4] != row[5]):
            _pend(db, "work", key, [old[1], old[2], old[3]] if old else None)
    db.executemany("INSERT INTO works VALUES (?, ?, ?, ?, ?, ?, ?)", inserts)


def update_claims(db: sqlite3.Connection, ids: list[str] | None, lookup: ThemeLookup) -> None:
    """The claims with these ids (all: None) made again from their items (the first file's, where two define
    one), their theme names resolved to ids; those whose content differs are recorded as pending."""
    query = "SELECT id, file, line, body, lines FROM claim_items"
    items = _firsts(_rows(db, query + (" WHERE id IS NOT NULL" if ids is None else ""), "id", ids, "id, file, ord"))
    query = "SELECT id, file, line, body, lines, digest FROM claims"
    before = {} if ids is None else _firsts(_rows(db, query, "id", ids, "id"))
    if ids is None:
        for table in ("claims", "claim_themes", "claim_links"):
            db.execute(f"DELETE FROM {table}")
    claims, themes, links = [], [], []
    for claim_id in sorted(items) if ids is None else ids:
        item, old = items.get(claim_id), before.get(claim_id)
        row = claim = None
        if item is not None:
            claim = claim_from(item[3], item[1], item[2], item[4])
            resolved = [lookup.resolve(name) for name in claim.themes]
            now = digest(item[3] + "\0" + orjson.dumps(resolved).decode())
            row = (claim_id, item[1], item[2], item[4], claim.source, claim.reported_in, claim.question,
                   claim.stance, claim.evidence, item[3], now)  # fmt: skip
        if (
            old is not None
            and row is not None
            and (old[1], old[2], old[4], old[5]) == (row[1], row[2], row[3], row[10])
        ):
            continue
        if ids is not None and (old is None or row is None or old[5] != row[10]):
            _pend(db, "claim", claim_id, _old_claim(db, old) if old else None)
        if old is not None:
            for table in ("claims", "claim_themes", "claim_links"):
                db.execute(f"DELETE FROM {table} WHERE id = ?", (claim_id,))
        if row is not None and claim is not None:
            claims.append(row)
            themes += [(claim_id, name, theme) for name, theme in zip(claim.themes, resolved, strict=True)]
            links += [(claim_id, kind, other) for kind in ("supports", "disputes") for other in getattr(claim, kind)]
            claim.themes = list(dict.fromkeys(t for t in resolved if t))
    db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", claims)
    db.executemany("INSERT INTO claim_themes VALUES (?, ?, ?)", themes)
    db.executemany("INSERT INTO claim_links VALUES (?, ?, ?)", links)


def _old_claim(db: sqlite3.Connection, row: tuple[Any, ...]) -> list[Any]:
    """A claim as the claims table has it (file, line, lines, body, its themes as resolved): call before its
    rows are replaced."""
    themes = db.execute("SELECT theme FROM claim_themes WHERE id = ? AND theme IS NOT NULL ORDER BY rowid", (row[0],))
    return [row[1], row[2], row[4], row[3], list(dict.fromkeys(t for (t,) in themes))]


def _pend(db: sqlite3.Connection, kind: str, key: str, before: object) -> None:
    """Record that a thing changed, as it was at the last build and at the last analysis (kept if it changed
    once already)."""
    record(db, kind, key, orjson.dumps(before).decode())


def record(db: sqlite3.Connection, kind: str, key: str, before: str = "null") -> None:
    """Record a change as pending (for the next build that goes through) and as unanalysed (for stage 4,
    which may have run in a build that did not go through: its tables move by what changed since)."""
    for table in ("pending", "unanalysed"):
        db.execute(f"INSERT OR IGNORE INTO {table} VALUES (?, ?, ?)", (kind, key, before))


def pend_flag(db: sqlite3.Connection, name: str) -> None:
    """Record that something other than a work or claim changed (see Changes' flags)."""
    record(db, "flag", name)


def pending_changes(db: sqlite3.Connection, since: str = "pending") -> Changes:
    """What changed since the last build that went through (or, `since` "unanalysed", since stage 4 last
    ran): each thing before (as recorded) and now."""
    changes = Changes()
    rows = db.execute(f"SELECT kind, key, before FROM {since}").fetchall()  # (one of two table names)
    flags = {key for kind, key, _ in rows if kind == "flag"}
    for name in flags:
        setattr(changes, name, True)
    changes.everything |= changes.settings  # (another base IRI, title or litgraph: everything is made anew)
    changes.files = {key for kind, key, _ in rows if kind == "file"}
    if changes.everything:
        return changes
    tables = Tables(db)
    works = {key: orjson.loads(before) for kind, key, before in rows if kind == "work"}
    now_works = tables.works(works)
    for key, before in works.items():
        old, now = (work_from(before[2], before[0], before[1]) if before else None), now_works.get(key)
        if old is None or now is None or work_json(old) != work_json(now):
            changes.works[key] = (old, now)
    claims = {key: orjson.loads(before) for kind, key, before in rows if kind == "claim"}
    now_claims = tables.claims(claims)
    for key, before in claims.items():
        was = claim_from(before[3], before[0], before[1], before[2]) if before else None
        if was is not None:
            was.themes = before[4]
        is_now = now_claims.get(key)
        if was is None or is_now is None or claim_json(was) != claim_json(is_now) or was.themes != is_now.themes:
            changes.claims[key] = (was, is_now)
    return changes


def clear_pending(db: sqlite3.Connection) -> None:
    """A build carried every change through: none is pending."""
    db.execute("DELETE FROM pending")


def differently_resolved(db: sqlite3.Connection, lookup: ThemeLookup) -> list[str]:
    """The ids of the claims some of whose theme names resolve otherwise under the theme scheme now."""
    moved = [name for name, theme in db.execute("SELECT DISTINCT name, theme FROM claim_themes")
             if lookup.resolve(name) != theme]  # fmt: skip
    return sorted({i for (i,) in rows_in(db, "SELECT DISTINCT id FROM claim_themes WHERE name IN {in}", moved)})
