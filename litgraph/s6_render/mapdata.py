"""The interactive map's data: nodes (themes, works, claims), edges, positions and details, in parts.

index.html holds what concerns the whole map (the themes and where they stand, the tree, the contested
questions, the options, the legend); the works, with their claims and edges, come in parts of about
PER_PART works (map/part-*.js, each loaded by a script element, so the page works from the file system),
cut by key hash as graph units are: an edit rewrites the part of the works it reaches.

Themes stand where s6_render.layout puts them (themes sharing works together, their labels clear of each
other). A work stands near its themes: a node's `at` names the nodes whose mean place, moved by its own
(`dx`, `dy`) from its id, is its place; the page (and `resolve`, for the exports) works it out, so a large
map's part does not change when the themes move. A small map comes in one part, placed (`x`, `y`). Claims are folded into their works: drawn only
when the reader asks for them (and not sent at all above CLAIM_LIMIT nodes).
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
from litgraph.plumbing.statedb import rows_in
from litgraph.s4_analyse.rows import ClaimRow
from litgraph.s6_render import layout
from litgraph.s6_render.maplayers import contested_layer
from litgraph.s6_render.pages import SiteData
from litgraph.s6_render.visnet import options
from litgraph.suggest import fold

KINDS = {  # kind -> (shape, background, border), also the legend
    "theme": ("hexagon", "#f2b134", "#b7791f"),
    "work": ("dot", "#4a90d9", "#2c5d8f"),
    "claim": ("square", "#9bc99b", "#4f7f4f"),
}
EDGES = {  # kind -> vis edge style, also the legend
    "source": {"color": "#9aa5b1", "width": 1},
    "theme": {"color": {"color": "#e8c47c", "opacity": 0.3}, "width": 1},
    "cites": {"color": {"color": "#4a90d9", "opacity": 0.3}, "width": 1, "arrows": {"to": {"scaleFactor": 0.5}}},
    "supports": {"color": "#2f9e44", "width": 2, "arrows": "to"},
    "disputes": {"color": "#d62828", "width": 3, "dashes": [8, 6], "arrows": "to"},
}
SPRING_LIMIT = 1500  # up to this many nodes, the map is relaxed as a whole (spring layout) and one part
CLAIM_LIMIT = 6000  # above this many nodes, claims are not sent at all (their works' panels list them)
PER_PART = 512
SPREAD = 34.0  # px: how far a work stands from the mean of its themes (sd)


def _jitter(node_id: str, spread: float) -> tuple[float, float]:
    """Two normal deviates (sd `spread`) of the node's own, from its id (Box-Muller on a hash)."""
    digest = hashlib.blake2b(node_id.encode("utf-8"), digest_size=8).digest()
    u = (int.from_bytes(digest[:4], "big") + 1) / 4294967297
    v = int.from_bytes(digest[4:], "big") / 4294967296
    radius = math.sqrt(-2 * math.log(u)) * spread
    return radius * math.cos(2 * math.pi * v), radius * math.sin(2 * math.pi * v)


def _ring(node_id: str, radius: float) -> tuple[float, float]:
    """A place on a ring around a node (a claim around its work), by the id."""
    digest = hashlib.blake2b(node_id.encode("utf-8"), digest_size=4).digest()
    angle = int.from_bytes(digest, "big") / 4294967296 * 2 * math.pi
    return radius * math.cos(angle), radius * math.sin(angle)


def _loose(node_id: str, nodes: int) -> tuple[float, float]:
    """A node with no themes: somewhere in a band below the themes, by its id."""
    digest = hashlib.blake2b(node_id.encode("utf-8"), digest_size=8).digest()
    width = 120.0 * max(1.0, math.sqrt(1 << max(0, nodes - 1).bit_length()) * 1.2)
    u, v = int.from_bytes(digest[:4], "big") / 4294967296, int.from_bytes(digest[4:], "big") / 4294967296
    return (u - 0.5) * width, layout.VIEW[1] / 2 + 120 + v * width / 3


def work_size(claims: int, cited: int) -> float:
    return min(22.0, 4 + 2 * math.sqrt(claims + 2 * cited))


@dataclass
class MapPlan:
    """What the whole map shares: whether claims are folded, its size, where the themes stand."""

    folded: bool
    nodes: int
    themes: dict[str, tuple[float, float]]

    @property
    def spring(self) -> bool:
        return self.nodes <= SPRING_LIMIT


def plan_map(data: SiteData) -> MapPlan:
    works = data.db.execute("SELECT count(*) FROM works").fetchone()[0]
    claims = data.db.execute("SELECT count(*) FROM claims").fetchone()[0]
    total = len(data.themes) + works + claims
    folded = total > CLAIM_LIMIT
    counts = dict(data.db.execute("SELECT theme, claims FROM theme_counts"))
    labels = {t: theme.labels for t, theme in data.themes.items()}
    broader = {t: list(theme.broader) for t, theme in data.themes.items()}
    positions = layout.theme_positions(labels, counts, layout.shared_works(data.db), broader)
    return MapPlan(folded, len(data.themes) + works + (0 if folded else claims), positions)


def parts(keys: list[str], plan: MapPlan) -> list[list[str]]:
    """The works (sorted keys) in map parts: one for a small map, else cut by key hash."""
    if plan.spring:
        return [keys] if keys else []
    return cut(keys, PER_PART)


def _claim_details(c: ClaimRow) -> dict[str, Any]:
    return {"kind": "claim", "id": c.id, "text": c.text, "texts": c.texts, "source": c.source,
            "source_citation": c.source_citation, "reported_in": c.reported_in,
            "reported_in_citation": c.reported_in_citation, "locator": c.locator, "evidence": c.evidence,
            "themes": c.themes, "question": c.question, "stance": c.stance}  # fmt: skip


def map_part(data: SiteData, plan: MapPlan, keys: list[str]) -> dict[str, Any]:
    """The nodes, edges and details of these works (with their claims, unless folded), each node with the
    nodes it stands near (`at`) and its own offset."""
    works = data.rows.works(keys)
    claims = data.claims_by("source", keys)
    cited = {k: len(v) for k, v in data.tables.cited_by(keys).items()}
    cites = data.tables.cites_of(keys)
    nodes, edges, details = [], [], {}
    for key, work in works.items():
        own = claims.get(key, [])
        themes = sorted({t for c in own for t in c.themes})
        dx, dy = _jitter("w:" + key, SPREAD + 3 * math.sqrt(len(themes)))
        weight = len(own) + 2 * cited.get(key, 0)
        # (a per-work field that another layer colours by, such as a `cluster`, goes in this dict)
        node = {"id": "w:" + key, "label": work.citation, "kind": "work", "size": round(work_size(len(own), cited.get(key, 0)), 2),
                "weight": weight, "at": _main_themes(own), "dx": round(dx, 1), "dy": round(dy, 1)}  # fmt: skip
        if not themes:
            node["x"], node["y"] = (round(v, 1) for v in _loose("w:" + key, plan.nodes))
        nodes.append(node)
        details["w:" + key] = {
            "kind": "work", "key": key, "citation": work.citation, "title": work.title, "year": work.year, "type": work.type,
            "doi": work.doi, "reference": work.reference, "themes": themes, "cited_by": cited.get(key, 0),
            "claims": [{"id": c.id, "text": c.text, "texts": c.texts, "locator": c.locator, "reported_in": c.reported_in_citation}
                       for c in own],
            "search": fold(f"{work.reference or ''} {work.title or ''} {key}"), "page": page("work", key),
        }  # fmt: skip
        edges += [{"from": "w:" + key, "to": "w:" + other, "kind": "cites"} for other in cites.get(key, [])]
        edges += [{"from": "w:" + key, "to": "t:" + t, "kind": "theme"} for t in themes]
    if not plan.folded:
        _claims_of_part(data, [c for key in works for c in claims.get(key, [])], nodes, edges, details)
    return {"nodes": nodes, "edges": edges, "details": details}


def _main_themes(claims: list[ClaimRow]) -> list[str]:
    """The themes a work stands near: those most of its claims are on (a work on many themes would otherwise
    stand in the middle of the map, among no theme of its own)."""
    counts: dict[str, int] = defaultdict(int)
    for claim in claims:
        for theme in claim.themes:
            counts[theme] += 1
    most = max(counts.values(), default=0)
    return ["t:" + t for t in sorted(counts) if counts[t] == most][:2]


def _claims_of_part(
    data: SiteData, claims: list[ClaimRow], nodes: list[Any], edges: list[Any], details: dict[str, Any]
) -> None:
    ids = [c.id for c in claims]
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"disputes": [], "supports": []})
    for a, kind, b in rows_in(data.db, "SELECT id, kind, other FROM claim_links WHERE id IN {in}", ids):
        links[a][kind].append(b)
        edges.append({"from": "c:" + a, "to": "c:" + b, "kind": "disputes" if kind == "disputes" else "supports"})
    for a, b in rows_in(data.db, "SELECT id, other FROM claim_links WHERE kind = 'disputes' AND other IN {in}", ids):
        links[b]["disputes"].append(a)
    for c in claims:
        cid = "c:" + c.id
        dx, dy = _ring(cid, 26.0)
        nodes.append({"id": cid, "label": "", "kind": "claim", "size": 5, "at": ["w:" + c.source],
                      "dx": round(dx, 1), "dy": round(dy, 1)})  # fmt: skip
        edges.append({"from": cid, "to": "w:" + c.source, "kind": "source"})
        details[cid] = {
            **_claim_details(c),
            "disputes": sorted(set(links[c.id]["disputes"])),
            "supports": sorted(links[c.id]["supports"]),
            "page": f"{page('work', c.source)}#claim-{c.id}",
        }


def resolve(nodes: list[dict[str, Any]], known: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Every node's place: its own (`x`, `y`), or the mean of its `at` nodes' places moved by its offset
    (the page does the same); `known`: places found already (the themes')."""
    pos = dict(known)
    for rank in (0, 1, 2):  # (placed nodes; then works, near themes; then claims, near works)
        for node in nodes:
            if node["id"] in pos:
                continue
            if "x" in node:
                pos[node["id"]] = (node["x"], node["y"])
            elif rank > 0:
                anchors = [pos[a] for a in node.get("at", []) if a in pos]
                if anchors or rank == 2:
                    anchors = anchors or [(0.0, 0.0)]
                    pos[node["id"]] = (
                        sum(a[0] for a in anchors) / len(anchors) + node["dx"],
                        sum(a[1] for a in anchors) / len(anchors) + node["dy"],
                    )
    return pos


def place(part: dict[str, Any], positions: dict[str, tuple[float, float]] | None = None) -> None:
    """The shapes and colours of a part's nodes and edges, and the places given (`positions`: a small map,
    relaxed as a whole; a large map's parts keep `at`, so that the themes can move without them)."""
    for node in part["nodes"]:
        if positions is not None and node["id"] in positions:
            x, y = positions[node["id"]]
            node["x"], node["y"] = round(x, 1), round(y, 1)
        shape, background, border = KINDS[node["kind"]]
        node.update({"shape": shape, "color": {"background": background, "border": border}})
    for edge in part["edges"]:
        edge.update(EDGES[edge["kind"]])


def theme_places(plan: MapPlan) -> dict[str, tuple[float, float]]:
    return {"t:" + t: place for t, place in plan.themes.items()}


def relaxed(part: dict[str, Any], plan: MapPlan) -> dict[str, tuple[float, float]]:
    """A small map's places, all worked out here (it comes in one part, with index.html)."""
    return resolve(part["nodes"], theme_places(plan))


def map_meta(data: SiteData, plan: MapPlan) -> dict[str, Any]:
    """What the whole map shares: the themes (nodes, placed, and details), the tree, the contested
    questions, the options, the legend."""
    counts, works = {}, {}
    for theme, claims, n_works in data.db.execute("SELECT theme, claims, works FROM theme_counts"):
        counts[theme], works[theme] = claims, n_works
    nodes, details = [], {}
    for theme_id, theme in sorted(data.themes.items()):
        n = counts.get(theme_id, 0)
        x, y = plan.themes.get(theme_id, (0.0, 0.0))
        nodes.append({"id": "t:" + theme_id, "label": theme.labels.get("en", theme_id), "kind": "theme",
                      "size": round(layout.theme_size(n), 2), "weight": n, "x": x, "y": y})  # fmt: skip
        details["t:" + theme_id] = {"kind": "theme", "id": theme_id, "labels": theme.labels, "definitions": theme.definitions,
                                    "broader": theme.broader, "narrower": data.children.get(theme_id, []), "claims": n,
                                    "works": works.get(theme_id, 0), "page": page("theme", theme_id)}  # fmt: skip
    return {
        "nodes": nodes, "edges": [], "details": details,
        "tree": [{"id": t, "depth": d, "labels": data.themes[t].labels} for t, d in data.lookup.tree()],
        "children": data.children, "options": options(plan.nodes > 3000), "folded_claims": plan.folded,
        "contested": contested_layer(data),
        "legend": {"nodes": {k: v[1] for k, v in KINDS.items()}, "edges": {k: _colour(v) for k, v in EDGES.items()}},
    }  # fmt: skip


def _colour(style: dict[str, Any]) -> str:
    colour = style["color"]
    return str(colour["color"] if isinstance(colour, dict) else colour)


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
    positions = relaxed(part, plan) if plan.spring else resolve(part["nodes"], theme_places(plan))
    place(meta)
    place(part, positions)
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
    place(part)
    script = part_script(part)
    return part_name(keys), f"{members_digest(salt, plan, keys)}:{hashlib.sha256(script).hexdigest()}", script
