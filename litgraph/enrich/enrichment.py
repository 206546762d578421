"""`litgraph enrich`: look works up in Crossref / OpenAlex and propose the fields their entries lack.

For each work: fetch by its DOI (or the identifier the person chose), else search by title words,
authors and year; score and classify the candidates (matching.py); propose the fields the entry lacks
from the accepted one (with --overwrite, also those that differ); write the proposals overlay
(proposals.py). A work is `failed` when an API could not answer and nothing was accepted: it is not
recorded, so the next run asks again. `--citations` reads OpenAlex's reference lists instead.
The .bib files are never touched here (bibedit.py does that, on --apply).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from litgraph.enrich.matching import KIND_OF_TYPE, Scored, classify, rank
from litgraph.enrich.scholarly import ClientSettings, Scholarly, SourceError, Unreachable
from litgraph.enrich.scholarly_records import Candidate
from litgraph.errors import InputError, NotFoundError
from litgraph.model import Person, Problem, Work
from litgraph.project import Project
from litgraph.s1_read.citations import read_citations_text, write_citations
from litgraph.s1_read.proposals import FieldProposal, Proposal, current_value, lacks, read_proposals, write_proposals
from litgraph.suggest import did_you_mean, fold

BREAKER = 3  # an API that fails this many times in a row is not asked again in this run
# Entry types the indexes do not describe: not looked up unless named with --keys.
SKIP_TYPES = {"legislation", "legal", "law", "jurisdiction", "online", "www", "electronic", "webpage", "software"}
_FIELDS_OF_KIND = {
    "article": ("doi", "title", "author", "year", "journal", "volume", "number", "pages"),
    "chapter": ("doi", "title", "author", "year", "booktitle", "pages", "publisher"),
    "paper": ("doi", "title", "author", "year", "booktitle", "pages", "publisher"),
    "book": ("doi", "title", "author", "year", "publisher", "isbn"),
    "report": ("doi", "title", "author", "year", "institution"),
    "thesis": ("doi", "title", "author", "year"),
}
_REPLACEABLE = {"title", "journal", "booktitle", "volume", "number", "pages", "publisher", "institution"}

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# --- proposals ---------------------------------------------------------------------------------------


def _bib_names(people: tuple[Person, ...]) -> str | None:
    names = [f"{{{p.family}}}" if p.corporate else f"{p.family}, {p.given}".strip(", ") for p in people]
    return " and ".join(names) or None


def _value(candidate: Candidate, name: str) -> str | None:
    if name == "author":
        return _bib_names(candidate.authors)
    if name == "year":
        return str(candidate.year) if candidate.year else None
    if name in ("journal", "booktitle"):
        return candidate.container
    if name == "number":
        return candidate.issue
    if name == "institution":
        return candidate.publisher
    value = getattr(candidate, name)
    return str(value) if value else None


def _fields_of(work: Work) -> tuple[str, ...]:
    return _FIELDS_OF_KIND.get(KIND_OF_TYPE.get(work.entry_type, ""), ("doi", "title", "author", "year"))


def proposed_fields(work: Work, candidate: Candidate, overwrite: bool = False) -> dict[str, FieldProposal]:
    """The fields the entry lacks that the candidate has; with `overwrite`, also those that differ."""
    proposed = {}
    for name in _fields_of(work):
        value = _value(candidate, name)
        if not value:
            continue
        if lacks(work, name):
            proposed[name] = FieldProposal(value)
        elif overwrite and name in _REPLACEABLE:
            old = str(current_value(work, name))
            if fold(old) != fold(value):
                proposed[name] = FieldProposal(value, replaces=old)
    return proposed


@dataclass
class Outcome:
    """What the lookup of one work came to."""

    key: str
    status: str  # accepted | ambiguous | none | failed
    shown: list[Scored] = field(default_factory=list)  # accepted first, or the near misses
    fields: dict[str, FieldProposal] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def best(self) -> Scored | None:
        return self.shown[0] if self.shown else None

    def message(self) -> str:
        """One line for a person."""
        best = self.best
        where = f"{best.candidate.source} {best.candidate.id} (score {best.score:.2f})" if best else ""
        if self.status == "failed":
            return f"{self.key}: " + "; ".join(self.faults)
        also = f" [{'; '.join(self.faults)}]" if self.faults else ""
        if self.status == "accepted":
            what = ", ".join(self.fields) if self.fields else "nothing missing"
            return f"{self.key}: accepted {where}: {what}{also}"
        if self.status == "ambiguous":
            return f"{self.key}: ambiguous, best {where}; choose with --accept {self.key}=CANDIDATE{also}"
        return f"{self.key}: no match" + (f" ({self.note})" if self.note else "") + also


def candidate_summary(scored: Scored) -> dict[str, object]:
    c = scored.candidate
    return {
        "candidate": c.id,
        "source": c.source,
        "score": round(scored.score, 2),
        "title": c.title,
        "year": c.year,
        "authors": "; ".join(p.family for p in c.authors[:5]) + ("; …" if len(c.authors) > 5 else ""),
        "doi": c.doi,
    }


def to_proposal(outcome: Outcome, today: str) -> Proposal:
    best = outcome.best
    accepted = outcome.status == "accepted" and best is not None
    return Proposal(
        key=outcome.key,
        status=outcome.status,
        source=best.candidate.source if accepted and best else None,
        candidate=best.candidate.id if accepted and best else None,
        score=best.score if accepted and best else None,
        fields=outcome.fields if accepted else {},
        candidates=[candidate_summary(s) for s in outcome.shown[1 if accepted else 0 :]],  # type: ignore[misc]
        note=outcome.note,
        date=today,
    )


# --- the run -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrichOptions:
    keys: tuple[str, ...] = ()
    sources: tuple[str, ...] = ("crossref", "openalex")
    overwrite: bool = False
    dry_run: bool = False
    offline: bool = False
    choices: dict[str, str] = field(default_factory=dict)  # key -> a DOI or OpenAlex id the person chose


@dataclass
class EnrichReport:
    outcomes: list[Outcome]
    sent: int = 0  # requests sent to the network
    cached: int = 0  # requests answered from the cache
    written: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


class Breaker:
    """Stops asking an API that failed BREAKER times in a row (no network, a hung server)."""

    def __init__(self) -> None:
        self.failures: dict[str, list[str]] = {}

    def closed_for(self, source: str) -> str | None:
        failures = self.failures.get(source, [])
        if len(failures) >= BREAKER:
            return f"{source}: not asked (it failed {len(failures)} times in a row)"
        return None

    def record(self, source: str, fault: str | None) -> None:
        self.failures[source] = [*self.failures.get(source, []), fault] if fault else []


def _ask(source: str, call: Callable[[], object], breaker: Breaker, faults: list[str]) -> object:
    closed = breaker.closed_for(source)
    if closed:
        faults.append(closed)
        return None
    try:
        result = call()
    except Unreachable as exc:
        breaker.record(source, str(exc).split(": ", 1)[-1])
        faults.append(str(exc))
        return None
    except SourceError as exc:
        faults.append(str(exc))
        return None
    breaker.record(source, None)
    return result


def look_up(
    work: Work, client: Scholarly, sources: tuple[str, ...], breaker: Breaker, choice: str | None = None
) -> tuple[list[Candidate], list[str], bool]:
    """Candidates for one work, the faults met, and whether they were fetched by identifier."""
    candidates: list[Candidate] = []
    faults: list[str] = []
    doi = choice if choice and not choice.upper().startswith("W") else (None if choice else work.doi)
    if choice or doi:
        for source in sources:
            if source == "crossref" and doi:
                found = _ask(source, partial(client.crossref_work, doi), breaker, faults)
            elif source == "openalex":
                found = _ask(source, partial(client.openalex_work, doi=doi, openalex_id=choice), breaker, faults)
            else:
                continue
            if isinstance(found, Candidate):
                candidates.append(found)
        if candidates or choice or faults:  # only a DOI the indexes do not know is searched for
            return candidates, faults, True
    families = [p.family for p in (work.authors or work.editors)[:3]]
    for source in sources:
        search = client.crossref_search if source == "crossref" else client.openalex_search
        found = _ask(source, partial(search, work.title, families, work.year), breaker, faults)
        candidates += found if isinstance(found, list) else []
    return candidates, faults, False


def assess(work: Work, client: Scholarly, options: EnrichOptions, breaker: Breaker) -> Outcome:
    choice = options.choices.get(work.key)
    candidates, faults, by_id = look_up(work, client, options.sources, breaker, choice)
    status, shown = classify(rank(work, candidates), by_doi=by_id, chosen=bool(choice and candidates))
    outcome = Outcome(work.key, status, shown, faults=list(dict.fromkeys(faults)))
    if status == "accepted":
        outcome.fields = proposed_fields(work, shown[0].candidate, options.overwrite)
        outcome.note = f"chosen by hand: {choice}" if choice else None
    elif faults:
        outcome.status = "failed"
    elif choice:
        outcome.note = f"{choice} is not known to {' or '.join(options.sources)}"
    elif status == "none":
        best = rank(work, candidates)[:1]
        outcome.note = f"best candidate scored {best[0].score:.2f}" if best else "no candidate found"
    return outcome


def check_keys(keys: Iterable[str], works: dict[str, Work]) -> list[str]:
    """The keys, in order and once each; NotFoundError (with the nearest keys) for one not in the bibliography."""
    named = list(dict.fromkeys(keys))
    for key in named:
        if key not in works:
            hint = did_you_mean(key, works)
            raise NotFoundError(f"no entry with the key {key!r} in the bibliography" + (f"; {hint}" if hint else ""))
    return named


def works_to_look_up(works: dict[str, Work], existing: dict[str, Proposal], options: EnrichOptions) -> list[Work]:
    """--keys and --accept keys; by default every entry that lacks a field and has no proposal yet."""
    named = check_keys([*options.keys, *options.choices], works)
    if named:
        return [works[k] for k in named]
    return [
        w
        for w in works.values()
        if w.key not in existing
        and w.entry_type not in SKIP_TYPES
        and (
            options.overwrite
            or any(lacks(w, n) for n in _FIELDS_OF_KIND.get(KIND_OF_TYPE.get(w.entry_type, ""), ("doi",)))
        )
    ]


HEADER = """Proposed by `litgraph enrich` from Crossref and OpenAlex ({date}). Review before use:
delete a field, or a whole entry, that you do not want.
`litgraph build` fills the accepted fields where the .bib has none; `litgraph enrich --apply` writes them
into the .bib files (a backup is kept). For an ambiguous entry, choose one of its candidates with
`litgraph enrich --accept KEY=CANDIDATE`."""


def enrich(
    project: Project,
    options: EnrichOptions,
    works: dict[str, Work],
    progress: Progress = _quiet,
    client: Scholarly | None = None,
) -> EnrichReport:
    """Look `works` (the bibliography's, by key) up and write their proposals (unless dry_run); the .bib
    files are never touched."""
    problems: list[Problem] = []
    existing = read_proposals(project.proposals_file, problems)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)  # a broken overlay is not written over
    selected = works_to_look_up(works, existing, options)
    report = EnrichReport([])
    if not selected:
        return report
    client = client or Scholarly(ClientSettings.for_project(project, options.offline))
    breaker = Breaker()
    try:
        for number, work in enumerate(selected, 1):
            progress(f"looking up {number}/{len(selected)}: {work.key}")
            report.outcomes.append(assess(work, client, options, breaker))
    finally:
        client.close()
        report.sent, report.cached = client.sent, client.cached
    recorded = [o for o in report.outcomes if o.status != "failed"]
    if recorded and not options.dry_run:
        today = date.today().isoformat()
        merged = {**existing, **{o.key: to_proposal(o, today) for o in recorded}}
        write_proposals(project.proposals_file, merged.values(), HEADER.format(date=today))
        report.written = project.proposals_file
    return report


# --- citations from OpenAlex's reference lists -------------------------------------------------------


@dataclass
class CitationReport:
    cites: dict[str, list[str]] = field(default_factory=dict)  # citing key -> cited keys, both in the project
    found: int = 0  # works found in OpenAlex
    faults: dict[str, str] = field(default_factory=dict)  # key -> what went wrong
    missing: list[str] = field(default_factory=list)  # works OpenAlex does not know
    without_id: list[str] = field(default_factory=list)  # works with neither a DOI nor an OpenAlex id
    sent: int = 0
    cached: int = 0
    written: Path | None = None


def _openalex_ids(project: Project, works: dict[str, Work]) -> dict[str, tuple[str | None, str | None]]:
    """key -> (DOI, OpenAlex id): the entry's DOI or an accepted proposal's, and an accepted OpenAlex id."""
    problems: list[Problem] = []
    proposals = read_proposals(project.proposals_file, problems)
    ids: dict[str, tuple[str | None, str | None]] = {}
    for key, work in works.items():
        proposal = proposals.get(key)
        accepted = proposal is not None and proposal.status in ("accepted", "applied")
        doi = work.doi or (proposal.fields["doi"].value if accepted and "doi" in proposal.fields else None)  # type: ignore[union-attr]
        candidate = proposal.candidate if accepted and proposal else None
        openalex = candidate if candidate and candidate.upper().startswith("W") else None
        if doi or openalex:
            ids[key] = (doi, openalex)
    return ids


CITATIONS_HEADER = """Written by `litgraph enrich --citations` on {date} from OpenAlex's reference lists:
who cites whom among the works of this project. Rewritten on each run; edit another file to add links."""


def enrich_citations(
    project: Project,
    options: EnrichOptions,
    works: dict[str, Work],
    progress: Progress = _quiet,
    client: Scholarly | None = None,
) -> CitationReport:
    """cito:cites between `works` (the project's, by key), from OpenAlex `referenced_works`, written to
    bibliography/citations/openalex.yaml (links of works that could not be fetched this time are kept)."""
    keys = check_keys(options.keys, works)
    ids = _openalex_ids(project, works)
    report = CitationReport(without_id=sorted(k for k in works if k not in ids and (not keys or k in keys)))
    selected = [k for k in ids if not keys or k in keys]
    if not selected:
        return report
    client = client or Scholarly(ClientSettings.for_project(project, options.offline))
    breaker, records = Breaker(), {}
    try:
        for number, key in enumerate(selected, 1):
            progress(f"reading references {number}/{len(selected)}: {key}")
            doi, openalex = ids[key]
            faults: list[str] = []
            found = _ask("openalex", partial(client.openalex_work, doi=doi, openalex_id=openalex), breaker, faults)
            if isinstance(found, Candidate):
                records[key] = found
            elif faults:
                report.faults[key] = "; ".join(faults)
            else:
                report.missing.append(key)
    finally:
        client.close()
        report.sent, report.cached = client.sent, client.cached
    report.found = len(records)
    key_of = {c.id: key for key, c in records.items()}
    for key, record in records.items():
        cited = sorted({key_of[r] for r in record.references if r in key_of and key_of[r] != key})
        if cited:
            report.cites[key] = cited
    target = project.citations_dir / "openalex.yaml"
    if not records or options.dry_run:
        return report
    kept = read_citations_text(target, target.read_text(encoding="utf-8")).citations if target.is_file() else []
    merged = {k: list(v) for k, v in report.cites.items()}
    for link in kept:  # a work not fetched this time keeps the links it had
        if link.citing not in records and link.citing in works and link.cited in works:
            merged.setdefault(link.citing, []).append(link.cited)
    write_citations(target, merged, CITATIONS_HEADER.format(date=date.today().isoformat()))
    report.written = target
    return report
