"""Works the project's works cite that are not in its bibliography (citation files' `cites_outside`: what
`litgraph extract` could not resolve, and the references `litgraph enrich --citations` found outside the
project), counted by the works citing each, and written as a candidate .bib.

The same cited work is recognised across citing works by its DOI, else its OpenAlex id, else its first
author's family name and its year (a letter after the year, "2011a", is left out: it is the citing text's).
A work whose DOI, or first author and year, a work of the bibliography has is not outside it. Nothing is
invented: an entry holds only the fields the citations recorded (author, year, title, doi, and the OpenAlex
page where only an OpenAlex id is known).
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from litgraph.s4_analyse.gaps import Gap

KIND = "cited-not-in-bibliography"
FIELDS = ("author", "year", "title", "doi", "openalex")


def _folded(text: str) -> str:
    """Lower case, accents and punctuation left out ("Åkerblom" -> "akerblom")."""
    text = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "Ae"))
    return re.sub(r"[^a-z0-9 ]", "", "".join(c for c in text if not unicodedata.combining(c)).casefold()).strip()


def _first_family(author: str) -> str:
    first = re.split(r"\s+(?:and|&|og)\s+|,", author.strip(), maxsplit=1)[0]
    return _folded(first)


def _year(text: str | None) -> str:
    found = re.match(r"\s*(\d{4})", text or "")
    return found.group(1) if found else ""


def identity(fields: dict[str, str]) -> str | None:
    """What the same cited work is recognised by, across citing works."""
    if fields.get("doi"):
        return "doi:" + fields["doi"].strip().casefold()
    if fields.get("openalex"):
        return "openalex:" + fields["openalex"].strip().upper().removeprefix("HTTPS://OPENALEX.ORG/")
    family, year = _first_family(fields.get("author", "")), _year(fields.get("year"))
    return f"{family}|{year}" if family else None


def _in_bibliography(db: sqlite3.Connection) -> set[str]:
    """The identities the bibliography's works have (DOI; first author and year)."""
    found: set[str] = set()
    for (body,) in db.execute("SELECT body FROM work_rows"):
        row = orjson.loads(body)
        if row.get("doi"):
            found.add("doi:" + row["doi"].casefold())
        if row.get("first_author"):
            found.add(f"{_folded(row['first_author'])}|{row.get('year') or ''}")
    return found


def _merged(records: list[dict[str, str]]) -> dict[str, str]:
    """Each field's most common value among the records of one work (ties: the first in order)."""
    merged = {}
    for name in FIELDS:
        values = Counter(r[name].strip() for r in records if r.get(name, "").strip())
        if values:
            merged[name] = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    if "year" in merged and "doi" not in merged and "openalex" not in merged:
        merged["year"] = _year(merged["year"]) or merged["year"]
    return merged


def _key(fields: dict[str, str], taken: set[str]) -> str:
    """A BibTeX key for a candidate: first author and year ("repper2011"), else its OpenAlex id."""
    base = (_first_family(fields.get("author", "")).split(" ") or [""])[-1] + _year(fields.get("year"))
    base = base or ("openalex" + fields.get("openalex", "").lower()) or "cited"
    key, suffix = base, ord("a")
    while key in taken:
        key, suffix = f"{base}{chr(suffix)}", suffix + 1
    taken.add(key)
    return key


def cited_outside(db: sqlite3.Connection) -> list[Gap]:
    """Every work cited outside the bibliography, with the works citing it (those of the project), most
    cited first, then by what it is recognised by."""
    from litgraph.s4_analyse.gaps import Gap

    rows = db.execute(
        "SELECT o.citing, o.body FROM outside_citations o JOIN works w ON w.key = o.citing ORDER BY o.file, o.line"
    ).fetchall()
    if not rows:
        return []
    known = _in_bibliography(db)
    records: dict[str, list[dict[str, str]]] = defaultdict(list)
    citing: dict[str, set[str]] = defaultdict(set)
    for key, body in rows:
        fields = orjson.loads(body)
        found = identity(fields)
        if found is not None and found not in known:
            records[found].append(fields)
            citing[found].add(key)
    taken = {k for (k,) in db.execute("SELECT key FROM works")}
    gaps = []
    for found in sorted(records, key=lambda i: (-len(citing[i]), i)):
        fields, by = _merged(records[found]), sorted(citing[found])
        seen = sorted({r["seen"] for r in records[found] if r.get("seen")})[:3]
        details: dict[str, Any] = {"key": _key(fields, taken), "fields": fields, "cited_by": len(by), "seen": seen}
        gaps.append(Gap(KIND, found, f"cited by {len(by)} work{'s' if len(by) != 1 else ''} of the project "
                                     f"({', '.join(by)}) but not in its bibliography", [], by, details))  # fmt: skip
    return gaps


def candidate_bib(gaps: Iterable[Gap]) -> str:
    """The candidate .bib: an @misc entry per cited work, with only the fields its citations recorded, and
    a comment saying who cites it."""
    from litgraph.s1_read.bibtex_values import braces_paired  # (its parsers: only when a .bib is asked for)

    parts = []
    for gap in gaps:
        fields = gap.details["fields"]
        lines = [f"% {gap.why}; only what the citations record: check and complete it before use",
                 f"@misc{{{gap.details['key']},"]  # fmt: skip
        for name in ("author", "title", "year", "doi"):
            if fields.get(name):
                lines.append(f"  {name} = {{{braces_paired(fields[name])}}},")
        if fields.get("openalex") and not fields.get("doi"):
            lines.append(f"  url = {{https://openalex.org/{braces_paired(fields['openalex'])}}},")
        parts.append("\n".join(lines) + "\n}\n")
    return "\n".join(parts)
