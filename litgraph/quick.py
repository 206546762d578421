"""Quick builds: an edit to the wording of claims patched into the last build's outputs.

When the only inputs changed since the last build are claims files, and in them only what claims say and
where they were read (text, lang, locator, evidence), nothing a count, ranking, citation or contested
group stands on has changed. A quick build then reads only the items of the file that changed (see
claims.item_spans), builds, checks and saves only the graph units that hold the edited claims, replaces
their subjects in the store, assembles graph.ttl and graph.jsonld again, and renders only the pages that
show those claims (from their kept contexts), splicing the claims' new details into the map.

Claims added, removed or placed otherwise are patched in too where that moves nothing else (see
quick_claims.py). Anything else (a new dispute, a work's first claim on a theme, a .bib file or the
ontology edited; a record missing, damaged or written by another user) is a full build. The outputs are
the same bytes either way: tests build both and compare them.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import hashlib
import itertools
import time
from array import array
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyoxigraph as ox

from litgraph import __version__
from litgraph.claims import item_spans, read_claim_items
from litgraph.config import Project
from litgraph.model import Claim, Dataset
from litgraph.namespaces import LG
from litgraph.parsecache import ParseCache, load_signed_pickle, save_signed_pickle
from litgraph.rdfio import atomic_file, copy_range
from litgraph.store import fingerprint, input_stats

if TYPE_CHECKING:
    from litgraph.graphunits import BuiltUnit
    from litgraph.project import BuildSummary

QUICK_FORMAT = "2"
WORDING = ("text", "lang", "locator", "evidence")  # what a quick build patches
IN_ROWS = ("text", "locator", "evidence")  # of these, what the site's rows and the map's details show
STRUCTURE = ("id", "source", "reported_in", "themes", "supports", "disputes", "question", "stance")


def _record_file(project: Project) -> Path:
    return project.state_dir / "quick.pickle"


def forget(project: Project) -> None:
    """No quick build until the next build is whole (called before a build changes anything)."""
    _record_file(project).unlink(missing_ok=True)


DIGEST = 16  # bytes of an item's digest


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=DIGEST).digest()


def _file_record(
    path: Path,
    text: str,
    claims: list[Claim],
    spans: list[tuple[int, str]] | None = None,
    digests: list[bytes] | None = None,
) -> dict[str, Any] | None:
    """A claims file's items, each with the one claim it holds: their digests (one bytes string) and first
    lines (an array); None when the file does not have the plain shape, or an item holds no claim.
    `spans`: item_spans(text), and `digests` their texts' digests, if known. (Compact: the record of
    300,000 claims is read and written by every quick build.)"""
    spans = spans if spans is not None else item_spans(text)
    ordered = sorted(claims, key=lambda c: c.line)
    if spans is None or len(spans) != len(ordered):
        return None
    ends = [s for s, _ in spans[1:]] + [1 << 62]
    if any(not start <= c.line < end for (start, _), end, c in zip(spans, ends, ordered, strict=True)):
        return None
    digests = digests if digests is not None else [_digest(t) for _, t in spans]
    return {
        "key": ParseCache.key_of(path, "claims", text.encode("utf-8")),
        "digests": b"".join(digests),
        "starts": array("q", (s for s, _ in spans)),
    }


def remember(
    project: Project,
    stats: dict[str, list[int]],
    data: Dataset,
    units: list[BuiltUnit],
    summary: BuildSummary,
    before: dict[str, Any] | None = None,
) -> None:
    """After a whole build: what a quick build starts from. `before`: what the last build remembered
    (load_record, read before the build began), whose records of files unchanged since are kept."""
    by_file: dict[str, list[Claim]] = {}
    for claim in data.claims.values():
        by_file.setdefault(str(claim.path), []).append(claim)
    files: dict[str, Any] = {}
    for path in project.claim_files():
        name = str(path)
        if before is not None and name in before["files"] and before["stats"].get(name) == stats.get(name):
            files[name] = before["files"][name]  # the same bytes: the same items (reading them costs seconds)
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        files[name] = _file_record(path, text, by_file.get(name, []))
    record = {
        "format": QUICK_FORMAT,
        "version": __version__,
        "base_iri": project.base_iri,
        "stats": stats,
        "files": files,
        "units": [[u.name, u.digest, u.count] for u in units],
        "entry_types": {k: w.entry_type for k, w in data.works.items()},
        "summary": {
            k: getattr(summary, k)
            for k in ("works", "claims", "themes", "questions", "disputes", "citations", "triples")
        },
        "warnings": summary.warnings,
    }
    with contextlib.suppress(OSError):
        save_signed_pickle(_record_file(project), record)


def load_record(project: Project) -> dict[str, Any] | None:
    record = load_signed_pickle(_record_file(project))
    if not isinstance(record, dict) or record.get("format") != QUICK_FORMAT or record.get("version") != __version__:
        return None
    return record if record.get("base_iri") == project.base_iri else None


@dataclass
class _Reread:
    path: Path
    claims: list[Claim]  # in file order, as read (theme labels not yet resolved)
    changed: dict[str, Claim]  # id -> the claim, where its wording changed
    file_record: dict[str, Any]
    text: str
    before: list[Claim]  # the claims the last build read from the file
    reparsed: set[str]  # the ids of the claims of the items read anew (the others are as the last build read them)
    structural: bool = False  # claims added, removed, or given other themes, sources, links...: a whole build


def _reread(cache: ParseCache, path: Path, before: dict[str, Any]) -> _Reread | None:
    """The file's claims now, read item by item where items changed (`structural` if more than wording
    changed); None when that cannot be done, or the items have problems.
    `cache`: the parse cache, whose entry for `path` holds the claims the last build read (a file the last
    build read had no problems)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    spans = item_spans(text)
    entry = cache.load_entry(path, before["key"])  # ((claims, problems),) if it is of the last build's bytes
    old = list(entry[0][0]) if entry is not None else None
    if spans is None or old is None or len(old) != len(before["starts"]):
        return None
    reusable: dict[bytes, list[tuple[int, Claim]]] = {}
    blob = before["digests"]
    for i, (start, claim) in enumerate(zip(before["starts"], sorted(old, key=lambda c: c.line), strict=True)):
        reusable.setdefault(blob[i * DIGEST : (i + 1) * DIGEST], []).append((start, claim))
    now: list[Claim | None] = []
    todo: list[tuple[int, str]] = []
    where: list[int] = []
    digests = [_digest(chunk) for _, chunk in spans]
    for (start, chunk), digest in zip(spans, digests, strict=True):
        same = reusable.get(digest)
        if same:
            was, claim = same.pop(0)
            shift = start - was
            if shift:  # (a copy made by hand: dataclasses.replace costs twice as much, for 20,000 claims)
                moved = object.__new__(Claim)
                moved.__dict__.update(claim.__dict__)
                moved.line, moved.lines = claim.line + shift, {k: v + shift for k, v in claim.lines.items()}
                claim = moved
            now.append(claim)
        else:
            where.append(len(now))
            now.append(None)
            todo.append((start, chunk))
    read, problems = read_claim_items(path, todo)
    if problems or len(read) != len(todo):
        return None  # a full build reports the problems in its own words
    for i, parsed in zip(where, read, strict=True):
        now[i] = parsed
    claims = [c for c in now if c is not None]
    old_by_id = {c.id: c for c in old}
    if len({c.id for c in claims}) != len(claims):
        return None
    record = _file_record(path, text, claims, spans, digests)
    if record is None:
        return None
    found = _Reread(path, claims, {}, record, text, old, {c.id for c in read})
    if {c.id for c in claims} != old_by_id.keys():
        found.structural = True
        return found
    for claim in read:  # a reused item is the same text as before, so the same claim
        last = old_by_id[claim.id]
        if any(getattr(last, f) != getattr(claim, f) for f in STRUCTURE):
            found.structural = True
        elif any(getattr(last, f) != getattr(claim, f) for f in WORDING):
            found.changed[claim.id] = claim
    return found


def quick_build(project: Project, progress: Callable[[str], None]) -> BuildSummary | None:
    """The build as a patch of the last one, when only claims' wording changed; None when it cannot be."""
    start = time.perf_counter()
    record = load_record(project)
    if record is None:
        return None
    stats = input_stats(project)
    stamp = fingerprint(project, stats)
    if stats.keys() != record["stats"].keys():
        return None
    changed_files = [p for p in stats if stats[p] != record["stats"][p]]
    claim_files = {str(p) for p in project.claim_files()}
    if not changed_files or any(p not in claim_files or not record["files"].get(p) for p in changed_files):
        return None
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="quick build") as pool:
        return _quick_build(project, progress, pool, record, stats, stamp, changed_files, start)


def _quick_build(
    project: Project,
    progress: Callable[[str], None],
    pool: ThreadPoolExecutor,
    record: dict[str, Any],
    stats: dict[str, list[int]],
    stamp: str,
    changed_files: list[str],
    start: float,
) -> BuildSummary | None:
    """quick_build's work. `pool`: threads for what waits on the disk (the pages' stats, the graph files'
    copying), while this thread parses and renders."""
    from litgraph.site import PAGES_RECORD, load_page_records, pages_untouched

    def untouched_pages() -> dict[str, list[Any]] | None:
        pages = load_page_records(project.state_dir / PAGES_RECORD)
        return pages if pages is not None and pages_untouched(project.site_dir, pages) else None

    pages = pool.submit(untouched_pages)  # 100,000 stats: about a second when the disk cache is cold
    progress(f"reading the edited claims file{'s' if len(changed_files) > 1 else ''}")
    parse_cache = ParseCache(project.state_dir / "parsed")
    reread = []
    for name in changed_files:
        found = _reread(parse_cache, Path(name), record["files"][name])
        if found is None:
            return None
        reread.append(found)

    def whole() -> BuildSummary | None:  # the whole build then reads the files from the parse cache
        for found in reread:
            parse_cache.put(found.path, "claims", found.text.encode("utf-8"), (found.claims, []))
        return None

    changed = {cid: c for r in reread for cid, c in r.changed.items()}
    plan = _plan_units(project, record, reread)
    if plan is None:
        return whole()
    change = None
    if any(found.structural for found in reread):  # claims added, removed or placed otherwise
        from litgraph.quick_claims import affected_pages, plan_change

        change = plan_change(project, reread, plan.themes)
        if change is not None and (change.cites_added or change.cites_removed):
            from litgraph.quick_citations import patch_works_units

            if not patch_works_units(project, record, change, plan):
                return whole()
        site = _plan_site(project, pages.result(), lambda index: affected_pages(change, index)) if change else None
        if site is not None and change is not None and change.contest is not None:
            from litgraph.site import load_contested_offsets

            site.contested = load_contested_offsets(project.site_dir, project.state_dir)
            shown = {key for key, _, _ in site.contested or []}
            kept = (k for k in change.contest.order if k not in change.contest.formed)
            if site.contested is None or any(k not in shown for k in kept):
                return whole()  # (the page's groups are not the store's: a whole build renders it)
        what = ""
        if change is not None:
            counts = (len(change.after.keys() - change.before.keys()), len(change.before.keys() - change.after.keys()))
            changed_ids = len(change.linked_before().keys() & change.linked_after().keys())
            what = f"{counts[0]} added, {counts[1]} removed, {changed_ids} changed claim(s)"
    else:
        site = _plan_site(project, pages.result(), lambda index: _wording_pages(changed, index))
        what = f"{len(changed)} edited claim(s)"
        if site is not None and _contested_offsets(project, changed, site) is None:
            return whole()
    if site is None:
        return whole()
    site.themes = plan.themes
    progress(f"patching {what} into the last build")
    forget(project)  # from here on, a failure leaves a whole build to do
    from litgraph.graphunits import UnitCache, write_graph_files
    from litgraph.quick_claims import update_index
    from litgraph.store import patch_contested_rows, patch_store

    cache = UnitCache(project.state_dir / "units")
    for unit in plan.units:
        cache.save(unit, project.base_iri)

    def index(store: ox.Store, views: dict[str, str]) -> None:  # the index graph, as the change leaves it
        if change is not None:
            update_index(project, change, store, views)
        else:
            site.contested_groups = patch_contested_rows(store, project.base_iri, changed, IN_ROWS)

    pieces = [p for u in plan.units for p in u.pieces]
    if not patch_store(project, plan.gone, pieces, stamp, index, ("rankings",) if change else ()):
        return whole()
    digests = dict((name, (digest, count)) for name, digest, count in record["units"])
    for unit in plan.units:
        digests[unit.name] = (unit.digest, unit.count)
    order = plan.order
    digests = {n: digests[n] for n in order}  # (units gone with the claims they held: no longer counted)
    graph_files = pool.submit(
        write_graph_files, cache, [digests[n][0] for n in order], project.site_dir, project.base_iri
    )
    if change is not None:
        from litgraph.quick_claims import apply_site

        apply_site(project, site, change)
        record["summary"]["claims"] += len(change.after.keys() - change.before.keys())
        record["summary"]["claims"] -= len(change.before.keys() - change.after.keys())
        record["summary"]["disputes"] += sum(len(c.disputes) for c in change.linked_after().values())
        record["summary"]["disputes"] -= sum(len(c.disputes) for c in change.linked_before().values())
        record["summary"]["citations"] += len(change.cites_added) - len(change.cites_removed)
    else:
        _apply_site(project, site, changed)
    for found in reread:  # (while the graph files are written: that thread mostly waits on the disk)
        parse_cache.put(found.path, "claims", found.text.encode("utf-8"), (found.claims, []))
        record["files"][str(found.path)] = found.file_record
    graph_files.result()
    for digest in plan.old_digests:
        cache.drop(digest)
    record["stats"] = stats
    record["units"] = [[n, *digests[n]] for n in order]
    record["summary"]["triples"] = sum(c for _, c in digests.values())
    with contextlib.suppress(OSError):
        save_signed_pickle(_record_file(project), record)
    from litgraph.project import BuildSummary

    return BuildSummary(
        **record["summary"],
        warnings=record["warnings"],
        outputs=[project.site_dir / n for n in ("graph.ttl", "graph.jsonld", "index.html")],
        seconds={"quick build": time.perf_counter() - start},
    )


@dataclass
class _UnitPlan:
    units: list[BuiltUnit]  # built now, checked
    gone: list[str]  # the digests of the pieces they replace
    old_digests: list[str]
    themes: dict[str, Any]
    order: list[str]  # every unit's name, in output order


def _id(claim: Claim) -> str:
    return claim.id


def _plan_units(project: Project, record: dict[str, Any], reread: list[_Reread]) -> _UnitPlan | None:
    """The claims units of the reread files whose claims changed (or that are new), built and SHACL-checked
    (nothing saved yet), and the units they replace."""
    from litgraph.checks import resolve_themes
    from litgraph.graph import GraphBuilder, claim_parts, claims_inputs, claims_unit, work_class
    from litgraph.graphunits import UNITS_FORMAT, BuiltUnit, UnitCache, digest_of
    from litgraph.lookup import ThemeLookup
    from litgraph.ontology import read_ontology
    from litgraph.project import build_setting
    from litgraph.rdfio import serialize
    from litgraph.shacl import RDF_TYPE, check_shapes, pieces_of

    ontology = read_ontology(project.ontology_file("themes.ttl"), project.ontology_file("litgraph.ttl"))
    lookup, entry_types = ThemeLookup(ontology.themes), record["entry_types"]
    builder = GraphBuilder(project.base_iri, ontology.evidence_iris)
    salt = f"{__version__}/{UNITS_FORMAT}/{build_setting(project)}"
    cache = UnitCache(project.state_dir / "units")
    before = {name: (digest, count) for name, digest, count in record["units"]}
    if "ontology" not in before:
        return None

    def classes_in(path: Path) -> dict[Any, list[ox.Triple]]:
        found: dict[Any, list[ox.Triple]] = {}
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
            found.setdefault(quad.subject, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
        return found

    scheme = classes_in(cache.path(before["ontology"][0], "types.nt"))  # themes and evidence types
    plan = _UnitPlan([], [], [], ontology.themes, [n for n, _, _ in record["units"]])
    for found in reread:
        path = str(found.path)
        old_parts = {claims_unit(path, p): [c.id for c in p] for p in claim_parts(sorted(found.before, key=_id))}
        old_names = list(old_parts)
        if not old_names or any(n not in before for n in old_names):
            return None
        new_names = []
        for part in claim_parts(sorted(found.claims, key=_id)):
            name = claims_unit(path, part)
            new_names.append(name)
            if old_parts.get(name) == [c.id for c in part] and not found.reparsed.intersection(old_parts[name]):
                continue  # the same items as the last build read
            resolved = []
            for claim in part:
                themes, unknown = resolve_themes(lookup, claim.themes)
                if unknown or (claim.evidence is not None and claim.evidence not in ontology.evidence_types):
                    return None  # a whole build reports it
                if claim.source not in entry_types or (claim.reported_in or claim.source) not in entry_types:
                    return None
                resolved.append(dataclasses.replace(claim, themes=themes))
            digest = digest_of(salt, name, claims_inputs(resolved, entry_types))
            if name in before and before[name][0] == digest:
                continue  # the same claims as before (an item moved, or another part changed)
            triples = [t for c in resolved for t in builder.claim_triples(c)]
            own = [t for t in triples if t.predicate == RDF_TYPE]
            # the classes of what its claims point at: works by their entry types, claims and questions by
            # their kind (themes and evidence types: the scheme's, below)
            classes: dict[Any, list[ox.Triple]] = {}
            for key in {k for c in resolved for k in (c.source, c.reported_in) if k}:
                work = builder.iri("work", key)
                classes[work] = [ox.Triple(work, RDF_TYPE, ox.NamedNode(work_class(entry_types[key])))]
            for kind, local, cls in [("claim", i, "Claim") for c in resolved for i in (*c.supports, *c.disputes)] + [
                ("question", c.question, "Question") for c in resolved if c.question and c.stance
            ]:
                node = builder.iri(kind, local)
                classes[node] = [ox.Triple(node, RDF_TYPE, ox.NamedNode(LG + cls))]
            for node, typed in scheme.items():
                classes.setdefault(node, []).extend(typed)
            for triple in own:
                classes.setdefault(triple.subject, []).append(triple)
            pieces = pieces_of(triples, types=classes)
            types = serialize(own, "nt", "").decode("utf-8")
            plan.units.append(BuiltUnit(name, digest, len(triples), types, pieces, triples))
        for name in old_names:  # the units replaced: rebuilt under their name, or gone
            if name not in new_names or any(u.name == name for u in plan.units):
                old = cache.load(name, before[name][0])
                if old is None:
                    return None
                plan.gone += [p.digest for p in old.pieces]
                plan.old_digests.append(old.digest)
        at = plan.order.index(old_names[0])  # the file's units stand together, in part order
        if plan.order[at : at + len(old_names)] != old_names:
            return None
        plan.order[at : at + len(old_names)] = new_names
        if len(set(plan.order)) != len(plan.order):
            return None
    shapes, vocabulary = project.ontology_file("shapes.ttl"), project.ontology_file("litgraph.ttl")
    pieces = [p for u in plan.units for p in u.pieces]
    if pieces and check_shapes(pieces, shapes, vocabulary, cache=project.state_dir / "shacl-passed.txt", part=True):
        return None  # a full build reports the violations
    keep = {p.digest for p in pieces}
    plan.gone = [d for d in plan.gone if d not in keep]
    return plan


@dataclass
class _SitePlan:
    pages: dict[str, list[Any]]  # the pages' record
    index: dict[str, Any]  # claim_pages, offsets, index
    affected: list[str]
    contexts: dict[str, bytes]
    themes: dict[str, Any] = dataclasses.field(default_factory=dict)
    contested: list[list[Any]] | None = None  # where contested.html's groups stand (site.write_contested)
    contested_groups: list[tuple[dict[str, Any], dict[str, Any]]] = dataclasses.field(default_factory=list)


def _plan_site(
    project: Project, pages: dict[str, list[Any]] | None, affected_by: Callable[[dict[str, Any]], set[str] | None]
) -> _SitePlan | None:
    """What the site's patch needs, read and checked before anything is changed. `pages`: the pages' record,
    if every page it records is as recorded (a page changed or removed by hand: a whole build mends it);
    `affected_by`: the pages to render anew, given the pages' index (None: they cannot be patched)."""
    from litgraph.site import load_contexts

    state, site = project.state_dir, project.site_dir
    index = load_signed_pickle(state / "pages" / "index.pickle")
    try:
        stat = (site / "index.html").stat()
    except OSError:
        return None
    if pages is None or not isinstance(index, dict) or index.get("index") != [stat.st_size, stat.st_mtime_ns]:
        return None
    affected = affected_by(index)
    contexts = load_contexts(state, affected) if affected is not None else None
    if affected is None or contexts is None or not affected <= contexts.keys() or not affected <= pages.keys():
        return None
    return _SitePlan(pages, index, sorted(affected), contexts)


def _contested_offsets(project: Project, changed: dict[str, Claim], plan: _SitePlan) -> list[list[Any]] | None:
    """Where contested.html's groups stand (kept in `plan`), if the edited claims may be among them; [] if
    they cannot be; None if they may and the offsets are not of the page as it is."""
    from litgraph.site import load_contested_offsets
    from litgraph.store import groups_of, open_store

    if not groups_of(open_store(project), project.base_iri, changed):
        return []
    plan.contested = load_contested_offsets(project.site_dir, project.state_dir)
    return plan.contested


def _splice_contested(project: Project, plan: _SitePlan, order: list[str], sections: dict[str, bytes]) -> None:
    """contested.html with the groups `order` (their keys, ranked): those in `sections` as given, the others
    copied from where they stand in the page (the page is not read: the kernel copies them)."""
    from litgraph.site import contested_parts, save_contested_offsets

    assert plan.contested is not None
    where = {key: (begin, end) for key, begin, end in plan.contested}
    head, tail = contested_parts(project.title, not order)
    path = project.site_dir / "contested.html"
    offsets: list[list[Any]] = []
    with path.open("rb") as page, atomic_file(path) as out:
        out.write(head)
        at, run = len(head), None  # run: a stretch of the old page still to copy, [begin, end]
        for key in order:
            if key in sections:
                if run:
                    copy_range(page, out, run[0], run[1] - run[0])
                    run = None
                out.write(sections[key])
                offsets.append([key, at, at + len(sections[key])])
                at += len(sections[key])
                continue
            begin, end = where[key]
            if run and run[1] == begin:
                run[1] = end
            else:
                if run:
                    copy_range(page, out, run[0], run[1] - run[0])
                run = [begin, end]
            offsets.append([key, at, at + end - begin])
            at += end - begin
        if run:
            copy_range(page, out, run[0], run[1] - run[0])
        out.write(tail)
    save_contested_offsets(project.site_dir, project.state_dir, offsets)
    plan.contested = offsets
    stat = path.stat()
    plan.pages["contested.html"] = ["", stat.st_size, stat.st_mtime_ns]  # (rendered whole by the next whole build)


def _wording_pages(changed: dict[str, Claim], index: dict[str, Any]) -> set[str]:
    """The pages that show the claims whose wording changed: their works' pages, and those the index names."""
    from litgraph.site import page_name

    affected: set[str] = set()
    for claim in changed.values():
        affected.add(f"works/{page_name(claim.source)}")
        if claim.reported_in:
            affected.add(f"works/{page_name(claim.reported_in)}")
        affected.update(index["claim_pages"].get(claim.id, []))
    return affected


def _patch(row: dict[str, Any], claim: Claim) -> None:
    """A claim's row (a page's, or the map's details) with the claim's new wording."""
    for field in IN_ROWS:
        if field in row:
            row[field] = getattr(claim, field)


def _patch_rows(context: Any, changed: dict[str, Claim]) -> None:
    """The rows of edited claims in a page's context, or in a work's details on the map."""
    from litgraph.site import claim_rows

    for row in claim_rows(context):
        if row["id"] in changed:
            _patch(row, changed[row["id"]])


def _listed(context: dict[str, Any], changed: dict[str, Claim]) -> list[bytes] | None:
    """The edited claims' items in a theme page's list of works, in page order, as it shows them (None: a
    contested group on the page shows one of them too, so the page is rendered anew)."""
    from litgraph.site import claim_items, claim_rows

    if any(row["id"] in changed for row in claim_rows(context.get("groups", []))):
        return None
    return claim_items(_listed_rows(context, changed))


def _listed_rows(context: dict[str, Any], changed: dict[str, Claim]) -> list[dict[str, Any]]:
    """The edited claims' rows in a theme page's list of works, in page order."""
    return [r for e in context["works"] for r in e["claims"] if r["id"] in changed]


def _splice_theme_page(
    project: Project,
    plan: _SitePlan,
    name: str,
    context: dict[str, Any],
    changed: dict[str, Claim],
    was: list[bytes] | None,
) -> bool:
    """A theme page with the edited claims' items replaced where they stand, rather than rendered whole
    (a theme page of a large project lists hundreds of claims): `was`, the items before (_listed);
    `context`, patched. False, and nothing written, where an item is not on the page exactly once."""
    from litgraph.site import claim_items, dump_context, page_digest

    if was is None:
        return False
    now = claim_items(_listed_rows(context, changed))
    page = (project.site_dir / name).read_bytes()
    for old, new in zip(was, now, strict=True):
        if page.count(old) != 1:
            return False
        page = page.replace(old, new, 1)
    pickled = dump_context(name, context)
    with atomic_file(project.site_dir / name) as handle:
        handle.write(page)
    plan.contexts[name] = pickled
    stat = (project.site_dir / name).stat()
    plan.pages[name] = [page_digest(project.title, name, pickled), stat.st_size, stat.st_mtime_ns]
    return True


def _write_pages(project: Project, plan: _SitePlan, contexts: dict[str, Any]) -> None:
    """Render these pages from their (patched) contexts into site/, and record them as render_site would."""
    from litgraph.site import dump_context, render_page

    labels = {t: theme.labels.get("en", t) for t, theme in plan.themes.items()}
    for name, context in contexts.items():
        pickled = dump_context(name, context)
        plan.contexts[name] = pickled
        text, digest = render_page(project.title, labels, name, context, pickled)
        with atomic_file(project.site_dir / name) as handle:
            handle.write(text.encode("utf-8"))
        stat = (project.site_dir / name).stat()
        plan.pages[name] = [digest, stat.st_size, stat.st_mtime_ns]


def _splice_map(project: Project, plan: _SitePlan, keys: list[str], edit: Callable[[str, Any], Any]) -> None:
    """Replace, in index.html, the JSON of each of `keys` (a node's details by its id, the node itself by
    "#" and its id, the edges by "@edges") with what `edit(key, its value)` makes of it, a value or its
    JSON as bytes (the edges' value is not read: None); the others stay where they are."""
    from litgraph.mapview import script_json

    offsets: dict[str, tuple[int, int]] = plan.index["offsets"]
    keys = sorted((k for k in set(keys) if k in offsets), key=lambda k: offsets[k][0])
    if not keys:
        return
    growth: dict[int, int] = {}  # where a changed value began -> how many bytes longer it is
    # the page (200 MB at 100k works) is not read: the changed values are, and the rest is copied around
    # them in the kernel
    with (project.site_dir / "index.html").open("rb") as page, atomic_file(project.site_dir / "index.html") as out:
        at = 0
        for key in keys:
            begin, end = offsets[key]
            page.seek(begin)
            old = orjson.loads(page.read(end - begin)) if not key.startswith("@") else None  # (edges: anew)
            value = edit(key, old)
            body = value if isinstance(value, bytes) else script_json(value)  # (bytes: the JSON itself)
            copy_range(page, out, at, begin - at)
            out.write(body)
            at = end
            growth[begin] = len(body) - (end - begin)
        copy_range(page, out, at)
    starts = sorted(growth)
    shifts = list(itertools.accumulate(growth[b] for b in starts))  # how far what follows each change moves
    first = starts[0]
    for key, (begin, end) in offsets.items():  # every value after a changed one moves by the changes before it
        if begin >= first:  # (those before the first stay: in place, no new dict of 400,000 entries)
            i = bisect.bisect_left(starts, begin)
            delta = shifts[i - 1] if i else 0
            offsets[key] = (begin + delta, end + delta + growth.get(begin, 0))


def _apply_site(project: Project, plan: _SitePlan, changed: dict[str, Claim]) -> None:
    from litgraph.site import PAGES_RECORD, load_context, save_contexts, save_page_records, shard_of

    contexts, listed = {}, {}
    for name in plan.affected:
        contexts[name] = load_context(name, plan.contexts[name])
        if name.startswith("themes/"):  # (the edited claims as the page lists them now, before the patch)
            listed[name] = _listed(contexts[name], changed)
        _patch_rows(contexts[name], changed)
    spliced = {n for n, was in listed.items() if _splice_theme_page(project, plan, n, contexts[n], changed, was)}
    _write_pages(project, plan, {n: c for n, c in contexts.items() if n not in spliced})
    save_contexts(project.state_dir, plan.contexts, only={shard_of(n) for n in plan.affected})

    def edit(node: str, details: Any) -> Any:  # the details of the edited claims' works (or claims, as nodes)
        if node.startswith("c:"):
            _patch(details, changed[details["id"]])
        else:
            _patch_rows(details, changed)
        return details

    _splice_map(project, plan, [n for c in changed.values() for n in (f"w:{c.source}", f"c:{c.id}")], edit)
    if plan.contested_groups:  # the groups that show the claims: their sections rendered anew
        from litgraph.contestation import group_key
        from litgraph.queries import Graph, shown_groups
        from litgraph.site import group_sections
        from litgraph.store import open_store

        rows = {k: v for _, chunk_rows in plan.contested_groups for k, v in chunk_rows.items()}
        groups = [g for g, _ in plan.contested_groups]
        shown = shown_groups(Graph(open_store(project), project.base_iri), groups, rows)
        sections = dict(zip([group_key(g) for g in groups], group_sections(shown), strict=True))
        assert plan.contested is not None
        _splice_contested(project, plan, [k for k, _, _ in plan.contested], sections)
    save_page_records(project.site_dir, project.state_dir / PAGES_RECORD, plan.pages, plan.index)
