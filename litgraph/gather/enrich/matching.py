"""How well an index's record matches a bibliography entry, and whether to accept it.

Each candidate gets a score from 0 to 1: 0.35 for the authors' family names (folded for diacritics),
0.35 for the title (rapidfuzz; a title cut short still scores 0.9), 0.2 for the year (±1 scores 0.6:
online-first and print years differ), 0.1 for the type (an unknown side scores half of each part).
A work is
- accepted when its best candidate scores at least ACCEPT (0.85), or BY_DOI (0.5) when it was fetched
  by the entry's own DOI, and no other work scores within MARGIN (0.05) of it;
- ambiguous when the best scores at least NEAR (0.5): the near misses are listed to choose from;
- none otherwise.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rapidfuzz import fuzz

from litgraph.gather.enrich.scholarly_records import Candidate
from litgraph.model import Person, Work
from litgraph.suggest import fold

ACCEPT, BY_DOI, NEAR, MARGIN = 0.85, 0.5, 0.5, 0.05
WEIGHTS = {"authors": 0.35, "title": 0.35, "year": 0.2, "type": 0.1}
KIND_OF_TYPE = {
    "article": "article", "periodical": "article", "book": "book", "mvbook": "book", "collection": "book",
    "mvcollection": "book", "proceedings": "book", "mvproceedings": "book", "incollection": "chapter",
    "inbook": "chapter", "bookinbook": "chapter", "inreference": "chapter", "inproceedings": "paper",
    "conference": "paper", "report": "report", "techreport": "report", "thesis": "thesis",
    "phdthesis": "thesis", "mastersthesis": "thesis",
}  # fmt: skip
_API_TYPES = {
    "article": {"journal-article", "article", "review", "editorial", "letter", "erratum"},
    "book": {"book", "monograph", "edited-book", "reference-book", "book-set", "proceedings"},
    "chapter": {"book-chapter", "book-section", "book-part", "reference-entry", "chapter"},
    "paper": {"proceedings-article", "article"},
    "report": {"report", "report-component", "posted-content", "preprint", "other"},
    "thesis": {"dissertation"},
}


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    parts: dict[str, float]


def title_similarity(mine: str | None, theirs: str | None) -> float:
    """0-1; a title cut short (all its words, three or more, in the other) scores 0.9."""
    a, b = fold(mine or ""), fold(theirs or "")
    if not a or not b:
        return 0.0
    whole = fuzz.token_sort_ratio(a, b)
    short = min(a, b, key=len)
    part = 0.9 * fuzz.token_set_ratio(a, b) if len(short.split()) >= 3 else 0.0
    return max(whole, part) / 100


def _tokens(person: Person) -> set[str]:
    return set(fold(f"{person.given} {person.von} {person.family}").split())


def author_agreement(work: Work, candidate: Candidate) -> float:
    """The share of the entry's first three authors (or editors) whose family name the candidate lists."""
    mine = (work.authors or work.editors)[:3]
    if not mine:
        return 0.5
    theirs = [_tokens(p) for p in (*candidate.authors, *candidate.editors)]
    whole = [fold(p.display_name) for p in (*candidate.authors, *candidate.editors)]
    found = 0
    for person in mine:
        family = set(fold(person.family).split())
        if person.corporate:
            found += any(fuzz.token_set_ratio(fold(person.family), name) >= 90 for name in whole)
        elif family and any(family <= names for names in theirs):
            found += 1
    return found / len(mine)


def year_agreement(work: Work, candidate: Candidate) -> float:
    if work.year is None or candidate.year is None:
        return 0.5
    return {0: 1.0, 1: 0.6}.get(abs(work.year - candidate.year), 0.0)


def type_agreement(work: Work, candidate: Candidate) -> float:
    kind = KIND_OF_TYPE.get(work.entry_type)
    if kind is None or not candidate.kind:
        return 0.5
    return 1.0 if candidate.kind in _API_TYPES[kind] else 0.0


def score(work: Work, candidate: Candidate) -> Scored:
    parts = {
        "authors": author_agreement(work, candidate),
        "title": title_similarity(work.title, candidate.title),
        "year": year_agreement(work, candidate),
        "type": type_agreement(work, candidate),
    }
    total = sum(WEIGHTS[name] * value for name, value in parts.items())
    return Scored(candidate, round(total, 3), {k: round(v, 2) for k, v in parts.items()})


def _identity(candidate: Candidate) -> str:
    return (candidate.doi or candidate.id).lower()


def _combine(group: list[Candidate]) -> Candidate:
    """One candidate from the records of the same work in both indexes: Crossref's fields first."""
    group = sorted(group, key=lambda c: c.source)  # crossref before openalex
    first = group[0]
    names = ("doi", "title", "year", "container", "volume", "issue", "pages", "publisher", "isbn", "kind")
    filled = {n: next((getattr(c, n) for c in group if getattr(c, n)), None) for n in names}
    return dataclasses.replace(
        first,
        source="+".join(dict.fromkeys(c.source for c in group)),
        authors=next((c.authors for c in group if c.authors), ()),
        references=next((c.references for c in group if c.references), ()),
        **filled,  # type: ignore[arg-type]
    )


def rank(work: Work, candidates: list[Candidate]) -> list[Scored]:
    """Candidates scored, the same work from both indexes counted once, best first."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(_identity(candidate), []).append(candidate)
    scored = [score(work, _combine(group)) for group in groups.values()]
    return sorted(scored, key=lambda s: (-s.score, s.candidate.id))


def classify(ranked: list[Scored], by_doi: bool = False, chosen: bool = False) -> tuple[str, list[Scored]]:
    """The status and the candidates to show: the accepted one first, then near misses."""
    if not ranked:
        return "none", []
    best = ranked[0]
    near = [s for s in ranked[1:] if s.score >= NEAR][:4]
    if chosen:
        return "accepted", [best]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= (BY_DOI if by_doi else ACCEPT) and best.score - runner_up >= MARGIN:
        return "accepted", [best, *near]
    if best.score >= NEAR:
        return "ambiguous", [best, *near]
    return "none", []
