"""The questions users ask, answered from the project's store: one function per command, each returning
typed data (the CLI only formats it).

The store must be that of the inputs as they are now: where they changed since the last build (or there was
none), the project is built first, so an answer never comes from old data. A fresh store is read without
loading any parser: a query command costs a few look-ups.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import orjson

from litgraph.errors import GraphError, NotFoundError
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
from litgraph.s5_store.write import DAMAGED

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


@contextlib.contextmanager
def reading(project: Project, lang: str | None = None, progress: Progress = _quiet) -> Iterator[StoreReader]:
    """The project's store, read-only and up to date (see `fresh`)."""
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
            progress: Progress = _quiet) -> queries.Sources:  # fmt: skip
    """Works with claims on a theme (id, or nb/en label), with their claims and where they were read."""
    with reading(project, lang, progress) as reader:
        return queries.sources(reader, theme, exact, limit or None)


def contested(project: Project, theme: str | None = None, limit: int | None = 50, lang: str | None = None,
              progress: Progress = _quiet) -> list[ContestedGroup]:  # fmt: skip
    """Contested questions and disputes, both sides with their claims; `theme`: those touching it."""
    with reading(project, lang, progress) as reader:
        return queries.contested(reader, theme, limit or None)


def one_sided(project: Project, progress: Progress = _quiet) -> dict[str, list[str]]:
    """The questions the claims answer one way only (or not at all), with the stance taken: shown as
    one-sided, not as contested."""
    with reading(project, None, progress) as reader:
        return {q: taken for q, taken in reader.stances_taken().items() if len(taken) < 2}


def reading_list(project: Project, themes: list[str], limit: int = 8, lang: str | None = None,
                 progress: Progress = _quiet) -> ReadingList:  # fmt: skip
    """An ordered reading list on `themes`, foundational first, with the reason for each item."""
    with reading(project, lang, progress) as reader:
        return queries.reading_list(reader, themes, limit)


def claims(project: Project, source: str | None = None, theme: str | None = None, reported_in: str | None = None,
           exact: bool = False, lang: str | None = None, progress: Progress = _quiet) -> list[ClaimRow]:  # fmt: skip
    """Claims filtered by source work, theme (narrower included unless `exact`) and the work read in."""
    with reading(project, lang, progress) as reader:
        return queries.claims(reader, source, theme, reported_in, exact)


def themes(project: Project, progress: Progress = _quiet) -> list[queries.ThemeRow]:
    """The theme tree, with the claims and works on each theme (narrower themes included)."""
    with reading(project, None, progress) as reader:
        return queries.themes(reader)


def query(project: Project, sparql: str, allow_service: bool = False, progress: Progress = _quiet) -> QueryResult:
    """A read-only SPARQL query over the project's graph (not the index beside it), within the limits."""
    check_query(sparql, project.limits.query_depth, allow_service)
    with reading(project, None, progress) as reader:
        folder = reader.path
    return run_query(folder, sparql, project.limits.query_seconds, project.limits.query_rows)


def bibtex(project: Project, keys: list[str] | None = None, progress: Progress = _quiet) -> str:
    """The .bib entries of these works (all: None) as their files have them."""
    with reading(project, None, progress) as reader:
        keys = reader.all_work_keys() if keys is None else keys
        return "\n\n".join(entry.strip() for entry in reader.bibtex(keys)) + "\n"


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
