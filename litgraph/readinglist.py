"""Reading lists: the works a teacher should assign on some themes, with a reason for each.

Scoring uses the graph itself: how many of the requested themes a work's claims cover, how many claims
it has on them, how often works in the graph cite it (PageRank in the citation network, via networkx),
and whether it takes a side in a dispute on those themes (both sides are always included when there
is room). The list reads foundational works first, then recent ones.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import networkx as nx

from litgraph.queries import Graph, Row, contested

RECENT_YEARS = 6  # a work this close to the newest year in the list is "recent"


def _citation_rank(graph: Graph, keys: set[str]) -> dict[str, float]:
    rows = graph.select("SELECT ?a ?b WHERE { ?x cito:cites ?y . ?x dcterms:identifier ?a . ?y dcterms:identifier ?b }")
    network = nx.DiGraph()
    network.add_nodes_from(keys)
    network.add_edges_from((r["a"], r["b"]) for r in rows)
    if network.number_of_edges() == 0:
        return dict.fromkeys(keys, 0.0)
    rank = nx.pagerank(network)
    top = max(rank.values())
    return {k: rank.get(k, 0.0) / top for k in keys}


def reading_list(graph: Graph, themes: list[str], limit: int = 8) -> Row:
    """An ordered list of at most `limit` works on `themes` (with narrower themes), each with a reason."""
    requested = [graph.theme(t) for t in themes]
    subtree = {t: set(graph.lookup.with_narrower(t)) for t in requested}
    claims: dict[str, list[Row]] = defaultdict(list)
    for theme_id in requested:
        for claim in graph.claims_where(
            "?claim dcterms:subject ?t . ?t skos:broader* ?root .", root=graph.iri("theme", theme_id)
        ):
            if all(c["id"] != claim["id"] for c in claims[claim["source"]]):
                claims[claim["source"]].append(claim)
    if not claims:
        return {"themes": requested, "items": []}
    info = graph.works(sorted(claims))
    cited = graph.cited_by_counts()
    rank = _citation_rank(graph, set(claims))

    def covered(key: str) -> list[str]:
        return [t for t in requested if any(set(c["themes"]) & subtree[t] for c in claims[key])]

    score = {
        k: 2.0 * len(covered(k)) + math.log1p(len(claims[k])) + 2.0 * rank[k] + 0.5 * math.log1p(cited.get(k, 0))
        for k in claims
        if k in info
    }
    chosen: dict[str, list[str]] = {}  # key -> reasons

    def take(key: str, reason: str) -> None:
        if key in score and (key in chosen or len(chosen) < limit):
            chosen.setdefault(key, [])
            if reason not in chosen[key]:
                chosen[key].append(reason)

    sides_taken = []
    for group in contested(graph, None):
        relevant = [s for s in group["sides"] if any(c["source"] in score for c in s["claims"])]
        if len(relevant) < 2 or not any(
            set(c["themes"]) & set().union(*subtree.values()) for s in relevant for c in s["claims"]
        ):
            continue
        picks = []
        for side in relevant:
            best = max((c["source"] for c in side["claims"] if c["source"] in score), key=lambda k: score[k])
            picks.append((best, side["stance"]))
        sides_taken.append((group, picks))
    for group, picks in sides_taken[: max(1, limit // 3)]:
        label = group["text"].get("en") if group["kind"] == "question" else "a dispute between claims"
        for key, stance in picks:
            take(
                key,
                f"takes the '{stance}' side on: {label}"
                if group["kind"] == "question"
                else f"one side of {label} ({stance})",
            )
    years = [info[k]["year"] for k in score if info[k]["year"]]
    newest = max(years) if years else 0
    recent = sorted((k for k in score if (info[k]["year"] or 0) >= newest - RECENT_YEARS), key=lambda k: -score[k])
    for key in recent[: max(1, limit // 4)]:
        take(key, "recent work")
    for key in sorted(score, key=lambda k: (-score[k], k)):
        take(key, "")
    items = []
    for key in chosen:
        work, n = info[key], len(claims[key])
        reasons = [r for r in chosen[key] if r]
        themes_hit = covered(key)
        reasons.insert(0, f"{n} claim{'s' if n != 1 else ''} on {', '.join(themes_hit)}")
        if cited.get(key):
            reasons.insert(1, f"cited by {cited[key]} work{'s' if cited[key] != 1 else ''} in the graph")
        foundational = bool(work["year"]) and work["year"] < newest - RECENT_YEARS and cited.get(key, 0) > 0
        if foundational:
            reasons.insert(0, "foundational")
        items.append(
            {
                **work,
                "score": round(score[key], 3),
                "foundational": foundational,
                "reason": "; ".join(reasons),
                "claims": claims[key],
            }
        )
    items.sort(key=lambda i: (not i["foundational"], i["year"] or 9999, -i["score"], i["key"]))
    for position, item in enumerate(items, 1):
        item["position"] = position
    return {"themes": requested, "items": items}


def handout(result: Row, title: str) -> str:
    """A Markdown handout a teacher can print: numbered readings, reasons, and a claim to read for."""
    lines: list[Any] = [f"# {title}", "", f"Themes: {', '.join(result['themes'])}", ""]
    for item in result["items"]:
        lines.append(f"{item['position']}. {item['reference'] or item['citation']}")
        lines.append(f"   *Why:* {item['reason']}.")
        if item["claims"]:
            claim = item["claims"][0]
            where = f" ({claim['reported_in']}, {claim['locator']})" if claim.get("locator") else ""
            lines.append(f"   *Read for:* {claim['text']}{where}")
        lines.append("")
    return "\n".join(lines)
