"""The graph in units, each made from a known part of the inputs, with a digest of those inputs.

In output order: the theme scheme and vocabulary ("ontology"); each .bib file's works (by key); the people,
organisations and containers ("agents", by IRI); the questions; each claims file's claims (by id). Works,
agents and claims come in parts of about PER_UNIT, cut after each member whose key hashes to a multiple of
PER_UNIT: an edit changes the part it is in, and adding or removing a member moves no other cut.

A unit's digest stands for everything its triples are made from (and, for a claims unit, the classes of
the works it names, which the SHACL shapes look at), litgraph's version and the base IRI: a unit whose
digest is as recorded is neither built nor checked nor loaded again. A rebuild works out the digests of
the units the changes reach (`plan_units`), and keeps the others' as recorded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson

from litgraph.plumbing.chunks import cut
from litgraph.plumbing.statedb import distinct, rows_in
from litgraph.s1_read.changes import Changes
from litgraph.s1_read.tables import Tables, digest
from litgraph.s3_graph.triples import GraphBuilder
from litgraph.version import UNITS_FORMAT, __version__

PER_UNIT = 256
KIND_ORDER = ("ontology", "works", "agents", "questions", "claims")

TABLES = (
    """CREATE TABLE IF NOT EXISTS units(name TEXT PRIMARY KEY, kind TEXT NOT NULL, file TEXT NOT NULL,
       ord INTEGER NOT NULL, members TEXT NOT NULL, inputs TEXT NOT NULL, count INTEGER NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS work_agents(key TEXT NOT NULL, pos INTEGER NOT NULL, iri TEXT NOT NULL, body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS work_agents_key ON work_agents(key)",
    "CREATE INDEX IF NOT EXISTS work_agents_iri ON work_agents(iri, key, pos)",
)


@dataclass(frozen=True)
class Unit:
    """One unit of the graph: its name, kind, the input file it comes from ("" for project-wide ones), its
    place among the file's units, its members (keys, IRIs or ids) and the digest of its inputs."""

    name: str
    kind: str
    file: str
    ord: int
    members: tuple[str, ...]
    inputs: str

    @property
    def order(self) -> tuple[int, str, int]:
        return KIND_ORDER.index(self.kind), self.file, self.ord


def _name(kind: str, file: str, first: str) -> str:
    return f"{kind} {file} {first}".strip()


def _salted(*parts: object) -> str:
    return digest(orjson.dumps([UNITS_FORMAT, __version__, *parts]))


class Planner:
    """Works out units and their digests from the state's tables."""

    def __init__(self, db: sqlite3.Connection, base_iri: str):
        self.db, self.base = db, base_iri
        self.tables = Tables(db)

    def recorded(self) -> dict[str, Unit]:
        rows = self.db.execute("SELECT name, kind, file, ord, members, inputs FROM units")
        return {r[0]: Unit(r[0], r[1], r[2], r[3], tuple(orjson.loads(r[4])), r[5]) for r in rows}

    def recorded_units_in_order(self) -> list[Unit]:
        return sorted(self.recorded().values(), key=lambda u: u.order)

    def ontology(self) -> Unit:
        t = self.tables
        inputs = _salted(self.base, "ontology", [(i, x) for i, x in self.db.execute("SELECT id, body FROM themes ORDER BY id")],
                         t.fact("scheme_title"), (t.fact("vocabulary") or [{}, {}, []])[2])  # fmt: skip
        return Unit("ontology", "ontology", "", 0, (), inputs)

    def questions(self) -> Unit:
        themes = [t for (t,) in self.db.execute("SELECT body FROM themes ORDER BY id")]
        return Unit(
            "questions",
            "questions",
            "",
            0,
            (),
            _salted(self.base, "questions", self.tables.fact("questions") or [], themes),
        )

    def works_of(self, file: str) -> list[Unit]:
        rows = self.db.execute("SELECT key, digest FROM works WHERE file = ? ORDER BY key", (file,)).fetchall()
        return [self._works_unit(file, i, part) for i, part in enumerate(cut([k for k, _ in rows], PER_UNIT))]

    def _works_unit(self, file: str, ord_: int, part: Sequence[str]) -> Unit:
        digests = dict(rows_in(self.db, "SELECT key, digest FROM works WHERE key IN {in}", list(part)))
        cites = self.tables.cites_of(list(part))
        inputs = _salted(self.base, "works", file, [(k, digests[k], cites.get(k, [])) for k in part])
        return Unit(_name("works", file, part[0]), "works", file, ord_, tuple(part), inputs)

    def works_citing(self, unit: Unit, citing: set[str]) -> Unit:
        """A works unit whose members are as recorded, its inputs worked out again where one of them now
        cites otherwise (a claim read in it came, went or moved)."""
        return self._works_unit(unit.file, unit.ord, unit.members) if citing.intersection(unit.members) else unit

    def claims_of(self, file: str, evidence: dict[str, str]) -> list[Unit]:
        rows = self.db.execute(
            "SELECT id, digest, source, reported_in FROM claims WHERE file = ? ORDER BY id", (file,)
        ).fetchall()
        named = sorted({k for r in rows for k in r[2:4] if k})
        types = self.tables.entry_types(named)
        by_id = {r[0]: r for r in rows}
        units = []
        for i, part in enumerate(cut([r[0] for r in rows], PER_UNIT)):
            works = sorted({k for c in part for k in by_id[c][2:4] if k})
            inputs = _salted(
                self.base, "claims", file, [by_id[c][:2] for c in part], [types.get(k) for k in works], evidence
            )
            units.append(Unit(_name("claims", file, part[0]), "claims", file, i, tuple(part), inputs))
        return units

    def agents(self) -> list[Unit]:
        """Every agent unit (the agents of all works, by IRI, as the last work naming each describes it)."""
        rows = self.db.execute(
            "SELECT iri, body FROM (SELECT iri, body, row_number() OVER (PARTITION BY iri ORDER BY key DESC, pos DESC) AS r "
            "FROM work_agents) WHERE r = 1 ORDER BY iri"
        ).fetchall()
        bodies = dict(rows)
        units = []
        for i, part in enumerate(cut([iri for iri, _ in rows], PER_UNIT)):
            units.append(Unit(_name("agents", "", part[0]), "agents", "", i, tuple(part),
                              _salted(self.base, "agents", [(iri, bodies[iri]) for iri in part])))  # fmt: skip
        return units

    def update_agents(self, keys: Iterable[str] | None) -> None:
        """The agents each of these works names (all works: None), from the works as they are now."""
        builder = GraphBuilder(self.base, {})
        keys = None if keys is None else sorted(set(keys))
        if keys is None:
            self.db.execute("DELETE FROM work_agents")
        else:
            self.db.executemany("DELETE FROM work_agents WHERE key = ?", [(k,) for k in keys])
        rows = [(key, pos, iri, orjson.dumps([kind, props]).decode())
                for key, work in self.tables.works(keys).items()
                for pos, (iri, kind, props) in enumerate(builder.agents_of(work))]  # fmt: skip
        self.db.executemany("INSERT INTO work_agents VALUES (?, ?, ?, ?)", rows)


def plan_units(db: sqlite3.Connection, base_iri: str, changes: Changes) -> list[Unit]:
    """Every unit of the graph now, in output order, with the digest of its inputs: worked out anew for the
    units the changes reach, as recorded for the others."""
    planner = Planner(db, base_iri)
    evidence = (planner.tables.fact("vocabulary") or [{}, {}])[1]
    recorded = {} if changes.everything or changes.settings else planner.recorded()
    by_kind: dict[str, list[Unit]] = {k: [] for k in KIND_ORDER}
    for unit in recorded.values():
        by_kind[unit.kind].append(unit)
    files = {kind: sorted({u.file for u in by_kind[kind]}) for kind in ("works", "claims")}
    now_files = {kind: distinct(db, kind, "file") for kind in ("works", "claims")}
    everything = not recorded
    if everything:
        planner.update_agents(None)
    elif changes.works:
        planner.update_agents(changes.works)
    redo_works = set(now_files["works"]) if everything or changes.citations else (
        {w.path.as_posix() for w in changes.work_sides()} | {str(f) for f in changes.files})  # fmt: skip
    citing = {c.reported_in for c in changes.claim_sides() if c.reported_in}  # (their units: below)
    entry_changed = {k for k, (a, b) in changes.works.items() if a is None or b is None or a.entry_type != b.entry_type}
    redo_claims = set(now_files["claims"]) if everything or changes.vocabulary else (
        {c.path.as_posix() for c in changes.claim_sides()} | {str(f) for f in changes.files}
        | _claims_files_naming(db, entry_changed))  # fmt: skip
    units = [
        planner.ontology()
        if everything or changes.themes or changes.vocabulary
        else _one(recorded, "ontology", planner.ontology)
    ]
    for file in sorted(set(files["works"]) | set(now_files["works"])):
        units += (
            planner.works_of(file)
            if file in redo_works
            else [planner.works_citing(u, citing) for u in by_kind["works"] if u.file == file]
        )
    units += planner.agents() if everything or changes.works else sorted(by_kind["agents"], key=lambda u: u.order)
    units.append(
        planner.questions()
        if everything or changes.questions or changes.themes
        else _one(recorded, "questions", planner.questions)
    )
    for file in sorted(set(files["claims"]) | set(now_files["claims"])):
        units += (
            planner.claims_of(file, evidence)
            if file in redo_claims
            else [u for u in by_kind["claims"] if u.file == file]
        )
    return sorted(units, key=lambda u: u.order)


def _one(recorded: dict[str, Unit], name: str, make: object) -> Unit:
    return recorded[name] if name in recorded else make()  # type: ignore[operator]


def _claims_files_naming(db: sqlite3.Connection, keys: set[str]) -> set[str]:
    found: set[str] = set()
    for key in keys:
        found.update(
            f for (f,) in db.execute("SELECT DISTINCT file FROM claims WHERE source = ? OR reported_in = ?", (key, key))
        )
    return found


def record_units(db: sqlite3.Connection, units: list[Unit], counts: dict[str, int]) -> None:
    """The units of the graph now (with their triple counts: `counts` for those built now)."""
    before = {n: c for n, c in db.execute("SELECT name, count FROM units")}
    db.execute("DELETE FROM units")
    db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(u.name, u.kind, u.file, u.ord, orjson.dumps(list(u.members)).decode(), u.inputs,
                     counts.get(u.name, before.get(u.name, 0))) for u in units])  # fmt: skip
