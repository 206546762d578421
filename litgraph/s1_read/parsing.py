"""One input file's text -> what it says, as rows for the state's first layer (see tables.py).

Each function here takes a file's text and returns plain data (strings, numbers, lists), so that large
files can be parsed in worker processes and their results sent back as they will be stored.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from litgraph.model import Problem
from litgraph.s1_read.bibtex import read_bib_text
from litgraph.s1_read.claims import item_spans, read_claim_item, read_claims_text
from litgraph.s1_read.tables import claim_json, relative_lines, work_json

ProblemRow = tuple[str, int | None, str, str | None, str]  # a Problem's fields, its path as text


def problem_rows(problems: list[Problem]) -> list[ProblemRow]:
    return [(str(p.path), p.line, p.message, p.hint, p.severity) for p in problems]


def problems_of(rows: list[ProblemRow] | None, shift: int = 0) -> list[Problem]:
    """Problems from their rows; `shift`: lines counted from an item's first line, moved to the file's."""
    return [Problem(path, (line + shift) if line else line, m, h, s) for path, line, m, h, s in rows or ()]  # type: ignore[arg-type]


@dataclass
class ParsedBib:
    """A .bib file: each entry as (key, line, body JSON), and the file's problems."""

    entries: list[tuple[str, int, str]] = field(default_factory=list)
    problems: list[ProblemRow] = field(default_factory=list)


def parse_bib(name: str, text: str, string_limit: int) -> ParsedBib:
    result = read_bib_text(Path(name), text, string_limit)
    entries = [(w.key, w.line, work_json(w)) for w in result.works.values()]
    return ParsedBib(entries, problem_rows(result.problems))


@dataclass
class ParsedItem:
    """One item of a claims file: where it starts, the digest of its text, its claim (JSON, with its key
    lines counted from the item's first line) if it holds one, and its problems (lines likewise)."""

    line: int
    digest: str
    claim_id: str | None
    body: str | None
    lines: str | None
    problems: list[ProblemRow]


@dataclass
class ParsedClaims:
    """A claims file: its items, and (when it was read whole) the problems of the whole file."""

    items: list[ParsedItem] = field(default_factory=list)
    problems: list[ProblemRow] = field(default_factory=list)
    whole: bool = False  # read whole (not of the plain shape): its items hold only the claims


def item_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _item(name: str, line: int, text: str, digest: str) -> ParsedItem:
    claims, problems = read_claim_item(Path(name), text)
    claim = claims[0] if claims else None
    body = claim_json(claim) if claim else None
    return ParsedItem(line, digest, (claim.id or None) if claim else None, body, relative_lines(claim) if claim else None,
                      problem_rows(problems))  # fmt: skip


def _counted_from(first: int, problem: Problem) -> Problem:
    """`problem` with its line counted from line `first` of the file (an item's first line) as line 1."""
    line = problem.line - first + 1 if problem.line is not None else None
    return dataclasses.replace(problem, line=line)


def _whole(name: str, text: str, spans: list[tuple[int, str]]) -> ParsedClaims:
    """The items of a claims file read whole (one parse: far quicker than item by item), each with its claim
    and problems, their lines counted from the item's first line, as read_claim_item gives them."""
    claims, problems = read_claims_text(Path(name), text)
    starts = [line for line, _ in spans]
    by_item: dict[int, list[Problem]] = {}
    before: list[Problem] = []
    for problem in problems:
        index = bisect.bisect_right(starts, problem.line or 0) - 1
        (by_item.setdefault(index, []) if index >= 0 else before).append(problem)
    claim_of = {bisect.bisect_right(starts, c.line) - 1: c for c in claims}
    items = []
    for index, (line, chunk) in enumerate(spans):
        claim = claim_of.get(index)
        rows = problem_rows([_counted_from(line, p) for p in by_item.get(index, [])])
        body = claim_json(claim) if claim else None
        lines = relative_lines(claim) if claim else None
        items.append(ParsedItem(line, item_digest(chunk), (claim.id or None) if claim else None, body, lines, rows))
    return ParsedClaims(items, problem_rows(before))


def parse_claims(name: str, text: str, known: dict[str, ParsedItem] | None = None) -> ParsedClaims:
    """The items of a claims file; those whose text is in `known` (by digest) are not read again (a file
    with few of its items known is read whole)."""
    spans = item_spans(text)
    if spans is not None and len(known or ()) < len(spans) // 2:
        return _whole(name, text, spans)
    if spans is None:
        claims, problems = read_claims_text(Path(name), text)
        items = [
            ParsedItem(c.line, item_digest(f"{name}\0{text}"), c.id or None, claim_json(c), relative_lines(c), [])
            for c in claims
        ]
        return ParsedClaims(items, problem_rows(problems), whole=True)
    items = []
    for line, chunk in spans:
        digest = item_digest(chunk)
        reused = (known or {}).get(digest)
        if reused is not None:
            items.append(ParsedItem(line, digest, reused.claim_id, reused.body, reused.lines, reused.problems))
        else:
            items.append(_item(name, line, chunk, digest))
    return ParsedClaims(items)
