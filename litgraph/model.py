"""Plain data passed between the pipeline's stages: what the inputs say. No rdflib, no storage here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, where it is and what would be valid."""

    path: Path | str
    line: int | None
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True)
class Person:
    """An author or editor; `corporate` for bodies such as a ministry (a foaf:Organization)."""

    family: str
    given: str = ""
    von: str = ""
    suffix: str = ""
    corporate: bool = False

    @property
    def display_name(self) -> str:
        if self.corporate:
            return self.family
        family = f"{self.von} {self.family}".strip()
        name = f"{self.given} {family}".strip()
        return f"{name}, {self.suffix}" if self.suffix else name


@dataclass
class Work:
    """One bibliography entry."""

    key: str
    entry_type: str  # the BibTeX/biblatex type, lower case
    path: Path
    line: int
    title: str | None = None
    year: int | None = None
    undated: bool = False
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    more_authors: bool = False  # "and others"
    container: str | None = None  # journal or book title
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    url: str | None = None
    isbn: str | None = None
    language: str | None = None  # BCP 47
    series_type: str | None = None  # "Meld. St.", "NOU"
    number: str | None = None
    note: str | None = None
    other_year: int | None = None
    confidence: str | None = None
    provenance: str | None = None
    untitled_reason: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    raw: str = ""  # the entry as written in the .bib file, for BibTeX output that keeps the user's fields

    @property
    def first_author_family(self) -> str | None:
        people = self.authors or self.editors
        return people[0].family if people else None

    @property
    def reference(self) -> str:
        """A full reference in an author-year style: authors (year). Title. Container, volume(issue), pages."""
        people = self.authors or self.editors
        names = [_reference_name(p) for p in people]
        if self.more_authors:
            names.append("et al.")
        who = (
            ", ".join(names[:-1]) + (", & " if len(names) > 2 else " & ") + names[-1]
            if len(names) > 1
            else (names[0] if names else "")
        )
        year = str(self.year) if self.year else "n.d."
        if not who and not self.title:  # anonymous and untitled: "Bacheloroppgave (2023). [Untitled: why.]"
            who = self.series_type or ""
        untitled = (self.untitled_reason or "no title").rstrip(".")
        title = self.title.rstrip(".") if self.title else f"[Untitled: {untitled}]"
        parts = [f"{who} ({year}).".strip(), title if title.endswith(("?", "!")) else f"{title}."]
        where = self.container or ""
        if self.volume:
            where += f", {self.volume}" + (f"({self.issue})" if self.issue else "")
        if self.pages:
            where += f", {self.pages}"
        if self.series_type and self.number:
            where = f"{where}, {self.series_type} {self.number}".lstrip(", ")
        if self.publisher and self.entry_type != "article":
            where = f"{where}. {self.publisher}".lstrip(". ")
        if where:
            parts.append(f"{where}.")
        if self.doi:
            parts.append(f"https://doi.org/{self.doi}")
        return " ".join(p for p in parts if p.strip(". "))

    @property
    def short_citation(self) -> str:
        """ "Repper & Carter 2011", "Gillard et al. 2015"."""
        people = self.authors or self.editors
        year = str(self.year) if self.year else "n.d."
        if not people:  # an anonymous work: its title, else its kind ("Bacheloroppgave 2023"), else its key
            return f"{self.title or self.series_type or self.key} {year}"
        if len(people) == 1 and not self.more_authors:
            names = people[0].family
        elif len(people) == 2 and not self.more_authors:
            names = f"{people[0].family} & {people[1].family}"
        else:
            names = f"{people[0].family} et al."
        return f"{names} {year}"


def _reference_name(person: Person) -> str:
    if person.corporate or not person.given:
        return f"{person.von} {person.family}".strip()
    initials = " ".join(f"{part[0]}." for part in person.given.replace("-", " ").split() if part)
    return f"{person.von} {person.family}, {initials}".strip()


@dataclass
class Theme:
    """A skos:Concept of the theme scheme; `id` is its skos:notation."""

    id: str
    labels: dict[str, str]  # lang -> prefLabel
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    broader: list[str] = field(default_factory=list)
    line: int | None = None
    hidden_labels: list[str] = field(default_factory=list)  # misspellings a search should still find

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or next(iter(self.labels.values()), self.id)


@dataclass
class Claim:
    """An annotated claim: who found or argued what, where it was read, on which themes, in which words."""

    id: str
    source: str
    texts: dict[str, str]  # language tag -> the claim in those words; English first where there is one
    themes: list[str]  # as written (ids or labels) when read; theme ids once checked
    path: Path
    line: int
    reported_in: str | None = None
    locator: str | None = None
    evidence: str | None = None
    supports: list[str] = field(default_factory=list)
    disputes: list[str] = field(default_factory=list)
    question: str | None = None
    stance: str | None = None
    note: str | None = None  # the grounds of its links: which text sets what against what
    quote: str | None = None  # the exact words, in the language of the work (short: at most QUOTE_LIMIT)
    lines: dict[str, int] = field(default_factory=dict)  # key -> line in `path`

    @property
    def lang(self) -> str:
        return next(iter(self.texts), "")

    @property
    def text(self) -> str:
        return next(iter(self.texts.values()), "")

    def text_in(self, lang: str) -> tuple[str, str]:
        """(language, text): the text in `lang` where the claim has it, else its first."""
        if lang in self.texts:
            return lang, self.texts[lang]
        return self.lang, self.text

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass
class Question:
    """An open question (a proposition) on which claims take sides."""

    id: str
    texts: dict[str, str]  # lang -> text
    themes: list[str]
    path: Path
    line: int


@dataclass(frozen=True, order=True)
class Citation:
    """citing cites cited (cito:cites), from claims or from citation files."""

    citing: str
    cited: str


@dataclass
class Dataset:
    """Everything a project's input files say, after reading and checking (the library's `load`)."""

    works: dict[str, Work] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)  # every (citing, cited) pair, sorted
    evidence_types: dict[str, str] = field(default_factory=dict)  # id -> English label
    scheme_title: dict[str, str] = field(default_factory=dict)
