"""Zotero items (Web API v3 `data`) as BibTeX entries: their citation keys, types and fields.

The key is Better BibTeX's where the item has one (Zotero 7's `citationKey` field, or a `Citation Key: …`
line in `extra`), else one litgraph makes (family name and year, "akerblom2021", with a letter where it
would be taken) and keeps: `keys` (the pull's state) holds the keys made before, so a second pull gives an
item the key it had. The entries are written by bibtexparser's writer; values are escaped for LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import bibtexparser
from bibtexparser.model import Entry, Field

from litgraph.gather.zotero.html_text import plain_text
from litgraph.s1_read.bibtex_values import braces_paired
from litgraph.suggest import fold

# Zotero item type -> (BibTeX/biblatex type, {Zotero field: BibTeX field}) beside the fields all share
TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "journalArticle": ("article", {"publicationTitle": "journal", "volume": "volume", "issue": "number", "pages": "pages", "ISSN": "issn"}),
    "magazineArticle": ("article", {"publicationTitle": "journal", "volume": "volume", "issue": "number", "pages": "pages"}),
    "newspaperArticle": ("article", {"publicationTitle": "journal", "pages": "pages"}),
    "book": ("book", {"publisher": "publisher", "place": "address", "edition": "edition", "series": "series", "ISBN": "isbn"}),
    "bookSection": ("incollection", {"bookTitle": "booktitle", "publisher": "publisher", "place": "address", "pages": "pages", "ISBN": "isbn"}),
    "report": ("report", {"institution": "institution", "reportNumber": "number", "reportType": "type", "place": "address", "pages": "pages"}),
    "thesis": ("thesis", {"university": "institution", "thesisType": "type", "place": "address"}),
    "conferencePaper": ("inproceedings", {"proceedingsTitle": "booktitle", "publisher": "publisher", "pages": "pages"}),
    "webpage": ("online", {"websiteTitle": "organization", "accessDate": "urldate"}),
    "blogPost": ("online", {"blogTitle": "organization", "accessDate": "urldate"}),
    "statute": ("legislation", {"code": "journal", "publicLawNumber": "number"}),
}  # fmt: skip
SHARED = {"DOI": "doi", "url": "url", "language": "language"}
CITATION_KEY = re.compile(r"^\s*citation key\s*:\s*(\S+)\s*$", re.I | re.M)
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}  # fmt: skip
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))


def own_key(data: Mapping[str, Any]) -> str | None:
    """Better BibTeX's key of the item: its `citationKey` field, else a `Citation Key:` line in `extra`."""
    key = str(data.get("citationKey") or "").strip()
    if key:
        return key
    found = CITATION_KEY.search(str(data.get("extra") or ""))
    return found.group(1) if found else None


def year_of(data: Mapping[str, Any]) -> str | None:
    found = YEAR.search(str(data.get("date") or data.get("dateEnacted") or ""))
    return found.group(1) if found else None


def made_key(data: Mapping[str, Any], taken: set[str]) -> str:
    """A key in the project's style ("repper2011"), not among `taken`: "a", "b"... added where it is."""
    creators = [c for c in data.get("creators") or [] if isinstance(c, dict)]
    first = creators[0] if creators else {}
    name = str(first.get("lastName") or first.get("name") or "").strip()
    stem = "".join(fold(name).split()[:1]) or "".join(fold(str(data.get("title") or "")).split()[:1]) or "zotero"
    stem += year_of(data) or "nd"
    key, n = stem, 0
    while key in taken:
        key, n = stem + _letters(n), n + 1
    return key


def _letters(n: int) -> str:
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def latex(value: str) -> str:
    """A value as BibTeX text: LaTeX's special characters escaped; braces kept only where they pair up."""
    return braces_paired(_SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], " ".join(value.split())))


def _name(creator: Mapping[str, Any]) -> str | None:
    if creator.get("name"):
        return "{" + latex(str(creator["name"])) + "}"  # a body such as Helsedirektoratet: one name, not parsed
    last, first = str(creator.get("lastName") or "").strip(), str(creator.get("firstName") or "").strip()
    if not last:
        return None
    last = latex(last)
    if " and " in f" {last} ":
        last = "{" + last + "}"
    return f"{last}, {latex(first)}" if first else last


def entry_of(data: Mapping[str, Any], key: str) -> Entry:
    """The item as a BibTeX entry under `key`."""
    entry_type, own = TYPES.get(str(data.get("itemType")), ("misc", {"publisher": "publisher", "place": "address"}))
    fields: list[Field] = []
    creators = [c for c in data.get("creators") or [] if isinstance(c, dict)]
    for role in ("author", "editor"):
        names = [n for c in creators if (c.get("creatorType") or "author") == role and (n := _name(c))]
        if names:
            fields.append(Field(role, " and ".join(names)))
    title = plain_text(str(data.get("title") or data.get("nameOfAct") or ""))  # (Zotero titles may hold <i>)
    if title:
        fields.append(Field("title", latex(title)))
    year = year_of(data)
    if year:
        fields.append(Field("year", year))
    for source, target in [*own.items(), *SHARED.items()]:
        value = str(data.get(source) or "").strip()
        if value:
            if target == "pages":
                value = re.sub(r"\s*[-–—]+\s*", "--", value)
            fields.append(Field(target, value if target in ("url", "doi") else latex(value)))
    return Entry(entry_type, key, fields)


def bibtex(entries: list[Entry], header: str) -> str:
    """The entries as a .bib file's text, after a comment."""
    library = bibtexparser.Library()
    for entry in entries:
        library.add(entry)
    text = bibtexparser.write_string(library) if entries else ""
    return "".join(f"% {line}\n" for line in header.splitlines()) + "\n" + text
