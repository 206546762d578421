"""Stage 1: the project's input files into the state's tables, reading again only what changed.

A file whose size, time and inode are as recorded is not opened; one whose bytes are as recorded is not
parsed; in a claims file that changed, only the items whose text changed are parsed (see claims.py). Then
the project's things are made again from what changed (changes.py), and what that changed is returned.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from litgraph.model import Problem
from litgraph.plumbing.workers import parallel_map
from litgraph.project import Project
from litgraph.s1_read.changes import (
    Changes,
    differently_resolved,
    pend_flag,
    pending_changes,
    record,
    update_claims,
    update_works,
)
from litgraph.s1_read.citations import read_citations_text
from litgraph.s1_read.inputs import InputFile, decode, identity, input_files, read_bytes
from litgraph.s1_read.ontology import OntologyResult, parse_turtle, read_evidence_types, read_themes
from litgraph.s1_read.parsing import ParsedItem, parse_bib, parse_claims, problem_rows
from litgraph.s1_read.proposals import Proposal, read_proposals_text
from litgraph.s1_read.questions import read_questions_text
from litgraph.s1_read.tables import Tables, digest, question_json, theme_json
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.s1_read.themes_yaml import read_themes_yaml
from litgraph.version import UNITS_FORMAT, __version__

READER_VERSION = "2"  # bump when what a reader makes of the same bytes changes: every file is read again
PARALLEL_BYTES = 4_000_000  # below this, starting worker processes costs more than it saves
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Changed:
    """An input file to read again: its bytes (None: it could not be read, see `problems`) and digest."""

    file: InputFile
    data: bytes | None
    sha: str | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.file.name


def set_fact(db: sqlite3.Connection, name: str, value: object) -> bool:
    """Record a fact of the build; True when it differs from what was recorded."""
    text = orjson.dumps(value).decode("utf-8")
    before = db.execute("SELECT value FROM facts WHERE name = ?", (name,)).fetchone()
    db.execute("INSERT OR REPLACE INTO facts VALUES (?, ?)", (name, text))
    return before is None or before[0] != text


def _find_changed(project: Project, db: sqlite3.Connection) -> tuple[list[Changed], list[str]]:
    """The input files that changed since they were last read, and the paths that are no longer inputs."""
    recorded = {row[0]: row for row in db.execute("SELECT path, kind, size, mtime_ns, inode, digest FROM files")}
    changed = []
    for found in input_files(project):
        row = recorded.pop(found.name, None)
        stat = identity(found.path)
        if row is not None and stat is not None and row[1:5] == (found.kind, stat.size, stat.mtime_ns, stat.inode):
            continue
        data = read_bytes(project, found.path)
        if isinstance(data, Problem):
            changed.append(Changed(found, None, None, [data]))
            continue
        sha = digest(data)
        if row is not None and stat is not None and row[1] == found.kind and row[5] == sha:
            db.execute("UPDATE files SET size = ?, mtime_ns = ?, inode = ? WHERE path = ?",
                       (stat.size, stat.mtime_ns, stat.inode, found.name))  # fmt: skip
            continue
        changed.append(Changed(found, data, sha))
    return changed, sorted(recorded)


def _record(db: sqlite3.Connection, changed: Changed, parsed: object, problems: list[Problem]) -> None:
    """The file's row: its identity, digest, what it parsed to (small files) and its problems."""
    stat = identity(changed.file.path) if changed.sha is not None else None
    db.execute(
        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (changed.name, changed.file.kind, stat and stat.size, stat and stat.mtime_ns, stat and stat.inode,
         changed.sha, orjson.dumps(parsed).decode(), orjson.dumps(problem_rows(changed.problems + problems)).decode()),
    )  # fmt: skip


def _decoded(project: Project, changed: Changed, fallback: str | None = None) -> str | None:
    if changed.data is None:
        return None
    text, problems = decode(changed.data, Path(changed.name), fallback)
    changed.problems += problems
    return text


def _forget(db: sqlite3.Connection, path: str) -> None:
    for table, column in (("files", "path"), ("bib_entries", "file"), ("claim_items", "file")):
        db.execute(f"DELETE FROM {table} WHERE {column} = ?", (path,))


def _in_workers(jobs: list[tuple[str, str]]) -> bool:
    return len(jobs) > 1 and sum(len(text) for _, text in jobs) >= PARALLEL_BYTES


def _read_bibs(project: Project, db: sqlite3.Connection, files: list[Changed]) -> set[str]:
    """The changed .bib files into bib_entries; the keys whose entries may have changed."""
    keys = {k for f in files for (k,) in db.execute("SELECT key FROM bib_entries WHERE file = ?", (f.name,))}
    texts = [(f, _decoded(project, f, "cp1252")) for f in files]
    jobs = [(f.name, text) for f, text in texts if text is not None]
    limit = [project.limits.string_bytes] * len(jobs)
    parsed = dict(zip([n for n, _ in jobs], parallel_map(parse_bib, [n for n, _ in jobs], [t for _, t in jobs], limit,
                                                         workers=None if _in_workers(jobs) else 1), strict=True))  # fmt: skip
    for changed, _ in texts:
        _forget(db, changed.name)
        result = parsed.get(changed.name)
        rows = [(changed.name, key, line, body) for key, line, body in (result.entries if result else [])]
        db.executemany("INSERT INTO bib_entries VALUES (?, ?, ?, ?)", rows)
        _record(db, changed, None, [])
        if result is not None:
            db.execute("UPDATE files SET problems = ? WHERE path = ?",
                       (orjson.dumps(problem_rows(changed.problems) + result.problems).decode(), changed.name))  # fmt: skip
        keys.update(row[1] for row in rows)
    return keys


def _known_items(db: sqlite3.Connection, path: str) -> dict[str, ParsedItem]:
    """What each item of a claims file parsed to at its last reading, by the digest of its text."""
    rows = db.execute("SELECT line, digest, id, body, lines, problems FROM claim_items WHERE file = ?", (path,))
    return {d: ParsedItem(line, d, i, b, ls, [tuple(p) for p in orjson.loads(ps or "[]")])  # type: ignore[misc]
            for line, d, i, b, ls, ps in rows}  # fmt: skip


def _read_claims(project: Project, db: sqlite3.Connection, files: list[Changed]) -> set[str]:
    """The changed claims files into claim_items (items whose text is unchanged are not parsed again, nor
    written again where they stand as they stood); the ids of the claims that may have changed."""
    texts = [(f, _decoded(project, f)) for f in files]
    jobs = [(f.name, text) for f, text in texts if text is not None]
    if _in_workers(jobs):  # (a first build of a large project: every item is new)
        results = dict(zip([n for n, _ in jobs], parallel_map(parse_claims, *zip(*jobs, strict=True)), strict=True))
    else:
        results = {name: parse_claims(name, text, _known_items(db, name)) for name, text in jobs}
    ids: set[str] = set()
    for changed, _ in texts:
        result = results.get(changed.name)
        ids |= _write_items(db, changed.name, result.items if result else [])
        _record(db, changed, None, [])
        if result is not None and result.problems:
            db.execute("UPDATE files SET problems = ? WHERE path = ?",
                       (orjson.dumps(problem_rows(changed.problems) + result.problems).decode(), changed.name))  # fmt: skip
    return ids


def _write_items(db: sqlite3.Connection, name: str, items: list[ParsedItem]) -> set[str]:
    """A claims file's items into claim_items, each written only where it is new or changed (one on another
    line has only its line moved, here and in its claim's row); the ids of the claims of the items written
    or gone."""
    old = {
        o: (d, line, i)
        for o, d, line, i in db.execute("SELECT ord, digest, line, id FROM claim_items WHERE file = ?", (name,))
    }
    ids: set[str] = set()
    rows, moved = [], []
    for ord_, item in enumerate(items):
        before = old.pop(ord_, None)
        if before is not None and before[:2] == (item.digest, item.line):
            continue
        if before is not None and before[0] == item.digest:  # the same text on another line: only the line moves
            moved.append((item.line, name, ord_, item.claim_id))
            continue
        ids.update(i for i in (item.claim_id, before[2] if before else None) if i)
        if before is not None:
            db.execute("DELETE FROM claim_items WHERE file = ? AND ord = ?", (name, ord_))
        rows.append((name, ord_, item.line, item.digest, item.claim_id, item.body, item.lines,
                     orjson.dumps(item.problems).decode() if item.problems else None))  # fmt: skip
    db.executemany("INSERT INTO claim_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("UPDATE claim_items SET line = ? WHERE file = ? AND ord = ?", [m[:3] for m in moved])
    db.executemany("UPDATE claims SET line = ? WHERE file = ? AND id = ?", [(m[0], m[1], m[3]) for m in moved if m[3]])
    for ord_, (_, _, claim_id) in old.items():  # (items the file no longer has)
        db.execute("DELETE FROM claim_items WHERE file = ? AND ord = ?", (name, ord_))
        if claim_id:
            ids.add(claim_id)
    return ids


def _flag(db: sqlite3.Connection, name: str, changed: bool) -> None:
    if changed:
        pend_flag(db, name)


def _read_ontology(project: Project, db: sqlite3.Connection, files: list[Changed]) -> None:
    """The theme scheme into `themes`, the vocabulary's evidence types and stances into the facts."""
    for changed in files:
        kind, where = changed.file.kind, Path(changed.name)
        result = OntologyResult()
        if changed.data is not None and kind == "themes":
            result = _themes_of(project, changed)
            db.execute("DELETE FROM themes")
            db.executemany(
                "INSERT INTO themes VALUES (?, ?)", [(t, theme_json(x)) for t, x in sorted(result.themes.items())]
            )
            _flag(
                db, "themes", set_fact(db, "themes", [digest(theme_json(x)) for _, x in sorted(result.themes.items())])
            )
            _flag(db, "themes", set_fact(db, "scheme_title", result.scheme_title))
        elif changed.data is not None and kind == "vocabulary":
            read_evidence_types(where, changed.data, result)
            order = sorted(result.individuals, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
            individuals = [f"{t.subject} {t.predicate} {t.object} .\n" for t in order]  # (as N-Triples lines)
            _flag(
                db, "vocabulary", set_fact(db, "vocabulary", [result.evidence_types, result.evidence_iris, individuals])
            )
        elif kind == "shapes":
            if changed.data is not None:
                parse_turtle(where, changed.data, result.problems)  # (its Turtle read here: a problem names its line)
            _flag(db, "shapes", set_fact(db, "shapes", changed.sha))
        _record(db, changed, None, result.problems)


def _themes_of(project: Project, changed: Changed) -> OntologyResult:
    """The themes of themes.ttl, or of themes.yaml (compiled to the same SKOS), labels required in the
    project's languages."""
    where = Path(changed.name)
    if where.suffix == ".yaml":
        return read_themes_yaml(where, changed.data or b"", _decoded(project, changed), project.languages)
    return read_themes(where, changed.data or b"", project.languages)


def _read_questions(project: Project, db: sqlite3.Connection, files: list[Changed]) -> None:
    for changed in files:
        text = _decoded(project, changed)
        questions, problems = read_questions_text(Path(changed.name), text) if text is not None else ([], [])
        db.execute("DELETE FROM questions")
        seen: set[str] = set()
        for q in questions:
            if q.id in seen:
                problems.append(Problem(q.path, q.line, f"question id {q.id!r} is used twice", "rename one"))
                continue
            seen.add(q.id)
            db.execute("INSERT INTO questions VALUES (?, ?, ?, ?)", (q.id, str(q.path), q.line, question_json(q)))
        _flag(db, "questions", set_fact(db, "questions", [question_json(q) for q in questions]))
        _record(db, changed, None, problems)


def _read_citation_files(project: Project, db: sqlite3.Connection, files: list[Changed]) -> None:
    for changed in files:
        text = _decoded(project, changed)
        result = read_citations_text(Path(changed.name), text) if text is not None else None
        db.execute("DELETE FROM citations WHERE file = ?", (changed.name,))
        db.execute("DELETE FROM outside_citations WHERE file = ?", (changed.name,))
        if result is not None:
            db.executemany("INSERT INTO citations VALUES (?, ?, ?, ?)",
                           [(c.citing, c.cited, changed.name, result.where[c][1]) for c in result.citations])  # fmt: skip
            db.executemany("INSERT INTO outside_citations VALUES (?, ?, ?, ?)",
                           [(c, orjson.dumps(f).decode(), changed.name, line) for c, f, line in result.outside])  # fmt: skip
        pend_flag(db, "citations")
        _record(db, changed, None, result.problems if result else [])


def _proposals(db: sqlite3.Connection) -> dict[str, Proposal]:
    """The proposals as last read (from the proposals file's row)."""
    row = db.execute("SELECT parsed FROM files WHERE kind = 'proposals'").fetchone()
    found = orjson.loads(row[0]) if row and row[0] else {}
    return {key: _proposal_of(value) for key, value in (found or {}).items()}


def _proposal_of(value: dict[str, Any]) -> Proposal:
    from litgraph.s1_read.proposals import FieldProposal

    fields = {name: FieldProposal(**f) for name, f in value.pop("fields", {}).items()}
    return Proposal(fields=fields, **value)


def _read_proposals(project: Project, db: sqlite3.Connection, files: list[Changed]) -> set[str]:
    """The proposals file into its row; the keys whose proposal changed."""
    before = {k: asdict(p) for k, p in _proposals(db).items()}
    now: dict[str, object] = {}
    for changed in files:
        text = _decoded(project, changed)
        problems: list[Problem] = []
        proposals = read_proposals_text(Path(changed.name), text, problems) if text is not None else {}
        now = {key: asdict(p) for key, p in proposals.items()}
        _record(db, changed, now, problems)
    return {k for k in before.keys() | now.keys() if before.get(k) != now.get(k)}


def read_inputs(project: Project, db: sqlite3.Connection, progress: Progress = _quiet) -> Changes:
    """Bring the state's tables up to date with the project's input files; what changed since the last
    build that went through (see changes.py: pending)."""
    if set_fact(db, "reader", [READER_VERSION, __version__, project.limits.string_bytes, project.languages]):
        for table in ("files", "bib_entries", "claim_items", "pending", "unanalysed"):
            db.execute(f"DELETE FROM {table}")
        pend_flag(db, "everything")
    _flag(
        db,
        "settings",
        set_fact(db, "settings", [__version__, UNITS_FORMAT, project.base_iri, project.title, project.lang]),
    )
    changed, gone = _find_changed(project, db)
    for path in [*gone, *(c.name for c in changed)]:
        record(db, "file", path)
    by_kind = {kind: [c for c in changed if c.file.kind == kind] for kind in {c.file.kind for c in changed}}
    keys, ids = _forget_gone(db, gone)
    progress("reading the ontology")
    _read_ontology(project, db, [c for k in ("themes", "vocabulary", "shapes") for c in by_kind.get(k, [])])
    progress("reading the bibliography")
    keys |= _read_bibs(project, db, by_kind.get("bib", []))
    keys |= _read_proposals(project, db, by_kind.get("proposals", []))
    progress("reading the claims")
    ids |= _read_claims(project, db, by_kind.get("claims", []))
    _read_questions(project, db, by_kind.get("questions", []))
    _read_citation_files(project, db, by_kind.get("citations", []))
    lookup = ThemeLookup(Tables(db).themes())
    everything = db.execute("SELECT 1 FROM pending WHERE kind = 'flag' AND key = 'everything'").fetchone() is not None
    update_works(db, None if everything else sorted(keys), _proposals(db))
    update_claims(db, None if everything else sorted(ids), lookup)
    if not everything and by_kind.get("themes"):
        update_claims(db, differently_resolved(db, lookup), lookup)
    return pending_changes(db)


def _forget_gone(db: sqlite3.Connection, gone: list[str]) -> tuple[set[str], set[str]]:
    """Forget the files that are no longer inputs; the keys and claim ids they defined."""
    keys: set[str] = set()
    ids: set[str] = set()
    for path in gone:
        keys.update(k for (k,) in db.execute("SELECT key FROM bib_entries WHERE file = ?", (path,)))
        ids.update(i for (i,) in db.execute("SELECT id FROM claim_items WHERE file = ? AND id IS NOT NULL", (path,)))
        kind = db.execute("SELECT kind FROM files WHERE path = ?", (path,)).fetchone()
        if kind and kind[0] == "citations":
            db.execute("DELETE FROM citations WHERE file = ?", (path,))
            db.execute("DELETE FROM outside_citations WHERE file = ?", (path,))
            pend_flag(db, "citations")
        if kind and kind[0] == "questions":
            db.execute("DELETE FROM questions")
            _flag(db, "questions", set_fact(db, "questions", []))
        _forget(db, path)
    return keys, ids
