"""The names used by claims whose id an earlier item already has, or that have no id.

The claims table holds one claim per id (the first item that defines it), so the cross-checks of
references.py, which are queries over it, never see a second claim with the same id. Its duplicate id is an
error of its own, but it must not hide what else is wrong with the claim (an unknown source, theme or
question): those are found here, from the items' rows, the same way; so are those of a claim with no id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from litgraph.model import Claim, Problem
from litgraph.s1_read.tables import claim_from
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.suggest import did_you_mean

MAX_THEMES = 5


def _shadowed(db: sqlite3.Connection) -> list[Claim]:
    """The claims of the items the claims table does not hold: a second one with an id, and those with none."""
    query = ("SELECT i.body, i.file, i.line, i.lines, i.ord FROM claim_items i JOIN claims c ON c.id = i.id "
             "WHERE i.id IN (SELECT id FROM claim_items WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1) "
             "AND i.body IS NOT NULL AND (i.file != c.file OR i.line != c.line) "
             "UNION ALL SELECT body, file, line, lines, ord FROM claim_items WHERE id IS NULL AND body IS NOT NULL "
             "ORDER BY 2, 5")  # fmt: skip
    return [claim_from(body, file, line, lines or "{}") for body, file, line, lines, _ in db.execute(query)]


def _names(db: sqlite3.Connection, query: str) -> set[str]:
    return {name for (name,) in db.execute(query)}


def _hint(value: str, choices: Iterable[str], what: str) -> str:
    return did_you_mean(value, choices) or f"no {what} is close; check the spelling"


def shadowed_claim_problems(db: sqlite3.Connection, lookup: ThemeLookup, evidence: Iterable[str]) -> list[Problem]:
    """What the claims with an id already used name that does not exist (as references.py finds for the
    others), with file:line and the nearest valid value."""
    claims = _shadowed(db)
    if not claims:
        return []
    works = _names(db, "SELECT key FROM works")
    ids = _names(db, "SELECT id FROM claims")
    questions = _names(db, "SELECT id FROM questions")
    known_evidence = set(evidence)
    problems: list[Problem] = []
    for claim in claims:

        def bad(key: str, message: str, hint: str, claim: Claim = claim) -> None:
            name = repr(claim.id) if claim.id else f"with no id (line {claim.line})"
            problems.append(Problem(claim.path, claim.line_of(key), f"claim {name}: {message}", hint))

        for column in ("source", "reported_in"):
            key = getattr(claim, column)
            if key and key not in works:
                bad(column, f"unknown BibTeX key {key!r} in '{column}'", _hint(key, works, "key"))
        unknown = [name for name in claim.themes if lookup.resolve(name) is None]
        for name in unknown:
            bad("themes", f"unknown theme {name!r}", lookup.hint(name))
        if len(set(claim.themes)) > MAX_THEMES:
            bad("themes", f"has {len(set(claim.themes))} themes", f"give 1 to {MAX_THEMES} themes")
        if claim.evidence is not None and claim.evidence not in known_evidence:
            bad(
                "evidence",
                f"unknown evidence type {claim.evidence!r}",
                _hint(claim.evidence, known_evidence, "evidence type"),
            )
        for kind in ("supports", "disputes"):
            for other in getattr(claim, kind):
                if other == claim.id:
                    bad(kind, f"'{kind}' names the claim itself", f"a claim cannot {kind[:-1]} itself")
                elif other not in ids:
                    bad(kind, f"'{kind}' names unknown claim {other!r}", _hint(other, ids, "claim id"))
        if claim.question is not None and claim.question not in questions:
            bad("question", f"unknown question {claim.question!r}", _hint(claim.question, questions, "question"))
    return problems
