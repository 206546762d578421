"""`litgraph enrich`: look works up in Crossref / OpenAlex and propose the fields their entries lack.

For each work: fetch by its DOI (or the identifier the person chose), else search by title words,
authors and year; score and classify the candidates (matching.py); propose the fields the entry lacks
from the accepted one (with --overwrite, also those that differ); write the proposals overlay
(proposals.py). A work is `failed` when an API could not answer and nothing was accepted: it is not
recorded, so the next run asks again. A value of the answer that cannot be the field's (values.py) is
left out, and said so. A proposal the person has reviewed (accepted or applied) is never replaced by a
run that finds less (no match, an ambiguous one, another work, fewer fields) unless they ask for it
(`replace`, or `--accept` for that work): it is kept, and said so. `--citations` (citing.py) reads
OpenAlex's reference lists instead.
The .bib files are never touched here (bibedit.py does that, on --apply).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from litgraph.errors import InputError, NotFoundError
from litgraph.gather.enrich.matching import KIND_OF_TYPE, Scored, classify, rank
from litgraph.gather.enrich.project_files import own_file
from litgraph.gather.enrich.scholarly import ClientSettings, Scholarly, SourceError, Unreachable
from litgraph.gather.enrich.scholarly_records import Candidate
from litgraph.gather.enrich.values import implausible
from litgraph.model import Person, Problem, Work
from litgraph.project import Project
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
REVIEWED = ("accepted", "applied")  # a proposal in one of these is kept over a run that finds less

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


def proposed_fields(
    work: Work, candidate: Candidate, overwrite: bool = False
) -> tuple[dict[str, FieldProposal], list[str]]:
    """The fields the entry lacks that the candidate has (with `overwrite`, also those that differ); and
    why the values that cannot be the fields' (values.py) were left out."""
    proposed, rejected = {}, []
    for name in _fields_of(work):
        value = _value(candidate, name)
        if not value:
            continue
        if lacks(work, name):
            proposal = FieldProposal(value)
        elif overwrite and name in _REPLACEABLE and fold(str(current_value(work, name))) != fold(value):
            proposal = FieldProposal(value, replaces=str(current_value(work, name)))
        else:
            continue
        reason = implausible(name, value)
        if reason is None:
            proposed[name] = proposal
        else:
            rejected.append(f"{candidate.source} {reason}: left out")
    return proposed, rejected


@dataclass
class Outcome:
    """What the lookup of one work came to."""

    key: str
    status: str  # accepted | ambiguous | none | failed
    shown: list[Scored] = field(default_factory=list)  # accepted first, or the near misses
    fields: dict[str, FieldProposal] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    note: str | None = None
    rejected: list[str] = field(default_factory=list)  # values of the answer left out, and why
    kept: Proposal | None = None  # the reviewed proposal kept over this outcome (see `replace`)
    less: str | None = None  # what this outcome found, where it is less than the kept proposal

    @property
    def best(self) -> Scored | None:
        return self.shown[0] if self.shown else None

    def kept_message(self) -> str | None:
        """One line saying that the reviewed proposal stays, or None."""
        old = self.kept
        if old is None:
            return None
        was = f" ({old.source} {old.candidate})" if old.source and old.candidate else ""
        found = f"this run found {self.less}; --replace to record that instead"
        return f"{self.key}: kept its {old.status} proposal{was}: {found}"

    def message(self) -> str:
        """One line for a person."""
        best = self.best
        where = f"{best.candidate.source} {best.candidate.id} (score {best.score:.2f})" if best else ""
        if self.status == "failed":
            return f"{self.key}: " + "; ".join(self.faults)
        also = f" [{'; '.join([*self.faults, *self.rejected])}]" if self.faults or self.rejected else ""
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
        note="; ".join([*([outcome.note] if outcome.note else []), *outcome.rejected]) or None,
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
    replace: bool = False  # record what this run found even over a reviewed proposal (see REVIEWED)


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


def ask(source: str, call: Callable[[], object], breaker: Breaker, faults: list[str]) -> object:
    """`call`'s answer, or None with the fault recorded (and the breaker told)."""
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
                found = ask(source, partial(client.crossref_work, doi), breaker, faults)
            elif source == "openalex":
                found = ask(source, partial(client.openalex_work, doi=doi, openalex_id=choice), breaker, faults)
            else:
                continue
            if isinstance(found, Candidate):
                candidates.append(found)
        if candidates or choice or faults:  # only a DOI the indexes do not know is searched for
            return candidates, faults, True
    families = [p.family for p in (work.authors or work.editors)[:3]]
    for source in sources:
        search = client.crossref_search if source == "crossref" else client.openalex_search
        found = ask(source, partial(search, work.title, families, work.year), breaker, faults)
        candidates += found if isinstance(found, list) else []
    return candidates, faults, False


def assess(work: Work, client: Scholarly, options: EnrichOptions, breaker: Breaker) -> Outcome:
    choice = options.choices.get(work.key)
    candidates, faults, by_id = look_up(work, client, options.sources, breaker, choice)
    status, shown = classify(rank(work, candidates), by_doi=by_id, chosen=bool(choice and candidates))
    outcome = Outcome(work.key, status, shown, faults=list(dict.fromkeys(faults)))
    if status == "accepted":
        outcome.fields, outcome.rejected = proposed_fields(work, shown[0].candidate, options.overwrite)
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


def finds_less(outcome: Outcome, old: Proposal) -> str | None:
    """What `outcome` found, where it is less than the reviewed proposal `old` (None where it is not):
    no match, or no single one; another work; fewer of the fields the .bib lacked."""
    best = outcome.best
    if outcome.status != "accepted" or best is None:
        return {"ambiguous": "no single match"}.get(outcome.status, "no match") + (
            f" ({outcome.note})" if outcome.note else "")  # fmt: skip
    if best.candidate.id != old.candidate:
        return f"another work ({best.candidate.source} {best.candidate.id})"
    fewer = sorted(set(old.fields) - set(outcome.fields)) if old.status == "accepted" else []
    return f"the same work without {', '.join(fewer)}" if fewer else None


def _to_record(outcomes: list[Outcome], existing: dict[str, Proposal], options: EnrichOptions) -> list[Outcome]:
    """The outcomes to write: not the failed, nor (without `replace`, or a choice by hand) those that find
    less than a reviewed proposal; these get `kept`."""
    recorded = []
    for outcome in outcomes:
        old = existing.get(outcome.key)
        if outcome.status == "failed":
            continue
        reviewed = old is not None and old.status in REVIEWED and outcome.key not in options.choices
        less = finds_less(outcome, old) if old is not None and reviewed and not options.replace else None
        if less is not None:
            outcome.kept, outcome.less = old, less
            continue
        recorded.append(outcome)
    return recorded


def enrich(
    project: Project,
    options: EnrichOptions,
    works: dict[str, Work],
    progress: Progress = _quiet,
    client: Scholarly | None = None,
) -> EnrichReport:
    """Look `works` (the bibliography's as its .bib files have them, by key: api.works(project,
    as_in_files=True)) up and write their proposals (unless dry_run); the .bib files are never touched."""
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
    recorded = _to_record(report.outcomes, existing, options)
    if recorded and not options.dry_run:
        today = date.today().isoformat()
        merged = {**existing, **{o.key: to_proposal(o, today) for o in recorded}}
        target = own_file(project, project.proposals_file)
        write_proposals(target, merged.values(), HEADER.format(date=today))
        report.written = project.proposals_file
    return report
