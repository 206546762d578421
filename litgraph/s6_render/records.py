"""What the site holds, file by file: the digest each was made from, and the file's identity (size, time,
inode) as written. A file whose digest is unchanged and whose identity is as recorded is kept from the
live site by a hard link into the new one, never rendered again; any other is written anew.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TABLES = (
    """CREATE TABLE IF NOT EXISTS pages(name TEXT PRIMARY KEY, digest TEXT NOT NULL, size INTEGER NOT NULL,
       mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS fragments(name TEXT PRIMARY KEY, digest TEXT NOT NULL, body BLOB NOT NULL)",
)


@dataclass(frozen=True)
class Record:
    digest: str
    size: int
    mtime_ns: int
    inode: int


class Records:
    """The pages of the live site as recorded, and those of the site being made."""

    def __init__(self, db: sqlite3.Connection, live: Path | None, staging: Path):
        self.db, self.live, self.staging = db, live, staging
        self.before = {} if live is None else {n: Record(*r) for n, *r in db.execute("SELECT * FROM pages")}
        self.now: dict[str, Record] = {}

    def recorded(self, name: str) -> str | None:
        found = self.before.get(name)
        return found.digest if found else None

    def keep(self, name: str, digest: str) -> bool:
        """Link the live site's file into the new site if it was made from `digest` and is as written."""
        found = self.before.get(name)
        if found is None or found.digest != digest or self.live is None:
            return False
        try:
            info = os.stat(os.path.join(self.live, name))
            if (info.st_size, info.st_mtime_ns, info.st_ino) != (found.size, found.mtime_ns, found.inode):
                return False
            target = os.path.join(self.staging, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(os.path.join(self.live, name), target)
        except OSError:
            return False
        self.now[name] = found
        return True

    def wrote(self, name: str, digest: str) -> None:
        """Record a file written into the new site."""
        info = os.stat(os.path.join(self.staging, name))
        self.now[name] = Record(digest, info.st_size, info.st_mtime_ns, info.st_ino)

    def add(self, records: Iterable[tuple[str, Record]]) -> None:
        self.now.update(records)

    def save(self) -> None:
        """The new site's records (called once it is ready to be swapped in; committed with the build): only
        those that differ from the live site's are written (a rebuild keeps most)."""
        before = (
            self.before
            if self.live is not None
            else {n: Record(*r) for n, *r in self.db.execute("SELECT * FROM pages")}
        )
        self.db.executemany("DELETE FROM pages WHERE name = ?", [(n,) for n in before if n not in self.now])
        self.db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)",
                            [(n, r.digest, r.size, r.mtime_ns, r.inode) for n, r in sorted(self.now.items()) if before.get(n) != r])  # fmt: skip


def fragment(db: sqlite3.Connection, name: str, digest: str) -> bytes | None:
    row = db.execute("SELECT digest, body FROM fragments WHERE name = ?", (name,)).fetchone()
    return row[1] if row and row[0] == digest else None


def update_fragments(db: sqlite3.Connection, prefix: str, names: set[str], made: dict[str, tuple[str, bytes]]) -> None:
    """The pieces of a page whose names start with `prefix`: `names` are those it holds now, `made` those
    made now (name -> (digest, body)); the others are dropped."""
    gone = [(n,) for (n,) in db.execute("SELECT name FROM fragments WHERE name >= ? AND name < ?", (prefix, prefix + "\uffff"))
            if n not in names]  # fmt: skip
    db.executemany("DELETE FROM fragments WHERE name = ?", gone)
    db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)", [(n, d, b) for n, (d, b) in made.items()])


def site_as_recorded(db: sqlite3.Connection, site: Path) -> bool:
    """Whether every file the records name is in `site` as written (and nothing is missing)."""
    try:
        folder = os.open(site, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        found = False
        for name, size, mtime, inode in db.execute("SELECT name, size, mtime_ns, inode FROM pages"):
            found = True
            info = os.stat(name, dir_fd=folder)
            if (info.st_size, info.st_mtime_ns, info.st_ino) != (size, mtime, inode):
                return False
        return found
    except OSError:
        return False
    finally:
        os.close(folder)
