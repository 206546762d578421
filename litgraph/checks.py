"""Cross-checks of the whole project: every name a claim or question uses must exist."""

from __future__ import annotations

from pathlib import Path

from litgraph.lookup import ThemeLookup
from litgraph.model import Citation, Dataset, Problem
from litgraph.suggest import did_you_mean


def _hint(value: str, choices: list[str] | set[str], what: str) -> str:
    return did_you_mean(value, choices) or f"no {what} is close; check the spelling"


def check_works(data: Dataset) -> list[Problem]:
    """Each work needs a title (or a reason it has none) and a year (or year = {n.d.})."""
    problems = []
    for work in data.works.values():
        if not work.title and not work.untitled_reason:
            problems.append(
                Problem(
                    work.path,
                    work.line,
                    f"entry {work.key!r} has no title",
                    "add title = {...}, or untitled = {why it has none}",
                )
            )
        if work.year is None and not work.undated:
            problems.append(
                Problem(
                    work.path,
                    work.line,
                    f"entry {work.key!r} has no year",
                    "add year = {YYYY} or date = {YYYY-MM-DD}; year = {n.d.} if it has none",
                )
            )
    return problems


def resolve_themes(lookup: ThemeLookup, names: list[str]) -> tuple[list[str], list[str]]:
    """Theme ids for the names a claim or question gives (ids or labels), each once in the order given;
    and the names that are no theme."""
    resolved: list[str] = []
    unknown: list[str] = []
    for name in names:
        theme_id = lookup.resolve(name)
        if theme_id is None:
            unknown.append(name)
        elif theme_id not in resolved:
            resolved.append(theme_id)
    return resolved, unknown


def check_claims(data: Dataset) -> list[Problem]:
    """Resolve theme labels to ids in place; report unknown works, themes, claims, questions, evidence."""
    problems: list[Problem] = []
    lookup = ThemeLookup(data.themes)
    keys = set(data.works)
    for claim in data.claims.values():
        at = claim.path

        def bad(key: str, message: str, hint: str) -> None:
            problems.append(Problem(at, claim.line_of(key), f"claim {claim.id!r}: {message}", hint))  # noqa: B023

        if claim.source not in keys:
            bad("source", f"unknown BibTeX key {claim.source!r} in 'source'", _hint(claim.source, keys, "key"))
        if claim.reported_in is not None and claim.reported_in not in keys:
            bad(
                "reported_in",
                f"unknown BibTeX key {claim.reported_in!r} in 'reported_in'",
                _hint(claim.reported_in, keys, "key"),
            )
        claim.themes, unknown = resolve_themes(lookup, claim.themes)
        for name in unknown:
            near = lookup.suggestions(name)
            bad(
                "themes",
                f"unknown theme {name!r}",
                "did you mean " + " or ".join(f"'{n}'" for n in near) + "?" if near else "see `litgraph themes`",
            )
        if not 1 <= len(claim.themes) <= 5 and not any(
            p.message.startswith(f"claim {claim.id!r}: unknown theme") for p in problems
        ):
            bad("themes", f"has {len(claim.themes)} themes", "give 1 to 5 themes")
        if claim.evidence is not None and claim.evidence not in data.evidence_types:
            bad(
                "evidence",
                f"unknown evidence type {claim.evidence!r}",
                _hint(claim.evidence, set(data.evidence_types), "evidence type"),
            )
        for relation in ("supports", "disputes"):
            for other in getattr(claim, relation):
                if other == claim.id:
                    bad(relation, f"'{relation}' names the claim itself", "a claim cannot " + relation[:-1] + " itself")
                elif other not in data.claims:
                    bad(
                        relation,
                        f"'{relation}' names unknown claim {other!r}",
                        _hint(other, set(data.claims), "claim id"),
                    )
        if claim.question is not None and claim.question not in data.questions:
            bad(
                "question",
                f"unknown question {claim.question!r}",
                _hint(claim.question, set(data.questions), "question"),
            )
    for question in data.questions.values():
        resolved = []
        for name in question.themes:
            theme_id = lookup.resolve(name)
            if theme_id is None:
                problems.append(
                    Problem(
                        question.path,
                        question.line,
                        f"question {question.id!r}: unknown theme {name!r}",
                        _hint(name, set(data.themes), "theme"),
                    )
                )
            else:
                resolved.append(theme_id)
        question.themes = resolved
    return problems


def check_citations(data: Dataset, where: dict[Citation, tuple[Path, int]]) -> list[Problem]:
    """Both ends of every citation link must be works of the project."""
    problems = []
    keys = set(data.works)
    for link in data.citations:
        path, line = where.get(link, ("bibliography/citations", 0))
        for role, key in (("citing", link.citing), ("cited", link.cited)):
            if key not in keys:
                problems.append(
                    Problem(path, line or None, f"unknown BibTeX key {key!r} ({role})", _hint(key, keys, "key"))
                )
    return problems
