"""Quick builds, continued: disputes, questions and stances edited (see quick_claims.py).

An edit that links claims by `disputes` or unlinks them, or gives a claim a question or stance, changes
the contested groups that hold those claims (contestation.py) and nothing else a whole build computes
from every claim. Here those groups are formed again from the claims they hold, as the edit leaves them
(the last build's from the store, the edited ones as read), and put in place in the ranking of all
groups. The store's view is written again from the first chunk that changed; contested.html gets the new
groups' sections, with the others copied around them; and the theme pages whose contested lists change
are rendered again from their contexts. The outputs are the bytes a whole build writes: tests compare.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
import pyoxigraph as ox

from litgraph.contestation import dispute_groups, group_key, members, question_groups
from litgraph.namespaces import LG, mint, unmint

if TYPE_CHECKING:
    from litgraph.queries import Graph
    from litgraph.quick_claims import Change

INDEX = ox.NamedNode("urn:litgraph:index")  # store.INDEX_GRAPH
DEFAULT = ox.DefaultGraph()
DISPUTES, ON_QUESTION = ox.NamedNode(LG + "disputes"), ox.NamedNode(LG + "onQuestion")


@dataclass(frozen=True)
class _Party:
    """A claim as contestation.py sees it."""

    id: str
    source: str
    themes: tuple[str, ...]
    disputes: tuple[str, ...] = ()
    question: str | None = None
    stance: str | None = None


@dataclass
class Contest:
    """The contested groups the edit forms again, and what of the store's view and the site changes."""

    order: list[str]  # every group's key, ranked, as the edit leaves them
    removed: dict[str, dict[str, Any]]  # key -> a group the edit undoes (formed again, or gone)
    formed: dict[str, dict[str, Any]]  # key -> a group formed anew
    rows: dict[str, dict[str, Any]]  # claim -> its row: the formed groups' claims, and those pages show
    chunks: dict[int, str] = field(default_factory=dict)  # the ranking's chunks to write (JSON)
    dropped: list[int] = field(default_factory=list)  # chunks no longer needed
    ranks: dict[str, str | None] = field(default_factory=dict)  # theme -> its ranks (None: it has none now)
    themes: set[str] = field(default_factory=set)  # the themes whose pages' contested lists change
    pages: dict[str, tuple[list[dict[str, Any]], int]] = field(default_factory=dict)  # theme -> shown, total


def plan_contest(store: ox.Store, graph: Graph, change: Change, base: str) -> Contest | None:
    """The groups `change` forms again, and the ranking's chunks, the themes' ranks and the theme pages that
    change; None when a quick build cannot take it (a link to a claim that is not there, a question that
    is not: a whole build reports them)."""
    from litgraph.site import THEME_PAGE_GROUPS
    from litgraph.store import (
        CLAIM_ROWS,
        CONTESTED,
        CONTESTED_CHUNK,
        GROUP,
        RANKING_CHUNK,
        RANKS,
        entry_key,
        entry_rank,
        group_node,
        groups_of,
        node_key,
        ranking_entry,
        view_json,
    )

    def claim_node(claim_id: str) -> ox.NamedNode:
        return ox.NamedNode(mint(base, "claim", claim_id))

    def local(node: Any) -> str | None:
        minted = unmint(base, node.value) if isinstance(node, ox.NamedNode) else None
        return minted[1] if minted else None

    def stored(key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """A group and its claims' rows, as the store has them."""
        found = {q.predicate: q.object.value for q in store.quads_for_pattern(group_node(key), None, None, INDEX)}  # type: ignore[union-attr]
        if GROUP not in found or CLAIM_ROWS not in found:
            return None
        return orjson.loads(found[GROUP]), orjson.loads(found[CLAIM_ROWS])

    texts: dict[int, str] = {}  # the ranking's chunks (JSON), as the store has them
    for quad in store.quads_for_pattern(None, RANKING_CHUNK, None, INDEX):
        texts[int(quad.subject.value[len(CONTESTED) :])] = str(quad.object.value)  # type: ignore[union-attr]
    if sorted(texts) != list(range(len(texts))):
        return None
    before = [tuple(e) for n in range(len(texts)) for e in orjson.loads(texts[n])]
    keys_before = [entry_key(e) for e in before]
    rank_of = {key: rank for rank, key in enumerate(keys_before)}
    was, now_claims = change.linked_before(), change.linked_after()
    edited = was.keys() | now_claims.keys()
    gone = was.keys() - now_claims.keys()
    removed: dict[str, dict[str, Any]] = {}
    old_rows: dict[str, dict[str, Any]] = {}

    def undo(nodes: Iterable[ox.NamedNode], kind: str | None = None) -> bool:
        for node in nodes:
            key = node_key(node)
            if key in removed or (kind is not None and not key.startswith(kind + ":")):
                continue
            found = stored(key)
            if found is None or key not in rank_of:
                return False
            removed[key] = found[0]
            old_rows.update(found[1])
        return True

    if not undo(groups_of(store, base, edited)):  # the groups that hold edited claims
        return None

    # the disputes as the edit leaves them: the edited claims' links as read, the others' from the store
    linked_by: dict[str, set[str]] = {}
    for claim in now_claims.values():
        for other in claim.disputes:
            linked_by.setdefault(other, set()).add(claim.id)

    made: dict[str, tuple[str, ...]] = {}  # claim -> the claims it disputes, after the edit

    def links(claim_id: str) -> set[str] | None:
        """The claims `claim_id` disputes or is disputed by, after the edit (None: a link to nothing).
        (Links to claims that are not there: plan_change refuses the edited claims', and the last build
        had none.)"""
        node = claim_node(claim_id)
        if claim_id in now_claims:
            out = tuple(now_claims[claim_id].disputes)
        else:
            out = tuple(sorted(local(q.object) or "" for q in store.quads_for_pattern(node, DISPUTES, None, DEFAULT)))
        found = set(out) | linked_by.get(claim_id, set())
        for quad in store.quads_for_pattern(None, DISPUTES, node, DEFAULT):
            other = local(quad.subject)
            if other is not None and other not in edited:
                found.add(other)
        if "" in found or found & gone:
            return None
        made[claim_id] = out
        return found

    todo = (edited | set(members(g for g in removed.values() if g["kind"] == "dispute"))) - gone
    closure: dict[str, set[str]] = {}
    while todo:
        claim_id = todo.pop()
        found = links(claim_id)
        if found is None:
            return None
        closure[claim_id] = found
        todo.update(found - closure.keys())
    # the dispute groups the links now reach (one a new link joins to another, say): formed again too
    if not undo(groups_of(store, base, closure), "dispute"):
        return None
    # the questions the edit touches, each with every claim that takes a stance on it
    questions = {c.question for c in (*was.values(), *now_claims.values()) if c.question}
    questions |= {g["id"] for g in removed.values() if g["kind"] == "question"}
    on_question: set[str] = set()
    for question_id in questions:  # (each one the store has: plan_change refuses others)
        node = ox.NamedNode(mint(base, "question", question_id))
        for quad in store.quads_for_pattern(None, ON_QUESTION, node, DEFAULT):
            member = local(quad.subject)
            if member is not None and member not in edited:
                on_question.add(member)
    if not undo([group_node(f"question:{q}") for q in questions if f"question:{q}" in rank_of]):
        return None
    on_question |= {c.id for c in now_claims.values() if c.question in questions}

    # the rows and parties of every claim in the groups formed again
    unchanged = sorted((closure.keys() | on_question) - now_claims.keys())
    rows = {c: old_rows[c] for c in unchanged if c in old_rows}
    rows.update(graph.claim_rows([c for c in unchanged if c not in old_rows]))
    if any("text" not in rows[c] for c in unchanged):
        return None
    works = graph.citations(sorted({k for c in now_claims.values() for k in (c.source, c.reported_in) if k}))
    for edit in now_claims.values():
        if edit.id in closure or edit.id in on_question:
            rows[edit.id] = edit.row(works)
    parties = {
        c: _Party(c, row["source"], tuple(row["themes"]), made.get(c, ()), row["question"], row["stance"])
        for c, row in rows.items()
    }
    formed_groups = dispute_groups({c: parties[c] for c in closure}, change.ancestors)
    formed_groups += question_groups({c: parties[c] for c in on_question}, change.ancestors)
    formed = {group_key(g): g for g in formed_groups}

    # the ranking as the edit leaves it
    undone = {rank_of[k] for k in removed}
    after = [e for rank, e in enumerate(before) if rank not in undone]
    for group in formed_groups:
        bisect.insort(after, ranking_entry(group), key=entry_rank)
    order = [entry_key(e) for e in after]
    if len(set(order)) != len(order) or len(formed) != len(formed_groups):
        return None  # two groups alike by key: a whole build ranks them
    contest = Contest(order, removed, formed, {c: rows[c] for c in members(formed_groups)})
    same = (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b)  # (sources too)
    first = next(same, min(len(before), len(after)))
    chunk = CONTESTED_CHUNK
    for n in range(first // chunk, (len(after) + chunk - 1) // chunk):
        text = view_json(after[n * chunk : (n + 1) * chunk])
        if text != texts.get(n):
            contest.chunks[n] = text
    contest.dropped = list(range((len(after) + chunk - 1) // chunk, len(texts)))

    # each theme's ranks (the groups kept move by the groups undone and formed before them)
    rank_now = {key: rank for rank, key in enumerate(order)}
    touched = {t for g in [*removed.values(), *formed_groups] for t in g["themes"]}
    old_ranks: dict[str, list[int]] = {}
    for quad in store.quads_for_pattern(None, RANKS, None, INDEX):
        theme = local(quad.subject)
        if theme is not None:
            old_ranks[theme] = [int(r) for r in quad.object.value.split()]  # type: ignore[union-attr]
    new_ranks: dict[str, list[int]] = {}
    for theme, numbers in old_ranks.items():
        kept = [rank_now[keys_before[r]] for r in numbers if r not in undone]
        new_ranks[theme] = (
            kept
            if theme not in touched
            else sorted(kept + [rank_now[k] for k, g in formed.items() if theme in g["themes"]])
        )
    for theme in touched - old_ranks.keys():
        new_ranks[theme] = sorted(rank_now[k] for k, g in formed.items() if theme in g["themes"])
    for theme in old_ranks.keys() | new_ranks.keys():
        now_text = " ".join(map(str, new_ranks[theme])) if new_ranks.get(theme) else None
        if now_text != (" ".join(map(str, old_ranks[theme])) if theme in old_ranks else None):
            contest.ranks[theme] = now_text

    # the theme pages whose lists change: those whose groups undone or formed touch them
    for theme in touched:
        was_keys = [keys_before[r] for r in old_ranks.get(theme, [])[:THEME_PAGE_GROUPS]]
        now_keys = [order[r] for r in new_ranks.get(theme, [])[:THEME_PAGE_GROUPS]]
        if (
            was_keys != now_keys
            or len(old_ranks.get(theme, [])) != len(new_ranks.get(theme, []))
            or formed.keys() & set(now_keys)
        ):
            contest.themes.add(theme)
            shown = []
            for key in now_keys:
                if key in formed:
                    shown.append(formed[key])
                    continue
                standing = stored(key)
                if standing is None:
                    return None
                shown.append(standing[0])
                contest.rows.update(standing[1])
            contest.pages[theme] = shown, len(new_ranks.get(theme, []))
    return contest


def write_contest(store: ox.Store, contest: Contest, base: str) -> None:
    """The store's view of the contested groups as the edit leaves them (in the store's index graph)."""
    from litgraph.store import CONTESTED, IN_GROUP, RANKING_CHUNK, RANKS, group_node, group_quads

    for key, group in contest.removed.items():
        node = group_node(key)
        for quad in list(store.quads_for_pattern(node, None, None, INDEX)):
            store.remove(quad)
        for claim_id in members([group]):
            store.remove(ox.Quad(ox.NamedNode(mint(base, "claim", claim_id)), IN_GROUP, node, INDEX))
    for group in contest.formed.values():
        store.extend(group_quads(base, group, contest.rows))
    for n in [*contest.chunks, *contest.dropped]:
        node = ox.NamedNode(f"{CONTESTED}{n}")
        for quad in list(store.quads_for_pattern(node, RANKING_CHUNK, None, INDEX)):
            store.remove(quad)
    for n, text in contest.chunks.items():
        store.add(ox.Quad(ox.NamedNode(f"{CONTESTED}{n}"), RANKING_CHUNK, ox.Literal(text), INDEX))
    for theme, ranks in contest.ranks.items():
        node = ox.NamedNode(mint(base, "theme", theme))
        for quad in list(store.quads_for_pattern(node, RANKS, None, INDEX)):
            store.remove(quad)
        if ranks is not None:
            store.add(ox.Quad(node, RANKS, ox.Literal(ranks), INDEX))
