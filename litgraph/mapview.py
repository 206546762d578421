"""The interactive map's data: nodes (themes, works, claims), edges, positions and details.

Positions are computed here so the page is usable at once: themes sit on a circle, claims near their
themes, works near their claims; small graphs are then relaxed with networkx's spring layout.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from typing import Any

import orjson

from litgraph.sitedata import SiteData
from litgraph.suggest import fold
from litgraph.visnet import options

KINDS = {  # kind -> (shape, background, border), also the legend
    "theme": ("hexagon", "#f2b134", "#b7791f"),
    "work": ("dot", "#4a90d9", "#2c5d8f"),
    "claim": ("square", "#9bc99b", "#4f7f4f"),
}
EDGES = {  # kind -> vis edge style, also the legend
    "source": {"color": "#9aa5b1", "width": 1},
    "theme": {"color": "#e8c47c", "width": 1},
    "cites": {"color": "#4a90d9", "width": 1, "arrows": "to"},
    "supports": {"color": "#2f9e44", "width": 2, "arrows": "to"},
    "disputes": {"color": "#d62828", "width": 3, "dashes": [8, 6], "arrows": "to"},
}
SPRING_LIMIT = 1500  # above this many nodes, keep the O(n) layout (spring layout is far too slow)
CLAIM_LIMIT = 6000  # above this many nodes, claims are folded into their works so the page stays usable


def _jitter(node_id: str, spread: float) -> tuple[float, float]:
    """Two normal deviates (sd `spread`) of the node's own, from its id (Box-Muller on a hash): a node's
    place does not depend on the others', so an edit moves only the nodes it touches."""
    digest = hashlib.blake2b(node_id.encode("utf-8"), digest_size=8).digest()
    u = (int.from_bytes(digest[:4], "big") + 1) / 4294967297
    v = int.from_bytes(digest[4:], "big") / 4294967296
    radius = math.sqrt(-2 * math.log(u)) * spread
    return radius * math.cos(2 * math.pi * v), radius * math.sin(2 * math.pi * v)


def layout_scale(nodes: int) -> float:
    """The map's radius for this many nodes (claims folded into their works are not nodes)."""
    return 45 * math.sqrt(max(1, nodes)) + 100


def theme_position(index: int, themes: int, scale: float) -> tuple[float, float]:
    """Themes sit on a circle, in id order."""
    angle = 2 * math.pi * index / max(1, themes)
    return scale * math.cos(angle), scale * math.sin(angle)


def anchored_position(node_id: str, anchors: list[tuple[float, float]], scale: float) -> tuple[float, float]:
    """A claim near its themes, a work near its themes or claims: their mean, drawn in, plus its jitter."""
    anchors = anchors or [(0.0, 0.0)]
    dx, dy = _jitter(node_id, scale / 8)
    x = sum(a[0] for a in anchors) / len(anchors) * 0.7 + dx
    y = sum(a[1] for a in anchors) / len(anchors) * 0.7 + dy
    return x, y


def loose_position(node_id: str, nodes: int, scale: float) -> tuple[float, float]:
    """A node with no edges: somewhere in a band below the circle, by its id."""
    digest = hashlib.blake2b(node_id.encode("utf-8"), digest_size=8).digest()
    width = 120.0 * max(1.0, math.sqrt(nodes) * 1.2)
    u, v = int.from_bytes(digest[:4], "big") / 4294967296, int.from_bytes(digest[4:], "big") / 4294967296
    return (u - 0.5) * width, 1.3 * scale + 80 + v * width / 3


def _layout(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], theme_ids: list[str]) -> dict[str, tuple]:
    """Positions in pixels: themes on a circle, claims near their themes, works near their themes or claims,
    nodes without edges in a band below. Each node's place depends only on its own neighbours (not on the
    other nodes, nor their order), so that a quick build can place the works an edit touches; small maps
    are then relaxed with networkx's spring layout."""
    linked = {e["from"] for e in edges} | {e["to"] for e in edges}
    placed = [n["id"] for n in nodes if n["id"] in linked]
    scale = layout_scale(len(nodes))
    pos: dict[str, tuple[float, float]] = {}
    for i, theme in enumerate(theme_ids):
        pos["t:" + theme] = theme_position(i, len(theme_ids), scale)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        neighbours[edge["from"]].append(edge["to"])
        neighbours[edge["to"]].append(edge["from"])
    for prefix in ("c:", "w:"):  # claims around their themes, then works around their themes or claims
        for node_id in placed:
            if node_id.startswith(prefix):
                anchors = [pos[n] for n in neighbours[node_id] if n[:2] in ("t:", "c:") and n in pos]
                pos[node_id] = anchored_position(node_id, anchors, scale)
    if 0 < len(placed) <= SPRING_LIMIT:
        import networkx as nx  # only small maps are relaxed; a quick build does not load it

        graph = nx.Graph()
        graph.add_nodes_from(placed)
        graph.add_edges_from((e["from"], e["to"]) for e in edges)
        start = {k: (v[0] / scale, v[1] / scale) for k, v in pos.items() if k in linked}
        relaxed = nx.spring_layout(graph, pos=start, iterations=80, seed=7, k=2.0 / math.sqrt(len(placed)))
        pos.update({k: (float(v[0]) * scale, float(v[1]) * scale) for k, v in relaxed.items()})
    for node in nodes:
        if node["id"] not in linked and node["id"] not in pos:
            pos[node["id"]] = loose_position(node["id"], len(nodes), scale)
    return pos


def theme_size(claims: int) -> float:
    """A theme's node size, from the claims on it (not on narrower themes)."""
    return 14 + 2 * math.sqrt(claims)


def work_size(claims: int, cited: int) -> float:
    """A work's node size, from its claims and the works citing it."""
    return 8 + 3 * math.sqrt(claims + 2 * cited)


def claim_on_map(claim: dict[str, Any]) -> dict[str, Any]:
    """A claim as its work's details on the map show it (from a site row)."""
    return {
        "id": claim["id"],
        "text": claim["text"],
        "locator": claim["locator"],
        "reported_in": claim["reported_in_citation"],
    }


def map_data(data: SiteData) -> dict[str, Any]:
    """Nodes, edges, per-node details and the theme tree, as one JSON-ready document."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    total = len(data.themes) + len(data.works) + len(data.claims)
    fold_claims = total > CLAIM_LIMIT
    for theme_id, theme in sorted(data.themes.items()):
        n = len(data.claims_by_theme.get(theme_id, []))
        nodes.append(
            {
                "id": "t:" + theme_id,
                "label": theme.labels.get("en", theme_id),
                "kind": "theme",
                "size": theme_size(n),
            }
        )
        details["t:" + theme_id] = {
            "kind": "theme",
            "id": theme_id,
            "labels": theme.labels,
            "definitions": theme.definitions,
            "broader": theme.broader,
            "narrower": data.children.get(theme_id, []),
            "claims": n,
            "works": len({c["source"] for c in data.claims_by_theme.get(theme_id, [])}),
        }
    for key, work in sorted(data.works.items()):
        claims, cited = data.claims_by_source.get(key, []), len(data.cited_by.get(key, []))
        nodes.append(
            {
                "id": "w:" + key,
                "label": work["citation"],
                "kind": "work",
                "size": work_size(len(claims), cited),
            }
        )
        themes = sorted({t for c in claims for t in c["themes"]})
        details["w:" + key] = {
            "kind": "work",
            "key": key,
            "citation": work["citation"],
            "title": work["title"],
            "year": work["year"],
            "type": work["type"],
            "doi": work["doi"],
            "reference": work["reference"],
            "themes": themes,
            "cited_by": cited,
            "claims": [claim_on_map(c) for c in claims],
            "search": fold(f"{work['reference'] or ''} {work['title'] or ''} {key}"),
        }
    for citing_key, cited_key in data.cites:
        edges.append({"from": "w:" + citing_key, "to": "w:" + cited_key, "kind": "cites"})
    claim_ids = {c["id"] for c in data.claims}
    if not fold_claims:
        for claim in data.claims:
            cid = "c:" + claim["id"]
            nodes.append({"id": cid, "label": "", "kind": "claim", "size": 6})  # details on click
            edges.append({"from": cid, "to": "w:" + claim["source"], "kind": "source"})
            edges.extend({"from": cid, "to": "t:" + t, "kind": "theme"} for t in claim["themes"])
            details[cid] = {
                "kind": "claim",
                "id": claim["id"],
                "text": claim["text"],
                "source": claim["source"],
                "source_citation": claim["source_citation"],
                "reported_in": claim["reported_in"],
                "reported_in_citation": claim["reported_in_citation"],
                "locator": claim["locator"],
                "evidence": claim["evidence"],
                "themes": claim["themes"],
                "question": claim["question"],
                "stance": claim["stance"],
                "disputes": [],
                "supports": [],
            }
    for group in data.groups:
        for a, b in group.get("links", []):
            if a in claim_ids and b in claim_ids and not fold_claims:
                edges.append({"from": "c:" + a, "to": "c:" + b, "kind": "disputes"})
                details["c:" + a]["disputes"].append(b)
                details["c:" + b]["disputes"].append(a)
    if not fold_claims:
        for a, b in data.supports:
            edges.append({"from": "c:" + a, "to": "c:" + b, "kind": "supports"})
            details["c:" + a]["supports"].append(b)
    if fold_claims:  # themes link straight to works, and a dispute between claims to their works
        pairs = {(c["source"], t) for c in data.claims for t in c["themes"]}
        edges.extend({"from": "w:" + w, "to": "t:" + t, "kind": "theme"} for w, t in sorted(pairs))
    positions = _layout(nodes, edges, [t for t in sorted(data.themes)])
    for node in nodes:
        shape, background, border = KINDS[node["kind"]]
        x, y = positions.get(node["id"], (0.0, 0.0))
        node.update(
            {"x": round(x, 1), "y": round(y, 1), "shape": shape, "color": {"background": background, "border": border}}
        )
    for edge in edges:
        edge.update(EDGES[edge["kind"]])
    return {
        "title": data.title,
        "nodes": nodes,
        "edges": edges,
        "details": details,
        "tree": [{"id": r["id"], "depth": r["depth"], "labels": data.themes[r["id"]].labels} for r in data.tree],
        "children": data.children,
        "options": options(len(nodes) > 3000),
        "folded_claims": fold_claims,
        "legend": {"nodes": {k: v[1] for k, v in KINDS.items()}, "edges": {k: v["color"] for k, v in EDGES.items()}},
    }


def script_json(document: Any) -> bytes:
    """UTF-8 JSON that is safe inside <script type="application/json">: no '<', '>' or '&' can end the
    element. orjson: the bytes json.dumps(ensure_ascii=False, separators=(",", ":")) gives (but for floats
    below 1e-4, written 1e-8 for 1e-08: the map has none), at a tenth of its cost per call (the map's
    100,000 details are encoded one by one, to know where each stands)."""
    return orjson.dumps(document).replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


def script_json_parts(document: dict[str, Any]) -> tuple[list[bytes], dict[str, tuple[int, int]]]:
    """script_json(document) as UTF-8, in parts, and where in it each node's details (by the node's id),
    each node (by "#" and its id) and the edges ("@edges") stand, as byte offsets: the same bytes, put
    together key by key."""
    parts: list[bytes] = []
    offsets: dict[str, tuple[int, int]] = {}
    at = 0

    def add(part: bytes) -> None:
        nonlocal at
        parts.append(part)
        at += len(part)

    add(b"{")
    for i, (key, value) in enumerate(document.items()):
        add((b"," if i else b"") + script_json(key) + b":")
        if key == "nodes":  # each node, under "#" and its id
            add(b"[")
            for j, node in enumerate(value):
                add(b"," if j else b"")
                body = script_json(node)
                offsets["#" + node["id"]] = (at, at + len(body))
                add(body)
            add(b"]")
            continue
        if key != "details":
            body = script_json(value)
            if key == "edges":
                offsets["@edges"] = (at, at + len(body))
            add(body)
            continue
        add(b"{")
        for j, (node, details) in enumerate(value.items()):
            add((b"," if j else b"") + script_json(node) + b":")
            body = script_json(details)
            offsets[node] = (at, at + len(body))
            add(body)
        add(b"}")
    add(b"}")
    return parts, offsets
