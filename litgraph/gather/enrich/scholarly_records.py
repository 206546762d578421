"""The two indexes' JSON shapes, read into `Candidate`s: Crossref's work message and OpenAlex's work.

Crossref: `{"DOI", "title": [..], "subtitle": [..], "author": [{"given", "family"} | {"name"}], "editor",
"issued": {"date-parts": [[year, ...]]}, "container-title": [..], "volume", "issue", "page": "1-10",
"type", "publisher", "ISBN": [..]}`. OpenAlex: `{"id": "https://openalex.org/W…", "doi": "https://doi.org/…",
"title", "publication_year", "type", "authorships": [{"author": {"display_name"}, "raw_author_name"}],
"primary_location": {"source": {"display_name", "host_organization_name"}}, "biblio": {"volume", "issue",
"first_page", "last_page"}, "referenced_works": ["https://openalex.org/W…"]}`. Any field may be missing
or of another type: such a field is left empty, never an error.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from litgraph.model import Person


@dataclass(frozen=True)
class Candidate:
    """One work as an index describes it, in the terms of a bibliography entry."""

    source: str  # "crossref" or "openalex"
    id: str  # the DOI (Crossref) or the OpenAlex id "W…"
    doi: str | None = None
    title: str | None = None
    year: int | None = None
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    isbn: str | None = None
    kind: str | None = None  # the index's own type: journal-article, book-chapter, article, ...
    references: tuple[str, ...] = ()  # OpenAlex ids of the works it cites (OpenAlex only)


_TAG = re.compile(r"<[^>]+>")


def clean(value: Any) -> str | None:
    """A text value of an API answer: tags (<i>, MathML) removed, entities decoded, spaces collapsed."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = " ".join(html.unescape(_TAG.sub("", value)).split())
    return text or None


def normalise_doi(value: str | None) -> str | None:
    if not value:
        return None
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.I)
    return doi or None


def _pages(first: Any, last: Any = None) -> str | None:
    first_text, last_text = clean(first), clean(last)
    if first_text and "-" in first_text and not last_text:
        first_text, _, last_text = (p.strip() for p in first_text.partition("-"))
    if not first_text:
        return None
    return f"{first_text}–{last_text}" if last_text and last_text != first_text else first_text


def _crossref_people(items: Any) -> tuple[Person, ...]:
    people = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        family, given, name = clean(item.get("family")), clean(item.get("given")), clean(item.get("name"))
        if family:
            people.append(Person(family=family, given=given or ""))
        elif name:
            people.append(Person(family=name, corporate=True))
    return tuple(people)


def _crossref_year(message: dict[str, Any]) -> int | None:
    for name in ("issued", "published", "published-print", "published-online"):
        parts = (message.get(name) or {}).get("date-parts") if isinstance(message.get(name), dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year = parts[0][0]
            if isinstance(year, int) and not isinstance(year, bool):
                return year
    return None


def crossref_candidate(message: dict[str, Any]) -> Candidate | None:
    doi = normalise_doi(clean(message.get("DOI")))
    if not doi:
        return None
    title, subtitle = clean(message.get("title")), clean(message.get("subtitle"))
    if title and subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title.rstrip(':')}: {subtitle}"
    return Candidate(
        source="crossref",
        id=doi,
        doi=doi,
        title=title,
        year=_crossref_year(message),
        authors=_crossref_people(message.get("author")),
        editors=_crossref_people(message.get("editor")),
        container=clean(message.get("container-title")),
        volume=clean(message.get("volume")),
        issue=clean(message.get("issue")),
        pages=_pages(message.get("page")),
        publisher=clean(message.get("publisher")),
        isbn=clean(message.get("ISBN")),
        kind=clean(message.get("type")),
    )


def _openalex_id(value: Any) -> str | None:
    text = clean(value)
    return text.rsplit("/", 1)[-1] if text else None


def _openalex_people(authorships: Any) -> tuple[Person, ...]:
    people = []
    for item in authorships if isinstance(authorships, list) else []:
        author = item.get("author") if isinstance(item, dict) else None
        name = clean(author.get("display_name") if isinstance(author, dict) else None) or clean(
            item.get("raw_author_name") if isinstance(item, dict) else None
        )
        if name:
            *given, family = name.split()
            people.append(Person(family=family, given=" ".join(given)))
    return tuple(people)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def openalex_candidate(work: dict[str, Any]) -> Candidate | None:
    ident = _openalex_id(work.get("id"))
    if not ident:
        return None
    location = _mapping(work.get("primary_location"))
    source, biblio = _mapping(location.get("source")), _mapping(work.get("biblio"))
    year = work.get("publication_year")
    references = work.get("referenced_works")
    references = references if isinstance(references, list) else []
    return Candidate(
        source="openalex",
        id=ident,
        doi=normalise_doi(clean(work.get("doi"))),
        title=clean(work.get("title")) or clean(work.get("display_name")),
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        authors=_openalex_people(work.get("authorships")),
        container=clean(source.get("display_name")),
        volume=clean(biblio.get("volume")),
        issue=clean(biblio.get("issue")),
        pages=_pages(biblio.get("first_page"), biblio.get("last_page")),
        publisher=clean(source.get("host_organization_name")),
        kind=clean(work.get("type")),
        references=tuple(r for r in (_openalex_id(x) for x in references) if r),
    )
