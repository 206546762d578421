"""The persistent local store (.litgraph/store, Oxigraph): written by `build`, read by every query.

A fingerprint of the inputs (paths, sizes, modification times, litgraph's version) is saved with the
store; a query on a store whose fingerprint no longer matches the inputs is never answered from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import pickle
import shutil
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import orjson
import pyoxigraph as ox

from litgraph import __version__
from litgraph.config import Project
from litgraph.contestation import contested_groups, group_key, members
from litgraph.graph import WORKS_UNIT, citation_pairs
from litgraph.lookup import ThemeLookup
from litgraph.model import Claim, Dataset
from litgraph.namespaces import LG, mint
from litgraph.parsecache import signed, verified
from litgraph.rdfio import Concatenated, atomic_file

if TYPE_CHECKING:
    from litgraph.graphunits import BuiltUnit, UnitCache
    from litgraph.shacl import Piece

BIBTEX_GRAPH = ox.NamedNode("urn:litgraph:bibtex")  # raw .bib entries: in the store, not in exported graphs
XSD_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
INDEX_GRAPH = ox.NamedNode("urn:litgraph:index")  # claim lg:onTheme theme-or-broader, rankings, contested groups
CONTESTED = "urn:litgraph:contested/"  # in the index: the contested groups (see contested_quads): each on a
# node CONTESTED + "group/" + its key, the ranking in chunks on nodes CONTESTED + their number, and per
# theme the ranks of the groups that touch it
CONTESTED_CHUNK = 64  # ranking entries per chunk: `contested --limit 50` reads one, not all 30,000 entries
STORE_FORMAT = "9"  # bump when what the store holds changes: an older store is then rebuilt, never misread


def input_files(project: Project) -> list[Path]:
    files = [*project.bib_files(), *project.claim_files(), project.questions_file, project.root / "litgraph.toml"]
    files += [project.ontology_file(n) for n in ("themes.ttl", "litgraph.ttl", "shapes.ttl")]
    files += [*project.citation_files(), project.proposals_file]
    return [f for f in files if f.exists()]


def input_stats(project: Project) -> dict[str, list[int]]:
    """Each input file's size and modification time (ns), by path."""
    found = {}
    for path in input_files(project):
        stat = path.stat()
        found[str(path)] = [stat.st_size, stat.st_mtime_ns]
    return found


def fingerprint(project: Project, stats: dict[str, list[int]] | None = None) -> str:
    """Changes whenever an input file is added, removed or touched, or litgraph or its store format changes.
    `stats`: input_stats(project), if taken already."""
    digest = hashlib.sha256(f"{__version__}/{STORE_FORMAT}".encode())
    for path, (size, mtime) in (stats if stats is not None else input_stats(project)).items():
        digest.update(f"{path}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def _store_dir(project: Project) -> Path:
    return project.state_dir / "store"


def _state_file(project: Project) -> Path:
    return project.state_dir / "state.json"


def is_fresh(project: Project) -> bool:
    """True when the store exists and was built from the inputs as they are now."""
    try:
        state = json.loads(verified(_state_file(project).read_bytes()) or b"")
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


ON_THEME = ox.NamedNode(LG + "onTheme")


def _on_theme_quads(project: Project, claims: Iterable[Claim], ancestors: dict[str, set[str]]) -> Iterator[ox.Quad]:
    """Each claim with every theme it is on, broader themes included: one indexed lookup for queries
    that a `skos:broader*` path would make many times slower."""
    for claim in claims:
        node = ox.NamedNode(mint(project.base_iri, "claim", claim.id))
        for theme in sorted(set().union(*(ancestors.get(t, {t}) for t in claim.themes))):
            yield ox.Quad(node, ON_THEME, ox.NamedNode(mint(project.base_iri, "theme", theme)), INDEX_GRAPH)


def _view_inputs(data: Dataset, units: list[BuiltUnit]) -> dict[str, str]:
    """A digest of what each group of views is computed from: a view whose digest is as recorded is left as
    the store has it (editing a claim's text changes no ranking, count or PageRank)."""
    from litgraph.graphunits import digest_of  # builds only: queries, which import this module, never need it

    works = digest_of(*(u.digest for u in units if u.name.startswith(WORKS_UNIT)))  # keys, citations, classes
    pairs = digest_of(pickle.dumps(citation_pairs(data), protocol=5))
    placed = digest_of(pickle.dumps([(c.source, c.themes) for c in data.claims.values()], protocol=5))
    return {"rankings": digest_of(works, pairs, placed), "citations": works, "importance": digest_of(works, pairs)}


VIEW_GROUPS = {  # a group of views (see _view_inputs) -> the predicates of its quads
    "rankings": ("ranking", "claimCount", "claimCountWithNarrower", "workCountWithNarrower"),
    "citations": ("citation",),
    "groups": ("groups", "contested", "group", "claimRows", "inGroup"),
    "importance": ("importance",),
}


def _view_quads(
    project: Project,
    data: Dataset,
    ancestors: dict[str, set[str]],
    groups: Iterable[str] = VIEW_GROUPS,
    importance: dict[str, str] | None = None,  # the importance view's chunks (importance_chunks), if made
) -> Iterator[ox.Quad]:
    """Rankings, counts, short citations, contested groups and importance: each a function of the whole
    project (the predicates are VIEWS; `groups`: those of these groups only; `importance`: the importance
    view's chunks, if made already)."""
    groups = set(groups)
    if "rankings" in groups:
        per_theme: dict[tuple[str, str], int] = {}  # (theme or broader, source work) -> claims
        for claim in data.claims.values():
            for theme in set().union(*(ancestors.get(t, {t}) for t in claim.themes)):
                per_theme[(theme, claim.source)] = per_theme.get((theme, claim.source), 0) + 1
        yield from _ranking_quads(project, data, per_theme)
        yield from _count_quads(project, data, per_theme)
    if "citations" in groups:
        citation = ox.NamedNode(LG + "citation")
        for work in data.works.values():  # "Repper & Carter 2011": listings need it for many works at once
            node = ox.NamedNode(mint(project.base_iri, "work", work.key))
            yield ox.Quad(node, citation, ox.Literal(work.short_citation), INDEX_GRAPH)
    if "groups" in groups:
        ranked = contested_groups(data, ancestors)
        citations = {k: {"citation": w.short_citation, "reference": w.reference} for k, w in data.works.items()}
        yield from contested_quads(
            project.base_iri, ranked, {c: data.claims[c].row(citations) for c in members(ranked)}
        )
    if "importance" in groups:  # each cited work's PageRank in the citation network (network.py), so that
        # reading lists need not rank the whole network on every call
        if importance is None:
            from litgraph.network import Network  # (numpy: builds only, not queries)

            importance = importance_chunks(Network.of(citation_pairs(data)).importance(), data.works)
        yield from importance_quads(importance)


GROUP, CLAIM_ROWS = ox.NamedNode(LG + "group"), ox.NamedNode(LG + "claimRows")
IN_GROUP, RANKS = ox.NamedNode(LG + "inGroup"), ox.NamedNode(LG + "contested")
RANKING_CHUNK = ox.NamedNode(LG + "groups")
GROUP_NODES = CONTESTED + "group/"


def group_node(key: str) -> ox.NamedNode:
    """A contested group's node in the index graph, by its key (contestation.group_key)."""
    return ox.NamedNode(GROUP_NODES + quote(key, safe=""))


def node_key(node: ox.NamedNode) -> str:
    """The key of the group on `node` (what group_node made it from)."""
    return unquote(node.value[len(GROUP_NODES) :])


def group_quads(base_iri: str, group: dict[str, Any], rows: dict[str, Any]) -> Iterator[ox.Quad]:
    """A group's quads in the index graph: the group (JSON), its claims' rows as `contested` shows them
    ({id: row}, JSON), and each claim's link to it."""
    node = group_node(group_key(group))
    yield ox.Quad(node, GROUP, ox.Literal(view_json(group)), INDEX_GRAPH)
    ids = members([group])
    yield ox.Quad(node, CLAIM_ROWS, ox.Literal(view_json({c: rows[c] for c in ids})), INDEX_GRAPH)
    for claim_id in ids:
        yield ox.Quad(ox.NamedNode(mint(base_iri, "claim", claim_id)), IN_GROUP, node, INDEX_GRAPH)


def ranking_entry(group: dict[str, Any]) -> tuple[int, str, str]:
    """A group in the ranking's chunks: what it ranks by (contestation.rank_key) and names its node."""
    return group["sources"], group["kind"], group["id"]


def entry_key(entry: Sequence[Any]) -> str:
    """The key of a ranking entry's group (contestation.group_key)."""
    return f"{entry[1]}:{entry[2]}"


def entry_rank(entry: Sequence[Any]) -> tuple[int, str, str]:
    """A ranking entry's place: contestation.rank_key of its group."""
    return -entry[0], entry[1], entry[2]


def contested_quads(base_iri: str, ranked: list[dict[str, Any]], rows: dict[str, Any]) -> Iterator[ox.Quad]:
    """The contested groups' view: each group's node (group_quads); the ranking in chunks of
    CONTESTED_CHUNK entries (CONTESTED + the chunk's number, lg:groups, JSON: `contested --limit 50` reads
    one chunk and 50 groups, and an edit that moves a group rewrites a few kilobytes of ranking, not the
    groups); and per theme, the ranks of the groups that touch it."""
    for group in ranked:
        yield from group_quads(base_iri, group, rows)
    for first in range(0, len(ranked), CONTESTED_CHUNK):
        part = [ranking_entry(g) for g in ranked[first : first + CONTESTED_CHUNK]]
        node = ox.NamedNode(f"{CONTESTED}{first // CONTESTED_CHUNK}")
        yield ox.Quad(node, RANKING_CHUNK, ox.Literal(view_json(part)), INDEX_GRAPH)
    ranks: dict[str, list[int]] = {}
    for rank, group in enumerate(ranked):
        for theme in group["themes"]:
            ranks.setdefault(theme, []).append(rank)
    for theme, numbers in sorted(ranks.items()):
        node = ox.NamedNode(mint(base_iri, "theme", theme))
        yield ox.Quad(node, RANKS, ox.Literal(" ".join(map(str, numbers))), INDEX_GRAPH)


def view_json(value: Any) -> str:
    """`value` as compact JSON: what json.dumps(value, ensure_ascii=False, separators=(",", ":")) gives
    for these views' values (strings, integers, None, lists and dicts of them), by orjson at a tenth of
    the cost (a quick build writes hundreds of chunks again)."""
    return orjson.dumps(value).decode("utf-8")


def _ranking_quads(project: Project, data: Dataset, per_theme: dict[tuple[str, str], int]) -> Iterator[ox.Quad]:
    """What `sources` shows first, sorted once per build: per theme (narrower themes included) one line per
    work, "key<TAB>claims on the theme<TAB>citing works", most claims first, then most cited, then key.

    A materialised view in the index graph: reading one literal beats sorting tens of thousands of rows
    per call (BibTeX keys hold no white space, so the lines split safely)."""
    citing: dict[str, set[str]] = {}
    for citing_key, cited in citation_pairs(data):
        citing.setdefault(cited, set()).add(citing_key)
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


IMPORTANCE = ox.NamedNode(LG + "importance")
IMPORTANCE_NODES = "urn:litgraph:importance/"  # in the index: the importance view's chunks, by number
IMPORTANCE_CHUNKS = 64  # one citation that comes or goes moves nearly every work's PageRank: a quick build
# then rewrites 64 literals, not 100,000 quads (7 s at 100k works); a reading list reads the chunks its
# candidates fall in


def importance_chunk(key: str) -> ox.NamedNode:
    """The node of the importance view's chunk that holds the work `key`."""
    return ox.NamedNode(f"{IMPORTANCE_NODES}{zlib.crc32(key.encode('utf-8')) % IMPORTANCE_CHUNKS}")


def importance_chunks(values: dict[str, str], works: Iterable[str]) -> dict[str, str]:
    """The importance view: these works' figures (those in the network), as chunk node -> lines
    "key<TAB>figure", keys sorted (BibTeX keys hold no white space, so the lines split safely)."""
    chunks: dict[str, list[str]] = {}
    for key in sorted(set(works) & values.keys()):
        chunks.setdefault(importance_chunk(key).value, []).append(f"{key}\t{values[key]}")
    return {node: "\n".join(lines) for node, lines in sorted(chunks.items())}


def importance_quads(chunks: dict[str, str]) -> Iterator[ox.Quad]:
    for node, text in chunks.items():
        yield ox.Quad(ox.NamedNode(node), IMPORTANCE, ox.Literal(text), INDEX_GRAPH)


def importance_of(store: ox.Store, keys: Iterable[str]) -> dict[str, float]:
    """0..1: each of these works' PageRank relative to the highest, as the last build computed it (0 for
    a work no citation names)."""
    wanted: dict[ox.NamedNode, set[str]] = {}
    for key in keys:
        wanted.setdefault(importance_chunk(key), set()).add(key)
    found: dict[str, float] = {}
    for node, chunk_keys in sorted(wanted.items(), key=lambda item: item[0].value):
        quad = next(store.quads_for_pattern(node, IMPORTANCE, None, INDEX_GRAPH), None)
        for line in str(quad.object.value).split("\n") if quad is not None else ():  # type: ignore[union-attr]
            key, figure = line.split("\t")
            if key in chunk_keys:
                found[key] = float(figure)
    return {k: found.get(k, 0.0) for ks in wanted.values() for k in ks}


def _bibtex_quads(project: Project, data: Dataset) -> Iterator[ox.Quad]:
    predicate = ox.NamedNode(LG + "bibtex")
    for work in data.works.values():
        if work.raw:
            node = ox.NamedNode(mint(project.base_iri, "work", work.key))
            yield ox.Quad(node, predicate, ox.Literal(work.raw), BIBTEX_GRAPH)


def index_quads(
    project: Project, data: Dataset, ancestors: dict[str, set[str]], importance: dict[str, str]
) -> Iterator[ox.Quad]:
    """What a store written anew holds besides the graph: the raw BibTeX entries, the claims on themes and
    the views (`importance`: the importance view's chunks)."""
    yield from _bibtex_quads(project, data)
    yield from _on_theme_quads(project, data.claims.values(), ancestors)
    yield from _view_quads(project, data, ancestors, importance=importance)


def _updatable_record(project: Project) -> dict[str, Any] | None:
    """The record of the store the last build wrote, if the store is there and of this format and base IRI
    (what an update in place starts from)."""
    try:
        record = orjson.loads(verified(_record_file(project).read_bytes()) or b"")
        fits = record["format"] == STORE_FORMAT and record["base_iri"] == project.base_iri
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if fits and _store_dir(project).is_dir() else None


def written_anew(project: Project) -> bool:
    """True when the next build must write the store anew (no record of it that an update could start
    from), before that build reads its inputs; a build may still write it anew when most of it changed."""
    return _updatable_record(project) is None


@dataclass
class PreparedIndex:
    """index_quads as N-Quads in a file, made beside the build (see project.py), and the citation network
    with its importance chunks."""

    path: Path
    citations: Any  # network.Network
    chunks: dict[str, str]


def prepare_index(project: Project, data: Dataset, path: Path) -> PreparedIndex:
    """index_quads written to `path` as N-Quads (a file of the build's own, removed once the store is
    written), with the citation network they rank works by."""
    from litgraph import network  # (numpy: builds only, not queries)

    citations = network.Network.of(citation_pairs(data))
    chunks = importance_chunks(citations.importance(), data.works)
    with path.open("wb") as handle:
        ox.serialize(index_quads(project, data, _ancestors(data), chunks), handle, format=ox.RdfFormat.N_QUADS)
    return PreparedIndex(path, citations, chunks)


def _bibtex_digest(data: Dataset) -> str:
    digest = hashlib.sha256()
    for key in sorted(data.works):
        digest.update(f"{key}\0{data.works[key].raw}\0".encode())
    return digest.hexdigest()


def _record_file(project: Project) -> Path:
    return project.state_dir / "store-pieces.json"


def _hierarchy(ancestors: dict[str, set[str]]) -> list[list[str]]:
    """Each theme with its broader themes: the claims-on-themes index depends on it beyond the claims."""
    return [[t, *sorted(a)] for t, a in sorted(ancestors.items())]


@dataclass
class _Inputs:
    """What the store is written from, beyond the graph's pieces: recorded so that an update in place can
    tell what changed."""

    bibtex: str
    hierarchy: list[list[str]]
    views: dict[str, str]


def _save_state(project: Project, stamp: str, pieces: list[Piece], inputs: _Inputs) -> None:
    """The record of what the store holds (written last: until then the store counts as stale)."""
    record: dict[str, Any] = {"format": STORE_FORMAT, "base_iri": project.base_iri, "bibtex": inputs.bibtex}
    record["themes"], record["views"] = inputs.hierarchy, inputs.views
    record["pieces"] = {p.digest: p.names for p in pieces}
    _write_record_and_state(project, record, stamp)


def _write_record_and_state(project: Project, record: dict[str, Any], stamp: str) -> None:
    with atomic_file(_record_file(project)) as handle:
        handle.write(signed(orjson.dumps(record)))  # (orjson: the record of 5,000 pieces, in a tenth of the time)
    state = {"fingerprint": stamp, "version": __version__, "base_iri": project.base_iri}
    with atomic_file(_state_file(project)) as handle:
        handle.write(signed(json.dumps(state).encode("utf-8")))


class Compacting:
    """A store just written anew or updated in place, open, while a thread of its own removes the old one
    (if any) and compacts it: a freshly bulk-loaded store answers queries about 30% slower until RocksDB
    has compacted it (15 s at 100,000 works, spent while the site is written), and one updated in place by
    many quick builds, whose processes end before RocksDB compacts, about 25% slower. Read through `store`
    meanwhile (no second handle may open it); `close` waits for the thread."""

    def __init__(self, path: Path, old: Path | None = None):
        self.store = ox.Store(str(path))
        self._thread = threading.Thread(target=self._work, args=(old,), name="compact the store")
        self._thread.start()

    def _work(self, old: Path | None) -> None:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        with contextlib.suppress(OSError):  # slower queries, not wrong ones
            self.store.optimize()

    def close(self) -> None:
        self._thread.join()
        del self.store


def write_store(
    project: Project,
    units: list[BuiltUnit],
    cache: UnitCache,
    data: Dataset,
    stamp: str,
    ready: Callable[[], None] = lambda: None,
    prepared: PreparedIndex | None = None,
) -> Compacting:
    """Bring the store up to date with the graph's units, the raw BibTeX entries and the index views;
    `stamp` is the inputs' fingerprint taken before they were read, so an edit during the build leaves it
    stale, not wrong.

    With a record of the pieces (see shacl.py) the store was last written from, the subjects of pieces that
    are gone are deleted and those of new pieces inserted; the index is recomputed. Otherwise a new store is
    written beside the old (from the units built now and the N-Triples of those kept) and swapped in.
    Either way it is returned open while it is compacted (see Compacting).
    `ready` is called before the store the project has is changed in any way; what it raises leaves that store
    as it was (a build checks its graph against the shapes meanwhile: see project.py). `prepared`: what a
    store written anew holds besides the graph, made already (index_quads, in a file)."""
    ancestors = _ancestors(data)
    inputs = _Inputs(_bibtex_digest(data), _hierarchy(ancestors), _view_inputs(data, units))
    pieces = [p for u in units for p in u.pieces]
    from litgraph import network  # (numpy: builds only, not queries)

    kept = network.load(project.state_dir, inputs.views["importance"])
    if kept is None:  # what a quick build that adds or removes a citation starts from (network.py)
        if prepared is not None:
            kept = network.Kept(inputs.views["importance"], prepared.citations, prepared.chunks)
        else:
            citations = network.Network.of(citation_pairs(data))
            kept = network.Kept(
                inputs.views["importance"], citations, importance_chunks(citations.importance(), data.works)
            )
        accepted = ready

        def ready() -> None:  # saved once the build goes ahead
            accepted()
            with contextlib.suppress(OSError):
                network.save(project.state_dir, kept)

    if _update_in_place(project, data, pieces, inputs, ancestors, kept.chunks, ready):
        _save_state(project, stamp, pieces, inputs)
        return Compacting(_store_dir(project))
    project.state_dir.mkdir(parents=True, exist_ok=True)
    staging = project.state_dir / f"store.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        store = ox.Store(str(staging))
        # the graph read back from its units' N-Triples by Oxigraph's parser (blank node labels kept, as
        # in-place updates need them): making 5 million quads from the built triples in Python took 24 s at
        # 100k works; then the rest, all in one bulk load (each costs a fixed ~0.3 s)
        with contextlib.ExitStack() as files:
            graph = files.enter_context(io.BufferedReader(Concatenated(cache.ntriples(u) for u in units), 1 << 20))
            if prepared is not None:
                index: Iterable[ox.Quad] = ox.parse(
                    files.enter_context(prepared.path.open("rb")), format=ox.RdfFormat.N_QUADS
                )
            else:
                index = index_quads(project, data, ancestors, kept.chunks)
            store.bulk_extend(itertools.chain(ox.parse(graph, format=ox.RdfFormat.N_TRIPLES), index))
        store.flush()
        del store
        ready()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _record_file(project).unlink(missing_ok=True)
    target, old = _store_dir(project), project.state_dir / f"store.old-{os.getpid()}"
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    _save_state(project, stamp, pieces, inputs)
    return Compacting(target, old)


def _node(name: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(name[2:]) if name.startswith("_:") else ox.NamedNode(name)


def _update_in_place(
    project: Project,
    data: Dataset,
    pieces: list[Piece],
    inputs: _Inputs,
    ancestors: dict[str, set[str]],
    importance: dict[str, str],
    ready: Callable[[], None],
) -> bool:
    """Replace only what changed since the recorded build; False (nothing touched) when that cannot be done
    or would not pay: no record, another store format or base IRI, or most of the graph changed. `ready`:
    see write_store."""
    record = _updatable_record(project)
    if record is None:
        return False
    try:
        before: dict[str, list[str]] = record["pieces"]
        fits = record["themes"] == inputs.hierarchy
        views_before: dict[str, str] = record.get("views") or {}
    except (KeyError, TypeError):
        return False
    now = {p.digest: p for p in pieces}
    added = [now[d] for d in now if d not in before]
    if not fits or len(added) > len(pieces) // 2:
        return False
    if any(not p.triples for p in added):  # a kept unit's piece (no triples at hand) the store never had: write anew
        return False
    ready()
    # from here on the store changes: without a state file it counts as stale (and is rewritten in full)
    _state_file(project).unlink(missing_ok=True)
    _record_file(project).unlink(missing_ok=True)
    store = ox.Store(str(_store_dir(project)))
    gone = {n for d in before.keys() - now.keys() for n in before[d]}
    additions, fresh = _replace_subjects(store, gone, added)
    if record.get("bibtex") != inputs.bibtex:
        store.clear_graph(BIBTEX_GRAPH)
        additions.append(_bibtex_quads(project, data))
    # the index: claims on themes replaced for the claims of changed pieces; the views that changed
    claim_prefix = mint(project.base_iri, "claim", "")
    changed = gone | fresh.keys()
    for name in sorted(n for n in changed if n.startswith(claim_prefix)):
        for quad in list(store.quads_for_pattern(ox.NamedNode(name), ON_THEME, None, INDEX_GRAPH)):
            store.remove(quad)
    ids = sorted(unquote(n[len(claim_prefix) :]) for n in changed if n.startswith(claim_prefix))
    additions.append(_on_theme_quads(project, [data.claims[i] for i in ids if i in data.claims], ancestors))
    stale = [g for g in VIEW_GROUPS if g not in inputs.views or views_before.get(g) != inputs.views[g]]
    views = set(_view_quads(project, data, ancestors, stale, importance))
    for view in (view for group in stale for view in VIEW_GROUPS[group]):
        for quad in list(store.quads_for_pattern(None, ox.NamedNode(LG + view), None, INDEX_GRAPH)):
            if quad in views:
                views.discard(quad)  # unchanged: kept
            else:
                store.remove(quad)
    additions.append(views)
    store.bulk_extend(itertools.chain.from_iterable(additions))  # one bulk load: each costs a fixed ~0.3 s
    store.flush()
    del store  # (closed: the caller opens it again, to compact it)
    return True


def _replace_subjects(
    store: ox.Store, gone: set[str], added: list[Piece]
) -> tuple[list[Iterable[ox.Quad]], dict[str, set[ox.Quad]]]:
    """Remove the triples of the `gone` subjects and of those of `added` pieces that changed; returns the
    quads to add (for one bulk load), and the added pieces' subjects with their quads."""
    fresh: dict[str, set[ox.Quad]] = {}  # the subjects of new pieces, with their triples now
    for piece in added:
        for t in piece.triples[: piece.owned]:
            name = t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject)
            fresh.setdefault(name, set()).add(ox.Quad(t.subject, t.predicate, t.object))
    additions: list[Iterable[ox.Quad]] = []
    for name in sorted(gone | fresh.keys()):  # a subject's triples: only those that changed are replaced
        now_quads = set(fresh.get(name, set()))
        for quad in list(store.quads_for_pattern(_node(name), None, None, ox.DefaultGraph())):
            if quad in now_quads:
                now_quads.discard(quad)
            else:
                store.remove(quad)
        additions.append(now_quads)
    return additions, fresh


def patch_store(
    project: Project,
    gone: list[str],
    added: list[Piece],
    stamp: str,
    index: Callable[[ox.Store, dict[str, str]], None] | None = None,
    stale_views: Iterable[str] = (),
) -> bool:
    """A quick build's change (see quick.py): the subjects of the `gone` pieces (digests) and of the `added`
    ones replaced; `index`, if given, then updates the index graph in the same store (given the record's
    digests of the views' inputs, which it may change: see quick_citations.update_importance). The views of
    `stale_views` (groups of VIEW_GROUPS) count as changed: the next whole build computes them anew. False
    (nothing touched) when the store's record does not fit."""
    try:
        record = orjson.loads(verified(_record_file(project).read_bytes()) or b"")
        before: dict[str, list[str]] = record["pieces"]
        if record["format"] != STORE_FORMAT or record["base_iri"] != project.base_iri:
            return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if not _store_dir(project).is_dir():
        return False
    _state_file(project).unlink(missing_ok=True)  # stale until the change is whole
    _record_file(project).unlink(missing_ok=True)
    store = ox.Store(str(_store_dir(project)))
    additions, _ = _replace_subjects(store, {n for d in gone if d in before for n in before[d]}, added)
    store.bulk_extend(itertools.chain.from_iterable(additions))
    if index is not None:
        record["views"] = record.get("views") or {}
        index(store, record["views"])
    store.flush()
    del store
    for view in stale_views:
        (record.get("views") or {}).pop(view, None)
    for digest in gone:
        before.pop(digest, None)
    for piece in added:
        before[piece.digest] = piece.names
    _write_record_and_state(project, record, stamp)
    return True


def groups_of(store: ox.Store, base_iri: str, ids: Iterable[str]) -> dict[ox.NamedNode, set[str]]:
    """The contested groups' nodes that hold any of the claims `ids`, each with those of them it holds."""
    found: dict[ox.NamedNode, set[str]] = {}
    for claim_id in ids:
        node = ox.NamedNode(mint(base_iri, "claim", claim_id))
        for quad in store.quads_for_pattern(node, IN_GROUP, None, INDEX_GRAPH):
            found.setdefault(quad.object, set()).add(claim_id)  # type: ignore[arg-type]
    return found


def patch_contested_rows(
    store: ox.Store, base_iri: str, changed: dict[str, Claim], fields: Iterable[str]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The rows of these claims in the contested groups that hold them, with their `fields` as they are now:
    what a whole build would write, for an edit of their wording. Returns those groups, with their rows."""
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for node, ids in sorted(groups_of(store, base_iri, changed).items(), key=lambda item: item[0].value):
        group = next(store.quads_for_pattern(node, GROUP, None, INDEX_GRAPH), None)
        quad = next(store.quads_for_pattern(node, CLAIM_ROWS, None, INDEX_GRAPH), None)
        if group is None or quad is None:
            continue
        rows = orjson.loads(quad.object.value)  # type: ignore[union-attr]
        for claim_id in ids:
            rows[claim_id].update({f: getattr(changed[claim_id], f) for f in fields})
        store.remove(quad)
        store.add(ox.Quad(node, CLAIM_ROWS, ox.Literal(view_json(rows)), INDEX_GRAPH))
        found.append((orjson.loads(group.object.value), rows))  # type: ignore[union-attr]
    return found


def open_store(project: Project) -> ox.Store:
    """The store, read-only. Call only when `is_fresh`."""
    return ox.Store.read_only(str(_store_dir(project)))


def graph_store(project: Project, progress: Callable[[str], None] = lambda _: None) -> ox.Store:
    """The project's store, read-only; rebuilt first (a full `build`) when the inputs changed since."""
    if not is_fresh(project):
        from litgraph.project import build  # only then: queries on a fresh store load no parser

        progress("the inputs changed since the last build (or there was none): building")
        build(project, progress)
    return open_store(project)
