"""`litgraph enrich --citations`: who cites whom among the project's works, from OpenAlex's reference lists.

Each work with a DOI or an OpenAlex id (its own, or an accepted proposal's) is fetched from OpenAlex; its
`referenced_works` that are works of the project become links, written to bibliography/citations/
openalex.yaml (the links of works that could not be fetched this time are kept); those that are not become
its `cites_outside` (their OpenAlex ids: `litgraph gaps` counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from litgraph.gather.enrich.enrichment import Breaker, EnrichOptions, Progress, ask, check_keys
from litgraph.gather.enrich.project_files import own_file
from litgraph.gather.enrich.scholarly import ClientSettings, Scholarly
from litgraph.gather.enrich.scholarly_records import Candidate
from litgraph.model import Problem, Work
from litgraph.project import Project
from litgraph.s1_read.citations import read_citations_text, write_citations
from litgraph.s1_read.proposals import read_proposals


def _quiet(_: str) -> None:
    pass


@dataclass
class CitationReport:
    cites: dict[str, list[str]] = field(default_factory=dict)  # citing key -> cited keys, both in the project
    outside: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # citing key -> works not in it
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
who cites whom among the works of this project (cites_outside: works they cite that are not in it). Rewritten on each run; edit another file to add links."""


def _fetch(client: Scholarly, ids: dict[str, tuple[str | None, str | None]], selected: list[str],
           report: CitationReport, progress: Progress) -> dict[str, Candidate]:  # fmt: skip
    breaker, records = Breaker(), {}
    for number, key in enumerate(selected, 1):
        progress(f"reading references {number}/{len(selected)}: {key}")
        doi, openalex = ids[key]
        faults: list[str] = []
        found = ask("openalex", partial(client.openalex_work, doi=doi, openalex_id=openalex), breaker, faults)
        if isinstance(found, Candidate):
            records[key] = found
        elif faults:
            report.faults[key] = "; ".join(faults)
        else:
            report.missing.append(key)
    return records


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
    try:
        records = _fetch(client, ids, selected, report, progress)
    finally:
        client.close()
        report.sent, report.cached = client.sent, client.cached
    report.found = len(records)
    key_of = {c.id: key for key, c in records.items()}
    for key, record in records.items():
        cited = sorted({key_of[r] for r in record.references if r in key_of and key_of[r] != key})
        if cited:
            report.cites[key] = cited
        elsewhere = sorted({r for r in record.references if r not in key_of})
        if elsewhere:
            report.outside[key] = [{"openalex": r} for r in elsewhere]
    if not records or options.dry_run:
        return report
    target = own_file(project, project.citations_dir / "openalex.yaml")  # (never through a link out)
    kept = read_citations_text(target, target.read_text(encoding="utf-8")) if target.is_file() else None
    merged = {k: list(v) for k, v in report.cites.items()}
    outside = {k: list(v) for k, v in report.outside.items()}
    for link in kept.citations if kept else []:  # a work not fetched this time keeps the links it had
        if link.citing not in records and link.citing in works and link.cited in works:
            merged.setdefault(link.citing, []).append(link.cited)
    for citing, fields, _ in kept.outside if kept else []:
        if citing not in records and citing in works:
            outside.setdefault(citing, []).append(fields)
    write_citations(target, merged, CITATIONS_HEADER.format(date=date.today().isoformat()), None, outside)
    report.written = target
    return report
