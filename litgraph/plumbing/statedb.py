"""The build's state: one SQLite database in the project's state folder (.litgraph/state.sqlite).

It holds what each stage made from the inputs, by digest (the items each input file parsed to, the graph
units, the analysis, the digests of the pages), so that a rebuild redoes only what its inputs changed.
Each stage owns its tables and declares them (`TABLES` in its module); the build composes them. A build is
one transaction: a build that fails or is stopped leaves the state as the last build left it.

SQLite stores text and numbers, never objects: nothing read back can run code. The schema's version is
SQLite's user_version: a database of another version is dropped and rebuilt, never misread.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

STATE_FILE = "state.sqlite"
STATE_VERSION = 9  # bump when a stage's tables change: a state of another version is emptied and built anew


def _pragma_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def open_state(path: Path | None, tables: Iterable[str], version: int | None = None) -> sqlite3.Connection:
    """The state database at `path` (":memory:" for None: a build without caching), with `tables` (DDL
    statements) in place; one of another `version` is emptied first."""
    db = sqlite3.connect(":memory:" if path is None else str(path), isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA trusted_schema = OFF")  # (defensive: no view or trigger may call functions)
    db.execute("PRAGMA journal_mode = WAL" if path is not None else "PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA cache_size = -262144")  # 256 MiB
    version = STATE_VERSION if version is None else version
    if _pragma_version(db) != version:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            if not name.startswith("sqlite_"):
                db.execute(f'DROP TABLE "{name}"')
        db.execute(f"PRAGMA user_version = {int(version)}")
    for statement in tables:
        db.execute(statement)
    return db


def dumps(value: object) -> str:
    """JSON text of plain data (orjson; the state's one encoding)."""
    return orjson.dumps(value).decode("utf-8")


def loads(text: str | bytes) -> object:
    return orjson.loads(text)


def read_fact(path: Path, name: str) -> object | None:
    """A fact recorded in the state database at `path` (None where there is none, or the database is of
    another version), read without opening it for writing (what a query checks before anything else)."""
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if _pragma_version(db) != STATE_VERSION:
                return None
            row = db.execute("SELECT value FROM facts WHERE name = ?", (name,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return loads(row[0]) if row else None


def rows_in(
    db: sqlite3.Connection, query: str, values: Sequence[Any], first: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """The rows of `query` for many values: each `{in}` in it stands for a list of them, `(?, ?, ...)`, bound
    500 at a time (a few hundred values per statement keep SQLite's plans on its indexes and under any build's
    limit of bound values); `first` are bound before each chunk."""
    found: list[tuple[Any, ...]] = []
    places = query.count("{in}")
    step = max(1, 500 // max(1, places))
    for start in range(0, len(values), step):
        chunk = list(values[start : start + step])
        marks = "(" + ",".join("?" * len(chunk)) + ")"
        found += db.execute(query.replace("{in}", marks), [*first, *chunk * places]).fetchall()
    return found


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises (or is interrupted)."""
    db.execute("BEGIN")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def distinct(db: sqlite3.Connection, table: str, column: str) -> list[Any]:
    """The distinct values (but NULL) of an indexed column, in order, by walking its index from one value to
    the next (a few look-ups per value: SQLite's DISTINCT reads every row). Names are the caller's own."""
    step = f"SELECT min({column}) FROM {table}"
    return [v for (v,) in db.execute(f"WITH RECURSIVE v(x) AS ({step} UNION ALL SELECT ({step} WHERE {column} > x) "
                                     "FROM v WHERE x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL")]  # fmt: skip
