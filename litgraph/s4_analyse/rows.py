"""A work and a claim as every listing shows them: one shape each, made in one place.

`WorkRow` and `ClaimRow` are what `--format json` prints (docs/json.md), what the site's pages and the map
show, and what the store's index holds: the CLI, the site and the store read these, never their own copy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import orjson

from litgraph.model import Claim, Work
from litgraph.plumbing.statedb import rows_in
from litgraph.s1_read.changes import Changes
from litgraph.s1_read.tables import Tables, digest
from litgraph.s3_graph.triples import work_class

TABLES = (
    """CREATE TABLE IF NOT EXISTS work_rows(key TEXT PRIMARY KEY, body TEXT NOT NULL, digest TEXT NOT NULL,
       sortkey TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS work_rows_sort ON work_rows(sortkey, key, digest)",  # (covering: the listing reads no row)
)


@dataclass(frozen=True)
class WorkRow:
    """A work as listings show it."""

    key: str
    type: str  # the BIBO class's name (AcademicArticle, Book, ...)
    title: str | None
    year: int | None
    first_author: str | None
    doi: str | None
    reference: str  # the full reference
    citation: str  # "Repper & Carter 2011"

    @property
    def sortkey(self) -> str:
        """Where the works listing puts it: by reference, as a reader looks for it."""
        return (self.reference or self.key).casefold()

    def json(self) -> dict[str, Any]:
        return dict(vars(self))  # (flat: asdict's deep copy costs seconds at 100k works)


def work_row(work: Work) -> WorkRow:
    return WorkRow(
        key=work.key,
        type=work_class(work.entry_type).rsplit("/", 1)[-1],
        title=work.title,
        year=work.year,
        first_author=work.first_author_family,
        doi=work.doi,
        reference=work.reference,
        citation=work.short_citation,
    )


WORK_ROW_FIELDS = tuple(f.name for f in fields(WorkRow))


def work_row_of(body: str | bytes) -> WorkRow:
    return WorkRow(**orjson.loads(body))


@dataclass(frozen=True)
class ClaimRow:
    """A claim as listings show it: its own fields (the text in the reader's language where it has it) and
    the short citations of the works it names."""

    id: str
    text: str
    lang: str
    texts: dict[str, str]
    source: str
    reported_in: str | None
    locator: str | None
    evidence: str | None
    question: str | None  # with `stance`: the question it takes a side on, and the side
    stance: str | None
    themes: list[str]
    note: str | None
    quote: str | None  # the exact words of the work, apart from the claim's own wording
    source_citation: str | None
    reported_in_citation: str | None
    source_reference: str | None

    def json(self) -> dict[str, Any]:
        return dict(vars(self))  # (its values are plain: asdict's deep copy is not needed)


CLAIM_ROW_FIELDS = tuple(f.name for f in fields(ClaimRow))


def claim_row(claim: Claim, works: Mapping[str, WorkRow], lang: str = "en") -> ClaimRow:
    """The claim's row, given the rows of the works it names (`works` by key) and the reader's language."""
    source, reporter = works.get(claim.source), works.get(claim.reported_in or "")
    on_question = bool(claim.question and claim.stance)
    shown_lang, text = claim.text_in(lang)
    return ClaimRow(
        id=claim.id,
        text=text,
        lang=shown_lang,
        texts=dict(claim.texts),
        source=claim.source,
        reported_in=claim.reported_in,
        locator=claim.locator,
        evidence=claim.evidence,
        question=claim.question if on_question else None,
        stance=claim.stance if on_question else None,
        themes=sorted(set(claim.themes)),
        note=claim.note,
        quote=claim.quote,
        source_citation=source.citation if source else None,
        reported_in_citation=reporter.citation if reporter else None,
        source_reference=source.reference if source else None,
    )


class Rows:
    """Rows from the state's tables: work rows as recorded, claim rows made from the claims and them."""

    def __init__(self, db: sqlite3.Connection, lang: str = "en"):
        self.db, self.lang = db, lang
        self.tables = Tables(db)
        self._works: dict[str, WorkRow] = {}
        self._claims: dict[str, ClaimRow] = {}

    def works(self, keys: Iterable[str]) -> dict[str, WorkRow]:
        wanted = sorted(k for k in set(keys) if k not in self._works)  # (not set - keys(): that walks them all)
        for (body,) in rows_in(self.db, "SELECT body FROM work_rows WHERE key IN {in}", wanted):
            row = work_row_of(body)
            self._works[row.key] = row
        return {k: self._works[k] for k in keys if k in self._works}

    def claims(self, ids: Iterable[str]) -> dict[str, ClaimRow]:
        """The rows of these claims (each made once: the pages and the map ask for the same ones)."""
        ids = list(ids)
        claims = self.tables.claims(sorted(i for i in set(ids) if i not in self._claims))
        works = self.works({k for c in claims.values() for k in (c.source, c.reported_in) if k})
        self._claims.update((i, claim_row(c, works, self.lang)) for i, c in claims.items())
        return {i: self._claims[i] for i in sorted(ids) if i in self._claims}


def update_work_rows(db: sqlite3.Connection, changes: Changes) -> set[str]:
    """The rows of the changed works (all, the first time) made again; the keys whose row changed."""
    tables = Tables(db)
    if changes.everything:
        db.execute("DELETE FROM work_rows")
        works = tables.works()
        rows = [work_row(w) for w in works.values()]
        db.executemany("INSERT INTO work_rows VALUES (?, ?, ?, ?)", [_row_values(r) for r in rows])
        return set(works)
    changed = set()
    now = tables.works(changes.works)
    for key in changes.works:
        before = db.execute("SELECT digest FROM work_rows WHERE key = ?", (key,)).fetchone()
        work = now.get(key)
        values = _row_values(work_row(work)) if work else None
        if values is None:
            db.execute("DELETE FROM work_rows WHERE key = ?", (key,))
        elif before is None or before[0] != values[2]:
            db.execute("INSERT OR REPLACE INTO work_rows VALUES (?, ?, ?, ?)", values)
        if (before is None) != (values is None) or (values is not None and before[0] != values[2]):
            changed.add(key)
    return changed


def _row_values(row: WorkRow) -> tuple[str, str, str, str]:
    body = orjson.dumps(row.json()).decode("utf-8")
    return row.key, body, digest(body), row.sortkey
