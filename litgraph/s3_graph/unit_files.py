"""Building a graph unit: its triples from the state's tables, written as the files every later use reads.

Under .litgraph/units/, named after the unit's digest: its triples as N-Triples (what the SHACL check and
the store read), and its Turtle and JSON-LD bodies (site/graph.ttl and graph.jsonld are these, put
together in unit order). A unit is built where its files are missing or its digest is new. Many units are
built by worker processes, each reading the state's tables itself (they are committed before).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyoxigraph as ox

from litgraph.plumbing.files import atomic_file
from litgraph.plumbing.workers import BackgroundMap, cores
from litgraph.s1_read.tables import Tables
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.s3_graph.serialize import jsonld_body, ntriples, parse_ntriples, turtle_body
from litgraph.s3_graph.triples import RDF_TYPE_IRI, GraphBuilder, agent_triples
from litgraph.s3_graph.units import Unit

EXTENSIONS = ("nt", "ttl", "jsonld")
WORKER_UNITS = 64  # below this many units to build, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Built:
    """A unit built now: its triple count, and its rdf:type lines (N-Triples) by subject."""

    name: str
    count: int
    types: dict[str, str]


def unit_path(folder: Path, unit: Unit, ext: str) -> Path:
    return folder / f"{unit.inputs}.{ext}"


def has_files(folder: Path, unit: Unit) -> bool:
    return all(unit_path(folder, unit, ext).is_file() for ext in EXTENSIONS)


def unit_triples(tables: Tables, unit: Unit, builder: GraphBuilder) -> list[ox.Triple]:
    """The triples of a unit, from the tables as they are now."""
    if unit.kind == "ontology":
        vocabulary = (tables.fact("vocabulary") or [{}, {}, []])[2]
        individuals = parse_ntriples("".join(vocabulary).encode("utf-8"))
        return [*builder.theme_triples(tables.themes(), tables.fact("scheme_title") or {}), *individuals]
    if unit.kind == "works":
        cites = tables.cites_of(list(unit.members))
        return [
            t
            for key, work in tables.works(unit.members).items()
            for t in builder.work_triples(work, cites.get(key, []))
        ]
    if unit.kind == "agents":
        return list(agent_triples(_agents(tables.db, list(unit.members))))
    if unit.kind == "questions":
        lookup = ThemeLookup(tables.themes())
        triples: list[ox.Triple] = []
        for question in tables.questions().values():
            question.themes = [t for t in (lookup.resolve(n) for n in question.themes) if t]
            triples += builder.question_triples(question)
        return triples
    return [t for claim in tables.claims(unit.members).values() for t in builder.claim_triples(claim)]


def _agents(db: sqlite3.Connection, iris: list[str]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The agents with these IRIs (sorted), each as the last work naming it describes it."""
    found = []
    for iri in iris:
        row = db.execute(
            "SELECT body FROM work_agents WHERE iri = ? ORDER BY key DESC, pos DESC LIMIT 1", (iri,)
        ).fetchone()
        kind, props = orjson.loads(row[0])
        found.append((iri, kind, [tuple(p) for p in props]))
    return found  # type: ignore[return-value]


def write_unit(folder: Path, unit: Unit, triples: list[ox.Triple], base_iri: str) -> Built:
    """A unit's files, and what the build records of it."""
    files = {"nt": ntriples(triples), "ttl": turtle_body(triples, base_iri), "jsonld": jsonld_body(triples)}
    for ext, data in files.items():
        with atomic_file(unit_path(folder, unit, ext)) as handle:
            handle.write(data)
    types: dict[str, str] = {}
    for t in triples:
        if t.predicate.value == RDF_TYPE_IRI:
            key = t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject)
            types[key] = types.get(key, "") + f"{t.subject} {t.predicate} {t.object} .\n"
    return Built(unit.name, len(triples), types)


def _build_some(state: str, folder: str, units: list[Unit], base_iri: str) -> list[Built]:
    """Build these units from the state database at `state` (in a worker process: it reads the committed
    tables itself)."""
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
    try:
        return _build(Tables(db), Path(folder), units, base_iri)
    finally:
        db.close()


def _build(tables: Tables, folder: Path, units: list[Unit], base_iri: str) -> list[Built]:
    evidence = (tables.fact("vocabulary") or [{}, {}])[1]
    builder = GraphBuilder(base_iri, evidence)
    return [write_unit(folder, u, unit_triples(tables, u, builder), base_iri) for u in units]


class UnitBuild:
    """Units being built (see `build_units`): in worker processes when there are many and the state is a
    file they can read (its tables committed), while this process goes on; `result()` waits for them."""

    def __init__(self, db: sqlite3.Connection, state: Path | None, folder: Path, units: list[Unit], base_iri: str):
        folder.mkdir(parents=True, exist_ok=True)
        workers = min(cores(), len(units) // WORKER_UNITS) if state is not None else 1
        self._here: tuple[Tables, Path, list[Unit], str] | None = None
        self._workers: BackgroundMap[list[Built]] | None = None
        if workers < 2:
            self._here = (Tables(db), folder, units, base_iri)
            return
        shares = [units[i::workers] for i in range(workers)]  # (interleaved: the kinds' costs spread evenly)
        self._workers = BackgroundMap(
            _build_some, [str(state)] * workers, [str(folder)] * workers, shares, [base_iri] * workers
        )

    def result(self) -> list[Built]:
        if self._workers is not None:
            return [b for part in self._workers.result() for b in part]
        assert self._here is not None
        return _build(*self._here)

    def cancel(self) -> None:
        if self._workers is not None:
            self._workers.cancel()


def build_units(
    db: sqlite3.Connection, state: Path | None, folder: Path, units: list[Unit], base_iri: str
) -> list[Built]:
    """Build these units (their files in `folder`) and return what is recorded of them."""
    return UnitBuild(db, state, folder, units, base_iri).result()


def prune_units(folder: Path, units: list[Unit]) -> None:
    """Remove the files of units that are no longer part of the graph."""
    if not folder.is_dir():
        return
    keep = {u.inputs for u in units}
    for entry in os.scandir(folder):
        if entry.name.split(".", 1)[0] not in keep:
            os.unlink(entry.path)
