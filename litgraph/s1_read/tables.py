"""What the inputs say, as tables in the build's state database: stage 1's output, every later stage's input.

Two layers. What each input file parsed to, by the digest of its bytes (and of each claim item's text):
`files`, `bib_entries`, `claim_items`. And the project's things as the build sees them, each once, with a
digest of its content: `works` (a .bib entry with the accepted proposals of `litgraph enrich` filled in),
`claims`, `questions`, `themes`, `citations`. A rebuild compares the second layer before and after (see
s1_read/reading.py: `Changes`), and the later stages redo only what the changed things reach.

Things are kept as JSON (text, numbers, lists), made from the model's dataclasses by their fields, so a
field added to a dataclass is kept without a list to update here.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from litgraph.model import Claim, Person, Question, Theme, Work
from litgraph.plumbing.statedb import rows_in

TABLES = (
    """CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, kind TEXT NOT NULL, size INTEGER, mtime_ns INTEGER,
       inode INTEGER, digest TEXT, parsed TEXT, problems TEXT)""",
    """CREATE TABLE IF NOT EXISTS bib_entries(file TEXT NOT NULL, key TEXT NOT NULL, line INTEGER NOT NULL,
       body TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS bib_entries_file ON bib_entries(file)",
    "CREATE INDEX IF NOT EXISTS bib_entries_key ON bib_entries(key, file)",  # (covers the duplicates' check)
    """CREATE TABLE IF NOT EXISTS claim_items(file TEXT NOT NULL, ord INTEGER NOT NULL, line INTEGER NOT NULL,
       digest TEXT NOT NULL, id TEXT, body TEXT, lines TEXT, problems TEXT, PRIMARY KEY(file, ord))""",
    "CREATE INDEX IF NOT EXISTS claim_items_id ON claim_items(id)",
    # the few items with problems, found without reading them all (s2_check.references.reading_problems)
    "CREATE INDEX IF NOT EXISTS claim_items_problems ON claim_items(file, ord) WHERE problems IS NOT NULL",
    # incomplete: the work has no title (nor a reason for none) or no year (nor a reason for none); the few
    # such works are found by their index without reading every work (s2_check.references)
    """CREATE TABLE IF NOT EXISTS works(key TEXT PRIMARY KEY, file TEXT NOT NULL, line INTEGER NOT NULL,
       entry_type TEXT NOT NULL, body TEXT NOT NULL, digest TEXT NOT NULL, incomplete INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS works_file ON works(file)",
    "CREATE INDEX IF NOT EXISTS works_incomplete ON works(file, line) WHERE incomplete",
    """CREATE TABLE IF NOT EXISTS claims(id TEXT PRIMARY KEY, file TEXT NOT NULL, line INTEGER NOT NULL,
       lines TEXT NOT NULL, source TEXT NOT NULL, reported_in TEXT, question TEXT, stance TEXT, evidence TEXT,
       body TEXT NOT NULL, digest TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS claims_file ON claims(file)",
    "CREATE INDEX IF NOT EXISTS claims_source ON claims(source)",
    "CREATE INDEX IF NOT EXISTS claims_citation ON claims(reported_in, source)",  # (covers the citation pairs)
    "CREATE INDEX IF NOT EXISTS claims_question ON claims(question)",
    "CREATE TABLE IF NOT EXISTS claim_themes(id TEXT NOT NULL, name TEXT NOT NULL, theme TEXT)",
    "CREATE INDEX IF NOT EXISTS claim_themes_id ON claim_themes(id)",
    "CREATE INDEX IF NOT EXISTS claim_themes_theme ON claim_themes(theme)",
    "CREATE INDEX IF NOT EXISTS claim_themes_name ON claim_themes(name)",
    "CREATE TABLE IF NOT EXISTS claim_links(id TEXT NOT NULL, kind TEXT NOT NULL, other TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS claim_links_id ON claim_links(id)",
    "CREATE INDEX IF NOT EXISTS claim_links_other ON claim_links(other)",
    """CREATE TABLE IF NOT EXISTS questions(id TEXT PRIMARY KEY, file TEXT NOT NULL, line INTEGER NOT NULL,
       body TEXT NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS themes(id TEXT PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS citations(citing TEXT NOT NULL, cited TEXT NOT NULL, file TEXT, line INTEGER)",
    "CREATE INDEX IF NOT EXISTS citations_citing ON citations(citing)",
    "CREATE INDEX IF NOT EXISTS citations_cited ON citations(cited)",
    # works cited that are not in the bibliography (citation files' cites_outside): what the data records
    "CREATE TABLE IF NOT EXISTS outside_citations(citing TEXT NOT NULL, body TEXT NOT NULL, file TEXT, line INTEGER)",
    "CREATE INDEX IF NOT EXISTS outside_citations_file ON outside_citations(file)",
    "CREATE TABLE IF NOT EXISTS facts(name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pending(kind TEXT NOT NULL, key TEXT NOT NULL, before TEXT, PRIMARY KEY(kind, key))",
    # the same since the last analysis (stage 4 moves its tables by what changed since it last ran)
    "CREATE TABLE IF NOT EXISTS unanalysed(kind TEXT NOT NULL, key TEXT NOT NULL, before TEXT, PRIMARY KEY(kind, key))",
)


def digest(text: str | bytes) -> str:
    """A short digest of some content (what the state compares to find what changed)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# --- the model as JSON, by its dataclasses' fields ---------------------------------------------------------

_WORK_FIELDS = [f for f in dataclasses.fields(Work) if f.name not in ("path", "line")]
_CLAIM_FIELDS = [f for f in dataclasses.fields(Claim) if f.name not in ("path", "line", "lines")]
_PEOPLE = ("authors", "editors")
_PERSON_FIELDS = tuple(f.name for f in dataclasses.fields(Person))


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


_WORK_DEFAULTS = {f.name: _default(f) for f in _WORK_FIELDS}
_CLAIM_DEFAULTS = {f.name: _default(f) for f in _CLAIM_FIELDS}


def work_json(work: Work) -> str:
    """The work as JSON (its fields but where it stands; defaults left out)."""
    out: dict[str, Any] = {}
    for name, default in _WORK_DEFAULTS.items():
        value = getattr(work, name)
        if value != default:
            out[name] = [[getattr(p, f) for f in _PERSON_FIELDS] for p in value] if name in _PEOPLE else value
    return orjson.dumps(out).decode("utf-8")


@functools.lru_cache(maxsize=1024)
def _path(name: str) -> Path:
    """An input file's Path (one object per file, however many rows stand in it)."""
    return Path(name)


def untitled_undated(work: Work) -> tuple[bool, bool]:
    """Whether the work has no title (nor a reason for none), and whether it has no year (nor a reason)."""

    def unset(name: str) -> bool:
        return getattr(work, name) in (None, _WORK_DEFAULTS[name])

    return unset("title") and unset("untitled_reason"), unset("year") and unset("undated")


def work_from(body: str | bytes, path: str, line: int) -> Work:
    values = orjson.loads(body)
    for name in _PEOPLE:
        if name in values:
            values[name] = [Person(*p) for p in values[name]]
    return Work(path=_path(path), line=line, **values)


def claim_json(claim: Claim) -> str:
    """The claim as JSON (its fields but where it stands; defaults left out)."""
    out = {n: getattr(claim, n) for n, d in _CLAIM_DEFAULTS.items() if getattr(claim, n) != d}
    return orjson.dumps(out).decode("utf-8")


def claim_from(body: str | bytes, path: str, line: int, lines: str | bytes = b"{}") -> Claim:
    """The claim of a row: `lines` count from the claim's own first line (1), wherever it stands now."""
    where = {k: line + v - 1 for k, v in orjson.loads(lines).items()}
    return Claim(path=_path(path), line=line, lines=where, **orjson.loads(body))


def relative_lines(claim: Claim) -> str:
    """The claim's key lines counted from its first line (1): what claim_from takes."""
    return orjson.dumps({k: v - claim.line + 1 for k, v in claim.lines.items()}).decode("utf-8")


def theme_json(theme: Theme) -> str:
    return orjson.dumps(dataclasses.asdict(theme)).decode("utf-8")


def theme_from(body: str | bytes) -> Theme:
    return Theme(**orjson.loads(body))


def question_json(question: Question) -> str:
    values = dataclasses.asdict(question)
    del values["path"], values["line"]
    return orjson.dumps(values).decode("utf-8")


def question_from(body: str | bytes, path: str, line: int) -> Question:
    return Question(path=Path(path), line=line, **orjson.loads(body))


# --- reading the tables ----------------------------------------------------------------------------------


def citation_pairs_sql(side: str | None = None) -> str:
    """The SQL of every (citing, cited) pair of the project: from citation files, and from claims (a claim read
    in one work about another means the first cites the second). With `side` ("citing" or "cited"): only the
    pairs whose that side is in `{in}` (see plumbing.statedb.rows_in)."""
    on_citations = f" WHERE {side} IN {{in}}" if side else ""
    on_claims = f" AND {dict(citing='reported_in', cited='source')[side]} IN {{in}}" if side else ""
    return (
        f"SELECT citing, cited FROM citations{on_citations} UNION SELECT reported_in, source FROM claims "
        f"WHERE reported_in IS NOT NULL AND reported_in != source{on_claims}"
    )


class Tables:
    """Read access to what the inputs say (the second layer), for the stages after reading."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def fact(self, name: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM facts WHERE name = ?", (name,)).fetchone()
        return orjson.loads(row[0]) if row else default

    def works(self, keys: Iterable[str] | None = None) -> dict[str, Work]:
        """The works with these keys (all: None), in key order."""
        query = "SELECT key, body, file, line FROM works"
        rows = self._rows(query, "key", keys)
        return {key: work_from(body, file, line) for key, body, file, line in sorted(rows)}

    def bib_works(self) -> dict[str, Work]:
        """The works as their .bib files have them (without the accepted proposals filled in; where two
        files hold a key, the first's), in the files' order."""
        found: dict[str, Work] = {}
        for key, file, line, body in self.db.execute(
            "SELECT key, file, line, body FROM bib_entries ORDER BY key, file"
        ):
            found.setdefault(key, work_from(body, file, line))
        return dict(sorted(found.items(), key=lambda item: (str(item[1].path), item[1].line)))

    def claims(self, ids: Iterable[str] | None = None) -> dict[str, Claim]:
        """The claims with these ids (all: None), in id order; `themes` are theme ids (see s2_check)."""
        rows = self._rows("SELECT id, body, file, line, lines FROM claims", "id", ids)
        claims = {i: claim_from(body, file, line, lines) for i, body, file, line, lines in sorted(rows)}
        query = "SELECT id, theme, rowid FROM claim_themes WHERE theme IS NOT NULL"
        resolved = self._rows(query, "id", None if ids is None else list(claims))
        themes: dict[str, dict[str, None]] = {}
        for claim_id, theme, _ in sorted(resolved, key=lambda r: r[2]):  # (as written, each once)
            themes.setdefault(claim_id, {})[theme] = None
        for claim_id, claim in claims.items():
            claim.themes = list(themes.get(claim_id, {}))
        return claims

    def _rows(self, query: str, column: str, keys: Iterable[str] | None) -> list[tuple[Any, ...]]:
        if keys is None:
            return self.db.execute(query).fetchall()
        joiner = " AND " if " WHERE " in query else " WHERE "
        return rows_in(self.db, f"{query}{joiner}{column} IN {{in}}", sorted(set(keys)))

    def themes(self) -> dict[str, Theme]:
        return {i: theme_from(body) for i, body in self.db.execute("SELECT id, body FROM themes ORDER BY id")}

    def questions(self) -> dict[str, Question]:
        rows = self.db.execute("SELECT id, body, file, line FROM questions ORDER BY id")
        return {i: question_from(body, file, line) for i, body, file, line in rows}

    def claim_ids(self, column: str, value: str) -> list[str]:
        """The ids of the claims whose `column` (source, reported_in, question) is `value`, sorted."""
        assert column in ("source", "reported_in", "question")
        return [i for (i,) in self.db.execute(f"SELECT id FROM claims WHERE {column} = ? ORDER BY id", (value,))]

    def citation_pairs(self) -> list[tuple[str, str]]:
        """Every (citing, cited) pair of the project, once each, sorted: from citation files, and from claims
        (a claim read in one work about another means the first cites the second)."""
        return [(a, b) for a, b in self.db.execute(citation_pairs_sql() + " ORDER BY 1, 2")]

    def citation_count(self) -> int:
        """How many (citing, cited) pairs citation_pairs gives."""
        return int(self.db.execute(f"SELECT count(*) FROM ({citation_pairs_sql()})").fetchone()[0])

    def cites_of(self, keys: list[str]) -> dict[str, list[str]]:
        """What each of these works cites (keys, sorted): from citation files and from claims."""
        return self._citations(keys, outgoing=True)

    def cited_by(self, keys: list[str]) -> dict[str, list[str]]:
        """The works that cite each of these works (keys, sorted)."""
        return self._citations(keys, outgoing=False)

    def _citations(self, keys: list[str], outgoing: bool) -> dict[str, list[str]]:
        """Each work's citations (pairs from citation files and claims) on one side: what it cites
        (`outgoing`) or what cites it."""
        found: dict[str, set[str]] = {}
        for citing, cited in rows_in(self.db, citation_pairs_sql("citing" if outgoing else "cited"), sorted(set(keys))):
            key, other = (citing, cited) if outgoing else (cited, citing)
            found.setdefault(key, set()).add(other)
        return {k: sorted(v) for k, v in found.items()}

    def entry_types(self, keys: list[str]) -> dict[str, str]:
        return dict(self._rows("SELECT key, entry_type FROM works", "key", keys))
