"""Quick builds, continued: claims added, removed, or placed otherwise (other themes, source or work read in).

Such an edit changes what a claim's themes count and rank, which works a theme page lists, and the sizes
on the map. quick.py patches it into the last build's outputs as it patches wording, when nothing else
moves: the claims take no part in disputes, questions or supports (the contested groups stay), every work
keeps the themes it had (the map's edges and layout stay), and the citation network stays (cited-by lists
and PageRank stay). The store's rankings and counts of the claims' themes are updated in place, and the
pages of the claims' works and themes rendered anew; works.html and the map have their numbers spliced
in. Anything beyond is a whole build. The outputs are the bytes a build from nothing gives: tests build
both and compare them.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
import pyoxigraph as ox

from litgraph.checks import resolve_themes
from litgraph.lookup import ThemeLookup
from litgraph.model import Claim, Theme
from litgraph.namespaces import CITO, DCTERMS, LG, XSD, mint, unmint
from litgraph.site import THEME_PAGE_WORKS, page_name

if TYPE_CHECKING:
    from litgraph.config import Project
    from litgraph.quick import _Reread, _SitePlan
    from litgraph.quick_contested import Contest

INDEX = ox.NamedNode("urn:litgraph:index")  # store.INDEX_GRAPH
DEFAULT = ox.DefaultGraph()
SOURCE, SUBJECT = ox.NamedNode(DCTERMS + "source"), ox.NamedNode(DCTERMS + "subject")
REPORTED_IN, CITES = ox.NamedNode(LG + "reportedIn"), ox.NamedNode(CITO + "cites")
LINKS = (ox.NamedNode(LG + "disputes"), ox.NamedNode(LG + "supports"))
ON_THEME, RANKING = ox.NamedNode(LG + "onTheme"), ox.NamedNode(LG + "ranking")
COUNTS = ("claimCount", "claimCountWithNarrower", "workCountWithNarrower")
LINK_FIELDS = ("supports", "disputes")
FIELDS = ("id", "source", "reported_in", "themes", "supports", "disputes", "question", "stance", "text", "lang",
          "locator", "evidence")  # fmt: skip


@dataclass
class Change:
    """The claims before and after the edit, themes resolved: `before` those removed or changed (as the last
    build had them), `after` those added or changed."""

    before: dict[str, Claim]
    after: dict[str, Claim]
    themes: dict[str, Theme]
    ancestors: dict[str, set[str]] = field(default_factory=dict)  # each theme with its broader ones
    rankings: dict[str, list[str]] = field(default_factory=dict)  # theme -> its ranking's lines (store.py)
    direct: dict[str, int] = field(default_factory=dict)  # theme -> claims on it (claimCount), as now
    pairs: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)  # work -> its themes before, now
    contest: Contest | None = None  # the contested groups it forms again (quick_contested.py), if any
    # claims whose links alone changed (disputes, supports): no count, ranking or page but the contested
    # groups' shows them otherwise, so they are kept out of `before` and `after` (id -> before, after)
    relinked: dict[str, tuple[Claim, Claim]] = field(default_factory=dict)
    graph: Any = None  # the queries.Graph it was planned with, if one (its themes serve again)
    # citations (citing, cited) the network gains or loses with the change (quick_citations.py)
    cites_added: set[tuple[str, str]] = field(default_factory=set)
    cites_removed: set[tuple[str, str]] = field(default_factory=set)

    def cited(self) -> set[str]:
        """The works whose citations come or go (either side)."""
        return {k for pair in self.cites_added | self.cites_removed for k in pair}

    def linked_before(self) -> dict[str, Claim]:
        """Every claim removed or changed, as the last build had it."""
        return {**self.before, **{k: was for k, (was, _) in self.relinked.items()}}

    def linked_after(self) -> dict[str, Claim]:
        """Every claim added or changed, as it is now."""
        return {**self.after, **{k: now for k, (_, now) in self.relinked.items()}}

    def claims(self) -> list[tuple[Claim, int]]:
        """Each claim removed (-1) or added (+1)."""
        return [(c, -1) for c in self.before.values()] + [(c, 1) for c in self.after.values()]

    def closure(self, claim: Claim) -> set[str]:
        return set().union(*(self.ancestors[t] for t in claim.themes))

    def works(self) -> set[str]:
        """The works whose pages show claims that changed (as their source, or as where they were read)."""
        return {k for c, _ in self.claims() for k in (c.source, c.reported_in) if k} | self.cited()

    def ranked_themes(self) -> set[str]:
        """The themes whose rankings and counts change: the claims' themes, and the broader ones."""
        return set().union(*(self.closure(c) for c, _ in self.claims()))

    def page_themes(self) -> set[str]:
        """The themes whose pages change: those ranked anew, and those whose contested lists change."""
        contested = self.contest.themes if self.contest is not None else set()
        return self.ranked_themes() | set(self.rankings) | contested


def plan_change(project: Project, reread: list[_Reread], themes: dict[str, Theme]) -> Change | None:
    """The change, if it is one a quick build can take (see the module's notes); else None. Checked against
    the store as the last build left it."""
    from litgraph.store import open_store

    lookup = ThemeLookup(themes)
    old = {c.id: c for found in reread for c in found.before}
    new = {c.id: c for found in reread for c in found.claims}
    change = Change({}, {}, themes)
    # the claims of items read anew, and those gone or new (any other item is as the last build read it)
    candidates = {i for found in reread for i in found.reparsed} | (old.keys() ^ new.keys())
    for claim_id in sorted(candidates):
        was, now = old.get(claim_id), new.get(claim_id)
        if was is not None and now is not None and was.path == now.path and _same(was, now):
            continue
        for claim, side in ((was, change.before), (now, change.after)):
            if claim is None:
                continue
            resolved, unknown = resolve_themes(lookup, claim.themes)
            if unknown or not 1 <= len(resolved) <= 5 or claim.id in (*claim.supports, *claim.disputes):
                return None  # (a whole build reports it)
            side[claim_id] = dataclasses.replace(claim, themes=resolved)
    for theme_id in themes:
        change.ancestors[theme_id] = _broader(themes, theme_id)
    store = open_store(project)
    base = project.base_iri

    def iri(kind: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(mint(base, kind, local))

    claims_at = mint(base, "claim", "")

    for claim_id in change.before.keys() & change.after.keys():
        was, now = change.before[claim_id], change.after[claim_id]
        if was.path == now.path and all(getattr(was, f) == getattr(now, f) for f in FIELDS if f not in LINK_FIELDS):
            change.relinked[claim_id] = change.before.pop(claim_id), change.after.pop(claim_id)
    gone = change.before.keys() - change.after.keys()
    for claim_id in gone:  # nothing links to a claim that goes
        if any(next(store.quads_for_pattern(None, p, iri("claim", claim_id), DEFAULT), None) for p in LINKS):
            return None
    for claim_id in change.after.keys() - change.before.keys():  # a new id: not one another file holds
        if next(store.quads_for_pattern(iri("claim", claim_id), None, None, DEFAULT), None) is not None:
            return None
    for claim in change.linked_after().values():  # each link to a claim there is, each question one there is
        for other in (*claim.supports, *claim.disputes):
            there = other in change.after or (
                other not in gone and next(store.quads_for_pattern(iri("claim", other), None, None, DEFAULT), None)
            )
            if not there:
                return None
        if (
            claim.question
            and next(store.quads_for_pattern(iri("question", claim.question), None, None, DEFAULT), None) is None
        ):
            return None
    # every work keeps its themes, and every citation from a claim stays (none comes or goes)
    for key in {c.source for c, _ in change.claims()}:
        themes_of: Counter[str] = Counter()
        read_in: Counter[str] = Counter()
        for quad in store.quads_for_pattern(None, SOURCE, iri("work", key), DEFAULT):
            if not quad.subject.value.startswith(claims_at):  # type: ignore[union-attr]
                continue  # (only claims)
            for found in store.quads_for_pattern(quad.subject, SUBJECT, None, DEFAULT):
                themes_of[_local(base, found.object)] += 1
            for found in store.quads_for_pattern(quad.subject, REPORTED_IN, None, DEFAULT):
                read_in[_local(base, found.object)] += 1
        was_themes, was_read_in = {t for t in themes_of if themes_of[t]}, {r for r in read_in if read_in[r]}
        for claim, step in change.claims():
            if claim.source == key:
                themes_of.update({t: step for t in set(claim.themes)})
                if claim.reported_in and claim.reported_in != key:
                    read_in[claim.reported_in] += step
        read_in.pop(key, None)
        now_themes, now_read_in = {t for t in themes_of if themes_of[t] > 0}, {r for r in read_in if read_in[r] > 0}
        if now_themes != was_themes:  # the work's edges to themes on the map change
            change.pairs[key] = (was_themes, now_themes)
        change.cites_removed.update((reporter, key) for reporter in (was_read_in - {key}) - now_read_in)
        for reporter in now_read_in - was_read_in:  # a citation from a claim: new, unless the graph has it
            if next(store.quads_for_pattern(iri("work", reporter), CITES, iri("work", key), DEFAULT), None) is None:
                change.cites_added.add((reporter, key))
    if change.cites_removed:  # (one a citation file gives stays)
        from litgraph.quick_citations import from_files

        change.cites_removed -= from_files(project)
    _rank(change, store, base)
    if _contested(change, store, base):
        from litgraph.queries import Graph
        from litgraph.quick_contested import plan_contest

        change.graph = Graph(store, base)
        change.contest = plan_contest(store, change.graph, change, base)
        if change.contest is None:
            return None
    return change


def _contested(change: Change, store: ox.Store, base: str) -> bool:
    """Whether the edit may change contested groups: a claim that disputes, or takes a stance on a question,
    before or after, or that is in a group (disputed by another)."""
    from litgraph.store import groups_of

    if any(
        c.disputes or c.question or c.stance
        for c in (*change.linked_before().values(), *change.linked_after().values())
    ):
        return True
    return bool(groups_of(store, base, change.linked_before().keys()))


def _same(was: Claim, now: Claim) -> bool:
    return all(getattr(was, f) == getattr(now, f) for f in FIELDS)


def _broader(themes: dict[str, Theme], theme_id: str) -> set[str]:
    """The theme and every broader one."""
    found, todo = {theme_id}, [theme_id]
    while todo:
        for broader in themes[todo.pop()].broader:
            if broader in themes and broader not in found:
                found.add(broader)
                todo.append(broader)
    return found


def _local(base: str, node: Any) -> str:
    minted = unmint(base, node.value) if isinstance(node, ox.NamedNode) else None
    return minted[1] if minted else str(node)


def _rank(change: Change, store: ox.Store, base: str) -> None:
    """The rankings and direct counts of the changed themes, as the change leaves them (see store.py's
    _ranking_quads and _count_quads: the same order and numbers). A ranking's lines are moved, not parsed:
    a broad theme ranks tens of thousands of works, of which the change moves a few."""
    from litgraph.quick_citations import cite_deltas, ranked_on

    per_theme: dict[str, Counter[str]] = {t: Counter() for t in change.ranked_themes()}
    direct: Counter[str] = Counter()
    for claim, step in change.claims():
        for theme in change.closure(claim):
            per_theme[theme][claim.source] += step
        for theme in set(claim.themes):
            direct[theme] += step
    citing_deltas = cite_deltas(change)  # a cited work's line moves in every ranking it is in
    for key, themes in ranked_on(store, base, {k for k, n in citing_deltas.items() if n}).items():
        for theme in themes:
            per_theme.setdefault(theme, Counter()).setdefault(key, 0)  # (its line is looked at)
    cited: dict[str, int] = {}
    for theme, deltas in per_theme.items():
        node = ox.NamedNode(mint(base, "theme", theme))
        found = next(store.quads_for_pattern(node, RANKING, None, INDEX), None)
        lines = str(found.object.value).split("\n") if found is not None else []  # type: ignore[union-attr]
        for key, step in sorted(deltas.items()):
            if not step and not citing_deltas[key]:
                continue
            at = next((i for i, line in enumerate(lines) if line.startswith(key + "\t")), None) if lines else None
            if at is not None:
                _, n, citing = lines.pop(at).split("\t")
                counts = [int(n) + step, int(citing) + citing_deltas[key]]
            else:
                if key not in cited:
                    work = ox.NamedNode(mint(base, "work", key))
                    cited[key] = len({q.subject for q in store.quads_for_pattern(None, CITES, work, DEFAULT)})
                counts = [step, cited[key] + citing_deltas[key]]
            if counts[0] > 0:
                bisect.insort(lines, f"{key}\t{counts[0]}\t{counts[1]}", key=_rank_key)
        change.rankings[theme] = lines
    for theme in direct:
        node = ox.NamedNode(mint(base, "theme", theme))
        found = next(store.quads_for_pattern(node, ox.NamedNode(LG + "claimCount"), None, INDEX), None)
        change.direct[theme] = (int(found.object.value) if found is not None else 0) + direct[theme]  # type: ignore[union-attr]


def _rank_key(line: str) -> tuple[int, int, str]:
    """A ranking line's place: most claims first, then most cited, then key."""
    key, n, citing = line.split("\t")
    return -int(n), -int(citing), key


def update_index(project: Project, change: Change, store: ox.Store, views: dict[str, str]) -> None:
    """The store's index graph as a whole build would write it after the change: each claim's themes with
    the broader ones, the rankings and counts of the changed themes, and (citations changed) every work's
    PageRank (`views`: the store record's digests of the views' inputs)."""
    base = project.base_iri
    for claim_id in change.before:
        for quad in list(store.quads_for_pattern(ox.NamedNode(mint(base, "claim", claim_id)), ON_THEME, None, INDEX)):
            store.remove(quad)
    for claim in change.after.values():
        node = ox.NamedNode(mint(base, "claim", claim.id))
        for theme in sorted(change.closure(claim)):
            store.add(ox.Quad(node, ON_THEME, ox.NamedNode(mint(base, "theme", theme)), INDEX))
    xsd_integer = ox.NamedNode(XSD + "integer")
    claims_with_narrower: Counter[str] = Counter()
    for claim, step in change.claims():
        for theme in change.closure(claim):
            claims_with_narrower[theme] += step
    for theme, lines in change.rankings.items():
        node = ox.NamedNode(mint(base, "theme", theme))
        counts = dict.fromkeys(COUNTS, 0)
        for quad in list(store.quads_for_pattern(node, None, None, INDEX)):
            name = quad.predicate.value[len(LG) :] if quad.predicate.value.startswith(LG) else ""
            if name in COUNTS:
                counts[name] = int(quad.object.value)  # type: ignore[union-attr]
            if quad.predicate == RANKING or name in COUNTS:
                store.remove(quad)
        counts["claimCount"] = change.direct.get(theme, counts["claimCount"])  # (as it was: only broader)
        counts["claimCountWithNarrower"] += claims_with_narrower[theme]
        counts["workCountWithNarrower"] = len(lines)
        if lines:
            store.add(ox.Quad(node, RANKING, ox.Literal("\n".join(lines)), INDEX))
        for name in COUNTS:
            value = ox.Literal(str(counts[name]), datatype=xsd_integer)
            store.add(ox.Quad(node, ox.NamedNode(LG + name), value, INDEX))
    if change.contest is not None:
        from litgraph.quick_contested import write_contest

        write_contest(store, change.contest, base)
    if change.cites_added or change.cites_removed:
        from litgraph.quick_citations import update_importance

        update_importance(project, change, store, views)


def affected_pages(change: Change, index: dict[str, Any]) -> set[str] | None:
    """The pages to render anew: the changed claims' works' and themes' (None: the map is not folded, so
    claims are nodes of their own, or a claim is shown where this patch does not reach)."""
    from litgraph.mapview import SPRING_LIMIT

    if not index.get("folded"):
        return None
    moved = len(change.pairs.keys() | change.cited())
    if moved and index.get("placed", 0) <= SPRING_LIMIT + moved:
        return None  # a small map is relaxed as a whole: a new edge moves every node
    pages = {f"works/{page_name(k)}" for k in change.works()}
    pages |= {f"themes/{page_name(t)}" for t in change.page_themes()}
    for claim_id in change.before:
        if not set(index["claim_pages"].get(claim_id, [])) <= pages:
            return None
    return pages


def apply_site(project: Project, plan: _SitePlan, change: Change) -> None:
    """The site as a whole build would write it after the change (see the module's notes)."""
    from litgraph.mapview import claim_on_map, theme_size, work_size
    from litgraph.queries import Graph, shown_groups
    from litgraph.quick import _splice_map, _write_pages
    from litgraph.site import (
        PAGES_RECORD,
        claim_rows,
        load_context,
        save_contexts,
        save_page_records,
        shard_of,
    )
    from litgraph.store import open_store

    contexts = {name: load_context(name, plan.contexts[name]) for name in plan.affected}
    work_pages = {k: contexts[f"works/{page_name(k)}"] for k in change.works()}
    works = {k: context["work"] for k, context in work_pages.items()}
    gone = change.before.keys()
    cited_before = {k: bool(work_pages[k]["cites"] or work_pages[k]["cited_by"]) for k in work_pages}
    _recite(change, work_pages)
    for key, context in work_pages.items():
        for name, field_name in (("claims", "source"), ("reported", "reported_in")):
            rows = [r for r in context[name] if r["id"] not in gone]
            rows += [c.row(works) for c in change.after.values() if getattr(c, field_name) == key]
            context[name] = sorted(rows, key=lambda r: r["id"])
    # theme pages: the works first in the new ranking, each with its claims on the theme
    sources = {c.source for c, _ in change.claims()}
    known = change.graph.themes if change.graph is not None else None
    contest, graph = change.contest, Graph(open_store(project), project.base_iri, known)
    for theme in sorted(change.page_themes()):
        name = f"themes/{page_name(theme)}"
        context = contexts[name]
        before = {row["id"] for row in claim_rows(context)}
        if contest is not None and theme in contest.themes:
            groups, context["groups_total"] = contest.pages[theme]
            context["groups"] = shown_groups(graph, groups, contest.rows)
        if theme in change.rankings:
            _rerank(project, change, theme, context, work_pages, sources)
        now = {row["id"] for row in claim_rows(context)}
        for claim_id in before - now:
            plan.index["claim_pages"][claim_id] = [p for p in plan.index["claim_pages"].get(claim_id, []) if p != name]
        for claim_id in sorted(now - before):
            plan.index["claim_pages"].setdefault(claim_id, []).append(name)
    for claim_id in gone - change.after.keys():
        plan.index["claim_pages"].pop(claim_id, None)
    contexts["themes.html"] = {"tree": _theme_tree(graph)}
    _write_pages(project, plan, contexts)
    del contexts["themes.html"], plan.contexts["themes.html"]  # (its context shows no claims: not kept)
    save_contexts(project.state_dir, plan.contexts, only={shard_of(n) for n in plan.affected})
    _splice_works_listing(project, plan, {k: len(work_pages[k]["claims"]) for k in sources})
    if contest is not None:  # contested.html: the groups formed anew rendered, the others copied
        from litgraph.quick import _splice_contested
        from litgraph.site import group_sections

        fresh = list(contest.formed.values())
        sections = dict(zip(contest.formed, group_sections(shown_groups(graph, fresh, contest.rows)), strict=True))
        _splice_contested(project, plan, contest.order, sections)

    edges, moved, works_on = _relink(project, plan, change, work_pages, cited_before)

    def edit(key: str, value: Any) -> Any:
        node = key.lstrip("#")
        if key == "@edges":
            return edges
        if node.startswith("t:"):
            n = change.direct[node[2:]]
            if key.startswith("#"):
                value["size"] = theme_size(n)
            else:
                value["claims"] = n
                value["works"] += works_on[node[2:]]
        else:
            page = work_pages[node[2:]]
            claims, cited = page["claims"], len(page["cited_by"])
            if key.startswith("#"):
                value["size"] = work_size(len(claims), cited)
                value["x"], value["y"] = moved.get(node, (value["x"], value["y"]))
            else:
                value["themes"] = sorted({t for c in claims for t in c["themes"]})
                value["claims"] = [claim_on_map(c) for c in claims]
                value["cited_by"] = cited
        return value

    nodes = [f"t:{t}" for t in change.direct] + [f"w:{k}" for k in sorted(sources | change.cited())]
    _splice_map(project, plan, nodes + ["#" + n for n in nodes] + (["@edges"] if edges is not None else []), edit)
    save_page_records(project.site_dir, project.state_dir / PAGES_RECORD, plan.pages, plan.index)


def _rerank(
    project: Project,
    change: Change,
    theme: str,
    context: dict[str, Any],
    work_pages: dict[str, dict[str, Any]],
    sources: set[str],
) -> None:
    """A theme page's works as its new ranking has them: the first THEME_PAGE_WORKS, each with its claims on
    the theme (`work_pages`: the contexts of the works' pages, as the change leaves them)."""
    from litgraph.site import load_context, load_contexts

    lines = change.rankings[theme]
    subtree = set(ThemeLookup(change.themes).with_narrower(theme))
    shown = {entry["work"]["key"]: entry for entry in context["works"]}
    top = [line.split("\t", 1)[0] for line in lines[:THEME_PAGE_WORKS]]
    missing = [k for k in top if k not in shown and k not in work_pages]
    more = load_contexts(project.state_dir, [f"works/{page_name(k)}" for k in missing]) if missing else {}
    for key in missing:
        work_pages[key] = load_context(f"works/{page_name(key)}", (more or {})[f"works/{page_name(key)}"])
    entries = []
    for key in top:
        if key in shown and key not in sources:
            entries.append(shown[key])
            continue
        page = work_pages[key]
        entries.append({"work": page["work"], "claims": [r for r in page["claims"] if subtree & set(r["themes"])]})
    context["works"], context["works_total"] = entries, len(lines)


def _recite(change: Change, work_pages: dict[str, dict[str, Any]]) -> None:
    """The pages of works whose citations come or go: their lists of citing and cited works, as
    render_site makes them (keys sorted), and the short citations those name."""
    for citing, cited in sorted(change.cites_added | change.cites_removed):
        for key, name, other in ((citing, "cites", cited), (cited, "cited_by", citing)):
            keys = set(work_pages[key][name])
            if (citing, cited) in change.cites_added:
                keys.add(other)
            else:
                keys.discard(other)
            work_pages[key][name] = sorted(keys)
    for key in change.cited():
        context = work_pages[key]
        known = {**context["citations"], **{k: work_pages[k]["work"]["citation"] for k in change.cited()}}
        context["citations"] = {k: known[k] for k in [*context["cites"], *context["cited_by"]] if k in known}


def _relink(
    project: Project,
    plan: _SitePlan,
    change: Change,
    work_pages: dict[str, dict[str, Any]],
    cited_before: dict[str, bool],
) -> tuple[Any, dict[str, tuple[float, float]], Counter[str]]:
    """Where works were given a theme they had no claim on, or lost their last claim on one, or citations
    came or went: the map's edges as map_data would make them, the new places of those works (see
    mapview._layout), and by how many works each theme's count changes. `cited_before`: whether each
    work had citations (either way) before the change."""
    from litgraph.mapview import EDGES, anchored_position, layout_scale, loose_position, theme_position

    works_on: Counter[str] = Counter()
    if not change.pairs and not change.cited():
        return None, {}, works_on
    offsets = plan.index["offsets"]
    with (project.site_dir / "index.html").open("rb") as handle:
        begin, end = offsets["@edges"]
        handle.seek(begin)
        edges: Any = handle.read(end - begin)
    if change.cited():  # spliced into the edges' JSON as it stands (600,000 edges at 100k works)
        edges = _splice_citations(edges, change)
    if change.pairs:  # works' edges to themes: after the citations, in (work, theme) order

        def order(edge: dict[str, Any]) -> tuple[str, str]:
            return edge["from"][2:], edge["to"][2:]

        touched = {"w:" + key for key in change.pairs}
        edges = [e for e in orjson.loads(edges) if not (e["kind"] == "theme" and e["from"] in touched)]
        first = next((i for i, e in enumerate(edges) if e["kind"] == "theme"), len(edges))
        for key, (was, now) in sorted(change.pairs.items()):
            for theme in sorted(now):
                edge = {"from": "w:" + key, "to": "t:" + theme, "kind": "theme", **EDGES["theme"]}
                bisect.insort(edges, edge, lo=first, key=order)
            works_on.update({t: 1 for t in now - was})
            works_on.update({t: -1 for t in was - now})
    themes = [k[3:] for k in offsets if k.startswith("#t:")]  # in id order, as the nodes are
    nodes = sum(1 for k in offsets if k.startswith("#"))
    scale = layout_scale(nodes)
    circle = {t: theme_position(i, len(themes), scale) for i, t in enumerate(themes)}
    moved = {}
    for key in sorted(change.pairs.keys() | change.cited()):
        if key in change.pairs:
            was, now = change.pairs[key]
        else:  # (its themes stay)
            was = now = {t for c in work_pages[key]["claims"] for t in c["themes"]}
        node, cited = "w:" + key, bool(work_pages[key]["cites"] or work_pages[key]["cited_by"])  # (its other edges)
        if key not in change.pairs and bool(now or cited) == bool(was or cited_before[key]):
            continue  # linked as before, to the same themes: where it was
        if now or cited:
            x, y = anchored_position(node, [circle[t] for t in sorted(now)], scale)
        else:
            x, y = loose_position(node, nodes, scale)
        moved[node] = (round(x, 1), round(y, 1))
        plan.index["placed"] += bool(now or cited) - bool(was or cited_before[key])
    return edges, moved, works_on


EDGE = re.compile(rb'"from":"w:([^"]*)","to":"w:([^"]*)","kind":"(\w+)"')


def _splice_citations(edges: bytes, change: Change) -> bytes:
    """The map's edges (their JSON, as script_json wrote them) with the change's citations added and
    removed, in their place: the citations come first, in pair order, as map_data makes them. Where is
    found by a binary search over the bytes (edges are cut at "},{": no key or theme holds a brace),
    reading a few dozen of the 600,000 edges at 100k works, not parsing them."""
    from litgraph.mapview import EDGES, script_json

    def start_from(data: bytes, pos: int) -> int:  # where the first edge at or after `pos` begins
        if pos <= 2:
            return 2 if len(data) > 2 else len(data)
        at = data.find(b"},{", pos - 3)
        return at + 3 if at >= 0 else len(data)

    def key_at(data: bytes, start: int) -> tuple[bool, str, str]:
        found = EDGE.match(data, start)
        if found is None or found.group(3) != b"cites":
            return True, "", ""  # (after every citation)
        return False, found.group(1).decode("utf-8"), found.group(2).decode("utf-8")

    def first_not_before(data: bytes, target: tuple[bool, str, str]) -> int:
        lo, hi = start_from(data, 0), len(data)  # the answer: an edge's start in [lo, hi], or the end
        while lo < hi:
            mid = start_from(data, (lo + hi) // 2)
            if mid >= hi:  # no edge begins between the middle and hi: step on from lo
                if key_at(data, lo) >= target:
                    return lo
                lo = start_from(data, lo + 1)
            elif key_at(data, mid) < target:
                lo = start_from(data, mid + 1)
            else:
                hi = mid
        return lo

    for citing, cited in sorted(change.cites_added | change.cites_removed):
        target = (False, citing, cited)
        at = first_not_before(edges, target)
        there = at < len(edges) and key_at(edges, at) == target
        if (citing, cited) in change.cites_removed:
            if there:
                end = edges.index(b"}", at)  # the edge is edges[at:end]
                if at == 2 and end + 2 == len(edges):
                    edges = b"[]"  # (the only edge)
                elif end + 2 == len(edges):
                    edges = edges[: at - 3] + edges[end:]  # (the last: its "},{" before it goes)
                else:
                    edges = edges[:at] + edges[end + 3 :]
        elif not there:
            body = script_json({"from": "w:" + citing, "to": "w:" + cited, "kind": "cites", **EDGES["cites"]})
            if len(edges) <= 2:
                edges = b"[" + body + b"]"
            elif at >= len(edges):
                edges = edges[:-2] + b"},{" + body[1:-1] + b"}]"
            else:
                edges = edges[:at] + body[1:-1] + b"},{" + edges[at:]
    return edges


def _theme_tree(graph: Any) -> list[dict[str, Any]]:
    from litgraph.queries import theme_tree

    return theme_tree(graph)


def _splice_works_listing(project: Project, plan: _SitePlan, claims: dict[str, int]) -> None:
    """works.html with these works' numbers of claims; recorded with no digest, so that the next whole
    build renders it again rather than trust a page it did not render."""
    from litgraph.rdfio import atomic_file

    path = project.site_dir / "works.html"
    page = path.read_bytes()
    parts, at = [], 0
    for key, n in sorted(claims.items(), key=lambda item: page.find(_link(item[0]))):
        start = page.find(_link(key))
        count = re.compile(rb'<span class="count">\d+ claims</span>').search(page, start) if start >= 0 else None
        if count is None:
            raise ValueError(f"works.html does not list {key!r}")
        parts += [page[at : count.start()], f'<span class="count">{n} claims</span>'.encode()]
        at = count.end()
    parts.append(page[at:])
    with atomic_file(path) as handle:
        handle.writelines(parts)
    stat = path.stat()
    plan.pages["works.html"] = ["", stat.st_size, stat.st_mtime_ns]


def _link(key: str) -> bytes:
    return f'<a href="works/{page_name(key)}">'.encode()
