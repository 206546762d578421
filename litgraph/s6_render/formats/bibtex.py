"""Clean .bib files: the bibliographic fields of each entry only (an allow-list per entry type, from biblatex's
data model: litgraph/data/biblatex-fields.json, made by tools/biblatex_fields.py), with the reason for a
reading-list item where a reader sees it (biblatex `addendum`, BibTeX `note`).

Two dialects: `biblatex` (biber's data model: what biblatex and Zotero read) and `bibtex` (the classic
fields of bibtex's standard styles, plain.bst and the like, which biblatex also reads through its aliases).
An entry that lacks what its type needs is written as a type that needs less (an edited book as a
collection, a web page without an address as misc; in classic BibTeX, anything as misc), never with a
value made up.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field

DIALECTS = ("biblatex", "bibtex")
UNDATED = "XXXX"
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
NAME_FIELDS = {"author", "editor", "translator", "editora", "editorb", "editorc", "bookauthor", "holder"}
BIBLATEX_ALIASES = {"journal": "journaltitle", "address": "location", "school": "institution", "annote": "annotation",
                    "key": "sortkey", "archiveprefix": "eprinttype", "primaryclass": "eprintclass"}  # fmt: skip
BIBLATEX_TYPES = {"techreport": ("report", "techreport"), "phdthesis": ("thesis", "phdthesis"),
                  "mastersthesis": ("thesis", "mathesis"), "conference": ("inproceedings", None),
                  "electronic": ("online", None), "www": ("online", None)}  # fmt: skip
# classic BibTeX: the types of plain.bst, the fields each needs (one of each group), and the fields it prints
CLASSIC_NEEDS = {
    "article": [["author"], ["title"], ["journal"], ["year"]],
    "book": [["author", "editor"], ["title"], ["publisher"], ["year"]],
    "inbook": [["author", "editor"], ["title"], ["chapter", "pages"], ["publisher"], ["year"]],
    "incollection": [["author"], ["title"], ["booktitle"], ["publisher"], ["year"]],
    "inproceedings": [["author"], ["title"], ["booktitle"], ["year"]],
    "techreport": [["author"], ["title"], ["institution"], ["year"]],
    "phdthesis": [["author"], ["title"], ["school"], ["year"]],
    "mastersthesis": [["author"], ["title"], ["school"], ["year"]],
    "misc": [],
}
CLASSIC_FIELDS = {"address", "key", "author", "booktitle", "chapter", "doi", "edition", "editor", "howpublished", "institution",
                  "isbn", "issn", "journal", "month", "note", "number", "organization", "pages", "publisher", "school",
                  "series", "title", "type", "url", "volume", "year"}  # fmt: skip
CLASSIC_TYPES = {"report": "techreport", "collection": "book", "mvbook": "book", "mvcollection": "book",
                 "bookinbook": "inbook", "online": "misc"}  # fmt: skip


@dataclass(frozen=True)
class Reference:
    """An entry to write: its BibTeX text as stored, and the reason it is on a reading list (or None)."""

    key: str
    bibtex: str
    reason: str | None = None


@functools.cache
def data_model() -> dict[str, dict[str, list]]:  # type: ignore[type-arg]
    text = resources.files("litgraph").joinpath("data/biblatex-fields.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def parsed(text: str) -> Entry | None:
    """The entry of a stored BibTeX text, its type and field names in lower case."""
    entries = bibtexparser.parse_string(text).entries
    if not entries:
        return None
    entry = entries[0]
    fields = [Field(f.key.lower(), f.value) for f in entry.fields]
    return Entry(entry.entry_type.lower(), entry.key, fields)


def _met(fields: dict[str, str], needs: Iterable[Sequence[str]]) -> bool:
    return all(any(fields.get(f) for f in group) for group in needs)


def biblatex_fields(entry: Entry, keep: set[str]) -> tuple[str, dict[str, str]]:
    """An entry's type and fields in biblatex's data model: aliases as biblatex names them, then the fields
    its type takes (and those in `keep`)."""
    fields: dict[str, str] = {}
    for f in entry.fields:
        name = BIBLATEX_ALIASES.get(f.key, f.key)
        fields.setdefault(name, str(f.value))
    kind, subtype = BIBLATEX_TYPES.get(entry.entry_type, (entry.entry_type, None))
    if subtype and "type" not in fields:
        fields["type"] = subtype
    model = data_model()
    if kind not in model["fields"]:
        kind = "misc"
    if kind in ("book", "mvbook") and not fields.get("author") and fields.get("editor"):
        kind = "collection" if kind == "book" else "mvcollection"  # (an edited volume)
    if kind in ("report", "thesis") and not fields.get("type"):
        fields["type"] = kind  # (the kind the input gave; biblatex prints the type it is told)
    if kind == "online" and not any(fields.get(f) for f in ("url", "doi", "eprint")):
        kind = "misc"
    month = fields.get("month", "").strip().lower()[:3]
    if month in MONTHS:  # (biblatex takes a month as its number)
        fields["month"] = str(MONTHS.index(month) + 1)
    for name in NAME_FIELDS & fields.keys():  # ("Chen,, Date": an empty part between commas, which biber refuses)
        fields[name] = re.sub(r",\s*,", ",", fields[name])
    if not fields.get("date", "").strip() and not fields.get("year", "").strip():
        fields["date"] = UNDATED  # (EDTF: the year is unspecified; biblatex needs a date, none is made up)
    if not _met(fields, model["mandatory"].get(kind, [])) and _met(fields, model["mandatory"]["misc"]):
        kind = "misc"  # (what its type needs is not known: misc needs a title and a date only)
        fields.setdefault("organization", fields.get("institution") or fields.get("publisher") or "")
    allowed = set(model["fields"][kind]) | keep
    return kind, {k: v for k, v in fields.items() if k in allowed and v.strip()}


def classic_fields(entry: Entry, keep: set[str]) -> tuple[str, dict[str, str]]:
    """An entry's type and fields for classic BibTeX: biblatex's names back to BibTeX's, a date as its year
    and month, and @misc where the type's needs are not met."""
    kind, fields = biblatex_fields(entry, keep | {"date"})
    back = {v: k for k, v in BIBLATEX_ALIASES.items() if k in CLASSIC_FIELDS}
    out: dict[str, str] = {}
    for name, value in fields.items():
        out.setdefault(back.get(name, name), value)
    date = out.pop("date", None)
    if date and not out.get("year") and (found := re.match(r"(\d{4})(?:-(\d{2}))?", date)):
        out["year"] = found.group(1)
    kind = CLASSIC_TYPES.get(kind, kind)
    if kind == "thesis":
        kind = "mastersthesis" if "ma" in out.get("type", "").lower() else "phdthesis"
    if kind in ("phdthesis", "mastersthesis") and "institution" in out:
        out["school"] = out.pop("institution")
    if kind not in CLASSIC_NEEDS or not _met(out, CLASSIC_NEEDS[kind]):
        kind = "misc"
    if kind == "article" and out.get("number") and not out.get("volume"):  # (the standard styles need both)
        out["note"] = "; ".join(n for n in (f"no. {out.pop('number')}", out.get("note")) if n)
    if out.get("type") in (kind, "techreport", "phdthesis", "mathesis", "report", "thesis"):
        out.pop("type")
    out = {k: v for k, v in out.items() if k in CLASSIC_FIELDS | keep}
    if not out.get("author"):  # (what the standard styles sort by where there is no author: the title)
        out["key"] = out.get("title") or entry.key
    return kind, out


def clean_bib(references: Sequence[Reference], dialect: str = "biblatex", keep: Iterable[str] = ()) -> str:
    """The entries of `references`, cleaned, as one .bib text (in their order); the reason of each in
    `addendum` (biblatex) or `note` (bibtex)."""
    kept = {k.strip().lower() for k in keep if k.strip()}
    library = Library()
    for ref in references:
        entry = parsed(ref.bibtex)
        if entry is None:
            continue
        kind, fields = (biblatex_fields if dialect == "biblatex" else classic_fields)(entry, kept)
        if ref.reason:
            place = "addendum" if dialect == "biblatex" else "note"
            fields[place] = f"{fields[place]}. {ref.reason}" if fields.get(place) else ref.reason
        library.add(Entry(kind, ref.key, [Field(k, v) for k, v in fields.items()]))
    if not library.entries:
        return ""
    form = bibtexparser.BibtexFormat()
    form.indent, form.block_separator, form.trailing_comma = "  ", "\n", True
    return bibtexparser.write_string(library, bibtex_format=form).strip() + "\n"
