"""The interactive map's data: nodes (themes, works, claims), edges, positions and details, in parts.

index.html holds what concerns the whole map (the themes, the tree, the options, the legend); the works,
with their claims and edges, come in parts of about PER_PART works (map/part-*.js, each loaded by a script
element, so the page works from the file system), cut by key hash as graph units are: an edit rewrites the
part of the works it reaches. Positions are computed here so the page is usable at once: themes on a
circle, claims near their themes, works near their themes or claims, each from its own neighbours and id;
small maps are then relaxed as a whole with networkx's spring layout (and come in one part).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson

from litgraph.namespaces import page, page_stem
from litgraph.plumbing.chunks import cut
from litgraph.s4_analyse.rows import ClaimRow
from litgraph.s6_render.pages import SiteData, _in
from litgraph.s6_render.visnet import options
from litgraph.suggest import fold

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
SPRING_LIMIT = 1500  # up to this many nodes, the map is relaxed as a whole (spring layout) and one part
CLAIM_LIMIT = 6000  # above this many nodes, claims are folded into their works so the page stays usable
PER_PART = 512


def _jitter(node_id: str, spread: float) -> tuple[float, float]:
    """Two normal deviates (sd `spread`) of the node's own, from its id (Box-Muller on a hash)."""
    digest = hashlib.blake2b(node_id.encode("utf-8"), digest_size=8).digest()
    u = (int.from_bytes(digest[:4], "big") + 1) / 4294967297
    v = int.from_bytes(digest[4:], "big") / 4294967296
    radius = math.sqrt(-2 * math.log(u)) * spread
    return radius * math.cos(2 * math.pi * v), radius * math.sin(2 * math.pi * v)


def layout_scale(nodes: int) -> float:
    """The map's radius for about this many nodes (rounded up to a power of two, so that adding a work
    moves no other node)."""
    return 45 * math.sqrt(1 << max(0, nodes - 1).bit_length()) + 100


def _anchored(node_id: str, anchors: list[tuple[float, float]], scale: float) -> tuple[float, float]:
    anchors = anchors or [(0.0, 0.0)]
    dx, dy = _jitter(node_id, scale / 8)
    return sum(a[0] for a in anchors) / len(anchors) * 0.7 + dx, sum(a[1] for a in anchors) / len(anchors) * 0.7 + dy


def _loose(node_id: str, nodes: int, scale: float) -> tuple[float, float]:
    """A node with no edges: somewhere in a band below the circle, by its id."""
    digest = hashlib.blake2b(node_id.encode("utf-8"), digest_size=8).digest()
    width = 120.0 * max(1.0, math.sqrt(1 << max(0, nodes - 1).bit_length()) * 1.2)
    u, v = int.from_bytes(digest[:4], "big") / 4294967296, int.from_bytes(digest[4:], "big") / 4294967296
    return (u - 0.5) * width, 1.3 * scale + 80 + v * width / 3


def theme_size(claims: int) -> float:
    return 14 + 2 * math.sqrt(claims)


def work_size(claims: int, cited: int) -> float:
    return 8 + 3 * math.sqrt(claims + 2 * cited)


@dataclass
class MapPlan:
    """What the whole map shares: whether claims are folded, its scale, where the themes stand."""

    folded: bool
    nodes: int
    scale: float
    themes: dict[str, tuple[float, float]]

    @property
    def spring(self) -> bool:
        return self.nodes <= SPRING_LIMIT


def plan_map(data: SiteData) -> MapPlan:
    works = data.db.execute("SELECT count(*) FROM works").fetchone()[0]
    claims = data.db.execute("SELECT count(*) FROM claims").fetchone()[0]
    themes = sorted(data.themes)
    total = len(themes) + works + claims
    folded = total > CLAIM_LIMIT
    nodes = len(themes) + works + (0 if folded else claims)
    scale = layout_scale(nodes)
    angle = 2 * math.pi / max(1, len(themes))
    return MapPlan(
        folded,
        nodes,
        scale,
        {t: (scale * math.cos(angle * i), scale * math.sin(angle * i)) for i, t in enumerate(themes)},
    )


def parts(keys: list[str], plan: MapPlan) -> list[list[str]]:
    """The works (sorted keys) in map parts: one for a small map, else cut by key hash."""
    if plan.spring:
        return [keys] if keys else []
    return cut(keys, PER_PART)


def _claim_details(c: ClaimRow) -> dict[str, Any]:
    return {"kind": "claim", "id": c.id, "text": c.text, "source": c.source, "source_citation": c.source_citation,
            "reported_in": c.reported_in, "reported_in_citation": c.reported_in_citation, "locator": c.locator,
            "evidence": c.evidence, "themes": c.themes, "question": c.question, "stance": c.stance}  # fmt: skip


def map_part(data: SiteData, plan: MapPlan, keys: list[str]) -> dict[str, Any]:
    """The nodes, edges and details of these works (with their claims, unless folded), placed."""
    works = data.rows.works(keys)
    claims = data.claims_by("source", keys)
    cited = {k: len(v) for k, v in data.tables.cited_by(keys).items()}
    cites = data.tables.cites_of(keys)
    nodes, edges, details = [], [], {}
    for key, work in works.items():
        own = claims.get(key, [])
        nodes.append(
            {"id": "w:" + key, "label": work.citation, "kind": "work", "size": work_size(len(own), cited.get(key, 0))}
        )
        details["w:" + key] = {
            "kind": "work", "key": key, "citation": work.citation, "title": work.title, "year": work.year, "type": work.type,
            "doi": work.doi, "reference": work.reference, "themes": sorted({t for c in own for t in c.themes}),
            "cited_by": cited.get(key, 0),
            "claims": [{"id": c.id, "text": c.text, "locator": c.locator, "reported_in": c.reported_in_citation} for c in own],
            "search": fold(f"{work.reference or ''} {work.title or ''} {key}"), "page": page("work", key),
        }  # fmt: skip
        edges += [{"from": "w:" + key, "to": "w:" + other, "kind": "cites"} for other in cites.get(key, [])]
        if plan.folded:
            edges += [
                {"from": "w:" + key, "to": "t:" + t, "kind": "theme"}
                for t in sorted({t for c in own for t in c.themes})
            ]
    if not plan.folded:
        _claims_of_part(data, [c for key in works for c in claims.get(key, [])], nodes, edges, details)
    return {"nodes": nodes, "edges": edges, "details": details}


def _claims_of_part(
    data: SiteData, claims: list[ClaimRow], nodes: list[Any], edges: list[Any], details: dict[str, Any]
) -> None:
    ids = [c.id for c in claims]
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"disputes": [], "supports": []})
    for a, kind, b in _in(data.db, "SELECT id, kind, other FROM claim_links WHERE id", ids):
        links[a][kind].append(b)
        if kind == "disputes":
            edges.append({"from": "c:" + a, "to": "c:" + b, "kind": "disputes"})
        else:
            edges.append({"from": "c:" + a, "to": "c:" + b, "kind": "supports"})
    for a, b in _in(data.db, "SELECT id, other FROM claim_links WHERE kind = 'disputes' AND other", ids):
        links[b]["disputes"].append(a)
    for c in claims:
        cid = "c:" + c.id
        nodes.append({"id": cid, "label": "", "kind": "claim", "size": 6})
        edges.append({"from": cid, "to": "w:" + c.source, "kind": "source"})
        edges.extend({"from": cid, "to": "t:" + t, "kind": "theme"} for t in c.themes)
        details[cid] = {
            **_claim_details(c),
            "disputes": sorted(set(links[c.id]["disputes"])),
            "supports": sorted(links[c.id]["supports"]),
            "page": f"{page('work', c.source)}#claim-{c.id}",
        }


def place(part: dict[str, Any], plan: MapPlan, positions: dict[str, tuple[float, float]] | None = None) -> None:
    """Positions (and colours) of a part's nodes: from `positions` (a small map, relaxed as a whole), else
    each from its own neighbours: claims near their themes, works near their themes or claims."""
    pos = dict(plan.themes) if positions is None else positions
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in part["edges"]:
        neighbours[edge["from"]].append(edge["to"])
        neighbours[edge["to"]].append(edge["from"])
    if positions is None:
        for prefix in ("c:", "w:"):
            for node in part["nodes"]:
                if node["id"].startswith(prefix) and neighbours[node["id"]]:
                    anchors = [pos[n] for n in neighbours[node["id"]] if n[:2] in ("t:", "c:") and n in pos]
                    pos[node["id"]] = _anchored(node["id"], anchors, plan.scale)
    for node in part["nodes"]:
        x, y = pos.get(node["id"]) or _loose(node["id"], plan.nodes, plan.scale)
        shape, background, border = KINDS[node["kind"]]
        node.update(
            {"x": round(x, 1), "y": round(y, 1), "shape": shape, "color": {"background": background, "border": border}}
        )
    for edge in part["edges"]:
        edge.update(EDGES[edge["kind"]])


def relaxed(part: dict[str, Any], meta: dict[str, Any], plan: MapPlan) -> dict[str, tuple[float, float]]:
    """A small map's positions: the anchored ones, relaxed together by networkx's spring layout."""
    import networkx as nx  # (small maps only)

    probe = {"nodes": [dict(n) for n in [*meta["nodes"], *part["nodes"]]], "edges": [dict(e) for e in part["edges"]]}
    place(probe, plan)
    linked = {e["from"] for e in probe["edges"]} | {e["to"] for e in probe["edges"]}
    start = {n["id"]: (n["x"] / plan.scale, n["y"] / plan.scale) for n in probe["nodes"] if n["id"] in linked}
    if not start:
        return {}
    graph = nx.Graph()
    graph.add_nodes_from(start)
    graph.add_edges_from((e["from"], e["to"]) for e in probe["edges"])
    done = nx.spring_layout(graph, pos=start, iterations=80, seed=7, k=2.0 / math.sqrt(len(start)))
    return {k: (float(v[0]) * plan.scale, float(v[1]) * plan.scale) for k, v in done.items()}


def map_meta(data: SiteData, plan: MapPlan) -> dict[str, Any]:
    """What the whole map shares: the themes (nodes and details), the tree, the options, the legend."""
    counts, works = {}, {}
    for theme, claims, n_works in data.db.execute("SELECT theme, claims, works FROM theme_counts"):
        counts[theme], works[theme] = claims, n_works
    nodes, details = [], {}
    for theme_id, theme in sorted(data.themes.items()):
        n = counts.get(theme_id, 0)
        nodes.append(
            {"id": "t:" + theme_id, "label": theme.labels.get("en", theme_id), "kind": "theme", "size": theme_size(n)}
        )
        details["t:" + theme_id] = {"kind": "theme", "id": theme_id, "labels": theme.labels, "definitions": theme.definitions,
                                    "broader": theme.broader, "narrower": data.children.get(theme_id, []), "claims": n,
                                    "works": works.get(theme_id, 0), "page": page("theme", theme_id)}  # fmt: skip
    return {
        "nodes": nodes, "edges": [], "details": details,
        "tree": [{"id": t, "depth": d, "labels": data.themes[t].labels} for t, d in data.lookup.tree()],
        "children": data.children, "options": options(plan.nodes > 3000), "folded_claims": plan.folded,
        "legend": {"nodes": {k: v[1] for k, v in KINDS.items()}, "edges": {k: v["color"] for k, v in EDGES.items()}},
    }  # fmt: skip


def script_json(document: Any) -> bytes:
    """UTF-8 JSON that is safe inside <script type="application/json"> and in a script file: no '<', '>' or
    '&' can end the element, and no line separator can end a string."""
    data = orjson.dumps(document)
    for raw, replacement in (
        (b"<", b"\\u003c"),
        (b">", b"\\u003e"),
        (b"&", b"\\u0026"),
        ("\u2028".encode(), b"\\u2028"),
        ("\u2029".encode(), b"\\u2029"),
    ):
        data = data.replace(raw, replacement)
    return data


def part_script(part: dict[str, Any]) -> bytes:
    return b"(window.LITGRAPH_PARTS = window.LITGRAPH_PARTS || []).push(" + script_json(part) + b");\n"


def whole_map(data: SiteData) -> dict[str, Any]:
    """The whole map in one document (nodes, edges, details), placed: what the network exports write."""
    plan = plan_map(data)
    meta = map_meta(data, plan)
    part = map_part(data, plan, [k for (k,) in data.db.execute("SELECT key FROM works ORDER BY key")])
    positions = relaxed(part, meta, plan) if plan.spring else None
    place(meta, plan, positions)
    place(part, plan, positions)
    return {
        "nodes": meta["nodes"] + part["nodes"],
        "edges": part["edges"],
        "details": {**meta["details"], **part["details"]},
    }


def part_name(keys: list[str]) -> str:
    return f"map/part-{page_stem(keys[0]) if keys else ''}.js"


def members_digest(salt: str, plan: MapPlan, keys: list[str]) -> str:
    """What a large map's part is made from besides its works' data: its works and the map's plan."""
    return hashlib.sha256(
        orjson.dumps([salt, plan.folded, plan.nodes.bit_length(), sorted(plan.themes), keys])
    ).hexdigest()


def render_part(data: SiteData, plan: MapPlan, salt: str, keys: list[str]) -> tuple[str, str, bytes]:
    """A part of a large map: its file's name, its digest (its members', then its bytes') and its script."""
    part = map_part(data, plan, keys)
    place(part, plan)
    script = part_script(part)
    return part_name(keys), f"{members_digest(salt, plan, keys)}:{hashlib.sha256(script).hexdigest()}", script
