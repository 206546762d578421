"""RIS (EndNote, Leganto reading lists, Zotero) through rispy: a record per work, made from its CSL-JSON item
(formats.csl), the reason for a reading-list item in N1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rispy

from litgraph.s6_render.formats.bibtex import Reference
from litgraph.s6_render.formats.csl import csl_items

TYPES = {  # CSL type -> RIS type
    "article-journal": "JOUR", "book": "BOOK", "chapter": "CHAP", "paper-conference": "CPAPER", "report": "RPRT",
    "thesis": "THES", "webpage": "ELEC", "legislation": "STAT", "legal_case": "CASE", "manuscript": "UNPB",
    "dataset": "DATA", "software": "COMP", "patent": "PAT", "pamphlet": "PAMP", "entry-encyclopedia": "ENCYC",
    "periodical": "JFULL", "standard": "STAND",
}  # fmt: skip
TEXT = {"title": "title", "container-title": "secondary_title", "volume": "volume", "publisher": "publisher",
        "publisher-place": "place_published", "DOI": "doi", "ISBN": "issn", "ISSN": "issn", "edition": "edition",
        "collection-title": "tertiary_title", "language": "language", "genre": "type_of_work",
        "title-short": "short_title"}  # fmt: skip


def _name(person: dict[str, str]) -> str:
    if "literal" in person:
        return person["literal"]
    family = " ".join(p for p in (person.get("non-dropping-particle"), person.get("family")) if p)
    return ", ".join(p for p in (family, person.get("given"), person.get("suffix")) if p)


def _date(value: dict[str, Any]) -> tuple[str | None, str | None]:
    """(year, RIS date YYYY/MM/DD/) of a CSL date."""
    parts = value.get("date-parts")
    if not parts:
        return None, None
    first = [str(p) for p in parts[0]]
    return first[0], "/".join(p.zfill(2) for p in first) + "/" * (4 - len(first))


def ris_record(item: dict[str, Any]) -> dict[str, Any]:
    """A CSL-JSON item as rispy's record (its field names)."""
    record: dict[str, Any] = {"type_of_reference": TYPES.get(item["type"], "GEN"), "id": item["id"]}
    if item.get("author"):
        record["authors"] = [_name(p) for p in item["author"]]
    if item.get("editor"):
        record["secondary_authors" if item["type"] in ("chapter", "paper-conference") else "first_authors"] = [
            _name(p) for p in item["editor"]
        ]
    for csl, ris in TEXT.items():
        if item.get(csl) and ris not in record:
            record[ris] = item[csl]
    if item["type"] == "article-journal" and item.get("container-title"):
        record["journal_name"] = item["container-title"]
    if item.get("issue") or item.get("number"):
        record["number"] = item.get("issue") or item["number"]
    if item.get("page"):
        start, _, end = item["page"].partition("-")
        record["start_page"] = start.strip()
        if end.strip():
            record["end_page"] = end.strip()
    if item.get("issued"):
        year, date = _date(item["issued"])
        if year:
            record["year"], record["date"] = year, date
    if item.get("URL"):
        record["urls"] = [item["URL"]]
    if item.get("accessed"):
        record["access_date"] = _date(item["accessed"])[1]
    if item.get("note"):
        record["notes"] = [item["note"]]
    return record


class _Writer(rispy.RisWriter):
    """rispy's writer without its numbered line before each record (not RIS: EndNote reads it as text)."""

    def set_header(self, count: int) -> str:
        return ""


def ris_text(references: Sequence[Reference]) -> str:
    records = [ris_record(item) for item in csl_items(references)]
    return rispy.dumps(records, implementation=_Writer) if records else ""
