"""The proposals overlay (bibliography/enrich/proposals.yaml): fields `litgraph enrich` found for .bib entries.

A person reviews it (deletes a field or a whole entry), `build` fills the entries' missing fields from
the accepted proposals, and `enrich --apply` writes them into the .bib files. The format:

    proposals:
      repper2011:
        status: accepted            # accepted | ambiguous | none | applied
        source: crossref            # the API the fields come from
        candidate: 10.5555/repper.carter.2011   # its id there (a DOI, or an OpenAlex id W…)
        score: 0.97                 # how well it matches the entry (0-1)
        fields:                     # BibTeX field -> proposed value (plain text)
          doi: 10.5555/repper.carter.2011
          title: {value: Full title, replaces: Cut title}   # only when made with --overwrite
        candidates: [...]           # ambiguous: the near misses to choose from (--accept KEY=ID)

The file is not a .bib on purpose: bibliography/*.bib are all read, and a second copy of each key
would clash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from litgraph.model import Problem, Work
from litgraph.plumbing.files import atomic_file
from litgraph.s1_read.bibtex_values import people
from litgraph.s1_read.yamlfile import Located, load_yaml_text
from litgraph.suggest import did_you_mean

STATUSES = ("accepted", "ambiguous", "none", "applied")
# BibTeX field -> what `build` fills in a Work when the .bib has no such value.
FIELDS = (
    "doi", "title", "author", "year", "journal", "booktitle", "volume", "number", "pages", "publisher",
    "institution", "isbn",
)  # fmt: skip
_ENTRY_KEYS = {"status", "source", "candidate", "score", "fields", "candidates", "note", "date"}


@dataclass
class FieldProposal:
    value: str
    replaces: str | None = None  # the .bib's own value, when the proposal was made with --overwrite


@dataclass
class Proposal:
    """What enrich found for one entry."""

    key: str
    status: str
    source: str | None = None
    candidate: str | None = None
    score: float | None = None
    fields: dict[str, FieldProposal] = field(default_factory=dict)
    candidates: list[dict[str, Any]] = field(default_factory=list)  # near misses, for the person to choose
    note: str | None = None
    date: str | None = None
    line: int = 0


def _field_value(raw: Any) -> FieldProposal | None:
    if isinstance(raw, str):
        return FieldProposal(raw)
    if isinstance(raw, dict) and isinstance(raw.get("value"), str):
        replaces = raw.get("replaces")
        return FieldProposal(raw["value"], replaces if isinstance(replaces, str) else None)
    return None


def _proposal(path: Path, key: str, item: Any, line: int, problems: list[Problem]) -> Proposal | None:
    if not isinstance(item, Located):
        problems.append(Problem(path, line, f"the proposal for {key!r} must be a mapping", "status: accepted"))
        return None
    for name in sorted(set(item) - _ENTRY_KEYS):
        problems.append(
            Problem(
                path,
                item.line_of(name),
                f"unknown key {name!r} in the proposal for {key!r}",
                did_you_mean(name, _ENTRY_KEYS),
            )
        )
    status = item.get("status")
    if status not in STATUSES:
        problems.append(
            Problem(path, item.line_of("status"), f"status {status!r} of {key!r} is not one of {', '.join(STATUSES)}")
        )
        return None
    try:
        score = float(item["score"]) if "score" in item else None
    except (TypeError, ValueError):
        problems.append(Problem(path, item.line_of("score"), f"score of {key!r} is not a number"))
        score = None
    fields: dict[str, FieldProposal] = {}
    raw_fields = item.get("fields") or {}
    if not isinstance(raw_fields, dict):
        problems.append(
            Problem(path, item.line_of("fields"), f"'fields' of {key!r} must be a mapping", "fields:\n  doi: 10.…")
        )
        raw_fields = {}
    for name, raw in raw_fields.items():
        value = _field_value(raw)
        if name not in FIELDS or value is None:
            hint = did_you_mean(name, FIELDS) if name not in FIELDS else "a text, or {value: …, replaces: …}"
            where = raw_fields.line_of(name) if isinstance(raw_fields, Located) else item.line
            problems.append(Problem(path, where, f"cannot use field {name!r} of {key!r}", hint))
            continue
        fields[name] = value
    candidates = item.get("candidates") or []
    return Proposal(
        key=key,
        status=status,
        source=item.get("source"),
        candidate=item.get("candidate"),
        score=score,
        fields=fields,
        candidates=[_plain_data(c) for c in candidates if isinstance(c, dict)] if isinstance(candidates, list) else [],
        note=item.get("note"),
        date=item.get("date"),
        line=item.line,
    )


def _plain_data(value: Any) -> Any:
    """Located mappings as plain dicts, so that the file can be written back."""
    if isinstance(value, dict):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    return value


def read_proposals(path: Path, problems: list[Problem]) -> dict[str, Proposal]:
    """The proposals in `path` (none when it does not exist); problems collected, never raised."""
    if not path.is_file():
        return {}
    return read_proposals_text(path, path.read_text(encoding="utf-8"), problems)


def read_proposals_text(path: Path, text: str, problems: list[Problem]) -> dict[str, Proposal]:
    """The proposals in one file's text; problems collected, never raised."""
    document = load_yaml_text(path, text, problems)
    if document is None:
        return {}
    entries = document.get("proposals") if isinstance(document, Located) else None
    if not isinstance(entries, Located):
        problems.append(
            Problem(path, 1, "expected a 'proposals:' mapping at the top", "proposals:\n  KEY:\n    status: …")
        )
        return {}
    result = {}
    for key, item in entries.items():
        proposal = _proposal(path, key, item, entries.line_of(key), problems)
        if proposal is not None:
            result[key] = proposal
    return result


def _plain(proposal: Proposal) -> dict[str, Any]:
    out: dict[str, Any] = {"status": proposal.status}
    for name in ("source", "candidate"):
        if getattr(proposal, name):
            out[name] = getattr(proposal, name)
    if proposal.score is not None:
        out["score"] = round(proposal.score, 2)
    if proposal.fields:
        out["fields"] = {
            name: {"value": f.value, "replaces": f.replaces} if f.replaces is not None else f.value
            for name, f in proposal.fields.items()
        }
    if proposal.candidates:
        out["candidates"] = proposal.candidates
    if proposal.note:
        out["note"] = proposal.note
    if proposal.date:
        out["date"] = proposal.date
    return out


def write_proposals(path: Path, proposals: Iterable[Proposal], comment: str) -> None:
    """Write the overlay atomically, entries sorted by key, `comment` as its head."""
    ordered = sorted(proposals, key=lambda p: p.key)
    header = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    body = yaml.safe_dump(
        {"proposals": {p.key: _plain(p) for p in ordered}}, allow_unicode=True, sort_keys=False, width=100
    )
    with atomic_file(path, "w") as handle:
        handle.write(header + body)


def lacks(work: Work, name: str) -> bool:
    """True when the entry has no value for this field (as far as litgraph reads it)."""
    return current_value(work, name) in (None, "", [])


def current_value(work: Work, name: str) -> Any:
    """The entry's value for a BibTeX field name, as litgraph read it."""
    if name == "author":
        return work.authors or work.editors
    if name in ("journal", "booktitle"):
        return work.container
    if name == "institution":
        return work.publisher
    if name == "number":
        return work.issue if work.entry_type == "article" else work.number
    return getattr(work, name)


def _fill(work: Work, name: str, value: str) -> None:
    if name == "author":
        work.authors, more = people(value)
        work.more_authors = work.more_authors or more
    elif name == "year":
        match = re.search(r"\d{4}", value)
        work.year = int(match.group()) if match else work.year
        work.undated = work.undated and work.year is None
    elif name in ("journal", "booktitle"):
        work.container = value
    elif name == "institution":
        work.publisher = value
    elif name == "number" and work.entry_type == "article":
        work.issue = value
    elif name == "doi":
        work.doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.I) or None
    else:
        setattr(work, name, value)


def merge_proposals(works: dict[str, Work], proposals: dict[str, Proposal], path: Path) -> list[Problem]:
    """Fill the works' missing fields from the accepted `proposals` (of the file `path`); a field the .bib
    has is replaced only when the proposal says what it replaces (made with --overwrite). Returns problems."""
    problems: list[Problem] = []
    for key, proposal in proposals.items():
        if proposal.status != "accepted":
            continue
        work = works.get(key)
        if work is None:
            problems.append(
                Problem(
                    path,
                    proposal.line,
                    f"a proposal for {key!r}, which is not in the bibliography",
                    did_you_mean(key, works) or "delete it, or run `litgraph enrich` again",
                    "warning",
                )
            )
            continue
        for name, proposed in proposal.fields.items():
            if proposed.replaces is not None or lacks(work, name):
                _fill(work, name, proposed.value)
    return problems
