"""Quick builds, continued: an edit that adds or removes a citation (a claim read in a work about another
that the citation network did not have, or the last such claim gone).

Besides what quick_claims.py patches, such an edit changes: the citing work's `cito:cites` triples (its
works unit is patched: the unit's other triples are kept as the last build made them), the cited work's
citing count in the rankings of every theme it is ranked on, every work's PageRank (computed again over the
kept network: network.py), both works' pages, and the map's citation edges, sizes and places. The outputs
are the bytes a build from nothing gives: tests build both and compare them.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections import Counter
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from litgraph import __version__
from litgraph.namespaces import CITO, DCTERMS, mint
from litgraph.store import INDEX_GRAPH as INDEX
from litgraph.store import ON_THEME

if TYPE_CHECKING:
    from litgraph.config import Project
    from litgraph.graphunits import BuiltUnit
    from litgraph.quick import _UnitPlan
    from litgraph.quick_claims import Change

DEFAULT = ox.DefaultGraph()
CITES, IDENTIFIER = ox.NamedNode(CITO + "cites"), ox.NamedNode(DCTERMS + "identifier")
SOURCE = ox.NamedNode(DCTERMS + "source")


def from_files(project: Project) -> set[tuple[str, str]]:
    """The citations the project's citation files give (a claim's going takes none of those away)."""
    from litgraph.citations import read_citations

    return {(c.citing, c.cited) for c in read_citations(project.citation_files()).citations}


def cite_deltas(change: Change) -> Counter[str]:
    """By how many citing works each work's count changes."""
    deltas: Counter[str] = Counter()
    for _, cited in change.cites_added:
        deltas[cited] += 1
    for _, cited in change.cites_removed:
        deltas[cited] -= 1
    return deltas


def ranked_on(store: ox.Store, base: str, keys: set[str]) -> dict[str, set[str]]:
    """The themes (broader ones included) each of these works has claims on, as the store has them."""
    found: dict[str, set[str]] = {}
    theme_at = mint(base, "theme", "")
    for key in keys:
        themes = found.setdefault(key, set())
        for quad in store.quads_for_pattern(None, SOURCE, ox.NamedNode(mint(base, "work", key)), DEFAULT):
            for on in store.quads_for_pattern(quad.subject, ON_THEME, None, INDEX):
                if on.object.value.startswith(theme_at):  # type: ignore[union-attr]
                    themes.add(on.object.value[len(theme_at) :])  # type: ignore[union-attr]
    return found


def patch_works_units(project: Project, record: dict[str, Any], change: Change, plan: _UnitPlan) -> bool:
    """The works units of the citing works, with their `cito:cites` as the change leaves them, built and
    SHACL-checked into `plan` (False: a whole build is needed)."""
    from litgraph.graph import WORKS_UNIT, work_class, works_links
    from litgraph.graphunits import UNITS_FORMAT, BuiltUnit, UnitCache, linked_digest
    from litgraph.project import build_setting
    from litgraph.shacl import RDF_TYPE, check_shapes, pieces_of

    base = project.base_iri
    cache = UnitCache(project.state_dir / "units")
    salt = f"{__version__}/{UNITS_FORMAT}/{build_setting(project)}"
    cites: dict[str, set[str]] = {}
    for citing, cited in change.cites_added:
        cites.setdefault(citing, set()).add(cited)
    removed: dict[str, set[str]] = {}
    for citing, cited in change.cites_removed:
        removed.setdefault(citing, set()).add(cited)
    units = {name: digest for name, digest, _ in record["units"] if name.startswith(WORKS_UNIT)}
    todo = set(cites) | set(removed)
    found: dict[str, BuiltUnit] = {}
    for key in sorted(todo):  # the unit holding each citing work: one per .bib file may, by its first key
        node = mint(base, "work", key)
        for name in _candidates(units, key):
            unit = found.get(name) or cache.load(name, units[name])
            if unit is not None and unit.base and any(node in p.names for p in unit.pieces):
                found[name] = unit
                break
        else:
            return False
    pieces = []
    for name, old in found.items():
        triples = list(cache.triples(old))
        keys: dict[Any, str] = {t.subject: str(t.object.value) for t in triples if t.predicate == IDENTIFIER}  # type: ignore[union-attr]
        patched: list[ox.Triple] = []
        links: dict[str, list[str]] = {k: [] for k in keys.values()}
        for subject, group in itertools.groupby(triples, key=lambda t: t.subject):  # (a subject's stand together)
            own = list(group)
            work_key = keys.get(subject)
            if work_key is not None:
                had = {_local(base, str(t.object.value)) for t in own if t.predicate == CITES}  # type: ignore[union-attr]
                now = sorted((had | cites.get(work_key, set())) - removed.get(work_key, set()))
                own = [t for t in own if t.predicate != CITES]
                own += [ox.Triple(subject, CITES, ox.NamedNode(mint(base, "work", k))) for k in now]  # type: ignore[arg-type]
                links[work_key] = now
            patched.extend(own)
        entry_types = record["entry_types"]
        classes: dict[Any, list[ox.Triple]] = {}
        for quad in ox.parse(path=str(cache.path(old.digest, "pointed.nt")), format=ox.RdfFormat.N_TRIPLES):
            classes.setdefault(quad.subject, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
        for cited in {k for ks in cites.values() for k in ks}:
            work = ox.NamedNode(mint(base, "work", cited))
            classes[work] = [ox.Triple(work, RDF_TYPE, ox.NamedNode(work_class(entry_types[cited])))]
        own_types = [t for t in patched if t.predicate == RDF_TYPE]
        for triple in own_types:
            classes.setdefault(triple.subject, []).append(triple)
        digest = linked_digest(salt, name, old.base, works_links([links[k] for k in keys.values()]))
        # (its types are as they were: a citation is no rdf:type)
        unit = BuiltUnit(name, digest, len(patched), old.types, pieces_of(patched, types=classes), patched, old.base)
        plan.units.append(unit)
        plan.gone += [p.digest for p in old.pieces]
        plan.old_digests.append(old.digest)
        pieces += unit.pieces
    shapes, vocabulary = project.ontology_file("shapes.ttl"), project.ontology_file("litgraph.ttl")
    if check_shapes(pieces, shapes, vocabulary, cache=project.state_dir / "shacl-passed.txt", part=True):
        return False
    keep = {p.digest for p in pieces}
    plan.gone = [d for d in plan.gone if d not in keep]
    return True


def _candidates(units: dict[str, str], key: str) -> list[str]:
    """The works units that may hold `key`: per .bib file, the last whose first key is not after it."""
    from litgraph.graph import WORKS_UNIT

    by_file: dict[str, list[tuple[str, str]]] = {}
    for name in units:
        path, first = name[len(WORKS_UNIT) :].rsplit(" ", 1)
        by_file.setdefault(path, []).append((first, name))
    found = []
    for parts in by_file.values():
        parts.sort()
        at = bisect.bisect_right([first for first, _ in parts], key) - 1
        if at >= 0:
            found.append(parts[at][1])
    return found


def _local(base: str, iri: str) -> str:
    return iri[len(mint(base, "work", "")) :]


def update_importance(project: Project, change: Change, store: ox.Store, views: dict[str, str]) -> None:
    """Every work's PageRank over the network as the change leaves it, in the store's index where its
    figure changed; the kept network (network.py) and the store record's view digest to match."""
    from litgraph import network
    from litgraph.store import IMPORTANCE, importance_chunks, importance_quads

    base = project.base_iri
    kept = network.load(project.state_dir, views.get("importance"))
    if kept is None:  # (no kept network fits: the store's citations, as the change left them, read back)
        pairs = sorted(
            (_local(base, q.subject.value), _local(base, q.object.value))  # type: ignore[union-attr]
            for q in store.quads_for_pattern(None, CITES, None, DEFAULT)
        )
        now_network = network.Network.of(pairs)
        for quad in list(store.quads_for_pattern(None, IMPORTANCE, None, INDEX)):
            store.remove(quad)
        before: dict[str, str] = {}
    else:
        now_network, before = kept.network.changed(change.cites_added, change.cites_removed), kept.chunks
    values = now_network.importance()
    # (every work of the network is one of the project's: references are checked)
    chunks = importance_chunks(values, values)
    for node, text in before.items():
        if chunks.get(node) != text:
            store.remove(ox.Quad(ox.NamedNode(node), IMPORTANCE, ox.Literal(text), INDEX))
    store.extend(importance_quads({node: text for node, text in chunks.items() if before.get(node) != text}))
    digest = hashlib.sha256(now_network.edges.tobytes() + "\0".join(now_network.keys).encode("utf-8"))
    view = "quick " + digest.hexdigest()  # (no whole build's digest: the next one computes the view anew)
    views["importance"] = view
    network.save(project.state_dir, network.Kept(view, now_network, chunks))
