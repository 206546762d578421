"""The library: one function per command, each returning typed data (the CLI only formats it).

Questions are answered from the local store; when the inputs changed since the last build (or there was
none), the store is built first, so an answer never comes from old data.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from litgraph import ask, pipeline
from litgraph.errors import NotFoundError, ProjectError
from litgraph.model import Citation, Dataset, Problem, Work
from litgraph.namespaces import escaped
from litgraph.plumbing.files import OutsideError, atomic_file, inside
from litgraph.plumbing.statefolder import StateFolder
from litgraph.project import Project
from litgraph.s1_read.changes import pending_changes
from litgraph.s1_read.tables import Tables
from litgraph.s1_read.theme_names import ThemeLookup
from litgraph.s3_graph import shapes, units
from litgraph.s3_graph.graph_files import write_graph
from litgraph.s4_analyse import networks
from litgraph.s6_render.formats import CLAIM_FORMATS, REFERENCE_FORMATS
from litgraph.s6_render.mapdata import whole_map
from litgraph.s6_render.pages import SiteData

if TYPE_CHECKING:  # the HTTP stack, networkx and the extractor load only for the commands that use them
    import networkx as nx

    from litgraph.gather.enrich.enrichment import EnrichOptions, EnrichReport
    from litgraph.gather.enrich.scholarly import Scholarly
    from litgraph.gather.extract.extraction import Found
    from litgraph.gather.themes_file import Added
    from litgraph.gather.zotero.client import ZoteroClient
    from litgraph.gather.zotero.pull import PullReport
    from litgraph.s5_store.push import PushReport
    from litgraph.s5_store.remote_store import RemoteStore

Progress = Callable[[str], None]
BuildSummary = pipeline.BuildSummary


def _quiet(_: str) -> None:
    pass


def build(project: Project, progress: Progress = _quiet) -> BuildSummary:
    """Validate, build the graph, write the store and site/ (see build.py)."""
    return pipeline.build(project, progress)


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


def load(project: Project, progress: Progress = _quiet) -> LoadResult:
    """Every input file read and cross-checked, as plain data; problems are collected, never raised."""
    with pipeline.opened(project, exclusive=True, progress=progress) as (_, db):
        _, problems = pipeline.read_and_check(project, db, progress)
        return LoadResult(dataset(db), problems)


def dataset(db: sqlite3.Connection) -> Dataset:
    """What the state's tables say, as plain data."""
    tables = Tables(db)
    themes = tables.themes()
    lookup = ThemeLookup(themes)
    questions = tables.questions()
    for question in questions.values():
        question.themes = [t for t in (lookup.resolve(n) for n in question.themes) if t]
    vocabulary = tables.fact("vocabulary") or [{}, {}, []]
    return Dataset(
        works=tables.works(), themes=themes, claims=tables.claims(), questions=questions,
        citations=[Citation(a, b) for a, b in tables.citation_pairs()], evidence_types=vocabulary[0],
        scheme_title=tables.fact("scheme_title") or {},
    )  # fmt: skip


@dataclass
class Validation:
    """What `validate` found: every problem, the counts, and the SHACL violations of the graph (checked
    only where the inputs have no error)."""

    problems: list[Problem]
    works: int = 0
    claims: int = 0
    themes: int = 0
    questions: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def validate(project: Project, progress: Progress = _quiet) -> Validation:
    """Every input problem at once; where there is no error, the graph is built (its units) and checked
    against the SHACL shapes too. Nothing is published."""
    with pipeline.opened(project, exclusive=True, progress=progress) as (state, db):
        _, problems = pipeline.read_and_check(project, db, progress)
        count = lambda table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
        found = Validation(problems, count("works"), count("claims"), count("themes"), count("questions"))
        if not found.errors:
            found.violations = [str(v) for v in _check_graph(project, state, db, progress)]
        return found


def _check_graph(
    project: Project, state: StateFolder, db: sqlite3.Connection, progress: Progress
) -> list[shapes.Violation]:
    with pipeline.graph_units(project, state, db, pending_changes(db)) as (planned, _):
        pass
    progress("checking the graph against the SHACL shapes")
    check = shapes.ShapeCheck(
        db,
        state.units,
        planned,
        project.ontology_file("shapes.ttl"),
        project.ontology_file("litgraph.ttl"),
        project.languages,
    )
    with pipeline.transaction(db):
        return check.result()


def works(project: Project, progress: Progress = _quiet, as_in_files: bool = False) -> dict[str, Work]:
    """The bibliography's works as read (whatever problems the rest of the inputs have), by key: with the
    accepted proposals filled in, or (`as_in_files`) as the .bib files have them, in the files' order."""
    with pipeline.opened(project, exclusive=True, progress=progress) as (_, db):
        pipeline.read_and_check(project, db, progress)
        return Tables(db).bib_works() if as_in_files else Tables(db).works()


def work_key(found: dict[str, Work], key: str, otherwise: str = "check the spelling") -> str:
    if key not in found:
        from litgraph.suggest import did_you_mean

        raise NotFoundError(f"no work with the key {key!r}; {did_you_mean(key, found) or otherwise}")
    return key


# --- citations in documents ------------------------------------------------------------------------------


@dataclass
class Extraction:
    """The citations found in a document, and the files written (the citing work's citation file, claim
    stubs), if asked for."""

    found: list[Found]
    citations_file: Path | None = None
    cited: list[str] = field(default_factory=list)
    stubs_file: Path | None = None
    stubs: int = 0


def extract(project: Project, document: Path, citing: str | None = None, claims_stub: Path | None = None,
            replace_stub: bool = False, progress: Progress = _quiet) -> Extraction:  # fmt: skip
    """The author-year citations in a document, resolved against the bibliography; with `citing`, recorded
    as what that work cites (bibliography/citations/extracted-KEY.yaml); with `claims_stub`, claim stubs
    to fill in written there (an existing file only with `replace_stub`)."""
    found_works = works(project, progress)
    if citing is not None:
        work_key(found_works, citing, "add an entry for the document to a .bib file in bibliography/ first")
    if claims_stub is not None and os.path.lexists(claims_stub) and not replace_stub:
        raise ProjectError(f"{claims_stub} exists; give another file, or --force to replace it")
    from litgraph.gather.extract.extraction import Extractor, write_cites, write_claim_stubs

    result = Extraction(Extractor(found_works.values()).extract(document))
    if citing is not None:
        try:
            result.citations_file = inside(
                project.citations_dir.parent, "citations", f"extracted-{escaped(citing)}.yaml"
            )
        except OutsideError:
            raise ProjectError(
                f"{project.relative(project.citations_dir)} leads out of the project (a link?); nothing was written"
            ) from None
        result.cited = write_cites(result.citations_file, citing, result.found, document)
    if claims_stub is not None:
        result.stubs_file, result.stubs = claims_stub, write_claim_stubs(claims_stub, result.found, document, citing)
    return result


# --- proposals from scholarly records --------------------------------------------------------------------


def enrich(
    project: Project, options: EnrichOptions, progress: Progress = _quiet, client: Scholarly | None = None
) -> EnrichReport:
    """Look the bibliography's entries up in Crossref and OpenAlex (as `options` say) and write what they
    lack as proposals for review (bibliography/enrich/proposals.yaml); the .bib files are never touched."""
    from litgraph.gather.enrich.enrichment import enrich as look_up

    return look_up(project, options, works(project, progress, as_in_files=True), progress, client)


# --- Zotero -----------------------------------------------------------------------------------------------


def zotero_pull(project: Project, collection: str | None = None, api: str | None = None, bib: str = "litgraph",
                progress: Progress = _quiet, client: ZoteroClient | None = None) -> PullReport:  # fmt: skip
    """A Zotero collection (the local API at `api`, else [zotero] url) as bibliography/zotero.bib, and its PDF
    annotations as claim stubs in bibliography/claims/zotero.yaml, merged with the user's edits there."""
    from litgraph.gather.zotero.annotations import Meanings, colour_meanings
    from litgraph.gather.zotero.pull import BIB_FILE, PullOptions, pull

    with pipeline.opened(project, exclusive=True, progress=progress) as (_, db):
        pipeline.read_and_check(project, db, progress)
        tables = Tables(db)
        ours = project.relative(project.bibliography_dir / BIB_FILE)
        others = {k for (k,) in db.execute("SELECT DISTINCT key FROM bib_entries WHERE file != ?", (ours,))}
        themes, evidence = tables.themes(), set((tables.fact("vocabulary") or [{}])[0])
    meanings = Meanings(ThemeLookup(themes), evidence, colour_meanings(project.zotero.colours, evidence), project.lang)
    options = PullOptions((api or project.zotero.url).rstrip("/"), project.zotero.timeout, collection, bib)
    return pull(project.bibliography_dir, options, meanings, others, progress, client)


# --- exports ---------------------------------------------------------------------------------------------


def _network(db: sqlite3.Connection, name: str, lang: str) -> nx.Graph:
    """The map's graph (GRAPH), or a network of the works, as networkx graphs to write."""
    from litgraph.s6_render.network_export import GRAPH, to_networkx, works_network

    data = SiteData(db, lang)
    if name == GRAPH:
        return to_networkx(whole_map(data))
    found = networks.network(db, name)
    importance = {k: float(v) for k, v in db.execute("SELECT key, value FROM importance")}
    return works_network(found, data.rows.works(found.nodes), importance)


def export(project: Project, fmt: str, output: Path | None, stdout: IO[bytes], progress: Progress = _quiet,
           keep_fields: Iterable[str] = (), endpoint: str | None = None, network: str = "citations") -> Path | None:  # fmt: skip
    """The graph (ttl, nt, jsonld), a network for Gephi and Cytoscape (graphml, gexf: `network`, one of
    citations, cocitation, coupling, or graph: the map's themes, works and claims), the works as reference
    files (formats.REFERENCE_FORMATS) or the claims as nanopublications or Web Annotations, written to `output`
    (whole or not at all) or else to `stdout`; the file written, if any. From a SPARQL server (`endpoint`):
    the reference files, or the graph as N-Triples."""
    url = ask.endpoint_of(project, endpoint)
    if url:
        return _remote_export(project, url, fmt, output, stdout, keep_fields)
    if fmt in REFERENCE_FORMATS or fmt in CLAIM_FORMATS:
        return _export_text(project, fmt, output, stdout, progress, keep_fields)
    with ask.fresh(project, None, progress) as found:
        if fmt in ("graphml", "gexf"):
            assert output is not None
            from litgraph.s6_render.network_export import write_network

            write_network(_network(found.database, network, project.lang), output, fmt)
            return output
        else:
            planned = units.Planner(found.database, project.base_iri).recorded_units_in_order()
            if output is not None:
                with atomic_file(output) as handle:
                    write_graph(handle, planned, found.state.units, fmt, project.base_iri)
                return output
            write_graph(stdout, planned, found.state.units, fmt, project.base_iri)
            return None


def _export_text(project: Project, fmt: str, output: Path | None, stdout: IO[bytes], progress: Progress,
                 keep_fields: Iterable[str]) -> Path | None:  # fmt: skip
    """Every work as a reference file, or every claim as nanopublications or Web Annotations."""
    if fmt in REFERENCE_FORMATS:
        data = ask.references(project, None, fmt, keep_fields=keep_fields, progress=progress).encode("utf-8")
    else:
        data = ask.claim_export(project, fmt, progress).encode("utf-8")
    if output is None:
        stdout.write(data)
        return None
    with atomic_file(output) as handle:
        handle.write(data)
    return output


THEME_STARTS = ("peer-support", "empty")


def new_project(target: Path, themes: str = "peer-support") -> list[Path]:
    """`litgraph init`: a project in `target` with its themes in ontology/themes.yaml, either the bundled
    scheme (`peer-support`) or none yet (`empty`: the example claim is left commented, as it names a
    theme of the bundled scheme). Returns the files written."""
    from litgraph.gather.themes_file import EMPTY, yaml_of_turtle
    from litgraph.project import init_project, packaged_data

    if themes not in THEME_STARTS:
        raise ProjectError(f"--themes {themes!r}: choose one of {', '.join(THEME_STARTS)}")
    bundled = packaged_data() / "ontology" / "themes.ttl"
    files: dict[str, str | None] = {"ontology/themes.ttl": None}
    files["ontology/themes.yaml"] = (
        yaml_of_turtle("themes.ttl", bundled.read_bytes()) if themes == "peer-support" else EMPTY
    )
    if themes == "empty":
        example = packaged_data() / "template" / "bibliography" / "claims" / "example.yaml"
        head, _, items = example.read_text(encoding="utf-8").partition("\nclaims:\n")
        commented = "".join(f"# {line}\n" for line in items.splitlines())
        files["bibliography/claims/example.yaml"] = (
            f"{head}\n# An example, for when the project has a theme to give it:\n{commented}claims: []\n"
        )
    return init_project(target, files)


def add_theme(project: Project, theme_id: str, labels: dict[str, str], broader: list[str]) -> Added:
    """`litgraph themes add`: a theme appended to ontology/themes.yaml (see gather/themes_file.py)."""
    from litgraph.gather.themes_file import add_theme as append

    return append(project, theme_id, labels, broader)


def _remote_export(project: Project, url: str, fmt: str, output: Path | None, stdout: IO[bytes],
                   keep_fields: Iterable[str]) -> Path | None:  # fmt: skip
    if fmt not in (*REFERENCE_FORMATS, "nt"):
        raise ProjectError(f"export from a SPARQL server (--endpoint) writes {', '.join(REFERENCE_FORMATS)} or nt, "
                           f"not {fmt}; export it from the local store (without --endpoint)")  # fmt: skip
    reader = ask.remote_reader(project, url)
    store = cast("RemoteStore", reader.store)

    def write(out: IO[bytes]) -> None:
        if fmt in REFERENCE_FORMATS:
            out.write(ask.references(project, None, fmt, keep_fields=keep_fields, endpoint=url).encode("utf-8"))
            return
        for iri in ask.unit_graphs(store, project.base_iri):
            store.server.write_graph(iri, out)

    if output is None:
        write(stdout)
        return None
    with atomic_file(output) as handle:
        write(handle)
    return output


# --- a SPARQL server -------------------------------------------------------------------------------------


def push(
    project: Project, endpoint: str | None = None, dry_run: bool = False, progress: Progress = _quiet
) -> PushReport:
    """The built graph sent to a SPARQL server, one named graph per part, only the parts that changed
    since the last push (s5_store.push); `dry_run`: what would be sent, sending nothing."""
    url = ask.endpoint_of(project, endpoint)
    if not url:
        raise ProjectError("no SPARQL server to push to: give --endpoint URL (or set LITGRAPH_ENDPOINT, "
                           "or endpoint under [server] in litgraph.toml)")  # fmt: skip
    from litgraph.s5_store.push import push as push_graph
    from litgraph.s5_store.remote import Server

    with ask.fresh(project, None, progress) as found:
        store = cast(ox.Store, found.reader.store)
        return push_graph(store, found.state.units, project.base_iri, Server(url, project.server), dry_run, progress)
