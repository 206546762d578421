"""The graph as a networkx graph, for GraphML and GEXF (Gephi, Cytoscape)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from litgraph.mapview import map_data
from litgraph.rdfio import atomic_file
from litgraph.sitedata import SiteData


def to_networkx(data: SiteData) -> nx.MultiDiGraph:
    """Themes, works and claims as nodes (attribute `kind`), with source/theme/cites/supports/disputes edges.

    Attribute values are strings and numbers only: the GraphML and GEXF writers reject None, lists and dicts.
    """
    document = map_data(data)
    graph = nx.MultiDiGraph()
    for node in document["nodes"]:
        detail = document["details"].get(node["id"], {})
        attributes = {
            "kind": node["kind"],
            "label": str(node["label"]),
            "x": float(node["x"]),
            "y": float(node["y"]),
            "size": float(node["size"]),
        }
        for name in ("title", "year", "text", "locator", "evidence", "doi", "reference"):
            value = detail.get(name)
            if value is not None:
                attributes[name] = value if isinstance(value, int | float) else str(value)
        graph.add_node(node["id"], **attributes)
    for edge in document["edges"]:
        graph.add_edge(edge["from"], edge["to"], kind=edge["kind"])
    return graph


def write_network(data: SiteData, path: Path, fmt: str) -> None:
    """Write GraphML or GEXF through a temporary file, so a failed write leaves no empty file."""
    graph = to_networkx(data)
    with atomic_file(path) as handle:
        if fmt == "graphml":
            nx.write_graphml(graph, handle)
        else:
            nx.write_gexf(graph, handle)
