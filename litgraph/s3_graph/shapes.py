"""Checking the graph against the project's SHACL shapes (the `shacl` package: a Rust engine that compiles
the shapes once and checks about 240k triples a second here).

The project's shapes look only at a focus node's own triples and at the classes of the nodes it points at,
so a unit can be checked alone, given the rdf:type triples of what it points at (`node_types`, filled as
units are built). A unit that conformed before under the same engine, shapes and vocabulary is not checked
again (`shacl_passed`). When most of the graph is to be checked (a first build), it is checked in one
pass over the units' files, in a process of its own while the build goes on (see build.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from litgraph.errors import GraphError
from litgraph.plumbing.statedb import distinct
from litgraph.plumbing.workers import Background
from litgraph.s3_graph.serialize import ntriples
from litgraph.s3_graph.shape_languages import DEFAULT as DEFAULT_LANGUAGES
from litgraph.s3_graph.shape_languages import shapes_for_languages
from litgraph.s3_graph.unit_files import Built, unit_path
from litgraph.s3_graph.units import Unit

ENGINE = "shacl-0.3"  # part of what a passed unit's record stands for: another engine checks again
BACKGROUND_BYTES = 1 << 24  # N-Triples: a smaller graph is checked faster than a process starts
WHOLE_SHARE = 0.5  # when units holding more than this share of the graph need checking, check it whole

TABLES = (
    "CREATE TABLE IF NOT EXISTS node_types(iri TEXT PRIMARY KEY, unit TEXT NOT NULL, types TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS node_types_unit ON node_types(unit)",
    "CREATE TABLE IF NOT EXISTS shacl_passed(digest TEXT PRIMARY KEY)",
)


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.focus}{' ' + self.path if self.path else ''}: {self.message}"


@lru_cache(maxsize=4)
def _compiled(shapes_text: str) -> Any:
    import shacl  # the engine loads only where something is checked

    try:
        return shacl.Shapes.from_turtle(shapes_text)
    except ValueError as exc:
        raise GraphError(f"ontology/shapes.ttl: the SHACL shapes cannot be used ({exc}); fix the file, or delete it "
                         "to use the packaged shapes") from None  # fmt: skip


def _plain(term: str | None) -> str | None:
    """An N-Triples IRI as the bare IRI ("<http://x>" -> "http://x"); blank nodes stay "_:id"."""
    return term[1:-1] if term and term.startswith("<") and term.endswith(">") else term


def violations_in(data: str, owned: set[str] | None, shapes_text: str, vocabulary_nt: str) -> set[Violation]:
    """The violations in N-Triples `data` (with the vocabulary's N-Triples for the class hierarchy) whose
    focus node is `owned` (all: None)."""
    report = _compiled(shapes_text).validate_text(data + vocabulary_nt, format="ntriples")
    if report.conforms:
        return set()
    found = set()
    for result in report.results:
        focus = _plain(result.focus_node) or ""
        if (owned is None or focus in owned) and result.severity == "Violation":
            found.add(Violation(focus, _plain(result.path), result.message or result.component))
    return found


def _files_violations(files: list[str], shapes_text: str, vocabulary_nt: str) -> set[Violation]:
    """violations_in of the N-Triples files' concatenation (read here: in a worker process)."""
    return violations_in("".join(Path(f).read_text(encoding="utf-8") for f in files), None, shapes_text, vocabulary_nt)


def record_types(db: sqlite3.Connection, units: list[Unit], built: Iterable[Built]) -> None:
    """node_types of the units built now; those of units no longer in the graph dropped."""
    built = list(built)
    names = {u.name for u in units}
    gone = [(n,) for n in distinct(db, "node_types", "unit") if n not in names]
    db.executemany("DELETE FROM node_types WHERE unit = ?", gone + [(b.name,) for b in built])
    db.executemany("INSERT OR REPLACE INTO node_types VALUES (?, ?, ?)",
                   [(iri, b.name, lines) for b in built for iri, lines in b.types.items()])  # fmt: skip


class ShapeCheck:
    """The SHACL check of the units that need one, started on construction; `result()` waits for it and
    records the units that conformed. `cancel()` stops it (the build failed or was stopped meanwhile)."""

    def __init__(self, db: sqlite3.Connection, folder: Path, units: list[Unit], shapes: Path, vocabulary: Path,
                 languages: Sequence[str] = DEFAULT_LANGUAGES):  # fmt: skip
        self.db = db
        shapes_text = shapes_for_languages(shapes.read_text(encoding="utf-8"), languages)
        vocabulary_text = vocabulary.read_text(encoding="utf-8")
        setting = hashlib.sha256(f"{ENGINE}\0{shapes_text}\0{vocabulary_text}".encode()).hexdigest()
        self._digests = {u.name: hashlib.sha256(f"{setting}/{u.inputs}".encode()).hexdigest() for u in units}
        passed = {d for (d,) in db.execute("SELECT digest FROM shacl_passed")}
        self._todo = [u for u in units if self._digests[u.name] not in passed]
        self._whole: Background[set[Violation]] | None = None
        self._found: set[Violation] | None = None
        self._folder = folder
        if not self._todo:
            self._found = set()
            return
        parsed = ox.parse(vocabulary_text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
        vocabulary_nt = ntriples([q.triple for q in parsed]).decode("utf-8")
        sizes = {u.name: unit_path(folder, u, "nt").stat().st_size for u in units}
        todo_size = sum(sizes[u.name] for u in self._todo)
        if todo_size > WHOLE_SHARE * sum(sizes.values()):
            files = [str(unit_path(folder, u, "nt")) for u in units]
            if todo_size >= BACKGROUND_BYTES:
                self._whole = Background(_files_violations, files, shapes_text, vocabulary_nt)
            else:
                self._found = _files_violations(files, shapes_text, vocabulary_nt)
            return
        self._found = set()
        for unit in self._todo:
            own = unit_path(folder, unit, "nt").read_text(encoding="utf-8")
            self._found |= violations_in(own + self._pointed(unit, own), _subjects(own), shapes_text, vocabulary_nt)

    def _pointed(self, unit: Unit, own: str) -> str:
        """The rdf:type lines of the nodes a unit's triples point at (from the units that hold them)."""
        objects = {o for o in map(_object, own.splitlines()) if o is not None}
        found = []
        for iri in sorted(objects):
            row = self.db.execute("SELECT unit, types FROM node_types WHERE iri = ?", (iri,)).fetchone()
            if row is not None and row[0] != unit.name:
                found.append(row[1])
        return "".join(found)

    @property
    def in_background(self) -> bool:
        return self._whole is not None and self._found is None

    def cancel(self) -> None:
        if self._whole is not None:
            self._whole.cancel()

    def result(self) -> list[Violation]:
        """The violations (waiting for the check); the units that conformed are recorded."""
        if self._found is None:
            assert self._whole is not None
            self._found = self._whole.result()
        failed = {v.focus for v in self._found}
        passed = [
            u
            for u in self._todo
            if not failed or not failed & _subjects(unit_path(self._folder, u, "nt").read_text("utf-8"))
        ]
        self.db.executemany("INSERT OR IGNORE INTO shacl_passed VALUES (?)", [(self._digests[u.name],) for u in passed])
        return sorted(self._found, key=str)


def _subjects(ntriples_text: str) -> set[str]:
    """The subjects of N-Triples lines, as violations name focus nodes (bare IRIs, "_:id")."""
    return {_plain(line.split(" ", 1)[0]) or "" for line in ntriples_text.splitlines() if line}


def _object(line: str) -> str | None:
    """The IRI a triple points at, if its object is one (an N-Triples line of litgraph's: no IRI holds a space)."""
    rest = line.split(" ", 2)[2] if line.count(" ") >= 3 else ""
    return rest[1 : rest.index(">")] if rest.startswith("<") else None


def check_triples(
    triples: list[ox.Triple], shapes: Path, vocabulary: Path, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> list[Violation]:
    """Every SHACL violation of a whole graph given as triples ([] when it conforms)."""
    parsed = ox.parse(vocabulary.read_bytes(), format=ox.RdfFormat.TURTLE)
    vocabulary_nt = ntriples([q.triple for q in parsed]).decode("utf-8")
    shapes_text = shapes_for_languages(shapes.read_text(encoding="utf-8"), languages)
    found = violations_in(ntriples(triples).decode("utf-8"), None, shapes_text, vocabulary_nt)
    return sorted(found, key=str)
