"""Contested groups, formed once per build from the loaded data: what `litgraph contested` ranks.

Two kinds of group: a question on which claims take at least two different stances from at least two
works (the SEPIO / GA4GH evidence-line pattern), and a connected set of `disputes` links between claims,
split into its two sides where the links allow it (a bipartite component), else kept as one side.
Groups are ranked by how many works take part. Each group carries the themes of its claims, broader
themes included, so a theme filter needs no query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from litgraph.model import Dataset

STANCES = ("for", "against", "qualifies")


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


def contested_groups(data: Dataset, ancestors: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Every contested group, most works taking part first: {kind, id, sources, sides: [[stance, [claim
    ids]]], links: [[a, b]] (disputes), themes: [theme ids, broader included]}."""
    groups = question_groups(data.claims, ancestors) + dispute_groups(data.claims, ancestors)
    groups.sort(key=rank_key)
    return groups


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
