"""Contested groups, formed once per build (when links, stances or the claims in them moved): what
`litgraph contested` ranks.

Two kinds of group: a question on which claims take at least two different stances from at least two
works (the SEPIO / GA4GH evidence-line pattern), and a connected set of `disputes` links between claims,
split into its two sides where the links allow it (a bipartite component), else kept as one side.
Groups are ranked by how many works take part. Each group carries the themes of its claims, broader
themes included, so a theme filter needs no query.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from litgraph.plumbing.statedb import rows_in
from litgraph.s1_read.changes import Changes
from litgraph.s1_read.tables import digest
from litgraph.s4_analyse.rows import ClaimRow

STANCES = ("for", "against", "qualifies")
GROUPS_AT_ONCE = 5000  # an edit whose disputes reach more claims than this has every group formed again
TABLES = (
    # rank: a text that sorts as rank_key does (groups added or gone leave the others' ranks as they are)
    "CREATE TABLE IF NOT EXISTS groups(key TEXT PRIMARY KEY, rank TEXT NOT NULL, body TEXT NOT NULL, digest TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS groups_rank ON groups(rank)",
    "CREATE TABLE IF NOT EXISTS group_members(key TEXT NOT NULL, claim TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS group_members_claim ON group_members(claim)",
    "CREATE INDEX IF NOT EXISTS group_members_key ON group_members(key)",
    "CREATE TABLE IF NOT EXISTS group_themes(key TEXT NOT NULL, theme TEXT NOT NULL, rank TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS group_themes_theme ON group_themes(theme, rank)",
)


class Party(Protocol):
    """A claim as the groups see it (a model.Claim is one; _Party another, read from the tables)."""

    @property
    def id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def themes(self) -> Sequence[str]: ...
    @property
    def disputes(self) -> Sequence[str]: ...
    @property
    def question(self) -> str | None: ...
    @property
    def stance(self) -> str | None: ...


@dataclass
class _Party:
    """A claim as the groups see it."""

    id: str
    source: str
    themes: list[str]
    disputes: list[str]
    question: str | None
    stance: str | None


PARTIES = (
    "SELECT id, source, question, stance FROM claims WHERE (question IS NOT NULL AND stance IS NOT NULL) "
    "OR id IN (SELECT id FROM claim_links WHERE kind = 'disputes') "
    "OR id IN (SELECT other FROM claim_links WHERE kind = 'disputes')"
)


def _parties(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> dict[str, _Party]:
    """These claims (id, source, question, stance), as the groups see them."""
    parties = {i: _Party(i, source, [], [], q, s) for i, source, q, s in rows}
    query = "SELECT id, theme FROM claim_themes WHERE theme IS NOT NULL AND id IN {in} ORDER BY rowid"
    for claim_id, theme in rows_in(db, query, sorted(parties)):  # (by the parties' ids: themes are many more)
        parties[claim_id].themes.append(theme)
    for claim_id, other in rows_in(db, "SELECT id, other FROM claim_links WHERE kind = 'disputes' AND id IN {in}",
                                   sorted(parties)):  # fmt: skip
        parties[claim_id].disputes.append(other)
    return parties


def _ancestors(db: sqlite3.Connection) -> dict[str, set[str]]:
    ancestors: dict[str, set[str]] = defaultdict(set)
    for theme, ancestor in db.execute("SELECT theme, ancestor FROM theme_closure"):
        ancestors[theme].add(ancestor)
    return ancestors


def contested_groups(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every contested group, most works taking part first: {kind, id, sources, sides: [[stance, [claim
    ids]]], links: [[a, b]] (disputes), themes: [theme ids, broader included]}."""
    ancestors, parties = _ancestors(db), _parties(db, db.execute(PARTIES).fetchall())
    groups = question_groups(parties, ancestors) + dispute_groups(parties, ancestors)
    groups.sort(key=rank_key)
    return groups


def groups_around(
    db: sqlite3.Connection, claims: set[str], questions: set[str]
) -> tuple[list[dict[str, Any]], set[str]] | None:
    """The groups of these questions and those whose disputes reach these claims, formed from the tables,
    and the claims reached (None: the disputes reach too many; form them all)."""
    reached, frontier = set(claims), set(claims)
    while frontier:  # the claims linked to them by disputes, either way, and so on
        query = "SELECT other FROM claim_links WHERE kind = 'disputes' AND id IN {in} " \
                "UNION SELECT id FROM claim_links WHERE kind = 'disputes' AND other IN {in}"  # fmt: skip
        frontier = {c for (c,) in rows_in(db, query, sorted(frontier))} - reached
        reached |= frontier
        if len(reached) > GROUPS_AT_ONCE:
            return None
    rows = {
        r[0]: r
        for r in rows_in(db, "SELECT id, source, question, stance FROM claims WHERE id IN {in}", sorted(reached))
    }
    query = "SELECT id, source, question, stance FROM claims WHERE stance IS NOT NULL AND question IN {in}"
    rows.update((r[0], r) for r in rows_in(db, query, sorted(questions)))
    parties, ancestors = _parties(db, list(rows.values())), _ancestors(db)
    by_question = {i: p for i, p in parties.items() if p.question in questions}
    disputing = {i: p for i, p in parties.items() if i in reached}
    return question_groups(by_question, ancestors) + dispute_groups(disputing, ancestors), reached


def _groups_touched(db: sqlite3.Connection, changes: Changes) -> tuple[set[str], set[str]] | None:
    """The claims and questions around which an edit can change the groups: claims linked otherwise, or
    placed otherwise where they take part in a group (a claim with no dispute and no question, that no claim
    disputes, is in none), and the questions they took or take a side on. None: all can change."""
    if changes.everything or changes.themes or changes.questions or changes.settings:
        return None
    claims: set[str] = set()
    questions: set[str] = set()
    for claim_id, (before, after) in changes.claims.items():
        sides = [
            (c.source, tuple(c.themes), tuple(c.disputes), c.question, c.stance) if c else None for c in (before, after)
        ]
        if sides[0] == sides[1]:
            continue
        if any(c is not None and (c.disputes or c.question) for c in (before, after)) or db.execute(
            "SELECT 1 FROM group_members WHERE claim = ? UNION SELECT 1 FROM claim_links WHERE other = ? "
            "AND kind = 'disputes'", (claim_id, claim_id)).fetchone():  # fmt: skip
            claims.add(claim_id)
            claims.update(d for c in (before, after) if c for d in c.disputes)
            questions.update(c.question for c in (before, after) if c and c.question)
    return claims, questions


def update_groups(db: sqlite3.Connection, changes: Changes) -> tuple[set[str], set[str]] | None:
    """The contested groups formed again where an edit can change them: the keys of the groups made,
    changed or gone, and the themes they were or are on (None: no group can change). A group that only
    moved in the ranking is not among them: the others keep their order among themselves."""
    touched = _groups_touched(db, changes)
    if touched is not None and not touched[0]:
        return None
    old: list[str] | None = None  # the groups to form again (None: all)
    around = None if touched is None else groups_around(db, *touched)
    if around is not None and touched is not None:
        groups, reached = around
        query = "SELECT key FROM group_members WHERE key LIKE 'dispute:%' AND claim IN {in}"  # (questions: below)
        old = sorted({k for (k,) in rows_in(db, query, sorted(reached))} | {f"question:{q}" for q in touched[1]})
    else:
        groups = contested_groups(db)
    before = dict(db.execute("SELECT key, digest FROM groups") if old is None else
                  rows_in(db, "SELECT key, digest FROM groups WHERE key IN {in}", old))  # fmt: skip
    themes_before: dict[str, set[str]] = defaultdict(set)
    for key, theme in db.execute("SELECT key, theme FROM group_themes") if old is None else rows_in(
        db, "SELECT key, theme FROM group_themes WHERE key IN {in}", old):  # fmt: skip
        themes_before[key].add(theme)
    for table in ("groups", "group_members", "group_themes"):
        if old is None:
            db.execute(f"DELETE FROM {table}")
        else:
            rows_in(db, f"DELETE FROM {table} WHERE key IN {{in}}", old)
    return _write_groups(db, groups, before, themes_before)


def _write_groups(
    db: sqlite3.Connection, groups: list[dict[str, Any]], before: dict[str, str], themes_before: dict[str, set[str]]
) -> tuple[set[str], set[str]]:
    """The groups written (in place of those `before`, whose digests and themes are given): the keys of
    those made, changed or gone, and the themes they were or are on."""
    changed, themes = set(before), set()
    for group in groups:
        body = orjson.dumps(group).decode("utf-8")
        key, now, rank = group_key(group), digest(body), rank_text(group)
        db.execute("INSERT INTO groups VALUES (?, ?, ?, ?)", (key, rank, body, now))
        db.executemany("INSERT INTO group_members VALUES (?, ?)", [(key, c) for c in members([group])])
        db.executemany("INSERT INTO group_themes VALUES (?, ?, ?)", [(key, t, rank) for t in group["themes"]])
        if before.get(key) == now:
            changed.discard(key)
        else:
            changed.add(key)
            themes.update(group["themes"])
    themes.update(t for key in changed for t in themes_before.get(key, ()))
    return changed, themes


@dataclass(frozen=True)
class Side:
    stance: str  # for | against | qualifies, or "side 1" / "side 2" of a dispute
    claims: list[ClaimRow]


@dataclass(frozen=True)
class ContestedGroup:
    """A contested question or dispute as listings show it: its sides, each with its claims' rows."""

    kind: str  # question | dispute
    id: str
    text: dict[str, str]  # a question's text by language
    sources: int  # works taking part
    links: list[tuple[str, str]] | None  # a dispute's links: (disputing claim, disputed claim)
    sides: list[Side]

    def json(self) -> dict[str, Any]:
        found = {"kind": self.kind, "id": self.id, "text": self.text, "sources": self.sources}
        if self.links is not None:
            found["links"] = [list(link) for link in self.links]
        found["sides"] = [{"stance": s.stance, "claims": [c.json() for c in s.claims]} for s in self.sides]
        return found


def group_members(groups: Iterable[dict[str, Any]]) -> list[str]:
    """The claims of these groups, sorted."""
    return members(groups)


def rank_key(group: dict[str, Any]) -> tuple[int, str, str]:
    """A group's place in the ranking: most works first, then kind and id."""
    return -group["sources"], group["kind"], group["id"]


def rank_text(group: dict[str, Any]) -> str:
    """rank_key as a text that sorts the same (SQLite compares texts by their UTF-8 bytes, which order as
    their code points do: as Python's str)."""
    return f"{10**9 - group['sources']:010d} {group['kind']} {group['id']}"


def group_key(group: dict[str, Any]) -> str:
    """A group's key among all groups (a question's id and a dispute's may be alike)."""
    return f"{group['kind']}:{group['id']}"


def members(groups: Iterable[dict[str, Any]]) -> list[str]:
    """The claims of these groups, sorted."""
    return sorted({c for group in groups for _, side in group["sides"] for c in side})


def _themes_of(claims: Mapping[str, Party], ids: Iterable[str], ancestors: dict[str, set[str]]) -> list[str]:
    found: set[str] = set()
    for claim_id in ids:
        for theme in claims[claim_id].themes:
            found |= ancestors.get(theme, {theme})
    return sorted(found)


def question_groups(claims: Mapping[str, Party], ancestors: dict[str, set[str]]) -> list[dict[str, Any]]:
    """The groups of the questions that `claims` take stances on (each question's claims all among them):
    at least two stances, from at least two works."""
    groups: list[dict[str, Any]] = []
    by_question: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for claim in claims.values():
        if claim.question and claim.stance:
            by_question[claim.question][claim.stance].append(claim.id)
    for question, sides in by_question.items():
        members = {c for ids in sides.values() for c in ids}
        sources = {claims[c].source for c in members}
        if len(sides) < 2 or len(sources) < 2:
            continue
        ordered = [[stance, sorted(sides[stance])] for stance in STANCES if stance in sides]
        groups.append(
            {"kind": "question", "id": question, "sources": len(sources), "sides": ordered,
             "themes": _themes_of(claims, members, ancestors)}
        )  # fmt: skip
    return groups


def dispute_groups(claims: Mapping[str, Party], ancestors: dict[str, set[str]]) -> list[dict[str, Any]]:
    """The groups of the disputes between `claims` (links to claims not among them are left out): each
    connected set of links, split into its two sides where the links allow it."""
    import networkx as nx  # only builds pay for importing it

    network = nx.Graph()
    links_from: dict[str, list[list[str]]] = defaultdict(list)
    for claim in claims.values():
        for other in claim.disputes:
            if other in claims:
                network.add_edge(claim.id, other)
                links_from[claim.id].append([claim.id, other])
    try:  # one colouring of the whole network: far cheaper than one per component
        colours: dict[str, int] | None = nx.bipartite.color(network)
    except nx.NetworkXError:  # some component has an odd cycle: colour component by component
        colours = None
    groups: list[dict[str, Any]] = []
    for component in nx.connected_components(network):
        colour = colours
        if colour is None:
            sub = network.subgraph(component)
            colour = nx.bipartite.color(sub) if nx.is_bipartite(sub) else None
        if colour is not None:
            first = colour[min(component)]
            split = [
                sorted(c for c in component if colour[c] == first),
                sorted(c for c in component if colour[c] != first),
            ]
        else:
            split = [sorted(component)]
        groups.append(
            {
                "kind": "dispute",
                "id": "+".join(sorted(component))[:80],
                "sources": len({claims[c].source for c in component}),
                "sides": [[f"side {i + 1}", side] for i, side in enumerate(split)],
                "links": sorted(pair for claim in component for pair in links_from.get(claim, [])),
                "themes": _themes_of(claims, component, ancestors),
            }
        )
    return groups
