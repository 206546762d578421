"""The pipeline in one place: read every input, check it, build the graph, validate it, write site/."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from litgraph.bibliography import read_bibliography
from litgraph.checks import check_citations, check_claims, check_works
from litgraph.citations import read_citations
from litgraph.claims import read_claims
from litgraph.config import Project
from litgraph.errors import GraphError, InputError, ProjectError
from litgraph.graph import citation_pairs, graph_units
from litgraph.model import Dataset, Problem
from litgraph.ontology import read_ontology
from litgraph.parsecache import ParseCache
from litgraph.proposals import merge_proposals
from litgraph.store import PreparedIndex, fingerprint, input_stats, open_store, prepare_index, write_store, written_anew
from litgraph.workers import no_cycle_collection

if TYPE_CHECKING:
    from litgraph.graphunits import BuiltUnit, UnitCache
    from litgraph.shacl import ShapeCheck
    from litgraph.site import PageReuse
    from litgraph.workers import Background

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class LoadResult:
    data: Dataset
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


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
    seconds: dict[str, float]


def load(project: Project, progress: Progress = _quiet) -> LoadResult:
    """Every input file of the project, read and cross-checked; problems are collected, never raised."""
    result = LoadResult(Dataset())
    progress("reading ontology")
    ontology = read_ontology(project.ontology_file("themes.ttl"), project.ontology_file("litgraph.ttl"))
    result.data.themes, result.data.scheme_title = ontology.themes, ontology.scheme_title
    result.data.evidence_types, result.data.evidence_iris = ontology.evidence_types, ontology.evidence_iris
    result.data.vocabulary = ontology.individuals
    result.problems += ontology.problems
    cache = ParseCache(project.state_dir / "parsed")
    progress("reading bibliography")
    bibliography = read_bibliography(project.bib_files(), cache)
    result.data.works = bibliography.works
    result.problems += bibliography.problems
    result.problems += merge_proposals(result.data.works, project.proposals_file)  # `litgraph enrich`
    progress("reading claims")
    claims = read_claims(project.claim_files(), project.questions_file, cache)
    cache.prune()
    result.data.claims, result.data.questions = claims.claims, claims.questions
    result.problems += claims.problems
    citations = read_citations(project.citation_files())
    result.data.citations = citations.citations
    result.problems += citations.problems
    progress("checking references")
    result.problems += check_works(result.data)
    result.problems += check_claims(result.data)
    result.problems += check_citations(result.data, citations.where)
    result.data.pairs = citation_pairs(result.data)  # the claims and citations are final from here on
    for problem in result.problems:
        if isinstance(problem.path, Path):
            object.__setattr__(problem, "path", project.relative(problem.path))
    return result


def build_graph(project: Project, progress: Progress = _quiet) -> tuple[LoadResult, list[ox.Triple]]:
    """The project's triples, SHACL-validated; InputError if any input file has an error."""
    loaded, units, cache = _validated_graph(project, progress)
    return loaded, [t for unit in units for t in cache.triples(unit)]


@no_cycle_collection()
def _validated_graph(project: Project, progress: Progress) -> tuple[LoadResult, list[BuiltUnit], UnitCache]:
    """build_graph as units: those whose inputs are unchanged since the last build are kept, not built
    (see graphunits.py); those built are validated piece by piece and saved once they conform."""
    loaded = _loaded(project, progress)
    units, cache, check = _checked_units(project, loaded, progress)
    _accept(project, units, cache, check)
    return loaded, units, cache


def _loaded(project: Project, progress: Progress) -> LoadResult:
    """load(project); InputError if any input file has an error."""
    loaded = load(project, progress)
    if loaded.errors:
        raise InputError(loaded.problems)
    return loaded


def _checked_units(
    project: Project, loaded: LoadResult, progress: Progress, background: bool = False
) -> tuple[list[BuiltUnit], UnitCache, ShapeCheck]:
    """The project's graph units, with their SHACL check started (see _accept). `background`: the units'
    files are saved first (without their records), and a check of the whole graph runs in a process of its
    own, which reads them, while the caller goes on."""
    from litgraph.graphunits import UnitCache, build_units
    from litgraph.shacl import ShapeCheck  # the SHACL engine loads only when a graph is built

    shapes, vocabulary = project.ontology_file("shapes.ttl"), project.ontology_file("litgraph.ttl")
    cache = UnitCache(project.state_dir / "units")
    progress("building the graph units whose inputs changed")
    units = build_units(
        graph_units(loaded.data, project.base_iri, loaded.data.evidence_iris), cache, build_setting(project)
    )
    fresh = [u for u in units if not u.kept]
    files = None
    if background:
        progress("writing the units' files")
        try:
            for unit in fresh:
                cache.save_triples(unit)
            files = [cache.path(u.digest, "nt") for u in units]
        except OSError:
            pass  # (a read-only project: checked here, and reported where the store is written)
    progress(
        f"validating {sum(u.count for u in fresh):,} triples against SHACL shapes "
        f"({len(fresh)} of {len(units)} graph units built anew)"
    )
    check = ShapeCheck(
        [p for u in units for p in u.pieces],
        shapes,
        vocabulary,
        cache=project.state_dir / "shacl-passed.txt",  # pieces that conformed: an edit revalidates only its own
        files=files,
    )
    if files is not None:  # the rest of the units' files (while the check runs, if it is in the background)
        progress("writing the units' Turtle and JSON-LD" + (" while they are checked" if check.in_background else ""))
        try:
            for unit in fresh:
                cache.save_bodies(unit, project.base_iri)
        except BaseException:
            check.cancel()
            raise
    return units, cache, check


def _accept(
    project: Project, units: list[BuiltUnit], cache: UnitCache, check: ShapeCheck, files_saved: bool = False
) -> None:
    """Wait for the graph's SHACL check; GraphError if it found violations, else the units built now are
    recorded as conforming (their files saved first, unless `files_saved`) and those no longer in the graph
    dropped."""
    violations = check.result()
    if violations:
        listed = "\n".join(f"  {v}" for v in violations[:20])
        raise GraphError(f"the built graph breaks {len(violations)} SHACL constraint(s):\n{listed}")
    with contextlib.suppress(OSError):  # a read-only project still validates and exports, from memory
        for unit in units:
            if not unit.kept and not files_saved:
                cache.save_files(unit, project.base_iri)
            cache.save_record(unit)
        cache.prune(units)


INDEX_BESIDE = 20_000  # works and claims: below this, making the index here costs less than a process


def _index_beside(
    project: Project, data: Dataset, stats: dict[str, list[int]], path: Path
) -> Background[PreparedIndex | None] | None:
    """For a store to be written anew (a first build) of a large project: what it holds besides the graph
    (store.index_quads), written to `path` by a process of its own while this one builds the graph units."""
    from litgraph.workers import Background, children_can_start

    for stale in project.state_dir.glob("index.tmp-*.nq"):  # a killed build's (builds run one at a time)
        stale.unlink(missing_ok=True)
    if len(data.works) + len(data.claims) < INDEX_BESIDE or not children_can_start() or not written_anew(project):
        return None  # (where no process can start, the store makes its index itself: not read twice here)

    return Background(_prepared_index, project, stats, path)


def _prepared_index(project: Project, stats: dict[str, list[int]], path: Path) -> PreparedIndex | None:
    """store.prepare_index of the project's inputs as they are, read here (from the parse cache the build
    has just filled: a worker's own reading costs less than sending it the data); None when they are not
    the bytes the build read (`stats`: taken before it read them), or have problems."""
    with no_cycle_collection():
        if input_stats(project) != stats:
            return None
        loaded = load(project)
        if loaded.errors or input_stats(project) != stats:
            return None
        return prepare_index(project, loaded.data, path)


def _drop_index(index: Background[PreparedIndex | None] | None, path: Path) -> None:
    """Stop the work on the index, if any is under way, and remove its file."""
    if index is not None:
        index.cancel()
        path.unlink(missing_ok=True)


def build_setting(project: Project) -> str:
    """What a graph unit's SHACL check stands for besides its inputs: engine, base IRI, shapes, vocabulary."""
    from litgraph.shacl import ENGINE

    shapes, vocabulary = project.ontology_file("shapes.ttl"), project.ontology_file("litgraph.ttl")
    return "\0".join([ENGINE, project.base_iri, shapes.read_text(encoding="utf-8"), vocabulary.read_text("utf-8")])


def _render_site(
    project: Project, staging: Path, loaded: Dataset, reuse: PageReuse, store: ox.Store | None = None
) -> list[Path]:
    """The map and pages, from the loaded inputs and the freshly written store's views (theme scheme,
    contested groups); paths as they will be under site/. `store`: the store, where the build has it open."""
    from litgraph.queries import Graph
    from litgraph.site import render_site
    from litgraph.sitedata import collect

    data = collect(Graph(store or open_store(project), project.base_iri), project.title, loaded)
    written = render_site(data, staging, reuse)
    return [
        project.site_dir / p.relative_to(staging) for p in written if p.name == "index.html" and p.parent == staging
    ]


def build(project: Project, progress: Progress = _quiet, quick: bool = True) -> BuildSummary:
    """Validate, build and write site/ (graph.ttl, graph.jsonld). site/ is untouched if anything fails.
    `quick`: patch the last build's outputs when only claims changed since, in ways that move nothing
    else (see quick.py and quick_claims.py)."""
    try:
        with _one_build_at_a_time(project, progress):
            if quick:
                from litgraph.quick import quick_build

                summary = quick_build(project, progress)
                if summary is not None:
                    return summary
            return _build(project, progress)
    except OSError as exc:  # e.g. a read-only or full disk: the user's to fix, not a bug
        where = f" ({exc.filename})" if exc.filename else ""
        raise ProjectError(
            f"cannot write the build's files{where}: {exc.strerror or exc}; {project.state_dir.name}/ and "
            f"{project.site_dir.name}/ must be writable folders (delete {project.state_dir.name}/ to start it anew)"
        ) from exc


@contextlib.contextmanager
def _one_build_at_a_time(project: Project, progress: Progress) -> Iterator[None]:
    """Builds of one project run one after another (a lock file in its state folder): two at once would
    write the same records, units and pages, and leave them broken."""
    from filelock import FileLock, Timeout

    project.state_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(project.state_dir / "build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        progress("waiting for another build of this project to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@no_cycle_collection()
def _build(project: Project, progress: Progress) -> BuildSummary:
    from litgraph.quick import forget, load_record, remember

    clock: dict[str, float] = {}
    start = time.perf_counter()
    stats = input_stats(project)
    stamp = fingerprint(project, stats)
    remembered = load_record(project)
    forget(project)
    # A first build keeps both cores busy: the store's index is made by a process of its own while the graph
    # units are built (_index_beside), and the SHACL check of the whole graph runs in another while a new
    # store is written beside the old one; what the check finds still stops the build before anything the
    # project had changes (write_store calls `ready` first). (Quick builds: see quick.py.)
    loaded = _loaded(project, progress)
    index_file = project.state_dir / f"index.tmp-{os.getpid()}.nq"
    index = _index_beside(project, loaded.data, stats, index_file)
    check: ShapeCheck | None = None
    try:
        units, cache, checking = _checked_units(project, loaded, progress, background=True)
        check = checking
        clock["load, build and validate"] = time.perf_counter() - start
        progress("updating the local store")
        start = time.perf_counter()

        def ready() -> None:
            waiting = checking.in_background
            if waiting:
                progress("waiting for the SHACL check")
            _accept(project, units, cache, checking, files_saved=True)
            if waiting:
                progress("updating the local store")

        prepared = index.result() if index is not None else None
        compacting = write_store(project, units, cache, loaded.data, stamp, ready, prepared)
    except BaseException:
        if check is not None:
            check.cancel()
        raise
    finally:
        _drop_index(index, index_file)
    for unit in units:
        unit.pieces, unit.triples = [], None  # their N-Triples text is as large as the graph
    clock["store"] = time.perf_counter() - start
    progress("writing site/")
    start = time.perf_counter()
    staging = Path(tempfile.mkdtemp(prefix=".site.", dir=project.root))
    try:
        from litgraph.graphunits import write_graph_files
        from litgraph.site import PAGES_RECORD, PageReuse, install_site  # jinja2, the map: only for a site

        outputs = [
            project.site_dir / p.name
            for p in write_graph_files(cache, [u.digest for u in units], staging, project.base_iri)
        ]
        reuse = PageReuse(project.site_dir, project.state_dir / PAGES_RECORD)
        outputs += _render_site(project, staging, loaded.data, reuse, compacting.store)
        install_site(staging, project.site_dir, reuse.kept)
        reuse.save()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        compacting.close()
    clock["write"] = time.perf_counter() - start
    data = loaded.data
    summary = BuildSummary(
        works=len(data.works),
        claims=len(data.claims),
        themes=len(data.themes),
        questions=len(data.questions),
        disputes=sum(len(c.disputes) for c in data.claims.values()),
        citations=len(citation_pairs(data)),
        triples=sum(u.count for u in units),
        warnings=loaded.warnings,
        outputs=outputs,
        seconds=clock,
    )
    remember(project, stats, data, units, summary, remembered)
    return summary
