"""Reading lists: the works a teacher should assign on some themes, with a reason for each.

Scoring uses the graph itself: how many of the requested themes a work's claims cover, how many claims
it has on them, how often works in the graph cite it (PageRank in the citation network: network.py),
and whether it takes a side in a dispute on those themes (both sides are always included when there
is room). The list reads foundational works first, then recent ones.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from litgraph.queries import THEME_PATTERN, Graph, Row, contested
from litgraph.store import importance_of

RECENT_YEARS = 6  # a work this close to the newest year in the list is "recent"


CANDIDATES = 200  # per requested theme: the works with most claims on it


def reading_list(graph: Graph, themes: list[str], limit: int = 8) -> Row:
    """An ordered list of at most `limit` works on `themes` (with narrower themes), each with a reason."""
    requested = list(dict.fromkeys(graph.theme(t) for t in themes))
    counts: dict[str, dict[str, int]] = defaultdict(dict)  # key -> theme -> claims
    cited: dict[str, int] = {}  # key -> citing works in the graph
    for theme_id in requested:
        for key, n, citing in graph.ranking(theme_id, CANDIDATES)[0]:  # sorted at build time
            counts[key][theme_id] = n
            cited[key] = citing
    if not counts:
        return {"themes": requested, "items": []}
    rank = importance_of(graph.store, set(counts))  # PageRank, as `build` computed it (network.py)
    score = {
        k: 2.0 * len(c) + math.log1p(sum(c.values())) + 2.0 * rank[k] + 0.5 * math.log1p(cited.get(k, 0))
        for k, c in counts.items()
    }
    chosen: dict[str, list[str]] = {}  # key -> reasons

    def take(key: str, reason: str) -> None:
        if key in score and (key in chosen or len(chosen) < limit):
            chosen.setdefault(key, [])
            if reason and reason not in chosen[key]:
                chosen[key].append(reason)

    seen_groups: set[str] = set()
    sides_taken: dict[str, dict[str, list[str]]] = defaultdict(dict)  # key -> question -> stances
    for theme_id in requested:
        for group in contested(graph, theme_id, limit=max(1, limit // 3)):
            if group["id"] in seen_groups:
                continue
            seen_groups.add(group["id"])
            picks = []
            for side in group["sides"]:
                keys = [c["source"] for c in side["claims"] if c["source"] in score]
                if keys:
                    picks.append((max(keys, key=lambda k: score[k]), side["stance"]))
            if len(picks) < 2:
                continue
            if group["kind"] == "question":
                label = (group["text"].get("en") or group["id"]).rstrip(".")
                for key, stance in picks:
                    take(key, "")
                    if key in chosen and stance not in sides_taken[key].setdefault(label, []):
                        sides_taken[key][label].append(stance)
            else:
                for key, stance in picks:
                    take(key, f"one side of a dispute between claims ({stance})")
    info = graph.works(sorted(set(chosen) | set(sorted(score, key=lambda k: (-score[k], k))[: limit * 3])))
    years = [w["year"] for w in info.values() if w["year"]]
    newest = max(years) if years else 0
    recent = sorted((k for k in info if (info[k]["year"] or 0) >= newest - RECENT_YEARS), key=lambda k: -score[k])
    for key in recent[: max(1, limit // 4)]:
        take(key, "recent work")
    for key in sorted(score, key=lambda k: (-score[k], k)):
        take(key, "")
    info.update(graph.works([k for k in chosen if k not in info]))
    items = []
    for key in chosen:
        work, hits = info[key], counts[key]
        claims = []
        for theme_id in requested:
            claims += graph.claims_where(
                f"?claim dcterms:source ?w . {THEME_PATTERN}",
                w=graph.iri("work", key),
                root=graph.iri("theme", theme_id),
            )
        claims = list({c["id"]: c for c in claims}.values())
        taken = [
            f"takes the {' and '.join(repr(st) for st in stances)} side{'s' if len(stances) > 1 else ''} on: {label}"
            for label, stances in sides_taken.get(key, {}).items()
        ]
        reasons = [f"{len(claims)} claim{'s' if len(claims) != 1 else ''} on {', '.join(hits)}", *taken, *chosen[key]]
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
                "claims": claims,
            }
        )
    reporters = graph.works(sorted({c["reported_in"] for i in items for c in i["claims"] if c.get("reported_in")}))
    for item in items:
        for claim in item["claims"]:
            claim["reported_in_citation"] = reporters.get(claim.get("reported_in") or "", {}).get("citation")
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
            place = ", ".join(p for p in (claim.get("reported_in_citation"), claim.get("locator")) if p)
            where = f" ({place})" if place else ""
            lines.append(f"   *Read for:* {claim['text']}{where}")
        lines.append("")
    return "\n".join(lines)
