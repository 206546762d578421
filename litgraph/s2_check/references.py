"""Stage 2: every problem of the inputs, all at once: what each file's reading found, and the cross-checks of
the whole project (every name a claim, question or citation uses must exist; each key and id once).

The cross-checks are queries over stage 1's tables, so they cost the same whatever changed; a hint (the
nearest valid name) is worked out only for a problem found.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

import orjson

from litgraph.model import Problem
from litgraph.project import Project
from litgraph.s1_read.parsing import problems_of
from litgraph.s1_read.tables import Tables, untitled_undated, work_from
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.s2_check.shadowed import shadowed_claim_problems
from litgraph.suggest import did_you_mean

MAX_THEMES = 5


def _hint(value: str, choices: Iterable[str], what: str) -> str:
    return did_you_mean(value, choices) or f"no {what} is close; check the spelling"


class _Names:
    """The names of the project's things, read only when a problem needs a hint."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self._cache: dict[str, list[str]] = {}

    def __call__(self, table: str, column: str = "id") -> list[str]:
        if table not in self._cache:
            self._cache[table] = [n for (n,) in self.db.execute(f"SELECT {column} FROM {table}")]
        return self._cache[table]


def _line_of(line: int, lines: str, key: str) -> int:
    return line + orjson.loads(lines).get(key, 1) - 1


def reading_problems(project: Project, db: sqlite3.Connection) -> list[Problem]:
    """What reading each file found (stored with the file, or with each claim item)."""
    problems: list[Problem] = []
    for (rows,) in db.execute("SELECT problems FROM files WHERE problems != '[]' ORDER BY path"):
        problems += problems_of(orjson.loads(rows))
    for line, rows in db.execute(
        "SELECT line, problems FROM claim_items WHERE problems IS NOT NULL ORDER BY file, ord"
    ):
        problems += problems_of(orjson.loads(rows), line - 1)
    return problems


def _duplicates(db: sqlite3.Connection) -> list[Problem]:
    problems = []
    query = ("SELECT key, file, line FROM bib_entries WHERE key IN (SELECT key FROM bib_entries GROUP BY key "
             "HAVING count(DISTINCT file) > 1) ORDER BY key, file, line")  # fmt: skip
    first: dict[str, tuple[str, int]] = {}
    for key, file, line in db.execute(query):
        if key in first and first[key][0] != file:
            where = f"{first[key][0]}:{first[key][1]}"
            problems.append(Problem(file, line, f"the key {key!r} is also defined at {where}", "rename one of them"))
        first.setdefault(key, (file, line))
    query = ("SELECT id, file, line FROM claim_items WHERE id IN (SELECT id FROM claim_items WHERE id IS NOT NULL "
             "GROUP BY id HAVING count(*) > 1) ORDER BY id, file, ord")  # fmt: skip
    seen: dict[str, tuple[str, int]] = {}
    for claim_id, file, line in db.execute(query):
        if claim_id in seen:
            where = f"{seen[claim_id][0]}:{seen[claim_id][1]}"
            problems.append(
                Problem(file, line, f"claim id {claim_id!r} is also used at {where}", "give each claim its own id")
            )
        seen.setdefault(claim_id, (file, line))
    return problems


def _works(db: sqlite3.Connection) -> list[Problem]:
    """Each work needs a title (or a reason it has none) and a year (or a reason it has none)."""
    problems = []
    query = "SELECT key, file, line, body FROM works WHERE incomplete ORDER BY file, line"
    for key, file, line, body in db.execute(query):
        untitled, undated = untitled_undated(work_from(body, file, line))
        if untitled:
            problems.append(
                Problem(file, line, f"entry {key!r} has no title", "add title = {...}, or untitled = {why it has none}")
            )
        if undated:
            problems.append(Problem(file, line, f"entry {key!r} has no year",
                                    "add year = {YYYY} or date = {YYYY-MM-DD}, or undated = {why it has none}"))  # fmt: skip
    return problems


Bad = Callable[[str, str, int, str, str, str, str], None]  # (claim id, file, line, lines, key, message, hint)


def _claims(
    db: sqlite3.Connection, names: _Names, lookup: ThemeLookup, evidence: Iterable[str], scoped: bool
) -> list[Problem]:
    """Every name a claim uses must exist; 1 to 5 themes; no link to itself. `scoped`: only the claims in the
    temporary table check_scope."""
    only = " AND c.id IN (SELECT id FROM temp.check_scope)" if scoped else ""
    problems: list[Problem] = []

    def bad(claim_id: str, file: str, line: int, lines: str, key: str, message: str, hint: str) -> None:
        problems.append(Problem(file, _line_of(line, lines, key), f"claim {claim_id!r}: {message}", hint))

    _claim_works(db, names, only, bad)
    _claim_themes(db, lookup, only, bad)
    _claim_evidence(db, evidence, only, bad)
    _claim_links(db, names, only, bad)
    _claim_questions(db, names, only, bad)
    return problems


def _claim_works(db: sqlite3.Connection, names: _Names, only: str, bad: Bad) -> None:
    for column in ("source", "reported_in"):
        query = (f"SELECT c.id, c.file, c.line, c.lines, c.{column} FROM claims c LEFT JOIN works w ON w.key = c.{column} "
                 f"WHERE c.{column} IS NOT NULL AND c.{column} != '' AND w.key IS NULL{only}")  # fmt: skip
        for claim_id, file, line, lines, key in db.execute(query):
            bad(
                claim_id,
                file,
                line,
                lines,
                column,
                f"unknown BibTeX key {key!r} in '{column}'",
                _hint(key, names("works", "key"), "key"),
            )


def _claim_themes(db: sqlite3.Connection, lookup: ThemeLookup, only: str, bad: Bad) -> None:
    """Each name must be a theme (the hint: the nearest id or label in either language), and a claim has at
    most MAX_THEMES themes (counted as written, whether known or not: one problem does not hide another). A
    claim with no themes at all is stage 1's to report."""
    query = f"SELECT t.id, c.file, c.line, c.lines, t.name FROM claim_themes t JOIN claims c ON c.id = t.id WHERE t.theme IS NULL{only}"
    for claim_id, file, line, lines, name in db.execute(query):
        bad(claim_id, file, line, lines, "themes", f"unknown theme {name!r}", lookup.hint(name))
    query = (f"SELECT c.id, c.file, c.line, c.lines, count(DISTINCT coalesce(t.theme, t.name)) FROM claims c JOIN claim_themes t "
             f"ON t.id = c.id WHERE 1{only} GROUP BY c.id HAVING count(DISTINCT coalesce(t.theme, t.name)) > ?")  # fmt: skip
    for claim_id, file, line, lines, count in db.execute(query, (MAX_THEMES,)):
        bad(claim_id, file, line, lines, "themes", f"has {count} themes", f"give 1 to {MAX_THEMES} themes")


def _claim_evidence(db: sqlite3.Connection, evidence: Iterable[str], only: str, bad: Bad) -> None:
    known = set(evidence)
    for claim_id, file, line, lines, value in db.execute(
        f"SELECT id, file, line, lines, evidence FROM claims c WHERE evidence IS NOT NULL{only}"
    ):
        if value not in known:
            bad(
                claim_id,
                file,
                line,
                lines,
                "evidence",
                f"unknown evidence type {value!r}",
                _hint(value, known, "evidence type"),
            )


def _claim_links(db: sqlite3.Connection, names: _Names, only: str, bad: Bad) -> None:
    query = ("SELECT l.id, c.file, c.line, c.lines, l.kind, l.other, o.id IS NULL FROM claim_links l JOIN claims c ON c.id = l.id "
             f"LEFT JOIN claims o ON o.id = l.other WHERE (o.id IS NULL OR l.other = l.id){only}")  # fmt: skip
    for claim_id, file, line, lines, kind, other, missing in db.execute(query):
        where = (claim_id, file, line, lines, kind)
        if other == claim_id:
            bad(*where, f"'{kind}' names the claim itself", f"a claim cannot {kind[:-1]} itself")
        elif missing:
            bad(*where, f"'{kind}' names unknown claim {other!r}", _hint(other, names("claims"), "claim id"))


def _claim_questions(db: sqlite3.Connection, names: _Names, only: str, bad: Bad) -> None:
    query = ("SELECT c.id, c.file, c.line, c.lines, c.question FROM claims c LEFT JOIN questions q ON q.id = c.question "
             f"WHERE c.question IS NOT NULL AND q.id IS NULL{only}")  # fmt: skip
    for claim_id, file, line, lines, question in db.execute(query):
        bad(
            claim_id,
            file,
            line,
            lines,
            "question",
            f"unknown question {question!r}",
            _hint(question, names("questions"), "question"),
        )


def _questions_and_citations(
    db: sqlite3.Connection, tables: Tables, names: _Names, lookup: ThemeLookup
) -> list[Problem]:
    problems = []
    for question in tables.questions().values():
        for name in question.themes:
            if lookup.resolve(name) is None:
                problems.append(Problem(question.path, question.line, f"question {question.id!r}: unknown theme {name!r}",
                                        lookup.hint(name)))  # fmt: skip
    for role in ("citing", "cited"):
        query = (f"SELECT c.{role}, c.file, c.line FROM citations c LEFT JOIN works w ON w.key = c.{role} "
                 "WHERE w.key IS NULL ORDER BY c.file, c.line")  # fmt: skip
        for key, file, line in db.execute(query):
            problems.append(
                Problem(
                    file, line or None, f"unknown BibTeX key {key!r} ({role})", _hint(key, names("works", "key"), "key")
                )
            )
    row = db.execute("SELECT path, parsed FROM files WHERE kind = 'proposals'").fetchone()
    for key, proposal in (orjson.loads(row[1]) or {}).items() if row and row[1] else ():
        if (
            proposal.get("status") == "accepted"
            and not db.execute("SELECT 1 FROM works WHERE key = ?", (key,)).fetchone()
        ):
            problems.append(Problem(row[0], proposal.get("line"), f"a proposal for {key!r}, which is not in the bibliography",
                                    did_you_mean(key, names("works", "key")) or "delete it, or run `litgraph enrich` again", "warning"))  # fmt: skip
    return problems


def _unread_turtle(project: Project) -> list[Problem]:
    """A warning where ontology/themes.ttl stands beside the themes.yaml that is read in its place."""
    turtle = project.ontology_dir / "themes.ttl"
    if not (project.ontology_dir / "themes.yaml").exists() or not turtle.exists():
        return []
    return [Problem(turtle, None, "not read: ontology/themes.yaml holds the theme scheme",
                    "remove one of the two (themes.yaml wins while both are there)", "warning")]  # fmt: skip


def one_sided_questions(db: sqlite3.Connection) -> dict[str, list[str]]:
    """The questions the claims answer one way only (or not at all): each with the stances taken."""
    stances: dict[str, set[str]] = {q: set() for (q,) in db.execute("SELECT id FROM questions")}
    for question, stance in db.execute(
        "SELECT DISTINCT question, stance FROM claims INDEXED BY claims_question "  # (SQLite would read them all)
        "WHERE question IS NOT NULL AND stance IS NOT NULL"
    ):
        stances.setdefault(question, set()).add(stance)
    return {q: sorted(s) for q, s in sorted(stances.items()) if len(s) < 2}


def _one_sided(db: sqlite3.Connection) -> list[Problem]:
    """A warning per question the claims answer one way only: it is shown as one-sided, not as contested."""
    problems = []
    known = {q: (file, line) for q, file, line in db.execute("SELECT id, file, line FROM questions")}
    for question, stances in one_sided_questions(db).items():
        if question not in known:
            continue  # (an unknown question is an error of the claims that name it)
        taken = f"only '{stances[0]}' is taken" if stances else "no claim takes a side"
        problems.append(Problem(known[question][0], known[question][1], f"question {question!r} is answered one way only ({taken}); "
                                "it is shown as one-sided, not as contested", "add a claim that takes another side, where a text does",
                                "warning"))  # fmt: skip
    return problems


def check_inputs(project: Project, db: sqlite3.Connection, claims: Iterable[str] | None = None) -> list[Problem]:
    """Every problem of the project's inputs (errors and warnings), in file and line order, each path as
    the user would type it from the project folder. `claims`: check only these claims' names (where the
    others are known to be sound, and nothing they name changed)."""
    tables = Tables(db)
    names = _Names(db)
    lookup = ThemeLookup(tables.themes())
    evidence = (tables.fact("vocabulary") or [{}])[0]
    problems = reading_problems(project, db) + _duplicates(db) + _works(db)
    if claims is not None:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS check_scope(id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM temp.check_scope")
        db.executemany("INSERT OR IGNORE INTO temp.check_scope VALUES (?)", [(c,) for c in claims])
    problems += _claims(db, names, lookup, evidence, claims is not None) + _questions_and_citations(
        db, tables, names, lookup
    )
    problems += _one_sided(db) + shadowed_claim_problems(db, lookup, evidence) + _unread_turtle(project)
    shown = [Problem(project.relative(Path(str(p.path))), p.line, p.message, p.hint, p.severity) for p in problems]
    return sorted(set(shown), key=lambda p: (str(p.path), p.line or 0, p.message))
