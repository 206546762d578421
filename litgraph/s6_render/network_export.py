"""Networks for Gephi and Cytoscape, as GraphML and GEXF (networkx's writers): the map's graph (themes, works
and claims), or a network of the works (s4_analyse/networks.py: citations, co-citation, coupling).

Every edge has an id of its own ("e1", "e2", ...: a MultiDiGraph's keys would repeat), and every attribute
one type throughout (string, int or double, declared by the writers from the values): an attribute a node
or edge lacks is left out, never written as None, and lists are written as text ("a; b").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from litgraph.plumbing.files import atomic_file
from litgraph.s4_analyse.networks import Network, leiden_clusters
from litgraph.s4_analyse.rows import WorkRow

GRAPH = "graph"  # the map's graph: themes, works and claims


def to_networkx(document: dict[str, Any]) -> nx.MultiDiGraph:
    """The map's nodes (themes, works and claims: attribute `kind`) and its source/theme/cites/supports/
    disputes edges (`document`: s6_render.mapdata's whole map, placed)."""
    graph = nx.MultiDiGraph(name="litgraph: themes, works and claims")
    for node in document["nodes"]:
        detail = document["details"].get(node["id"], {})
        attributes = {
            "kind": node["kind"],
            "label": str(node["label"]),
            "x": float(node["x"]),
            "y": float(node["y"]),
            "size": float(node["size"]),
        }
        for name in ("title", "text", "locator", "evidence", "doi", "reference"):
            if detail.get(name) is not None:
                attributes[name] = str(detail[name])
        if isinstance(detail.get("year"), int):
            attributes["year"] = detail["year"]
        graph.add_node(node["id"], **attributes)
    for number, edge in enumerate(document["edges"], 1):
        graph.add_edge(edge["from"], edge["to"], key=f"e{number}", kind=edge["kind"])
    return graph


def works_network(network: Network, works: dict[str, WorkRow], importance: dict[str, float]) -> nx.Graph:
    """A network of works: each with its label ("Repper & Carter 2011"), title, year, type, DOI, importance
    (PageRank in the citation network) and Leiden cluster in this network; each edge with its kind, weight
    and what is behind it (`works`: citing both, or cited by both; `claims`)."""
    graph: nx.Graph = nx.DiGraph() if network.directed else nx.Graph()
    graph.graph["name"] = f"litgraph: {network.name}"
    if network.bounded:
        graph.graph["bounded"] = f"works with more than their first 500 taking part: {'; '.join(network.bounded)}"
    clusters = leiden_clusters(network.nodes, network.edges)
    for key in network.nodes:
        row = works.get(key)
        attributes: dict[str, Any] = {"kind": "work", "label": row.citation if row else key, "cluster": clusters[key]}
        if row is not None:
            attributes.update({"type": row.type, "reference": row.reference})
            attributes.update({n: v for n, v in (("title", row.title), ("doi", row.doi)) if v})
            if row.year is not None:
                attributes["year"] = int(row.year)
        attributes["importance"] = float(importance.get(key, 0.0))
        graph.add_node(key, **attributes)
    kind = {"citations": "cites", "cocitation": "cocited", "coupling": "coupled"}[network.name]
    for number, edge in enumerate(network.edges, 1):
        graph.add_edge(edge.source, edge.target, id=f"e{number}", kind=kind, weight=float(edge.weight),
                       works="; ".join(edge.works), claims="; ".join(edge.claims))  # fmt: skip
    return graph


def _with_ids(graph: nx.Graph, fmt: str) -> nx.Graph:
    """The graph as each writer takes edge ids: GraphML from a multigraph's keys (an `id` attribute would be
    written as data too, which igraph refuses to read as the id), GEXF from the edges' `id`."""
    ided: nx.Graph = (
        (nx.MultiDiGraph() if graph.is_directed() else nx.MultiGraph()) if fmt == "graphml" else graph.copy()
    )
    ided.graph.update(graph.graph)
    if fmt == "graphml":
        ided.add_nodes_from(graph.nodes(data=True))
    edges = (
        graph.edges(keys=True, data=True)
        if graph.is_multigraph()
        else ((u, v, None, d) for u, v, d in graph.edges(data=True))
    )
    for u, v, key, data in edges:
        edge = dict(data)
        number = edge.pop("id", key)
        if fmt == "graphml":
            ided.add_edge(u, v, key=number, **edge)
        elif graph.is_multigraph():
            ided.edges[u, v, key]["id"] = number
    return ided


def write_network(graph: nx.Graph, path: Path, fmt: str) -> None:
    """Write GraphML or GEXF through a temporary file, so a failed write leaves no empty file; every edge
    with its own id."""
    ided = _with_ids(graph, fmt)
    with atomic_file(path) as handle:
        if fmt == "graphml":
            nx.write_graphml(ided, handle)
        else:
            nx.write_gexf(ided, handle)
