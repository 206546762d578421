"""The persistent local store (.litgraph/store, Oxigraph): written by `build`, read by every query.

A fingerprint of the inputs (paths, sizes, modification times, litgraph's version) is saved with the
store; a query on a store whose fingerprint no longer matches the inputs is never answered from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from litgraph import __version__
from litgraph.config import Project
from litgraph.contestation import contested_groups
from litgraph.graph import citations_from_claims
from litgraph.lookup import ThemeLookup
from litgraph.model import Dataset
from litgraph.namespaces import LG, mint
from litgraph.rdfio import atomic_file

BIBTEX_GRAPH = ox.NamedNode("urn:litgraph:bibtex")  # raw .bib entries: in the store, not in exported graphs
XSD_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
INDEX_GRAPH = ox.NamedNode("urn:litgraph:index")  # claim lg:onTheme theme-or-broader, rankings, contested groups
CONTESTED = ox.NamedNode("urn:litgraph:contested")  # in the index: every contested group, ranked (JSON)
STORE_FORMAT = "5"  # bump when what the store holds changes: an older store is then rebuilt, never misread


def input_files(project: Project) -> list[Path]:
    files = [*project.bib_files(), *project.claim_files(), project.questions_file, project.root / "litgraph.toml"]
    files += [project.ontology_file(n) for n in ("themes.ttl", "litgraph.ttl", "shapes.ttl")]
    files += [*project.citation_files(), project.proposals_file]
    return [f for f in files if f.exists()]


def fingerprint(project: Project) -> str:
    """Changes whenever an input file is added, removed or touched, or litgraph or its store format changes."""
    digest = hashlib.sha256(f"{__version__}/{STORE_FORMAT}".encode())
    for path in input_files(project):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _store_dir(project: Project) -> Path:
    return project.state_dir / "store"


def _state_file(project: Project) -> Path:
    return project.state_dir / "state.json"


def is_fresh(project: Project) -> bool:
    """True when the store exists and was built from the inputs as they are now."""
    try:
        state = json.loads(_state_file(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return _store_dir(project).is_dir() and state.get("fingerprint") == fingerprint(project)


def _ancestors(data: Dataset) -> dict[str, set[str]]:
    """Each theme with itself and every broader theme."""
    lookup = ThemeLookup(data.themes)
    ancestors: dict[str, set[str]] = {t: set() for t in data.themes}
    for theme in data.themes:
        for candidate in data.themes:
            if theme in lookup.with_narrower(candidate):
                ancestors[theme].add(candidate)
    return ancestors


def _index_quads(project: Project, data: Dataset) -> Iterator[ox.Quad]:
    """Each claim with every theme it is on, broader themes included: one indexed lookup for queries
    that a `skos:broader*` path would make many times slower."""
    ancestors = _ancestors(data)
    on_theme = ox.NamedNode(LG + "onTheme")
    per_theme: dict[tuple[str, str], int] = {}  # (theme or broader, source work) -> claims
    for claim in data.claims.values():
        node = ox.NamedNode(mint(project.base_iri, "claim", claim.id))
        for theme in sorted(set().union(*(ancestors.get(t, {t}) for t in claim.themes))):
            yield ox.Quad(node, on_theme, ox.NamedNode(mint(project.base_iri, "theme", theme)), INDEX_GRAPH)
            per_theme[(theme, claim.source)] = per_theme.get((theme, claim.source), 0) + 1
    yield from _ranking_quads(project, data, per_theme)
    yield from _count_quads(project, data, per_theme)
    citation = ox.NamedNode(LG + "citation")
    for work in data.works.values():  # "Repper & Carter 2011": listings need it for many works at once
        node = ox.NamedNode(mint(project.base_iri, "work", work.key))
        yield ox.Quad(node, citation, ox.Literal(work.short_citation), INDEX_GRAPH)
    groups = json.dumps(contested_groups(data, ancestors), ensure_ascii=False, separators=(",", ":"))
    yield ox.Quad(CONTESTED, ox.NamedNode(LG + "groups"), ox.Literal(groups), INDEX_GRAPH)


def _ranking_quads(project: Project, data: Dataset, per_theme: dict[tuple[str, str], int]) -> Iterator[ox.Quad]:
    """What `sources` shows first, sorted once per build: per theme (narrower themes included) one line per
    work, "key<TAB>claims on the theme<TAB>citing works", most claims first, then most cited, then key.

    A materialised view in the index graph: reading one literal beats sorting tens of thousands of rows
    per call (BibTeX keys hold no white space, so the lines split safely)."""
    citing: dict[str, set[str]] = {}
    for link in [*data.citations, *citations_from_claims(data)]:
        citing.setdefault(link.cited, set()).add(link.citing)
    by_theme: dict[str, list[tuple[int, int, str]]] = {}
    for (theme, key), n in per_theme.items():
        if key in data.works:
            by_theme.setdefault(theme, []).append((-n, -len(citing.get(key, ())), key))
    ranking = ox.NamedNode(LG + "ranking")
    for theme, rows in sorted(by_theme.items()):
        lines = "\n".join(f"{key}\t{-n}\t{-cited}" for n, cited, key in sorted(rows))
        yield ox.Quad(ox.NamedNode(mint(project.base_iri, "theme", theme)), ranking, ox.Literal(lines), INDEX_GRAPH)


def _count_quads(project: Project, data: Dataset, per_theme: dict[tuple[str, str], int]) -> Iterator[ox.Quad]:
    """Per theme: its claims, and the claims and works on it or a narrower theme (`litgraph themes`)."""
    direct: dict[str, int] = {}
    for claim in data.claims.values():
        for theme in set(claim.themes):
            direct[theme] = direct.get(theme, 0) + 1
    claims: dict[str, int] = {}
    works: dict[str, int] = {}
    for (theme, _), n in per_theme.items():
        claims[theme] = claims.get(theme, 0) + n
        works[theme] = works.get(theme, 0) + 1
    for theme in sorted(data.themes):
        node = ox.NamedNode(mint(project.base_iri, "theme", theme))
        for name, counts in (
            ("claimCount", direct),
            ("claimCountWithNarrower", claims),
            ("workCountWithNarrower", works),
        ):
            value = ox.Literal(str(counts.get(theme, 0)), datatype=XSD_INTEGER)
            yield ox.Quad(node, ox.NamedNode(LG + name), value, INDEX_GRAPH)


def _importance_quads(project: Project, data: Dataset) -> Iterator[ox.Quad]:
    """Each cited work's PageRank in the citation network (networkx), 0..1 of the highest: computed once per
    build so that reading lists need not rank the whole network on every call."""
    import networkx as nx  # only builds pay for importing it

    network = nx.DiGraph()
    network.add_edges_from((c.citing, c.cited) for c in [*data.citations, *citations_from_claims(data)])
    if network.number_of_edges() == 0:
        return
    rank = nx.pagerank(network)
    top = max(rank.values()) or 1.0
    importance = ox.NamedNode(LG + "importance")
    for key in sorted(rank):
        if key in data.works:
            value = ox.Literal(f"{rank[key] / top:.6f}", datatype=XSD_DOUBLE)
            yield ox.Quad(ox.NamedNode(mint(project.base_iri, "work", key)), importance, value, INDEX_GRAPH)


def write_store(project: Project, triples: list[ox.Triple], data: Dataset, stamp: str) -> None:
    """Replace the store with these triples, the raw BibTeX entries and the theme index; `stamp` is the
    inputs' fingerprint taken before they were read, so an edit during the build leaves it stale, not wrong."""
    works = list(data.works.values())
    project.state_dir.mkdir(parents=True, exist_ok=True)
    staging = project.state_dir / f"store.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    store = ox.Store(str(staging))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    predicate = ox.NamedNode(LG + "bibtex")
    store.bulk_extend(
        ox.Quad(ox.NamedNode(mint(project.base_iri, "work", w.key)), predicate, ox.Literal(w.raw), BIBTEX_GRAPH)
        for w in works
        if w.raw
    )
    store.bulk_extend(_index_quads(project, data))
    store.bulk_extend(_importance_quads(project, data))
    store.flush()
    del store
    target, old = _store_dir(project), project.state_dir / f"store.old-{os.getpid()}"
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    with atomic_file(_state_file(project), "w") as handle:
        json.dump({"fingerprint": stamp, "version": __version__, "base_iri": project.base_iri}, handle)


def open_store(project: Project) -> ox.Store:
    """The store, read-only. Call only when `is_fresh`."""
    return ox.Store.read_only(str(_store_dir(project)))
