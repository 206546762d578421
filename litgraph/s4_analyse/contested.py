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
TABLES = (
    "CREATE TABLE IF NOT EXISTS groups(key TEXT PRIMARY KEY, rank INTEGER NOT NULL, body TEXT NOT NULL, digest TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS groups_rank ON groups(rank)",
    "CREATE TABLE IF NOT EXISTS group_members(key TEXT NOT NULL, claim TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS group_members_claim ON group_members(claim)",
    "CREATE TABLE IF NOT EXISTS group_themes(key TEXT NOT NULL, theme TEXT NOT NULL, rank INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS group_themes_theme ON group_themes(theme, rank)",
)


class Party(Protocol):
    """A claim as the groups see it (a model.Claim is one; a quick build makes others from the store)."""

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


def _parties(db: sqlite3.Connection) -> dict[str, _Party]:
    """The claims that take part in a dispute or take a side on a question, as the groups see them."""
    rows = db.execute(
        "SELECT id, source, question, stance FROM claims WHERE (question IS NOT NULL AND stance IS NOT NULL) "
        "OR id IN (SELECT id FROM claim_links WHERE kind = 'disputes') "
        "OR id IN (SELECT other FROM claim_links WHERE kind = 'disputes')"
    ).fetchall()
    parties = {i: _Party(i, source, [], [], q, s) for i, source, q, s in rows}
    query = "SELECT id, theme FROM claim_themes WHERE theme IS NOT NULL AND id IN {in} ORDER BY rowid"
    for claim_id, theme in rows_in(db, query, sorted(parties)):  # (by the parties' ids: themes are many more)
        parties[claim_id].themes.append(theme)
    for claim_id, other in db.execute("SELECT id, other FROM claim_links WHERE kind = 'disputes'"):
        parties[claim_id].disputes.append(other)
    return parties


def contested_groups(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every contested group, most works taking part first: {kind, id, sources, sides: [[stance, [claim
    ids]]], links: [[a, b]] (disputes), themes: [theme ids, broader included]}."""
    ancestors: dict[str, set[str]] = defaultdict(set)
    for theme, ancestor in db.execute("SELECT theme, ancestor FROM theme_closure"):
        ancestors[theme].add(ancestor)
    parties = _parties(db)
    groups = question_groups(parties, ancestors) + dispute_groups(parties, ancestors)
    groups.sort(key=rank_key)
    return groups


def _touches_groups(db: sqlite3.Connection, changes: Changes) -> bool:
    """Whether an edit can change the groups: a claim linked otherwise, or placed otherwise where it takes
    part in a group (a claim with no dispute and no question, that no claim disputes, is in none)."""
    if changes.everything or changes.themes or changes.questions or changes.settings:
        return True
    for claim_id, (before, after) in changes.claims.items():
        sides = [
            (c.source, tuple(c.themes), tuple(c.disputes), c.question, c.stance) if c else None for c in (before, after)
        ]
        if sides[0] == sides[1]:
            continue
        if any(c is not None and (c.disputes or c.question) for c in (before, after)):
            return True
        if db.execute("SELECT 1 FROM group_members WHERE claim = ? UNION SELECT 1 FROM claim_links WHERE other = ? "
                      "AND kind = 'disputes'", (claim_id, claim_id)).fetchone():  # fmt: skip
            return True
    return False


def update_groups(db: sqlite3.Connection, changes: Changes) -> tuple[set[str], set[str]] | None:
    """The contested groups formed again where an edit can change them: the keys of the groups made,
    changed or gone, and the themes they were or are on (None: the groups were not formed again). A group
    that only moved in the ranking is not among them: the others keep their order among themselves."""
    if not _touches_groups(db, changes):
        return None
    before = dict(db.execute("SELECT key, digest FROM groups"))
    themes_before: dict[str, set[str]] = defaultdict(set)
    for key, theme in db.execute("SELECT key, theme FROM group_themes"):
        themes_before[key].add(theme)
    for table in ("groups", "group_members", "group_themes"):
        db.execute(f"DELETE FROM {table}")
    changed, themes = set(before), set()
    for rank, group in enumerate(contested_groups(db)):
        body = orjson.dumps(group).decode("utf-8")
        key, now = group_key(group), digest(body)
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
