"""Read BibTeX and biblatex text into Works, reporting each broken entry and loading the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from litgraph.model import Problem, Work
from litgraph.namespaces import key_refusal
from litgraph.s1_read.bibtex_values import UnresolvedValue, people, resolve, to_text

# BibTeX/biblatex entry types litgraph knows; every other type is read as a generic document.
KNOWN_TYPES = {
    "article", "book", "mvbook", "collection", "mvcollection", "proceedings", "mvproceedings",
    "inbook", "incollection", "inproceedings", "conference", "bookinbook", "suppbook",
    "suppcollection", "report", "techreport", "thesis", "phdthesis", "mastersthesis",
    "legislation", "legal", "law", "jurisdiction", "online", "www", "electronic", "webpage",
    "misc", "unpublished", "manual", "booklet", "periodical", "suppperiodical", "dataset",
    "software", "patent", "reference", "mvreference", "inreference", "set", "xdata", "standard",
    "artwork", "audio", "image", "movie", "music", "performance", "video", "letter", "review",
}  # fmt: skip

LANGUAGES = {
    "english": "en", "american": "en", "british": "en", "norwegian": "no", "norsk": "no",
    "bokmal": "nb", "bokmål": "nb", "norsk bokmål": "nb", "nynorsk": "nn", "swedish": "sv",
    "svenska": "sv", "danish": "da", "dansk": "da", "german": "de", "ngerman": "de",
    "french": "fr", "spanish": "es", "italian": "it", "dutch": "nl", "finnish": "fi",
    "icelandic": "is", "portuguese": "pt",
}  # fmt: skip

UNDATED = {"n.d.", "nd", "u.å.", "u.a.", "u.d.", "udatert", "s.a.", "o.j.", "undated", "forthcoming"}
# The fields litgraph uses; only these are decoded from LaTeX (abstracts would cost seconds).
_TEXT_FIELDS = {
    "title", "subtitle", "untitled", "undated", "journaltitle", "journal", "booktitle", "publisher", "institution",
    "school", "organization", "volume", "number", "issue", "pages", "isbn", "langid", "language",
    "type", "note", "altyear", "confidence", "seedfile", "crossref", "xdata", "keywords", "shortauthor", "shorttitle",
}  # fmt: skip
_EXTRA_FIELDS = ("seedfile", "crossref", "xdata", "keywords", "shortauthor", "shorttitle")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@dataclass
class BibliographyResult:
    works: dict[str, Work] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _failure(path: Path, block: ParsingFailedBlock) -> Problem:
    line = (block.start_line or 0) + 1
    if isinstance(block, DuplicateBlockKeyBlock) and not block.key:
        return Problem(path, line, "an entry has no citation key", "add a key after the opening brace")
    if isinstance(block, DuplicateBlockKeyBlock):
        return Problem(path, line, f"the key {block.key!r} is used twice in this file", "give each entry its own key")
    if isinstance(block, DuplicateFieldKeyBlock):
        return Problem(
            path,
            line,
            f"an entry has the same field twice: {', '.join(sorted(block.duplicate_keys))}",
            "keep one of them",
        )
    raw = (block.raw or "").strip().splitlines()
    first = raw[0][:60] if raw else ""
    reason = getattr(block.error, "abort_reason", None) or str(block.error) or "unbalanced braces or quotes"
    return Problem(
        path,
        line,
        f"cannot parse the entry starting {first!r}: {reason}",
        "check its braces, quotes and commas; the other entries were read",
    )


def _year(value: str) -> int | None:
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def _entry_to_work(
    path: Path, entry: Entry, strings: dict[str, str], problems: list[Problem], limit: int
) -> Work | None:
    line = (entry.start_line or 0) + 1
    if not entry.key:
        problems.append(Problem(path, line, "an entry has no citation key", "add a key after the opening brace"))
        return None
    refused = key_refusal(entry.key)
    if refused is not None:
        problems.append(Problem(path, line, f"the key {entry.key!r} {refused}", "rename the entry's key"))
        return None
    fields = _field_values(path, entry, strings, problems, limit)
    entry_type = entry.entry_type.lower()
    if entry_type not in KNOWN_TYPES:
        problems.append(Problem(path, line, f"entry {entry.key!r} has an unknown type @{entry.entry_type}",
                                "read as a generic document (bibo:Document)", "warning"))  # fmt: skip
    work = Work(key=entry.key, entry_type=entry_type, path=path, line=line, raw=entry.raw or "")
    _fill(work, fields, {k: to_text(v) for k, v in fields.items() if k in _TEXT_FIELDS})
    return work


def _field_values(
    path: Path, entry: Entry, strings: dict[str, str], problems: list[Problem], limit: int
) -> dict[str, str]:
    """The entry's fields by (lower-case) name, their @string macros expanded; a Problem per one that cannot be."""
    fields: dict[str, str] = {}
    for f in entry.fields:
        name = f.key.splitlines()[-1].strip().lower()  # a `%` comment line can precede the name
        if name.startswith("%"):
            continue  # a commented-out field, as biber reads it
        try:
            fields[name] = resolve(str(f.value), strings, limit).strip()
        except UnresolvedValue as exc:
            problems.append(
                Problem(path, (f.start_line or 0) + 1, f"entry {entry.key!r}, field {name!r}: {exc}", exc.hint)
            )
    return fields


def _fill(work: Work, fields: dict[str, str], text: dict[str, str]) -> None:
    """The work's fields from the entry's (`fields`: as written; `text`: LaTeX made plain)."""
    title = text.get("title")
    if title and text.get("subtitle"):
        title = f"{title.rstrip(':')}: {text['subtitle']}"
    work.title = title or None
    work.untitled_reason = text.get("untitled")
    year_text = fields.get("year") or fields.get("date") or ""
    work.year = _year(year_text)
    work.undated = work.year is None and (year_text.strip().lower() in UNDATED or bool(text.get("undated")))
    for role in ("author", "editor"):
        if role in fields:
            persons, more = people(fields[role])
            setattr(work, role + "s", persons)
            work.more_authors = work.more_authors or (more and role == "author")
    work.container = text.get("journaltitle") or text.get("journal") or text.get("booktitle")
    work.publisher = text.get("publisher") or text.get("institution") or text.get("school") or text.get("organization")
    work.volume = text.get("volume")
    work.issue = text.get("number") if work.entry_type == "article" else text.get("issue")
    work.number = text.get("number") if work.entry_type != "article" else None
    work.pages = text.get("pages")
    doi = fields.get("doi", "").strip()
    work.doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi, flags=re.I) or None
    work.url = fields.get("url", "").strip() or None
    work.isbn = text.get("isbn")
    lang = (text.get("langid") or text.get("language") or "").lower()
    work.language = LANGUAGES.get(lang) or (lang if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)*", lang) else None)
    work.series_type = text.get("type")
    work.note = text.get("note")
    work.other_year = _year(text["altyear"]) if "altyear" in text else None
    work.confidence = text.get("confidence")
    work.provenance = fields.get("provenance", "").strip() or None
    work.extra = {k: v for k, v in text.items() if k in _EXTRA_FIELDS}


def read_bib_text(path: Path, text: str, string_limit: int) -> BibliographyResult:
    """Every entry of one file's text; broken ones become Problems and the rest still load. `string_limit`:
    the most characters one value may have once its @string macros are expanded."""
    result = BibliographyResult()
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    for block in library.strings:
        try:
            strings[block.key.lower()] = resolve(str(block.value), strings, string_limit)
        except UnresolvedValue as exc:
            result.problems.append(
                Problem(path, (block.start_line or 0) + 1, f"@string {block.key!r}: {exc}", exc.hint)
            )
    for failed in library.failed_blocks:
        result.problems.append(_failure(path, failed))
    for entry in library.entries:
        work = _entry_to_work(path, entry, strings, result.problems, string_limit)
        if work is None:
            continue
        if work.key in result.works:
            first = result.works[work.key]
            result.problems.append(
                Problem(path, work.line, f"the key {work.key!r} is used twice in this file (line {first.line})",
                        "give each entry its own key")
            )  # fmt: skip
            continue
        result.works[work.key] = work
    return result


def read_bib_file(path: Path, string_limit: int = 1_000_000) -> BibliographyResult:
    """Every entry of one .bib file (UTF-8, UTF-16/32 by its byte-order mark, else Windows-1252 with a
    warning); broken entries become Problems and the rest still load."""
    from litgraph.s1_read.inputs import decode

    text, problems = decode(path.read_bytes(), str(path), "cp1252")
    result = read_bib_text(path, text or "", string_limit)
    result.problems[:0] = problems
    return result
