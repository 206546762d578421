"""The pipeline in one place: read the inputs, check them, build the graph, analyse it, write the store and
the site, and publish both at once.

Every stage redoes only what the changes since the last build reach (see s1_read/changes.py); a build from
nothing is the same run with everything changed. The store and the site are made beside the live ones and
swapped in together at the end (SIGINT and SIGTERM are held for that moment): a build stopped or killed at
any moment leaves the old store and site/, never a mix, and the next build finishes its work.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from litgraph.errors import GraphError, InputError, ProjectError
from litgraph.model import Problem
from litgraph.plumbing import statedb
from litgraph.plumbing.files import make_folder, remove_tree, swap_in
from litgraph.plumbing.interrupts import uninterruptible
from litgraph.plumbing.lock import project_lock
from litgraph.plumbing.statedb import rows_in, transaction
from litgraph.plumbing.statefolder import StateFolder, state_folder
from litgraph.plumbing.trash import empty_beside
from litgraph.plumbing.workers import Background, no_cycle_collection
from litgraph.project import Project
from litgraph.s1_read import tables as read_tables
from litgraph.s1_read.changes import Changes, clear_pending
from litgraph.s1_read.inputs import input_stamp
from litgraph.s1_read.parsing import ProblemRow, problem_rows, problems_of
from litgraph.s1_read.reading import read_inputs, set_fact
from litgraph.s2_check.references import check_inputs
from litgraph.s3_graph import shapes, units
from litgraph.s3_graph.unit_files import UnitBuild, has_files, prune_units
from litgraph.s4_analyse import analysis
from litgraph.s4_analyse.importance import CitationFigures
from litgraph.s5_store.write import compact, make_store
from litgraph.s6_render import records
from litgraph.s6_render.site import SiteBuild, SiteInputs

Progress = Callable[[str], None]
TABLES = (*read_tables.TABLES, *units.TABLES, *shapes.TABLES, *analysis.TABLES, *records.TABLES)
MARKER = "building"  # in the state folder while a build is under way
COMPACT_EVERY = 8  # a store updated this many times since it was compacted is compacted again
COMPACT_BESIDE = (
    200  # graph units: a store made anew of this many is compacted by a process of its own, while site/ is written
)


def _quiet(_: str) -> None:
    pass


@dataclass
class BuildSummary:
    works: int
    claims: int
    themes: int
    questions: int
    disputes: int
    citations: int
    triples: int
    warnings: list[Problem]
    outputs: list[Path]
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the user should know (caching off, a link replaced...)

    def counts(self) -> dict[str, int]:
        return {
            n: getattr(self, n) for n in ("works", "claims", "themes", "questions", "disputes", "citations", "triples")
        }


def opened_database(state: StateFolder) -> sqlite3.Connection:
    """The state database of a state folder (in memory where caching is off), its tables in place."""
    return statedb.open_state(state.database if state.cached else None, TABLES)


@contextlib.contextmanager
def opened(
    project: Project, exclusive: bool, progress: Progress = _quiet
) -> Iterator[tuple[StateFolder, sqlite3.Connection]]:
    """The project's state folder and database, under the project's lock."""
    try:
        with (
            state_folder(project.root) as state,
            project_lock(state.path, exclusive, lambda: progress("waiting for another build of this project")),
        ):
            db = opened_database(state)
            try:
                yield state, db
            finally:
                db.close()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(
            f"{project.state_dir}: the build's state is damaged ({exc}); delete the folder to build anew"
        ) from None


def read_and_check(
    project: Project, db: sqlite3.Connection, progress: Progress = _quiet
) -> tuple[Changes, list[Problem]]:
    """Stages 1 and 2: the inputs read into the state (kept, with what changed, even where they have
    errors), and every problem they have."""
    with transaction(db):
        changes = read_inputs(project, db, progress)
    recorded = published(db)
    if changes.nothing and not changes.files and recorded is not None and "problems" in recorded:
        rows = cast(list[ProblemRow], recorded["problems"])  # (the tables are as they were when published)
        return changes, problems_of(rows)
    progress("checking references")
    return changes, check_inputs(project, db, _claims_reached(db, changes) if recorded is not None else None)


def _claims_reached(db: sqlite3.Connection, changes: Changes) -> list[str] | None:
    """The claims whose names an edit can break, where the last build found every claim sound (None: all):
    the claims changed, those read in or about a work changed, and those that support or dispute a claim
    changed; all when the themes, questions or vocabulary changed."""
    if changes.everything or changes.themes or changes.questions or changes.vocabulary or changes.settings:
        return None
    found = set(changes.claims)
    for column in ("source", "reported_in"):
        found.update(
            i for (i,) in rows_in(db, f"SELECT id FROM claims WHERE {column} IN {{in}}", sorted(changes.works))
        )
    found.update(i for (i,) in rows_in(db, "SELECT id FROM claim_links WHERE other IN {in}", sorted(changes.claims)))
    return sorted(found)


def build(project: Project, progress: Progress = _quiet) -> BuildSummary:
    """Validate, build the graph and write site/ and the store; InputError (every problem) or GraphError
    (SHACL violations) leave both as they were."""
    try:
        with opened(project, exclusive=True, progress=progress) as (state, db), no_cycle_collection():
            return build_in(project, state, db, progress)
    except OSError as exc:  # a read-only or full disk, a folder in the way: the user's to fix, not a bug
        where = f" ({exc.filename})" if exc.filename else ""
        raise ProjectError(f"cannot write the build's files{where}: {exc.strerror or exc}") from None


def _leftovers(state: StateFolder) -> str | None:
    """Remove what a killed build left (staging folders; its trash goes with the next trash); a note when
    there was one."""
    marker = state.path / MARKER
    found = marker.exists()
    remove_tree(state.tmp)
    make_folder(state.tmp)
    marker.write_text(str(os.getpid()), encoding="ascii")
    return (
        "an unfinished build was found (stopped or killed): its leftovers were removed and this build completes it"
        if found
        else None
    )


def build_in(project: Project, state: StateFolder, db: sqlite3.Connection, progress: Progress) -> BuildSummary:
    """A build in a state folder already open (and locked)."""
    try:
        return _build_in(project, state, db, progress)
    except (InputError, GraphError):  # (stopped on the inputs, cleanly: not an unfinished build)
        (state.path / MARKER).unlink(missing_ok=True)
        raise


def _build_in(project: Project, state: StateFolder, db: sqlite3.Connection, progress: Progress) -> BuildSummary:
    clock: dict[str, float] = {}
    started = time.perf_counter()
    notes = [n for n in (state.note, _leftovers(state)) if n]
    stamp = input_stamp(project)
    changes, problems = read_and_check(project, db, progress)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    clock["read and check"] = time.perf_counter() - started
    if changes.nothing and _published_as_recorded(project, state, db, stamp):
        (state.path / MARKER).unlink(missing_ok=True)
        counts = cast(dict[str, int] | None, (published(db) or {}).get("counts"))
        return _summary(db, problems, project, clock, notes, counts)
    emptying = empty_beside(state.trash)
    try:
        summary, planned = _build_changes(
            project, state, db, changes, problems, progress, clock, notes, stamp, emptying
        )
    finally:
        if emptying is not None:
            emptying.cancel()  # (a no-op once it is done)
    prune_units(state.units, planned)
    return summary


def _build_changes(project: Project, state: StateFolder, db: sqlite3.Connection, changes: Changes,
                   problems: list[Problem], progress: Progress, clock: dict[str, float], notes: list[str], stamp: object,
                   emptying: Background[None] | None) -> tuple[BuildSummary, list[units.Unit]]:  # fmt: skip
    """A build of what changed, from the graph units to the swap of the new store and site/ for the live."""
    started = time.perf_counter() - sum(clock.values())
    progress("building the graph units whose inputs changed")
    unanalysed = analysis.unanalysed(db)
    figures = analysis.figures_due(db, unanalysed, state.database if state.cached else None)
    try:
        with graph_units(project, state, db, changes) as (planned, todo):
            progress("analysing" + (" while the graph units are built" if todo else ""))
            with transaction(db):
                found = analysis.analyse(db, unanalysed)
        clock["graph"] = time.perf_counter() - started - sum(clock.values())
        progress(f"checking {len(todo)} of {len(planned)} graph units against the SHACL shapes")
        made = Outputs(planned, changes, found, secrets.token_hex(8), figures=figures)
        _outputs(project, state, db, made, progress, clock)
    finally:
        if figures is not None:
            figures.cancel()  # (a no-op once it is done)
    if project.site_dir.is_symlink():
        notes.append(
            f"site/ was a link to {os.path.realpath(project.site_dir)}; it is now a folder of its own (the link's target is as it was)"
        )
    if emptying is not None:
        emptying.result()  # (before the swap puts the replaced ones into the trash)
    with uninterruptible(), transaction(db):
        swap_in(state.tmp / "store", state.store, state.trash)
        swap_in(state.tmp / "site", project.site_dir, state.trash)
        clear_pending(db)
        summary = _summary(db, problems, project, clock, notes, citations=_citations_as_published(db, changes))
        set_fact(db, "published", {"build": made.build_id, "stamp": stamp, "problems": problem_rows(problems),
                                   "counts": summary.counts()})  # fmt: skip
        set_fact(db, "store updates", made.store_updates)
    (state.path / MARKER).unlink(missing_ok=True)
    return summary, planned  # (the store and site/ replaced wait in the trash for the next build to remove)


@dataclass
class Outputs:
    """What stages 5 and 6 are made from: the graph's units, what changed, what the analysis changed."""

    units: list[units.Unit]
    changes: Changes
    analysis: analysis.Analysis
    build_id: str
    store_updates: int = 0  # updates of the store since it was last compacted
    figures: CitationFigures | None = None  # importance and clusters, where a worker works them out


def _outputs(project: Project, state: StateFolder, db: sqlite3.Connection, made: Outputs, progress: Progress,
             clock: dict[str, float]) -> None:  # fmt: skip
    """Stages 5 and 6: the new store and site/ made in the state's tmp/ (beside the live ones) while the
    graph is checked against the shapes; GraphError (or any failure) removes them again."""
    started = time.perf_counter() - sum(clock.values())
    check = shapes.ShapeCheck(db, state.units, made.units, project.ontology_file("shapes.ttl"),
                              project.ontology_file("litgraph.ttl"), project.languages)  # fmt: skip
    store_new, site_new = state.tmp / "store", state.tmp / "site"
    compaction: Background[None] | None = None
    try:
        progress("writing the store" + (" while the graph is checked" if check.in_background else ""))
        compaction = _store(project, state, db, made, store_new)
        clock["store"] = time.perf_counter() - started - sum(clock.values())
        progress("writing site/")
        make_folder(site_new)
        live_site = project.site_dir if project.site_dir.is_dir() and not project.site_dir.is_symlink() else None
        inputs = SiteInputs(project, db, state.database if state.cached else None, made.units, state.units,
                            made.changes, made.analysis, made.figures.clusters if made.figures else None)  # fmt: skip
        with transaction(db):
            SiteBuild(inputs, site_new, live_site).write()
        clock["site"] = time.perf_counter() - started - sum(clock.values())
        if compaction is not None:
            progress("compacting the store")
            compaction.result()
        if check.in_background:
            progress("waiting for the SHACL check")
        with transaction(db):
            violations = check.result()
        if violations:
            listed = "\n".join(f"  {v}" for v in violations[:20])
            raise GraphError(f"the built graph breaks {len(violations)} SHACL constraint(s):\n{listed}")
    except BaseException:
        check.cancel()
        if compaction is not None:
            compaction.cancel()
        remove_tree(store_new)
        remove_tree(site_new)
        raise


def _store(project: Project, state: StateFolder, db: sqlite3.Connection, made: Outputs,
           store_new: Path) -> Background[None] | None:  # fmt: skip
    """Stage 5: the new store, from a snapshot of the live one (or anew); compacted every COMPACT_EVERY
    updates (RocksDB's levels merged: queries stay quick), a large one by a process of its own (returned)."""
    with transaction(db):
        analysis.update_importance(db, made.analysis, made.figures)
    live_store = state.store if (state.store / "CURRENT").exists() else None
    store = make_store(db, project.base_iri, live_store, store_new, made.units, state.units, made.analysis,
                       made.build_id, made.changes.everything)  # fmt: skip
    made.store_updates = (
        0 if store.anew else int(cast(int | None, read_tables.Tables(db).fact("store updates")) or 0) + 1
    )
    if not store.anew and made.store_updates < COMPACT_EVERY:
        return None
    made.store_updates = 0
    if len(made.units) >= COMPACT_BESIDE:
        return Background(compact, store_new)
    compact(store_new)
    return None


@contextlib.contextmanager
def graph_units(
    project: Project, state: StateFolder, db: sqlite3.Connection, changes: Changes
) -> Iterator[tuple[list[units.Unit], list[units.Unit]]]:
    """Stage 3: the units of the graph now, and those built now (their files written): the plan committed
    first (worker processes read it), the units built (in workers where many) while the block runs, and
    recorded when it ends."""
    with transaction(db):
        planned = units.plan_units(db, project.base_iri, changes)
    todo = [u for u in planned if not has_files(state.units, u) or not recorded_unit(db, u)]
    running = UnitBuild(db, state.database if state.cached else None, state.units, todo, project.base_iri)
    try:
        yield planned, todo
        built = running.result()
    except BaseException:
        running.cancel()
        raise
    with transaction(db):
        units.record_units(db, planned, {b.name: b.count for b in built})
        shapes.record_types(db, planned, built)


def recorded_unit(db: sqlite3.Connection, unit: units.Unit) -> bool:
    """Whether the unit was built from these very inputs (by the last build that got that far)."""
    row = db.execute("SELECT inputs FROM units WHERE name = ?", (unit.name,)).fetchone()
    return row is not None and row[0] == unit.inputs


def _citations_as_published(db: sqlite3.Connection, changes: Changes) -> int | None:
    """The number of citations the last build published, where no edit since can have changed it."""
    counts = (published(db) or {}).get("counts")
    moved = any(
        (b and (b.source, b.reported_in)) != (a and (a.source, a.reported_in)) for b, a in changes.claims.values()
    )
    if not isinstance(counts, dict) or changes.everything or changes.citations or changes.works or moved:
        return None
    return int(counts["citations"])


def _summary(db: sqlite3.Connection, problems: list[Problem], project: Project, clock: dict[str, float],
             notes: list[str], counts: dict[str, int] | None = None, citations: int | None = None) -> BuildSummary:  # fmt: skip
    """What a build made (`counts`: as recorded when it was published, if nothing changed since;
    `citations`: likewise, where the edits since cannot have changed it)."""
    count = lambda query: db.execute(query).fetchone()[0]  # noqa: E731
    counts = counts or {
        "works": count("SELECT count(*) FROM works"),
        "claims": count("SELECT count(*) FROM claims"),
        "themes": count("SELECT count(*) FROM themes"),
        "questions": count("SELECT count(*) FROM questions"),
        "disputes": count("SELECT count(*) FROM claim_links WHERE kind = 'disputes'"),
        "citations": read_tables.Tables(db).citation_count() if citations is None else citations,
        "triples": count("SELECT coalesce(sum(count), 0) FROM units"),
    }
    return BuildSummary(**counts, warnings=[p for p in problems if p.severity == "warning"],  # type: ignore[arg-type]
                        outputs=[project.site_dir / n for n in ("graph.ttl", "graph.jsonld", "index.html")],
                        seconds=clock, notes=notes)  # fmt: skip


def _published_as_recorded(
    project: Project, state: StateFolder, db: sqlite3.Connection, stamp: list[list[object]]
) -> bool:
    """Whether the store and site/ are as the last build published them, from inputs as they are now: then
    a build has nothing to do."""
    found = published(db)
    if (
        found is None
        or found.get("stamp") != stamp
        or not (state.store / "CURRENT").exists()
        or project.site_dir.is_symlink()
    ):
        return False
    import pyoxigraph as ox

    from litgraph.s5_store.write import DAMAGED, read_manifest

    try:
        store = ox.Store.read_only(str(state.store))
        same = read_manifest(store, project.base_iri)[1] == found.get("build")
        del store
    except DAMAGED:
        return False
    planned = units.Planner(db, project.base_iri).recorded_units_in_order()
    return same and all(has_files(state.units, u) for u in planned) and records.site_as_recorded(db, project.site_dir)


def published(db: sqlite3.Connection) -> dict[str, object] | None:
    found = read_tables.Tables(db).fact("published")
    return found if isinstance(found, dict) else None
